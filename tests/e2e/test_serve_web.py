"""The pages and the API of ``gatekeeper serve`` over real HTTP (uvicorn on loopback), over
a store filled by two real audits of the simulator's demo estate: who may see what, the
contract's paths and shapes, the security headers, and no secret on any page, in any answer
or in the log.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serve_harness import (
    DASHBOARD_TOKEN,
    POLICY,
    WEBHOOK_SECRET,
    delivery,
    live_server,
    loopback_settings,
)

from gatekeeper.errors import UsageError
from gatekeeper.serve.app import create_app
from gatekeeper.serve.security import PAGE_CSP
from gatekeeper.serve.settings import Settings, check_access, from_environment
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator
from gatekeeper.sources import ApiSource
from gatekeeper.store import LiveStore, open_store
from gatekeeper.usecases.policy_file import open_policy
from gatekeeper.usecases.watch import audit_scope, scheduled_audit

SESSION_SECRET = "session-canary-0123456789abcdef"
DRAIN_SECRET = "s3cr3t-drain-token"  # in the demo estate's bio-dashboard drain URL


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'web.sqlite3'}"


@pytest.fixture
def audited(store_url: str, simulator: Simulator) -> Iterator[LiveStore]:
    """The store after two audits of the demo estate (recorded, with app states)."""
    from gatekeeper.usecases.history import store_at

    live = open_store(store_url)
    for _ in range(2):
        scheduled_audit(
            audit_scope("all"),
            policy=open_policy(str(POLICY)),
            source=ApiSource(simulator.url, token=DEMO_ADMIN_TOKEN),
            store=store_at(store_url),
            live=live,
        )
    yield live
    live.close()


def settings_for(store_url: str, **changes: object) -> Settings:
    return loopback_settings(store_url, **{"session_secret": SESSION_SECRET, **changes})


@pytest.fixture
def base_url(store_url: str, audited: LiveStore) -> Iterator[str]:
    with live_server(create_app(settings_for(store_url))) as url:
        yield url


@pytest.fixture
def browser_client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


@pytest.fixture
def api(base_url: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {DASHBOARD_TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(client: httpx.Client, token: str = DASHBOARD_TOKEN) -> httpx.Response:
    form = client.get("/login")
    return client.post("/login", data={"csrf": csrf_of(form.text), "token": token, "next": "/apps"})


def test_healthz_needs_no_login(browser_client: httpx.Client) -> None:
    answer = browser_client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "store": "ok"}


def test_healthz_is_503_when_the_store_is_unreachable(store_url: str, audited: LiveStore) -> None:
    app = create_app(settings_for(store_url))
    app.state.store.close()  # as if the database went away
    with live_server(app) as url:
        answer = httpx.get(f"{url}/healthz")
    assert answer.status_code == 503 and answer.json()["store"] == "unreachable"


@pytest.mark.parametrize(
    "path", ["/", "/apps", "/apps/survey", "/audits", "/audits/1", "/audits/2/diff/1"]
)
def test_an_unauthenticated_browser_is_sent_to_the_login(
    browser_client: httpx.Client, path: str
) -> None:
    answer = browser_client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/v1/apps", "/api/v1/apps/survey", "/api/v1/summary"])
def test_the_api_answers_401_without_the_token(browser_client: httpx.Client, path: str) -> None:
    assert browser_client.get(path).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    answer = browser_client.get(path, headers=wrong)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthenticated"
    assert browser_client.post("/api/v1/audits", headers=wrong).status_code == 401


def test_login_sets_a_http_only_lax_session_and_logout_ends_it(
    browser_client: httpx.Client,
) -> None:
    assert log_in(browser_client, "wrong").status_code == 401
    answer = log_in(browser_client)
    assert answer.status_code == 303 and answer.headers["location"] == "/apps"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    dashboard = browser_client.get("/")
    assert dashboard.status_code == 200 and "Estate:" in dashboard.text
    # Logging out needs the form's CSRF token.
    assert browser_client.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert browser_client.get("/").status_code == 200
    out = browser_client.post("/logout", data={"csrf": csrf_of(dashboard.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert browser_client.get("/").status_code == 303


def test_the_session_cookie_is_secure_off_loopback(store_url: str, audited: LiveStore) -> None:
    settings = from_environment(
        host="0.0.0.0",
        store_url=store_url,
        policy_path=str(POLICY),
        env={"GATEKEEPER_DASHBOARD_TOKEN": DASHBOARD_TOKEN},
    )
    assert settings.secure_cookies
    with live_server(create_app(settings)) as url, httpx.Client(base_url=url) as client:
        answer = client.get("/login")
        assert "secure" in answer.headers["set-cookie"].lower()


def test_audit_now_queues_an_audit(store_url: str, audited: LiveStore) -> None:
    with (
        live_server(create_app(settings_for(store_url, audit_scope="all"))) as url,
        httpx.Client(base_url=url) as client,
    ):
        log_in(client)
        dashboard = client.get("/")
        queued = client.post("/audits/run", data={"csrf": csrf_of(dashboard.text)})
        assert queued.status_code == 303 and queued.headers["location"] == "/?audit=queued"
        assert "An audit of the configured scope is queued" in client.get("/?audit=queued").text
        bearer = {"Authorization": f"Bearer {DASHBOARD_TOKEN}"}
        answer = client.post("/api/v1/audits", headers=bearer)  # the waiting one, no CSRF
        assert answer.status_code == 202 and answer.json()["scope"] == "all"
    assert audited.pending_jobs("audit") == 1


def test_audit_now_needs_a_scope(browser_client: httpx.Client) -> None:
    answer = browser_client.post(
        "/api/v1/audits", headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"}
    )
    assert answer.status_code == 503 and answer.json()["error"] == "not-configured"


def test_every_form_post_needs_the_csrf_token(browser_client: httpx.Client) -> None:
    login_page = browser_client.get("/login")
    forged = browser_client.post("/login", data={"csrf": "x", "token": DASHBOARD_TOKEN})
    assert forged.status_code == 403
    assert log_in(browser_client).status_code == 303
    # The token planted before the login was rotated by it.
    old = csrf_of(login_page.text)
    assert browser_client.post("/audits/run", data={"csrf": old}).status_code == 403
    assert browser_client.post("/api/v1/audits", data={"csrf": old}).status_code == 403


def test_the_login_offers_the_institution_when_oidc_is_on(
    store_url: str, audited: LiveStore
) -> None:
    settings = settings_for(store_url, dashboard_token=None, oidc_enabled=True)
    with live_server(create_app(settings)) as url:
        page = httpx.get(f"{url}/login").text
    assert 'href="/auth/oidc/login' in page and "Sign in with your institution" in page
    assert 'name="token"' not in page


def test_apps_are_listed_filtered_and_paged(api: httpx.Client) -> None:
    everything = api.get("/api/v1/apps").json()
    names = [a["name"] for a in everything["apps"]]
    assert names == sorted(names) and "survey" in names and everything["next"] is None
    first = everything["apps"][0]
    assert set(first) == {"name", "team", "region", "decision", "checked_at", "source"}
    assert first["source"] == "audit"
    page = api.get("/api/v1/apps", params={"limit": 3}).json()
    assert [a["name"] for a in page["apps"]] == names[:3]
    seen = [a["name"] for a in page["apps"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [a["name"] for a in page["apps"]]
    assert seen == names
    blocked = api.get("/api/v1/apps", params={"decision": "block", "team": "psych-lab"}).json()
    assert blocked["apps"] and all(
        a["decision"] == "block" and a["team"] == "psych-lab" for a in blocked["apps"]
    )
    assert api.get("/api/v1/apps", params={"decision": "maybe"}).status_code == 400
    assert api.get("/api/v1/apps", params={"limit": "0"}).status_code == 400


def test_one_app_is_the_v1_app_plus_checked_at_and_source(api: httpx.Client) -> None:
    app = api.get("/api/v1/apps/experiment-us").json()
    assert app["name"] == "experiment-us" and app["decision"] == "block"
    assert app["source"] == "audit" and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", app["checked_at"]
    )
    finding = app["findings"][0]
    assert {
        "rule",
        "severity",
        "subject",
        "message",
        "remediation",
        "waived",
        "fingerprint",
    } <= set(finding)
    assert api.get("/api/v1/apps/no-such-app").status_code == 404


def test_the_pages_show_the_estate(browser_client: httpx.Client) -> None:
    log_in(browser_client)
    dashboard = browser_client.get("/").text
    assert "psych-lab" in dashboard and "Last audit" in dashboard
    assert "No agreement or waiver expires soon." in dashboard  # all end in 2028 or later
    app = browser_client.get("/apps/experiment-us").text
    assert "Fix:" in app and "Evidence:" in app and "History" in app
    listed = browser_client.get("/apps", params={"decision": "allow"}).text
    assert "econ-game" in listed and "experiment-us" not in listed
    audits = browser_client.get("/audits").text
    assert "/audits/2/diff/1" in audits
    diff = browser_client.get("/audits/2/diff/1")
    assert diff.status_code == 200 and "New findings (0)" in diff.text
    assert browser_client.get("/apps/nothing-here").status_code == 404
    assert browser_client.get("/audits/99").status_code == 404


def test_a_stored_report_is_the_html_report_under_its_own_policy(
    browser_client: httpx.Client, audited: LiveStore
) -> None:
    from gatekeeper.report.registry import render
    from gatekeeper.usecases.common import render_options

    log_in(browser_client)
    answer = browser_client.get("/audits/1")
    stored = audited.get(1)
    assert stored is not None
    options = render_options(open_policy(str(POLICY)), verbose=False, strict=False, color=False)
    assert answer.text == render(stored.report, "html", options)
    csp = answer.headers["content-security-policy"]
    assert "script-src 'sha256-" in csp and csp.endswith("frame-ancestors 'none'")
    assert "'unsafe-inline'" not in csp


def test_every_answer_has_the_security_headers(browser_client: httpx.Client) -> None:
    log_in(browser_client)
    for path in ("/", "/login", "/apps/survey", "/api/v1/apps", "/healthz", "/static/app.js"):
        headers = browser_client.get(path).headers
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        if path != "/audits/1":
            assert headers["content-security-policy"] == PAGE_CSP, path
    page = browser_client.get("/").text
    assert "<script>" not in page and " style=" not in page and "onclick" not in page


def test_the_receiver_limits_the_rate_per_client(store_url: str, audited: LiveStore) -> None:
    with live_server(create_app(settings_for(store_url, webhook_rate=3))) as url:
        body, headers = delivery("econ-game")
        codes = [
            httpx.post(f"{url}/webhooks/heroku", content=body, headers=headers).status_code
            for _ in range(5)
        ]
    assert codes[0] == 202 and codes[1:3] == [200, 200] and codes[3:] == [429, 429]


def test_a_receiver_without_its_secret_refuses_and_records_nothing(
    store_url: str, audited: LiveStore
) -> None:
    with live_server(create_app(settings_for(store_url, webhook_secret=None))) as url:
        body, headers = delivery("econ-game")
        answer = httpx.post(f"{url}/webhooks/heroku", content=body, headers=headers)
    assert answer.status_code == 503 and audited.recent_events() == []


def test_serve_refuses_to_show_the_estate_to_anybody() -> None:
    with pytest.raises(UsageError, match="needs a login"):
        check_access(Settings(host="0.0.0.0", no_auth=True))
    with pytest.raises(UsageError, match="needs a login"):
        check_access(Settings(host="127.0.0.1"))
    check_access(Settings(host="127.0.0.1", no_auth=True))
    check_access(Settings(host="0.0.0.0", oidc_enabled=True))
    with pytest.raises(UsageError, match="--no-auth"):
        check_access(Settings(host="127.0.0.1", no_auth=True, dashboard_token="t"))


def test_no_secret_on_any_page_answer_or_log_line(
    browser_client: httpx.Client,
    api: httpx.Client,
    caplog: pytest.LogCaptureFixture,
    audited: LiveStore,
) -> None:
    caplog.set_level(logging.DEBUG)
    log_in(browser_client)
    seen: list[str] = []
    for path in ("/", "/apps", "/apps/bio-dashboard", "/audits", "/audits/2", "/audits/2/diff/1"):
        seen.append(browser_client.get(path).text)
    for path in ("/api/v1/apps", "/api/v1/apps/bio-dashboard", "/api/v1/summary"):
        seen.append(api.get(path).text)
    body, headers = delivery("bio-dashboard")
    seen.append(api.post("/webhooks/heroku", content=body, headers=headers).text)
    seen.append(api.post("/webhooks/heroku", content=body, headers={}).text)
    seen += [r.getMessage() for r in caplog.records]
    seen += [str(e) for e in audited.recent_events()]
    for text in seen:
        for secret in (
            DASHBOARD_TOKEN,
            WEBHOOK_SECRET,
            SESSION_SECRET,
            DEMO_ADMIN_TOKEN,
            DRAIN_SECRET,
        ):
            assert secret not in text


def test_the_latest_register_is_downloadable(browser_client: httpx.Client) -> None:
    """The register of the last recorded audit, in each format, for a signed-in user only."""
    import csv
    import io

    import openpyxl

    stranger = browser_client.get("/register.csv", follow_redirects=False)
    assert stranger.status_code in (302, 303) and "/login" in stranger.headers["location"]
    log_in(browser_client)
    assert 'href="/register.xlsx"' in browser_client.get("/").text
    sheet = browser_client.get("/register.csv")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    assert sheet.headers["content-disposition"] == 'attachment; filename="register.csv"'
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert {"survey", "fir-survey"} <= {row["app"] for row in rows}
    workbook = openpyxl.load_workbook(io.BytesIO(browser_client.get("/register.xlsx").content))
    assert len(workbook.sheetnames) >= 3
    assert browser_client.get("/register.json").json()["schema"] == "gatekeeper.register/v1"
    assert "<html" in browser_client.get("/register.html").text.lower()
    assert browser_client.get("/register.exe").status_code == 404
