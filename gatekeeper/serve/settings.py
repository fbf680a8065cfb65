"""The settings of ``gatekeeper serve``, from its options and the environment.

Environment (docs/heroku-auditor.md):

- ``GATEKEEPER_DASHBOARD_TOKEN``: token mode: the API takes it as ``Authorization: Bearer``,
  the browser on the login form.
- ``GATEKEEPER_OIDC_ISSUER``: OpenID Connect mode is on when it is set (its routes come from
  ``gatekeeper.serve.oidc``, passed to ``create_app`` as ``extra_routes``).
- ``GATEKEEPER_SESSION_SECRET``: the key that signs session cookies; without it a random key
  per process (sessions end when it restarts, and several web dynos need one shared key).
- ``GATEKEEPER_WEBHOOK_SECRET``: the secret of the Heroku webhook subscriptions; without it
  the receiver refuses every delivery (503) and records nothing.
- ``GATEKEEPER_WEBHOOK_RATE``: deliveries a minute one client may send (default 600).
- ``GATEKEEPER_AUDIT_SCOPE`` and ``GATEKEEPER_AUDIT_EVERY``: the scheduled audit of the worker
  (``24h``, ``30m``); ``POST /api/v1/audits`` audits that scope now.
- ``GATEKEEPER_JOB_LEASE``: seconds after which a job whose worker went silent is claimed
  again (default 600).
- ``GATEKEEPER_POLICY``, ``DATABASE_URL``, ``GATEKEEPER_NOTIFY_URL``, ``HEROKU_API_KEY``,
  ``HEROKU_HOST``: as for ``gatekeeper audit``.

Without a dashboard token and without OpenID Connect the server would show the estate to
anybody: it refuses to start unless it is bound to loopback and ``--no-auth`` is given.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gatekeeper.errors import UsageError
from gatekeeper.redact import register_secret

if TYPE_CHECKING:
    from gatekeeper.notify import Target

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WEBHOOK_RATE = 600
DEFAULT_LEASE_SECONDS = 600.0
INSTALL_HINT = (
    "Install the serve extra with the exact artefact you installed (docs/install.md), e.g. "
    'python -m pip install "heroku-gatekeeper[serve] @ git+https://github.com/OWNER/'
    'heroku-gatekeeper@FULL_COMMIT_SHA", or from a checkout: python -m pip install ".[serve]".'
)


@dataclass(frozen=True)
class Settings:
    """Everything the web app and the worker read, fixed when they start."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    no_auth: bool = False
    dashboard_token: str | None = field(default=None, repr=False)
    oidc_enabled: bool = False
    session_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_rate: int = DEFAULT_WEBHOOK_RATE
    audit_scope: str | None = None
    audit_every: float | None = None
    job_lease: float = DEFAULT_LEASE_SECONDS
    policy_path: str | None = None
    store_url: str | None = None
    api_url: str | None = None
    # The Heroku token for the worker; None: resolved as for `check` (HEROKU_API_KEY, ...).
    api_token: str | None = field(default=None, repr=False)
    # Where notifications go (GATEKEEPER_NOTIFY_URL: every channel of `audit --notify`),
    # parsed once when the settings are read, as audit parses --notify before it runs.
    notify_targets: tuple[Target, ...] = field(default=(), repr=False)
    # Session cookies are Secure except on plain http to loopback (tests, a laptop): a
    # browser would not send a Secure cookie back over http.
    secure_cookies: bool = True
    # On Heroku the router is the client; it appends the real one to X-Forwarded-For.
    behind_proxy: bool = False

    @property
    def auth_enabled(self) -> bool:
        return bool(self.dashboard_token) or self.oidc_enabled


