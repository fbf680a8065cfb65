"""A real client over a real loopback HTTP server (in this test) that answers one app's log
drains with an item nested 100,000 levels deep: the audit and the check go on, and that app
alone carries a ``log-drains`` error (an ``api-error`` block). Issue 10, item 6.

The simulator serves only what its estate can hold, and json cannot write such an item, so
the answers are bytes served from this test.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from collect_fakes import app as app_payload
from collect_fakes import drain, team, team_app, uid

from gatekeeper.collect import AuditScope, collect_app_sync, collect_estate
from gatekeeper.engine import evaluate
from gatekeeper.heroku import AsyncHerokuClient, HerokuClient
from gatekeeper.policy.loader import loads_policy

DEPTH = 100_000


def deep_item() -> bytes:
    """A drain list whose one item holds a list nested ``DEPTH`` levels deep."""
    item = json.dumps(drain("https://logs.example.io/x", "deep"))
    return b"[" + item[:-1].encode() + b', "nested": ' + b"[" * DEPTH + b"]" * DEPTH + b"}]"


def answers() -> dict[str, bytes]:
    bodies: dict[str, Any] = {
        "/account/rate-limits": {"remaining": 4500},
        "/regions": [],
        "/spaces": [],
        "/teams/lab": team("lab"),
        f"/teams/{uid('team', 'lab')}": team("lab"),
        "/teams/lab/apps": [team_app("fine", "lab"), team_app("deep", "lab")],
        "/teams/lab/addons": [],
        "/apps/deep": app_payload("deep", "lab"),
        "/apps/deep/addons": [],
        "/addon-attachments": [],
        "/apps/fine/log-drains": [drain("syslog+tls://logs.example.edu:6514", "fine")],
    }
    out = {path: json.dumps(body).encode() for path, body in bodies.items()}
    out["/apps/deep/log-drains"] = deep_item()
    return out


@pytest.fixture
def api_url() -> Iterator[str]:
    served = answers()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            body = body if body is not None else b'{"id": "not_found", "message": "no"}'
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_audit_goes_on_and_blocks_only_the_deep_app(api_url: str) -> None:
    async def run() -> Any:
        async with AsyncHerokuClient(api_url, "t0ken", max_retries=0) as client:
            return await collect_estate(client, AuditScope(teams=("lab",)))

    estate = asyncio.run(run())
    apps = {a.name: a for a in estate.apps}
    assert sorted(apps) == ["deep", "fine"]
    (error,) = apps["deep"].errors
    assert error.fact == "log-drains"
    assert apps["deep"].log_drains is None
    assert not apps["fine"].errors
    assert [d.host for d in apps["fine"].log_drains or ()] == ["logs.example.edu"]
    policy = loads_policy('version = 1\n[[apps]]\nname = "*"\ndata_class = "none"\n')
    report = evaluate(estate, policy, date(2025, 1, 1))
    decisions = {r.name: (r.decision, [f.rule for f in r.findings]) for r in report.apps}
    assert decisions["deep"] == ("block", ["api-error"])


def test_check_reports_the_deep_detail_as_an_error_of_the_app(api_url: str) -> None:
    with HerokuClient(api_url, "t0ken", max_retries=0) as client:
        (deep,) = collect_app_sync(client, "deep").apps
    assert [e.fact for e in deep.errors] == ["log-drains"]
