"""Error mapping: every HTTP error becomes a typed gatekeeper error carrying Heroku's id,
message, status, Request-Id and path; every httpx exception becomes a TransportError or a
ProtocolError (none escapes); a body that is not JSON is a ProtocolError."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import respx
from heroku_fakes import BASE, TOKEN, FakeTime, Runner

from gatekeeper.errors import (
    EXIT_COULD_NOT_EVALUATE,
    ApiError,
    AuthenticationError,
    ForbiddenError,
    GatekeeperError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServerError,
    TransportError,
)
from gatekeeper.heroku.client import AsyncHerokuClient, HerokuClient


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (401, AuthenticationError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (400, ApiError),
        (406, ApiError),
        (409, ApiError),
        (416, ApiError),
        (301, ApiError),
    ],
)
def test_http_errors_map_to_the_typed_hierarchy(
    api: respx.MockRouter, run: Runner, status: int, error_class: type[ApiError]
) -> None:
    api.get("/apps/survey").mock(
        return_value=httpx.Response(
            status,
            json={"id": "some_id", "message": "Heroku says no.", "url": "https://x"},
            headers={"Request-Id": "01234567-req", "Location": "https://elsewhere.example"},
        )
    )
    with pytest.raises(ApiError) as caught:
        run("get", "/apps/survey", max_retries=0)
    error = caught.value
    assert type(error) is error_class
    assert error.status == status
    assert error.error_id == "some_id"
    assert error.request_id == "01234567-req"
    assert error.path == "/apps/survey"
    assert error.exit_code == EXIT_COULD_NOT_EVALUATE
    assert "Heroku says no" in str(error)
    assert "gave up" not in str(error)
    assert "Request-Id 01234567-req" in str(error)


def test_401_tells_the_user_how_to_authenticate(api: respx.MockRouter, run: Runner) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(
            401, json={"id": "unauthorized", "message": "Invalid credentials provided."}
        )
    )
    with pytest.raises(AuthenticationError) as caught:
        run("get", "/account")
    message = str(caught.value)
    assert "heroku authorizations:create --scope read" in message
    assert "HEROKU_API_KEY" in message and "gatekeeper login" in message


def test_error_body_that_is_not_json_still_gives_a_typed_error(
    api: respx.MockRouter, run: Runner
) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(
            403, text="<html>Forbidden by proxy</html>", headers={"Request-Id": "r1"}
        )
    )
    with pytest.raises(ForbiddenError) as caught:
        run("get", "/account")
    assert caught.value.error_id is None
    assert "Forbidden" in str(caught.value)


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b'{"a": 1'])
def test_invalid_json_is_a_protocol_error(api: respx.MockRouter, run: Runner, body: bytes) -> None:
    api.get("/account").mock(return_value=httpx.Response(200, content=body))
    with pytest.raises(ProtocolError, match="not valid JSON"):
        run("get", "/account")


def _httpx_exception_classes() -> list[type[Exception]]:
    classes = {
        obj
        for name in httpx.__all__
        if isinstance(obj := getattr(httpx, name), type) and issubclass(obj, Exception)
    }
    return sorted(classes, key=lambda cls: cls.__name__)


def _instantiate(cls: type[Exception], request: httpx.Request) -> Exception:
    if issubclass(cls, httpx.HTTPStatusError):
        return cls("boom", request=request, response=httpx.Response(500, request=request))
    if issubclass(cls, httpx.RequestError):
        return cls("boom", request=request)
    if issubclass(cls, httpx.StreamError) and cls is not httpx.StreamError:
        return cls()  # type: ignore[call-arg]  # the subclasses take no message
    return cls("boom")


HTTPX_EXCEPTIONS = _httpx_exception_classes()
_HTTPX_BASES = tuple(HTTPX_EXCEPTIONS)


def assert_nothing_of_httpx_hangs_off(error: BaseException) -> None:
    chained: BaseException | None = error
    while chained is not None:
        assert not isinstance(chained, _HTTPX_BASES)
        chained = chained.__cause__ or chained.__context__


def is_retried(exc_class: type[Exception]) -> bool:
    """Network trouble: repeating the request may help."""
    return issubclass(
        exc_class, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
    )


def test_the_exception_list_covers_httpx() -> None:
    names = {cls.__name__ for cls in HTTPX_EXCEPTIONS}
    assert {
        "ConnectError",
        "ReadTimeout",
        "RemoteProtocolError",
        "InvalidURL",
        "StreamConsumed",
        "HTTPStatusError",
        "DecodingError",
    } <= names
    assert len(HTTPX_EXCEPTIONS) >= 25


@pytest.mark.parametrize("exc_class", HTTPX_EXCEPTIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_no_httpx_exception_escapes(
    exc_class: type[Exception], mode: str, fake_time: FakeTime
) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise _instantiate(exc_class, request)

    def attempt() -> Any:
        if mode == "sync":
            with HerokuClient(
                BASE,
                TOKEN,
                transport=httpx.MockTransport(handler),
                sleep=fake_time.sleep,
                clock=fake_time.clock,
                max_retries=2,
            ) as client:
                return client.get("/account")

        async def main() -> Any:
            async with AsyncHerokuClient(
                BASE,
                TOKEN,
                transport=httpx.MockTransport(handler),
                sleep=fake_time.async_sleep,
                clock=fake_time.clock,
                max_retries=2,
            ) as client:
                return await client.get("/account")

        return asyncio.run(main())

    with pytest.raises(GatekeeperError) as caught:
        attempt()
    error = caught.value
    assert isinstance(error, TransportError | ProtocolError)
    # Nothing of httpx hangs off the error either.
    assert_nothing_of_httpx_hangs_off(error)
    retried = is_retried(exc_class)
    assert len(calls) == (3 if retried else 1)
    assert type(error) is (
        TransportError if retried or exc_class is httpx.ProxyError else ProtocolError
    )
    assert "/account" in str(error)


def test_redirects_are_not_followed(api: respx.MockRouter, run: Runner) -> None:
    api.get("/account").mock(
        return_value=httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    )
    with pytest.raises(ApiError) as caught:
        run("get", "/account")
    assert caught.value.status == 302


DEEP = b"[" * 100_000 + b"]" * 100_000


def test_deeply_nested_json_is_a_protocol_error(api: respx.MockRouter, run: Runner) -> None:
    api.get("/account").mock(return_value=httpx.Response(200, content=DEEP))
    with pytest.raises(ProtocolError, match="nested too deeply to read"):
        run("get", "/account")


def test_a_deeply_nested_error_body_still_gives_the_typed_error(
    api: respx.MockRouter, run: Runner
) -> None:
    api.get("/apps/survey").mock(
        return_value=httpx.Response(403, content=DEEP, headers={"Request-Id": "r9"})
    )
    with pytest.raises(ForbiddenError) as caught:
        run("get", "/apps/survey")
    assert caught.value.error_id is None
    assert "Forbidden" in str(caught.value) and "Request-Id r9" in str(caught.value)


def test_an_error_body_with_a_lone_surrogate_is_not_read_as_heroku_s_message(
    api: respx.MockRouter, run: Runner
) -> None:
    # JSON's \ud800 escape spells text no terminal or report can encode: the status speaks.
    body = b'{"id": "forbidden", "message": "no \\ud800 access"}'
    api.get("/apps/survey").mock(
        return_value=httpx.Response(403, content=body, headers={"Request-Id": "r10"})
    )
    with pytest.raises(ForbiddenError) as caught:
        run("get", "/apps/survey")
    assert caught.value.error_id is None
    str(caught.value).encode("utf-8")  # what is shown can be written out


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_body_that_cannot_be_decoded_is_a_protocol_error(mode: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
        )

    transport = httpx.MockTransport(handler)
    with pytest.raises(ProtocolError) as caught:
        if mode == "sync":
            with HerokuClient(BASE, TOKEN, transport=transport) as client:
                client.get("/account")
        else:

            async def main() -> None:
                async with AsyncHerokuClient(BASE, TOKEN, transport=transport) as client:
                    await client.get("/account")

            asyncio.run(main())
    assert "could not be decoded (DecodingError" in str(caught.value)
    assert "GET /account" in str(caught.value)


@pytest.mark.parametrize("exc_class", HTTPX_EXCEPTIONS, ids=lambda c: c.__name__)
def test_no_httpx_exception_escapes_a_notification(exc_class: type[Exception]) -> None:
    """The webhook goes through the same boundary: only gatekeeper errors come out."""
    from gatekeeper.errors import NotificationError
    from gatekeeper.notify import send_notification

    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise _instantiate(exc_class, request)

    url = "https://hooks.example.org/services/T1/B2/notify-SECRET-0123456789"
    with pytest.raises(GatekeeperError) as caught:
        send_notification(
            url, {"text": "hi"}, transport=httpx.MockTransport(handler), retry_delay=0
        )
    error = caught.value
    assert isinstance(error, TransportError | NotificationError)
    assert_nothing_of_httpx_hangs_off(error)
    retried = is_retried(exc_class)
    assert len(calls) == (2 if retried else 1)
    assert "notify-SECRET" not in str(error)
    assert "hooks.example.org" in str(error)
