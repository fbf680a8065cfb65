#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/browser_harness.py drives it with
# Playwright for Python, whose wheel brings its driver but no browser: a test tool's own
# browser download cannot reach its host here, Debian's package can).
#
# Contract with .ci/run, which evals this script's stdout: stdout carries only
# `export GATEKEEPER_CHROMIUM=...`; every other line goes to stderr.
set -euo pipefail

chromium=/usr/bin/chromium
if [ -x "$chromium" ]; then
    echo "Chromium already installed: $("$chromium" --version 2>/dev/null || true)" >&2
else
    echo "Installing chromium from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    # fonts-dejavu-core: the PDF tests read text back, which needs a font with the glyphs.
    { apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core; } >&2
fi

echo "export GATEKEEPER_CHROMIUM=$chromium"
