#!/usr/bin/env python3
"""Benchmark the DPO's register next to the evaluation it is built from (issue 13).

What an audit pays for the register, in process, without HTTP (the collection is the same
with or without it)::

    python scripts/bench_register.py [--sizes 2000,10000] [--json]

For each size a generated estate (``generate_estate``: 5 teams of one enterprise account, 2
add-ons an app, drains) is evaluated against the university policy, and then, each timed on
its own: the register is built (``build_register``), compressed for the history store, and
rendered in every format (CSV, XLSX, JSON, HTML). The figures are seconds, rows, bytes and,
what matters, the ratio of each step to the evaluation (``x eval``): the register costs an
audit that records its history ``build + store`` more than the evaluation alone.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
TODAY = date(2026, 6, 1)


def measure(size: int) -> dict[str, Any]:
    from gatekeeper.engine import evaluate
    from gatekeeper.policy import load_policy
    from gatekeeper.register.build import build_register
    from gatekeeper.register.formats import get_register_formatter, register_format_names
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, generate_estate
    from gatekeeper.store._rows import compressed_register

    policy = load_policy(POLICY)
    estate = generate_estate(apps=size).to_facts(DEMO_ADMIN_TOKEN)
    started = time.perf_counter()
    report = evaluate(estate, policy, TODAY)
    evaluated = time.perf_counter() - started

    started = time.perf_counter()
    register = build_register(policy, estate, report, TODAY)
    built = time.perf_counter() - started

    started = time.perf_counter()
    stored = compressed_register(register)
    compressed = time.perf_counter() - started

    figures: dict[str, Any] = {
        "apps": size,
        "rows": len(register.rows),
        "recipients": len(register.recipients),
        "evaluate_s": round(evaluated, 3),
        "build_s": round(built, 3),
        "build_x_eval": round(built / evaluated, 2),
        "store_s": round(compressed, 3),
        "store_bytes": len(stored),
        "store_x_eval": round(compressed / evaluated, 2),
    }
    for name in register_format_names():
        out = io.BytesIO()
        started = time.perf_counter()
        get_register_formatter(name).write(register, out)
        seconds = time.perf_counter() - started
        figures[f"{name}_s"] = round(seconds, 3)
        figures[f"{name}_bytes"] = len(out.getvalue())
        figures[f"{name}_x_eval"] = round(seconds / evaluated, 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000", help="app counts, comma-separated")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results = [measure(int(size)) for size in args.sizes.split(",") if size.strip()]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for r in results:
        print(
            f"{r['apps']} apps, {r['rows']} rows, {r['recipients']} recipients: "
            f"evaluate {r['evaluate_s']} s; build {r['build_s']} s ({r['build_x_eval']} x eval); "
            f"store {r['store_s']} s, {r['store_bytes']} bytes ({r['store_x_eval']} x eval)"
        )
        for name in ("csv", "xlsx", "json", "html"):
            print(
                f"  {name}: {r[name + '_s']} s, {r[name + '_bytes']} bytes "
                f"({r[name + '_x_eval']} x eval)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