def from_environment(
    *,
    host: str | None = None,
    port: int | None = None,
    no_auth: bool = False,
    policy_path: str | None = None,
    store_url: str | None = None,
    api_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """The settings of one server or worker; a ``UsageError`` (exit 2) for a bad value.
    Every secret read is registered with ``gatekeeper.redact`` first."""
    from gatekeeper.heroku.config import is_loopback

    env = os.environ if env is None else env
    for name in (
        "GATEKEEPER_DASHBOARD_TOKEN",
        "GATEKEEPER_WEBHOOK_SECRET",
        "GATEKEEPER_SESSION_SECRET",
        "GATEKEEPER_NOTIFY_URL",
    ):
        if env.get(name):
            register_secret(env[name])
    bind = host or DEFAULT_HOST
    chosen_port = port if port is not None else _number(env, "PORT", DEFAULT_PORT)
    every = env.get("GATEKEEPER_AUDIT_EVERY") or None
    settings = Settings(
        host=bind,
        port=int(chosen_port),
        no_auth=no_auth,
        dashboard_token=env.get("GATEKEEPER_DASHBOARD_TOKEN") or None,
        oidc_enabled=bool(env.get("GATEKEEPER_OIDC_ISSUER", "").strip()),
        session_secret=env.get("GATEKEEPER_SESSION_SECRET") or secrets.token_urlsafe(32),
        webhook_secret=env.get("GATEKEEPER_WEBHOOK_SECRET") or None,
        webhook_rate=int(_number(env, "GATEKEEPER_WEBHOOK_RATE", DEFAULT_WEBHOOK_RATE)),
        audit_scope=env.get("GATEKEEPER_AUDIT_SCOPE") or None,
        audit_every=_duration(every) if every else None,
        job_lease=_number(env, "GATEKEEPER_JOB_LEASE", DEFAULT_LEASE_SECONDS),
        policy_path=policy_path,
        store_url=store_url,
        api_url=api_url,
        notify_targets=_notify_targets(env),
        secure_cookies=not is_loopback(bind),
        behind_proxy=bool(env.get("DYNO")),
    )
    if settings.audit_scope:
        from gatekeeper.usecases.watch import audit_scope

        audit_scope(settings.audit_scope)  # a bad scope stops the start, not the first audit
    return settings


def _notify_targets(env: Mapping[str, str]) -> tuple[Target, ...]:
    """The targets of ``GATEKEEPER_NOTIFY_URL`` (none when empty); a bad one, or an e-mail
    target without its SMTP settings, stops the start with the variable's name."""
    text = env.get("GATEKEEPER_NOTIFY_URL", "")
    if not text.strip():
        return ()
    from gatekeeper.notify import parse_targets

    return tuple(parse_targets([text], source="GATEKEEPER_NOTIFY_URL", env=env))


def check_access(settings: Settings) -> None:
    """Refuse to serve the estate to anybody (see the module docstring)."""
    from gatekeeper.heroku.config import is_loopback

    if settings.auth_enabled:
        if settings.no_auth:
            raise UsageError(
                "--no-auth was given, but GATEKEEPER_DASHBOARD_TOKEN or GATEKEEPER_OIDC_ISSUER "
                "is set.",
                hint="Remove --no-auth, or unset both to run without a login on loopback.",
            )
        return
    if settings.no_auth and is_loopback(settings.host):
        return
    raise UsageError(
        "gatekeeper serve needs a login: the dashboard shows the whole estate's compliance state.",
        hint="Set GATEKEEPER_DASHBOARD_TOKEN (a long random token) or GATEKEEPER_OIDC_ISSUER; "
        "only on 127.0.0.1 may --no-auth run it without one.",
    )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or (name == "PORT" and not (0 <= value <= 65535 and value.is_integer())):
        raise UsageError(f"The environment variable {name} is {text!r}, not a number we can use.")
    return value


def _duration(text: str) -> float:
    from gatekeeper.commands.audit import parse_duration

    try:
        return parse_duration(text)
    except UsageError:
        raise UsageError(
            f"GATEKEEPER_AUDIT_EVERY is {text!r}, not a duration like 24h, 30m or 90s."
        ) from None
