"""The Heroku Platform API client (docs/client.md).

Public API, imported lazily so that ``import gatekeeper.heroku.config`` stays light (httpx and
pydantic are loaded only when a client or model is used)::

    resolve_api_url(flag) -> str
    resolve_token(api_url=None) -> Credential            # .token, .source ("env"|"keyring"|"netrc")
    AsyncHerokuClient(base_url, token, *, max_in_flight=8, timeout=..., max_retries=...,
                      transport=None, sleep=None, etag_cache=False,
                      run_timeout=None)              # async with
    HerokuClient(...)                                    # the same, synchronous
    quote_segment(name) -> str                           # for names inside API paths
    parse_model(data, Model, path) -> Model              # ProtocolError on a mismatch

See docs/client.md for how the URL and token are found, time limits, retries and rate
limiting. HTTP itself goes through ``gatekeeper.transport``, shared with the webhook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gatekeeper.lazy import lazy_exports

if TYPE_CHECKING:
    from gatekeeper.heroku.client import AsyncHerokuClient, HerokuClient
    from gatekeeper.heroku.config import resolve_api_url
    from gatekeeper.heroku.credentials import Credential, resolve_token
    from gatekeeper.heroku.etag import EtagCache
    from gatekeeper.heroku.interface import ClientStats, HerokuApi, SyncHerokuApi
    from gatekeeper.heroku.paths import quote_segment
    from gatekeeper.heroku.protocol import parse_model
    from gatekeeper.transport import Timeouts

_EXPORTS = {
    "AsyncHerokuClient": "gatekeeper.heroku.client",
    "HerokuClient": "gatekeeper.heroku.client",
    "resolve_api_url": "gatekeeper.heroku.config",
    "Credential": "gatekeeper.heroku.credentials",
    "resolve_token": "gatekeeper.heroku.credentials",
    "EtagCache": "gatekeeper.heroku.etag",
    "ClientStats": "gatekeeper.heroku.interface",
    "HerokuApi": "gatekeeper.heroku.interface",
    "SyncHerokuApi": "gatekeeper.heroku.interface",
    "quote_segment": "gatekeeper.heroku.paths",
    "parse_model": "gatekeeper.heroku.protocol",
    "Timeouts": "gatekeeper.transport",
}

__all__ = [
    "AsyncHerokuClient",
    "ClientStats",
    "Credential",
    "EtagCache",
    "HerokuApi",
    "HerokuClient",
    "SyncHerokuApi",
    "Timeouts",
    "parse_model",
    "quote_segment",
    "resolve_api_url",
    "resolve_token",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
