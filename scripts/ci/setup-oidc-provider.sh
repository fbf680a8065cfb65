#!/usr/bin/env bash
# Installs panva's `oidc-provider` (npm, major version 9) into .ci/node for the OpenID Connect
# sign-in tests (tests/e2e/test_oidc_sign_in.py): a real OpenID provider that
# tests/oidc/provider.mjs runs on loopback.
#
# Contract with .ci/run, which evals this script's stdout: stdout carries only
# `export GATEKEEPER_OIDC_PROVIDER_DIR=...` (the node_modules folder that holds the package);
# every other line goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/ci/npm-package.sh oidc-provider 9 >&2
echo "export GATEKEEPER_OIDC_PROVIDER_DIR=$PWD/.ci/node/node_modules"
