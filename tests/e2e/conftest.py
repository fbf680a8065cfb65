"""Fixtures for end-to-end tests: the local Heroku API simulator over real HTTP on loopback.

- ``simulator``: the demo estate, fresh for each test (own port, no faults, full buckets).
- ``start_simulator``: a factory, ``start_simulator(estate=None, **Simulator kwargs)``, for
  other estates or settings; each one is stopped after the test.
- ``admin_token`` / ``jdoe_token``: the demo tokens.
- ``heroku_env``: ``HEROKU_HOST`` and ``HEROKU_API_KEY`` (admin) set for the ``simulator``.
- ``heroku_api``: an ``httpx.Client`` on the ``simulator`` with Heroku's headers (admin).

Every test in this directory is marked ``e2e``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    SimEstate,
    Simulator,
    demo_estate,
)

HEROKU_ACCEPT = "application/vnd.heroku+json; version=3"
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def admin_token() -> str:
    return DEMO_ADMIN_TOKEN


@pytest.fixture
def jdoe_token() -> str:
    return DEMO_JDOE_TOKEN


@pytest.fixture
def start_simulator() -> Iterator[Callable[..., Simulator]]:
    """Start simulators (demo estate unless one is given); all are stopped afterwards."""
    started: list[Simulator] = []

    def start(estate: SimEstate | None = None, **options: Any) -> Simulator:
        sim = Simulator(estate if estate is not None else demo_estate(), **options)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(start_simulator: Callable[..., Simulator]) -> Simulator:
    """The demo estate on its own port."""
    return start_simulator()


@pytest.fixture
def heroku_env(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the Heroku client (and the Heroku CLI) at ``simulator`` with the admin token."""
    env = {"HEROKU_HOST": simulator.url, "HEROKU_API_KEY": DEMO_ADMIN_TOKEN}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def heroku_api(simulator: Simulator) -> Iterator[Any]:
    """An httpx client on ``simulator`` sending the headers the Platform API expects."""
    import httpx

    headers = {"Accept": HEROKU_ACCEPT, "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"}
    with httpx.Client(base_url=simulator.url, headers=headers, timeout=10) as client:
        yield client
