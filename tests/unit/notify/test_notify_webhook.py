"""The Slack-style webhook channel: how the payload is sent, and what a failure says."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
import respx
from notify_samples import changes, f, report
from webhook_receiver import Receiver

from gatekeeper.errors import TransportError, UsageError
from gatekeeper.notify import (
    NotificationError,
    build_notification,
    check_webhook_url,
    send_notification,
    webhook_display,
)
from gatekeeper.redact import redact

SLACK_URL = "https://hooks.slack.example/services/T0000/B0000/XXXXXXXXsecretXXXXXXXX"

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


def test_a_real_server_receives_the_notification(receiver: tuple[str, type[Receiver]]) -> None:
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
