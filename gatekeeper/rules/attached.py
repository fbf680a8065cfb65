"""Words for an add-on attached to an app but owned (billed) by another app.

Such an add-on is judged for the app it is attached to (its data is that app's data), and
every finding about it names its owner in the evidence chain: the owning app, its team or
personal account and its region, where a Heroku data add-on keeps the data
(``facts.App.addon_region``).
"""

from __future__ import annotations

from gatekeeper.facts import AddOn


def owner_words(addon: AddOn) -> str:
    """E.g. "owned by app bio-dashboard of team bio-lab, region eu"."""
    if addon.owner_account is None:
        return f"owned by app {addon.app} (its team and region were not read)"
    account = (
        f"of team {addon.owner_team}" if addon.owner_account == "team" else "of a personal account"
    )
    return f"owned by app {addon.app} {account}, region {addon.owner_region or 'unknown'}"
