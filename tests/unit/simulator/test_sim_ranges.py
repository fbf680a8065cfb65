"""Range pagination: parsing the header, cutting pages, and chaining Next-Range to the end."""

from __future__ import annotations

import pytest

from gatekeeper.simulator.ranges import (
    DEFAULT_PAGE,
    MAX_PAGE,
    RangeError,
    RangeSpec,
    cut_page,
    parse_range,
)

FIELDS = ("id", "name")
KEYS = [f"k{i:03d}" for i in range(25)]


def test_no_header_is_the_first_default_page() -> None:
    assert parse_range(None, FIELDS) == RangeSpec(field="id", max=DEFAULT_PAGE)
    assert parse_range("  ", ("id",)).field == "id"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("id ..; max=1000", RangeSpec("id", max=1000)),
        ("id ..; max=1000;", RangeSpec("id", max=1000)),
        ("name ..", RangeSpec("name")),
        ("id ]abc..; max=10", RangeSpec("id", "abc", True, max=10)),
        ("id abc..; max=10", RangeSpec("id", "abc", False, max=10)),
        ("name a..m[; max=5, order=desc", RangeSpec("name", "a", False, "m", True, 5, "desc")),
        ("id ..; order=asc, max=3", RangeSpec("id", max=3)),
    ],
)
def test_parses_heroku_range_headers(header: str, expected: RangeSpec) -> None:
    assert parse_range(header, FIELDS) == expected


@pytest.mark.parametrize(
    "header",
    [
        "id ..; max=1001",
        "id ..; max=0",
        "id ..; max=ten",
        "id ..; order=sideways",
        "id ..; colour=blue",
        "id ..; max",
        "created_at ..",
        "id",
        "id abc",
        "Id ..",
        "..",
    ],
)
def test_rejects_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeError):
        parse_range(header, FIELDS)


def test_a_list_without_names_can_only_be_ranged_by_id() -> None:
    with pytest.raises(RangeError, match="id"):
        parse_range("name ..", ("id",))


def test_header_round_trips() -> None:
    for spec in (
        RangeSpec("id", "x", True, max=7),
        RangeSpec("name", "a", False, "z", True, 3, "desc"),
    ):
        assert parse_range(spec.header(), FIELDS) == spec
    assert RangeSpec("id", "k005", True, max=10).header() == "id ]k005..; max=10"


def walk(spec: RangeSpec, keys: list[str]) -> list[list[str]]:
    pages = []
    while True:
        page = cut_page(keys, keys, spec)
        pages.append(list(page.items))
        if page.next_range is None:
            return pages
        spec = parse_range(page.next_range.header(), FIELDS)


@pytest.mark.parametrize("size", [1, 7, 10, 24, 25, 26, MAX_PAGE])
def test_next_range_chain_returns_every_item_once_in_order(size: int) -> None:
    pages = walk(RangeSpec("id", max=size), KEYS)
    assert [k for page in pages for k in page] == KEYS
    assert all(len(p) == size for p in pages[:-1])
    assert len(pages) == max(1, -(-len(KEYS) // size))


def test_descending_chain() -> None:
    pages = walk(RangeSpec("id", max=10, order="desc"), KEYS)
    assert [k for page in pages for k in page] == list(reversed(KEYS))
    assert [len(p) for p in pages] == [10, 10, 5]


def test_bounds_inclusive_and_exclusive() -> None:
    assert list(cut_page(KEYS, KEYS, RangeSpec("id", "k003", False, "k006", False)).items) == [
        "k003",
        "k004",
        "k005",
        "k006",
    ]
    assert list(cut_page(KEYS, KEYS, RangeSpec("id", "k003", True, "k006", True)).items) == [
        "k004",
        "k005",
    ]
    assert list(
        cut_page(KEYS, KEYS, RangeSpec("id", "k006", True, "k003", True, order="desc")).items
    ) == ["k005", "k004"]


def test_page_metadata() -> None:
    page = cut_page(KEYS, KEYS, RangeSpec("id", max=10))
    assert page.content_range("id") == "id k000..k009"
    assert page.next_range == RangeSpec("id", "k009", True, max=10)
    last = cut_page(KEYS, KEYS, RangeSpec("id", "k019", True, max=10))
    assert last.next_range is None and len(last.items) == 5


def test_empty_lists_and_ranges_past_the_end() -> None:
    empty = cut_page([], [], RangeSpec())
    assert list(empty.items) == [] and empty.next_range is None
    assert empty.content_range("id") is None
    assert list(cut_page(KEYS, KEYS, RangeSpec("id", "zzz")).items) == []


def test_first_page_of_a_range_drops_its_start() -> None:
    spec = RangeSpec("name", "m", True, max=50, order="desc")
    assert spec.first_page() == RangeSpec("name", max=50, order="desc")
