from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from report_samples import CASES, OPTIONS, block_report, finding, hostile_report

from gatekeeper.errors import UsageError
from gatekeeper.report.escape import github_data, github_property
from gatekeeper.report.github import (
    NOT_EVALUATED,
    announce_not_evaluated,
    markdown_summary,
    write_step_summary,
)
from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.registry import render
from gatekeeper.results import Report

BLOCK_GITHUB = """\
BLOCK survey: 2 blocking findings, 1 warning
::error title=BLOCK addon-no-agreement (survey)::survey: The third-party add-on papertrail \
has no active agreement.%0ASubject: papertrail%0AFix: Remove it: `heroku addons:destroy \
papertrail -a survey`%0AContact: DPO <dpo@uni-example.edu>
::error title=BLOCK addon-no-agreement (survey)::survey: The third-party add-on sendgrid has \
no active agreement.%0ASubject: sendgrid%0AFix: Remove it: `heroku addons:destroy sendgrid -a \
survey`%0AContact: DPO <dpo@uni-example.edu>
::warning title=WARN agreement-expiring (survey)::survey: The agreement salesforce-dpa \
covering psych-lab ends on 2027-01-10 (46 days).%0ASubject: salesforce-dpa%0AFix: Renew the \
agreement, then update expires in [[agreements]] id = "salesforce-dpa".%0AContact: DPO \
<dpo@uni-example.edu>
"""

COMMAND = re.compile(r"^::(error|warning|notice) (?:file=[^,:]*,line=1,)?title=([^:,]*)::(.*)$")


