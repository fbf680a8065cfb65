"""Fuzz the Heroku API answers that ``check`` and ``audit`` read (used by fuzz_inputs.py).

The simulator serves the demo estate on 127.0.0.1; a small damaging proxy, also on
127.0.0.1, forwards the CLI's requests to it and damages the answer of one path: deep
nesting, sizes (truncated, empty, huge numbers and strings), encodings (invalid UTF-8, lone
surrogates, UTF-16, a BOM), wrong types, duplicated items (identical, or the same id with
other facts) and reordered items or keys. Each case runs the real CLI in process and is
put in one class:

- ``traceback`` and ``exit 4 (bug)``: always failures;
- ``allowed a damaged app``: a damaged answer about an app, and that app is allowed (or
  warned, which lets a push through) instead of blocked or exit 3;
- ``damaged app missing from the report``: an audit that ends 0 or 1 without the app;
- ``harmless change altered the outcome``: reordered items or keys, or other valid
  re-spellings, gave another result than the undamaged answer;
- ``failed closed``, ``same as undamaged``, ``damage not reached``: as they should.

Bounded: at most ``cases`` runs, none started after ``seconds``; the proxy answers at most
``max_requests`` requests and shuts itself down after ``seconds`` plus a margin.
"""

from __future__ import annotations

import contextlib
import copy
import http.client
import io
import json
import os
import random
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
CHECKED_APP = "survey"  # allowed without damage, with add-ons and drains
AUDITED_APP = "survey"
SHOWN_PER_CLASS = 3

FAILURES = (
    "traceback",
    "exit 4 (bug)",
    "allowed a damaged app",
    "damaged app missing from the report",
    "harmless change altered the outcome",
    "unexpected exit code",
)

Expect = Literal["closed", "same", "same-or-closed", "conflict"]
Body = bytes


# -- the damaging proxy -----------------------------------------------------------------------


@dataclass
class Damage:
    """What to do to the answers of one path; records which apps it damaged."""

    path: str
    name: str
    expect: Expect
    mutate: Callable[[Any, random.Random, Damage], tuple[Body, str | None]]
    seed: int
    replace_only: bool = False  # a duplicate replaces its item instead (the copy alone)
    damaged: set[str] = field(default_factory=set)
    applied: int = 0

    def apply(self, body: bytes, content_type: str) -> tuple[bytes, str]:
        """The damaged answer; ``applied`` counts only answers it really changed."""
        rng = random.Random(self.seed)
        try:
            document = json.loads(body)
        except ValueError:
            return body, content_type
        new_body, new_type = self.mutate(copy.deepcopy(document), rng, self)
        if new_body != _dump(document) or new_type not in (None, content_type):
            self.applied += 1
        return new_body, new_type or content_type


