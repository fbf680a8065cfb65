"""The simulator's ground truth reduces drain URLs as the shared table says
(``tests/drain_url_cases.py``), the same table the collector passes."""

from __future__ import annotations

import pytest
from drain_url_cases import CASES

from gatekeeper.simulator import SimApp, SimEstate, SimLogDrain


@pytest.mark.parametrize(("raw", "host", "url"), CASES)
def test_the_ground_truth_reduces_drain_urls_as_the_table_says(
    raw: str, host: str, url: str
) -> None:
    drains = [SimLogDrain(url=raw)]
    estate = SimEstate(apps=[SimApp("survey", "eu", owner="jane@example.edu", log_drains=drains)])
    (app,) = estate.to_facts().apps
    assert app.log_drains is not None
    (drain,) = app.log_drains
    assert (drain.host, drain.url) == (host, url)
