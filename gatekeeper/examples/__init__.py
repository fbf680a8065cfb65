"""The worked example policies, shipped inside the package.

They live here, not in a folder of the checkout, so that ``gatekeeper demo`` and
``gatekeeper policy init`` work wherever the package is installed: from a wheel, with pipx,
in a release dyno. Each example is ``NAME.toml`` beside this module and opens with a
``# A worked example: ...`` paragraph that says what it is;
``gatekeeper-policy.schema.json`` is the editor schema their first line points at.

pip installs packages as plain files, never zipped, so a path into this directory is a
real file that the policy loader (and a user) can open.
"""

from __future__ import annotations

import re
from pathlib import Path

from gatekeeper.errors import UsageError

EXAMPLES_DIR = Path(__file__).resolve().parent
SCHEMA_FILE = "gatekeeper-policy.schema.json"
DEFAULT_EXAMPLE = "university"

SUMMARY_START = "# A worked example:"
# A sentence ends at a full stop before a capital letter or at the end of the paragraph;
# "Art. 9" goes on.
_SENTENCE_END = re.compile(r"\.(?=\s+[A-Z])|\.$")


def names() -> tuple[str, ...]:
    """The examples' names (their file names without ``.toml``), sorted."""
    return tuple(sorted(path.stem for path in EXAMPLES_DIR.glob("*.toml")))


def policy_path(name: str) -> Path:
    """The example policy ``name`` (e.g. ``"university"``) inside the installed package.

    Raises :class:`~gatekeeper.errors.UsageError`, listing the examples, when there is no
    example of that name.
    """
    path = EXAMPLES_DIR / f"{name}.toml"
    if name not in names():
        raise UsageError(
            f"There is no example policy {name!r}.",
            hint="The examples are: " + ", ".join(names()) + ".",
        )
    return path


def summary(name: str) -> str:
    """The first sentence of the example's ``# A worked example:`` paragraph."""
    lines = policy_path(name).read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(SUMMARY_START)), None)
    if start is None:
        return ""
    words = [lines[start].removeprefix(SUMMARY_START).strip()]
    for line in lines[start + 1 :]:
        text = line.removeprefix("#").strip()
        if not line.startswith("#") or not text:
            break
        words.append(text)
    paragraph = " ".join(words)
    end = _SENTENCE_END.search(paragraph)
    return paragraph[: end.start() + 1] if end else paragraph
