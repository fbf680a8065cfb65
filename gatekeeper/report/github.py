"""``--format github``: GitHub Actions workflow commands, plus the job summary.

Each unwaived finding becomes an annotation, ``::error`` for block, ``::warning`` for warn and
``::notice`` for info, escaped as the runner decodes them (``%25 %0D %0A`` in the message,
also ``%3A %2C`` in properties), after :func:`~gatekeeper.report.escape.visible` has made any
newline or control character inside an untrusted name visible, so no name can start a
workflow command of its own.

GitHub shows at most 10 annotations of each kind per step; beyond 10, the first 9 are
annotated and the 10th lists the rest, so nothing is dropped silently.

:func:`write_step_summary` appends :func:`markdown_summary` to ``$GITHUB_STEP_SUMMARY``.

A run that judged nothing (exit 2, 3 or 4) has no report to render; the Action then calls
:func:`announce_not_evaluated`, which prints an ``::error`` annotation and appends a job
summary saying so, with the app's name escaped like every other untrusted name here.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from gatekeeper.errors import UsageError
from gatekeeper.report.escape import (
    github_data,
    github_property,
    markdown_code,
    markdown_inline,
    visible,
)
from gatekeeper.report.interface import Lines, RenderOptions, StreamFormatter
from gatekeeper.report.markdown import render_markdown
from gatekeeper.report.summary import SEVERITY_WORD, contact_for, headline, sorted_findings
from gatekeeper.results import Finding, Report, Severity

COMMAND: dict[Severity, str] = {"block": "error", "warn": "warning", "info": "notice"}
ANNOTATIONS_PER_KIND = 10  # GitHub's limit per step and annotation kind
STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub drops a step summary larger than 1 MiB
_LISTED_IN_OVERFLOW = 50  # names listed in the overflow annotation before "..."
#: What the exit codes of a run that judged nothing mean (the README's table).
NOT_EVALUATED: dict[int, str] = {
    2: "usage error or invalid policy",
    3: "could not evaluate (Heroku API, network or credentials)",
    4: "a bug in gatekeeper",
}


class GithubFormatter(StreamFormatter):
    """Workflow-command annotations for the step log and the pull request's checks."""

    name = "github"
    extension = ".txt"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        lines = Lines(out)
        lines.append(visible(headline(report)))
        active = [f for f in sorted_findings(report.all_findings()) if not f.waived]
        for severity in ("block", "warn", "info"):
            of_kind = [f for f in active if f.severity == severity]
            if len(of_kind) > ANNOTATIONS_PER_KIND:
                cut = ANNOTATIONS_PER_KIND - 1
                shown, rest = of_kind[:cut], of_kind[cut:]
            else:
                shown, rest = of_kind, []
            lines += [annotation(f, options) for f in shown]
            if rest:
                lines.append(_overflow(severity, rest, options))
        lines.end()


def annotation(finding: Finding, options: RenderOptions) -> str:
    """One ``::error title=...::message`` line for a finding."""
    title = f"{SEVERITY_WORD[finding.severity]} {finding.rule}"
    if finding.app:
        title += f" ({visible(finding.app)})"
    message = f"{visible(finding.app)}: " if finding.app else "policy: "
    message += visible(finding.message)
    if finding.subject:
        message += f"\nSubject: {visible(finding.subject)}"
    if finding.remediation:
        message += f"\nFix: {visible(finding.remediation, keep_newlines=True)}"
    contact = contact_for(finding, options.policy_contact)
    if contact:
        message += f"\nContact: {visible(contact)}"
    return _command(COMMAND[finding.severity], title, message, options)


def _overflow(severity: Severity, rest: list[Finding], options: RenderOptions) -> str:
    names = [
        f"{visible(f.app)}: {f.rule}" if f.app else f"policy: {f.rule}"
        for f in rest[:_LISTED_IN_OVERFLOW]
    ]
    if len(rest) > _LISTED_IN_OVERFLOW:
        names.append(f"... and {len(rest) - _LISTED_IN_OVERFLOW} more")
    word = {"block": "blocking findings", "warn": "warnings", "info": "notes"}[severity]
    title = f"{len(rest)} more {word}"
    message = (
        f"GitHub shows 10 annotations of a kind per step; {len(rest)} more {word} are in the "
        "job summary and the full report:\n" + "\n".join(names)
    )
    return _command(COMMAND[severity], title, message, options)


