"""The per-app and per-space details the collectors read: one named entry each.

A detail is a list the API serves for one app (``GET /apps/{app}/log-drains``) or one space
(``GET /spaces/{space}/...``), read into one field of ``facts.App`` or ``facts.Space``. Both
collectors run these entries: ``collect_app`` (check) fetches every wanted app detail in its
first wave and every wanted space detail in its second; ``collect_estate`` (audit) fetches
them per app and per space, except those it reads from the team or estate-wide lists
(``in_bulk``: add-ons come from ``GET /teams/{team}/addons`` or ``GET /addons``, so an audit
does not cost a request per app for them). ``request_budget`` counts the same entries.

A detail that cannot be read, or whose answer holds an item that does not parse (for any
reason: a missing field, nesting too deep to validate), becomes a ``FactError`` of its kind
on the app, which the engine turns into an ``api-error`` block; the other apps are not
affected. To add a detail, add an entry here (docs/architecture.md, "Recipe: a resource
kind").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gatekeeper import facts
from gatekeeper.collect import convert
from gatekeeper.collect.parse import parse_answer
from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.errors import GatekeeperError
from gatekeeper.facts import FactKind
from gatekeeper.heroku import endpoints, models
from gatekeeper.heroku.endpoints import Endpoint
from gatekeeper.heroku.models import HerokuModel
from gatekeeper.needs import Needs

M = TypeVar("M", bound=HerokuModel)
F = TypeVar("F")

#: a read detail: its facts sorted by id, or the error that stands for them
Outcome = tuple[Any, ...] | facts.FactError


@dataclass(frozen=True)
class Detail(Generic[M]):
    """One list read per app (``endpoint`` takes ``{app}``) or per space (``{space}``)."""

    kind: FactKind  # what Needs asks for and what a FactError names
    label: str  # for the audit's progress display, e.g. "log drains"
    endpoint: Endpoint[M]
    convert: Callable[[M], Any]  # one item's fact; None leaves the item out
    field: str  # the facts.App or facts.Space field the facts go into
    unread: tuple[()] | None  # the field's value when not read (None: "not collected")
    in_bulk: bool = False  # the audit reads it from team or estate-wide lists instead
    fir_only: bool = False  # read only for Fir apps or spaces (others have none)

    def path(self, key: str) -> str:
        """The detail's path for one app or space (``key``: its name or id)."""
        (parameter,) = self.endpoint.parameters
        return self.endpoint.path(**{parameter: key})

    def settle(self, answer: list[Any] | GatekeeperError, key: str) -> Outcome:
        """The facts of ``answer`` (the raw list) sorted by id, or the FactError standing
        for them: the request failed, or an item does not parse."""
        read = read_list(self.kind, self.endpoint, self.path(key), answer, self.convert)
        return read if isinstance(read, facts.FactError) else tuple(sorted(read, key=_by_id))


def _by_id(fact: Any) -> str:
    return str(fact.id)


def read_list(
    kind: FactKind,
    endpoint: Endpoint[M],
    path: str,
    answer: list[Any] | GatekeeperError,
    convert_item: Callable[[M], F | None],
) -> list[F] | facts.FactError:
    """The facts of the raw list ``answer`` to ``GET path``, in order (items converted to
    None are left out), or the FactError of ``kind`` standing for them: the request failed,
    or an item does not parse (for any reason)."""
    if isinstance(answer, GatekeeperError):
        return convert.fact_error(kind, answer)
    out: list[F] = []
    for item in answer:
        parsed = parse_answer(item, endpoint.model, path)
        if isinstance(parsed, GatekeeperError):
            return convert.fact_error(kind, parsed)
        fact = convert_item(parsed)
        if fact is not None:
            out.append(fact)
    return out


# The converters of the list kinds that only a Detail reads live beside their entries, so
# that a new kind is one converter and one entry here (docs/architecture.md, "A resource
# kind"); converters shared with other readers stay in collect/convert.py.


def log_drain(d: models.LogDrain) -> facts.LogDrain:
    host, url = reduce_drain_url(d.url)
    return facts.LogDrain(id=d.id, host=host, url=url, addon=d.addon.name if d.addon else None)


def telemetry_drain(d: models.TelemetryDrain) -> facts.TelemetryDrain:
    """The drain's endpoint reduced like a log drain's URL; its headers were never read."""
    host, url = reduce_drain_url(d.exporter.endpoint)
    return facts.TelemetryDrain(id=d.id, host=host, url=url, signals=tuple(sorted(d.signals)))


APP_DETAILS: tuple[Detail[Any], ...] = (
    Detail("addons", "add-ons", endpoints.APP_ADDONS, convert.addon, "addons", (), in_bulk=True),
    Detail("log-drains", "log drains", endpoints.APP_LOG_DRAINS, log_drain, "log_drains", None),
    Detail(
        "telemetry-drains",
        "telemetry drains",
        endpoints.APP_TELEMETRY_DRAINS,
        telemetry_drain,
        "telemetry_drains",
        (),
        fir_only=True,
    ),
)
SPACE_DETAILS: tuple[Detail[Any], ...] = (
    Detail(
        "telemetry-drains",
        "telemetry drains",
        endpoints.SPACE_TELEMETRY_DRAINS,
        telemetry_drain,
        "telemetry_drains",
        (),
        fir_only=True,
    ),
)


def wanted(details: Sequence[Detail[Any]], needs: Needs) -> tuple[Detail[Any], ...]:
    return tuple(d for d in details if needs.wants(d.kind))


def per_app_in_audit(needs: Needs) -> tuple[Detail[Any], ...]:
    """The app details an audit requests app by app."""
    return tuple(d for d in wanted(APP_DETAILS, needs) if not d.in_bulk)


def applying(details: Sequence[Detail[Any]], generation: str | None) -> tuple[Detail[Any], ...]:
    """The ``details`` that exist for an app or space of ``generation``: a Fir-only detail is
    read for Fir only. (The generation is unknown only where the app's space could not be
    read, which blocks the app already.)"""
    return tuple(d for d in details if generation == convert.FIR or not d.fir_only)


def fields(
    details: Sequence[Detail[Any]], outcomes: dict[FactKind, Outcome], errors: list[facts.FactError]
) -> dict[str, Any]:
    """The fact fields of ``details`` from their ``outcomes`` (a detail not read keeps its
    ``unread`` value); the errors among them are added to ``errors``."""
    out: dict[str, Any] = {}
    for detail in details:
        outcome = outcomes.get(detail.kind)
        if isinstance(outcome, facts.FactError):
            errors.append(outcome)
            outcome = None
        out[detail.field] = detail.unread if outcome is None else outcome
    return out
