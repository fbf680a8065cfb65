"""Commands and policy entries quoted in prose, as Markdown code spans (CommonMark 6.1).

The rules write their fixes as prose that quotes a command: ``Remove it: `heroku
addons:destroy NAME -a APP`.``; the formatters show the quoted part as code (Markdown, HTML).
Names come from the API, and a name may hold backticks, so a span made of single backticks
could end inside the command and cut it. :func:`code_span` therefore fences its content with
a run of backticks longer than any run inside it, with a space on each side where the content
starts or ends with a backtick (or both with a space, which CommonMark strips), and
:func:`split_code` reads spans back by the same rule: a run of N backticks is closed by the
next run of exactly N. The two are inverses, whatever the content.

Pure text, no I/O: the rules (the pure core) and the formatters both use it.
"""

from __future__ import annotations

import re

_RUN = re.compile(r"`+")


def code_span(content: str) -> str:
    """``content`` as a code span that nothing in it can close: ``a`b`` -> ````` ``a`b`` `````."""
    if not content:
        return "`  `"  # no span is empty: a blank one
    longest = max((len(run) for run in _RUN.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if (
        content.startswith("`")
        or content.endswith("`")
        or (content.startswith(" ") and content.endswith(" ") and content.strip())
    ):
        content = f" {content} "  # the one space each side that a reader strips
    return f"{fence}{content}{fence}"


def split_code(text: str) -> list[tuple[bool, str]]:
    """``(is_code, part)`` pieces of prose, the code spans' contents without their fences.

    A span does not cross a line break (the fixes are one line each; a multi-line fix is a
    code block of its own). A run of backticks that no run of the same length closes on its
    line is literal text.
    """
    parts: list[tuple[bool, str]] = []
    literal_from = 0
    pos = 0
    while (opening := _RUN.search(text, pos)) is not None:
        fence = opening.group()
        line_end = text.find("\n", opening.end())
        line_end = len(text) if line_end < 0 else line_end
        closing = _closing_run(text, opening.end(), line_end, len(fence))
        if closing is None:
            pos = opening.end()
            continue
        if opening.start() > literal_from:
            parts.append((False, text[literal_from : opening.start()]))
        content = text[opening.end() : closing]
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        parts.append((True, content))
        pos = literal_from = closing + len(fence)
    if literal_from < len(text):
        parts.append((False, text[literal_from:]))
    return parts


def _closing_run(text: str, start: int, end: int, length: int) -> int | None:
    """Where the first run of exactly ``length`` backticks in ``text[start:end]`` starts."""
    for run in _RUN.finditer(text, start, end):
        if len(run.group()) == length:
            return run.start()
    return None
