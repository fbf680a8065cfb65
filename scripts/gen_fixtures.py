#!/usr/bin/env python3
"""Regenerate tests/fixtures/schema_examples/ from the official Heroku Platform API schema.

For each resource the gatekeeper reads, this writes one example JSON object built from the
schema's ``example`` values, property by property, recursively, following ``$ref``s. It also
writes ``_nullable.json``: for each resource, the dotted paths of the properties whose schema
type includes ``"null"``, so the model tests can check nullability without the schema.

    python scripts/gen_fixtures.py [SCHEMA] [--out DIR] [--check]

SCHEMA defaults to tests/fixtures/heroku-platform-api-schema.json (the official schema, kept
in the repository; copy a newer one over it to update).
``--check`` writes nothing and exits 1 when a fixture is missing or differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCHEMA = ROOT / "tests" / "fixtures" / "heroku-platform-api-schema.json"
DEFAULT_OUT = ROOT / "tests" / "fixtures" / "schema_examples"
NULLABLE_FILE = "_nullable.json"

# fixture name -> schema definition
RESOURCES: dict[str, str] = {
    "account": "account",
    "app": "app",
    "team-app": "team-app",
    "team": "team",
    "enterprise-account": "enterprise-account",
    "space": "space",
    "region": "region",
    "add-on": "add-on",
    "add-on-service": "add-on-service",
    "plan": "plan",
    "region-capability": "add-on-region-capability",
    "log-drain": "log-drain",
    "add-on-attachment": "add-on-attachment",
}

# Used only where the schema gives a leaf no example (a few booleans and strings).
_TYPE_DEFAULTS: dict[str, Any] = {
    "boolean": False,
    "integer": 0,
    "number": 0,
    "string": "",
    "array": [],
    "object": {},
}


class SchemaExamples:
    """Builds examples from one loaded schema."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema

    def resolve(self, node: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Mapping[str, Any]:
        """``node`` with ``$ref``s followed (local refs ``#/...`` only)."""
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise ValueError(f"cannot follow $ref {ref!r}")
            seen = (*seen, ref)
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part]
            node = target
        return node

    def example(self, node: Mapping[str, Any], depth: int = 0) -> Any:
        """An example value for ``node``: built from properties, else its ``example``."""
        if depth > 20:
            raise ValueError("schema nesting too deep (a $ref cycle?)")
        node = self.resolve(node)
        for combinator in ("anyOf", "oneOf"):
            if combinator in node and "properties" not in node and "example" not in node:
                return self.example(node[combinator][0], depth + 1)
        if "properties" in node:
            return {
                name: self.example(prop, depth + 1) for name, prop in node["properties"].items()
            }
        if "example" in node:
            return node["example"]
        types = _types(node)
        if "array" in types and "items" in node:
            return [self.example(node["items"], depth + 1)]
        if "null" in types:
            return None
        for kind in types:
            if kind in _TYPE_DEFAULTS:
                default = _TYPE_DEFAULTS[kind]
                return default.copy() if isinstance(default, list | dict) else default
        return None

    def nullable_paths(
        self, node: Mapping[str, Any], prefix: str = "", depth: int = 0
    ) -> list[str]:
        """Dotted paths of the properties under ``node`` whose type includes ``null``."""
        node = self.resolve(node)
        paths: list[str] = []
        if depth > 20:
            return paths
        for name, prop in node.get("properties", {}).items():
            resolved = self.resolve(prop)
            path = f"{prefix}{name}"
            if "null" in _types(resolved):
                paths.append(path)
            paths.extend(self.nullable_paths(resolved, f"{path}.", depth + 1))
        return paths


def _types(node: Mapping[str, Any]) -> list[str]:
    kind = node.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def render(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def build_fixtures(schema: Mapping[str, Any]) -> dict[str, str]:
    """File name -> file text for every fixture (the examples and ``_nullable.json``)."""
    examples = SchemaExamples(schema)
    definitions = schema["definitions"]
    files: dict[str, str] = {}
    nullable: dict[str, list[str]] = {}
    for name, definition in RESOURCES.items():
        node = definitions[definition]
        files[f"{name}.json"] = render(examples.example(node))
        nullable[name] = examples.nullable_paths(node)
    files[NULLABLE_FILE] = render(nullable)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("schema", nargs="?", type=Path, default=DEFAULT_SCHEMA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="report stale fixtures, write none")
    args = parser.parse_args(argv)
    try:
        schema = json.loads(args.schema.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"gen_fixtures: cannot read the schema {args.schema}: {exc}", file=sys.stderr)
        return 2
    files = build_fixtures(schema)
    stale = [
        name
        for name, text in files.items()
        if not (args.out / name).is_file() or (args.out / name).read_text(encoding="utf-8") != text
    ]
    if args.check:
        for name in stale:
            print(f"gen_fixtures: {args.out / name} is stale", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (args.out / name).write_text(files[name], encoding="utf-8")
    print(f"gen_fixtures: {len(files)} fixtures in {args.out} ({len(stale)} updated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
