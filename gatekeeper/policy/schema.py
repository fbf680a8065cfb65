"""A JSON Schema of the policy file, for editors (Taplo / Even Better TOML, IntelliJ, ...).

Editors validate TOML against JSON Schema by reading the TOML as JSON, with dates as strings
in ``YYYY-MM-DD`` form. The schema comes from the pydantic models, so it cannot drift from
what the loader accepts; the loader still checks what a schema cannot say (duplicate ids,
expires before signed, shadowed [[apps]] entries, ...).

Use it with a directive on the policy's first line::

    #:schema ./gatekeeper-policy.schema.json
"""

from __future__ import annotations

from typing import Any

from gatekeeper.policy.model import COUNTRY_ENTRY_SCHEMA, Policy

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:heroku-gatekeeper:policy:v1"


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of policy files, version 1."""
    schema = _drop_nulls(Policy.model_json_schema(mode="validation"))
    # The country list is long: define it once and refer to it.
    schema = _replace(schema, COUNTRY_ENTRY_SCHEMA, {"$ref": "#/$defs/CountryEntry"})
    schema.setdefault("$defs", {})["CountryEntry"] = COUNTRY_ENTRY_SCHEMA
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}


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
