"""Sign-in to ``gatekeeper serve`` with OpenID Connect, against the institution's identity
provider (issue 14).

The flow is the authorization code flow with PKCE (S256): ``GET /auth/oidc/login`` keeps a
fresh state, nonce and code verifier in the session and sends the browser to the provider;
``GET /auth/oidc/callback`` takes the code back, checks the state against the session,
exchanges the code at the provider's token endpoint and validates the ID token: its signature
with a key of the provider's JWKS (algorithms the discovery document allows), the issuer (the
configured one, which the discovery document must also name), the audience (the client id),
the expiry and issue time (with :data:`CLOCK_LEEWAY`) and the nonce. Only then is the user
judged: a verified e-mail address in an allowed domain and/or a group claim naming an allowed
group. Anything else answers 403 with one sentence of reason and signs nobody in (fail closed);
no token, code or secret is ever echoed, logged or put in an exception message.

Why Authlib: it is the well-kept OAuth/OpenID client for Python with a Starlette integration
(state data in ``request.session``, PKCE, nonce, discovery, JWKS with key rotation through
joserfc), so none of the protocol is written here. Two of its defaults are tightened: it checks
the audience only through ``azp``, so the ``aud`` and ``iss`` claims are required explicitly,
and its clock leeway of 120 s becomes :data:`CLOCK_LEEWAY`. Its HTTP client is httpx, used
inside Authlib only: this module never imports httpx (``gatekeeper/transport.py`` stays the
only httpx importer of the CLI's code), and a failed request to the provider is a 502 here.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.starlette_client import OAuth, OAuthError
from joserfc.errors import ExpiredTokenError, JoseError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gatekeeper.errors import UsageError
from gatekeeper.heroku.config import is_loopback
from gatekeeper.redact import register_secret

ISSUER_ENV = "GATEKEEPER_OIDC_ISSUER"
CLIENT_ID_ENV = "GATEKEEPER_OIDC_CLIENT_ID"
CLIENT_SECRET_ENV = "GATEKEEPER_OIDC_CLIENT_SECRET"
ALLOWED_DOMAINS_ENV = "GATEKEEPER_OIDC_ALLOWED_DOMAINS"
ALLOWED_GROUPS_ENV = "GATEKEEPER_OIDC_ALLOWED_GROUPS"
GROUPS_CLAIM_ENV = "GATEKEEPER_OIDC_GROUPS_CLAIM"
REDIRECT_URI_ENV = "GATEKEEPER_OIDC_REDIRECT_URI"

#: Seconds of clock difference tolerated between this server and the provider when the ID
#: token's ``exp`` and ``iat`` are checked (Authlib's default is 120).
CLOCK_LEEWAY = 60
#: Seconds to wait for each answer of the provider (discovery, JWKS, token endpoint).
PROVIDER_TIMEOUT = 10.0
LOGIN_PATH = "/auth/oidc/login"
CALLBACK_PATH = "/auth/oidc/callback"
_CLIENT_NAME = "gatekeeper"

log = logging.getLogger(__name__)


class _NoCodeVerifier(logging.Filter):
    """Drops Authlib's DEBUG line that quotes each PKCE code verifier
    (``authlib/integrations/base_client/sync_app.py``): the verifier is the secret half of
    PKCE, and secrets never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Using code_verifier")


logging.getLogger("authlib.integrations.base_client.sync_app").addFilter(_NoCodeVerifier())


