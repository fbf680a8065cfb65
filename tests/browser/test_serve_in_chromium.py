"""The dashboard of ``gatekeeper serve`` in a real headless Chromium, as a DPO uses it: sent to
the login, signs in with the dashboard token, reads the dashboard, filters the apps, opens
one, sees a Heroku event's effect without reloading (the page polls the API), opens the
stored audit report, logs out. No
console error on the way (a CSP violation is one) and no request beyond the server.

The server runs under uvicorn in a thread, with the worker in another, over the simulator's
demo estate; gatekeeper's own asyncio work runs off the browser's event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_harness import off_the_browser_loop
from playwright.sync_api import Browser, Page
from serve_harness import (
    DASHBOARD_TOKEN,
    POLICY,
    delivery,
    live_server,
    loopback_settings,
)

from gatekeeper.serve.app import create_app
from gatekeeper.serve.worker import Worker, start_in_thread
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate
from gatekeeper.simulator.estate import SimAddOn
from gatekeeper.sources import ApiSource
from gatekeeper.usecases.history import store_at
from gatekeeper.usecases.policy_file import open_policy
from gatekeeper.usecases.watch import audit_scope, scheduled_audit

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Simulator]]:
    with Simulator(demo_estate()) as sim:
        monkeypatch.setenv("HEROKU_HOST", sim.url)
        monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
        store_url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
        settings = loopback_settings(store_url, audit_scope="all")
        app = create_app(settings)
        off_the_browser_loop(_first_audit, app.state.store, store_url, sim.url)
        worker: tuple[threading.Thread, threading.Event] | None = None
        with live_server(app) as url:
            worker = start_in_thread(Worker(settings, app.state.store, app.state.policy))
            try:
                yield url, sim
            finally:
                worker[1].set()
                worker[0].join(timeout=30)


def _first_audit(live: Any, store_url: str, api_url: str) -> None:
    scheduled_audit(
        audit_scope("all"),
        policy=open_policy(str(POLICY)),
        source=ApiSource(api_url, token=DEMO_ADMIN_TOKEN),
        store=store_at(store_url),
        live=live,
    )


def watched_page(browser: Browser, base: str) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    return page, errors, outside


def test_a_dpo_signs_in_reads_filters_watches_an_event_and_logs_out(
    browser: Browser, served: tuple[str, Simulator]
) -> None:
    base, sim = served
    page, errors, outside = watched_page(browser, base)

    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login?next=")
    page.fill("#token", DASHBOARD_TOKEN)
    page.click("form.login button")
    page.wait_for_url(f"{base}/")
    overview = page.inner_text("#overview")
    assert "Estate:" in overview and "blocked" in overview and "apps" in overview
    assert "psych-lab" in page.inner_text("table.teams")

    page.goto(f"{base}/apps")
    page.select_option("#decision", "block")
    page.click("form.filters button")
    page.wait_for_url("**/apps?decision=block*")
    decisions = page.locator("table.apps td .decision").all_inner_texts()
    assert decisions and set(decisions) == {"block"}

    page.goto(f"{base}/apps/econ-game")
    badge = page.locator('#app [data-field="decision"]')
    assert badge.inner_text() == "allow"
    # A researcher attaches a third-party add-on; Heroku delivers the event.
    estate = demo_estate()
    app = next(a for a in estate.apps if a.name == "econ-game")
    app.addons.append(SimAddOn(plan="mailgun:starter", name="mailgun-econ"))
    app.fill_ids()
    sim.set_estate(estate)
    body, headers = delivery("econ-game")
    assert httpx.post(f"{base}/webhooks/heroku", content=body, headers=headers).status_code == 202
    page.wait_for_selector('#app [data-field="decision"].decision-block', timeout=60_000)
    assert page.locator('#app [data-field="source"]').inner_text() == "event"
    assert page.locator('#app [data-field="changed"]').is_visible()

    # The stored audit report runs its own script under the server's CSP, without an error.
    page.goto(f"{base}/audits/1")
    page.wait_for_load_state("load")
    assert "econ-game" in page.inner_text("body")
    page.goto(f"{base}/")
    page.click("form.logout button")
    page.wait_for_url(f"{base}/login")
    page.goto(f"{base}/apps/econ-game")
    assert page.url.startswith(f"{base}/login?next=")
    page.close()
    assert errors == []
    assert outside == []
