#!/usr/bin/env bash
# Installs the Heroku CLI (npm package `heroku`, major version 11) into .ci/node for the
# interop test (tests/interop/test_heroku_cli.py).
#
# Contract with .ci/run, which evals this script's stdout: stdout carries only
# `export GATEKEEPER_HEROKU_CLI=...`; every other line goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

prefix="$PWD/.ci/node"
cli="$prefix/node_modules/.bin/heroku"

installed_major() {
    # The installed package.json, not `heroku --version`: that would start the CLI.
    node -e 'process.stdout.write(String(require(process.argv[1]).version.split(".")[0]))' \
        "$prefix/node_modules/heroku/package.json" 2>/dev/null || true
}

if [ -x "$cli" ] && [ "$(installed_major)" = "11" ]; then
    echo "Heroku CLI 11 already installed in $prefix" >&2
else
    if ! command -v npm >/dev/null 2>&1; then
        echo "npm is missing; installing Node.js from Debian packages" >&2
        { apt-get update && apt-get install -y --no-install-recommends nodejs npm; } >&2
    fi
    echo "Installing heroku@11 into $prefix" >&2
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error heroku@11 >&2
fi

echo "export GATEKEEPER_HEROKU_CLI=$cli"