def _decode(data: str) -> str:
    return (
        data.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_block_report_exact() -> None:
    assert render(block_report(), "github", OPTIONS) == BLOCK_GITHUB


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
        ("k:v,w", "k:v,w", "k%3Av%2Cw"),
        ("%0A", "%250A", "%250A"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert github_data(raw) == data
    assert github_property(raw) == prop


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_line_after_the_headline_is_one_well_formed_command(case: str) -> None:
    report = CASES[case]()
    lines = render(report, "github", OPTIONS).splitlines()
    assert not lines[0].startswith("::")
    for line in lines[1:]:
        assert COMMAND.match(line), line
    expected = [f for f in report.all_findings() if not f.waived]
    assert len(lines) - 1 == len(expected)


def test_hostile_text_cannot_start_a_command_of_its_own() -> None:
    lines = render(hostile_report(), "github", OPTIONS).splitlines()
    first = COMMAND.match(lines[1])
    assert first is not None
    kind, title, message = first.groups()
    assert kind == "error"
    assert _decode(title) == "BLOCK addon-denied (<script>alert(1)</script>\"'&)"
    decoded = _decode(message)
    # The hostile "\n" inside the message is shown, not decoded into a line break ...
    assert "is denied.\\nALLOW everything: fine\n" in decoded
    # ... and the "%0A" in the remediation stays literal text.
    assert "'%0A::error::x'" in decoded
    assert "\\x1b[31mred" in decoded
    assert "Subject: -evil,sub:ject %25 <b>" in decoded


def test_file_property_only_when_an_artifact_is_configured() -> None:
    plain = render(block_report(), "github", OPTIONS).splitlines()[1]
    assert plain.startswith("::error title=")
    with_file = render(block_report(), "github", RenderOptions(artifact_uri="app.json"))
    assert with_file.splitlines()[1].startswith("::error file=app.json,line=1,title=")


def _many_blocks(count: int) -> Report:
    report = block_report()
    app = report.apps[0]
    findings = tuple(
        finding(
            "addon-denied",
            "block",
            f"Add-on number {i} is denied.",
            "remove it",
            app=app,
            subject=f"addon-{i}",
        )
        for i in range(count)
    )
    return dataclasses.replace(report, apps=(dataclasses.replace(app, findings=findings),))


def test_ten_annotations_of_a_kind_are_all_shown() -> None:
    lines = render(_many_blocks(10), "github", OPTIONS).splitlines()
    assert len(lines) == 11
    assert all("more blocking findings" not in line for line in lines)


def test_beyond_ten_the_tenth_annotation_lists_the_rest() -> None:
    lines = render(_many_blocks(13), "github", OPTIONS).splitlines()
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 10
    kind_title_message = COMMAND.match(errors[-1])
    assert kind_title_message is not None
    assert kind_title_message.group(2) == "4 more blocking findings"
    listed = _decode(kind_title_message.group(3)).splitlines()[1:]
    assert listed == ["survey: addon-denied"] * 4


def test_markdown_summary_is_the_markdown_report() -> None:
    assert markdown_summary(block_report(), OPTIONS) == render(block_report(), "markdown", OPTIONS)


def test_write_step_summary_appends_when_the_variable_is_set(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## Earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    assert write_step_summary(block_report(), OPTIONS, env=env) == summary
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## Earlier step\n\n### Data protection check\n")
    assert text.endswith(markdown_summary(block_report(), OPTIONS))
    write_step_summary(block_report(), OPTIONS, env=env)
    assert summary.read_text(encoding="utf-8").count("### Data protection check") == 2


def test_write_step_summary_does_nothing_without_the_variable_or_when_off(
    tmp_path: Path,
) -> None:
    assert write_step_summary(block_report(), OPTIONS, env={}) is None
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    off = RenderOptions(github_step_summary=False)
    assert write_step_summary(block_report(), off, env=env) is None
    assert not summary.exists()


def test_write_step_summary_reads_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert write_step_summary(block_report(), OPTIONS) == summary
    assert summary.read_text(encoding="utf-8").startswith("### Data protection check")


def test_write_step_summary_stays_under_githubs_limit(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * (1024 * 1024 - 3000))
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    write_step_summary(CASES["audit"](), OPTIONS, env=env)
    size = summary.stat().st_size
    assert size <= 1024 * 1024
    text = summary.read_text(encoding="utf-8")
    assert "BLOCK: 2 of 6 apps blocked" in text
    assert "Not shown, to stay within the size limit:" in text


def test_write_step_summary_failure_is_a_usage_error(tmp_path: Path) -> None:
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "missing-dir" / "summary.md")}
    with pytest.raises(UsageError, match="Could not append the job summary"):
        write_step_summary(block_report(), OPTIONS, env=env)


def test_a_summary_that_cannot_be_appended_whole_leaves_the_file_as_it_was(
    tmp_path: Path,
) -> None:
    """The file may grow by 300 bytes only (RLIMIT_FSIZE, as a full disk): the append fails
    midway, and the file is cut back to the earlier steps' summaries."""
    import resource

    summary = tmp_path / "summary.md"
    earlier = "## Earlier step\n" * 100
    summary.write_text(earlier, encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (len(earlier) + 300, hard))
    try:
        with pytest.raises(UsageError, match="Could not append the job summary"):
            write_step_summary(CASES["audit"](), OPTIONS, env=env)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert summary.read_text(encoding="utf-8") == earlier


@pytest.mark.parametrize(("code", "meaning"), sorted(NOT_EVALUATED.items()))
def test_a_run_that_judged_nothing_is_an_error_annotation(
    code: int, meaning: str, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    out = io.StringIO()
    announce_not_evaluated("survey", code, out, {"GITHUB_STEP_SUMMARY": str(summary)})
    [line] = out.getvalue().splitlines()
    match = COMMAND.match(line)
    assert match is not None
    kind, title, message = match.groups()
    assert kind == "error"
    assert _decode(title) == "heroku-gatekeeper: survey was not evaluated"
    assert _decode(message).startswith(f"gatekeeper exited with {code}: {meaning}.")
    assert "fails closed" in _decode(message)
    assert summary.read_text(encoding="utf-8").startswith(
        "### heroku-gatekeeper: `survey` was not evaluated\n"
    )


def test_a_forged_app_name_cannot_start_a_command_of_its_own(tmp_path: Path) -> None:
    forged = "x\n::error file=.github/workflows/ci.yml::forged\r::add-mask::`y`"
    out = io.StringIO()
    announce_not_evaluated(forged, 3, out, {"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")})
    [line] = out.getvalue().splitlines()
    match = COMMAND.match(line)
    assert match is not None
    assert _decode(match.group(2)).startswith("heroku-gatekeeper: x\\n::error file=")
    summary = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert "\n::" not in summary and "\r" not in summary


def test_a_summary_that_cannot_be_written_is_a_warning_not_a_traceback(tmp_path: Path) -> None:
    out = io.StringIO()
    announce_not_evaluated("survey", 2, out, {"GITHUB_STEP_SUMMARY": str(tmp_path)})  # a dir
    error, warning = out.getvalue().splitlines()
    assert error.startswith("::error ") and warning.startswith("::warning ")


def test_without_a_summary_file_only_the_annotation(tmp_path: Path) -> None:
    out = io.StringIO()
    announce_not_evaluated("survey", 4, out, {})
    assert out.getvalue().startswith("::error title=") and out.getvalue().count("\n") == 1
