"""Notify targets: which channel a string names, bad ones as usage errors before anything is
sent, and one notification delivered to several targets, where one failure loses no other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from notify_samples import changes, f, report
from smtp_receiver import SmtpReceiver
from webhook_receiver import Receiver

from gatekeeper.errors import NotificationError, UsageError
from gatekeeper.notify import build_notification, deliver, parse_target, parse_targets
from gatekeeper.notify.mail import MailTarget
from gatekeeper.notify.targets import FORMS, WebhookTarget


def payload() -> dict[str, Any]:
    new = f("addon-no-agreement", "survey", "papertrail")
    built = build_notification(report(new), changes(new), expiring_within_days=30)
    assert built is not None
    return built


def test_each_form_names_its_channel(tmp_path: Path) -> None:
    env = {"GATEKEEPER_SMTP_HOST": "smtp.uni-example.edu", "GATEKEEPER_SMTP_FROM": "gk@x.example"}
    hook = parse_target("  https://hooks.slack.com/services/T/B/XXXXXXXXXXXXXXXXXXXX ")
    assert hook == WebhookTarget("https://hooks.slack.com/services/T/B/XXXXXXXXXXXXXXXXXXXX")
    teams = parse_target("teams+https://hooks.uni-example.edu/x")
    assert teams == WebhookTarget("https://hooks.uni-example.edu/x", "teams")
    mail = parse_target("mailto:dpo@uni-example.edu", env=env)
    assert isinstance(mail, MailTarget)
    assert mail.display == "mailto:dpo@uni-example.edu (via smtp.uni-example.edu:587)"


def test_several_targets_in_one_value_are_separated_by_white_space() -> None:
    found = parse_targets(
        ["https://a.example/hook teams+https://b.example/hook", "https://c.example/hook"],
        source="--notify",
    )
    assert [t.display for t in found] == [
        "https://a.example/[redacted]",
        "teams+https://b.example/[redacted]",
        "https://c.example/[redacted]",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ftp://files.example/x", "GATEKEEPER_NOTIFY_URL: The notification URL ftp://"),
        ("hooks.slack.com/services/x", "GATEKEEPER_NOTIFY_URL: The notification URL"),
        ("slack://token@channel", "GATEKEEPER_NOTIFY_URL: The notification URL"),
        ("mailto:dpo@uni-example.edu", "GATEKEEPER_NOTIFY_URL sends e-mail, which needs an SMTP"),
    ],
)
def test_a_bad_target_is_a_usage_error_naming_where_it_came_from(text: str, expected: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_targets([text], source="GATEKEEPER_NOTIFY_URL", env={})
    assert str(info.value).startswith(expected)
    assert info.value.exit_code == 2
    if not text.startswith("mailto:"):
        assert FORMS in info.value.user_message()  # the hint lists the forms a target takes


def test_delivery_goes_on_after_a_failure_and_says_what_was_delivered(
    receiver: tuple[str, type[Receiver]], tmp_path: Path
) -> None:
    base, handler = receiver
    handler.statuses += [404]  # the first webhook was revoked
    with SmtpReceiver(tmp_path, password="smtp-password-1234") as smtp:
        targets = parse_targets(
            [
                f"{base}/gone-hook-0123456789abcdef",
                f"teams+{base}/teams-hook-0123456789abcdef",
                "mailto:dpo@uni-example.edu",
            ],
            source="--notify",
            env=smtp.env(),
        )
        with pytest.raises(NotificationError) as info:
            deliver(targets, payload(), retry_delay=0)
    assert len(handler.received) == 2 and len(smtp.messages) == 1
    assert json.loads(handler.received[1][2])["type"] == "message"  # the card reached Teams
    message = str(info.value)
    assert message.startswith(
        "1 of 3 notification targets failed: The notification webhook http://127.0.0.1:"
    )
    assert "answered HTTP 404" in message
    assert "It was delivered to teams+http://127.0.0.1:" in message
    assert "mailto:dpo@uni-example.edu (via 127.0.0.1:" in message
    assert "0123456789abcdef" not in message


def test_one_target_fails_as_it_always_did(receiver: tuple[str, type[Receiver]]) -> None:
    base, handler = receiver
    handler.statuses += [404]
    with pytest.raises(NotificationError) as info:
        deliver(parse_targets([f"{base}/hook"], source="--notify"), payload(), retry_delay=0)
    assert str(info.value).startswith("The notification webhook http://127.0.0.1:")
