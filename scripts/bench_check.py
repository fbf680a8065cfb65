#!/usr/bin/env python3
"""Benchmark ``gatekeeper check`` against ``heroku apps:info`` on the same simulated app.

The target (docs/benchmarks.md): ``check`` takes at most 0.30 of the Heroku CLI's time (issue
11; a third since issue 4), and the tool imports in under 0.3 s. Both commands run as a user
runs them, as separate processes, against the local simulator (demo estate, in this process,
loopback only), interleaved in the same run so that machine load hits both alike::

    python scripts/bench_check.py [--app survey] [--repeat 7] [--venv DIR | --gatekeeper CMD]

Wall time is measured around each process; peak memory is the process's own maximum
resident set size (``os.wait4``). One unmeasured warm-up run of each comes first (disk
caches, the Heroku CLI's plugin manifest cache). The Heroku CLI is the one that
``scripts/ci/setup-heroku-cli.sh`` installs into ``.ci/node`` (or ``$GATEKEEPER_HEROKU_CLI``);
its telemetry is switched off so it does not wait for the internet.

Import time is measured three ways: ``python -c "import gatekeeper.cli"`` minus a bare
``python -c pass`` (wall, median), ``-X importtime``'s own figure for ``gatekeeper.cli``, and
``gatekeeper --help`` (wall, whole process).

Where a check's import time goes: one more ``check`` run with ``PYTHONPROFILEIMPORTTIME=1``,
each module's own ("self") time summed by library (pydantic with pydantic-core and its typing
helpers; httpx with httpcore, h11, anyio, idna and certifi; click; gatekeeper; the standard
library). gatekeeper's own share includes the pydantic model classes and dataclasses its
modules create, as those run in its module bodies. The figures carry ``-X importtime``'s own
overhead, so they are shares, not a stopwatch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate  # noqa: E402

DEFAULT_HEROKU_CLI = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "heroku"
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
CHECK_TARGET = 0.30  # check's median time / the Heroku CLI's median time (issue 11)
IMPORT_TARGET = 0.3  # seconds


@dataclass
class Timing:
    """Repeated measurements of one command: wall seconds and peak RSS in MiB."""

    label: str
    command: str
    walls: list[float]
    peaks_mib: list[float]
    exit_codes: list[int]

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def minimum(self) -> float:
        return min(self.walls)

    @property
    def peak_mib(self) -> float:
        return max(self.peaks_mib)


def run_measured(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MiB, exit code) of one process run to completion."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is in KiB on Linux


def gatekeeper_command(given: str | None, venv: Path | None) -> tuple[list[str], str]:
    """The ``gatekeeper`` a user runs, and the Python behind it: ``--gatekeeper CMD``; or the
    console script of a clean virtual environment (``--venv DIR``, created with ``pip install
    .`` when missing: only the tool's own dependencies, as ``pipx install`` would have it); or
    the console script beside this interpreter."""
    if given:
        return shlex.split(given), sys.executable
    if venv is not None:
        python = venv / "bin" / "python"
        if not (venv / "bin" / "gatekeeper").is_file():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
        return [str(venv / "bin" / "gatekeeper")], str(python)
    script = Path(sys.executable).parent / "gatekeeper"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "gatekeeper"]
    return command, sys.executable


def heroku_cli() -> Path:
    path = Path(os.environ.get("GATEKEEPER_HEROKU_CLI") or DEFAULT_HEROKU_CLI)
    if not path.exists():
        sys.exit(
            f"The Heroku CLI is not installed at {path}: run scripts/ci/setup-heroku-cli.sh "
            "(or set GATEKEEPER_HEROKU_CLI)."
        )
    return path


def environments(url: str, home: str) -> tuple[dict[str, str], dict[str, str]]:
    """The environments of gatekeeper and of the Heroku CLI: same host, token and HOME."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": f"{home}/.config",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "XDG_DATA_HOME": f"{home}/.local/share",
        "HEROKU_API_KEY": DEMO_ADMIN_TOKEN,
        "HEROKU_HOST": url,
    }
    gatekeeper = {
        **base,
        "GATEKEEPER_POLICY": str(POLICY),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    # As tests/interop/test_heroku_cli.py runs it: every request to the simulator, no
    # telemetry, no update checks.
    heroku = {
        **base,
        "HEROKU_PARTICLEBOARD_URL": url,
        "DISABLE_TELEMETRY": "true",
        "HEROKU_DISABLE_AUTOUPDATE": "1",
        "HEROKU_SKIP_NEW_VERSION_CHECK": "1",
        "HEROKU_UPDATE_INSTRUCTIONS": "disabled in benchmarks",
        "HIDE_HEROKU_RELEASE_NOTES": "true",
        "NO_COLOR": "1",
    }
    return gatekeeper, heroku


#: The libraries a check's imports are attributed to, by top-level module name.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "pydantic": (
        "pydantic",
        "pydantic_core",
        "annotated_types",
        "typing_inspection",
        "typing_extensions",
    ),
    "httpx": ("httpx", "httpcore", "h11", "anyio", "sniffio", "idna", "certifi"),
    "click": ("click",),
    "gatekeeper": ("gatekeeper",),
}
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \| *(\S+)$", re.M)


def import_shares(importtime_stderr: str) -> dict[str, float]:
    """Seconds of import (each module's self time) by library; the rest is "stdlib"."""
    library_of = {top: name for name, tops in LIBRARIES.items() for top in tops}
    shares = dict.fromkeys([*LIBRARIES, "stdlib"], 0.0)
    for match in _IMPORT_LINE.finditer(importtime_stderr):
        top = match.group(2).split(".")[0]
        shares[library_of.get(top, "stdlib")] += int(match.group(1)) / 1e6
    return shares


