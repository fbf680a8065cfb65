"""The Slack-style webhook channel, and the JSON POST that the Teams channel shares.

A plain https URL gets the ``gatekeeper.notification/v1`` payload as it is (its ``text`` field
is what a Slack incoming webhook shows). ``post_json`` sends a body through the HTTP boundary
(``gatekeeper.transport``), the same one the Heroku client uses, and retries once on 5xx or a
network error.

A webhook URL is a secret (whoever has a Slack webhook URL can post to the channel), so it is
registered with ``gatekeeper.redact`` and messages name only its scheme and host.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import NotificationError, TransportError, UsageError
from gatekeeper.heroku.config import is_loopback
from gatekeeper.redact import MASK, redact, register_secret

if TYPE_CHECKING:
    import httpx

    from gatekeeper.transport import IncomingResponse, TransportFailure

_MAX_BODY_IN_ERROR = 200


def webhook_display(url: str) -> str:
    """How messages name a webhook: scheme and host only (the path is the secret)."""
    from gatekeeper.transport import split_url

    parts = split_url(url)
    if parts is None:
        return MASK
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.host}{port}/{MASK}"


def check_webhook_url(url: str) -> None:
    """Refuse a URL that is not https (plain http only to loopback), before any request.

    Registers the URL and its path as secrets first, so no later message can show them.
    """
    from gatekeeper.transport import split_url

    register_secret(url)
    parts = split_url(url)
    if parts is None:
        raise UsageError("The notification URL is not a valid URL.")
    path = parts.target.lstrip("/")
    if len(path) >= 16:  # a short path ("/hook") is no secret, and masking it would hurt
        register_secret(path)
    if parts.scheme == "https" and parts.host:
        return
    if parts.scheme == "http" and is_loopback(parts.host):
        return
    raise UsageError(
        f"The notification URL {webhook_display(url)} must use https "
        "(plain http is allowed only to 127.0.0.1, ::1 or localhost).",
        hint="Webhook URLs carry a secret; sending one over plain http would expose it.",
    )


def send(
    url: str,
    payload: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    retry_delay: float = 1.0,
) -> None:
    """POST the payload as it is: the Slack-style channel."""
    post_json(url, payload, transport=transport, timeout=timeout, retry_delay=retry_delay)


def post_json(
    url: str,
    body: Mapping[str, Any],
    *,
    where: str | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    retry_delay: float = 1.0,
) -> None:
    """POST ``body`` as JSON to the webhook ``url``; retry once on 5xx or a network error.

    ``where`` names the webhook in messages (default: ``webhook_display(url)``). Raises only
    ``GatekeeperError``s: ``UsageError`` for a URL that is not allowed, ``TransportError``
    when the webhook cannot be reached, and ``NotificationError`` when it answers with an
    error status or the exchange fails. A success status is delivery: the body of that
    answer is not read for anything (one that cannot be decoded is no failure).
    """
    from gatekeeper.transport import (
        OutgoingRequest,
        SyncSender,
        Timeouts,
        TransportFailure,
        user_agent,
    )

    check_webhook_url(url)
    where = where or webhook_display(url)
    request = OutgoingRequest(
        url=url,
        path=where,
        headers={"User-Agent": user_agent(), "Content-Type": "application/json"},
        method="POST",
        content=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
    )
    sender = SyncSender(url, Timeouts(connect=timeout, read=timeout), transport)
    try:
        for attempt in (1, 2):
            last = attempt == 2
            outcome = sender.send(request)
            if isinstance(outcome, TransportFailure):
                if last or not outcome.retryable:
                    raise _delivery_error(outcome, where)
            elif 200 <= outcome.status <= 299:
                return
            elif outcome.status < 500 or last:
                raise _status_error(outcome, where)
            time.sleep(retry_delay)
    finally:
        sender.close()


def _delivery_error(failure: TransportFailure, where: str) -> TransportError | NotificationError:
    detail = f"{failure.kind}: {failure.detail or 'no details'}" if failure.kind else ""
    hint = "Check the URL and the network; the audit itself is recorded."
    if isinstance(failure.error, TransportError):
        return TransportError(
            f"Could not deliver the notification to {where}: {detail or failure.error.message}.",
            hint=hint,
        )
    return NotificationError(
        f"The notification to {where} failed: {detail or failure.error.message}.", hint=hint
    )


def _status_error(response: IncomingResponse, where: str) -> NotificationError:
    text = response.content.decode("utf-8", "replace")
    body = redact(" ".join(text.split()))[:_MAX_BODY_IN_ERROR]
    detail = f": {body}" if body else ""
    hint = None
    if response.status in (301, 302, 303, 307, 308):
        hint = "Redirects are not followed; use the webhook's final URL."
    elif response.status in (403, 404, 410):
        hint = "The webhook may have been revoked or mistyped; create a new one."
    return NotificationError(
        f"The notification webhook {where} answered HTTP {response.status}{detail}.",
        hint=hint,
    )
