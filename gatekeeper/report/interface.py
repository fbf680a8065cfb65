"""The seam between a :class:`~gatekeeper.results.Report` and its renderings.

A formatter turns a report into text and nothing else: it writes that text to the stream it is
given, section by section (so a 10,000-app report never exists whole in memory), and never
opens files, prints or reads the environment. ``gatekeeper.outputs`` chooses the streams
(stdout, the temporary files of ``--output FMT=FILE``, ``$GITHUB_STEP_SUMMARY``);
:meth:`StreamFormatter.render` returns the same text as a string, so every format can be
tested by comparing strings.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

from gatekeeper import __version__

if TYPE_CHECKING:  # the registry imports this module; pydantic only loads when rendering
    from gatekeeper.report.policy_lines import PolicySource
    from gatekeeper.results import Report

TOOL_NAME = "heroku-gatekeeper"
# Where a SARIF viewer or a DPO reading a report finds out what produced it.
INFORMATION_URI = "https://pypi.org/project/heroku-gatekeeper/"


@dataclass(frozen=True)
class RenderOptions:
    """Everything a formatter may take into account besides the report itself.

    Every field has a default so that ``RenderOptions()`` renders a sensible report; the CLI
    copies its flags and the policy's ``[institution]`` into one of these.
    """

    #: show the evidence chain (app -> team -> enterprise account -> agreement) of each finding
    verbose: bool = False
    #: ANSI colour in the ``text`` format; the CLI sets it only when stdout is a terminal
    color: bool = False
    #: the version recorded in SARIF ``tool.driver.version`` and report footers
    tool_version: str = __version__
    #: heading of the Markdown/HTML reports
    title: str | None = None
    #: who to contact about a block (the DPO contact of the policy's ``[institution]``)
    policy_contact: str | None = None
    #: append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` (see ``github.write_step_summary``)
    github_step_summary: bool = True
    #: ``--strict``: warnings fail like blocks (JUnit failures), as they do for the exit code
    strict: bool = False
    #: file, relative to the repository root, that SARIF results and GitHub annotations point
    #: at (e.g. ``app.json`` or ``Procfile``). Default for SARIF: the policy file when its path
    #: is relative, else ``gatekeeper.toml``. GitHub annotations name a file only when set.
    artifact_uri: str | None = None
    #: finds where the policy file is in the repository, and the policy entry (line) that
    #: decides each finding (SARIF locations), when a formatter first asks
    #: (``placed_policy``): only SARIF does, so the other formats never read the policy file
    #: again. None (a report rendered on its own): SARIF points at line 1 of the policy path
    #: as the report records it.
    locate_policy: Callable[[], PolicySource | None] | None = field(
        default=None, repr=False, compare=False
    )
    #: what the run covered, ``check/APP`` or ``audit/SCOPE``: SARIF's ``automationDetails``,
    #: so code scanning keeps the alerts of each app or audit scope apart
    run_scope: str | None = None

    def placed_policy(self) -> PolicySource | None:
        """What ``locate_policy`` finds (the caller caches it), or None."""
        return self.locate_policy() if self.locate_policy is not None else None

    @property
    def heading(self) -> str:
        """The title to show: the one given, else a neutral default."""
        return self.title or "Data protection check"


@runtime_checkable
class Formatter(Protocol):
    """Renders a report in one format. Implementations hold no state between calls."""

    #: the ``--format`` name, e.g. ``"sarif"``
    name: str
    #: the usual file name extension, with the dot, e.g. ``".sarif"``
    extension: str

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        """Write the whole report to ``out``, ending with a newline."""
        ...

    def render(self, report: Report, options: RenderOptions) -> str:
        """What :meth:`write` writes, as one string."""
        ...


class StreamFormatter:
    """A formatter's :meth:`render`, from its :meth:`write`: subclasses define ``write``."""

    name: str
    extension: str

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        raise NotImplementedError

    def render(self, report: Report, options: RenderOptions) -> str:
        buffer = io.StringIO()
        self.write(report, options, buffer)
        return buffer.getvalue()


class Lines:
    """Lines written to a stream as ``"\\n".join(lines) + "\\n"`` would write them, one at a
    time: ``lines.append(line)``, ``lines += [...]``, then :meth:`end`."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._started = False

    def append(self, line: str) -> None:
        self._out.write("\n" + line if self._started else line)
        self._started = True

    def __iadd__(self, lines: list[str]) -> Lines:
        for line in lines:
            self.append(line)
        return self

    def end(self) -> None:
        self._out.write("\n")