class DamagingProxy:
    """A loopback HTTP proxy in front of the simulator that damages one path's answers."""

    def __init__(self, upstream: str, *, max_requests: int, seconds: float) -> None:
        self.upstream = urlsplit(upstream)
        self.damage: Damage | None = None
        self.requests = 0
        self.max_requests = max_requests
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                proxy.requests += 1
                if proxy.requests > proxy.max_requests:
                    self._answer(503, {"Content-Type": "text/plain"}, b"fuzz request bound hit")
                    return
                status, headers, body = proxy.forward(self.path, dict(self.headers))
                damage = proxy.damage
                if damage is not None and status < 300 and urlsplit(self.path).path == damage.path:
                    body, headers["Content-Type"] = damage.apply(
                        body, headers.get("Content-Type", "application/json")
                    )
                self._answer(status, headers, body)

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may stop reading a damaged answer early (a size bound).
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                # Not on stderr: that is the CLI's output, which the cases read.
                proxy.errors += 1

        self.errors = 0
        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._watchdog = threading.Timer(seconds + 60, self.server.shutdown)
        self._watchdog.daemon = True

    def forward(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        host, port = self.upstream.hostname or "127.0.0.1", self.upstream.port or 80
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            connection.request("GET", path, headers=sent)
            answer = connection.getresponse()
            body = answer.read()
            kept = ("content-type", "next-range", "content-range", "ratelimit-remaining")
            out = {k: v for k, v in answer.getheaders() if k.lower() in kept}
            return answer.status, out, body
        finally:
            connection.close()

    def __enter__(self) -> DamagingProxy:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._watchdog.cancel()
        self.server.shutdown()
        self.server.server_close()


# -- damages ----------------------------------------------------------------------------------

HUGE_INTEGER = "9" * 5_000  # beyond Python's 4,300-digit int conversion limit
PLACEHOLDER = "\x00gatekeeper-fuzz-placeholder\x00"


def _dump(document: Any, **options: Any) -> bytes:
    return json.dumps(document, **options).encode("utf-8", "surrogatepass")


def _nested(depth: int, kind: str) -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


def _items(document: Any) -> list[Any]:
    return document if isinstance(document, list) else []


def _owner(item: Any) -> str | None:
    """The app an item of a list answer is about: an app itself, or an add-on's app."""
    if not isinstance(item, dict):
        return None
    app = item.get("app")
    if isinstance(app, dict) and isinstance(app.get("name"), str):
        return str(app["name"])
    return item["name"] if isinstance(item.get("name"), str) and "region" in item else None


def _set(document: Any, keys: tuple[str, ...], value: Any) -> bool:
    target = document
    for key in keys[:-1]:
        if not isinstance(target, dict) or not isinstance(target.get(key), dict):
            return False
        target = target[key]
    if not isinstance(target, dict) or keys[-1] not in target:
        return False
    target[keys[-1]] = value
    return True


def _raw_value(document: Any, keys: tuple[str, ...], raw: str, damage: Damage) -> Body:
    """``document`` with the value at ``keys`` (of itself, or of one of its items) spelled
    as ``raw`` JSON text (a nesting, a huge number, bytes that are not UTF-8)."""
    rng = random.Random(damage.seed)
    target = document
    if isinstance(document, list):
        candidates = [item for item in document if _set(copy.deepcopy(item), keys, 0)]
        if not candidates:
            return _dump(document)
        target = rng.choice(candidates)
        owner = _owner(target)
        if owner:
            damage.damaged.add(owner)
    if not _set(target, keys, PLACEHOLDER):
        return _dump(document)
    text = json.dumps(document)
    return text.replace(json.dumps(PLACEHOLDER), raw).encode("utf-8", "surrogateescape")


def value_damage(keys: tuple[str, ...], raw: Callable[[random.Random], str]) -> Callable[..., Any]:
    def mutate(document: Any, rng: random.Random, damage: Damage) -> tuple[Body, None]:
        return _raw_value(document, keys, raw(rng), damage), None

    return mutate


def body(make: Callable[[Any, random.Random], Body], content_type: str | None = None) -> Any:
    def mutate(document: Any, rng: random.Random, damage: Damage) -> tuple[Body, str | None]:
        return make(document, rng), content_type

    return mutate


def _truncated(document: Any, rng: random.Random) -> Body:
    text = _dump(document).rstrip()
    return text[: rng.randrange(1, len(text))]


def _shuffled_keys(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _shuffled_keys(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_shuffled_keys(item, rng) for item in value]
    return value


def _shuffled_items(document: Any, rng: random.Random) -> Body:
    items = list(_items(document))
    rng.shuffle(items)
    return _dump(items)


def _with_extra(document: Any, rng: random.Random) -> Body:
    extra = "x" * 1_000_000 if rng.random() < 0.5 else list(range(100_000))
    for item in _items(document) or [document]:
        if isinstance(item, dict):
            item["gatekeeper_fuzz_extra"] = extra
    return _dump(document)


def duplicate(conflicting: bool) -> Callable[..., Any]:
    """One item twice: identical, or a copy of another item carrying this one's identity."""

    def mutate(document: Any, rng: random.Random, damage: Damage) -> tuple[Body, None]:
        items = _items(document)
        if not items:
            return _dump(document), None
        index = rng.randrange(len(items))
        twin = copy.deepcopy(items[index])
        if conflicting:
            others = [i for i in range(len(items)) if i != index]
            if not others:
                return _dump(document), None
            twin = copy.deepcopy(items[rng.choice(others)])
            for key in ("id", "name", "app"):
                if key in items[index]:
                    twin[key] = copy.deepcopy(items[index][key])
        owner = _owner(items[index])
        if owner:
            damage.damaged.add(owner)
        if damage.replace_only:
            items[index] = twin
        else:
            items.insert(rng.randrange(len(items) + 1), twin)
        return _dump(items), None

    return mutate


NESTING_DEPTHS = (64, 1_000, 100_000)
WRONG_TYPES = ("null", "0", "true", "[]", "{}")

# name -> (expectation, mutation); every whole-body damage applies to any path.
WHOLE_BODY: dict[str, tuple[Expect, Any]] = {
    "nesting/body-list": (
        "closed",
        body(lambda d, r: _nested(r.choice(NESTING_DEPTHS), "list").encode()),
    ),
    "nesting/body-object": (
        "closed",
        body(lambda d, r: _nested(r.choice(NESTING_DEPTHS), "obj").encode()),
    ),
    "size/truncated": ("closed", body(_truncated)),
    "size/empty": ("closed", body(lambda d, r: b"")),
    "size/huge-integer-body": ("closed", body(lambda d, r: HUGE_INTEGER.encode())),
    "type/wrong-top-level": ("closed", body(lambda d, r: b"{}" if isinstance(d, list) else b"[]")),
    "encoding/not-json-html": (
        "closed",
        body(lambda d, r: b"<html><body>Bad gateway</body></html>", "text/html"),
    ),
    "encoding/latin-1-bytes": ("closed", body(lambda d, r: b"\xff\xfe\x00" + _dump(d))),
    "encoding/utf-8-bom": ("same-or-closed", body(lambda d, r: b"\xef\xbb\xbf" + _dump(d))),
    "encoding/utf-16": ("same-or-closed", body(lambda d, r: json.dumps(d).encode("utf-16"))),
    "encoding/ascii-escapes": ("same", body(lambda d, r: _dump(d, ensure_ascii=True, indent=2))),
    "order/keys": ("same", body(lambda d, r: _dump(_shuffled_keys(d, r)))),
    "size/extra-unread-field": ("same-or-closed", body(_with_extra)),
}
LIST_ONLY: dict[str, tuple[Expect, Any]] = {
    "order/items": ("same", body(_shuffled_items)),
    "duplicate/identical": ("same-or-closed", duplicate(conflicting=False)),
    "duplicate/conflicting": ("conflict", duplicate(conflicting=True)),
}


def _value_damages(keys: tuple[str, ...], strings: bool) -> dict[str, tuple[Expect, Any]]:
    """Damages of one read value: nesting, wrong types, a huge number; and, where any other
    string already fails closed (an app's name, a region), damaged strings."""
    label = ".".join(keys)
    damages: dict[str, tuple[Expect, Any]] = {
        f"nesting/value {label}": (
            "closed",
            value_damage(keys, lambda r: _nested(r.choice(NESTING_DEPTHS), "list")),
        ),
        f"type/wrong {label}": ("closed", value_damage(keys, lambda r: r.choice(WRONG_TYPES))),
        f"size/huge-integer {label}": ("closed", value_damage(keys, lambda r: HUGE_INTEGER)),
    }
    if strings:
        damages |= {
            f"size/huge-string {label}": (
                "closed",
                value_damage(keys, lambda r: json.dumps("eu" * 500_000)),
            ),
            f"encoding/invalid-utf-8 {label}": (
                "closed",
                value_damage(keys, lambda r: '"eu\udcff"'),
            ),
            f"encoding/lone-surrogate {label}": (
                "closed",
                value_damage(keys, lambda r: '"\\ud800eu"'),
            ),
            f"encoding/nul {label}": ("closed", value_damage(keys, lambda r: '"eu\\u0000"')),
        }
    return damages


@dataclass(frozen=True)
class Target:
    """A path the command reads, whether it answers a list, and the values worth damaging."""

    command: Literal["check", "audit"]
    path: str
    is_list: bool
    values: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (keys, any string fails closed)
    per_app: bool = False  # the answer is about AUDITED_APP only


TARGETS = (
    Target("check", f"/apps/{CHECKED_APP}", False, ((("name",), True), (("region", "name"), True))),
    Target("check", f"/apps/{CHECKED_APP}/addons", True, ((("plan", "name"), False),)),
    Target("check", f"/apps/{CHECKED_APP}/log-drains", True, ((("url",), False),)),
    Target("check", "/regions", True),
    Target("audit", "/apps", True, ((("region", "name"), True),)),
    Target("audit", "/addons", True, ((("plan", "name"), False),)),
    Target("audit", f"/apps/{AUDITED_APP}/log-drains", True, ((("url",), False),), per_app=True),
    Target("audit", "/teams", True),
    Target("audit", "/regions", True),
)


def damages_for(target: Target) -> dict[str, tuple[Expect, Any]]:
    chosen = dict(WHOLE_BODY)
    if target.is_list:
        chosen |= LIST_ONLY
    for keys, strings in target.values:
        chosen |= _value_damages(keys, strings)
    return chosen


# -- running a case ---------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int | None
    apps: tuple[tuple[str, str], ...] | None  # (name, decision), sorted; None: no report
    text: str
    crash: str | None = None
    err: str = ""

    @property
    def decisions(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for name, decision in self.apps or ():
            found.setdefault(name, set()).add(decision)
        return found


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_cli(command: str, api_url: str) -> Outcome:
    from gatekeeper.cli import run

    if command == "check":
        args = ["check", "--app", CHECKED_APP]
    else:
        args = ["audit", "--all", "--no-history"]
    args += ["--api-url", api_url, "--policy", str(POLICY), "--format", "json"]
    out, err = io.StringIO(), io.StringIO()
    crash = None
    code: int | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = run(args)
        except BaseException:  # noqa: BLE001 - an escaping exception is what we count
            crash = traceback.format_exc()
    apps = None
    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
        report = json.loads(out.getvalue())
        apps = tuple(sorted((str(a["name"]), str(a["decision"])) for a in report["apps"]))
    return Outcome(code, apps, out.getvalue() + err.getvalue(), crash, err.getvalue())


def closed(outcome: Outcome, damaged: set[str], command: str) -> str:
    """The class of an outcome that must fail closed for the ``damaged`` apps."""
    if command == "check":
        if outcome.code == 0:
            return "allowed a damaged app"
        return "failed closed"
    decisions = outcome.decisions
    for name in damaged:
        if decisions.get(name, set()) & {"allow", "warn"}:
            return "allowed a damaged app"
    if outcome.code != 3 and any(name not in decisions for name in damaged):
        return "damaged app missing from the report"
    return "failed closed"


def classify(
    expect: Expect,
    command: str,
    outcome: Outcome,
    baseline: Outcome,
    damaged: set[str],
    alone: Outcome | None = None,
) -> str:
    if outcome.crash is not None or "Traceback" in outcome.text:
        return "traceback"
    if outcome.code == 4:
        return "exit 4 (bug)"
    if outcome.code not in (0, 1, 2, 3):
        return "unexpected exit code"
    same = (outcome.code, outcome.apps) == (baseline.code, baseline.apps)
    if expect == "same":
        return "same as undamaged" if same else "harmless change altered the outcome"
    if expect == "conflict" and alone is not None:
        # The same item twice with different facts: an app may be allowed only if it is
        # allowed with each version alone, and is never shown with two decisions.
        must_close = {
            name
            for name in damaged
            if not (_allowed(baseline, name, command) and _allowed(alone, name, command))
        }
        if must_close and closed(outcome, must_close, command) != "failed closed":
            return closed(outcome, must_close, command)
        twice = any(len(d) > 1 for n, d in outcome.decisions.items() if n in damaged)
        if twice:
            return "harmless change altered the outcome"
        return "failed closed" if must_close else "same as undamaged"
    if expect == "same-or-closed" and same:
        return "same as undamaged"
    verdict = closed(outcome, damaged, command)
    if expect == "same-or-closed" and verdict != "failed closed":
        return "harmless change altered the outcome"
    return verdict


def _allowed(outcome: Outcome, name: str, command: str) -> bool:
    if command == "check":
        return outcome.code == 0
    return bool(outcome.decisions.get(name, set()) & {"allow", "warn"})


@dataclass
class ApiTally:
    counts: Counter[str] = field(default_factory=Counter)
    by_damage: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    cases: int = 0
    seconds: float = 0.0

    def add(self, label: str, verdict: str, detail: str) -> None:
        self.cases += 1
        self.counts[verdict] += 1
        self.by_damage.setdefault(label, Counter())[verdict] += 1
        shown = self.examples.setdefault(verdict, [])
        if verdict in FAILURES and len(shown) < SHOWN_PER_CLASS:
            shown.append(detail)

    @property
    def failures(self) -> int:
        return sum(self.counts[name] for name in FAILURES)


@dataclass(frozen=True)
class Case:
    target: Target
    name: str
    expect: Expect
    mutate: Any
    seed: int

    @property
    def label(self) -> str:
        return f"{self.target.command} {self.target.path} {self.name}"


def all_cases(rng: random.Random) -> list[Case]:
    cases = [
        Case(target, name, expect, mutate, rng.randrange(2**32))
        for target in TARGETS
        for name, (expect, mutate) in damages_for(target).items()
    ]
    rng.shuffle(cases)
    return cases


class Session:
    """The simulator and the proxy, started once; runs cases against them."""

    def __init__(self, *, max_requests: int, seconds: float) -> None:
        from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate

        self._stack = contextlib.ExitStack()
        self.simulator = self._stack.enter_context(Simulator(demo_estate()))
        self.proxy = self._stack.enter_context(
            DamagingProxy(self.simulator.url, max_requests=max_requests, seconds=seconds)
        )
        self.environment = {
            "HEROKU_API_KEY": DEMO_ADMIN_TOKEN,
            "GATEKEEPER_MAX_RETRIES": "0",
            "GATEKEEPER_TIMEOUT": "30",
        }
        self.baselines = {command: self.run(None, command) for command in ("check", "audit")}
        self.all_apps = {name for name, _ in self.baselines["audit"].apps or ()}

    def run(self, damage: Damage | None, command: str) -> Outcome:
        self.simulator.rate_limiter.set_remaining("admin@uni-example.edu", 4500)
        self.proxy.damage = damage
        try:
            with _environment(self.environment):
                return run_cli(command, self.proxy.url)
        finally:
            self.proxy.damage = None

    def run_case(self, case: Case) -> tuple[str, str]:
        command = case.target.command
        damage = Damage(case.target.path, case.name, case.expect, case.mutate, case.seed)
        outcome = self.run(damage, command)
        if damage.applied == 0:
            return "damage not reached", ""
        damaged = self._damaged(case, damage)
        alone = None
        if case.expect == "conflict":
            replaced = Damage(
                case.target.path, case.name, case.expect, case.mutate, case.seed, True
            )
            alone = self.run(replaced, command)
        verdict = classify(case.expect, command, outcome, self.baselines[command], damaged, alone)
        detail = (
            f"{case.label} (seed {case.seed}): exit {outcome.code}, apps {outcome.apps}\n"
            + (outcome.crash or outcome.err or "(nothing on stderr)")[-800:]
        )
        return verdict, detail

    def _damaged(self, case: Case, damage: Damage) -> set[str]:
        """The apps a damaged answer is about: the checked app; for an audit, the app of a
        per-app path or of the damaged item, else (a whole listing) every app."""
        if case.target.command == "check":
            return {CHECKED_APP}
        if case.target.per_app:
            return {AUDITED_APP}
        if case.name not in WHOLE_BODY and damage.damaged:
            return set(damage.damaged)
        return set(self.all_apps)

    def close(self) -> None:
        self._stack.close()


def fuzz_api(cases: int, seconds: float, seed: int | None) -> ApiTally:
    """Run up to ``cases`` damaged answers (cycling through every damage of every target)."""
    rng = random.Random(seed)
    tally = ApiTally()
    started = time.monotonic()
    session = Session(max_requests=max(cases, 1) * 60, seconds=seconds)
    try:
        pool: list[Case] = []
        while tally.cases < cases and time.monotonic() - started < seconds:
            if not pool:
                pool = all_cases(rng)
            case = pool.pop()
            verdict, detail = session.run_case(case)
            tally.add(f"{case.target.command} {case.target.path} {case.name}", verdict, detail)
    finally:
        session.close()
        tally.seconds = time.monotonic() - started
    return tally


def report_api(tally: ApiTally) -> None:
    parts = ", ".join(f"{count} {name}" for name, count in sorted(tally.counts.items()))
    print(
        f"API answers through check and audit: {tally.cases} cases in "
        f"{tally.seconds:.1f} s: {parts}"
    )
    for label, counts in sorted(tally.by_damage.items()):
        bad = {name: n for name, n in counts.items() if name in FAILURES}
        if bad:
            print(f"  {label}: " + ", ".join(f"{n} {name}" for name, n in sorted(bad.items())))
    for verdict in FAILURES:
        for detail in tally.examples.get(verdict, []):
            print(f"  [{verdict}] {detail}\n")
