"""Every expected failure of the gatekeeper, and the exit code it maps to.

The tree (exit code in brackets)::

    GatekeeperError [4]                   base; explains itself with ``user_message()``
    ├── UsageError [2]                    bad flags, missing files, unreadable input
    │   ├── PolicyError [2]               the policy file is invalid (carries every problem)
    │   └── InputFileError [2]            a snapshot, estate or baseline file is invalid
    └── CouldNotEvaluate [3]              a fact could not be read: fail closed
        ├── CredentialsError [3]          no token, or a token store that cannot be used
        ├── TransportError [3]            connect/read timeout, refused or reset connection
        ├── ProtocolError [3]             the API answered something we cannot use
        │                                 (not JSON, looping Next-Range, 206 without one)
        └── ApiError [3]                  Heroku answered with an error body
            ├── AuthenticationError [3]   401: token missing, expired or revoked
            ├── ForbiddenError [3]        403: the token cannot see this resource
            ├── NotFoundError [3]         404
            ├── RateLimitError [3]        429 after retries ran out
            └── ServerError [3]           5xx after retries ran out

A blocked decision is not an exception: commands return exit code 1 for it.
Anything that is not a ``GatekeeperError`` is a bug and exits 4 (see ``gatekeeper.cli``).

No exception here ever carries a token: messages are built from Heroku's error
``id``/``message``, the HTTP status, the ``Request-Id`` and the URL path only.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_ALLOW = 0
EXIT_BLOCK = 1
EXIT_USAGE = 2
EXIT_COULD_NOT_EVALUATE = 3
EXIT_BUG = 4


class GatekeeperError(Exception):
    """Base of all expected failures; ``str()`` is a one-paragraph message for the user."""

    exit_code: int = EXIT_BUG

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

    def __init__(
        self, problems: list[Problem], *, what: str = "input file", hint: str | None = None
    ) -> None:
        self.problems = list(problems)
        body = "; ".join(str(p) for p in self.problems)
        super().__init__(f"The {what} is invalid: {body}.", hint=hint)


class CouldNotEvaluate(GatekeeperError):
    exit_code = EXIT_COULD_NOT_EVALUATE


class CredentialsError(CouldNotEvaluate):
    pass


class TransportError(CouldNotEvaluate):
    pass


class ProtocolError(CouldNotEvaluate):
    pass


class ApiError(CouldNotEvaluate):
    """Heroku answered with an error. Carries Heroku's error ``id``, status and ``Request-Id``."""

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
    pass


class ForbiddenError(ApiError):
    pass


class NotFoundError(ApiError):
    pass


class RateLimitError(ApiError):
    pass


class ServerError(ApiError):
    pass
