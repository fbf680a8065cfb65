"""The JSON API of ``gatekeeper serve`` (``/api/v1/...``), behind the login gate.

- ``GET /api/v1/apps?decision=&team=&after=&limit=``: ``{"apps": [{"name", "team",
  "region", "decision", "checked_at", "source"}], "next": URL or null}``, by name; ``next``
  is the same query for the following page.
- ``GET /api/v1/apps/NAME``: the app as in ``gatekeeper.report/v1``, plus ``checked_at``
  and ``source``; 404 for an app not in the store.
- ``POST /api/v1/audits``: queue an audit of ``GATEKEEPER_AUDIT_SCOPE`` now (202). With the
  session cookie (the dashboard's button) it needs the session's CSRF token, in the form or
  the ``X-CSRF-Token`` header; with ``Authorization: Bearer`` it does not.
- ``GET /api/v1/summary``: the counts and the last event, which the dashboard polls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from gatekeeper.serve import auth

if TYPE_CHECKING:
    from starlette.requests import Request

DECISIONS = ("allow", "warn", "block")
MAX_LIMIT = 500


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def apps(request: Request) -> JSONResponse:
    from gatekeeper.usecases.dashboard import summary_document

    query = request.query_params
    decision = query.get("decision") or None
    if decision is not None and decision not in DECISIONS:
        return error(400, "invalid", "decision is one of allow, warn, block.")
    try:
        limit = int(query.get("limit", "100"))
    except ValueError:
        limit = -1
    if not 1 <= limit <= MAX_LIMIT:
        return error(400, "invalid", f"limit is a whole number from 1 to {MAX_LIMIT}.")
    team = query.get("team") or None
    page = request.app.state.store.list_apps(
        decision=decision, team=team, after=query.get("after") or None, limit=limit
    )
    following = None
    if page.after is not None:
        params = {k: v for k, v in (("decision", decision), ("team", team)) if v}
        params |= {"after": page.after, "limit": str(limit)}
        following = f"/api/v1/apps?{urlencode(params)}"
    return JSONResponse({"apps": [summary_document(app) for app in page.apps], "next": following})


def app(request: Request) -> JSONResponse:
    from gatekeeper.usecases.dashboard import app_document

    document = app_document(request.app.state.store, request.path_params["name"])
    if document is None:
        return error(404, "not-found", "No such app in the store.")
    return JSONResponse(document)


def summary(request: Request) -> JSONResponse:
    from gatekeeper.usecases.dashboard import format_moment, overview

    seen = overview(request.app.state.store, request.app.state.policy)
    last = seen.last_event
    body: dict[str, Any] = {
        "decision": seen.decision,
        "total": seen.total,
        "counts": dict(seen.counts.overall),
        "pending_jobs": seen.pending_jobs,
        "last_event": None
        if last is None
        else {
            "resource": last.resource,
            "action": last.action,
            "app": last.app_name,
            "received_at": format_moment(last.received_at),
        },
    }
    return JSONResponse(body)


async def start_audit(request: Request) -> JSONResponse:
    state = request.app.state
    if not auth.token_matches(state.settings, auth.bearer(request)):
        form = await read_form(request)
        submitted = request.headers.get("x-csrf-token") or form.get(auth.CSRF_FIELD)
        if state.settings.auth_enabled and not auth.csrf_ok(request, submitted):
            return error(403, "csrf", "The form's CSRF token is missing or wrong; reload the page.")
    if not state.settings.audit_scope:
        return error(503, "not-configured", "Set GATEKEEPER_AUDIT_SCOPE to audit from here.")
    job = await run_in_threadpool(state.store.queue_job, "audit")
    return JSONResponse(
        {"status": "queued", "job": job, "scope": state.settings.audit_scope}, status_code=202
    )


async def read_form(request: Request, *, limit: int = 64 * 1024) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the only kind our forms send), at most
    ``limit`` bytes; anything else is an empty form."""
    from urllib.parse import parse_qsl

    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return {}
    return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
