"""Keeps tokens out of every line the gatekeeper prints, logs or writes.

``register_secret`` is called wherever a token is loaded; ``redact`` replaces every
registered secret (and anything shaped like a bearer header) before text leaves the process.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',]+")
_URL_USERINFO = re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/@\s]+@")

MASK = "[redacted]"


def register_secret(secret: str | None) -> None:
    """Remember a secret so that ``redact`` hides it wherever it shows up."""
    if secret and len(secret) >= 4:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every known secret, bearer token and URL credential masked."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _URL_USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)


class RedactingFilter(logging.Filter):
    """Masks registered secrets in a log record before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


# httpx logs every request's full URL at INFO; a webhook URL (``audit --notify``) is a secret.
logging.getLogger("httpx").addFilter(RedactingFilter())
