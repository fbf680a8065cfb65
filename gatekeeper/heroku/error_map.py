"""Turning an HTTP error response into the gatekeeper's typed error (``gatekeeper.errors``).

Every error carries Heroku's error ``id`` and ``message`` (from the body, when it is the
documented ``{"id", "message"}`` shape), the HTTP status, the ``Request-Id`` and the path. Text
from the server is passed through ``redact`` before it is kept, so not even an echo of the
request can put the token into a message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus

from gatekeeper.errors import (
    ApiError,
    AuthenticationError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from gatekeeper.heroku.credentials import HOW_TO_AUTHENTICATE
from gatekeeper.heroku.models import ErrorBody
from gatekeeper.records import read
from gatekeeper.redact import redact

_MAX_MESSAGE = 500  # characters of Heroku's message kept; bodies of proxies can be pages long


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    path: str,
    note: str | None = None,
) -> ApiError:
    """The typed error for an HTTP error ``status`` (headers keyed in lower case)."""
    body = _error_body(content)
    error_id = body.id if body else None
    request_id = headers.get("request-id")
    heroku_message = redact(body.message.strip())[:_MAX_MESSAGE] if body else ""
    message = f"Heroku API error: {heroku_message or _reason(status)}"
    if note:
        message = f"{message.rstrip('.')} ({note})"
    error_class, hint = _classify(status)
    return error_class(
        message,
        status=status,
        error_id=error_id,
        request_id=request_id,
        path=path,
        hint=hint,
    )


def _classify(status: int) -> tuple[type[ApiError], str | None]:
    if status == 401:
        return AuthenticationError, (
            "The API token is missing, expired or revoked. " + HOW_TO_AUTHENTICATE
        )
    if status == 403:
        return ForbiddenError, (
            "The token's account cannot see this resource: use a token of a member of the "
            "team or enterprise account, or leave this app out."
        )
    if status == 404:
        return NotFoundError, "Check the name, and that the token's account can see it."
    if status == 429:
        return RateLimitError, (
            "The account's API rate limit is used up (Heroku refills about 75 requests a "
            "minute); try again in a few minutes or run fewer audits at once."
        )
    if 500 <= status <= 599:
        return ServerError, "Heroku's API had a problem; try again later (status.heroku.com)."
    return ApiError, None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "unexpected status"


def _error_body(content: bytes) -> ErrorBody | None:
    """Heroku's ``{"id", "message"}``, or None for any other body: HTML from a proxy, broken
    JSON, or JSON nested too deeply to decode (``RecursionError``); the status still says
    what happened."""
    try:
        return read(ErrorBody, json.loads(content))
    except (ValueError, RecursionError):  # RecordError is a ValueError
        return None
