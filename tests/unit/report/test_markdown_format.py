from __future__ import annotations

import dataclasses
import re

import pytest
from report_samples import CASES, OPTIONS, audit_report, block_report, finding, hostile_report

from gatekeeper.codespan import code_span
from gatekeeper.report.escape import markdown_code, markdown_code_block, markdown_inline
from gatekeeper.report.github import markdown_summary
from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.markdown import render_markdown
from gatekeeper.report.registry import render

BLOCK_MARKDOWN = """\
### Data protection check

⛔ **BLOCK survey: 2 blocking findings, 1 warning**

2026-11-25 02:00 UTC · policy `gatekeeper.toml` · sha256 `3f0a9c1e5b7d` · heroku-gatekeeper \
9.9.9 · contact: DPO \\<dpo@uni-example.edu\\>

#### ⛔ survey: BLOCK

team psych-lab · region eu (IE) · class personal

- ⛔ **BLOCK** `addon-no-agreement` papertrail: The third-party add-on papertrail has no \
active agreement.
  - Fix: Remove it: `heroku addons:destroy papertrail -a survey`
  - Contact: DPO \\<dpo@uni-example.edu\\>
- ⛔ **BLOCK** `addon-no-agreement` sendgrid: The third-party add-on sendgrid has no active \
agreement.
  - Fix: Remove it: `heroku addons:destroy sendgrid -a survey`
  - Contact: DPO \\<dpo@uni-example.edu\\>
- ⚠️ **WARN** `agreement-expiring` salesforce-dpa: The agreement salesforce-dpa covering \
psych-lab ends on 2027-01-10 (46 days).
  - Fix: Renew the agreement, then update expires in \\[\\[agreements\\]\\] id = "salesforce-dpa".
  - Contact: DPO \\<dpo@uni-example.edu\\>
"""


def test_block_report_exact() -> None:
    assert render(block_report(), "markdown", OPTIONS) == BLOCK_MARKDOWN


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain-name", "plain-name"),
        ("a|b", "a\\|b"),
        ("<script>", "\\<script\\>"),
        ("`tick`", "\\`tick\\`"),
        ("*bold* _em_ ~del~", "\\*bold\\* \\_em\\_ \\~del\\~"),
        ("[x](http://e)", "\\[x\\](http://e)"),
        ("&amp; #1", "\\&amp; \\#1"),
        ("back\\slash", "back\\\\slash"),
        ("line\nbreak", "line\\\\nbreak"),
        ("hi @team and a@b.c", "hi @\u2060team and a@b.c"),
    ],
)
def test_markdown_inline(raw: str, escaped: str) -> None:
    assert markdown_inline(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "span"),
    [
        ("heroku apps", "`heroku apps`"),
        ("a `b` c", "``a `b` c``"),
        ("``x", "``` ``x ```"),
        ("", "`  `"),
    ],
)
def test_markdown_code_span_cannot_be_closed_by_its_content(raw: str, span: str) -> None:
    assert markdown_code(raw) == span


def test_markdown_code_block_fence_is_longer_than_any_run_inside() -> None:
    block = markdown_code_block("a\n````\nb", indent="  ")
    assert block == "  `````\n  a\n  ````\n  b\n  `````"


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ")]


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_table_row_has_as_many_cells_as_its_header(case: str) -> None:
    text = render(CASES[case](), "markdown", OPTIONS)
    tables = re.split(r"\n\n", text)
    for table in tables:
        rows = _table_rows(table)
        if not rows:
            continue
        # Unescaped pipes separate cells; escaped ones (\|) are content.
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, table


def test_hostile_names_are_inert() -> None:
    text = render(hostile_report(), "markdown", OPTIONS)
    assert "<script>" not in text
    assert "](http" not in text.replace("\\](http", "")
    assert "\\<script\\>alert(1)\\</script\\>\"'\\&" in text
    assert "@\u2060drain" in text
    assert "@\u2060host" in text
    # The two-line remediation became a fenced block inside the list item.
    assert '  - Fix:\n    ```\n    =HYPERLINK("http://evil.example")\n' in text
    assert "  - Fix: +cmd \\`\\`\\` fence `<img src=x onerror=alert(1)>`" in text


def test_audit_has_summary_apps_table_policy_changes_agreements_and_waivers() -> None:
    text = render(audit_report(), "markdown", OPTIONS)
    for heading in (
        "| Decision | Apps |",
        "| App | Team | Region |",
        "#### Policy",
        "#### Changes since audit \\#12",
        "#### Agreements",
        "#### Waivers",
    ):
        assert heading in text
    assert "<details><summary>1 note, 1 waived</summary>" in text
    # Allowed apps without findings are counted, not listed.
    assert "econ-archive" not in text


def test_evidence_only_with_verbose() -> None:
    assert "Evidence:" not in render(block_report(), "markdown", OPTIONS)
    text = render(block_report(), "markdown", RenderOptions(verbose=True))
    assert "  - Evidence: app survey → team psych-lab → enterprise-account uni-example\n" in text


@pytest.mark.parametrize("limit", [1200, 2000, 3000, 4000])
def test_max_bytes_is_respected_and_what_is_left_out_is_named(limit: int) -> None:
    full = render(audit_report(), "markdown", OPTIONS)
    text = render_markdown(audit_report(), OPTIONS, max_bytes=limit)
    assert len(text.encode("utf-8")) <= limit
    assert text.startswith("### Data protection check\n\n⛔ **BLOCK: 2 of 6 apps blocked")
    assert "Not shown, to stay within the size limit:" in text
    assert len(text) < len(full)


def test_no_truncation_when_it_fits() -> None:
    full = render(audit_report(), "markdown", OPTIONS)
    assert render_markdown(audit_report(), OPTIONS, max_bytes=len(full.encode()) + 1000) == full


@pytest.mark.parametrize(
    ("raw", "rendered"),
    [
        (
            "Remove it: `heroku addons:destroy x -a app`.",
            "Remove it: `heroku addons:destroy x -a app`.",
        ),
        ("a `<b>` c [d]", "a `<b>` c \\[d\\]"),
        ("``` not code `x`", "\\`\\`\\` not code `x`"),
        ("unbalanced ` tick", "unbalanced \\` tick"),
        ("`a|b`", "`a|b`"),
    ],
)
def test_markdown_prose_keeps_backticked_commands_as_code(raw: str, rendered: str) -> None:
    from gatekeeper.report.escape import markdown_prose

    assert markdown_prose(raw) == rendered


def test_a_fix_quoting_a_name_with_backticks_keeps_the_whole_command() -> None:
    command = "heroku addons:destroy 'we`ird``name' -a survey"
    found = finding(
        "addon-denied",
        "block",
        "The add-on we`ird``name is denied.",
        f"Remove it: {code_span(command)}.",
        app_name="survey",
        app_id="00000000-0000-4000-8000-000000000001",
        subject="we`ird``name",
    )
    report = block_report()
    app = dataclasses.replace(report.apps[0], findings=(found,))
    report = dataclasses.replace(report, apps=(app,))
    span = f"```{command}```"
    for text in (render(report, "markdown", OPTIONS), markdown_summary(report, OPTIONS)):
        assert f"  - Fix: Remove it: {span}." in text.splitlines()
