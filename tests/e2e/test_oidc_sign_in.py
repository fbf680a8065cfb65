"""OpenID Connect sign-in (``gatekeeper.serve.oidc``) against a real OpenID provider: panva's
``oidc-provider`` under Node.js on loopback (tests/oidc_provider.py), and a minimal relying party
(Starlette's ``SessionMiddleware``, the OIDC routes, one protected page and a stand-in
``sign_in`` that puts the user in the session) served by real uvicorn on loopback. An httpx
client plays the browser through the provider's login and consent forms.

Cases: a user of the allowed domain signs in; an ID token issued for another client (wrong
audience), an expired one (the provider's clock runs behind), a user outside the allowed domain,
outside the allowed groups or with an unverified address, and a callback whose state this
browser never asked for (or asks for twice) are refused with 403 and one sentence; no page or
log line carries the client secret, the code or a token.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace

import httpx
import pytest
import uvicorn
from oidc_provider import SECRET_SUFFIX, oidc_provider, provider_modules, sign_in_at_provider
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from gatekeeper.serve.oidc import CALLBACK_PATH, LOGIN_PATH, OidcSettings, oidc_routes

pytestmark = pytest.mark.e2e


def relying_party(settings: OidcSettings) -> Starlette:
    def sign_in(request: Request, email: str, method: str) -> None:
        request.session["user"] = {"email": email, "method": method}

    async def home(request: Request) -> Response:
        user = request.session.get("user")
        if not user:
            return RedirectResponse(LOGIN_PATH, status_code=303)
        return PlainTextResponse(f"signed in as {user['email']} with {user['method']}")

    return Starlette(
        routes=[Route("/", home), *oidc_routes(settings, sign_in, after_login="/")],
        middleware=[Middleware(SessionMiddleware, secret_key="rp-session-key", https_only=False)],
    )


class Switch:
    """The ASGI app the server runs: each test puts its own relying party in, so one server
    on one port (the redirect URI the provider knows) serves every case."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@dataclass
class Stage:
    url: str  # the relying party's base URL
    switch: Switch

    def run(self, settings: OidcSettings) -> str:
        self.switch.app = relying_party(settings)
        return self.url


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    provider_modules()  # skip (locally) before anything starts when the provider is missing
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    switch = Switch()
    server = uvicorn.Server(
        uvicorn.Config(switch, log_level="warning", lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.02)
        yield Stage(f"http://127.0.0.1:{sock.getsockname()[1]}", switch)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def issuer(stage: Stage) -> Iterator[str]:
    with oidc_provider([stage.url + CALLBACK_PATH]) as url:
        yield url


@pytest.fixture()
def settings(issuer: str) -> OidcSettings:
    return OidcSettings(
        issuer=issuer,
        client_id="gatekeeper",
        client_secret="gatekeeper" + SECRET_SUFFIX,
        allowed_domains=("uni-example.edu",),
    )


@pytest.fixture()
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=True, timeout=30, trust_env=False) as client:
        yield client


@pytest.fixture(autouse=True)
def _logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def refused(answer: httpx.Response, reason: str) -> None:
    assert answer.status_code == 403, answer.text
    assert answer.url.path == CALLBACK_PATH
    assert reason in answer.text
    assert "signed in as" not in answer.text


# How every JWT the provider signs starts: base64url of '{"alg":'.
JWT_START = "eyJhbGci"


def no_secrets(settings: OidcSettings, caplog: pytest.LogCaptureFixture, *texts: str) -> None:
    """Neither the client secret nor a token on a page or in a log line (the server's and the
    HTTP clients' alike, at DEBUG)."""
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in (logged, *texts):
        assert settings.client_secret not in text
        assert JWT_START not in text