@dataclass(frozen=True)
class OidcSettings:
    """Who the provider is, who this server is to it, and who may sign in.

    ``allowed_domains`` and ``allowed_groups``: at least one is set; when both are, a user
    needs both (an address in an allowed domain and membership of an allowed group).
    """

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    allowed_domains: tuple[str, ...] = ()
    allowed_groups: tuple[str, ...] = ()
    groups_claim: str = "groups"
    #: The callback URL registered at the provider; None: derived from the request (behind a
    #: proxy that terminates TLS, set it, or the provider sees an http:// address).
    redirect_uri: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> OidcSettings | None:
        """The settings from ``GATEKEEPER_OIDC_*``; None when no issuer is configured.

        Raises ``UsageError`` (exit 2) for a partial or invalid configuration, naming the
        variable; the client secret is never part of a message.
        """
        issuer = environ.get(ISSUER_ENV, "").strip()
        if not issuer:
            return None
        client_id = environ.get(CLIENT_ID_ENV, "").strip()
        secret = environ.get(CLIENT_SECRET_ENV, "").strip()
        for name, value in ((CLIENT_ID_ENV, client_id), (CLIENT_SECRET_ENV, secret)):
            if not value:
                raise UsageError(
                    f"{ISSUER_ENV} is set but {name} is not: OpenID Connect sign-in needs the "
                    f"issuer, the client id and the client secret together.",
                    hint=f"Set {name} to the value the identity provider gave when this "
                    f"server was registered, or unset {ISSUER_ENV} to sign in otherwise.",
                )
        register_secret(secret)
        domains = tuple(d.lower().lstrip("@") for d in _list(environ.get(ALLOWED_DOMAINS_ENV)))
        groups = _list(environ.get(ALLOWED_GROUPS_ENV))
        if not domains and not groups:
            raise UsageError(
                f"{ISSUER_ENV} is set but neither {ALLOWED_DOMAINS_ENV} nor "
                f"{ALLOWED_GROUPS_ENV} is: nobody would be allowed to sign in.",
                hint=f"Set {ALLOWED_DOMAINS_ENV} (e.g. uni-example.edu) and/or "
                f"{ALLOWED_GROUPS_ENV} (e.g. dpo,it-security), comma-separated.",
            )
        groups_claim = environ.get(GROUPS_CLAIM_ENV, "").strip() or "groups"
        redirect_uri = environ.get(REDIRECT_URI_ENV, "").strip() or None
        return cls(
            issuer=_checked_url(issuer, ISSUER_ENV).rstrip("/"),
            client_id=client_id,
            client_secret=secret,
            allowed_domains=domains,
            allowed_groups=groups,
            groups_claim=groups_claim,
            redirect_uri=_checked_url(redirect_uri, REDIRECT_URI_ENV) if redirect_uri else None,
        )

    def refusal(self, claims: Mapping[str, Any]) -> str | None:
        """Why the user of these validated ID token claims may not sign in; None: they may."""
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            return "The identity provider did not say who you are (no e-mail address)."
        if claims.get("email_verified") is False:
            return "Your e-mail address is not verified at the identity provider."
        if self.allowed_domains:
            domain = email.rsplit("@", 1)[1].lower()
            if domain not in self.allowed_domains:
                return "Your account is not allowed to sign in here (e-mail domain)."
        if self.allowed_groups:
            groups = claims.get(self.groups_claim)
            member_of = {groups} if isinstance(groups, str) else set(groups or ())
            if not member_of & set(self.allowed_groups):
                return "Your account is not allowed to sign in here (group)."
        return None


def oidc_routes(
    settings: OidcSettings,
    sign_in: Callable[[Request, str, str], None],
    *,
    after_login: str = "/",
) -> list[BaseRoute]:
    """The login and callback routes; the app must run Starlette's ``SessionMiddleware``.

    On success ``sign_in(request, email, "oidc")`` is called and the browser is sent to
    ``after_login``; on any rejection the answer is 403 (502 when the provider could not be
    asked) with a one-sentence reason.
    """
    scopes = "openid email" + (" groups" if settings.allowed_groups else "")
    oauth = OAuth()
    client: Any = oauth.register(
        _CLIENT_NAME,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=f"{settings.issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "timeout": PROVIDER_TIMEOUT,
            # The environment's proxies, but never for a provider on loopback.
            "trust_env": not is_loopback(urlsplit(settings.issuer).hostname or ""),
        },
    )

    async def login(request: Request) -> Response:
        redirect_uri = settings.redirect_uri or str(request.url_for("oidc_callback"))
        try:
            await _checked_discovery(client, settings)
            response: Response = await client.authorize_redirect(request, redirect_uri)
        except Exception as exc:  # noqa: BLE001 - see _unreachable
            return _unreachable(exc)
        return response

    async def callback(request: Request) -> Response:
        try:
            # The state is checked first, against the session: a stray callback costs no
            # request to the provider.
            token = await client.authorize_access_token(
                request,
                leeway=CLOCK_LEEWAY,
                claims_options={
                    "iss": {"essential": True, "value": settings.issuer},
                    "aud": {"essential": True, "value": settings.client_id},
                },
            )
            await _checked_discovery(client, settings)
        except (OAuthError, JoseError) as exc:
            return _refused(_reason(exc), exc)
        except Exception as exc:  # noqa: BLE001 - see _unreachable
            return _unreachable(exc)
        claims = token.get("userinfo")
        if not isinstance(claims, Mapping):
            return _refused("The identity provider sent no ID token.", None)
        if reason := settings.refusal(claims):
            return _refused(reason, None)
        email = str(claims["email"])
        sign_in(request, email, "oidc")
        log.info("signed in with OpenID Connect: %s", email)
        return RedirectResponse(after_login, status_code=303)

    return [
        Route(LOGIN_PATH, login, methods=["GET"], name="oidc_login"),
        Route(CALLBACK_PATH, callback, methods=["GET"], name="oidc_callback"),
    ]


