"""``gatekeeper.records`` reads plain data into frozen dataclasses as strictly as pydantic's
strict mode did, and reports every problem at once in pydantic's error shape (the policy
loader's plain words are built on ``type``, ``loc``, ``input`` and ``ctx``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import pytest

from gatekeeper.records import Bounds, Check, RecordError, read, record_fields, set_by_code


def _even(value: int) -> int:
    if value % 2:
        raise ValueError(f"{value} is odd")
    return value


@dataclass(frozen=True, kw_only=True)
class Ref:
    record_extra = "ignore"

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class Table:
    """A policy-like table: unknown keys are errors."""

    name: str
    count: Annotated[int, Bounds(ge=0, le=10)] = 0
    even: Annotated[int, Check(_even)] = 0
    on: bool = False
    day: date | None = None
    kind: Literal["a", "b", "c"] = "a"
    tags: list[str] = field(default_factory=list)
    refs: tuple[Ref, ...] = ()
    by_kind: dict[Literal["x", "y"], int] = field(default_factory=dict)
    either: Ref | str = ""
    _loaded: str | None = field(default=None, init=False)


@dataclass(frozen=True, kw_only=True)
class Answer:
    record_extra = "ignore"
    record_unicode = True

    id: str
    nested: Ref | None


def problems(data: Any, cls: type = Table) -> list[tuple[str, tuple[Any, ...]]]:
    with pytest.raises(RecordError) as caught:
        read(cls, data)
    return [(e["type"], e["loc"]) for e in caught.value.errors()]


def test_a_valid_table_reads_into_its_dataclass() -> None:
    table = read(
        Table,
        {
            "name": "n",
            "count": 3,
            "even": 4,
            "on": True,
            "day": date(2028, 1, 31),
            "kind": "c",
            "tags": ["t"],
            "refs": [{"id": "1", "name": "r", "added_later": 1}],
            "by_kind": {"x": 1},
            "either": {"id": "2", "name": "s"},
        },
    )
    assert table == Table(
        name="n",
        count=3,
        even=4,
        on=True,
        day=date(2028, 1, 31),
        kind="c",
        tags=["t"],
        refs=(Ref(id="1", name="r"),),
        by_kind={"x": 1},
        either=Ref(id="2", name="s"),
    )
    assert isinstance(table.refs, tuple)  # JSON and TOML arrays become the declared tuple
    assert dataclasses.is_dataclass(table)
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("key", "value", "kind"),
    [
        ("name", 1, "string_type"),
        ("count", "1", "int_type"),
        ("count", True, "int_type"),  # a boolean is no integer
        ("count", 1.0, "int_type"),
        ("on", 1, "bool_type"),
        ("on", "true", "bool_type"),
        ("day", "2028-01-31", "date_type"),  # a quoted date is a string
        ("day", datetime(2028, 1, 31, tzinfo=UTC), "date_type"),  # a date-time is no date
        ("kind", "d", "literal_error"),
        ("tags", "t", "list_type"),
        ("tags", ("t",), "list_type"),
        ("refs", {"id": "1"}, "tuple_type"),
        ("by_kind", [], "dict_type"),
    ],
)
def test_types_are_strict(key: str, value: Any, kind: str) -> None:
    assert problems({"name": "n", key: value}) == [(kind, (key,))]


def test_a_literal_is_matched_with_its_type() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Version:
        version: Literal[1]

    assert read(Version, {"version": 1}).version == 1
    assert problems({"version": True}, Version) == [("literal_error", ("version",))]
    assert problems({"version": [1]}, Version) == [("literal_error", ("version",))]


def test_every_problem_is_reported_with_its_path() -> None:
    found = problems(
        {
            "count": 11,
            "even": 3,
            "tags": ["ok", 2],
            "refs": [{"id": "1", "name": "r"}, {"name": 5}],
            "by_kind": {"z": 1, "x": "one"},
            "typo": True,
        }
    )
    assert sorted(found, key=str) == sorted(
        [
            ("missing", ("name",)),
            ("less_than_equal", ("count",)),
            ("value_error", ("even",)),
            ("string_type", ("tags", 1)),
            ("missing", ("refs", 1, "id")),
            ("string_type", ("refs", 1, "name")),
            ("literal_error", ("by_kind", "z", "[key]")),
            ("int_type", ("by_kind", "x")),
            ("extra_forbidden", ("typo",)),
        ],
        key=str,
    )


def test_the_details_are_shaped_as_pydantics() -> None:
    with pytest.raises(RecordError) as caught:
        read(Table, {"name": "n", "count": -1, "even": 3, "kind": "q"})
    by_kind = {e["type"]: e for e in caught.value.errors()}
    assert by_kind["greater_than_equal"]["ctx"] == {"ge": 0}
    assert by_kind["greater_than_equal"]["input"] == -1
    assert by_kind["greater_than_equal"]["msg"] == "Input should be greater than or equal to 0"
    error = by_kind["value_error"]["ctx"]["error"]
    assert isinstance(error, ValueError) and str(error) == "3 is odd"
    assert by_kind["value_error"]["msg"] == "Value error, 3 is odd"
    assert by_kind["literal_error"]["ctx"] == {"expected": "'a', 'b' or 'c'"}
    assert isinstance(caught.value, ValueError)  # callers that catch ValueError still do


def test_a_union_takes_the_first_member_that_accepts_and_else_names_each() -> None:
    assert read(Table, {"name": "n", "either": "plain"}).either == "plain"
    assert sorted(problems({"name": "n", "either": 3})) == [
        ("model_type", ("either", "Ref")),
        ("string_type", ("either", "str")),
    ]


def test_a_nullable_field_reports_its_own_type() -> None:
    assert read(Table, {"name": "n", "day": None}).day is None
    assert problems({"name": "n", "day": 5}) == [("date_type", ("day",))]


def test_unknown_fields_are_dropped_where_a_class_ignores_them() -> None:
    assert read(Ref, {"id": "1", "name": "r", "heroku_added": {"x": 1}}) == Ref(id="1", name="r")


def test_fields_the_reader_does_not_set_are_not_keys() -> None:
    assert "_loaded" not in record_fields(Table)
    assert problems({"name": "n", "_loaded": "x"}) == [("extra_forbidden", ("_loaded",))]


def test_text_of_an_answer_must_be_unicode() -> None:
    lone = "\ud800"
    assert problems({"id": lone, "nested": None}, Answer) == [("value_error", ("id",))]
    # The rule is the class's own: a record nested in an answer keeps its own setting.
    assert read(Answer, {"id": "1", "nested": {"id": lone, "name": "n"}}).nested == Ref(
        id=lone, name="n"
    )


def test_something_other_than_a_table_is_refused() -> None:
    assert problems(["name"]) == [("model_type", ())]
    assert problems(None) == [("model_type", ())]


def test_a_field_set_by_code_is_no_key_and_survives_a_copy() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Loaded:
        name: str
        origin: str | None = set_by_code()

    assert record_fields(Loaded) == ["name"]
    assert problems({"name": "n", "origin": "x"}, Loaded) == [("extra_forbidden", ("origin",))]
    loaded = dataclasses.replace(read(Loaded, {"name": "n"}), origin="file.toml")
    assert dataclasses.replace(loaded, name="m").origin == "file.toml"
    assert loaded == Loaded(name="n")  # where it came from is not what it says