def test_a_user_of_the_allowed_domain_signs_in(
    stage: Stage, settings: OidcSettings, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    base = stage.run(settings)
    first = browser.get(base + "/", follow_redirects=False)
    assert first.status_code == 303  # the protected page sends a stranger to the login
    answer = sign_in_at_provider(browser, base + "/", "alice")
    assert answer.status_code == 200
    assert str(answer.url) == base + "/"
    assert answer.text == "signed in as alice@uni-example.edu with oidc"
    assert browser.get(base + "/").text == answer.text  # the session holds the user
    no_secrets(settings, caplog, answer.text)


def test_the_login_uses_pkce_state_and_nonce(
    stage: Stage, settings: OidcSettings, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    base = stage.run(settings)
    redirect = browser.get(base + LOGIN_PATH, follow_redirects=False)
    assert redirect.status_code == 302
    query = redirect.next_request.url.params if redirect.next_request else httpx.QueryParams()
    assert query["response_type"] == "code"
    assert query["client_id"] == "gatekeeper"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) >= 43
    assert query["state"] and query["nonce"]
    assert query["redirect_uri"] == base + CALLBACK_PATH
    assert "client_secret" not in str(redirect.headers)
    # The verifier, the secret half of PKCE, stays in the session (Authlib would log it).
    assert not [r for r in caplog.records if "code_verifier" in r.getMessage()]


def test_an_id_token_for_another_client_is_refused(
    stage: Stage, settings: OidcSettings, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    # The provider's client `misissued` gets ID tokens whose audience is `other-app`.
    misissued = replace(settings, client_id="misissued", client_secret="misissued" + SECRET_SUFFIX)
    base = stage.run(misissued)
    answer = sign_in_at_provider(browser, base + "/", "alice")
    refused(answer, "meant for another application (wrong audience)")
    no_secrets(misissued, caplog, answer.text)


def test_an_expired_id_token_is_refused(
    stage: Stage, settings: OidcSettings, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    # Ten minutes behind: the ID token (valid 60 s) expired well beyond the clock leeway.
    with oidc_provider([stage.url + CALLBACK_PATH], clock_skew=600) as late:
        base = stage.run(replace(settings, issuer=late))
        answer = sign_in_at_provider(browser, base + "/", "alice")
    refused(answer, "The ID token has expired")
    no_secrets(settings, caplog, answer.text)


def test_a_user_outside_the_allowed_domain_is_refused(
    stage: Stage, settings: OidcSettings, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    base = stage.run(settings)
    answer = sign_in_at_provider(browser, base + "/", "eve")  # eve@elsewhere.example
    refused(answer, "not allowed to sign in here (e-mail domain)")
    assert "eve@elsewhere.example" not in browser.get(base + "/", follow_redirects=False).text
    no_secrets(settings, caplog, answer.text)


def test_groups_decide_when_they_are_configured(
    stage: Stage, settings: OidcSettings, browser: httpx.Client
) -> None:
    base = stage.run(replace(settings, allowed_groups=("dpo", "it-security")))
    refused(sign_in_at_provider(browser, base + "/", "bob"), "(group)")  # bob: students only
    browser.cookies.clear()
    answer = sign_in_at_provider(browser, base + "/", "alice")  # alice: dpo
    assert answer.text == "signed in as alice@uni-example.edu with oidc"


def test_an_unverified_address_is_refused(
    stage: Stage, settings: OidcSettings, browser: httpx.Client
) -> None:
    base = stage.run(settings)
    answer = sign_in_at_provider(browser, base + "/", "carol")
    refused(answer, "not verified")


def test_a_callback_with_a_state_this_browser_never_asked_for_is_refused(
    stage: Stage, settings: OidcSettings, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    base = stage.run(settings)
    # The attacker signs in at the provider and hands the victim the callback (login CSRF).
    to_callback = sign_in_at_provider(browser, base + "/", "alice", stop_at_callback=True)
    callback = to_callback.headers["location"]
    assert "code=" in callback
    with httpx.Client(follow_redirects=False, timeout=30, trust_env=False) as victim:
        answer = victim.get(callback)
        refused(answer, "(bad or reused state)")
        assert victim.get(base + "/").status_code == 303  # still nobody
        code = httpx.URL(callback).params["code"]
        assert code not in answer.text
        no_secrets(settings, caplog, answer.text)
    # The browser that started the sign-in gets in once; the same answer again is refused.
    assert browser.get(callback).text == "signed in as alice@uni-example.edu with oidc"
    refused(browser.get(callback), "(bad or reused state)")