async def _checked_discovery(client: Any, settings: OidcSettings) -> None:
    """The discovery document must name the configured issuer (OpenID Connect Discovery 1.0,
    section 4.3): a document that names another is not this provider's."""
    metadata = await client.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != settings.issuer:
        raise IssuerMismatch


class IssuerMismatch(Exception):
    """The discovery document names another issuer than the configured one."""


def _reason(exc: OAuthError | JoseError) -> str:
    """One sentence for the user about why the sign-in was refused; never the token."""
    if isinstance(exc, OAuthError):
        if exc.error == "mismatching_state":
            return (
                "The sign-in answer does not belong to a sign-in started in this browser "
                "(bad or reused state); please start again."
            )
        if exc.error in {"access_denied", "login_required", "consent_required"}:
            return "The identity provider did not grant the sign-in."
        return "The identity provider did not accept the sign-in (the code was refused)."
    if isinstance(exc, ExpiredTokenError):
        return "The ID token has expired; please sign in again (check the server's clock)."
    claim = getattr(exc, "claim", None)
    if claim == "aud" or claim == "azp":
        return "The ID token is meant for another application (wrong audience)."
    if claim == "iss":
        return "The ID token comes from another issuer than the configured one."
    if claim == "nonce":
        return "The ID token does not belong to this sign-in (nonce mismatch)."
    if claim in {"iat", "nbf"}:
        return "The ID token is not valid yet; check the server's clock."
    return "The ID token could not be verified (signature or claims)."


def _refused(reason: str, exc: Exception | None) -> Response:
    # The exception's class only: its description may quote the provider's answer.
    log.warning(
        "OpenID Connect sign-in refused: %s%s", reason, f" ({type(exc).__name__})" if exc else ""
    )
    return _page(403, "Sign-in refused", reason)


def _unreachable(exc: Exception) -> Response:
    """Any other failure while talking to the provider (network, a discovery document that
    is not JSON or names another issuer): nobody is signed in (fail closed). The exception
    types come from httpx inside Authlib, which this module does not import (module
    docstring), hence the broad catch; only the class name is logged."""
    log.warning("OpenID Connect provider could not be used: %s", type(exc).__name__)
    return _page(
        502,
        "Sign-in unavailable",
        "The identity provider could not be reached or answered something unusable; "
        "nobody was signed in.",
    )


def _page(status: int, title: str, sentence: str) -> HTMLResponse:
    body = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>\n"
        f'<p>{html.escape(sentence)}</p>\n<p><a href="{LOGIN_PATH}">Sign in again</a></p>'
        "</body></html>\n"
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _checked_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"{name} must be an https URL, such as https://login.uni-example.edu.")
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise UsageError(f"{name} must not contain credentials, a query or a fragment.")
    if parts.scheme == "http" and not is_loopback(host):
        raise UsageError(
            f"{name} uses plain http to {host}: the sign-in would travel unencrypted.",
            hint="Use https; plain http is only for a provider on loopback (tests).",
        )
    return url
