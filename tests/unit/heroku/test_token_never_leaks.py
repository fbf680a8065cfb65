"""The token never appears in any message, log line or repr: checked with a recognisable
token across successes and every kind of failure, with debug logging of every logger on."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
import respx
from heroku_fakes import BASE, TOKEN, Runner

from gatekeeper.errors import GatekeeperError
from gatekeeper.heroku.client import AsyncHerokuClient, HerokuClient
from gatekeeper.heroku.protocol import OutgoingRequest

SCENARIOS: dict[str, list[httpx.Response | Exception]] = {
    "ok": [
        httpx.Response(200, json={"email": "a@example.org"}, headers={"RateLimit-Remaining": "10"})
    ],
    # A server (or proxy) that echoes the credentials back in its error message.
    "401 echoing the token": [
        httpx.Response(401, json={"id": "unauthorized", "message": f"Invalid token Bearer {TOKEN}"})
    ],
    "403": [httpx.Response(403, json={"id": "forbidden", "message": f"token {TOKEN} denied"})],
    "404": [httpx.Response(404, json={"id": "not_found", "message": "no"})],
    "429 then give up": [httpx.Response(429, json={"id": "rate_limit", "message": "x"})] * 3,
    "503 then give up": [httpx.Response(503, text=f"Authorization: Bearer {TOKEN}")] * 3,
    "connect error": [httpx.ConnectError(f"refused {TOKEN}")] * 3,
    "broken json": [httpx.Response(200, content=b'{"oops')],
}


def all_text(error: BaseException | None, *objects: object) -> str:
    parts = [repr(o) for o in objects] + [str(o) for o in objects]
    if error is not None:
        parts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        if isinstance(error, GatekeeperError):
            parts.append(error.user_message())
    return "\n".join(parts)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_token_absent_from_errors_logs_and_reprs(
    api: respx.MockRouter, run: Runner, caplog: pytest.LogCaptureFixture, scenario: str
) -> None:
    api.get("/account").mock(side_effect=SCENARIOS[scenario])
    error: BaseException | None = None
    client = None
    with caplog.at_level(logging.DEBUG):
        try:
            _, client = run("get", "/account", max_retries=2)
        except GatekeeperError as exc:
            error = exc
    assert TOKEN not in all_text(error, client)
    assert TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    if scenario != "ok":
        assert error is not None


def test_client_and_request_reprs_hide_the_token() -> None:
    sync_client = HerokuClient(BASE, TOKEN)
    async_client = AsyncHerokuClient(BASE, TOKEN)
    request = OutgoingRequest(
        url=BASE + "/account", path="/account", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        for obj in (
            sync_client,
            async_client,
            request,
            sync_client._protocol,
            sync_client._sender,
            vars(sync_client),
        ):
            assert TOKEN not in repr(obj)
    finally:
        sync_client.close()


def test_an_empty_token_is_refused() -> None:
    from gatekeeper.errors import CredentialsError

    with pytest.raises(CredentialsError):
        HerokuClient(BASE, "  ")
