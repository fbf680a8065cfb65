"""Over HTTP, the collector and the simulator's ground truth agree on every drain URL of the
shared table (``tests/drain_url_cases.py``), and the report never shows a credential: an
unusable URL blocks the app (fail closed)."""

from __future__ import annotations

from collections.abc import Callable

from drain_url_cases import CASES, SECRETS

from gatekeeper import serial
from gatekeeper.collect import collect_app_sync
from gatekeeper.heroku import HerokuClient
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, SimApp, SimEstate, SimLogDrain, Simulator
from gatekeeper.simulator.estate import SimToken


def test_collector_and_ground_truth_agree_on_every_drain_url(
    start_simulator: Callable[..., Simulator],
) -> None:
    drains = [SimLogDrain(url=raw) for raw, _, _ in CASES]
    estate = SimEstate(
        apps=[SimApp("survey", "eu", owner="admin@example.com", log_drains=drains)],
        tokens=[SimToken(DEMO_ADMIN_TOKEN, "admin@example.com", "Admin", apps=["*"])],
    )
    sim = start_simulator(estate)
    with HerokuClient(sim.url, DEMO_ADMIN_TOKEN) as client:
        collected = collect_app_sync(client, "survey")
    (app,) = collected.apps
    (truth,) = estate.to_facts().apps
    assert app.log_drains == truth.log_drains
    assert app.log_drains is not None
    by_id = {d.id: d for d in app.log_drains}
    for sim_drain, (_, host, url) in zip(drains, CASES, strict=True):
        assert (by_id[sim_drain.id].host, by_id[sim_drain.id].url) == (host, url)
    dumped = serial.to_json(collected)
    assert not any(secret in dumped for secret in SECRETS)
