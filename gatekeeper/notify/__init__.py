"""Notifications after an audit (``audit --notify TARGET`` / ``GATEKEEPER_NOTIFY_URL``).

The message is built once (``message.build_notification``: the ``gatekeeper.notification/v1``
payload, or None when there is no news); each channel then delivers it in its own form:

- ``webhook``: a Slack-style webhook (``https://...``) gets the payload as it is;
- ``teams``: a Microsoft Teams workflow (``teams+https://...``) gets an Adaptive Card;
- ``mail``: ``mailto:a@x,b@y`` gets an e-mail, through SMTP with STARTTLS only.

``targets`` turns the strings of ``--notify`` into channels (before the audit runs) and
delivers to each. Every channel registers its secrets (a webhook URL's path, the SMTP
password) with ``gatekeeper.redact`` and names itself in messages without them.

The names are loaded on first use, so that importing the package does not load the HTTP
boundary or smtplib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.lazy import lazy_exports

if TYPE_CHECKING:
    from gatekeeper.errors import NotificationError
    from gatekeeper.notify.message import (
        MAX_LISTED,
        MAX_TEXT_ITEMS,
        NOTIFICATION_SCHEMA,
        build_notification,
    )
    from gatekeeper.notify.targets import (
        Target,
        deliver,
        parse_target,
        parse_targets,
        send_notification,
    )
    from gatekeeper.notify.webhook import check_webhook_url, webhook_display

_EXPORTS = {
    "NotificationError": "gatekeeper.errors",
    "MAX_LISTED": "gatekeeper.notify.message",
    "MAX_TEXT_ITEMS": "gatekeeper.notify.message",
    "NOTIFICATION_SCHEMA": "gatekeeper.notify.message",
    "build_notification": "gatekeeper.notify.message",
    "Target": "gatekeeper.notify.targets",
    "deliver": "gatekeeper.notify.targets",
    "parse_target": "gatekeeper.notify.targets",
    "parse_targets": "gatekeeper.notify.targets",
    "send_notification": "gatekeeper.notify.targets",
    "check_webhook_url": "gatekeeper.notify.webhook",
    "webhook_display": "gatekeeper.notify.webhook",
}

__all__ = [
    "MAX_LISTED",
    "MAX_TEXT_ITEMS",
    "NOTIFICATION_SCHEMA",
    "NotificationError",
    "Target",
    "build_notification",
    "check_webhook_url",
    "deliver",
    "parse_target",
    "parse_targets",
    "send_notification",
    "webhook_display",
]

__getattr__ = lazy_exports(__name__, _EXPORTS)
