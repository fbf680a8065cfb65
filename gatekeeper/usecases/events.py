"""Receiving a Heroku app webhook (``POST /webhooks/heroku`` of ``gatekeeper serve``).

Heroku signs each delivery with the subscription's secret: the header
``Heroku-Webhook-Hmac-SHA256`` is the base64 of the HMAC-SHA256 of the raw body (Dev Center
"App Webhooks", "Securing webhook requests"). A delivery is judged in this order, and only a
delivery that passes all of it is written: the signature (compared in constant time), then
the body (a JSON object with ``resource`` and ``action``). It is stored with its delivery id
(``webhook_metadata.delivery.id``, which the signature covers, else the ``Heroku-Webhook-Id``
header) and event id (the body's ``id``, else ``webhook_metadata.event.id``); a delivery
(a retry of it included) or an event seen before changes nothing. The app it names
(``data.app.name``, or ``data.name`` for ``api:app``) gets a re-check queued, in the same
transaction, so that an acknowledged event is never lost.

What is kept of the body is what the dashboard shows: ids, resource, action, the app and when
Heroku published it. Never the actor (a person), config or the add-on's provider details.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from gatekeeper.store.live import LiveStore, StoredEvent

SIGNATURE_HEADER = "Heroku-Webhook-Hmac-SHA256"
DELIVERY_HEADER = "Heroku-Webhook-Id"
MAX_BODY_BYTES = 1024 * 1024  # Heroku's event bodies are a few kB
_MAX_ID = 200  # longer ids are not Heroku's


@dataclass(frozen=True)
class Received:
    """What the receiver did with a delivery: stored it (a new event), ignored it (seen
    before), or refused it (and why, for the answer; nothing is stored)."""

    status: Literal["accepted", "duplicate", "unsigned", "invalid"]
    event: StoredEvent | None = None
    reason: str = ""


def signature_of(body: bytes, secret: str) -> str:
    """The ``Heroku-Webhook-Hmac-SHA256`` value Heroku sends for ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed(body: bytes, signature: str | None, secret: str) -> bool:
    """Whether ``signature`` is the right one for ``body``, compared in constant time."""
    if not signature or not secret:
        return False
    return hmac.compare_digest(signature_of(body, secret).encode(), signature.strip().encode())


def receive_event(
    store: LiveStore,
    body: bytes,
    *,
    signature: str | None,
    delivery_id: str | None,
    secret: str,
    received_at: datetime | None = None,
) -> Received:
    """Verify, parse and store one delivery (see above)."""
    from gatekeeper.store.live import NewEvent

    if not signed(body, signature, secret):
        return Received("unsigned", reason="missing or wrong Heroku-Webhook-Hmac-SHA256")
    try:
        document = json.loads(body)
    except ValueError:
        return Received("invalid", reason="the body is not JSON")
    if not isinstance(document, dict):
        return Received("invalid", reason="the body is not a JSON object")
    resource, action = document.get("resource"), document.get("action")
    if not isinstance(resource, str) or not isinstance(action, str):
        return Received("invalid", reason="the body has no resource and action")
    event_id = _short(document.get("id")) or _short(
        _path(document, "webhook_metadata", "event", "id")
    )
    # The body's own delivery id first: it is part of what the signature covers.
    delivery = _short(_path(document, "webhook_metadata", "delivery", "id")) or _short(delivery_id)
    if event_id is None and delivery is None:
        return Received("invalid", reason="the body has neither an event id nor a delivery id")
    app = app_named(document)
    kept = {
        "id": event_id,
        "resource": resource[:_MAX_ID],
        "action": action[:_MAX_ID],
        "app": app,
        "published_at": _short(document.get("published_at")),
    }
    stored = store.record_event(
        NewEvent(
            delivery_id=delivery,
            event_id=event_id,
            resource=resource[:_MAX_ID],
            action=action[:_MAX_ID],
            app_name=app,
            received_at=received_at or datetime.now(UTC),
            body_json=json.dumps(kept, ensure_ascii=False),
        )
    )
    if stored is None:
        return Received("duplicate")
    return Received("accepted", event=stored)


def app_named(document: dict[str, Any]) -> str | None:
    """The app an event is about: ``data.app.name``, or ``data.name`` for ``api:app``."""
    from gatekeeper.git.names import is_app_name

    name = _path(document, "data", "app", "name")
    if name is None and document.get("resource") == "app":
        name = _path(document, "data", "name")
    return name if isinstance(name, str) and is_app_name(name) else None


def _path(document: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _short(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= _MAX_ID else None
