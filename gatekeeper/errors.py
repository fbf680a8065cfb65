"""Every expected failure of the gatekeeper, and the exit code it maps to.

The tree (exit code in brackets)::

    GatekeeperError [4] bug               base; explains itself with ``user_message()``
    ├── UsageError [2] usage              bad flags, missing files, unreadable input
    │   ├── PolicyError [2] policy        the policy file is invalid (carries every problem)
    │   ├── InputFileError [2] input      a snapshot, estate or baseline file is invalid
    │   └── StoreSchemaError [2] store    the history store was written by a newer version
    └── CouldNotEvaluate [3] unavailable  a fact could not be read: fail closed
        ├── CredentialsError [3] credentials
        │                                 no token, or a token store that cannot be used
        ├── TransportError [3] network    connect/read timeout, refused or reset connection
        ├── ProtocolError [3] protocol    the API answered something we cannot use
        │                                 (not JSON, looping Next-Range, 206 without one)
        ├── StoreError [3] store          the history store cannot be opened, read or written
        ├── NotificationError [3] notification
        │                                 the --notify webhook refused or failed
        └── ApiError [3] api              Heroku answered with an error body
            ├── AuthenticationError [3] credentials
            │                             401: token missing, expired or revoked
            ├── ForbiddenError [3] forbidden
            │                             403: the token cannot see this resource
            ├── NotFoundError [3] not-found
            │                             404
            ├── RateLimitError [3] rate-limit
            │                             429 after retries ran out
            └── ServerError [3] upstream  5xx after retries ran out

Each class carries its exit code (in brackets) and a ``category`` (the word after it): the CLI
maps the exit code, a web layer maps the category to its own answer (an HTTP status), so
neither needs to know the classes.

A blocked decision is not an exception: commands return exit code 1 for it.
Anything that is not a ``GatekeeperError`` is a bug and exits 4 (see ``gatekeeper.cli``).

No exception here ever carries a token: messages are built from Heroku's error
``id``/``message``, the HTTP status, the ``Request-Id`` and the URL path only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EXIT_ALLOW = 0
EXIT_BLOCK = 1
EXIT_USAGE = 2
EXIT_COULD_NOT_EVALUATE = 3
EXIT_BUG = 4

#: What kind of failure an error is, for a layer that answers in something other than exit
#: codes (an HTTP status, a dashboard badge).
ErrorCategory = Literal[
    "bug",
    "usage",
    "policy",
    "input",
    "store",
    "unavailable",
    "credentials",
    "network",
    "protocol",
    "notification",
    "api",
    "forbidden",
    "not-found",
    "rate-limit",
    "upstream",
]


class GatekeeperError(Exception):
    """Base of all expected failures; ``str()`` is a one-paragraph message for the user."""

    exit_code: int = EXIT_BUG
    category: ErrorCategory = "bug"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        """The paragraph shown to the user: what happened, then what to do."""
        if self.hint:
            return f"{self.message} {self.hint}"
        return self.message

    def __str__(self) -> str:
        return self.user_message()


class UsageError(GatekeeperError):
    exit_code = EXIT_USAGE
    category: ErrorCategory = "usage"


def missing_extra_hint(extra: str, library: str) -> str:
    """The hint of a ``UsageError`` for an optional library that is not installed: the
    extra that brings it, as an exact artefact (the package is not on PyPI yet, and an
    install by name would get whoever registers the name: docs/install.md)."""
    return (
        f"Install gatekeeper with its {extra} extra (heroku-gatekeeper[{extra}] @ ..., or "
        f".[{extra}] in a checkout; docs/install.md), or install {library}."
    )


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what is wrong."""

    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        key = f" [{self.key}]" if self.key else ""
        return f"{where}{key}: {self.message}"


class PolicyError(UsageError):
    """The policy file is invalid; ``problems`` lists every problem found, not just the first."""

    category: ErrorCategory = "policy"

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = (
            "The policy file is invalid"
            if count == 1
            else (f"The policy file has {count} problems")
        )
        body = "; ".join(str(p) for p in self.problems)
        super().__init__(f"{head}: {body}.", hint=hint)


class InputFileError(UsageError):
    """A snapshot, estate, baseline or other input file could not be used."""

    category: ErrorCategory = "input"

    def __init__(
        self, problems: list[Problem], *, what: str = "input file", hint: str | None = None
    ) -> None:
        self.problems = list(problems)
        body = "; ".join(str(p) for p in self.problems)
        super().__init__(f"The {what} is invalid: {body}.", hint=hint)


class StoreSchemaError(UsageError):
    """The history store was written by a newer gatekeeper than this one (exit 2)."""

    category: ErrorCategory = "store"


class CouldNotEvaluate(GatekeeperError):
    exit_code = EXIT_COULD_NOT_EVALUATE
    category: ErrorCategory = "unavailable"


class CredentialsError(CouldNotEvaluate):
    category: ErrorCategory = "credentials"


class TransportError(CouldNotEvaluate):
    category: ErrorCategory = "network"


class ProtocolError(CouldNotEvaluate):
    category: ErrorCategory = "protocol"


class StoreError(CouldNotEvaluate):
    """The history store could not be opened, read or written (exit 3)."""

    category: ErrorCategory = "store"


class NotificationError(CouldNotEvaluate):
    """The ``--notify`` webhook answered with an error status or could not be reached."""

    category: ErrorCategory = "notification"


class ApiError(CouldNotEvaluate):
    """Heroku answered with an error. Carries Heroku's error ``id``, status and ``Request-Id``."""

    category: ErrorCategory = "api"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_id: str | None = None,
        request_id: str | None = None,
        path: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.error_id = error_id
        self.request_id = request_id
        self.path = path
        parts = [message.rstrip(".") + "."]
        details = [f"HTTP {status}"]
        if error_id:
            details.append(f"id {error_id}")
        if path:
            details.append(f"path {path}")
        if request_id:
            details.append(f"Request-Id {request_id}")
        parts.append(f"({', '.join(details)})")
        super().__init__(" ".join(parts), hint=hint)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_id={self.error_id!r}, "
            f"path={self.path!r}, request_id={self.request_id!r})"
        )


class AuthenticationError(ApiError):
    category: ErrorCategory = "credentials"


class ForbiddenError(ApiError):
    category: ErrorCategory = "forbidden"


class NotFoundError(ApiError):
    category: ErrorCategory = "not-found"


class RateLimitError(ApiError):
    category: ErrorCategory = "rate-limit"


class ServerError(ApiError):
    category: ErrorCategory = "upstream"
