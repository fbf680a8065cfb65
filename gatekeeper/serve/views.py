"""The HTML pages of ``gatekeeper serve``: Jinja2 templates (autoescaping on) over the
dashboard use case (``gatekeeper.usecases.dashboard``).

Pages never run inline script: the dashboard's live updates come from ``static/app.js``,
which polls the JSON API. Every form carries the session's CSRF token, checked on POST.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from gatekeeper.serve import auth
from gatekeeper.serve.api import DECISIONS, read_form
from gatekeeper.serve.security import OWN_CSP_HEADER, report_csp

if TYPE_CHECKING:
    from jinja2 import Environment
    from starlette.requests import Request

PAGE_SIZE = 100


def templates() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("gatekeeper.serve", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    from gatekeeper.usecases.dashboard import format_moment

    env.filters["utc"] = format_moment
    return env


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    state = request.app.state
    user = auth.current_user(request)
    html = state.templates.get_template(template).render(
        request=request,
        user=user,
        csrf=auth.csrf_token(request),
        auth_enabled=state.settings.auth_enabled,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def not_found(request: Request, what: str) -> HTMLResponse:
    return page(request, "message.html", 404, title="Not found", message=what)


def dashboard(request: Request) -> HTMLResponse:
    from gatekeeper.usecases.dashboard import overview

    state = request.app.state
    seen = overview(state.store, state.policy)
    teams = sorted(seen.counts.by_team.items(), key=lambda item: (item[0] is None, item[0] or ""))
    queued = request.query_params.get("audit") == "queued"
    return page(request, "dashboard.html", seen=seen, teams=teams, queued=queued)


def apps(request: Request) -> HTMLResponse:
    query = request.query_params
    decision = query.get("decision") or None
    if decision not in (None, *DECISIONS):
        decision = None
    team = query.get("team") or None
    listed = request.app.state.store.list_apps(
        decision=decision, team=team, after=query.get("after") or None, limit=PAGE_SIZE
    )
    return page(request, "apps.html", listed=listed, decision=decision, team=team)


def app(request: Request) -> HTMLResponse:
    from gatekeeper.usecases.dashboard import app_detail

    name = request.path_params["name"]
    detail = app_detail(request.app.state.store, name)
    if detail is None:
        return not_found(request, f"No app {name!r} in the store yet.")
    return page(request, "app.html", detail=detail)


def audits(request: Request) -> HTMLResponse:
    records = request.app.state.store.list(limit=100)
    return page(request, "audits.html", records=records)


def audit_report(request: Request) -> Response:
    from gatekeeper.usecases.dashboard import audit_html

    state = request.app.state
    shown = audit_html(state.store, state.policy, request.path_params["audit_id"])
    if shown is None:
        return not_found(request, "No such audit.")
    html, policy = shown
    return HTMLResponse(html, headers={OWN_CSP_HEADER: report_csp(policy)})


def register_download(request: Request) -> Response:
    """The register of the latest recorded audit (``register --from-history``), as a file in
    the format the path names: ``/register.csv``, ``.xlsx``, ``.json``, ``.html``."""
    from gatekeeper.errors import UsageError
    from gatekeeper.register.formats import get_register_formatter, register_format_names
    from gatekeeper.register.formats.interface import render_bytes
    from gatekeeper.usecases.register import latest_register

    fmt = request.path_params["fmt"]
    if fmt not in register_format_names():
        return not_found(request, "No such register format.")
    try:
        outcome = latest_register(request.app.state.store, None)
        formatter = get_register_formatter(fmt)
        body = render_bytes(formatter, outcome.register)
    except UsageError as exc:  # no audit yet, one without a register, openpyxl missing
        return page(request, "message.html", 404, title="No register", message=exc.user_message())
    return Response(
        body,
        media_type=formatter.media_type,
        headers={"Content-Disposition": f'attachment; filename="register{formatter.extension}"'},
    )


def audit_diff(request: Request) -> HTMLResponse:
    from gatekeeper.usecases.dashboard import audit_diff as diff_of

    params = request.path_params
    diff = diff_of(request.app.state.store, params["audit_id"], params["other_id"])
    if diff is None:
        return not_found(request, "No such audit.")
    return page(request, "diff.html", diff=diff)


def login_form(request: Request) -> Response:
    """The login page; a signed-in user (or anybody, under ``--no-auth``) goes on."""
    if auth.current_user(request) is not None:
        return RedirectResponse(auth.safe_next(request.query_params.get("next")), 303)
    return login_page(request)


def login_page(request: Request, *, failed: bool = False) -> HTMLResponse:
    settings = request.app.state.settings
    return page(
        request,
        "login.html",
        401 if failed else 200,
        failed=failed,
        token_mode=bool(settings.dashboard_token),
        oidc_enabled=settings.oidc_enabled,
        next=auth.safe_next(request.query_params.get("next")),
    )


async def login(request: Request) -> Response:
    form = await read_form(request)
    if not auth.csrf_ok(request, form.get(auth.CSRF_FIELD)):
        return page(request, "message.html", 403, title="Forbidden", message=_CSRF_MESSAGE)
    if not auth.token_matches(request.app.state.settings, form.get("token")):
        return login_page(request, failed=True)
    auth.sign_in(request, "dashboard token", "token")
    return RedirectResponse(auth.safe_next(form.get("next")), status_code=303)


async def logout(request: Request) -> Response:
    form = await read_form(request)
    if not auth.csrf_ok(request, form.get(auth.CSRF_FIELD)):
        return page(request, "message.html", 403, title="Forbidden", message=_CSRF_MESSAGE)
    auth.sign_out(request)
    return RedirectResponse("/login", status_code=303)


async def run_audit(request: Request) -> Response:
    """The dashboard's "Audit now" button (a form, so it needs the CSRF token)."""
    form = await read_form(request)
    state = request.app.state
    if state.settings.auth_enabled and not auth.csrf_ok(request, form.get(auth.CSRF_FIELD)):
        return page(request, "message.html", 403, title="Forbidden", message=_CSRF_MESSAGE)
    if not state.settings.audit_scope:
        message = "Set GATEKEEPER_AUDIT_SCOPE to audit from the dashboard."
        return page(request, "message.html", 503, title="No audit scope", message=message)
    await run_in_threadpool(state.store.queue_job, "audit")
    return RedirectResponse("/?audit=queued", status_code=303)


_CSRF_MESSAGE = "The form's CSRF token is missing or wrong: reload the page and try again."
