"""OpenTelemetry drains of a Fir app or space (``GET /apps/{app}/telemetry-drains``,
``GET /spaces/{space}/telemetry-drains``, schema definition ``telemetry-drain``).

The exporter's ``headers`` hold ingest keys: secrets the simulator serves, as Heroku does to
a read token, and the gatekeeper must never keep (``facts.TelemetryDrain`` has no field
for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.simulator.kinds.interface import Entry, Json, Keep, Loc, Owner, Problems
from gatekeeper.simulator.naming import dates, stable_id

if TYPE_CHECKING:
    from gatekeeper import facts
    from gatekeeper.simulator.index import EstateIndex

Signal = Literal["traces", "metrics", "logs"]
SIGNALS: tuple[Signal, ...] = ("traces", "metrics", "logs")


@dataclass
class SimTelemetryDrain:
    """An OpenTelemetry drain of a Fir app or space. ``headers`` hold ingest keys (secrets
    the simulator serves, as Heroku does, and the gatekeeper must never keep)."""

    endpoint: str
    signals: list[str] = field(default_factory=lambda: list(SIGNALS))
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    exporter_type: Literal["otlphttp", "otlp"] = "otlphttp"
    id: str = ""  # empty: derived from the owner and endpoint by ``fill_ids``


class TelemetryDrainEntry(Entry):
    endpoint: str
    signals: list[Signal] = Field(default_factory=lambda: list(SIGNALS))
    headers: dict[str, str] = Field(default_factory=dict)  # secrets, served as Heroku does
    type: Literal["otlphttp", "otlp"] = "otlphttp"
    id: str | None = None


class TelemetryDrains:
    key = "telemetry_drains"
    path = "telemetry-drains"
    resource = "telemetry-drain"
    owners: tuple[Owner, ...] = ("app", "space")
    fir_only = True
    entry: Any = TelemetryDrainEntry

    def fill_ids(self, items: list[SimTelemetryDrain], owner: Owner, name: str) -> None:
        for drain in items:
            if not drain.id:
                drain.id = stable_id("telemetry-drain", owner, name, drain.endpoint)

    def parse(
        self, problems: Problems, loc: Loc, entries: list[TelemetryDrainEntry], owner: Any
    ) -> list[SimTelemetryDrain]:
        return [
            SimTelemetryDrain(e.endpoint, list(e.signals), dict(e.headers), e.type, e.id or "")
            for e in entries
        ]

    def dump(self, items: list[SimTelemetryDrain]) -> list[Json] | None:
        if not items:
            return None
        return [
            {
                "endpoint": d.endpoint,
                "signals": list(d.signals),
                "headers": dict(d.headers),
                "type": d.exporter_type,
                "id": d.id,
            }
            for d in items
        ]

    def to_facts(
        self, items: list[SimTelemetryDrain], owner: Any
    ) -> tuple[facts.TelemetryDrain, ...]:
        from gatekeeper import facts

        out = []
        for d in sorted(items, key=lambda d: d.id):
            reduced = reduce_drain_url(d.endpoint)
            out.append(
                facts.TelemetryDrain(
                    id=d.id, host=reduced.host, url=reduced.url, signals=tuple(sorted(d.signals))
                )
            )
        return tuple(out)

    def from_facts(
        self, found: Sequence[facts.TelemetryDrain] | None, keep: Keep
    ) -> list[SimTelemetryDrain]:
        """Served as the snapshot stored them (without headers)."""
        return [
            SimTelemetryDrain(d.url, list(d.signals), id=keep(d.id, "telemetry-drain", d.url))
            for d in found or ()
        ]

    def body(self, item: SimTelemetryDrain, owner: Any, index: EstateIndex) -> Json:
        """With the exporter's headers (the ingest keys), as Heroku serves them to a read
        token."""
        created, updated = dates("telemetry-drain", owner.id, item.id)
        return {
            "created_at": created,
            "id": item.id,
            "owner": {"id": owner.id, "type": owner.OWNER},
            "signals": list(item.signals),
            "exporter": {
                "type": item.exporter_type,
                "endpoint": item.endpoint,
                "headers": dict(item.headers),
            },
            "updated_at": updated,
        }


KIND = TelemetryDrains()
