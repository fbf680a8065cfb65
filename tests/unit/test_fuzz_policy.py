"""Fuzzing the policy loader: whatever the bytes, a ``Policy`` or a ``PolicyError`` (exit 2).

Inputs are random bytes and text, the example policies of ``gatekeeper/examples/`` mutated
as text (slices deleted, TOML punctuation inserted, lines duplicated, swapped or truncated)
and as data (a value replaced by a random TOML value of any type, a key deleted or added, an
entry duplicated, then written back as TOML; or values swapped for odd ones of the same type, which
mostly still load), and random TOML documents built from the policy's own key names. A
policy that loads must also be one the engine can evaluate. Through the CLI, ``policy
validate`` and ``check --snapshot`` exit 2 with a message for an invalid file, never with a
traceback.

The strategies here are also what ``scripts/fuzz_inputs.py`` runs many thousands of times.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
import tomllib
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatekeeper.cli import run
from gatekeeper.engine import evaluate
from gatekeeper.errors import EXIT_USAGE, PolicyError
from gatekeeper.facts import Estate
from gatekeeper.policy import Policy, loads_policy

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "gatekeeper" / "examples"
SOURCE = "fuzzed-policy.toml"
TODAY = date(2026, 6, 1)

FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def seed_policies() -> tuple[str, ...]:
    """The worked examples in gatekeeper/examples/: valid starting points for mutation."""
    return tuple(p.read_text(encoding="utf-8") for p in sorted(POLICIES.glob("*.toml")))


@cache
def policy_keys() -> tuple[str, ...]:
    """Every key used in the example policies, so random documents look like policies."""
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                keys.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for text in seed_policies():
        walk(tomllib.loads(text))
    return tuple(sorted(keys))


@cache
def demo_facts() -> Estate:
    from gatekeeper.simulator import demo_estate

    return demo_estate().to_facts(None)


# -- TOML values and documents -----------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
_TZ = st.sampled_from(
    [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
)


def toml_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        _TEXT,
        st.sampled_from(
            [
                "block",
                "warn",
                "info",
                "off",
                "personal",
                "special",
                "none",
                "EEA",
                "adequate",
                "US",
                "DE",
                "*",
                "scc",
                "dpf",
                "bcr",
                "adequacy",
                "",
            ]
        ),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
        st.datetimes(timezones=st.none() | _TZ),
        st.times(),
    )


def toml_values() -> st.SearchStrategy[Any]:
    keys = st.one_of(st.sampled_from(policy_keys()), _TEXT)
    return st.recursive(
        toml_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=12,
    )


def _toml_string(value: str) -> str:
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """``value`` as inline TOML (tables inline, so any nesting fits on one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(type(value))


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{_toml_string(k)} = {toml_value(v)}\n" for k, v in data.items())


# -- mutations -------------------------------------------------------------------------------------

_TOML_PUNCTUATION = [
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    '"',
    "'",
    '"""',
    "\n",
    "#",
    ".",
    ",",
    "\\",
    "\\u",
    "-",
    ":",
    "T",
    "Z",
    "+",
    "\t",
    "\x00",
    "\ufeff",
    "é",
    "🙂",
]


@st.composite
def mutated_text(draw: st.DrawFn, seeds: tuple[str, ...]) -> str:
    """A seed with a few text edits: deletions, insertions, line shuffles, truncation."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        size = max(1, len(text))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "replace", "truncate"]))
        at = draw(st.integers(0, size - 1))
        if op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif op == "insert":
            piece = draw(st.sampled_from(_TOML_PUNCTUATION) | _TEXT)
            text = text[:at] + piece + text[at:]
        elif op == "duplicate":
            i = at % len(lines)
            text = "\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
        elif op == "swap":
            i, j = at % len(lines), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == "replace":
            i = at % len(lines)
            lines[i] = draw(_TEXT)
            text = "\n".join(lines)
        else:
            text = text[:at]
    return text


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


def _parent(root: Any, path: tuple[Any, ...]) -> Any:
    node = root
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated_data(
    draw: st.DrawFn,
    seeds: tuple[str, ...],
    parse: Callable[[str], Any],
    dump: Callable[[Any], str],
    values: st.SearchStrategy[Any],
) -> str:
    """A seed parsed, changed at a few random places, and written back."""
    data = parse(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(data, path), path[-1]
        op = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if op == "replace":
            parent[last] = draw(values)
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(policy_keys()) | _TEXT)] = draw(values)
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(last, parent[last])
    return dump(data)


@st.composite
def typed_mutation(
    draw: st.DrawFn,
    seeds: tuple[str, ...],
    parse: Callable[[str], Any],
    dump: Callable[[Any], str],
    strings: st.SearchStrategy[str],
) -> str:
    """A seed with values swapped for others of the same type (strings, dates, numbers,
    booleans, null), list entries duplicated or dropped: mostly still valid, but odd, so that
    what comes after the loader (the engine, the formatters) meets strange data too."""
    data = parse(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent, last = _parent(data, path), path[-1]
        value = parent[last]
        if isinstance(value, bool):
            parent[last] = draw(st.booleans())
        elif isinstance(value, int):
            parent[last] = draw(st.integers(-1000, 10**6))
        elif isinstance(value, str):
            parent[last] = draw(strings)
        elif isinstance(value, datetime):
            parent[last] = draw(st.datetimes(timezones=_TZ))
        elif isinstance(value, date):
            parent[last] = draw(st.dates())
        elif value is None:
            parent[last] = draw(st.none() | strings)
        elif isinstance(value, list) and value:
            index = draw(st.integers(0, len(value) - 1))
            if draw(st.booleans()):
                value.insert(index, value[index])
            else:
                del value[index]
    return dump(data)


_POLICY_STRINGS = st.one_of(
    _TEXT,
    st.sampled_from(
        [
            "*",
            "?",
            "[",
            "[!a]",
            "**",
            "survey",
            "*-lab",
            "psych-lab",
            "uni-example",
            "heroku-postgresql",
            "papertrail",
            "*.example.edu",
            "*.",
            "EEA",
            "US",
            "adequate",
            "XX",
            "personal",
            "none",
            "block",
            "off",
            "dpf",
            "",
            "<b>x</b>",
            "$(touch pwned)",
            "\u202e",
            "a" * 300,
        ]
    ),
)


def policy_inputs() -> st.SearchStrategy[str | bytes]:
    """Every kind of policy input the fuzzers try."""
    seeds = seed_policies()
    keyed_documents = st.dictionaries(
        st.sampled_from(policy_keys()), toml_values(), max_size=6
    ).map(toml_document)
    return st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400),
        mutated_text(seeds),
        mutated_data(seeds, tomllib.loads, toml_document, toml_values()),
        typed_mutation(seeds, tomllib.loads, toml_document, _POLICY_STRINGS),
        keyed_documents,
        keyed_documents.map(lambda doc: "version = 1\n" + doc),
    )


# -- the property --------------------------------------------------------------------------------


def check_policy_input(data: str | bytes) -> Policy | None:
    """The loader's promise, and that a policy it accepts can be evaluated; the policy, or
    None when it was rejected."""
    try:
        policy = loads_policy(data, source=SOURCE)
    except PolicyError as exc:
        assert exc.exit_code == EXIT_USAGE
        assert exc.problems, "a PolicyError names at least one problem"
        assert all(p.file == SOURCE and p.message for p in exc.problems)
        assert exc.user_message().startswith("The policy file")
        return None
    assert isinstance(policy, Policy)
    evaluate(demo_facts(), policy, TODAY)
    return policy


@FUZZ_SETTINGS
@given(policy_inputs())
def test_policy_loader_raises_only_policy_error(data: str | bytes) -> None:
    check_policy_input(data)


@FUZZ_SETTINGS
@given(mutated_data(seed_policies(), tomllib.loads, toml_document, toml_values()))
def test_structurally_mutated_policies(data: str) -> None:
    check_policy_input(data)


@FUZZ_SETTINGS
@given(typed_mutation(seed_policies(), tomllib.loads, toml_document, _POLICY_STRINGS))
def test_odd_but_typed_policies(data: str) -> None:
    check_policy_input(data)


def test_seeds_are_valid_policies() -> None:
    for text in seed_policies():
        assert isinstance(loads_policy(text), Policy)


def test_documents_round_trip_through_the_toml_writer() -> None:
    """The writer the fuzzers use produces TOML that means what the seed meant."""
    for text in seed_policies():
        data = tomllib.loads(text)
        assert tomllib.loads(toml_document(data)) == data


def test_pathological_inputs() -> None:
    for data in (
        "[" * 50_000,
        "a = " + "[" * 50_000,
        "a = " + "{b = " * 5_000,
        b"\xff\xfe\x00",
        "\ufeffversion = 1",
        "version = 1\x00",
        "x" * 100_000,
        "version = 1\n" * 3,
        'version = 1\n[[apps]]\nname = "' + "*" * 10_000 + '"',
    ):
        check_policy_input(data)


# -- through the CLI ---------------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(args)
    return code, out.getvalue() + err.getvalue()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_inputs())
def test_cli_on_fuzzed_policies(data: str | bytes) -> None:
    """``policy validate`` and ``check --snapshot`` with the file: 0/1 or 2, never a trace."""
    from gatekeeper.snapshot import dump_snapshot

    try:
        loads_policy(data)
        valid = True
    except PolicyError:
        valid = False
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.toml"
        path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        snapshot = Path(tmp) / "snapshot.json"
        snapshot.write_text(dump_snapshot(demo_facts()), encoding="utf-8")

        code, output = _run(["policy", "validate", str(path)])
        assert "Traceback" not in output
        assert code == (0 if valid else EXIT_USAGE)
        assert ("OK: " if valid else "INVALID: ") in output

        code, output = _run(
            ["check", "--app", "survey", "--snapshot", str(snapshot), "--policy", str(path)]
        )
        assert "Traceback" not in output
        if valid:
            assert code in (0, 1)
        else:
            assert code == EXIT_USAGE
            assert "gatekeeper: error: The policy file" in output
