"""Token resolution: HEROKU_API_KEY > keyring > ~/.netrc; a broken keyring is skipped."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from heroku_fakes import BrokenKeyring, MemoryKeyring

from gatekeeper.errors import EXIT_COULD_NOT_EVALUATE, CredentialsError
from gatekeeper.heroku.credentials import (
    KEYRING_SERVICE,
    Credential,
    delete_keyring_token,
    resolve_token,
    store_keyring_token,
)
from gatekeeper.redact import redact

ENV_TOKEN = "HRKU-env-0123456789abcdef"
KEYRING_TOKEN = "HRKU-keyring-0123456789abcdef"
NETRC_TOKEN = "HRKU-netrc-0123456789abcdef"


def write_netrc(machine: str = "api.heroku.com", token: str = NETRC_TOKEN) -> Path:
    path = Path(os.environ["HOME"]) / ".netrc"
    path.write_text(
        f"machine {machine}\n  login someone@example.org\n  password {token}\n"
        "machine git.heroku.com\n  login someone@example.org\n  password other-token-x\n"
    )
    path.chmod(0o600)
    return path


def test_env_wins_over_keyring_and_netrc(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", ENV_TOKEN)
    memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", KEYRING_TOKEN)
    write_netrc()
    credential = resolve_token()
    assert (credential.token, credential.source) == (ENV_TOKEN, "env")


def test_keyring_wins_over_netrc(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", KEYRING_TOKEN)
    write_netrc()
    credential = resolve_token()
    assert (credential.token, credential.source) == (KEYRING_TOKEN, "keyring")


def test_netrc_is_the_last_resort() -> None:
    write_netrc()
    credential = resolve_token()
    assert (credential.token, credential.source) == (NETRC_TOKEN, "netrc")


def test_blank_env_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", "   ")
    write_netrc()
    assert resolve_token().source == "netrc"


def test_keyring_and_netrc_are_looked_up_for_the_host_in_use(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", KEYRING_TOKEN)
    write_netrc(machine="127.0.0.1")
    monkeypatch.setenv("HEROKU_HOST", "http://127.0.0.1:5555")
    credential = resolve_token()
    assert (credential.token, credential.source) == (NETRC_TOKEN, "netrc")
    assert resolve_token("https://api.heroku.com").source == "keyring"


def test_broken_keyring_is_logged_and_skipped(
    broken_keyring: BrokenKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    write_netrc()
    with caplog.at_level(logging.WARNING, logger="gatekeeper"):
        credential = resolve_token()
    assert credential.source == "netrc"
    assert "keyring" in caplog.text.lower()


def test_no_token_says_how_to_authenticate() -> None:
    with pytest.raises(CredentialsError) as caught:
        resolve_token()
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_COULD_NOT_EVALUATE
    assert "heroku authorizations:create --scope read" in message
    assert "HEROKU_API_KEY" in message
    assert "gatekeeper login" in message


def test_no_token_mentions_a_skipped_broken_keyring(broken_keyring: BrokenKeyring) -> None:
    with pytest.raises(CredentialsError, match="keyring is not usable"):
        resolve_token()


def test_unparsable_netrc_is_skipped_without_quoting_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = Path(os.environ["HOME"]) / ".netrc"
    # Python's parser quotes the offending token in its error: here, a secret.
    path.write_text("machine api.heroku.com password HRKU-ok-secret HRKU-broken-quoted-secret\n")
    with pytest.raises(CredentialsError) as caught, caplog.at_level(logging.DEBUG):
        resolve_token()
    assert "could not be parsed" in str(caught.value)
    assert "HRKU-broken-quoted-secret" not in str(caught.value)
    assert "HRKU-broken-quoted-secret" not in caplog.text


def test_credential_repr_hides_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", ENV_TOKEN)
    credential = resolve_token()
    for text in (repr(credential), str(credential), f"{credential}"):
        assert ENV_TOKEN not in text
        assert "env" in text
    assert credential == Credential(token=ENV_TOKEN, source="env")


@pytest.mark.parametrize("source", ["env", "keyring", "netrc"])
def test_every_loaded_token_is_registered_for_redaction(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring, source: str
) -> None:
    token = f"HRKU-registered-{source}-77aa"
    if source == "env":
        monkeypatch.setenv("HEROKU_API_KEY", token)
    elif source == "keyring":
        memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", token)
    else:
        write_netrc(token=token)
    assert resolve_token().source == source
    assert token not in redact(f"something printed {token} by accident")


def test_store_and_delete_round_trip(memory_keyring: MemoryKeyring) -> None:
    store_keyring_token("api.heroku.com", KEYRING_TOKEN)
    assert memory_keyring.entries == {(KEYRING_SERVICE, "api.heroku.com"): KEYRING_TOKEN}
    assert resolve_token().source == "keyring"
    assert delete_keyring_token("api.heroku.com") is True
    assert delete_keyring_token("api.heroku.com") is False
    assert memory_keyring.entries == {}


def test_store_without_a_keyring_backend_fails_clearly() -> None:
    # tests/conftest.py selects the null backend, which keeps nothing.
    with pytest.raises(CredentialsError, match="No OS keyring"):
        store_keyring_token("api.heroku.com", KEYRING_TOKEN)


def test_store_with_a_broken_keyring_fails_clearly(broken_keyring: BrokenKeyring) -> None:
    with pytest.raises(CredentialsError, match="could not be used") as caught:
        store_keyring_token("api.heroku.com", KEYRING_TOKEN)
    assert KEYRING_TOKEN not in str(caught.value)


def test_delete_without_a_keyring_backend_has_nothing_to_remove() -> None:
    assert delete_keyring_token("api.heroku.com") is False


def test_delete_with_a_broken_keyring_fails_clearly(broken_keyring: BrokenKeyring) -> None:
    with pytest.raises(CredentialsError):
        delete_keyring_token("api.heroku.com")
