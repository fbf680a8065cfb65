"""Notifications: when there is something to say, and what the payload says."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from notify_samples import TODAY, agreement, changes, f, report, waiver

from gatekeeper.notify import MAX_TEXT_ITEMS, build_notification
from gatekeeper.notify.message import sections, subject_line
from gatekeeper.results import Changes

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


# -- the payload, byte for byte --------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"


def _golden_cases() -> dict[str, dict[str, Any] | None]:
    hostile = f(
        "addon-no-agreement",
        "evil<!channel>&app",
        "x\n• fake <http://a|b>",
        message="*bold* <@U123>",
    )
    many = [f("team-not-covered", f"app-{i:03d}") for i in range(12)]
    full = report(
        hostile,
        *many,
        agreements=(
            agreement("heroku-dpa", date(2026, 12, 5)),
            agreement("ends-today", TODAY, "expiring"),
        ),
        waivers=(waiver("survey", date(2026, 11, 26)),),
    )
    expiring = report(
        agreements=(agreement("heroku-dpa", date(2026, 12, 5)),),
        waivers=(waiver("policy-app", date(2026, 12, 1)),),
    )
    resolved = (f("region-not-allowed", "old"),)
    first = Changes(baseline="no earlier audit", new=(hostile,))
    return {
        "compared": build_notification(
            full, changes(hostile, *many, resolved=resolved), expiring_within_days=30
        ),
        "first": build_notification(full, None, expiring_within_days=30),
        "no-earlier": build_notification(full, first, expiring_within_days=30),
        "expiring-only": build_notification(expiring, changes(), expiring_within_days=30),
    }


@pytest.mark.parametrize("case", sorted(_golden_cases()))
def test_the_payload_is_the_one_of_before_byte_for_byte(case: str) -> None:
    """The Slack-style webhook gets exactly the bytes it got before the channels were split
    (the golden files were written by the single-module ``gatekeeper/notify.py``)."""
    payload = _golden_cases()[case]
    assert payload is not None
    sent = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    path = GOLDEN / f"{case}.json"
    if os.environ.get("GATEKEEPER_UPDATE_GOLDEN") == "1":
        path.write_bytes(sent)
    assert sent == path.read_bytes()


# -- reading it back: the sections the other channels lay out ---------------------------------


def test_sections_follow_the_payload() -> None:
    payload = _golden_cases()["compared"]
    assert payload is not None
    found = sections(payload)
    assert [s.heading for s in found] == [
        "13 new blocking findings",
        "2 agreements about to expire",
        "1 waiver about to expire",
    ]
    blocking = found[0].lines(lambda text: text.upper())
    assert len(blocking) == MAX_TEXT_ITEMS + 1
    assert blocking[1] == "APP-000: TEAM-NOT-COVERED: MSG"  # untrusted parts escaped only
    assert blocking[-1] == "... and 3 more"
    assert found[1].lines(str)[1] == "ends-today (uni-example) expires 2026-11-25 (today)"
    assert found[2].lines(str) == [
        "addon-no-agreement for survey (papertrail), approved by dpo@uni-example.edu, "
        "expires 2026-11-26 (tomorrow)"
    ]
    assert subject_line(payload) == (
        "Gatekeeper audit: block: 13 new blocking findings; 2 agreements about to expire; "
        "1 waiver about to expire"
    )


def test_a_list_cut_by_the_payload_says_at_least() -> None:
    """The payload lists at most 50 expiring waivers and has no count for them: a channel
    must not claim to know how many more there are."""
    many = tuple(waiver(f"app-{i:03d}", date(2026, 12, 1)) for i in range(60))
    payload = build_notification(report(waivers=many), changes(), expiring_within_days=30)
    assert payload is not None
    (found,) = sections(payload)
    assert found.heading == "At least 50 waivers about to expire"
    assert found.lines(str)[-1] == "... and at least 40 more"
    assert subject_line(payload).endswith(": at least 50 waivers about to expire")
