#!/usr/bin/env bash
# Installs the Heroku CLI (npm package `heroku`, major version 11) into .ci/node for the
# interop test (tests/interop/test_heroku_cli.py).
#
# Contract with .ci/run, which evals this script's stdout: stdout carries only
# `export GATEKEEPER_HEROKU_CLI=...`; every other line goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/ci/npm-package.sh heroku 11 >&2
echo "export GATEKEEPER_HEROKU_CLI=$PWD/.ci/node/node_modules/.bin/heroku"
