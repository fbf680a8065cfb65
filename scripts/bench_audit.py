#!/usr/bin/env python3
"""Benchmark ``gatekeeper audit`` at scale against the simulator, next to a naive collector.

The targets (docs/benchmarks.md): at 2,000 apps with drain checks off, under 40 requests; with
drains on,
wall time at most a tenth of the naive collector's; peak memory under 300 MB at 10,000 apps
(collecting, like the naive collector; the whole audit is measured too)::

    python scripts/bench_audit.py [--sizes 500,2000,10000] [--latency 0.03]
                                  [--naive-sample 300] [--concurrency 8] [--json]
                                  [--reports-only] [--digests]

For each size the simulator (in this process, 127.0.0.1) serves a generated estate of that
many apps in 5 teams of one enterprise account, 2 add-ons an app, log drains, and answers
every request after ``--latency`` seconds. Each measurement runs in its own subprocess, so
its peak memory (maximum resident set size, ``ru_maxrss``) is its own:

- **collect**: ``collect_estate`` alone, as ``gatekeeper audit --enterprise uni-example``
  runs it (same client, same concurrency), with drain checks off or on: the thing the naive
  collector is compared with (requests, wall time, peak memory).
- **audit**: the real ``gatekeeper audit --enterprise uni-example --since-last`` (``cli.run``
  in the subprocess) as the Procfile's worker runs it: collect, evaluate, the text report,
  the comparison with the previous audit (loaded from the store; one unmeasured audit is
  recorded first) and the record in a (SQLite) history store.
- **+ reports** (drains off only): the same audit writing the JSON, HTML and CSV reports
  (``--output``) instead of recording history: the heaviest output there is.
- **naive**: the same HTTP client (``HerokuClient``), one request after another: list the
  apps, then for each app GET the app, its add-ons and (drains on) its log drains. At 10,000
  apps x 3 requests x 30 ms that would take a quarter of an hour, so it runs on the first
  ``--naive-sample`` apps and its time is extrapolated linearly (listing + per-app time x
  apps); the output says so.

``--reports-only`` measures only the audit writing the three reports (the 10,000-app memory
target, a few minutes instead of ten). ``--digests`` measures nothing: it renders one fixed
report of the largest size (fixed clock, no HTTP) in every format and prints each output's
size and SHA-256, so that two checkouts can be compared byte for byte (run it in both).

Requests are counted by the simulator. Its rate-limit bucket is made large enough for every
run, so the figures measure the tools, not Heroku's refill; the last lines estimate what
Heroku's real limit (4,500 tokens, about 75 a minute) adds for the runs that exceed it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
ENTERPRISE = "uni-example"
TEAMS = 5
HEROKU_BUCKET = 4500
HEROKU_REFILL_PER_MINUTE = 75
TARGET_REQUESTS_2000_NO_DRAINS = 40
TARGET_RATIO = 0.1
TARGET_PEAK_MIB_10000 = 300


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# -- the measurements, each in its own subprocess --------------------------------------------


def needs_for(drains: bool) -> Any:
    from gatekeeper.needs import Needs

    return Needs.everything() if drains else Needs.everything().without("log-drains")


def worker_collect(url: str, token: str, drains: bool, concurrency: int) -> dict[str, Any]:
    """``collect_estate`` of the enterprise account, as ``gatekeeper audit`` calls it."""
    from gatekeeper.collect import AuditScope, collect_estate
    from gatekeeper.heroku import AsyncHerokuClient

    async def collect() -> int:
        async with AsyncHerokuClient(url, token, max_in_flight=concurrency) as client:
            estate = await collect_estate(
                client, AuditScope(enterprises=(ENTERPRISE,)), needs=needs_for(drains)
            )
            return len(estate.apps)

    started = time.perf_counter()
    apps = asyncio.run(collect())
    return {"apps": apps, "wall_s": time.perf_counter() - started, "peak_rss_mib": peak_rss_mib()}


def worker_audit(
    url: str, token: str, policy: str, out_dir: str, concurrency: int, reports: bool
) -> dict[str, Any]:
    """The real ``gatekeeper audit`` (the CLI in this process): with ``--since-last`` and a
    SQLite history store, as the Procfile's worker runs it, or writing the JSON, HTML and
    CSV reports instead."""
    os.environ.update(HEROKU_API_KEY=token, HEROKU_HOST=url)
    from gatekeeper.cli import run

    argv = [
        "audit",
        "--enterprise",
        ENTERPRISE,
        "--policy",
        policy,
        "--concurrency",
        str(concurrency),
    ]
    if reports:
        argv += [
            "--no-history",
            "--format",
            "json",
            "--output",
            f"html={out_dir}/audit.html",
            "--output",
            f"csv={out_dir}/audit.csv",
        ]
    else:
        argv += ["--since-last", "--store", f"sqlite:///{Path(out_dir).parent}/history.sqlite3"]
    started = time.perf_counter()
    with (
        open(os.path.join(out_dir, "stdout"), "w", encoding="utf-8") as stdout,
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        code = run(argv)
    return {
        "exit_code": code,
        "wall_s": time.perf_counter() - started,
        "peak_rss_mib": peak_rss_mib(),
    }


def worker_naive(url: str, token: str, sample: int, drains: bool) -> dict[str, Any]:
    """One request after another: list the apps, then app, add-ons (and drains) per app."""
    from gatekeeper.heroku import HerokuClient, quote_segment

    with HerokuClient(url, token) as client:
        started = time.perf_counter()
        names = [app["name"] for app in client.list("/apps")]
        listed = time.perf_counter()
        listing_requests = client.stats.requests_sent
        for name in names[:sample]:
            path = f"/apps/{quote_segment(name)}"
            client.get(path)
            client.list(f"{path}/addons")
            if drains:
                client.list(f"{path}/log-drains")
        done = time.perf_counter()
        return {
            "apps": len(names),
            "sample": min(sample, len(names)),
            "listing_s": listed - started,
            "per_app_s": (done - listed) / max(1, sample),
            "listing_requests": listing_requests,
            "per_app_requests": 3 if drains else 2,
            "sample_requests": client.stats.requests_sent,
            "sample_wall_s": done - started,
            "peak_rss_mib": peak_rss_mib(),
        }


def run_worker(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
    )
    if done.returncode != 0:
        sys.exit(f"worker {args[0]} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


# -- the driver ------------------------------------------------------------------------------


def policy_file(directory: Path, check_drains: bool) -> Path:
    text = POLICY.read_text(encoding="utf-8")
    text = text.replace("check_drains = true", f"check_drains = {str(check_drains).lower()}")
    path = directory / f"policy-drains-{'on' if check_drains else 'off'}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def measure_size(size: int, args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    from gatekeeper.collect import AuditScope, request_budget
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, generate_estate

    estate = generate_estate(apps=size, teams=TEAMS, enterprise=ENTERPRISE)
    truth = estate.to_facts(DEMO_ADMIN_TOKEN)
    token = DEMO_ADMIN_TOKEN
    concurrency = str(args.concurrency)
    rows = []
    history = work / f"history-{size}"
    history.mkdir()
    with Simulator(estate, latency=args.latency, rate_limit=10**9) as sim:
        # One audit recorded first (not measured), so that every measured audit compares
        # with an earlier one, as every night after the first does.
        seed = history / "seed"
        seed.mkdir()
        run_worker(
            "audit", sim.url, token, str(policy_file(work, False)), str(seed), concurrency, "0"
        )
        for drains in (False, True):
            flag = "1" if drains else "0"
            policy = str(policy_file(work, drains))
            sim.reset_stats()
            collect = run_worker("collect", sim.url, token, flag, concurrency)
            collect["requests"] = sim.request_count
            collect["formula"] = request_budget(
                scope=AuditScope(enterprises=(ENTERPRISE,)),
                estate=truth,
                needs=needs_for(drains),
                teams_per_enterprise={ENTERPRISE: TEAMS},
            )
            audits = {}
            for reports in (False, True) if not drains else (False,):
                out_dir = history / f"{drains}-{reports}"
                out_dir.mkdir()
                audits[reports] = run_worker(
                    "audit",
                    sim.url,
                    token,
                    policy,
                    str(out_dir),
                    concurrency,
                    "1" if reports else "0",
                )
            sim.reset_stats()
            naive = run_worker("naive", sim.url, token, str(args.naive_sample), flag)
            assert sim.request_count == naive["sample_requests"]
            naive["requests"] = naive["listing_requests"] + naive["per_app_requests"] * size
            naive["wall_s"] = naive["listing_s"] + naive["per_app_s"] * size
            naive["extrapolated"] = naive["sample"] < size
            rows.append(
                {
                    "apps": size,
                    "drains": drains,
                    "collect": collect,
                    "audit": audits[False],
                    "reports": audits.get(True),
                    "naive": naive,
                }
            )
            print(f"  measured {size} apps, drains {'on' if drains else 'off'}", file=sys.stderr)
    return rows


def measure_reports(size: int, args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    """Only the audit writing JSON, HTML and CSV (``--reports-only``)."""
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, generate_estate

    estate = generate_estate(apps=size, teams=TEAMS, enterprise=ENTERPRISE)
    out_dir = work / f"reports-{size}"
    out_dir.mkdir()
    with Simulator(estate, latency=args.latency, rate_limit=10**9) as sim:
        policy = str(policy_file(work, False))
        figure = run_worker(
            "audit", sim.url, DEMO_ADMIN_TOKEN, policy, str(out_dir), str(args.concurrency), "1"
        )
    print(f"  measured {size} apps, the audit with reports", file=sys.stderr)
    return [{"apps": size, "drains": False, "reports": figure}]


def print_digests(size: int) -> None:
    """Size and SHA-256 of every format's rendering of one fixed report (``--digests``)."""
    import hashlib
    from datetime import UTC, date, datetime

    from gatekeeper.engine import evaluate
    from gatekeeper.policy.loader import load_policy
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.report.registry import format_names, render
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, generate_estate

    estate = generate_estate(apps=size, teams=TEAMS, enterprise=ENTERPRISE)
    # The policy by a relative path: the report records it, and checkouts live in other places.
    policy = load_policy(os.path.relpath(POLICY))
    moment = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    report = evaluate(
        estate.to_facts(DEMO_ADMIN_TOKEN), policy, date(2026, 11, 25), generated_at=moment
    )
    options = RenderOptions(tool_version="bench", policy_contact="DPO <dpo@uni-example.edu>")
    print(f"{size} apps, {len(report.all_findings())} findings, generated at {moment:%Y-%m-%d}")
    for fmt in format_names():
        data = render(report, fmt, options).encode("utf-8", "surrogatepass")
        print(f"  {fmt:<9} {len(data):>11,} bytes  sha256 {hashlib.sha256(data).hexdigest()}")


