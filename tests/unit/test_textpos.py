"""Positions of key paths in JSON text, and the one entry point for JSON and TOML
(``gatekeeper.textpos``; the TOML cases are in tests/unit/policy/test_policy_locate.py)."""

from __future__ import annotations

import json
import textwrap

import pytest

from gatekeeper.textpos import (
    MAX_DEPTH,
    clean_path,
    find_line,
    json_key_lines,
    key_lines,
    line_finder,
    line_of,
    toml_key_lines,
)

DOC = textwrap.dedent("""\
    {
      "schema": "gatekeeper.estate/v1",
      "apps": [
        {
          "name": "survey",
          "tags": ["a", "b",
                   "c"],
          "we\\"ird\\u00e9": {"x": 1}
        },
        {"name": "second", "team": null}
      ],
      "empty": {},
      "none": []
    }
    """)


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ((), 1),
        (("schema",), 2),
        (("apps",), 3),
        (("apps", 0), 4),
        (("apps", 0, "name"), 5),
        (("apps", 0, "tags", 1), 6),
        (("apps", 0, "tags", 2), 7),
        (("apps", 0, 'we"irdé'), 8),
        (("apps", 0, 'we"irdé', "x"), 8),
        (("apps", 1), 10),
        (("apps", 1, "team"), 10),
        (("empty",), 12),
        (("none",), 13),
    ],
)
def test_json_lines_of_members_and_items(path: tuple[str | int, ...], line: int) -> None:
    assert json_key_lines(DOC).line_of(path) == line


def test_a_missing_path_falls_back_to_its_nearest_parent() -> None:
    lines = json_key_lines(DOC)
    assert lines.line_of(("apps", 1, "region")) == 10  # the object that lacks it
    assert lines.line_of(("apps", 7, "name")) == 3
    assert lines.line_of(("nothing",)) == 1  # the document itself


def test_json_broken_midway_keeps_what_came_before() -> None:
    text = '{\n  "a": 1,\n  "b": [1, 2,\n  oops\n'
    lines = json_key_lines(text)
    assert lines.line_of(("a",)) == 2
    assert lines.line_of(("b", 1)) == 3
    assert json_key_lines("").line_of(("a",)) is None


def test_deep_nesting_neither_raises_nor_records_past_the_limit() -> None:
    depth = 100_000
    text = '{"a": ' * depth + "1" + "}" * depth
    lines = json_key_lines(text)
    assert lines.line_of(("a",) * 3) == 1
    assert max(len(path) for path in lines.lines) <= MAX_DEPTH + 1


def test_key_lines_tells_json_from_toml() -> None:
    toml = 'schema = "x"\n\n[[apps]]\nname = "survey"\naddons = ["papertrail", "redis"]\n'
    assert key_lines(toml).line_of(("apps", 0, "name")) == 4
    assert key_lines(toml) == toml_key_lines(toml)
    assert key_lines(DOC) == json_key_lines(DOC)
    assert key_lines("  [1, 2]").line_of((1,)) == 1


def test_line_of_and_line_finder_agree() -> None:
    find = line_finder(DOC)
    for path in [("schema",), ("apps", 0, "tags", 2), ("missing",)]:
        assert find(path) == line_of(DOC, path) == json_key_lines(DOC).line_of(path)


def test_clean_path_drops_pydantic_union_tags() -> None:
    loc = ("apps", 3, "addons", 0, "str")
    assert clean_path(loc) == ("apps", 3, "addons", 0)
    loc = ("apps", 3, "addons", 1, "AddOnEntry", "plan")
    assert clean_path(loc) == ("apps", 3, "addons", 1, "plan")
    assert clean_path(("teams", "list[TeamEntry]", 0, "name")) == ("teams", 0, "name")


def test_find_line_in_an_estate_file_of_either_syntax() -> None:
    toml = textwrap.dedent("""\
        [[apps]]
        name = "survey"
        addons = [
          "papertrail",
          { service = "redis", plan = "mini" },
        ]
        """)
    assert find_line(toml, ("apps", 0, "addons", 1, "AddOnEntry", "plan"), None) == 5
    assert find_line(toml, ("apps", 0, "addons", 0, "str"), None) == 4
    doc = json.dumps({"apps": [{"name": "survey", "addons": ["x", {"plan": 1}]}]}, indent=2)
    assert doc.splitlines()[find_line(doc, ("apps", 0, "addons", 1, "plan"), None) - 1] == (
        '          "plan": 1'
    )
    assert find_line("   ", ("apps",), None) is None
