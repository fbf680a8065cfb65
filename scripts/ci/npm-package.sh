#!/usr/bin/env bash
# Installs one npm package at one major version into .ci/node, unless it is there already;
# used by the setup scripts of npm tools (setup-heroku-cli.sh, setup-oidc-provider.sh). Not a
# setup script itself (.ci/run runs only setup-*.sh): everything it says goes to stderr.
#
#   bash scripts/ci/npm-package.sh PACKAGE MAJOR
set -euo pipefail
cd "$(dirname "$0")/../.."

package="$1"
major="$2"
prefix="$PWD/.ci/node"

installed_major() {
    # The installed package.json: starting the tool to ask would be slow, or impossible.
    node -e 'process.stdout.write(String(require(process.argv[1]).version.split(".")[0]))' \
        "$prefix/node_modules/$package/package.json" 2>/dev/null || true
}

if [ "$(installed_major)" = "$major" ]; then
    echo "$package $major already installed in $prefix" >&2
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm is missing; installing Node.js from Debian packages" >&2
    { apt-get update && apt-get install -y --no-install-recommends nodejs npm; } >&2
fi
echo "Installing $package@$major into $prefix" >&2
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$package@$major" >&2
