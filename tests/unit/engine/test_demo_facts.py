"""The hand-built demo facts agree with the simulator's ground truth for the demo estate."""

from __future__ import annotations

from demo_facts import demo_facts, normalised

from gatekeeper import serial
from gatekeeper.simulator.demo import demo_estate


def test_hand_built_demo_facts_match_the_simulator() -> None:
    assert normalised(demo_facts()) == normalised(demo_estate().to_facts())


def test_demo_facts_hide_the_drain_secret() -> None:
    assert "s3cr3t" not in serial.to_json(demo_facts())
    assert "s3cr3t" not in serial.to_json(demo_estate().to_facts())
