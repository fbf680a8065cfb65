"""Webhook notifications after an audit (``audit --notify URL`` / ``GATEKEEPER_NOTIFY_URL``).

``build_notification`` decides whether there is anything to say (new blocking findings since
the baseline, agreements or waivers about to expire) and builds a JSON payload whose ``text``
field is Slack-compatible (an incoming webhook shows it as the message); the other fields carry
the same facts for machines. ``send_notification`` POSTs it through the HTTP boundary
(``gatekeeper.transport``), the same one the Heroku client uses.

A webhook URL is a secret (whoever has a Slack webhook URL can post to the channel), so it is
registered with ``gatekeeper.redact`` and messages name only its scheme and host.
"""

from __future__ import annotations

import json
import time
from datetime import date
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import NotificationError, TransportError, UsageError
from gatekeeper.heroku.config import is_loopback
from gatekeeper.redact import MASK, redact, register_secret
from gatekeeper.results import Changes, Finding, Report

if TYPE_CHECKING:
    import httpx

    from gatekeeper.transport import IncomingResponse, TransportFailure

NOTIFICATION_SCHEMA = "gatekeeper.notification/v1"
MAX_LISTED = 50  # items per list in the structured fields; counts are always complete
MAX_TEXT_ITEMS = 10  # items per list in the chat text; more becomes "... and N more"
_MAX_BODY_IN_ERROR = 200


# -- building ---------------------------------------------------------------------------


def build_notification(
    report: Report, changes: Changes | None, *, expiring_within_days: int
) -> dict[str, Any] | None:
    """The payload to post, or None when there is nothing to notify.

    ``changes`` is the comparison with the previous audit (``gatekeeper.compare``); None means
    there is no earlier audit, so every open blocking finding is new (a ``Changes`` without
    ``since`` is read the same way in the text: nothing was compared). Agreements and waivers
    count as expiring when they end within ``expiring_within_days`` days of the report date
    (ones already expired show up as blocking findings instead).
    """
    today = report.generated_at.date()
    candidates = report.all_findings() if changes is None else list(changes.new)
    new_blocking = [f for f in candidates if f.severity == "block" and not f.waived]
    agreements = [
        a
        for a in report.agreements
        if a.state != "not-yet-signed" and _within(a.expires, today, expiring_within_days)
    ]
    waivers = [w for w in report.waivers if _within(w.expires, today, expiring_within_days)]
    if not (new_blocking or agreements or waivers):
        return None

    summary = report.summary
    baseline = changes.baseline if changes is not None else None
    compared = changes is not None and changes.since is not None
    lines = [
        f"*Gatekeeper audit: {report.decision}* ({summary.block} blocked, "
        f"{summary.warn} with warnings, {summary.allow} allowed)",
    ]
    if new_blocking:
        since = (
            f"since {_escape(baseline)}" if compared and baseline else ("(first recorded audit)")
        )
        lines.append(f"*{_plural(len(new_blocking), 'new blocking finding')}* {since}:")
        lines += _bullets([_finding_line(f) for f in new_blocking])
    if agreements:
        lines.append(f"*Agreements expiring within {expiring_within_days} days:*")
        lines += _bullets(
            [
                f"{_escape(a.id)} ({_escape(', '.join(a.covers) or a.kind)}) expires "
                f"{a.expires.isoformat()} ({_in_days((a.expires - today).days)})"
                for a in agreements
            ]
        )
    if waivers:
        lines.append(f"*Waivers expiring within {expiring_within_days} days:*")
        lines += _bullets(
            [
                f"{_escape(w.rule)} for {_escape(w.app)}"
                + (f" ({_escape(w.subject)})" if w.subject else "")
                + f", approved by {_escape(w.approved_by)}, expires {w.expires.isoformat()}"
                f" ({_in_days((w.expires - today).days)})"
                for w in waivers
            ]
        )

    return {
        "schema": NOTIFICATION_SCHEMA,
        "text": "\n".join(lines),
        "generated_at": report.generated_at.isoformat(),
        "decision": report.decision,
        "summary": {"allow": summary.allow, "warn": summary.warn, "block": summary.block},
        "baseline": baseline,
        "new_findings": len(changes.new) if changes is not None else None,
        "resolved_findings": len(changes.resolved) if changes is not None else None,
        "new_blocking_count": len(new_blocking),
        "new_blocking": [_finding_fields(f) for f in new_blocking[:MAX_LISTED]],
        "expiring_agreements": [
            {
                "id": a.id,
                "kind": a.kind,
                "covers": list(a.covers),
                "expires": a.expires.isoformat(),
                "days_left": (a.expires - today).days,
            }
            for a in agreements[:MAX_LISTED]
        ],
        "expiring_waivers": [
            {
                "rule": w.rule,
                "app": w.app,
                "subject": w.subject,
                "approved_by": w.approved_by,
                "expires": w.expires.isoformat(),
                "days_left": (w.expires - today).days,
            }
            for w in waivers[:MAX_LISTED]
        ],
    }


def _within(expires: date, today: date, days: int) -> bool:
    return 0 <= (expires - today).days <= days


def _finding_line(finding: Finding) -> str:
    where = _escape(finding.app) if finding.app else "policy"
    subject = f" ({_escape(finding.subject)})" if finding.subject else ""
    return f"{where}: {_escape(finding.rule)}{subject}: {_escape(finding.message)}"


def _finding_fields(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "app": finding.app,
        "subject": finding.subject,
        "message": finding.message,
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint,
    }


def _bullets(items: list[str]) -> list[str]:
    lines = [f"• {item}" for item in items[:MAX_TEXT_ITEMS]]
    if len(items) > MAX_TEXT_ITEMS:
        lines.append(f"• ... and {len(items) - MAX_TEXT_ITEMS} more")
    return lines


def _escape(text: str) -> str:
    """Slack's three control characters; app names and messages are untrusted input.

    Escaping ``<`` and ``>`` also keeps a hostile name from pinging ``<!channel>``; control
    characters become visible escapes, so a newline in a name cannot forge a line.
    """
    from gatekeeper.report.escape import visible

    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    return "tomorrow" if days == 1 else f"in {days} days"


# -- sending ----------------------------------------------------------------------------


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


def send_notification(
    url: str,
    payload: dict[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    retry_delay: float = 1.0,
) -> None:
    """POST ``payload`` as JSON to the webhook ``url``; retry once on 5xx or a network error.

    Raises only ``GatekeeperError``s: ``UsageError`` for a URL that is not allowed,
    ``TransportError`` when the webhook cannot be reached, and ``NotificationError`` when it
    answers with an error status or the exchange fails. A success status is delivery: the body
    of that answer is not read for anything (one that cannot be decoded is no failure).
    """
    from gatekeeper.transport import (
        OutgoingRequest,
        SyncSender,
        Timeouts,
        TransportFailure,
        user_agent,
    )

    check_webhook_url(url)
    where = webhook_display(url)
    request = OutgoingRequest(
        url=url,
        path=where,
        headers={"User-Agent": user_agent(), "Content-Type": "application/json"},
        method="POST",
        content=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(),
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
