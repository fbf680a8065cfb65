#!/usr/bin/env bash
# Installs Debian's poppler-utils for the print tests (tests/browser/test_html_report_print.py):
# headless Chromium prints the HTML report to PDF, and pdftotext reads the text back as a reader
# of the PDF would find it, page by page.
#
# Contract with .ci/run, which evals this script's stdout: stdout carries only
# `export GATEKEEPER_PDFTOTEXT=...`; every other line goes to stderr.
set -euo pipefail

pdftotext=/usr/bin/pdftotext
if [ -x "$pdftotext" ]; then
    echo "poppler-utils already installed: $("$pdftotext" -v 2>&1 | head -n 1 || true)" >&2
else
    echo "Installing poppler-utils from Debian packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update && apt-get install -y --no-install-recommends poppler-utils; } >&2
fi

echo "export GATEKEEPER_PDFTOTEXT=$pdftotext"
