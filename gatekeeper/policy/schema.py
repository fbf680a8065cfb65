"""A JSON Schema of the policy file, for editors (Taplo / Even Better TOML, IntelliJ, ...).

Editors validate TOML against JSON Schema by reading the TOML as JSON, with dates as strings
in ``YYYY-MM-DD`` form. The schema is made from the policy's own dataclasses and type hints,
the ones ``gatekeeper.records`` reads the file with, so it cannot drift from what the loader
accepts; the loader still checks what a schema cannot say (duplicate ids, expires before
signed, shadowed [[apps]] entries, ...).

Use it with a directive on the policy's first line::

    #:schema ./gatekeeper-policy.schema.json
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from datetime import date, datetime
from typing import Any, Literal, Union

from gatekeeper.policy.model import COUNTRY_ENTRY_SCHEMA, Policy
from gatekeeper.records import Bounds, Check, is_key

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:heroku-gatekeeper:policy:v1"


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of policy files, version 1."""
    defs: dict[str, Any] = {}
    top = _table(Policy, defs)
    top["title"] = Policy.schema_title
    top["description"] = Policy.schema_description
    schema = _drop_nulls({"$defs": dict(sorted(defs.items())), **top})
    # The country list is long: define it once and refer to it.
    schema = _replace(schema, COUNTRY_ENTRY_SCHEMA, {"$ref": "#/$defs/CountryEntry"})
    schema.setdefault("$defs", {})["CountryEntry"] = COUNTRY_ENTRY_SCHEMA
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}


def _table(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    """A table's object schema: its keys, their types, descriptions and defaults."""
    hints = typing.get_type_hints(cls, include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        if not is_key(f):
            continue
        prop = _type(hints[f.name], defs)
        if "$ref" not in prop:
            prop["title"] = f.name.replace("_", " ").title()
        if "description" in f.metadata:
            prop["description"] = f.metadata["description"]
        if f.default is not dataclasses.MISSING and f.default is not None:
            prop["default"] = f.default
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
        properties[f.name] = dict(sorted(prop.items()))
    out: dict[str, Any] = {
        "additionalProperties": False,
        "properties": properties,
        "title": cls.__name__,
        "type": "object",
    }
    if cls.__doc__:
        out["description"] = inspect.cleandoc(cls.__doc__)
    if required:
        out["required"] = required
    return dict(sorted(out.items()))


_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    float: {"type": "number"},
    date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"},
    type(None): {"type": "null"},
}


def _type(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # reserved first: a table may refer to itself
            defs[hint.__name__] = _table(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        schema = _type(args[0], defs)
        for meta in args[1:]:
            if isinstance(meta, Check) and meta.json_schema is not None:
                schema = dict(meta.json_schema)
            elif isinstance(meta, Bounds):
                if meta.ge is not None:
                    schema["minimum"] = meta.ge
                if meta.le is not None:
                    schema["maximum"] = meta.le
        return schema
    if origin is Literal:
        kinds = {type(a) for a in args}
        schema = {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
        if len(kinds) == 1:
            schema["type"] = _SCALARS[kinds.pop()]["type"]
        return schema
    if origin is Union or origin is types.UnionType:
        return {"anyOf": [_type(a, defs) for a in args]}
    if origin in (list, tuple):
        return {"items": _type(args[0], defs), "type": "array"}
    if origin is dict:
        names = _type(args[0], defs)
        names.pop("type", None)  # keys are strings in JSON anyway
        return {
            "additionalProperties": _type(args[1], defs),
            "propertyNames": names,
            "type": "object",
        }
    return dict(_SCALARS[hint])


def _replace(node: Any, old: Any, new: Any) -> Any:
    if node == old:
        return new
    if isinstance(node, list):
        return [_replace(item, old, new) for item in node]
    if isinstance(node, dict):
        return {k: _replace(v, old, new) for k, v in node.items()}
    return node


def _drop_nulls(node: Any) -> Any:
    """TOML has no null: ``anyOf [X, {"type": "null"}]`` becomes X, ``default: null`` goes."""
    if isinstance(node, list):
        return [_drop_nulls(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _drop_nulls(v) for k, v in node.items()}
    any_of = out.get("anyOf")
    if isinstance(any_of, list):
        kept = [s for s in any_of if s != {"type": "null"}]
        if len(kept) == 1 and len(kept) != len(any_of):
            del out["anyOf"]
            out = {**kept[0], **out}
    if "default" in out and out["default"] is None:
        del out["default"]
    return out
