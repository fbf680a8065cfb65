"""``POST /webhooks/heroku``: the receiver of Heroku app webhooks.

In this order, each step before any work of the next: the client's rate (429), the declared
and the actual body size (413, the body is read at most ``MAX_BODY_BYTES`` + 1 far), the
receiver's configuration (503 without ``GATEKEEPER_WEBHOOK_SECRET``), then
``usecases.events.receive_event``: the signature (401), the body (400), stored with its
re-check job before the answer (202), or a delivery seen before (200, nothing new). Nothing is
recorded for a refused delivery. Answers never echo the body or a header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse

from gatekeeper.usecases.events import DELIVERY_HEADER, MAX_BODY_BYTES, SIGNATURE_HEADER

if TYPE_CHECKING:
    from starlette.requests import Request


def client_of(request: Request, *, behind_proxy: bool) -> str:
    """Who is sending: on Heroku the router appends the real client to X-Forwarded-For (the
    last entry is the one it saw); elsewhere the peer address."""
    if behind_proxy:
        forwarded = request.headers.get("x-forwarded-for", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.client.host if request.client else "unknown"


async def heroku_webhook(request: Request) -> JSONResponse:
    from gatekeeper.usecases.events import receive_event

    state = request.app.state
    settings = state.settings
    if not state.limiter.allow(client_of(request, behind_proxy=settings.behind_proxy)):
        return _answer(429, "rate-limited", "Too many deliveries; slow down.", retry_after=True)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return _answer(413, "too-large", f"The body is larger than {MAX_BODY_BYTES} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return _answer(413, "too-large", f"The body is larger than {MAX_BODY_BYTES} bytes.")
    if not settings.webhook_secret:
        return _answer(
            503, "not-configured", "The receiver has no GATEKEEPER_WEBHOOK_SECRET to verify with."
        )
    received = await run_in_threadpool(
        receive_event,
        state.store,
        bytes(body),
        signature=request.headers.get(SIGNATURE_HEADER),
        delivery_id=request.headers.get(DELIVERY_HEADER),
        secret=settings.webhook_secret,
    )
    if received.status == "unsigned":
        return _answer(401, "unauthorized", "Missing or wrong Heroku-Webhook-Hmac-SHA256.")
    if received.status == "invalid":
        return _answer(400, "invalid", f"Not a Heroku webhook event: {received.reason}.")
    if received.status == "duplicate":
        return JSONResponse({"status": "duplicate"}, status_code=200)
    event = received.event
    assert event is not None  # accepted
    return JSONResponse(
        {"status": "accepted", "event": event.id, "app": event.app_name}, status_code=202
    )


def _answer(status: int, error: str, message: str, *, retry_after: bool = False) -> JSONResponse:
    headers = {"Retry-After": "1"} if retry_after else None
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)
