"""The Microsoft Teams channel: an Adaptive Card posted to a Teams workflow webhook.

A Teams workflow ("When a Teams webhook request is received", Power Automate) does not take a
Slack ``text`` payload: it takes a message whose attachment is an Adaptive Card
(https://learn.microsoft.com/en-us/connectors/teams/#microsoft-teams-webhook, the payload
shape; https://adaptivecards.io/explorer/ for the elements). The card is built from the
``gatekeeper.notification/v1`` payload: a heading, the totals as a ``FactSet``, and each list
of news as a heading ``TextBlock`` followed by one line per item.

Untrusted text (app names, subjects, messages, the baseline's name) is never put into a
``TextBlock`` or a ``Fact``, whose text Teams renders as Markdown: it goes into a ``TextRun``
of a ``RichTextBlock``, whose text is shown as it is ("Markdown is not supported", in the
Adaptive Card schema), with control characters made visible so that a newline cannot forge a
line. ``TextBlock``s and facts hold only fixed words and numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gatekeeper.notify.message import compared_with, headline, sections, summary_facts
from gatekeeper.notify.webhook import post_json, webhook_display
from gatekeeper.report.escape import visible

if TYPE_CHECKING:
    import httpx

CARD_VERSION = "1.4"  # what Teams renders on desktop, web and mobile alike
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
PREFIX = "teams+"  # a notify target ``teams+https://...`` names this channel explicitly


def teams_display(url: str) -> str:
    """How messages name a Teams webhook (``url`` without the prefix): host only."""
    return PREFIX + webhook_display(url)


def card_message(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The Teams message for a ``gatekeeper.notification/v1`` payload."""
    blocked = payload["decision"] == "block"
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": headline(str(payload["decision"])),
            "size": "Medium",
            "weight": "Bolder",
            "color": "Attention" if blocked else "Default",
            "wrap": True,
        },
        {
            "type": "FactSet",
            "facts": [{"title": title, "value": value} for title, value in summary_facts(payload)],
        },
        _plain("Compared with ", visible(compared_with(payload))),
    ]
    for section in sections(payload):
        body.append(
            {
                "type": "TextBlock",
                "text": section.heading,
                "weight": "Bolder",
                "wrap": True,
                "separator": True,
                "spacing": "Medium",
            }
        )
        body += [_plain("• ", line) for line in section.lines(visible)]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": CARD_CONTENT_TYPE,
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": CARD_VERSION,
                    "body": body,
                    "msteams": {"width": "Full"},
                },
            }
        ],
    }


def _plain(lead: str, text: str) -> dict[str, Any]:
    """A line shown literally: fixed ``lead`` words, then ``text`` (made visible already)."""
    return {
        "type": "RichTextBlock",
        "inlines": [
            {"type": "TextRun", "text": lead},
            {"type": "TextRun", "text": text},
        ],
    }


def send(
    url: str,
    payload: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    retry_delay: float = 1.0,
) -> None:
    """POST the card for ``payload`` to the Teams workflow ``url`` (without the prefix)."""
    post_json(
        url,
        card_message(payload),
        where=teams_display(url),
        transport=transport,
        timeout=timeout,
        retry_delay=retry_delay,
    )
