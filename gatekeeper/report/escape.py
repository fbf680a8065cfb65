"""Escaping of untrusted text for each output syntax.

App, team and add-on names, messages that quote them, and waiver reasons are untrusted: a
name could carry a newline that forges a report line, an ANSI escape that rewrites the
terminal, a bidirectional override that reorders what a reader sees, Markdown or HTML that
becomes a link or a tag, or a spreadsheet formula. Every formatter passes such text through
one of the functions below before it reaches the output.
"""

from __future__ import annotations

import re

from gatekeeper.codespan import code_span, split_code

# C0 controls, DEL, C1 controls, bidirectional embeddings/overrides/isolates, line and
# paragraph separators, BOM/zero-width no-break space: all invisible or layout-changing.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_INVISIBLE_KEEP_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """Replace control and layout-changing characters with visible escapes (``\\n``, ``\\x1b``).

    With ``keep_newlines`` a ``\\n`` stays a line break (for multi-line remediations); a
    ``\\r`` never does, so a line cannot be overwritten on a terminal.
    """
    pattern = _INVISIBLE_KEEP_NEWLINE if keep_newlines else _INVISIBLE
    return pattern.sub(_show, text)


def indent_lines(text: str, prefix: str) -> str:
    """Indent every line after the first, so continuation lines cannot pose as new entries."""
    return text.replace("\n", "\n" + prefix)


# --- Markdown (GitHub flavoured) -----------------------------------------------------------

# ASCII punctuation that can start Markdown or HTML syntax inline (links need "[", images
# "![", so "(" and "!" are harmless once brackets are escaped; "#" can start a heading).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")
# "@name" after a non-word character notifies a GitHub user or team; a word joiner stops it.
_MENTION = re.compile(r"(?<![\w.])@(?=\w)")


def markdown_inline(text: str) -> str:
    """Untrusted text as literal Markdown: one line, no emphasis, link, HTML, table cell or
    @-mention."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", visible(text))
    return _MENTION.sub("@\u2060", escaped)


def markdown_prose(text: str) -> str:
    """Untrusted prose with its code spans (``gatekeeper.codespan``) kept as code and
    everything else literal."""
    return "".join(
        markdown_code(part) if code else markdown_inline(part) for code, part in split_code(text)
    )


def markdown_code(text: str) -> str:
    """Untrusted text as an inline code span, whatever backticks it contains."""
    return code_span(visible(text))


def markdown_code_block(text: str, indent: str = "") -> str:
    """Untrusted multi-line text as a fenced code block that its content cannot close."""
    body = visible(text, keep_newlines=True)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence, *body.split("\n"), fence]
    return "\n".join(indent + line for line in lines)


# --- GitHub Actions workflow commands --------------------------------------------------------


def github_data(text: str) -> str:
    """The message part of ``::error ...::MESSAGE``: GitHub decodes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value (``title=...``): like data, plus ``:`` and ``,`` which end a property."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


# --- CSV -------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet will not evaluate: a leading ``= + - @`` TAB or CR gets a ``'``."""
    return "'" + text if text.startswith(_FORMULA_START) else text


# --- XML and HTML ----------------------------------------------------------------------------

# Characters XML 1.0 does not allow at all (even escaped), plus the layout-changing ones.
_XML_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ufeff\ufffe\uffff\ud800-\udfff]"
)


def xml_safe(text: str) -> str:
    """Text every XML parser accepts: forbidden characters become visible escapes.

    Markup characters are left to the serializer (``xml.etree`` escapes ``& < > "``).
    """
    return _XML_FORBIDDEN.sub(_show, text)


_SCRIPT_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def json_for_script(json_text: str) -> str:
    """JSON text that can sit inside ``<script>``: no ``</script>``, ``<!--`` or raw U+2028.

    In JSON these characters can only occur inside strings, where ``\\u003c`` means ``<``.
    """
    return _SCRIPT_UNSAFE_RE.sub(lambda m: _SCRIPT_UNSAFE[m.group()], json_text)
