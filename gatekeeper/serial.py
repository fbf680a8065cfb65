"""The JSON form of facts and results (snapshots, the history store, ``history show``).

Facts and results are frozen dataclasses, so a check loads no pydantic (``gatekeeper.records``
reads what a check reads). What is written to disk and read back goes through pydantic's
``TypeAdapter`` over the same dataclasses: the same JSON as their models always wrote
(datetimes with ``Z``, tuples as arrays), read back with its checks (unknown keys refused).
Only the commands that write or read such files import this module.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")

# Building an adapter builds its validator and serializer: once per type.
_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def to_json(value: Any, *, indent: int | None = None) -> str:
    """``value`` (a fact or result dataclass) as JSON text."""
    return _adapter(type(value)).dump_json(value, indent=indent).decode("utf-8")


def to_data(value: Any) -> Any:
    """``value`` as JSON-ready Python data (dicts, lists, strings, numbers)."""
    return _adapter(type(value)).dump_python(value, mode="json")


def from_data(cls: type[T], data: Any) -> T:
    """``data`` (decoded JSON) as ``cls``; raises pydantic's ``ValidationError``."""
    result: T = _adapter(cls).validate_python(data)
    return result


def from_json(cls: type[T], text: str | bytes) -> T:
    """JSON text as ``cls``; raises pydantic's ``ValidationError``."""
    result: T = _adapter(cls).validate_json(text)
    return result
