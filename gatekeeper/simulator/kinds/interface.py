"""What a resource kind of the simulator declares: the ``Kind`` protocol.

A kind is a list of objects under an app or a space (log drains, telemetry drains), served
at ``/apps/{app}/<path>`` or ``/spaces/{space}/<path>``. One module per kind holds all the
simulator knows of it: its objects, their estate-file entries, the facts a correct collector
gathers from them, and their JSON bodies; ``gatekeeper.simulator.kinds`` lists the modules
and serves their routes. See docs/architecture.md ("A resource kind").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from gatekeeper.simulator.index import EstateIndex

Owner = Literal["app", "space"]
Json = dict[str, Any]
Loc = tuple[Any, ...]
#: ``keep(id, kind, name)``: a snapshot's id if it is a UUID, else one derived from the rest
Keep = Callable[[str, str, str], str]


class Entry(BaseModel):
    """The base of every estate-file model: unknown keys and loose types are errors."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Problems(Protocol):
    """Where an estate-file check reports what it found (``estate_file._Checker``)."""

    def problem(self, loc: Loc, message: str) -> None: ...


class Kind(Protocol):
    """A list kind. Its objects are dataclasses with an ``id`` (lists page by id), kept in
    ``owner.kinds[key]``; an ``owner`` parameter is the ``SimApp`` or ``SimSpace``."""

    #: the owner's attribute, the estate-file key and the field of ``facts.App`` /
    #: ``facts.Space``, which are spelled alike: ``"log_drains"``
    key: str
    #: the last path segment: ``/apps/{app}/<path>``
    path: str
    #: the definition in the official schema that describes one object (``"log-drain"``)
    resource: str
    owners: tuple[Owner, ...]
    #: only Fir apps and spaces have them (and only there does the collector read them)
    fir_only: bool
    #: the type of one estate-file item (a pydantic model, or a union with ``str``)
    entry: Any

    def fill_ids(self, items: list[Any], owner: Owner, name: str) -> None:
        """Derive the ids left empty from the owner and the object."""

    def parse(self, problems: Problems, loc: Loc, entries: list[Any], owner: Any) -> list[Any]:
        """The objects of validated estate-file ``entries`` (at ``loc``) of ``owner``
        (``SimApp`` or ``SimSpace``, its other keys already read); references that do not
        hold are reported to ``problems``."""

    def dump(self, items: list[Any]) -> list[Json] | None:
        """The objects as estate-file entries (None: the key is left out)."""

    def to_facts(self, items: list[Any], owner: Any) -> tuple[Any, ...]:
        """The facts a correct collector gathers from them (the ground truth)."""

    def from_facts(self, found: Sequence[Any] | None, keep: Keep) -> list[Any]:
        """The objects that serve a snapshot's facts (``SimEstate.from_facts``)."""

    def body(self, item: Any, owner: Any, index: EstateIndex) -> Json:
        """The JSON of one object, with every property of its schema definition."""
