"""Finding the line of a key path in TOML text."""

from __future__ import annotations

import textwrap
import tomllib

import pytest

from gatekeeper.textpos import format_path, toml_key_lines

TEXT = textwrap.dedent('''\
    # a comment with [brackets] and key = "value"
    version = 1
    notes = """
    fake = 1
    [fake.table]
    """
    literal = \'\'\'
    also = "fake"
    \'\'\'

    [classes.personal]
    countries = [
      "EEA",  # trailing comment ]
      "adequate",
    ]

    [[agreements]]
    id = "a"
    [[agreements]]
    id = "b"
    inline = { x = 1, y = [2, 3] }
    "quoted.key" = 2
    dotted.inner = 3
    when = 1979-05-27 07:32:00Z
    [agreements.extra]
    z = 4
    [[agreements]]
    id = "c"

    [rules]
    postgres-backups = "off"
''')


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("version",), 2),
        (("notes",), 3),
        (("literal",), 7),
        (("classes",), 11),
        (("classes", "personal"), 11),
        (("classes", "personal", "countries"), 12),
        (("classes", "personal", "countries", 0), 13),
        (("classes", "personal", "countries", 1), 14),
        (("agreements", 0), 17),
        (("agreements", 0, "id"), 18),
        (("agreements", 1), 19),
        (("agreements", 1, "id"), 20),
        (("agreements", 1, "inline", "y", 1), 21),
        (("agreements", 1, "quoted.key"), 22),
        (("agreements", 1, "dotted"), 23),
        (("agreements", 1, "dotted", "inner"), 23),
        (("agreements", 1, "when"), 24),
        (("agreements", 1, "extra", "z"), 26),
        (("agreements", 2, "id"), 28),
        (("rules", "postgres-backups"), 31),
    ],
)
def test_line_of_each_key(path: tuple[str | int, ...], line: int) -> None:
    assert toml_key_lines(TEXT).line_of(path) == line


def test_the_sample_is_valid_toml() -> None:
    assert tomllib.loads(TEXT)["agreements"][1]["extra"] == {"z": 4}


def test_strings_do_not_produce_keys() -> None:
    lines = toml_key_lines(TEXT)
    assert lines.line_of(("fake",)) is None
    assert lines.line_of(("also",)) is None


def test_missing_keys_fall_back_to_the_enclosing_table() -> None:
    lines = toml_key_lines(TEXT)
    assert lines.line_of(("agreements", 2, "expires")) == 27
    assert lines.line_of(("classes", "special")) == 11
    assert lines.line_of(("nothing",)) is None


def test_path_at_names_the_key_on_the_line_or_the_table() -> None:
    lines = toml_key_lines(TEXT)
    assert lines.path_at(20) == ("agreements", 1, "id")
    assert lines.path_at(29) == ("agreements", 2)


def test_scanner_keeps_what_it_found_before_broken_text() -> None:
    lines = toml_key_lines('version = 1\n[logs]\ncheck_drains = true\nbroken = "\n')
    assert lines.line_of(("logs", "check_drains")) == 3


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("agreements", 2, "expires"), "agreements[2].expires"),
        (("rules", "postgres-backups"), "rules.postgres-backups"),
        (("classes", "per sonal", "countries", 0), 'classes."per sonal".countries[0]'),
        ((), ""),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text
