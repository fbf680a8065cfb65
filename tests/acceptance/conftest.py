"""The simulator and environment the end-to-end acceptance modules share: each module names
its estate (``ESTATE``), the token that reads it (``TOKEN``) and its policy (``POLICY``), and
gets the simulator serving that estate and an environment pointing the CLI at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gatekeeper.simulator import Simulator
from gatekeeper.simulator.estate_file import estate_from_data


@pytest.fixture(scope="module")
def sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    with Simulator(estate_from_data(request.module.ESTATE)) as server:
        yield server


@pytest.fixture
def env(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Path:
    """``HEROKU_API_KEY``, ``HEROKU_HOST`` and ``GATEKEEPER_POLICY`` set for the module's
    estate, token and policy; the temporary directory the policy was written to."""
    policy = tmp_path / "gatekeeper.toml"
    policy.write_text(request.module.POLICY, encoding="utf-8")
    monkeypatch.setenv("HEROKU_API_KEY", request.module.TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(policy))
    return tmp_path
