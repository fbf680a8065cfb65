"""Log drains of an app (``GET /apps/{app}/log-drains``, schema definition ``log-drain``).

A drain an add-on created names it (``addon``); a custom drain does not. Heroku returns the
full URL, credentials and query included; the collector keeps scheme, host, port and path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.simulator import resources, routes
from gatekeeper.simulator.kinds.interface import Entry, Json, Keep, Loc, Owner, Problems
from gatekeeper.simulator.kinds.serve import resource_of
from gatekeeper.simulator.naming import dates, drain_token, stable_id

if TYPE_CHECKING:
    from gatekeeper import facts
    from gatekeeper.simulator.estate import SimApp
    from gatekeeper.simulator.index import EstateIndex


@dataclass
class SimLogDrain:
    """A log drain; ``addon`` names the add-on that created it (None: a custom drain).

    ``url`` is the full URL as Heroku returns it, credentials and query included.
    """

    url: str
    addon: str | None = None
    id: str = ""  # empty: derived from the app and URL by ``SimApp.fill_ids``

    @property
    def token(self) -> str:
        return drain_token(self.id)


class LogDrainEntry(Entry):
    url: str
    addon: str | None = None  # name or service of an add-on of the same app
    id: str | None = None


class LogDrains:
    key = "log_drains"
    path = "log-drains"
    resource = "log-drain"
    owners: tuple[Owner, ...] = ("app",)
    fir_only = False
    entry: Any = str | LogDrainEntry

    def fill_ids(self, items: list[SimLogDrain], owner: Owner, name: str) -> None:
        for drain in items:
            if not drain.id:
                drain.id = stable_id("log-drain", name, drain.url)

    def parse(
        self, problems: Problems, loc: Loc, entries: list[str | LogDrainEntry], owner: SimApp
    ) -> list[SimLogDrain]:
        out = []
        for j, entry in enumerate(entries):
            spec = LogDrainEntry(url=entry) if isinstance(entry, str) else entry
            where = (*loc, j) if isinstance(entry, str) else (*loc, j, "url")
            if not re.match(r"^[a-z][a-z0-9+.-]*://[^/\s]+", spec.url):
                problems.problem(where, f"{spec.url!r} is not a URL with a scheme and a host")
            addon = None
            if spec.addon is not None:
                matches = [o for o in owner.addons if spec.addon in (o.name, o.service)]
                if len(matches) != 1:
                    problems.problem(
                        (*loc, j, "addon"), f"{spec.addon!r} names no single add-on of this app"
                    )
                else:
                    addon = matches[0].name
            out.append(SimLogDrain(url=spec.url, addon=addon, id=spec.id or ""))
        return out

    def dump(self, items: list[SimLogDrain]) -> list[Json]:
        # written even when empty: an estate file shows that an app has no drain
        out = []
        for d in items:
            drain: Json = {"url": d.url, "id": d.id}
            if d.addon:
                drain["addon"] = d.addon
            out.append(drain)
        return out

    def to_facts(self, items: list[SimLogDrain], owner: SimApp) -> tuple[facts.LogDrain, ...]:
        from gatekeeper import facts

        return tuple(
            facts.LogDrain(id=d.id, host=reduced.host, url=reduced.url, addon=d.addon)
            for d, reduced in (
                (d, reduce_drain_url(d.url)) for d in sorted(items, key=lambda d: d.id)
            )
        )

    def from_facts(self, found: Sequence[facts.LogDrain] | None, keep: Keep) -> list[SimLogDrain]:
        """Served as the snapshot stored them (already without secrets)."""
        return [
            SimLogDrain(url=d.url, addon=d.addon, id=keep(d.id, "log-drain", d.url))
            for d in found or ()
        ]

    def body(self, item: SimLogDrain, app: SimApp, index: EstateIndex) -> Json:
        entry = index.addons.get(item.addon) if item.addon else None
        addon = entry[0] if entry else None
        created, updated = dates("log-drain", app.name, item.id)
        return {
            "addon": {"id": addon.id, "name": addon.name, "app": resources.app_ref(app)}
            if addon
            else None,
            "app": resources.app_ref(app),
            "created_at": created,
            "id": item.id,
            "token": item.token,
            "updated_at": updated,
            "url": item.url,
        }


KIND = LogDrains()


@routes.route("/apps/{app}/log-drains/{drain}")
def app_log_drain(ctx: routes.Context, app: str, drain: str) -> routes.Reply:
    found = routes.owner(ctx, "app", app)
    drains: list[SimLogDrain] = found.kinds[KIND.key]
    match = next((d for d in drains if drain in (d.id, d.url, d.token)), None)
    if match is None:
        raise routes.not_found("log drain")
    return routes.One(resource_of(KIND, match, found, ctx.index))
