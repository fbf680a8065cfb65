#!/usr/bin/env python3
"""Benchmark ``gatekeeper serve`` (issue 14): event-to-decision latency, and page times over a
10,000-app estate. Prints the figures (docs/benchmarks.md)::

    python scripts/bench_serve.py [--events 40] [--latency 0.03] [--apps 10000]
                                  [--repeat 30] [--database-url postgresql://...]

1. **Event to decision**: the simulator (127.0.0.1, the demo estate) answers every request
   after ``--latency`` seconds; the app runs under uvicorn, one worker beside it (in this
   process, as ``serve --with-worker``), a SQLite store. Each round changes ``econ-game``
   (a third-party add-on attached, then removed again), posts a signed webhook, and polls
   ``GET /api/v1/apps/econ-game`` every 5 ms until the new decision shows: median and 95th
   percentile of that time (target p95 < 2 s).
2. **Pages over a large estate**: a store filled with ``--apps`` synthetic app states (each
   with its v1 JSON and two findings, in 40 teams) and a webhook event; each page is fetched
   ``--repeat`` times over loopback HTTP, and the median and 95th percentile of the whole
   round trip are printed: the server's time plus a loopback hop (target < 150 ms). With
   ``--database-url`` the same again on PostgreSQL (in a schema of its own, dropped after).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serve_harness import (  # noqa: E402 - after the path is set
    DASHBOARD_TOKEN,
    delivery,
    live_server,
    loopback_settings,
)

from gatekeeper.serve.app import create_app  # noqa: E402
from gatekeeper.serve.settings import Settings  # noqa: E402

APP = "econ-game"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def settings(store_url: str) -> Settings:
    return loopback_settings(store_url, job_lease=60)


def event_latency(events: int, latency: float, workdir: Path) -> list[float]:
    import os

    from gatekeeper.serve.worker import Worker, start_in_thread
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate
    from gatekeeper.simulator.estate import SimAddOn

    plain = demo_estate()
    changed = demo_estate()
    app = next(a for a in changed.apps if a.name == APP)
    app.addons.append(SimAddOn(plan="mailgun:starter", name="mailgun-bench"))
    app.fill_ids()
    times: list[float] = []
    with Simulator(plain, latency=latency) as sim:
        os.environ["HEROKU_HOST"] = sim.url
        os.environ["HEROKU_API_KEY"] = DEMO_ADMIN_TOKEN
        config = settings(f"sqlite:///{workdir / 'latency.sqlite3'}")
        web = create_app(config)
        with (
            live_server(web) as url,
            httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"}
            ) as client,
        ):
            _, stop = start_in_thread(Worker(config, web.state.store, web.state.policy))
            try:
                for round_ in range(events + 1):
                    worse = round_ % 2 == 0
                    sim.set_estate(changed if worse else plain)
                    expected = "block" if worse else "allow"
                    body, headers = delivery(APP)
                    started = time.perf_counter()
                    assert (
                        client.post("/webhooks/heroku", content=body, headers=headers).status_code
                        == 202
                    )
                    while True:
                        answer = client.get(f"/api/v1/apps/{APP}")
                        if answer.status_code == 200 and answer.json()["decision"] == expected:
                            break
                        time.sleep(0.005)
                    if round_:  # the first round warms the caches and imports
                        times.append(time.perf_counter() - started)
            finally:
                stop.set()
    return times


def fill(store_url: str, apps: int) -> None:
    from gatekeeper.store import open_store
    from gatekeeper.store.live import AppState, AppSummary, NewEvent

    store = open_store(store_url)
    now = datetime.now(UTC)
    decisions = ("allow", "warn", "block")
    batch: list[AppState] = []
    for i in range(apps):
        name = f"app-{i:05d}"
        team = f"lab-{i % 40:02d}"
        decision = decisions[i % 3]
        document = {
            "name": name,
            "id": str(uuid.UUID(int=i)),
            "team": team,
            "region": "eu",
            "country": "IE",
            "space": None,
            "shield": False,
            "data_class": "personal",
            "decision": decision,
            "findings": [
                {
                    "rule": "addon-no-agreement",
                    "severity": "block",
                    "subject": "papertrail",
                    "message": f"{name} sends data to papertrail without an agreement.",
                    "remediation": "Sign a DPA or remove it.",
                    "waived": False,
                    "fingerprint": f"{i:020x}",
                    "waiver": None,
                    "evidence": [{"kind": "app", "name": name, "detail": f"owner {team}"}],
                },
            ]
            * 2,
        }
        summary = AppSummary(name, team, "eu", decision, now - timedelta(seconds=i), "audit")  # type: ignore[arg-type]
        batch.append(AppState(summary, json.dumps(document), None))
        if len(batch) == 1000:
            store.record_app_states(batch)
            batch = []
    store.record_app_states(batch)
    store.record_event(NewEvent("d-1", "e-1", "addon", "create", "app-00001", now, "{}"))
    store.close()


def page_times(store_url: str, repeat: int, apps: int) -> list[tuple[str, float, float]]:
    # names that `fill` wrote for `apps` apps (app-05000 and app-09000 for 10,000)
    middle, late = f"app-{apps // 2:05d}", f"app-{apps * 9 // 10:05d}"
    pages = [
        "/",
        "/apps",
        "/apps?decision=block&team=lab-07",
        f"/apps/{middle}",
        "/api/v1/apps",
        "/api/v1/apps?decision=block",
        "/api/v1/apps?team=lab-13",
        f"/api/v1/apps?after={late}",
        f"/api/v1/apps/{middle}",
        "/api/v1/summary",
    ]
    rows = []
    with live_server(create_app(settings(store_url))) as url, httpx.Client(base_url=url) as client:
        form = client.get("/login").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        client.post("/login", data={"csrf": csrf, "token": DASHBOARD_TOKEN})
        for path in pages:
            client.get(path)  # warm
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                answer = client.get(path)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200, (path, answer.status_code)
            rows.append((path, statistics.median(times) * 1000, percentile(times, 0.95) * 1000))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.03)
    parser.add_argument("--apps", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", help="also measure the pages on this PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        times = event_latency(args.events, args.latency, workdir)
        print(
            f"event -> decision at /api/v1/apps/{APP} ({len(times)} events, simulator latency "
            f"{args.latency * 1000:.0f} ms, 1 worker, SQLite): median "
            f"{statistics.median(times):.3f} s, p95 {percentile(times, 0.95):.3f} s"
            f" (target p95 < 2 s: {'met' if percentile(times, 0.95) < 2 else 'NOT met'})"
        )
        stores = [("SQLite", f"sqlite:///{workdir / 'estate.sqlite3'}")]
        schema = f"bench_serve_{uuid.uuid4().hex[:8]}"
        if args.database_url:
            stores.append(("PostgreSQL", f"{args.database_url}?schema={schema}"))
        try:
            for label, url in stores:
                started = time.perf_counter()
                fill(url, args.apps)
                print(
                    f"\n{label}: {args.apps:,} app states written in "
                    f"{time.perf_counter() - started:.1f} s; per page ({args.repeat} requests, "
                    "loopback round trip), target < 150 ms:"
                )
                print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8}")
                for path, median, p95 in page_times(url, args.repeat, args.apps):
                    print(f"{path:<40} {median:>10.1f} {p95:>8.1f}")
        finally:
            if args.database_url:
                import psycopg

                with psycopg.connect(args.database_url, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
