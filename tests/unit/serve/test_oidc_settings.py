"""``gatekeeper.serve.oidc`` without a provider: the settings read from the environment (a
partial configuration is a clear usage error naming the variable, the secret never shows), who
may sign in given validated claims, the sentence for each rejection, and a callback that this
browser never asked for, refused in process before any request to the provider."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.starlette_client import OAuthError
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.testclient import TestClient

from gatekeeper.errors import EXIT_USAGE, UsageError
from gatekeeper.serve import oidc
from gatekeeper.serve.oidc import CALLBACK_PATH, OidcSettings, oidc_routes

SECRET = "s3cr3t-client-secret-value"
FULL = {
    "GATEKEEPER_OIDC_ISSUER": "https://login.uni-example.edu/realms/uni/",
    "GATEKEEPER_OIDC_CLIENT_ID": "gatekeeper",
    "GATEKEEPER_OIDC_CLIENT_SECRET": SECRET,
    "GATEKEEPER_OIDC_ALLOWED_DOMAINS": " Uni-Example.edu, @med.uni-example.edu ,",
}


def settings_from(**changes: str | None) -> OidcSettings | None:
    environ = {**FULL, **changes}
    return OidcSettings.from_env({k: v for k, v in environ.items() if v is not None})


def refusal_of(**changes: str | None) -> UsageError:
    with pytest.raises(UsageError) as raised:
        settings_from(**changes)
    assert raised.value.exit_code == EXIT_USAGE
    assert SECRET not in str(raised.value)
    assert "\n" not in str(raised.value)
    return raised.value


@pytest.mark.parametrize("issuer", [None, "", "   "])
def test_no_issuer_means_no_oidc_sign_in(issuer: str | None) -> None:
    assert settings_from(GATEKEEPER_OIDC_ISSUER=issuer) is None


def test_a_full_configuration() -> None:
    settings = settings_from(GATEKEEPER_OIDC_ALLOWED_GROUPS="dpo, it-security")
    assert settings == OidcSettings(
        issuer="https://login.uni-example.edu/realms/uni",
        client_id="gatekeeper",
        client_secret=SECRET,
        allowed_domains=("uni-example.edu", "med.uni-example.edu"),
        allowed_groups=("dpo", "it-security"),
        groups_claim="groups",
    )
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)


def test_the_groups_claim_and_redirect_uri_can_be_named() -> None:
    settings = settings_from(
        GATEKEEPER_OIDC_GROUPS_CLAIM="roles",
        GATEKEEPER_OIDC_REDIRECT_URI="https://gatekeeper.uni-example.edu/auth/oidc/callback",
    )
    assert settings is not None
    assert settings.groups_claim == "roles"
    assert settings.redirect_uri == "https://gatekeeper.uni-example.edu/auth/oidc/callback"


@pytest.mark.parametrize("missing", ["GATEKEEPER_OIDC_CLIENT_ID", "GATEKEEPER_OIDC_CLIENT_SECRET"])
def test_a_partial_configuration_names_the_missing_variable(missing: str) -> None:
    error = refusal_of(**{missing: ""})
    assert f"GATEKEEPER_OIDC_ISSUER is set but {missing} is not" in str(error)


def test_nobody_allowed_is_a_configuration_error() -> None:
    error = refusal_of(GATEKEEPER_OIDC_ALLOWED_DOMAINS=" , ")
    assert "GATEKEEPER_OIDC_ALLOWED_DOMAINS" in str(error)
    assert "GATEKEEPER_OIDC_ALLOWED_GROUPS" in str(error)


@pytest.mark.parametrize(
    ("issuer", "words"),
    [
        ("http://login.uni-example.edu", "plain http"),
        ("ftp://login.uni-example.edu", "must be an https URL"),
        ("login.uni-example.edu", "must be an https URL"),
        (f"https://user:{SECRET}@login.uni-example.edu", "credentials"),
        ("https://login.uni-example.edu/?realm=uni", "query"),
    ],
)
def test_an_issuer_that_is_not_a_safe_url_is_refused(issuer: str, words: str) -> None:
    error = refusal_of(GATEKEEPER_OIDC_ISSUER=issuer)
    assert "GATEKEEPER_OIDC_ISSUER" in str(error)
    assert words in str(error)


def test_plain_http_is_for_a_provider_on_loopback() -> None:
    settings = settings_from(GATEKEEPER_OIDC_ISSUER="http://127.0.0.1:8080")
    assert settings is not None
    assert settings.issuer == "http://127.0.0.1:8080"


ALLOW_BOTH = OidcSettings(
    issuer="https://login.uni-example.edu",
    client_id="gatekeeper",
    client_secret=SECRET,
    allowed_domains=("uni-example.edu",),
    allowed_groups=("dpo",),
)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"email": "alice@uni-example.edu", "groups": ["staff", "dpo"]}, None),
        ({"email": "Alice@UNI-EXAMPLE.EDU", "groups": "dpo"}, None),
        ({"email": "alice@uni-example.edu", "email_verified": True, "groups": ["dpo"]}, None),
        ({"groups": ["dpo"]}, "no e-mail address"),
        ({"email": "alice", "groups": ["dpo"]}, "no e-mail address"),
        ({"email": "a@uni-example.edu", "email_verified": False, "groups": ["dpo"]}, "verified"),
        ({"email": "eve@elsewhere.example", "groups": ["dpo"]}, "(e-mail domain)"),
        ({"email": "eve@evil-uni-example.edu", "groups": ["dpo"]}, "(e-mail domain)"),
        ({"email": "bob@uni-example.edu", "groups": ["students"]}, "(group)"),
        ({"email": "bob@uni-example.edu"}, "(group)"),
    ],
)
def test_who_may_sign_in(claims: dict[str, Any], reason: str | None) -> None:
    refusal = ALLOW_BOTH.refusal(claims)
    assert (refusal is None) == (reason is None)
    if reason:
        assert refusal is not None and reason in refusal


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (MismatchingStateError(), "bad or reused state"),
        (OAuthError(error="access_denied"), "did not grant"),
        (OAuthError(error="invalid_grant", description="grant request is invalid"), "refused"),
        (ExpiredTokenError("exp"), "expired"),
        (InvalidClaimError("aud"), "wrong audience"),
        (InvalidClaimError("iss"), "another issuer"),
        (InvalidClaimError("nonce"), "nonce"),
        (BadSignatureError(), "could not be verified"),
    ],
)
def test_each_rejection_has_its_sentence(exc: Exception, words: str) -> None:
    reason = oidc._reason(exc)  # type: ignore[arg-type]
    assert words in reason
    assert reason.count(".") == 1 and reason.endswith(".")


def test_a_callback_this_browser_never_asked_for_is_refused_before_any_request() -> None:
    signed_in: list[str] = []

    def sign_in(request: Request, email: str, method: str) -> None:
        signed_in.append(email)

    # An issuer on a port nothing listens on: a request to it would be a 502, not a 403.
    settings = OidcSettings(
        issuer="http://127.0.0.1:9",
        client_id="gatekeeper",
        client_secret=SECRET,
        allowed_domains=("uni-example.edu",),
    )
    app = Starlette(
        routes=oidc_routes(settings, sign_in),
        middleware=[Middleware(SessionMiddleware, secret_key="k", https_only=False)],
    )
    with TestClient(app) as client:
        answer = client.get(CALLBACK_PATH, params={"code": "a-code-value", "state": "forged"})
    assert answer.status_code == 403
    assert "bad or reused state" in answer.text
    assert "a-code-value" not in answer.text and "forged" not in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert signed_in == []


def test_the_provider_is_asked_through_authlib_only() -> None:
    """gatekeeper/transport.py stays the only module of gatekeeper that imports httpx."""
    tree = ast.parse(Path(oidc.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name for name in imported if name.split(".")[0] in {"httpx", "httpx2"}} == set()
