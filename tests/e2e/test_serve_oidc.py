"""``gatekeeper serve`` with OpenID Connect sign-in, as ``run_web`` wires it: the real app
(``create_app`` with ``oidc_routes_for``) under uvicorn, over a store filled by real audits of
the simulator's demo estate, against the real OpenID provider (tests/oidc_provider.py). A user
of the allowed domain reaches the dashboard through the provider; a user outside it does not;
a partial OIDC configuration stops the start with the variable's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from oidc_provider import SECRET_SUFFIX, oidc_provider, provider_modules, sign_in_at_provider
from serve_harness import POLICY, free_port, live_server, loopback_settings

from gatekeeper.errors import UsageError
from gatekeeper.serve.app import create_app
from gatekeeper.serve.oidc import CALLBACK_PATH, LOGIN_PATH
from gatekeeper.serve.runner import oidc_routes_for
from gatekeeper.serve.settings import Settings
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator
from gatekeeper.sources import ApiSource
from gatekeeper.store import open_store
from gatekeeper.usecases.history import store_at
from gatekeeper.usecases.policy_file import open_policy
from gatekeeper.usecases.watch import audit_scope, scheduled_audit

pytestmark = pytest.mark.e2e


def oidc_settings(store_url: str) -> Settings:
    return loopback_settings(
        store_url,
        dashboard_token=None,  # OIDC sign-in only
        oidc_enabled=True,
        session_secret="session-key-for-the-oidc-test",
    )


@pytest.fixture
def served(tmp_path: Path, simulator: Simulator) -> Iterator[str]:
    """The dashboard with OIDC sign-in only (no dashboard token), and its provider."""
    provider_modules()  # skip (locally) before anything starts when the provider is missing
    store_url = f"sqlite:///{tmp_path / 'oidc.sqlite3'}"
    live = open_store(store_url)
    scheduled_audit(
        audit_scope("all"),
        policy=open_policy(str(POLICY)),
        source=ApiSource(simulator.url, token=DEMO_ADMIN_TOKEN),
        store=store_at(store_url),
        live=live,
    )
    live.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with oidc_provider([base + CALLBACK_PATH]) as issuer:
        settings = oidc_settings(store_url)
        environ = {
            "GATEKEEPER_OIDC_ISSUER": issuer,
            "GATEKEEPER_OIDC_CLIENT_ID": "gatekeeper",
            "GATEKEEPER_OIDC_CLIENT_SECRET": "gatekeeper" + SECRET_SUFFIX,
            "GATEKEEPER_OIDC_ALLOWED_DOMAINS": "uni-example.edu",
        }
        app = create_app(settings, extra_routes=oidc_routes_for(settings, environ))
        with live_server(app, port=port) as url:
            yield url


@pytest.fixture
def browser() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=True, timeout=30, trust_env=False) as client:
        yield client


def test_an_allowed_user_signs_in_through_the_provider_and_sees_the_dashboard(
    served: str, browser: httpx.Client
) -> None:
    first = browser.get(served + "/", follow_redirects=False)
    assert first.status_code in (302, 303, 307) and "/login" in first.headers["location"]
    login = browser.get(served + "/login")
    assert LOGIN_PATH in login.text  # "Sign in with your institution"
    answer = sign_in_at_provider(browser, served + LOGIN_PATH, "alice")
    assert answer.status_code == 200 and str(answer.url) == served + "/"
    assert "survey" in browser.get(served + "/apps").text  # a demo app, on a signed-in page
    api = browser.get(served + "/api/v1/apps")
    assert api.status_code == 200 and api.json()["apps"]  # the session also opens the API


def test_a_user_outside_the_allowed_domain_stays_outside(
    served: str, browser: httpx.Client
) -> None:
    answer = sign_in_at_provider(browser, served + LOGIN_PATH, "eve")
    assert answer.status_code == 403
    after = browser.get(served + "/", follow_redirects=False)
    assert after.status_code in (302, 303, 307) and "/login" in after.headers["location"]


def test_a_partial_oidc_configuration_stops_the_start(tmp_path: Path) -> None:
    settings = oidc_settings(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(UsageError, match="GATEKEEPER_OIDC_CLIENT_ID"):
        oidc_routes_for(settings, {"GATEKEEPER_OIDC_ISSUER": "https://idp.uni-example.edu"})
