"""The Teams channel: an Adaptive Card in a Teams workflow message, posted to a real HTTP
server on 127.0.0.1, with untrusted names only where Teams shows text as it is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import jsonschema
import pytest
import respx
from notify_samples import agreement, changes, f, report, waiver
from webhook_receiver import Receiver

from gatekeeper.errors import NotificationError, UsageError
from gatekeeper.notify import MAX_TEXT_ITEMS, build_notification, parse_target, send_notification
from gatekeeper.notify.targets import WebhookTarget
from gatekeeper.notify.teams import card_message

WORKFLOW_URL = (
    "https://prod-42.westeurope.logic.azure.com:443/workflows/0123456789abcdef/triggers/manual"
    "/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
    "&sig=teams-canary-5ecr3t-sig-0123456789"
)
HOSTILE = "evil **bold** [click](https://evil.example) <at>General</at>\n- forged"

# The part of the Adaptive Card schema (https://adaptivecards.io/explorer/) that the card uses,
# strict: an element or property the card should not have fails the test.
_TEXT_RUN = {
    "type": "object",
    "properties": {"type": {"const": "TextRun"}, "text": {"type": "string"}},
    "required": ["type", "text"],
    "additionalProperties": False,
}
CARD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "attachments"],
    "additionalProperties": False,
    "properties": {
        "type": {"const": "message"},
        "attachments": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["contentType", "content"],
                "additionalProperties": False,
                "properties": {
                    "contentType": {"const": "application/vnd.microsoft.card.adaptive"},
                    "contentUrl": {"type": "null"},
                    "content": {"$ref": "#/$defs/card"},
                },
            },
        },
    },
    "$defs": {
        "card": {
            "type": "object",
            "required": ["type", "version", "body"],
            "additionalProperties": False,
            "properties": {
                "$schema": {"const": "http://adaptivecards.io/schemas/adaptive-card.json"},
                "type": {"const": "AdaptiveCard"},
                "version": {"type": "string", "pattern": r"^1\.[4-6]$"},
                "body": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "oneOf": [
                            {"$ref": "#/$defs/TextBlock"},
                            {"$ref": "#/$defs/FactSet"},
                            {"$ref": "#/$defs/RichTextBlock"},
                        ]
                    },
                },
                "msteams": {
                    "type": "object",
                    "properties": {"width": {"const": "Full"}},
                    "additionalProperties": False,
                },
            },
        },
        "TextBlock": {
            "type": "object",
            "required": ["type", "text"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "TextBlock"},
                "text": {"type": "string", "minLength": 1},
                "size": {"enum": ["Small", "Default", "Medium", "Large", "ExtraLarge"]},
                "weight": {"enum": ["Lighter", "Default", "Bolder"]},
                "color": {
                    "enum": ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"]
                },
                "wrap": {"type": "boolean"},
                "separator": {"type": "boolean"},
                "spacing": {
                    "enum": ["None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"]
                },
            },
        },
        "FactSet": {
            "type": "object",
            "required": ["type", "facts"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "FactSet"},
                "facts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["title", "value"],
                        "additionalProperties": False,
                        "properties": {"title": {"type": "string"}, "value": {"type": "string"}},
                    },
                },
            },
        },
        "RichTextBlock": {
            "type": "object",
            "required": ["type", "inlines"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": "RichTextBlock"},
                "inlines": {"type": "array", "minItems": 1, "items": _TEXT_RUN},
            },
        },
    },
}


def payload(*, app: str = "survey", count: int = 1) -> dict[str, Any]:
    found = [
        f("addon-no-agreement", app, "papertrail", message="No DPA for *papertrail*"),
        *(f("team-not-covered", f"app-{i:02d}") for i in range(count - 1)),
    ]
    built = build_notification(
        report(
            *found,
            agreements=(agreement("heroku-dpa", date(2026, 12, 5)),),
            waivers=(waiver(app, date(2026, 11, 26)),),
        ),
        changes(*found),
        expiring_within_days=30,
    )
    assert built is not None
    return built


def card_of(message: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = message["attachments"][0]["content"]
    return content


def markdown_texts(card: dict[str, Any]) -> Iterator[str]:
    """Every text of the card that Teams renders as Markdown (TextBlocks and facts)."""
    for element in card["body"]:
        if element["type"] == "TextBlock":
            yield element["text"]
        elif element["type"] == "FactSet":
            for fact in element["facts"]:
                yield fact["title"]
                yield fact["value"]


def literal_texts(card: dict[str, Any]) -> list[str]:
    """Every text that Teams shows as it is (TextRuns)."""
    return [
        run["text"]
        for element in card["body"]
        if element["type"] == "RichTextBlock"
        for run in element["inlines"]
    ]


def test_the_card_is_a_valid_adaptive_card() -> None:
    message = card_message(payload(count=3))
    jsonschema.validate(message, CARD_SCHEMA)
    card = card_of(message)
    assert card["version"] == "1.4"
    heading = card["body"][0]
    assert heading == {
        "type": "TextBlock",
        "text": "Gatekeeper audit: block",
        "size": "Medium",
        "weight": "Bolder",
        "color": "Attention",
        "wrap": True,
    }
    facts = {fact["title"]: fact["value"] for fact in card["body"][1]["facts"]}
    assert facts == {
        "Decision": "block",
        "Blocked": "3",
        "With warnings": "0",
        "Allowed": "0",
        "Audited at": "2026-11-25T02:00:00+00:00",
    }
    headings = [e["text"] for e in card["body"][2:] if e["type"] == "TextBlock"]
    assert headings == [
        "3 new blocking findings",
        "1 agreement about to expire",
        "1 waiver about to expire",
    ]
    lines = literal_texts(card)
    assert "audit #7 of 2026-11-24T02:00:00Z" in lines
    assert "survey: addon-no-agreement (papertrail): No DPA for *papertrail*" in lines
    assert "heroku-dpa (uni-example) expires 2026-12-05 (in 10 days)" in lines


def test_hostile_names_are_shown_literally_and_never_as_markdown() -> None:
    message = card_message(payload(app=HOSTILE))
    jsonschema.validate(message, CARD_SCHEMA)
    card = card_of(message)
    for text in markdown_texts(card):
        for piece in ("evil", "**", "[click]", "](", "<at>", "papertrail"):
            assert piece not in text, text
    lines = literal_texts(card)
    assert any(
        line.startswith("evil **bold** [click](https://evil.example) <at>General</at>")
        for line in lines
    )
    assert all("\n" not in line for line in lines)  # a newline cannot forge a line
    assert any("\\n- forged" in line for line in lines)
    assert "msteams" in card and "entities" not in card["msteams"]  # no mention is declared


def test_long_lists_are_cut_with_the_full_count() -> None:
    card = card_of(card_message(payload(count=25)))
    lines = literal_texts(card)
    finding_lines = [line for line in lines if ": team-not-covered: " in line]
    assert len(finding_lines) == MAX_TEXT_ITEMS - 1
    assert f"... and {25 - MAX_TEXT_ITEMS} more" in lines


def test_an_allowed_audit_is_not_shown_as_an_alert() -> None:
    built = build_notification(
        report(agreements=(agreement("heroku-dpa", date(2026, 12, 5)),)),
        changes(),
        expiring_within_days=30,
    )
    assert built is not None
    card = card_of(card_message(built))
    assert card["body"][0]["color"] == "Default"
    jsonschema.validate(card_message(built), CARD_SCHEMA)


# -- which URLs go to Teams -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("teams+https://hooks.uni-example.edu/teams/abc", "teams"),
        (WORKFLOW_URL, "teams"),
        ("https://default0123.de.environment.api.powerplatform.com/powerautomate/x", "teams"),
        ("https://uniexample.webhook.office.com/webhookb2/abc", "teams"),
        ("https://hooks.slack.com/services/T000/B000/XXXX", "webhook"),
        ("https://logic.azure.com.evil.example/workflows/x", "webhook"),
    ],
)
def test_teams_targets_by_prefix_or_host(text: str, channel: str) -> None:
    target = parse_target(text)
    assert isinstance(target, WebhookTarget) and target.channel == channel
    assert "teams+" not in target.url


def test_the_display_hides_the_signature() -> None:
    target = parse_target("teams+" + WORKFLOW_URL)
    assert target.display == "teams+https://prod-42.westeurope.logic.azure.com/[redacted]"
    assert "sig=" not in target.display


def test_a_teams_target_must_be_https() -> None:
    with pytest.raises(UsageError) as info:
        parse_target("teams+http://hooks.uni-example.edu/teams/abcdefghijklmnop", source="--notify")
    assert str(info.value).startswith("--notify: The notification URL http://hooks.uni-example")
    assert "abcdefghijklmnop" not in str(info.value)


# -- sent ------------------------------------------------------------------------------------


def test_a_real_server_receives_the_card(receiver: tuple[str, type[Receiver]]) -> None:
    base, handler = receiver
    handler.statuses += [502, 202]  # a flaky gateway, then what Power Automate answers
    url = f"{base}/workflows/0123/triggers/manual/paths/invoke?sig=abcdefghijklmnopqrstuvwxyz"
    sent = payload(app=HOSTILE)
    send_notification("teams+" + url, sent, retry_delay=0)
    assert len(handler.received) == 2
    path, headers, body = handler.received[-1]
    assert path == "/workflows/0123/triggers/manual/paths/invoke?sig=abcdefghijklmnopqrstuvwxyz"
    assert headers["Content-Type"] == "application/json"
    message = json.loads(body)
    jsonschema.validate(message, CARD_SCHEMA)
    assert message == card_message(sent)


def test_a_refusal_names_the_teams_target_without_its_secret() -> None:
    with respx.mock() as router:
        router.post(WORKFLOW_URL).mock(
            return_value=httpx.Response(400, json={"error": {"code": "TriggerInputSchemaMismatch"}})
        )
        with pytest.raises(NotificationError) as info:
            send_notification(WORKFLOW_URL, payload(), retry_delay=0)
    message = str(info.value)
    assert message.startswith(
        "The notification webhook teams+https://prod-42.westeurope.logic.azure.com/[redacted]"
        " answered HTTP 400"
    )
    assert "TriggerInputSchemaMismatch" in message and "teams-canary" not in message
