"""The demo's HTML report, opened in a real headless Chromium as a DPO would open it: its script
runs without a console error, it requests nothing beyond its own file, and every demo app is on
the rendered page (what the browser shows, not what the markup says)."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_harness import off_the_browser_loop
from demo_apps import DEMO_APPS
from playwright.sync_api import Browser

from gatekeeper.cli import run

pytestmark = pytest.mark.e2e


def test_the_demo_report_renders_without_errors_or_requests(
    browser: Browser, tmp_path: Path
) -> None:
    assert off_the_browser_loop(run, ["demo", "--out-dir", str(tmp_path)]) == 0
    (report,) = tmp_path.glob("*.html")
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    shown = page.inner_text("body")
    page.close()
    assert errors == []
    assert requests == [report.as_uri()]
    missing = [name for name in DEMO_APPS if name not in shown]
    assert missing == []
