"""The built-in demo estate: "University of Example" (shipped as ``demo_estate.json``)."""

from __future__ import annotations

import json
from importlib import resources

from gatekeeper.simulator.estate import SimEstate, SimWebhook
from gatekeeper.simulator.estate_file import estate_from_data

DEMO_ESTATE_FILE = "demo_estate.json"
#: The receiver of the demo's ``gatekeeper serve``; ``survey`` is subscribed to it.
DEMO_RECEIVER = "https://gatekeeper.uni-example.edu/webhooks/heroku"
DEMO_WEBHOOK_INCLUDE = ["api:addon-attachment", "api:addon", "api:app", "api:release"]


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
    estate = estate_from_data(json.loads(text), name=DEMO_ESTATE_FILE, text=text)
    # Webhook subscriptions are not part of the estate file (nothing the audit reads): the
    # demo's one is added here, for `gatekeeper webhooks status`.
    for app in estate.apps:
        if app.name == "survey":
            app.webhooks.append(SimWebhook(DEMO_RECEIVER, include=list(DEMO_WEBHOOK_INCLUDE)))
            app.fill_ids()
    return estate
