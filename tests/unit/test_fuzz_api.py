"""The API-answer fuzzer of scripts/fuzz_inputs.py, on a handful of fixed cases.

``scripts/fuzz_api.py`` serves the demo estate from the simulator through a damaging proxy
(both on 127.0.0.1) and runs ``check`` and ``audit`` in process. Here: its classification on
made-up outcomes, and a few damages end to end, each with the class it must get.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_api", ROOT / "scripts" / "fuzz_api.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_api"] = module
    spec.loader.exec_module(module)
    return module


fuzz_api = _load()


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    running = fuzz_api.Session(max_requests=2_000, seconds=300)
    try:
        yield running
    finally:
        running.close()


def target(command: str, path: str) -> Any:
    return next(t for t in fuzz_api.TARGETS if t.command == command and t.path == path)


def case(command: str, path: str, name: str, seed: int = 1) -> Any:
    chosen = target(command, path)
    expect, mutate = fuzz_api.damages_for(chosen)[name]
    return fuzz_api.Case(chosen, name, expect, mutate, seed)


# -- classification ---------------------------------------------------------------------------


def outcome(code: int, *apps: tuple[str, str]) -> Any:
    return fuzz_api.Outcome(code, tuple(sorted(apps)), "")


BASELINE = outcome(1, ("survey", "allow"), ("experiment-us", "block"))


@pytest.mark.parametrize(
    ("expect", "result", "verdict"),
    [
        ("closed", outcome(3), "failed closed"),
        ("closed", outcome(1, ("survey", "block"), ("experiment-us", "block")), "failed closed"),
        ("closed", BASELINE, "allowed a damaged app"),
        ("closed", outcome(1, ("experiment-us", "block")), "damaged app missing from the report"),
        ("closed", outcome(4), "exit 4 (bug)"),
        ("same", BASELINE, "same as undamaged"),
        ("same", outcome(3), "harmless change altered the outcome"),
        ("same-or-closed", outcome(3), "failed closed"),
        ("same-or-closed", outcome(0, ("survey", "allow")), "harmless change altered the outcome"),
    ],
)
def test_classification_of_an_audit(expect: str, result: Any, verdict: str) -> None:
    assert fuzz_api.classify(expect, "audit", result, BASELINE, {"survey"}) == verdict


def test_a_conflicting_duplicate_must_not_be_allowed_unless_each_version_is() -> None:
    alone = outcome(1, ("survey", "block"), ("experiment-us", "block"))
    twice = outcome(1, ("survey", "allow"), ("survey", "block"), ("experiment-us", "block"))
    blocked = outcome(1, ("survey", "block"), ("experiment-us", "block"))
    verdict = fuzz_api.classify("conflict", "audit", twice, BASELINE, {"survey"}, alone)
    assert verdict == "allowed a damaged app"
    assert fuzz_api.classify("conflict", "audit", blocked, BASELINE, {"survey"}, alone) == (
        "failed closed"
    )


def test_a_crash_is_a_traceback() -> None:
    crashed = fuzz_api.Outcome(None, None, "", "Traceback (most recent call last): ...")
    assert fuzz_api.classify("same", "check", crashed, BASELINE, {"survey"}) == "traceback"


# -- damages end to end -----------------------------------------------------------------------

PASSING = [
    ("audit", "/apps", "order/items", "same as undamaged"),
    ("check", "/apps/survey", "order/keys", "same as undamaged"),
    ("check", "/apps/survey/addons", "size/truncated", "failed closed"),
    ("audit", "/apps/survey/log-drains", "encoding/not-json-html", "failed closed"),
    ("audit", "/apps", "type/wrong region.name", "failed closed"),
]


@pytest.mark.parametrize(("command", "path", "name", "verdict"), PASSING)
def test_damaged_answers(session: Any, command: str, path: str, name: str, verdict: str) -> None:
    found, detail = session.run_case(case(command, path, name))
    assert found == verdict, detail


# Damages that once crashed or allowed (issue 10, items 1, 3 and 6): each must now fail
# closed, through the whole CLI.
MUST_FAIL_CLOSED = [
    # 100,000 levels of nesting once ended as RecursionError (exit 4)
    ("check", "/apps/survey/addons", "nesting/body-list"),
    # the same app twice with other facts was listed twice, once allowed
    ("audit", "/apps", "duplicate/conflicting"),
    # GET /apps/NAME answering another name ended as "ALLOW: no apps checked"
    ("check", "/apps/survey", "encoding/nul name"),
    # a lone surrogate in an app's region ended as UnicodeEncodeError (exit 4)
    ("audit", "/apps", "encoding/lone-surrogate region.name"),
]


def survey_as_experiment_us(document: Any, rng: Any, damage: Any) -> tuple[bytes, None]:
    """``survey`` listed a second time, with the facts of the blocked ``experiment-us``."""
    by_name = {item["name"]: item for item in document}
    if damage.replace_only:
        document.remove(by_name["survey"])
    twin = dict(by_name["experiment-us"], id=by_name["survey"]["id"], name="survey")
    damage.damaged.add("survey")
    return fuzz_api._dump([*document, twin]), None


@pytest.mark.parametrize(("command", "path", "name"), MUST_FAIL_CLOSED)
def test_damaged_answers_that_must_fail_closed(
    session: Any, command: str, path: str, name: str
) -> None:
    chosen = case(command, path, name)
    if name.startswith("nesting/"):
        deep = fuzz_api.body(lambda d, r: fuzz_api._nested(100_000, "list").encode())
        chosen = fuzz_api.Case(chosen.target, name, "closed", deep, 1)
    if name == "duplicate/conflicting":
        chosen = fuzz_api.Case(chosen.target, name, "conflict", survey_as_experiment_us, 1)
    verdict, detail = session.run_case(chosen)
    assert verdict == "failed closed", detail
