"""How the CLI's output meets the terminal: colour and ``--quiet``.

Colour follows the conventions users set once for all their tools, in this order:

1. ``NO_COLOR`` set and not empty: never (no-color.org; an empty value does not count);
2. ``FORCE_COLOR`` set and not empty: always, also into a pipe or a CI log;
3. ``TERM=dumb``: never (a terminal that cannot show escape codes);
4. otherwise only when the stream is a terminal.

The group applies the first three to click itself (``Context.color``), so that click does
not strip the colour ``FORCE_COLOR`` asked for, or keep any that ``NO_COLOR`` refused.

``gatekeeper --quiet VERB`` prints only errors: stdout goes nowhere, and the notices and
progress on stderr are left out (``info``, ``progress``); the exit code is the same,
``--output`` files are still written, and errors still go to stderr.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from gatekeeper.usecases import Progress

_QUIET = "gatekeeper.quiet"


def color_setting(environ: Mapping[str, str] | None = None) -> bool | None:
    """True: colour forced; False: refused; None: only on a terminal."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    return None


def color_wanted(stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to write ANSI colour to ``stream`` (default: stdout)."""
    setting = color_setting(environ)
    if setting is not None:
        return setting
    target = sys.stdout if stream is None else stream
    try:
        return target.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def apply_to_click(ctx: click.Context, *, quiet: bool) -> None:
    """Set up the group's context: click's colour, and ``--quiet`` for the whole run."""
    ctx.color = color_setting()
    if quiet:
        ctx.meta[_QUIET] = True
        devnull = ctx.with_resource(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        ctx.with_resource(contextlib.redirect_stdout(devnull))


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get(_QUIET))


def info(message: str) -> None:
    """A message for the user on stderr that is not an error (left out with ``--quiet``)."""
    if not is_quiet():
        click.echo(message, err=True)


def progress() -> Progress:
    """The progress display of a long run: a bar on a terminal, none with ``--quiet``."""
    from gatekeeper.usecases import NullProgress, progress_for

    return NullProgress() if is_quiet() else progress_for()
