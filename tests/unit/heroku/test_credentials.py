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


def put_token(
    source: str, token: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    """Put ``token`` where ``source`` (env, keyring, netrc) is read from."""
    if source == "env":
        monkeypatch.setenv("HEROKU_API_KEY", token)
    elif source == "keyring":
        memory_keyring.set_password(KEYRING_SERVICE, "api.heroku.com", token)
    else:
        write_netrc(token=token)


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
    put_token(source, token, monkeypatch, memory_keyring)
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


# -- tokens an HTTP header cannot carry, and a ~/.netrc others may read ----------------------

NON_ASCII = "HRKU-caf\u00e9-0123456789abcdef"  # an accented letter, as pasted from a document


@pytest.mark.parametrize(
    ("source", "origin"),
    [
        ("env", "from HEROKU_API_KEY"),
        ("keyring", "from the OS keyring (entry for api.heroku.com)"),
        ("netrc", ".netrc (machine api.heroku.com)"),
    ],
)
@pytest.mark.parametrize(
    "token", [NON_ASCII, "\u201cHRKU-quoted-0123456789\u201d", "HRKU-\x07bell"]
)
def test_a_token_an_http_header_cannot_carry_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    source: str,
    origin: str,
    token: str,
) -> None:
    put_token(source, token, monkeypatch, memory_keyring)
    with pytest.raises(CredentialsError) as caught:
        resolve_token()
    message = str(caught.value)
    assert origin in message
    assert "that an HTTP header cannot carry" in message and "not shown" in message
    assert token.strip() not in message and "caf\u00e9" not in message
    assert caught.value.exit_code == EXIT_COULD_NOT_EVALUATE


def test_the_client_refuses_such_a_token_too() -> None:
    from gatekeeper.heroku.client import HerokuClient

    with pytest.raises(CredentialsError) as caught:
        HerokuClient("https://api.heroku.com", NON_ASCII)
    assert "given to the client contains 1 character that" in str(caught.value)
    assert NON_ASCII not in str(caught.value)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_a_netrc_others_may_read_is_used_with_a_warning(
    caplog: pytest.LogCaptureFixture, mode: int
) -> None:
    path = write_netrc()
    path.chmod(mode)
    with caplog.at_level(logging.WARNING, logger="gatekeeper"):
        credential = resolve_token()
    assert credential.source == "netrc"
    assert f"{path} holds the Heroku API token but other users may read it" in caplog.text
    assert f"chmod 600 {path}" in caplog.text
    assert NETRC_TOKEN not in caplog.text


def test_a_private_netrc_warns_nothing(caplog: pytest.LogCaptureFixture) -> None:
    write_netrc()  # 0600
    with caplog.at_level(logging.WARNING, logger="gatekeeper"):
        assert resolve_token().source == "netrc"
    assert caplog.text == ""


def test_a_readable_netrc_without_the_hosts_token_warns_nothing(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_netrc(machine="elsewhere.example").chmod(0o644)
    monkeypatch.setenv("HEROKU_API_KEY", ENV_TOKEN)
    with caplog.at_level(logging.WARNING, logger="gatekeeper"):
        assert resolve_token().source == "env"
    assert caplog.text == ""
