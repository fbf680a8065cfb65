"""The ASGI app of ``gatekeeper serve``: routes, middleware, and what they share.

``create_app(settings, extra_routes=...)`` opens the history store (``DATABASE_URL`` or
``--store``) and the policy once; every request uses them (the store is safe to share
between threads). ``extra_routes`` are added as they are: the OpenID Connect login
(``gatekeeper.serve.oidc.oidc_routes``, under ``/auth/oidc/``) when
``GATEKEEPER_OIDC_ISSUER`` is set.

Middleware, outermost first: the security headers, the signed session cookie, the login
gate (``gatekeeper.serve.auth``). Expected failures (``GatekeeperError``) become an answer by
their category: the store or the API unreachable is 503, never a traceback; the message is
the error's own, which never carries a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from gatekeeper.errors import GatekeeperError
from gatekeeper.serve import api, auth, views
from gatekeeper.serve.ratelimit import RateLimiter
from gatekeeper.serve.receiver import heroku_webhook
from gatekeeper.serve.security import SecurityHeaders

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request

    from gatekeeper.policy import Policy
    from gatekeeper.serve.settings import Settings
    from gatekeeper.store.live import LiveStore

_STATUS = {"usage": 400, "policy": 400, "input": 400}


def healthz(request: Request) -> JSONResponse:
    try:
        request.app.state.store.pending_jobs()
    except GatekeeperError:
        return JSONResponse({"status": "error", "store": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "store": "ok"})


def routes() -> list[BaseRoute]:
    from importlib.resources import files

    static = str(files("gatekeeper.serve").joinpath("static"))
    return [
        Route("/healthz", healthz),
        Route("/webhooks/heroku", heroku_webhook, methods=["POST"]),
        Route("/login", views.login_form, methods=["GET"]),
        Route("/login", views.login, methods=["POST"]),
        Route("/logout", views.logout, methods=["POST"]),
        Route("/", views.dashboard),
        Route("/apps", views.apps),
        Route("/apps/{name}", views.app),
        Route("/audits", views.audits),
        Route("/audits/run", views.run_audit, methods=["POST"]),
        Route("/audits/{audit_id:int}", views.audit_report),
        Route("/audits/{audit_id:int}/diff/{other_id:int}", views.audit_diff),
        Route("/register.{fmt}", views.register_download),
        Route("/api/v1/apps", api.apps),
        Route("/api/v1/apps/{name}", api.app),
        Route("/api/v1/summary", api.summary),
        Route("/api/v1/audits", api.start_audit, methods=["POST"]),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]


def create_app(
    settings: Settings,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    store: LiveStore | None = None,
    policy: Policy | None = None,
) -> Starlette:
    """The app; ``store`` and ``policy`` are opened from ``settings`` unless given."""
    from gatekeeper.usecases.policy_file import open_policy
    from gatekeeper.usecases.watch import open_live_store

    opened = store if store is not None else open_live_store(settings.store_url)
    loaded = policy if policy is not None else open_policy(settings.policy_path)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if store is None:
            opened.close()

    app = Starlette(
        routes=[*extra_routes, *routes()],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                SessionMiddleware,
                secret_key=settings.session_secret,
                session_cookie=auth.SESSION_COOKIE,
                max_age=auth.SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.secure_cookies,
            ),
            Middleware(auth.LoginGate, settings=settings),
        ],
        exception_handlers={GatekeeperError: _failure},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = opened
    app.state.policy = loaded
    app.state.templates = views.templates()
    app.state.limiter = RateLimiter(settings.webhook_rate)
    return app


def _failure(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatekeeperError)
    status = _STATUS.get(exc.category, 503)
    body: dict[str, Any] = {"error": exc.category, "message": exc.user_message()}
    if request.url.path.startswith("/api/") or request.url.path.startswith("/webhooks/"):
        return JSONResponse(body, status_code=status)
    return views.page(
        request, "message.html", status, title="Could not answer", message=body["message"]
    )
