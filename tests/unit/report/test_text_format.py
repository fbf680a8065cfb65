from __future__ import annotations

import re

import pytest
from report_samples import CASES, HOSTILE_NAME, OPTIONS, block_report, hostile_report

from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.registry import render

BLOCK_TEXT = """\
BLOCK survey: 2 blocking findings, 1 warning

survey: BLOCK
  team psych-lab, region eu (IE), class personal
  BLOCK   addon-no-agreement: papertrail
          The third-party add-on papertrail has no active agreement.
          fix: Remove it: `heroku addons:destroy papertrail -a survey`
          contact: DPO <dpo@uni-example.edu>
  BLOCK   addon-no-agreement: sendgrid
          The third-party add-on sendgrid has no active agreement.
          fix: Remove it: `heroku addons:destroy sendgrid -a survey`
          contact: DPO <dpo@uni-example.edu>
  WARN    agreement-expiring: salesforce-dpa
          The agreement salesforce-dpa covering psych-lab ends on 2027-01-10 (46 days).
          fix: Renew the agreement, then update expires in [[agreements]] id = "salesforce-dpa".
          contact: DPO <dpo@uni-example.edu>
"""

HEADLINES = {
    "empty": "ALLOW: no apps checked",
    "allow": "ALLOW econ-game: no blocking findings or warnings",
    "warn": "WARN otree-study: 1 warning, 1 note, 1 waived",
    "block": "BLOCK survey: 2 blocking findings, 1 warning",
    "audit": "BLOCK: 2 of 6 apps blocked, 1 warned, 3 allowed; policy: 1 warning, 1 note",
    "hostile": "BLOCK: 1 of 2 apps blocked, 1 warned, 0 allowed",
}


def test_block_report_exact() -> None:
    assert render(block_report(), "text", OPTIONS) == BLOCK_TEXT


@pytest.mark.parametrize("case", sorted(HEADLINES))
def test_the_decision_comes_first_in_one_line(case: str) -> None:
    first = render(CASES[case](), "text", OPTIONS).splitlines()[0]
    assert first == HEADLINES[case]


def test_waived_findings_are_marked_waived_with_the_waiver() -> None:
    text = render(CASES["warn"](), "text", OPTIONS)
    assert "  WAIVED  heroku-connect: heroku-connect (waived warn)\n" in text
    assert "waiver: Org is the university's own (approved by dpo@uni-example.edu" in text
    # No contact line for a waived finding: nothing to do about it.
    waived_block = text.split("WAIVED", 1)[1]
    assert "contact:" not in waived_block


def test_audit_hides_notes_and_waived_unless_verbose() -> None:
    quiet = render(CASES["audit"](), "text", OPTIONS)
    assert "postgres-backups" not in quiet
    assert "Not shown: 2 notes, 1 waived (use -v to show them)." in quiet
    assert "3 apps allowed with nothing to report." in quiet
    verbose = render(CASES["audit"](), "text", RenderOptions(verbose=True))
    assert "INFO    postgres-backups: heroku-postgresql:standard-0" in verbose
    assert "Not shown" not in verbose
    assert (
        "3 apps allowed with nothing to report: econ-archive, econ-game, frankfurt-exp"
    ) in verbose


def test_evidence_chain_only_with_verbose() -> None:
    assert "evidence:" not in render(block_report(), "text", OPTIONS)
    verbose = render(block_report(), "text", RenderOptions(verbose=True))
    assert (
        "          evidence: app survey -> team psych-lab -> enterprise-account uni-example"
        " -> agreement salesforce-dpa (expires 2027-01-10)\n"
    ) in verbose


def test_policy_and_changes_sections_name_the_app() -> None:
    text = render(CASES["audit"](), "text", OPTIONS)
    assert "\npolicy:\n  WARN    waiver-expired: shield-required:clinical-*\n" in text
    assert (
        "changes since audit #12 of 2026-11-24T02:00:00Z (2026-11-24 02:00 UTC): "
        "1 new, 1 resolved\n"
        "  new      BLOCK survey: addon-no-agreement: sendgrid\n"
        "  resolved BLOCK bio-dashboard: log-drain-not-allowed: logs.example-logging.io\n"
    ) in text


def test_no_contact_line_without_a_contact() -> None:
    assert "contact:" not in render(block_report(), "text", RenderOptions())


def test_colour_only_when_asked() -> None:
    plain = render(block_report(), "text", OPTIONS)
    assert "\x1b[" not in plain
    coloured = render(block_report(), "text", RenderOptions(color=True))
    assert coloured.startswith("\x1b[31m\x1b[1mBLOCK survey:")
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == render(
        block_report(), "text", RenderOptions()
    )


def test_hostile_names_cannot_forge_lines_or_escape_sequences() -> None:
    text = render(hostile_report(), "text", OPTIONS)
    # No raw control character except the line breaks the formatter itself writes.
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u202e]", text)
    assert "\\x1b[31mred" in text
    assert "region eu\\r\\nBLOCK (IE)" in text
    assert "space sp\\u202eace\\nfake" in text
    # The forged "ALLOW everything" stays inside the message line.
    assert "is denied.\\nALLOW everything: fine\n" in text
    assert not any(line.startswith("ALLOW") for line in text.splitlines())
    assert f"\n{HOSTILE_NAME}: BLOCK\n" in text
    # A multi-line remediation keeps its lines, indented under "fix:".
    assert '          fix: =HYPERLINK("http://evil.example")\n               heroku' in text


def test_unicode_names_pass_unchanged() -> None:
    text = render(hostile_report(), "text", OPTIONS)
    assert "\nübung-日本-🧪: WARN\n  team Ünïcødé-lab," in text


def test_contact_is_not_repeated_when_the_fix_already_names_it() -> None:
    text = render(CASES["audit"](), "text", OPTIONS)
    jdoe = text.split("jdoe-thesis: BLOCK\n", 1)[1].split("\n\n", 1)[0]
    assert "Questions: DPO <dpo@uni-example.edu>." in jdoe
    assert "contact:" not in jdoe
