"""The seam between a :class:`~gatekeeper.results.Report` and its renderings.

A formatter turns a report into text and nothing else: it never writes files, prints or reads
the environment. The CLI chooses the destination (stdout, ``--output FMT=FILE`` through
:func:`gatekeeper.atomic.write_atomic`, ``$GITHUB_STEP_SUMMARY``), so every format can be
tested by comparing strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from gatekeeper import __version__

if TYPE_CHECKING:  # the registry imports this module; pydantic only loads when rendering
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
    #: heading of the Markdown/HTML reports and name of the JUnit test suites
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

    def render(self, report: Report, options: RenderOptions) -> str:
        """The whole report as text, ending with a newline."""
        ...