def measure_commands(
    app: str, repeat: int, gk: list[str]
) -> tuple[Timing, Timing, int, dict[str, float]]:
    """Interleaved runs of ``gatekeeper check`` and ``heroku apps:info``; also returns the
    number of API requests one ``check`` makes and its import time by library."""
    cli = heroku_cli()
    with Simulator(demo_estate()) as sim, tempfile.TemporaryDirectory() as home:
        gk_env, heroku_env = environments(sim.url, home)
        check_argv = [*gk, "check", "--app", app]
        heroku_argv = [str(cli), "apps:info", "--app", app]
        check = Timing("gatekeeper check", shlex.join(check_argv), [], [], [])
        heroku = Timing("heroku apps:info", shlex.join(heroku_argv), [], [], [])
        # Warm-up (not measured); also counts check's requests.
        sim.reset_stats()
        run_measured(check_argv, gk_env)
        check_requests = sim.request_count
        run_measured(heroku_argv, heroku_env)
        for _ in range(repeat):
            for timing, argv, env in (
                (check, check_argv, gk_env),
                (heroku, heroku_argv, heroku_env),
            ):
                wall, peak, code = run_measured(argv, env)
                timing.walls.append(wall)
                timing.peaks_mib.append(peak)
                timing.exit_codes.append(code)
        traced = subprocess.run(
            check_argv,
            env={**gk_env, "PYTHONPROFILEIMPORTTIME": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
    return check, heroku, check_requests, import_shares(traced.stderr)


def import_times(repeat: int, gk: list[str], python: str) -> dict[str, float]:
    """Seconds: import of gatekeeper.cli (wall minus a bare interpreter, and -X importtime's
    own figure) and ``gatekeeper --help`` (whole process), medians."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    bare: list[float] = []
    with_cli: list[float] = []
    helps: list[float] = []
    self_reported: list[float] = []
    for _ in range(repeat):
        bare.append(run_measured([python, "-c", "pass"], env)[0])
        with_cli.append(run_measured([python, "-c", "import gatekeeper.cli"], env)[0])
        helps.append(run_measured([*gk, "--help"], env)[0])
        out = subprocess.run(
            [python, "-X", "importtime", "-c", "import gatekeeper.cli"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        match = re.search(r"^import time:\s+\d+ \|\s+(\d+) \| gatekeeper\.cli$", out, re.M)
        if match:
            self_reported.append(int(match.group(1)) / 1e6)
    return {
        "import_wall_s": max(0.0, statistics.median(with_cli) - statistics.median(bare)),
        "import_self_reported_s": statistics.median(self_reported) if self_reported else -1.0,
        "interpreter_start_s": statistics.median(bare),
        "help_wall_s": statistics.median(helps),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="survey", help="demo app to check (default: survey)")
    parser.add_argument("--repeat", type=int, default=7, help="measured runs of each (7)")
    parser.add_argument(
        "--gatekeeper",
        metavar="CMD",
        help="the gatekeeper command to run (default: the console script beside this Python)",
    )
    parser.add_argument(
        "--venv",
        metavar="DIR",
        type=Path,
        help="measure the gatekeeper of a clean virtual environment in DIR "
        "(created with `pip install .` if missing)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    gk, python = gatekeeper_command(args.gatekeeper, args.venv)
    trio = (
        subprocess.run([python, "-c", "import trio"], capture_output=True, check=False).returncode
        == 0
    )

    check, heroku, requests, shares = measure_commands(args.app, args.repeat, gk)
    imports = import_times(args.repeat, gk, python)
    ratio = check.median / heroku.median
    if args.json:
        print(
            json.dumps(
                {
                    "check": asdict(check),
                    "heroku": asdict(heroku),
                    "check_requests": requests,
                    "ratio": ratio,
                    "trio": trio,
                    "import_shares_s": shares,
                    **imports,
                },
                indent=2,
            )
        )
        return 0

    print(
        f"gatekeeper check vs heroku apps:info on the demo app {args.app!r}, "
        f"{args.repeat} runs each, interleaved (Python {sys.version.split()[0]})"
    )
    print(f"{'command':<20} {'median s':>9} {'min s':>7} {'peak RSS MiB':>13}  exit codes")
    for t in (check, heroku):
        codes = ",".join(sorted({str(c) for c in t.exit_codes}))
        print(f"{t.label:<20} {t.median:>9.3f} {t.minimum:>7.3f} {t.peak_mib:>13.1f}  {codes}")
    print(f"  {check.command}\n  {heroku.command}")
    print(
        f"check makes {requests} API requests; trio (which httpcore imports when present) is "
        f"{'installed' if trio else 'not installed'} beside this gatekeeper"
    )
    verdict = "met" if ratio <= CHECK_TARGET else "MISSED"
    print(f"check / heroku (medians): {ratio:.2f}  (target <= {CHECK_TARGET:.2f}: {verdict})")
    verdict = "met" if imports["import_wall_s"] < IMPORT_TARGET else "MISSED"
    print(
        f"import gatekeeper.cli: {imports['import_wall_s']:.3f} s wall beyond a bare "
        f"interpreter ({imports['interpreter_start_s']:.3f} s), "
        f"{imports['import_self_reported_s']:.3f} s by -X importtime "
        f"(target < {IMPORT_TARGET} s: {verdict})"
    )
    print(f"gatekeeper --help: {imports['help_wall_s']:.3f} s (whole process)")
    total = sum(shares.values()) or 1.0
    print(
        "check's imports by library (-X importtime self times, with its overhead): "
        + ", ".join(
            f"{name} {secs * 1000:.0f} ms ({secs / total:.0%})" for name, secs in shares.items()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
