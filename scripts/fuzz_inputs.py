"""Fuzz the policy and snapshot loaders and the API answers many times (not run in CI).

The same strategies and checks as tests/unit/test_fuzz_policy.py and test_fuzz_snapshot.py
(random and mutated TOML and JSON), only many more examples: every input must either load
(and then be evaluated, and for snapshots rendered in every report format) or be rejected
with ``PolicyError`` / ``InputFileError`` (exit code 2). Anything else is counted as a
traceback, printed, and makes the script exit 1. ``--cli N`` also runs N of each through the
real CLI (``policy validate``, ``check --snapshot``, ``audit --snapshot``).

``--api N`` runs N damaged Heroku API answers through ``check`` and ``audit`` (see
``scripts/fuzz_api.py``: the simulator and a damaging proxy, both on 127.0.0.1, stopped at the
end; none started after ``--api-seconds``). Each case gets one class; tracebacks, exit 4, an
allowed damaged app, a damaged app missing from a report and a harmless change that altered
the outcome are failures::

    python scripts/fuzz_inputs.py --policies 10000 --snapshots 10000 --api 1000
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import fuzz_api
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests" / "unit"
SHOWN_FAILURES = 5


def _load(name: str) -> ModuleType:
    """A fuzz test module, imported by path (tests/ is not a package)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))  # test_fuzz_snapshot imports test_fuzz_policy
    spec = importlib.util.spec_from_file_location(name, TESTS / f"{name}.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Tally:
    """Counts of one run and the first few failures."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.counts: Counter[str] = Counter()
        self.failures: list[tuple[Any, str]] = []
        self.seconds = 0.0

    def failed(self, data: Any) -> None:
        self.counts["tracebacks"] += 1
        if len(self.failures) < SHOWN_FAILURES:
            self.failures.append((data, traceback.format_exc()))


def run_many(
    tally: Tally,
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any], Any],
    examples: int,
    random_seed: int | None,
) -> None:
    """Draw ``examples`` inputs and check each; outcomes go to ``tally``, nothing raises."""
    if examples <= 0:
        return

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def prop(data: Any) -> None:
        tally.counts["inputs"] += 1
        try:
            result = check(data)
        except Exception:  # noqa: BLE001 - every unexpected exception is what we count
            tally.failed(data)
            return
        tally.counts[
            "rejected (exit 2)" if result is None else "ran clean" if result is True else "loaded"
        ] += 1

    if random_seed is not None:
        prop = seed(random_seed)(prop)
    started = time.perf_counter()
    prop()
    tally.seconds = time.perf_counter() - started


def _cli_check(test: Any) -> Callable[[Any], Any]:
    """The body of a hypothesis CLI test, as a check (its asserts are its promise)."""
    inner = test.hypothesis.inner_test

    def check(data: Any) -> bool:
        inner(data)
        return True

    return check


def report(tally: Tally) -> None:
    parts = ", ".join(
        f"{count} {name}" for name, count in sorted(tally.counts.items()) if name != "inputs"
    )
    print(
        f"{tally.what}: {tally.counts['inputs']} inputs in {tally.seconds:.1f} s: {parts}; "
        f"tracebacks: {tally.counts['tracebacks']}"
    )
    for data, trace in tally.failures:
        print(f"  input: {data!r:.300}\n{trace}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1000, help="fuzzed policies")
    parser.add_argument("--snapshots", type=int, default=1000, help="fuzzed snapshots")
    parser.add_argument(
        "--cli", type=int, default=100, help="of each, how many also go through the CLI"
    )
    parser.add_argument("--api", type=int, default=200, help="damaged API answers")
    parser.add_argument(
        "--api-seconds", type=float, default=600, help="start no API case after this long"
    )
    parser.add_argument("--seed", type=int, default=None, help="for a reproducible run")
    args = parser.parse_args(argv)

    policy = _load("test_fuzz_policy")
    snapshot = _load("test_fuzz_snapshot")
    tallies = [
        Tally("policies (loads_policy + evaluate)"),
        Tally("snapshots (loads_snapshot + evaluate + every format)"),
        Tally("policy files through the CLI"),
        Tally("snapshot files through the CLI"),
    ]
    run_many(
        tallies[0], policy.policy_inputs(), policy.check_policy_input, args.policies, args.seed
    )
    run_many(
        tallies[1],
        snapshot.snapshot_inputs(),
        snapshot.check_snapshot_input,
        args.snapshots,
        args.seed,
    )
    run_many(
        tallies[2],
        policy.policy_inputs(),
        _cli_check(policy.test_cli_on_fuzzed_policies),
        min(args.cli, args.policies),
        args.seed,
    )
    run_many(
        tallies[3],
        snapshot.snapshot_inputs(),
        _cli_check(snapshot.test_cli_on_fuzzed_snapshots),
        min(args.cli, args.snapshots),
        args.seed,
    )
    api = fuzz_api.fuzz_api(args.api, args.api_seconds, args.seed) if args.api > 0 else None
    for tally in tallies:
        report(tally)
    total = sum(t.counts["tracebacks"] for t in tallies)
    print(f"total tracebacks of the loaders: {total}")
    if api is not None:
        fuzz_api.report_api(api)
        print(f"API failures: {api.failures}")
        total += api.failures
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main())
