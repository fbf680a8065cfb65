"""Notifications: when there is something to say, what the payload says, and how it is sent."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx

from gatekeeper.errors import TransportError, UsageError
from gatekeeper.notify import (
    MAX_TEXT_ITEMS,
    NotificationError,
    build_notification,
    check_webhook_url,
    send_notification,
    webhook_display,
)
from gatekeeper.redact import redact
from gatekeeper.results import (
    AgreementStatus,
    AppResult,
    Changes,
    Finding,
    Report,
    Severity,
    WaiverStatus,
    fingerprint,
)

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SLACK_URL = "https://hooks.slack.example/services/T0000/B0000/XXXXXXXXsecretXXXXXXXX"


def f(
    rule: str,
    app: str,
    subject: str | None = None,
    *,
    severity: Severity = "block",
    waived: bool = False,
    message: str = "msg",
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        app=app,
        app_id=f"id-{app}",
        subject=subject,
        message=message,
        remediation="fix it",
        waived=waived,
        fingerprint=fingerprint(rule, f"id-{app}", subject),
    )


def agreement(id_: str, expires: date, state: str = "active") -> AgreementStatus:
    return AgreementStatus(
        id=id_,
        kind="heroku",
        covers=("uni-example",),
        expires=expires,
        state=state,
        days_left=(expires - TODAY).days,
    )


def waiver(app: str, expires: date) -> WaiverStatus:
    return WaiverStatus(
        rule="addon-no-agreement",
        app=app,
        subject="papertrail",
        reason="DPA pending",
        approved_by="dpo@uni-example.edu",
        expires=expires,
        state="active",
        used=True,
    )


def report(
    *findings: Finding,
    agreements: tuple[AgreementStatus, ...] = (),
    waivers: tuple[WaiverStatus, ...] = (),
) -> Report:
    apps = tuple(
        AppResult(
            name=x.app or "",
            id=x.app_id or "",
            data_class="personal",
            decision="block" if x.severity == "block" and not x.waived else "allow",
            findings=(x,),
        )
        for x in findings
    )
    decision = "block" if any(a.decision == "block" for a in apps) else "allow"
    return Report(
        generated_at=NOW, decision=decision, apps=apps, agreements=agreements, waivers=waivers
    )


def changes(*new: Finding, resolved: tuple[Finding, ...] = ()) -> Changes:
    return Changes(
        baseline="audit #7 of 2026-11-24T02:00:00Z",
        since=NOW - timedelta(days=1),
        new=new,
        resolved=resolved,
    )


# -- build_notification -----------------------------------------------------------------


def test_nothing_new_and_nothing_expiring_is_silent() -> None:
    old = f("team-not-covered", "survey")
    assert build_notification(report(old), changes(), expiring_within_days=30) is None


def test_new_warnings_alone_are_silent() -> None:
    warn = f("unclassified-app", "survey", severity="warn")
    assert build_notification(report(warn), changes(warn), expiring_within_days=30) is None


def test_new_blocking_findings_are_notified() -> None:
    new = f("addon-no-agreement", "survey", "papertrail", message="Papertrail has no DPA")
    gone = f("region-not-allowed", "experiment-us")
    payload = build_notification(
        report(new), changes(new, resolved=(gone,)), expiring_within_days=30
    )
    assert payload is not None
    assert payload["schema"] == "gatekeeper.notification/v1"
    assert payload["decision"] == "block"
    assert payload["summary"] == {"allow": 0, "warn": 0, "block": 1}
    assert payload["baseline"] == "audit #7 of 2026-11-24T02:00:00Z"
    assert (payload["new_findings"], payload["resolved_findings"]) == (1, 1)
    assert payload["new_blocking_count"] == 1
    assert payload["new_blocking"] == [
        {
            "rule": "addon-no-agreement",
            "app": "survey",
            "subject": "papertrail",
            "message": "Papertrail has no DPA",
            "remediation": "fix it",
            "fingerprint": new.fingerprint,
        }
    ]
    assert payload["expiring_agreements"] == [] and payload["expiring_waivers"] == []
    assert payload["text"] == (
        "*Gatekeeper audit: block* (1 blocked, 0 with warnings, 0 allowed)\n"
        "*1 new blocking finding* since audit #7 of 2026-11-24T02:00:00Z:\n"
        "• survey: addon-no-agreement (papertrail): Papertrail has no DPA"
    )
    json.dumps(payload)  # serializable as is


def test_without_an_earlier_audit_every_open_blocking_finding_is_new() -> None:
    blocking = f("team-not-covered", "survey")
    waived = f("addon-denied", "otree", "x", waived=True)
    payload = build_notification(report(blocking, waived), None, expiring_within_days=30)
    assert payload is not None
    assert [x["app"] for x in payload["new_blocking"]] == ["survey"]
    assert payload["baseline"] is None and payload["new_findings"] is None
    assert "(first recorded audit)" in payload["text"]


def test_changes_against_no_earlier_audit_read_as_a_first_audit() -> None:
    """``audit --since-last`` with an empty history passes Changes without ``since``."""
    blocking = f("team-not-covered", "survey")
    first = Changes(baseline="no earlier audit", new=(blocking,))
    payload = build_notification(report(blocking), first, expiring_within_days=30)
    assert payload is not None
    assert "*1 new blocking finding* (first recorded audit):" in payload["text"]
    assert payload["new_findings"] == 1


def test_expiring_agreements_and_waivers_are_notified() -> None:
    r = report(
        agreements=(
            agreement("heroku-dpa", date(2026, 12, 5)),  # in 10 days
            agreement("far-away", date(2027, 6, 1)),
            agreement("already-expired", date(2026, 11, 1), "expired"),
            agreement("unsigned", date(2026, 12, 1), "not-yet-signed"),
            agreement("ends-today", TODAY, "expiring"),
        ),
        waivers=(waiver("survey", date(2026, 11, 26)), waiver("far", date(2027, 11, 26))),
    )
    payload = build_notification(r, changes(), expiring_within_days=30)
    assert payload is not None
    assert [(a["id"], a["days_left"]) for a in payload["expiring_agreements"]] == [
        ("heroku-dpa", 10),
        ("ends-today", 0),
    ]
    assert payload["expiring_waivers"] == [
        {
            "rule": "addon-no-agreement",
            "app": "survey",
            "subject": "papertrail",
            "approved_by": "dpo@uni-example.edu",
            "expires": "2026-11-26",
            "days_left": 1,
        }
    ]
    assert payload["new_blocking"] == []
    text = payload["text"]
    assert "*Agreements expiring within 30 days:*" in text
    assert "• heroku-dpa (uni-example) expires 2026-12-05 (in 10 days)" in text
    assert "• ends-today (uni-example) expires 2026-11-25 (today)" in text
    assert (
        "• addon-no-agreement for survey (papertrail), approved by dpo@uni-example.edu, "
        "expires 2026-11-26 (tomorrow)"
    ) in text
    assert "far" not in text and "unsigned" not in text and "already-expired" not in text


def test_the_window_is_the_callers() -> None:
    r = report(agreements=(agreement("heroku-dpa", date(2026, 12, 5)),))
    assert build_notification(r, changes(), expiring_within_days=9) is None
    assert build_notification(r, changes(), expiring_within_days=10) is not None


def test_hostile_names_cannot_format_or_ping() -> None:
    hostile = f(
        "addon-no-agreement",
        "evil<!channel>&app",
        "x\n• fake line <http://a|b>",
        message="*bold* <@U123>",
    )
    payload = build_notification(report(hostile), changes(hostile), expiring_within_days=30)
    assert payload is not None
    text = payload["text"]
    assert "<" not in text and ">" not in text
    assert "evil&lt;!channel&gt;&amp;app" in text
    assert "\n• fake line" not in text and "x\\n• fake line" in text
    assert payload["new_blocking"][0]["app"] == "evil<!channel>&app"  # raw in the data


def test_long_lists_are_cut_in_the_text_but_counted() -> None:
    many = [f("team-not-covered", f"app-{i:03d}") for i in range(80)]
    payload = build_notification(report(*many), changes(*many), expiring_within_days=30)
    assert payload is not None
    assert payload["new_blocking_count"] == 80
    assert len(payload["new_blocking"]) == 50
    bullets = [line for line in payload["text"].splitlines() if line.startswith("• ")]
    assert len(bullets) == MAX_TEXT_ITEMS + 1
    assert bullets[-1] == f"• ... and {80 - MAX_TEXT_ITEMS} more"


# -- send_notification ------------------------------------------------------------------

PAYLOAD: dict[str, Any] = {"text": "hello", "decision": "block"}


def test_posts_json_once_on_success() -> None:
    with respx.mock(assert_all_called=True) as router:
        route = router.post(SLACK_URL).mock(return_value=httpx.Response(200, text="ok"))
        send_notification(SLACK_URL, PAYLOAD, retry_delay=0)
    assert route.call_count == 1
    request = route.calls.last.request
    assert json.loads(request.content) == PAYLOAD
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("heroku-gatekeeper/")


@pytest.mark.parametrize("first", [httpx.Response(503), httpx.ConnectError("refused")])
def test_retries_once_after_a_5xx_or_connection_error(
    first: httpx.Response | Exception,
) -> None:
    with respx.mock(assert_all_called=True) as router:
        route = router.post(SLACK_URL).mock(side_effect=[first, httpx.Response(200)])
        send_notification(SLACK_URL, PAYLOAD, retry_delay=0)
    assert route.call_count == 2


def test_gives_up_after_the_retry_on_5xx() -> None:
    with respx.mock() as router:
        route = router.post(SLACK_URL).mock(return_value=httpx.Response(500, text="oops"))
        with pytest.raises(NotificationError) as info:
            send_notification(SLACK_URL, PAYLOAD, retry_delay=0)
    assert route.call_count == 2
    assert info.value.exit_code == 3
    assert "answered HTTP 500: oops" in str(info.value)


def test_gives_up_after_the_retry_on_connection_errors() -> None:
    with respx.mock() as router:
        route = router.post(SLACK_URL).mock(side_effect=httpx.ConnectTimeout("timed out"))
        with pytest.raises(TransportError) as info:
            send_notification(SLACK_URL, PAYLOAD, retry_delay=0)
    assert route.call_count == 2
    assert info.value.exit_code == 3
    assert "ConnectTimeout" in str(info.value)


@pytest.mark.parametrize(("status", "hint"), [(404, "revoked"), (400, ""), (302, "Redirects")])
def test_a_client_error_or_redirect_is_not_retried(status: int, hint: str) -> None:
    with respx.mock() as router:
        route = router.post(SLACK_URL).mock(
            return_value=httpx.Response(
                status, text="no_service", headers={"Location": "http://elsewhere.example/"}
            )
        )
        with pytest.raises(NotificationError) as info:
            send_notification(SLACK_URL, PAYLOAD, retry_delay=0)
    assert route.call_count == 1
    assert f"HTTP {status}" in str(info.value) and hint in str(info.value)


def test_the_webhook_url_never_appears_in_errors() -> None:
    with respx.mock() as router:
        router.post(SLACK_URL).mock(
            return_value=httpx.Response(403, text=f"invalid_token for {SLACK_URL}")
        )
        with pytest.raises(NotificationError) as info:
            send_notification(SLACK_URL, PAYLOAD, retry_delay=0)
    message = str(info.value)
    assert "XXXXXXXXsecretXXXXXXXX" not in message and "T0000/B0000" not in message
    assert "https://hooks.slack.example/[redacted]" in message
    assert "XXXXXXXXsecretXXXXXXXX" not in redact(f"posting to {SLACK_URL}")
    assert "secret" not in redact("path services/T0000/B0000/XXXXXXXXsecretXXXXXXXX")


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.example/services/x",
        "ftp://example.org/x",
        "not a url",
        "https://",
        "http://10.0.0.1/hook",
    ],
)
def test_only_https_or_loopback_http(url: str) -> None:
    with respx.mock() as router:  # no route: any request would fail the test
        with pytest.raises(UsageError) as info:
            send_notification(url, PAYLOAD, retry_delay=0)
        assert not router.calls
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://[::1]:9/x",
        "http://localhost:9/x",
        "https://hooks.example.org/x",
    ],
)
def test_allowed_urls(url: str) -> None:
    check_webhook_url(url)


def test_webhook_display_keeps_only_scheme_host_and_port() -> None:
    assert webhook_display("http://127.0.0.1:8080/a/b?c=d") == "http://127.0.0.1:8080/[redacted]"
    assert webhook_display(SLACK_URL) == "https://hooks.slack.example/[redacted]"


# -- a real HTTP server on 127.0.0.1 ----------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]] = []
    statuses: list[int] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, dict(self.headers), body))
        status = self.statuses.pop(0) if self.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "statuses": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_real_server_receives_the_notification(receiver: tuple[str, type[_Receiver]]) -> None:
    base, handler = receiver
    new = f("addon-no-agreement", "survey", "papertrail")
    payload = build_notification(report(new), changes(new), expiring_within_days=30)
    assert payload is not None
    handler.statuses.append(502)  # the first attempt meets a flaky proxy
    send_notification(f"{base}/services/T1/B2/abcdefghijklmnop", payload, retry_delay=0)
    assert len(handler.received) == 2
    path, headers, body = handler.received[-1]
    assert path == "/services/T1/B2/abcdefghijklmnop"
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == payload


def test_a_real_server_that_is_gone() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransportError) as info:
        send_notification(f"http://127.0.0.1:{port}/hook", PAYLOAD, retry_delay=0)
    assert "ConnectError" in str(info.value)


def _broken_gzip(status: int, calls: list[int]) -> httpx.MockTransport:
    """A webhook whose answers claim gzip but are not (the body is read after the status)."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            status,
            headers={"Content-Encoding": "gzip"},
            stream=httpx.ByteStream(b"\x1f\x8bbroken"),
        )

    return httpx.MockTransport(handler)


def test_a_success_with_a_body_that_cannot_be_decoded_is_delivered() -> None:
    calls: list[int] = []
    send_notification(SLACK_URL, PAYLOAD, transport=_broken_gzip(200, calls), retry_delay=0)
    assert len(calls) == 1


def test_an_error_with_a_body_that_cannot_be_decoded_is_a_notification_error() -> None:
    calls: list[int] = []
    with pytest.raises(NotificationError) as info:
        send_notification(SLACK_URL, PAYLOAD, transport=_broken_gzip(502, calls), retry_delay=0)
    assert len(calls) == 2
    assert "answered HTTP 502." in str(info.value)
