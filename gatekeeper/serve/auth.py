"""Who may see the dashboard: the session, the login gate, CSRF tokens, the token login.

The session is Starlette's signed cookie (``SessionMiddleware``, itsdangerous): ``HttpOnly``,
``SameSite=Lax``, and ``Secure`` unless the server is bound to loopback over plain http (a
browser would not send a Secure cookie back there). The signed-in user is
``request.session["user"] = {"name": ..., "via": "token" | "oidc"}``: ``sign_in`` sets it
(and rotates the CSRF token, so a token planted before the login is useless after it),
``sign_out`` clears the session. The OpenID Connect routes (``gatekeeper.serve.oidc``) call
the same ``sign_in``.

``LoginGate`` stands before every route but the public ones (``/healthz``, the webhook
receiver, the login pages and the static files): an unauthenticated browser is sent to
``GET /login``, an API call (``/api/...``) gets 401 JSON. The API also takes the dashboard
token as ``Authorization: Bearer``. Tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.responses import JSONResponse, RedirectResponse

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

    from gatekeeper.serve.settings import Settings

SESSION_COOKIE = "gatekeeper_session"
SESSION_MAX_AGE = 8 * 3600  # a working day
CSRF_FIELD = "csrf"
PUBLIC_PATHS = ("/healthz", "/webhooks/heroku", "/login")
PUBLIC_PREFIXES = ("/static/", "/auth/oidc/")
ANONYMOUS = {"name": "anonymous (--no-auth)", "via": "none"}


def sign_in(request: Request, name: str, via: str) -> None:
    """Make ``name`` the signed-in user of this session (``via`` "token" or "oidc")."""
    request.session.clear()
    request.session["user"] = {"name": name, "via": via}
    request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request) -> dict[str, str] | None:
    user = request.scope.get("gatekeeper.user")
    return user if isinstance(user, dict) else None


def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use), for the hidden field of a form."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, submitted: object) -> bool:
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def token_matches(settings: Settings, given: str | None) -> bool:
    expected = settings.dashboard_token
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def safe_next(target: object) -> str:
    """Where to go after the login: a path on this site only (never ``//host`` or a URL)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ord(c) < 32 for c in target)
    ):
        return target
    return "/"


class LoginGate:
    """ASGI middleware (inside ``SessionMiddleware``): see the module docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request

        request = Request(scope)
        user = self._user(request)
        if user is not None:
            scope["gatekeeper.user"] = user
        if user is not None or is_public(request.url.path):
            await self.app(scope, receive, send)
            return
        response: Any
        if request.url.path.startswith("/api/"):
            response = JSONResponse(
                {"error": "unauthenticated", "message": "Sign in, or send the dashboard token."},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="gatekeeper"'},
            )
        else:
            wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(wanted, safe='/')}", status_code=303)
        await response(scope, receive, send)

    def _user(self, request: Request) -> dict[str, str] | None:
        if not self.settings.auth_enabled:
            return dict(ANONYMOUS)  # --no-auth on loopback (checked at start)
        if request.url.path.startswith("/api/") and token_matches(self.settings, bearer(request)):
            return {"name": "API token", "via": "token"}
        user = request.session.get("user")
        if isinstance(user, dict) and isinstance(user.get("name"), str):
            return {"name": user["name"], "via": str(user.get("via", ""))}
        return None
