"""Fuzzing the snapshot loader: whatever the bytes, an ``Estate`` or an ``InputFileError``.

Inputs are random bytes and text, the demo estate's snapshot
(``dump_snapshot(demo_estate().to_facts(None))``) mutated as text and as data (a value
replaced by a random JSON value, a key deleted or added, an entry duplicated; or values
swapped for odd ones of the same type, such as hostile names, which mostly still load), absurdly
nested JSON, and JSON's non-standard ``NaN``/``Infinity``. A snapshot that loads must also be
one the engine can evaluate and every report format can render. Through the CLI,
``check --snapshot`` and ``audit --snapshot`` exit 2 with a message for an invalid file, never
with a traceback.

The strategies here are also what ``scripts/fuzz_inputs.py`` runs many thousands of times.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz_policy import mutated_data, mutated_text, typed_mutation

from gatekeeper.cli import run
from gatekeeper.engine import evaluate
from gatekeeper.errors import EXIT_USAGE, InputFileError
from gatekeeper.facts import Estate
from gatekeeper.policy import Policy, load_policy
from gatekeeper.snapshot import dump_snapshot, loads_snapshot

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
SOURCE = "fuzzed-snapshot.json"
TODAY = date(2026, 6, 1)

FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def seed_snapshot() -> str:
    from gatekeeper.simulator import demo_estate

    return dump_snapshot(demo_estate().to_facts(None))


@cache
def policy() -> Policy:
    return load_policy(POLICY)


@cache
def snapshot_keys() -> tuple[str, ...]:
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                keys.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(seed_snapshot()))
    return tuple(sorted(keys))


_STRINGS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "gatekeeper.estate/v1",
            "team",
            "person",
            "eu",
            "us",
            "frankfurt",
            "atlantis",
            "heroku-postgresql:essential-0",
            "heroku-postgresql",
            "2026-01-01T00:00:00Z",
            "<script>alert(1)</script>",
            "$(touch pwned)",
            "../../etc/passwd",
            "",
            "\x00",
            "\u202e",
        ]
    ),
)


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _STRINGS)
    keys = st.one_of(st.sampled_from(snapshot_keys()), st.text(max_size=10))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=12,
    )


def _dump(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)


def snapshot_inputs() -> st.SearchStrategy[str | bytes]:
    """Every kind of snapshot input the fuzzers try."""
    seeds = (seed_snapshot(),)
    return st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400),
        mutated_text(seeds),
        mutated_data(seeds, json.loads, _dump, json_values()),
        typed_mutation(seeds, json.loads, _dump, _STRINGS),
        json_values().map(_dump),
        st.dictionaries(st.sampled_from(snapshot_keys()), json_values(), max_size=6).map(
            lambda d: _dump({"schema": "gatekeeper.estate/v1", **d})
        ),
        st.integers(1, 200_000).map(lambda n: "[" * n + "]" * (n % 3)),
        st.sampled_from(
            [
                '{"schema": "gatekeeper.estate/v1", "apps": NaN}',
                '{"schema": "gatekeeper.estate/v1", "collected_at": Infinity}',
                '{"schema": "gatekeeper.estate/v1", "schema": 1}',
                "\ufeff" + seed_snapshot(),
                seed_snapshot().encode("utf-16"),
            ]
        ),
    )


def check_snapshot_input(data: str | bytes) -> Estate | None:
    """The loader's promise; and a snapshot it accepts is evaluated and rendered."""
    try:
        estate = loads_snapshot(data, source=SOURCE)
    except InputFileError as exc:
        assert exc.exit_code == EXIT_USAGE
        assert exc.problems, "an InputFileError names at least one problem"
        assert all(p.file == SOURCE and p.message for p in exc.problems)
        assert exc.user_message().startswith("The snapshot is invalid")
        return None
    assert isinstance(estate, Estate)
    render_everything(estate)
    return estate


def render_everything(estate: Estate) -> None:
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.report.registry import format_names, render

    report = evaluate(estate, policy(), TODAY)
    for fmt in format_names():
        assert isinstance(render(report, fmt, RenderOptions(verbose=True)), str)


@FUZZ_SETTINGS
@given(snapshot_inputs())
def test_snapshot_loader_raises_only_input_file_error(data: str | bytes) -> None:
    check_snapshot_input(data)


@FUZZ_SETTINGS
@given(mutated_data((seed_snapshot(),), json.loads, _dump, json_values()))
def test_structurally_mutated_snapshots(data: str) -> None:
    check_snapshot_input(data)


@FUZZ_SETTINGS
@given(typed_mutation((seed_snapshot(),), json.loads, _dump, _STRINGS))
def test_odd_but_typed_snapshots(data: str) -> None:
    check_snapshot_input(data)


def test_the_seed_loads_and_renders() -> None:
    estate = check_snapshot_input(seed_snapshot())
    assert (
        estate is not None and len(estate.apps) == 11
    )  # the demo estate (fir-survey since issue 11)


def test_pathological_inputs() -> None:
    for data in (
        "[" * 100_000,
        '{"a":' * 100_000,
        "{" + '"a":1,' * 50_000 + '"a":2}',
        b"\xff\xfe",
        b"\x00" * 10,
        "1e999999",
        "-" * 10_000,
        '"\\ud800"',
        '{"schema": "gatekeeper.estate/v1", "apps": [' + "{}," * 5_000 + "{}]}",
    ):
        check_snapshot_input(data)


# -- through the CLI ---------------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(args)
    return code, out.getvalue() + err.getvalue()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshot_inputs())
def test_cli_on_fuzzed_snapshots(data: str | bytes) -> None:
    """``check --snapshot`` and ``audit --snapshot``: 0/1 (or 2 for an app not in it) for a
    valid file, 2 with a message for an invalid one, never a traceback."""
    try:
        loads_snapshot(data)
        valid = True
    except InputFileError:
        valid = False
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.json"
        path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        for args in (["check", "--app", "survey"], ["audit", "--no-history"]):
            code, output = _run([*args, "--snapshot", str(path), "--policy", str(POLICY)])
            assert "Traceback" not in output
            if valid:
                assert code in (0, 1, 2, 3), output
                assert "hit a bug" not in output
            else:
                assert code == EXIT_USAGE
                assert "gatekeeper: error: The snapshot is invalid" in output
