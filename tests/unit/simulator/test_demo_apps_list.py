"""``tests/demo_apps.py`` names exactly the demo estate's apps, in its order."""

from __future__ import annotations

from demo_apps import DEMO_APPS

from gatekeeper.simulator import demo_estate


def test_the_shared_list_is_the_demo_estate() -> None:
    assert tuple(app.name for app in demo_estate().apps) == DEMO_APPS
