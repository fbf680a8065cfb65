"""The real parts of ``gatekeeper serve`` for its tests: the app under uvicorn on a free
loopback port (in a thread), the worker as a subprocess, signed Heroku deliveries, and a local
HTTP receiver for notifications.

Waiting is always for a condition (``wait_for``), never for a fixed time.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from gatekeeper.usecases.events import DELIVERY_HEADER, SIGNATURE_HEADER, signature_of

if TYPE_CHECKING:
    from gatekeeper.serve.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
WEBHOOK_SECRET = "whsec-canary-0123456789abcdef"
DASHBOARD_TOKEN = "dash-canary-token-0123456789abcdef"
T = TypeVar("T")


def loopback_settings(store_url: str, **changes: Any) -> Settings:
    """The settings of a test server on loopback: the harness's token and webhook secret,
    cookies without Secure (plain http), the example policy, ``store_url``; ``changes`` on
    top."""
    from gatekeeper.serve.settings import Settings

    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "dashboard_token": DASHBOARD_TOKEN,
        "webhook_secret": WEBHOOK_SECRET,
        "secure_cookies": False,
        "policy_path": str(POLICY),
        "store_url": store_url,
    }
    return Settings(**{**values, **changes})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], T | None], *, what: str, timeout: float = 60.0) -> T:
    """``condition()``'s first truthy value; fails naming ``what`` after ``timeout`` (only a
    safety net for a broken build: the tests wait for events, not for durations)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextmanager
def live_server(app: Any, *, port: int | None = None) -> Iterator[str]:
    """``app`` under uvicorn on 127.0.0.1:PORT (a free one unless given) in a thread; yields
    its base URL."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port or free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    wait_for(lambda: server.started, what="uvicorn to start", timeout=30)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def delivery(
    app: str,
    *,
    resource: str = "addon",
    action: str = "create",
    event_id: str | None = None,
    delivery_id: str | None = None,
    secret: str = WEBHOOK_SECRET,
) -> tuple[bytes, dict[str, str]]:
    """A Heroku app-webhook delivery about ``app``, signed with ``secret``: body, headers."""
    event_id = event_id or str(uuid.uuid4())
    data: dict[str, Any] = {"name": app} if resource == "app" else {"app": {"name": app}}
    body = json.dumps(
        {
            "id": event_id,
            "action": action,
            "resource": resource,
            "data": data,
            "actor": {"email": "researcher@uni-example.edu", "id": str(uuid.uuid4())},
            "published_at": "2026-11-25T10:00:00Z",
            "version": "application/vnd.heroku+json; version=3",
            "webhook_metadata": {
                "delivery": {"id": delivery_id or str(uuid.uuid4())},
                "event": {"id": event_id, "include": f"api:{resource}"},
                "webhook": {"id": str(uuid.uuid4())},
            },
        }
    ).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature_of(body, secret)}
    if delivery_id:
        headers[DELIVERY_HEADER] = delivery_id
    return body, headers


class NotificationSink:
    """A local webhook that keeps every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = HTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/serve-notify-0123456789"

    def __enter__(self) -> NotificationSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def worker_process(env: dict[str, str], *, log: Path) -> subprocess.Popen[bytes]:
    """``gatekeeper serve --worker`` in a subprocess (its own process group), logging to
    ``log``."""
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "gatekeeper", "serve", "--worker", "--policy", str(POLICY)],
            env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def app_decision(client: httpx.Client, name: str) -> str | None:
    answer = client.get(f"/api/v1/apps/{name}")
    return answer.json()["decision"] if answer.status_code == 200 else None
