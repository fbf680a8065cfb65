"""Heroku app names as a git remote or ``--app`` spells them: one pattern, checked without
loading the remote parser and subprocess (``check --app NAME`` needs only this)."""

from __future__ import annotations

import re

APP_NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{2,29}")
"""Heroku app names: start with a letter, then letters, digits and dashes, 3 to 30 long."""


def is_app_name(name: str) -> bool:
    """Whether ``name`` is a syntactically valid Heroku app name."""
    return APP_NAME_PATTERN.fullmatch(name) is not None
