"""The diagnosis behind ``gatekeeper doctor``: where the token, the API host and the policy
come from, and whether they work.

It reports, in this order: the API base URL (and which setting chose it), where the token
came from (``HEROKU_API_KEY``, the OS keyring or ``~/.netrc``; never the token itself), the
account the token belongs to (``GET /account``), the token's OAuth scope (a ``global`` token
where a ``read`` one would do is a warning), the rate limit left (``GET
/account/rate-limits``, free), the keyring backend, and the policy in force (path, valid or
not, sha256).

How the scope is found: Heroku has no "authorization of this token" endpoint (``GET
/oauth/authorizations/~`` is the account's default API key, not the calling token), so, as
the Heroku CLI does on logout, the account's authorizations are listed and the one whose
access token equals ours (compared in constant time) gives the scope. The list holds every
token of the account, so a token Heroku refuses it to (401/403) is not a ``global`` one, which
has full access to the account. The other tokens in the list are registered for redaction and
dropped; none is ever shown.

:func:`diagnose` runs every check and never raises for an expected failure: each becomes a
:class:`Check`. Its exit code: 0 all is well (warnings included), 3 the API cannot be reached
or the token is missing or refused, 2 the API URL or the policy is invalid or missing. The
CLI (``gatekeeper.commands.doctor``) only renders it.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from gatekeeper.errors import EXIT_COULD_NOT_EVALUATE, EXIT_USAGE

if TYPE_CHECKING:
    from gatekeeper.heroku.client import HerokuClient

Status = Literal["ok", "warn", "fail", "info"]
LOW_RATE_LIMIT = 100  # below this the client starts spacing requests out
READ_TOKEN_COMMAND = 'heroku authorizations:create --scope read --description "gatekeeper"'


@dataclass
class Check:
    """One line of the diagnosis: what was looked at, how it went, and what to do."""

    name: str
    status: Status
    message: str
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Diagnosis:
    """Every check, and the exit code they add up to."""

    checks: list[Check] = field(default_factory=list)
    api_failed: bool = False  # unreachable API, no token or a refused token: exit 3
    usage_failed: bool = False  # invalid API URL, policy missing or invalid: exit 2

    def add(self, check: Check) -> None:
        self.checks.append(check)

    @property
    def exit_code(self) -> int:
        if self.api_failed:
            return EXIT_COULD_NOT_EVALUATE
        if self.usage_failed:
            return EXIT_USAGE
        return 0


def diagnose(api_url: str | None, policy_path: str | None) -> Diagnosis:
    """Run every check; never raises for an expected failure (each becomes a check)."""
    diagnosis = Diagnosis()
    base_url = _check_api_url(diagnosis, api_url)
    if base_url is not None:
        token = _check_token(diagnosis, base_url)
        if token is not None:
            _check_api(diagnosis, base_url, token)
    _check_keyring(diagnosis)
    _check_policy(diagnosis, policy_path)
    return diagnosis


# -- API URL and token ------------------------------------------------------------------------


def _check_api_url(diagnosis: Diagnosis, flag: str | None) -> str | None:
    from gatekeeper.errors import UsageError
    from gatekeeper.heroku.config import HOST_ENV, api_host, is_loopback, resolve_api_url

    origin = (
        "--api-url"
        if flag and flag.strip()
        else HOST_ENV
        if os.environ.get(HOST_ENV, "").strip()
        else "the default"
    )
    try:
        url = resolve_api_url(flag)
    except UsageError as exc:
        diagnosis.usage_failed = True
        diagnosis.add(Check("api", "fail", exc.message, exc.hint, {"origin": origin}))
        return None
    host = api_host(url)
    note = (
        " (plain http: loopback only, e.g. the local simulator)"
        if (url.startswith("http:") and is_loopback(host))
        else ""
    )
    diagnosis.add(
        Check(
            "api",
            "ok",
            f"{url} (from {origin}){note}",
            None,
            {"url": url, "host": host, "origin": origin},
        )
    )
    return url


def _check_token(diagnosis: Diagnosis, base_url: str) -> str | None:
    from gatekeeper.errors import CredentialsError
    from gatekeeper.heroku.config import api_host
    from gatekeeper.heroku.credentials import (
        TOKEN_ENV,
        keyring_available,
        netrc_has_entry,
        netrc_path,
        read_keyring_token,
        resolve_token,
    )

    host = api_host(base_url)
    present = {
        "env": bool(os.environ.get(TOKEN_ENV, "").strip()),
        "keyring": keyring_available() and read_keyring_token(host) is not None,
        "netrc": netrc_has_entry(host),
    }
    where = {
        "env": TOKEN_ENV,
        "keyring": f"the OS keyring (entry for {host})",
        "netrc": f"{netrc_path()} (machine {host})",
    }
    try:
        credential = resolve_token(base_url)
    except CredentialsError as exc:
        diagnosis.api_failed = True
        diagnosis.add(
            Check("token", "fail", exc.message, exc.hint, {"source": None, "present": present})
        )
        return None
    unused = [where[s] for s, found in present.items() if found and s != credential.source]
    also = f"; also found in {', '.join(unused)} (not used)" if unused else ""
    diagnosis.add(
        Check(
            "token",
            "ok",
            f"from {where[credential.source]}{also}",
            None,
            {"source": credential.source, "present": present},
        )
    )
    return credential.token


# -- what the API says ------------------------------------------------------------------------


def _client(base_url: str, token: str) -> HerokuClient:
    from gatekeeper.heroku.client import HerokuClient
    from gatekeeper.heroku.config import client_tuning

    return HerokuClient(base_url, token, **{"max_retries": 2, **client_tuning()})


def _check_api(diagnosis: Diagnosis, base_url: str, token: str) -> None:
    from gatekeeper.errors import AuthenticationError, CouldNotEvaluate
    from gatekeeper.heroku.endpoints import ACCOUNT
    from gatekeeper.heroku.models import Account

    with _client(base_url, token) as client:
        try:
            account = client.get_model(ACCOUNT.path(), Account)
        except AuthenticationError as exc:
            diagnosis.api_failed = True
            diagnosis.add(
                Check(
                    "account",
                    "fail",
                    f"Heroku refused the token: {exc.message}",
                    exc.hint,
                    {"status": exc.status},
                )
            )
            return
        except CouldNotEvaluate as exc:
            diagnosis.api_failed = True
            diagnosis.add(
                Check(
                    "account",
                    "fail",
                    f"The API cannot be used: {exc.message}",
                    exc.hint,
                    {"status": getattr(exc, "status", None)},
                )
            )
            return
        diagnosis.add(Check("account", "ok", account.email, None, {"email": account.email}))
        diagnosis.add(_scope_check(client, token))
        diagnosis.add(_rate_limit_check(client))


def _scope_check(client: HerokuClient, token: str) -> Check:
    from gatekeeper.errors import ApiError, CouldNotEvaluate
    from gatekeeper.heroku.endpoints import OAUTH_AUTHORIZATIONS
    from gatekeeper.redact import register_secret

    try:
        authorizations = client.list(OAUTH_AUTHORIZATIONS.path())
    except ApiError as exc:
        if exc.status in (401, 403):
            return Check(
                "scope",
                "ok",
                "not global: Heroku refuses this token the list of "
                "the account's authorizations, which a global token may read",
                None,
                {"scope": None, "global": False, "status": exc.status},
            )
        return _scope_unknown(f"listing the authorizations failed ({exc.message})")
    except CouldNotEvaluate as exc:
        return _scope_unknown(f"listing the authorizations failed ({exc.message})")

    scope: list[str] | None = None
    for item in authorizations if isinstance(authorizations, list) else []:
        if not isinstance(item, dict):
            continue
        secrets = [_token_of(item.get(key)) for key in ("access_token", "refresh_token")]
        for secret in secrets:
            register_secret(secret)  # other tokens of the account: never to be shown
        mine = secrets[0]
        if mine is not None and hmac.compare_digest(mine.encode(), token.encode()):
            raw = item.get("scope")
            scope = [s for s in raw if isinstance(s, str)] if isinstance(raw, list) else []
    if scope is None:
        return _scope_unknown(
            "the token is not among the account's authorizations that "
            "Heroku lists with their tokens"
        )
    shown = ", ".join(scope) or "(none)"
    if "global" in scope:
        return Check(
            "scope",
            "warn",
            f"global: this token can change and delete apps, but gatekeeper only "
            f"reads; a read token would do (scope: {shown})",
            f"Create one with `{READ_TOKEN_COMMAND}`, use it instead, and revoke "
            "this one with `heroku authorizations:revoke ID` if nothing else needs it.",
            {"scope": scope, "global": True},
        )
    return Check("scope", "ok", shown, None, {"scope": scope, "global": False})


def _token_of(value: Any) -> str | None:
    secret = value.get("token") if isinstance(value, dict) else None
    return secret if isinstance(secret, str) and secret else None


def _scope_unknown(why: str) -> Check:
    return Check(
        "scope",
        "info",
        f"unknown: {why}",
        "`heroku authorizations` lists your tokens and their scopes; gatekeeper "
        f"needs only read (`{READ_TOKEN_COMMAND}`).",
        {"scope": None, "global": None},
    )


def _rate_limit_check(client: HerokuClient) -> Check:
    from gatekeeper.errors import CouldNotEvaluate
    from gatekeeper.heroku.endpoints import RATE_LIMITS

    try:
        body = client.get(RATE_LIMITS.path())
    except CouldNotEvaluate as exc:
        return Check("rate-limit", "info", f"unknown: {exc.message}", None, {"remaining": None})
    remaining = body.get("remaining") if isinstance(body, dict) else None
    if not isinstance(remaining, int) or isinstance(remaining, bool):
        return Check(
            "rate-limit",
            "info",
            "unknown: the API's answer has no number",
            None,
            {"remaining": None},
        )
    if remaining < LOW_RATE_LIMIT:
        return Check(
            "rate-limit",
            "warn",
            f"{remaining} requests left",
            "Heroku refills about 75 a minute; audits will run slowly until then.",
            {"remaining": remaining},
        )
    return Check("rate-limit", "ok", f"{remaining} requests left", None, {"remaining": remaining})


# -- keyring and policy -----------------------------------------------------------------------


def _check_keyring(diagnosis: Diagnosis) -> None:
    from gatekeeper.heroku.credentials import TOKEN_ENV, keyring_available

    try:
        import keyring

        backend = keyring.get_keyring()
        name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    except Exception as exc:  # noqa: BLE001 - a broken keyring is a finding, not a crash
        name = f"unusable ({type(exc).__name__})"
    if keyring_available():
        diagnosis.add(
            Check(
                "keyring",
                "ok",
                f"{name} (usable by `gatekeeper login`)",
                None,
                {"backend": name, "usable": True},
            )
        )
    else:
        diagnosis.add(
            Check(
                "keyring",
                "info",
                f"{name}: cannot store a token",
                f"Use {TOKEN_ENV}, or install a keyring backend to use `gatekeeper login`.",
                {"backend": name, "usable": False},
            )
        )


def _check_policy(diagnosis: Diagnosis, flag: str | None) -> None:
    from gatekeeper.errors import PolicyError
    from gatekeeper.policy import load_policy
    from gatekeeper.usecases.policy_file import (
        DEFAULT_POLICY_FILE,
        POLICY_ENV,
        locate_policy,
        unusable,
    )

    location = locate_policy(flag)
    path, origin = location.path, location.origin
    details: dict[str, Any] = {
        "path": str(path),
        "origin": origin,
        "valid": False,
        "sha256": None,
        "problems": [],
    }
    problem = unusable(path)
    if problem is not None:
        diagnosis.usage_failed = True
        diagnosis.add(
            Check(
                "policy",
                "fail",
                f"{path} (from {origin}) {problem}",
                f"Give one with --policy FILE or {POLICY_ENV}, or put "
                f"{DEFAULT_POLICY_FILE} in the current directory.",
                details,
            )
        )
        return
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        diagnosis.usage_failed = True
        details["problems"] = [str(p) for p in exc.problems]
        count = len(exc.problems)
        diagnosis.add(
            Check(
                "policy",
                "fail",
                f"{path} (from {origin}) is invalid: {count} problem{'s' if count != 1 else ''}",
                "Run `gatekeeper policy validate FILE` for every problem with its line.",
                details,
            )
        )
        return
    details.update(valid=True, sha256=policy.sha256)
    diagnosis.add(
        Check(
            "policy", "ok", f"{path} (from {origin}): valid, sha256 {policy.sha256}", None, details
        )
    )
