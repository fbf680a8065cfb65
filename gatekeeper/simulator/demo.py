"""The built-in demo estate: "University of Example" (shipped as ``demo_estate.json``)."""

from __future__ import annotations

import json
from importlib import resources

from gatekeeper.simulator.estate import SimEstate
from gatekeeper.simulator.estate_file import estate_from_data

DEMO_ESTATE_FILE = "demo_estate.json"


def demo_estate() -> SimEstate:
    """A fresh copy of the demo estate: an enterprise account ``uni-example`` with three
    teams, a team outside it, a Frankfurt space and a Shield space, ten apps (one personal),
    and two tokens (``DEMO_ADMIN_TOKEN`` sees everything, ``DEMO_JDOE_TOKEN`` sees
    psych-lab and Jane Doe's own app). docs/simulator.md lists it in full."""
    text = (
        resources.files("gatekeeper.simulator")
        .joinpath(DEMO_ESTATE_FILE)
        .read_text(encoding="utf-8")
    )
    return estate_from_data(json.loads(text), name=DEMO_ESTATE_FILE, text=text)