def _command(kind: str, title: str, message: str, options: RenderOptions) -> str:
    props = []
    if options.artifact_uri:
        props += [f"file={github_property(options.artifact_uri)}", "line=1"]
    props.append(f"title={github_property(title)}")
    return f"::{kind} {','.join(props)}::{github_data(message)}"


def not_evaluated(app: str, exit_code: int) -> tuple[str, str]:
    """The ``::error`` annotation and the Markdown job summary of a check of ``app`` that
    ended with ``exit_code`` and judged nothing: the gate failed closed."""
    meaning = NOT_EVALUATED.get(exit_code, "unexpected exit code")
    said = (
        f"gatekeeper exited with {exit_code}: {meaning}. Nothing was decided, so the check "
        "fails closed. The log of this step says what happened and what to do."
    )
    annotation = _command(
        "error", f"heroku-gatekeeper: {visible(app)} was not evaluated", said, RenderOptions()
    )
    summary = f"### heroku-gatekeeper: {markdown_code(app)} was not evaluated\n\n{said}\n"
    return annotation, summary


def announce_not_evaluated(
    app: str, exit_code: int, out: TextIO, env: Mapping[str, str] = os.environ
) -> None:
    """Write :func:`not_evaluated`'s annotation to ``out`` (the step log) and append its
    summary to ``$GITHUB_STEP_SUMMARY`` when that is set."""
    annotation, summary = not_evaluated(app, exit_code)
    out.write(annotation + "\n")
    target = env.get("GITHUB_STEP_SUMMARY")
    if target:
        try:
            StepSummary(Path(target), summary).append()
        except UsageError as exc:  # the annotation is out; say why the summary is not
            out.write(f"::warning title=heroku-gatekeeper::{github_data(exc.message)}\n")


def markdown_summary(
    report: Report, options: RenderOptions | None = None, *, max_bytes: int = STEP_SUMMARY_LIMIT
) -> str:
    """The Markdown job summary: the markdown report, kept under ``max_bytes``."""
    return render_markdown(report, options or RenderOptions(), max_bytes=max_bytes)


@dataclass(frozen=True)
class StepSummary:
    """The job summary of one run, sized for the file it will be appended to."""

    path: Path
    text: str

    def append(self) -> Path:
        """Append the text in one write; should it fail midway (disk full), the file is cut
        back to its previous length, so a failed run leaves the summaries before it as they
        were. Raises :class:`~gatekeeper.errors.UsageError` when the file cannot be written."""
        data = memoryview(self.text.encode("utf-8"))
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                start = os.fstat(fd).st_size
                try:
                    while data:
                        data = data[os.write(fd, data) :]
                except OSError:
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, start)
                    raise
            finally:
                os.close(fd)
        except OSError as exc:
            raise UsageError(
                f"Could not append the job summary to {self.path} ({exc.strerror or exc}).",
                hint="Check that GITHUB_STEP_SUMMARY names a writable file, or unset it.",
            ) from None
        return self.path


def step_summary(
    report: Report, options: RenderOptions, env: Mapping[str, str] = os.environ
) -> StepSummary | None:
    """The summary to append to ``$GITHUB_STEP_SUMMARY``, or None when the variable is unset,
    ``options.github_step_summary`` is off, or not even the headline fits under GitHub's
    1 MiB with what the file holds already."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target or not options.github_step_summary:
        return None
    path = Path(target)
    try:
        existing = path.stat().st_size if path.exists() else 0
    except OSError:
        existing = 0
    budget = STEP_SUMMARY_LIMIT - existing - 1024
    text = markdown_summary(report, options, max_bytes=max(budget, 0))
    if existing:
        text = "\n" + text
    if len(text.encode("utf-8")) > budget:
        # Even the header does not fit: a summary over the limit would be dropped entirely.
        text = "\n" + markdown_inline(headline(report)) + "\n"
        if len(text.encode("utf-8")) > budget:
            return None
    return StepSummary(path, text)


def write_step_summary(
    report: Report, options: RenderOptions, env: Mapping[str, str] = os.environ
) -> Path | None:
    """Append the job summary to ``$GITHUB_STEP_SUMMARY``; the file written, or None.

    Nothing happens when the variable is unset or ``options.github_step_summary`` is off.
    The text is appended in one write, in append mode, so summaries of other steps or tools
    in the same file stay intact; it is sized so the file stays under GitHub's 1 MiB.
    Raises :class:`~gatekeeper.errors.UsageError` when the file cannot be written.
    """
    summary = step_summary(report, options, env)
    return None if summary is None else summary.append()
