"""``gatekeeper login`` / ``gatekeeper logout``: check the token with GET /account, store it in
the OS keyring for the API host, say whose it is, remove it; never show the token."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import httpx
import pytest
import respx
from click.testing import CliRunner
from heroku_fakes import BrokenKeyring, MemoryKeyring

from gatekeeper.cli import run
from gatekeeper.heroku.credentials import KEYRING_SERVICE, resolve_token

NEW_TOKEN = "HRKU-login-SECRET-9f8e7d6c5b4a"
ACCOUNT = {
    "id": "01234567-89ab-cdef-0123-456789abcdef",
    "email": "admin@uni-example.edu",
    "name": "Admin",
    "extra": True,
}


def invoke(args: list[str], input: str | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    with runner.isolation(input=input) as (out, err, _):
        code = run(args)
    return code, out.getvalue().decode(), err.getvalue().decode()


def test_login_from_stdin_checks_and_stores_the_token(
    api: respx.MockRouter, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    route = api.get("/account").mock(return_value=httpx.Response(200, json=ACCOUNT))
    with caplog.at_level(logging.DEBUG):
        code, out, err = invoke(["login"], input=f"{NEW_TOKEN}\n")
    assert code == 0, err
    assert "admin@uni-example.edu" in out
    assert "api.heroku.com" in out
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {NEW_TOKEN}"
    assert memory_keyring.entries == {(KEYRING_SERVICE, "api.heroku.com"): NEW_TOKEN}
    assert resolve_token().source == "keyring"
    assert NEW_TOKEN not in out + err + caplog.text


def test_login_from_the_hidden_prompt(
    api: respx.MockRouter, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.get("/account").mock(return_value=httpx.Response(200, json=ACCOUNT))
    monkeypatch.setattr("gatekeeper.commands.login._stdin_is_tty", lambda: True)
    code, out, err = invoke(["login"], input=f"{NEW_TOKEN}\n")
    assert code == 0, err
    assert "Heroku API token" in err  # the prompt goes to stderr
    assert NEW_TOKEN not in out + err  # hidden input is not echoed
    assert memory_keyring.entries[(KEYRING_SERVICE, "api.heroku.com")] == NEW_TOKEN


def test_login_with_api_url_stores_per_host(
    memory_keyring: MemoryKeyring,
) -> None:
    with respx.mock(base_url="http://127.0.0.1:5999") as local:
        local.get("/account").mock(return_value=httpx.Response(200, json=ACCOUNT))
        code, out, _ = invoke(
            ["login", "--api-url", "http://127.0.0.1:5999"], input=f"{NEW_TOKEN}\n"
        )
    assert code == 0
    assert "127.0.0.1" in out
    assert list(memory_keyring.entries) == [(KEYRING_SERVICE, "127.0.0.1")]


def test_login_with_a_rejected_token_stores_nothing(
    api: respx.MockRouter, memory_keyring: MemoryKeyring
) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(
            401, json={"id": "unauthorized", "message": "Invalid credentials provided."}
        )
    )
    code, out, err = invoke(["login"], input=f"{NEW_TOKEN}\n")
    assert code == 3
    assert "did not accept the token" in err
    assert "heroku authorizations:create --scope read" in err
    assert memory_keyring.entries == {}
    assert NEW_TOKEN not in out + err


def test_login_refuses_plain_http_to_another_host(memory_keyring: MemoryKeyring) -> None:
    code, _, err = invoke(["login", "--api-url", "http://api.example.org"], input=f"{NEW_TOKEN}\n")
    assert code == 2
    assert "plain http" in err


@pytest.mark.parametrize("given", ["", "\n", "two words\n"])
def test_login_refuses_empty_or_malformed_input(memory_keyring: MemoryKeyring, given: str) -> None:
    code, out, err = invoke(["login"], input=given)
    assert code == 2
    assert "two words" not in out + err
    assert memory_keyring.entries == {}


def test_login_without_a_keyring_fails_before_asking(api: respx.MockRouter) -> None:
    route = api.get("/account").mock(return_value=httpx.Response(200, json=ACCOUNT))
    code, _, err = invoke(["login"], input=f"{NEW_TOKEN}\n")
    assert code == 3
    assert "No OS keyring" in err
    assert "HEROKU_API_KEY" in err
    assert route.call_count == 0


def test_login_notes_that_heroku_api_key_takes_precedence(
    api: respx.MockRouter, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", "HRKU-other-env-token-0000")
    api.get("/account").mock(return_value=httpx.Response(200, json=ACCOUNT))
    code, _, err = invoke(["login"], input=f"{NEW_TOKEN}\n")
    assert code == 0
    assert "HEROKU_API_KEY is set" in err
    # The token given to login is the one checked, not the environment's.
    assert api.calls.last.request.headers["Authorization"] == f"Bearer {NEW_TOKEN}"


def test_logout_removes_the_token(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", NEW_TOKEN)
    code, out, _ = invoke(["logout"])
    assert code == 0
    assert "Removed" in out
    assert memory_keyring.entries == {}
    code, out, _ = invoke(["logout"])
    assert code == 0
    assert "No token was stored" in out


def test_logout_only_touches_the_host_in_use(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", NEW_TOKEN)
    memory_keyring.set_password(KEYRING_SERVICE, "127.0.0.1", "HRKU-local-token-1234")
    code, _, _ = invoke(["logout", "--api-url", "http://127.0.0.1:5000"])
    assert code == 0
    assert list(memory_keyring.entries) == [(KEYRING_SERVICE, "api.heroku.com")]


def test_logout_names_other_sources_still_holding_a_token(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", "HRKU-env-token-1234")
    netrc = Path(os.environ["HOME"]) / ".netrc"
    netrc.write_text("machine api.heroku.com login a@b password HRKU-netrc-token-1234\n")
    code, out, err = invoke(["logout"])
    assert code == 0
    assert "HEROKU_API_KEY is still set" in err
    assert ".netrc still has a token" in err
    assert "HRKU-netrc-token-1234" not in out + err


def test_logout_with_a_broken_keyring_is_a_credentials_error(
    broken_keyring: BrokenKeyring,
) -> None:
    code, _, err = invoke(["logout"])
    assert code == 3
    assert "keyring" in err


def test_logout_without_a_keyring_has_nothing_to_remove() -> None:
    code, out, _ = invoke(["logout"])
    assert code == 0
    assert "No token was stored" in out