def heroku_minutes(requests: int) -> float:
    """Minutes Heroku's refill adds when a run needs more requests than a full bucket."""
    return max(0.0, (requests - HEROKU_BUCKET) / HEROKU_REFILL_PER_MINUTE)


def print_table(rows: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"gatekeeper audit vs a naive per-app collector; simulator latency "
        f"{args.latency * 1000:g} ms per request, {TEAMS} teams, 2 add-ons an app, "
        f"concurrency {args.concurrency} (Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs)"
    )
    head = (
        f"{'apps':>6} {'drains':>6} | {'requests':>8} {'formula':>7} {'collect s':>9} "
        f"{'MiB':>5} | {'audit s':>7} {'MiB':>5} {'+reports MiB':>12} | "
        f"{'naive req':>9} {'naive s':>8} {'MiB':>5} | {'collect/naive':>13}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        ours, audit, naive = row["collect"], row["audit"], row["naive"]
        reports = f"{row['reports']['peak_rss_mib']:>12.0f}" if row["reports"] else " " * 12
        mark = "*" if naive["extrapolated"] else " "
        print(
            f"{row['apps']:>6} {'on' if row['drains'] else 'off':>6} | "
            f"{ours['requests']:>8} {ours['formula']:>7} {ours['wall_s']:>9.2f} "
            f"{ours['peak_rss_mib']:>5.0f} | {audit['wall_s']:>7.2f} "
            f"{audit['peak_rss_mib']:>5.0f} {reports} | "
            f"{naive['requests']:>9} {naive['wall_s']:>7.1f}{mark} "
            f"{naive['peak_rss_mib']:>5.0f} | {ours['wall_s'] / naive['wall_s']:>13.3f}"
        )
    print(
        f"* naive time extrapolated linearly from its first {args.naive_sample} apps "
        "(measured: listing + per-app time x apps); naive requests are counted the same way."
    )
    print(
        "collect: collect_estate alone; audit: `gatekeeper audit --since-last` with a SQLite "
        "store and the text report (the Procfile's worker); +reports: the audit writing "
        "JSON, HTML and CSV reports. MiB: peak RSS of the measuring process."
    )
    print("Targets:")
    for row in rows:
        ours, naive = row["collect"], row["naive"]
        if row["apps"] == 2000 and not row["drains"]:
            ok = ours["requests"] < TARGET_REQUESTS_2000_NO_DRAINS
            print(
                f"  2,000 apps, drains off: {ours['requests']} requests "
                f"(< {TARGET_REQUESTS_2000_NO_DRAINS}: {'met' if ok else 'MISSED'})"
            )
        if row["drains"]:
            ratio = ours["wall_s"] / naive["wall_s"]
            print(
                f"  {row['apps']:,} apps, drains on: collecting takes {ratio:.3f} of the naive "
                f"time (<= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'MISSED'})"
            )
        if row["apps"] == 10000:
            drains = "on" if row["drains"] else "off"
            for label, figure in (
                ("collecting", ours),
                ("the audit", row["audit"]),
                ("the audit with reports", row["reports"]),
            ):
                if figure is None:
                    continue
                ok = figure["peak_rss_mib"] < TARGET_PEAK_MIB_10000
                print(
                    f"  10,000 apps, drains {drains}, {label}: peak "
                    f"{figure['peak_rss_mib']:.0f} MiB (< {TARGET_PEAK_MIB_10000}: "
                    f"{'met' if ok else 'MISSED'})"
                )
    for row in rows:
        requests = row["collect"]["requests"]
        if requests > HEROKU_BUCKET:
            print(
                f"On Heroku: {requests:,} requests exceed a full bucket of {HEROKU_BUCKET:,}; "
                f"the client paces at the refill rate, adding about "
                f"{math.ceil(heroku_minutes(requests))} minutes ({row['apps']:,} apps, "
                "drains on)."
            )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        kind, rest = argv[1], argv[2:]
        if kind == "collect":
            result = worker_collect(rest[0], rest[1], rest[2] == "1", int(rest[3]))
        elif kind == "audit":
            result = worker_audit(rest[0], rest[1], rest[2], rest[3], int(rest[4]), rest[5] == "1")
        else:
            result = worker_naive(rest[0], rest[1], int(rest[2]), rest[3] == "1")
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="500,2000,10000",
        help="estate sizes in apps, comma-separated (500,2000,10000)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.03,
        help="seconds the simulator waits before each answer (0.03)",
    )
    parser.add_argument(
        "--naive-sample", type=int, default=300, help="apps the naive collector really visits (300)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="gatekeeper audit --concurrency (8, the default)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--reports-only",
        action="store_true",
        help="measure only the audit writing JSON, HTML and CSV (the memory target)",
    )
    parser.add_argument(
        "--digests",
        action="store_true",
        help="print size and SHA-256 of each format for one fixed report of the largest size",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.digests:
        print_digests(max(sizes))
        return 0
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            measure = measure_reports if args.reports_only else measure_size
            rows.extend(measure(size, args, Path(work)))
    if args.json:
        print(json.dumps(rows, indent=2))
    elif args.reports_only:
        print_reports(rows)
    else:
        print_table(rows, args)
    return 0


def print_reports(rows: list[dict[str, Any]]) -> None:
    print("gatekeeper audit writing the JSON (stdout), HTML and CSV reports, drain checks off")
    for row in rows:
        figure = row["reports"]
        peak = figure["peak_rss_mib"]
        line = f"  {row['apps']:,} apps: {figure['wall_s']:.1f} s, peak {peak:.0f} MiB"
        if row["apps"] == 10000:
            ok = peak < TARGET_PEAK_MIB_10000
            line += f" (< {TARGET_PEAK_MIB_10000}: {'met' if ok else 'MISSED'})"
        print(line)


if __name__ == "__main__":
    sys.exit(main())
