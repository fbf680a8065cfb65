"""The response headers every page and answer of ``gatekeeper serve`` carries.

A strict Content-Security-Policy: scripts and styles only from this site's own files, no
inline script, no framing (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), forms
only to this site. A stored audit report (``GET /audits/ID``) embeds its own script and
style; it is served with the policy of its own meta tag (the hashes of exactly those), plus
``frame-ancestors 'none'``. Nothing is cached: every page shows the compliance state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
#: Set by a response (``gatekeeper.serve.views.report_page``) that brings its own policy.
OWN_CSP_HEADER = "content-security-policy"


def report_csp(meta_policy: str) -> str:
    """The policy of a stored report page: its own meta tag's, and no framing."""
    return f"{meta_policy.rstrip('; ')}; frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI middleware: adds the headers above to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store"),
                ]
                if OWN_CSP_HEADER.encode() not in names:
                    extra.append((OWN_CSP_HEADER.encode(), PAGE_CSP.encode()))
                message["headers"] = headers + [(n, v) for n, v in extra if n not in names]
            await send(message)

        await self.app(scope, receive, with_headers)
