"""``gatekeeper serve`` end to end: the real app under uvicorn, the real worker
(``gatekeeper serve --worker`` in a subprocess), the simulator, and both stores (a SQLite
file and the real PostgreSQL server of ``GATEKEEPER_TEST_DATABASE_URL``).

- a signed event re-checks the app: its new decision is served by the API and a notification
  reaches a local webhook;
- forged, unsigned, replayed and oversized deliveries record nothing;
- a worker killed (SIGKILL) while it holds a job: the job is done after a restart;
- two workers: each event is processed once.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from external_programs import require_program
from serve_harness import (
    DASHBOARD_TOKEN,
    WEBHOOK_SECRET,
    NotificationSink,
    app_decision,
    delivery,
    live_server,
    loopback_settings,
    wait_for,
    worker_process,
)

from gatekeeper.serve.app import create_app
from gatekeeper.serve.settings import Settings
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate
from gatekeeper.simulator.estate import SimAddOn
from gatekeeper.store import LiveStore, open_store

URL_ENV = "GATEKEEPER_TEST_DATABASE_URL"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'serve.sqlite3'}"
        return
    url = os.environ.get(URL_ENV)
    if not url:
        require_program(None, f"PostgreSQL server ({URL_ENV})")
    assert url is not None
    import psycopg

    schema = f"gk_serve_{uuid.uuid4().hex[:12]}"
    yield f"{url}?schema={schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def live(store_url: str) -> Iterator[LiveStore]:
    store = open_store(store_url)
    yield store
    store.close()


@pytest.fixture
def settings(store_url: str) -> Settings:
    return loopback_settings(store_url, audit_scope="all")


@pytest.fixture
def server(settings: Settings) -> Iterator[httpx.Client]:
    with (
        live_server(create_app(settings)) as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"}, timeout=30
        ) as client,
    ):
        yield client


@pytest.fixture
def start_worker(
    store_url: str, simulator: Simulator, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    started: list[Any] = []

    def start(**env: str) -> Any:
        process = worker_process(
            {
                "HEROKU_HOST": simulator.url,
                "HEROKU_API_KEY": DEMO_ADMIN_TOKEN,
                "DATABASE_URL": store_url,
                "GATEKEEPER_AUDIT_SCOPE": "all",
                **env,
            },
            log=tmp_path / f"worker-{len(started)}.log",
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def with_mailgun(app: str) -> Any:
    """The demo estate where ``app`` has gained a third-party add-on that no agreement of the
    policy covers (block)."""
    estate = demo_estate()
    found = next(a for a in estate.apps if a.name == app)
    found.addons.append(SimAddOn(plan="mailgun:starter", name=f"mailgun-{app}"))
    found.fill_ids()
    return estate


def post(client: httpx.Client, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return client.post("/webhooks/heroku", content=body, headers=headers)


def test_a_signed_event_rechecks_the_app_and_notifies(
    server: httpx.Client,
    live: LiveStore,
    simulator: Simulator,
    start_worker: Callable[..., Any],
    tmp_path: Path,
) -> None:
    with NotificationSink() as sink:
        start_worker(GATEKEEPER_NOTIFY_URL=sink.url)
        # The first audit (from the API) gives every app its state.
        assert server.post("/api/v1/audits").status_code == 202
        wait_for(lambda: app_decision(server, "econ-game"), what="the first audit")
        assert app_decision(server, "econ-game") == "allow"
        audited = server.get("/api/v1/apps/econ-game").json()
        assert audited["source"] == "audit" and audited["findings"] == []
        wait_for(lambda: live.pending_jobs() == 0, what="the audit job to finish")
        sink.received.clear()  # the audit's own notification (new blocking findings)

        # A researcher attaches a third-party add-on; Heroku delivers the event.
        simulator.set_estate(with_mailgun("econ-game"))
        answer = post(server, *delivery("econ-game"))
        assert answer.status_code == 202 and answer.json()["app"] == "econ-game"
        wait_for(lambda: app_decision(server, "econ-game") == "block", what="the re-check")

        app = server.get("/api/v1/apps/econ-game").json()
        assert app["source"] == "event" and app["checked_at"].endswith("Z")
        assert {f["rule"] for f in app["findings"]} >= {"addon-no-agreement"}
        assert set(app) >= {"name", "id", "team", "region", "decision", "findings"}
        listed = server.get("/api/v1/apps", params={"decision": "block", "team": "econ-lab"})
        assert [a["name"] for a in listed.json()["apps"]] == ["econ-game"]
        note = wait_for(lambda: sink.received, what="the notification")[0]
        assert note["decision_change"] == {
            "app": "econ-game",
            "from": "allow",
            "to": "block",
            "direction": "worse",
        }
        assert "econ-game: allow → block" in note["text"]

        # It gets better again: removed add-on, a new event, a notification saying so.
        simulator.set_estate(demo_estate())
        assert post(server, *delivery("econ-game", action="destroy")).status_code == 202
        wait_for(lambda: app_decision(server, "econ-game") == "allow", what="the second re-check")
        better = wait_for(lambda: sink.received[1:], what="the second notification")[0]
        assert better["decision_change"]["direction"] == "better"

    # The worker's log says what it did, and never a secret.
    log = (tmp_path / "worker-0.log").read_text(encoding="utf-8")
    assert "recheck econ-game done" in log
    for secret in (DEMO_ADMIN_TOKEN, WEBHOOK_SECRET, DASHBOARD_TOKEN, sink.url.split("/", 3)[3]):
        assert secret not in log


def test_forged_unsigned_replayed_and_oversized_deliveries_record_nothing(
    server: httpx.Client, live: LiveStore
) -> None:
    body, headers = delivery("econ-game", delivery_id="delivery-1")
    unsigned = {k: v for k, v in headers.items() if k != "Heroku-Webhook-Hmac-SHA256"}
    assert post(server, body, unsigned).status_code == 401
    forged_body, forged = delivery("econ-game", secret="not-the-secret")
    assert post(server, forged_body, forged).status_code == 401
    tampered = body.replace(b"econ-game", b"survey")
    assert post(server, tampered, headers).status_code == 401
    big = b'{"resource": "app", "pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert post(server, big, headers).status_code == 413
    assert live.recent_events() == [] and live.pending_jobs() == 0

    assert post(server, body, headers).status_code == 202
    assert post(server, body, headers).status_code == 200  # replayed: the same delivery
    again, same_event = delivery("econ-game", event_id="e-1", delivery_id="delivery-2")
    assert post(server, again, same_event).status_code == 202
    other, _ = delivery("econ-game", event_id="e-1", delivery_id="delivery-3")
    from gatekeeper.usecases.events import signature_of

    resent = {"Heroku-Webhook-Hmac-SHA256": signature_of(other, WEBHOOK_SECRET)}
    assert post(server, other, resent).status_code == 200  # the same event, redelivered
    assert len(live.recent_events()) == 2
    assert live.pending_jobs() == 1  # one waiting re-check of econ-game, not three


def test_an_unknown_resource_is_stored_and_acknowledged(
    server: httpx.Client, live: LiveStore
) -> None:
    body, headers = delivery("econ-game", resource="sni-endpoint")
    assert post(server, body, headers).status_code == 202
    [event] = live.recent_events()
    assert (event.resource, event.app_name) == ("sni-endpoint", "econ-game")


def test_a_worker_killed_mid_job_leaves_the_event_to_the_next_one(
    server: httpx.Client,
    live: LiveStore,
    simulator: Simulator,
    start_worker: Callable[..., Any],
) -> None:
    simulator.latency = 1.0  # every request is slow: the job is still running when killed
    assert post(server, *delivery("econ-game")).status_code == 202
    first = start_worker(GATEKEEPER_JOB_LEASE="1")
    job = wait_for(
        lambda: (j := live.get_job(1)) is not None and j.state == "running" and j,
        what="the first worker to claim the job",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    assert live.app_state("econ-game") is None  # it never finished
    simulator.latency = 0.0
    start_worker(GATEKEEPER_JOB_LEASE="1")
    wait_for(lambda: app_decision(server, "econ-game"), what="the restarted worker")
    done = wait_for(
        lambda: (j := live.get_job(job.id)) is not None and j.state == "done" and j,
        what="the job to be done",
    )
    assert done.attempts == 2 and done.claimed_by != job.claimed_by
    assert [c.source for c in live.app_history("econ-game")] == ["event"]


def test_two_workers_process_each_event_once(
    server: httpx.Client, live: LiveStore, start_worker: Callable[..., Any]
) -> None:
    apps = ["survey", "otree-study", "experiment-us", "econ-game", "econ-archive", "student-game"]
    for app in apps:
        assert post(server, *delivery(app)).status_code == 202
    start_worker()
    start_worker()
    wait_for(lambda: live.pending_jobs() == 0, what="both workers to empty the queue")
    jobs = [live.get_job(i) for i in range(1, len(apps) + 1)]
    assert all(j is not None and j.state == "done" and j.attempts == 1 for j in jobs)
    for app in apps:
        assert len(live.app_history(app)) == 1, app
    assert app_decision(server, "experiment-us") == "block"
