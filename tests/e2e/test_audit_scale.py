"""The audit's request budget (docs/benchmarks.md), at scale: ``gatekeeper audit`` of 2,500
apps over real HTTP.

The simulator serves a generated estate: 2,500 apps in 5 teams of one enterprise account
(``uni-example``), three add-ons each (7,500 add-ons: two list pages per team), log drains
from logging add-ons and custom ones. The real CLI audits it in this process
(``gatekeeper.cli.run``), and the tests assert:

- every app appears, with the decision and the findings the engine gives on the ground truth
  (``SimEstate.to_facts()`` evaluated with the same policy);
- the number of requests the simulator saw equals the documented formula
  (``gatekeeper.collect.request_budget``, see gatekeeper/collect/estate.py), with drains on
  and with ``[logs] check_drains = false`` (``--enterprise``, ``--all``, ``--team``);
- the only per-app requests are the log drains, and no request met a 429 (the one answer
  that is not 2xx is the 404 for the generated Shield space without a space log drain).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.cli import run
from gatekeeper.collect import AuditScope, request_budget
from gatekeeper.engine import evaluate
from gatekeeper.facts import Estate
from gatekeeper.heroku import AsyncHerokuClient, resolve_api_url, resolve_token
from gatekeeper.needs import Needs
from gatekeeper.policy import load_policy
from gatekeeper.results import Report
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, SimEstate, Simulator, generate_estate
from gatekeeper.simulator.ratelimit import RateLimiter
from gatekeeper.sources import api as api_source

NO_DRAINS = Needs.everything().without("log-drains")  # [logs] check_drains = false

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
APPS = 2500
TEAMS = 5
ENTERPRISE = "uni-example"


@pytest.fixture(scope="module")
def estate() -> SimEstate:
    return generate_estate(apps=APPS, teams=TEAMS, enterprise=ENTERPRISE, addons_per_app=3)


@pytest.fixture(scope="module")
def truth_facts(estate: SimEstate) -> Estate:
    return estate.to_facts(DEMO_ADMIN_TOKEN)


@pytest.fixture(scope="module")
def server(estate: SimEstate) -> Iterator[Simulator]:
    with Simulator(estate) as sim:
        yield sim


@pytest.fixture
def sim(server: Simulator, monkeypatch: pytest.MonkeyPatch) -> Simulator:
    """The simulator with fresh request records and a full rate-limit bucket."""
    server.reset_stats()
    server.rate_limiter.reset()
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", server.url)
    return server


@pytest.fixture(scope="module")
def no_drains_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = POLICY.read_text(encoding="utf-8")
    assert "check_drains = true" in text
    path = tmp_path_factory.mktemp("policy") / "no-drains.toml"
    path.write_text(text.replace("check_drains = true", "check_drains = false"), "utf-8")
    return path


def audit_json(
    argv: list[str], policy: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    code = run(["audit", *argv, "--policy", str(policy), "--no-history", "--format", "json"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, json.loads(captured.out)


def in_scope(facts: Estate, teams: set[str]) -> Estate:
    """The part of the ground truth an audit of ``teams`` collects (spaces: all listed)."""
    return dataclasses.replace(
        facts,
        apps=tuple(a for a in facts.apps if a.team in teams),
        teams=tuple(t for t in facts.teams if t.name in teams),
    )


def budget(scope: AuditScope, facts: Estate, *, needs: Needs) -> int:
    return request_budget(
        scope=scope,
        estate=facts,
        needs=needs,
        teams_per_enterprise={ENTERPRISE: TEAMS},
    )


@pytest.fixture(scope="module")
def enterprise_audit(
    server: Simulator, truth_facts: Estate, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """One audit of the enterprise account with drains on (the expensive run), shared by
    the tests below: its JSON report, exit code and the simulator's request records."""
    report = tmp_path_factory.mktemp("scale") / "audit.json"
    server.reset_stats()
    server.rate_limiter.reset()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
        mp.setenv("HEROKU_HOST", server.url)
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            code = run(
                [
                    "audit",
                    "--enterprise",
                    ENTERPRISE,
                    "--policy",
                    str(POLICY),
                    "--no-history",
                    "--format",
                    "csv",
                    "--output",
                    f"json={report}",
                ]
            )
    return {
        "code": code,
        "doc": json.loads(report.read_text(encoding="utf-8")),
        "csv": stdout.getvalue(),
        "requests": server.requests,
        "count": server.request_count,
    }


@pytest.fixture(scope="module")
def truth(truth_facts: Estate) -> Report:
    return evaluate(truth_facts, load_policy(POLICY), date.today())


def test_every_app_appears_with_the_engines_decision(
    enterprise_audit: dict[str, Any], truth: Report
) -> None:
    doc = enterprise_audit["doc"]
    got = {a["name"]: a for a in doc["apps"]}
    assert len(doc["apps"]) == APPS == len(got)
    want = {a.name: a for a in truth.apps}
    assert set(got) == set(want)
    assert {n: a["decision"] for n, a in got.items()} == {n: a.decision for n, a in want.items()}
    mismatched = [
        n
        for n in want
        if {f["fingerprint"] for f in got[n]["findings"]}
        != {f.fingerprint for f in want[n].findings}
    ]
    assert mismatched == []
    # A mixed estate, so that agreement above means something.
    counts = Counter(a["decision"] for a in doc["apps"])
    assert counts["block"] and counts["warn"] and counts["allow"]
    assert doc["summary"] == dict(counts)
    assert enterprise_audit["code"] == 1


def test_findings_cover_add_ons_and_drains(enterprise_audit: dict[str, Any]) -> None:
    rules = Counter(f["rule"] for a in enterprise_audit["doc"]["apps"] for f in a["findings"])
    assert rules["addon-no-agreement"] > 0
    assert rules["log-drain-not-allowed"] > 0
    assert rules["region-not-allowed"] > 0
    assert "api-error" not in rules
    # The CSV on stdout: one row per finding, app findings and policy findings alike.
    rows = list(csv.DictReader(io.StringIO(enterprise_audit["csv"])))
    doc = enterprise_audit["doc"]
    assert len(rows) == sum(rules.values()) + len(doc["policy_findings"])


def test_requests_with_drains_equal_the_formula(
    enterprise_audit: dict[str, Any], truth_facts: Estate
) -> None:
    scope = AuditScope(enterprises=(ENTERPRISE,))
    expected = budget(scope, truth_facts, needs=Needs.everything())
    # 1 rate-limits + 1 regions + 1 spaces page + 1 enterprise teams page
    # + 5 teams x (1 apps page + 2 add-on pages) + 8 pages of 7,500 attachments
    # + 2,500 drains + 1 Private Space Logging drain (bio-lab-shield)
    assert expected == 4 + TEAMS * 3 + 8 + APPS + 1
    assert enterprise_audit["count"] == expected
    records = enterprise_audit["requests"]
    # the one answer that is not 2xx: bio-lab-shield has no Private Space Logging drain, which
    # the simulator answers with 404 (and the collector never reads as "no drain")
    (shield,) = (s for s in truth_facts.spaces if s.shield)
    assert [(r.path, r.status) for r in records if r.status not in (200, 206)] == [
        (f"/spaces/{shield.id}/log-drain", 404)
    ]
    per_app = [r.path for r in records if r.path.startswith("/apps/")]
    assert len(per_app) == len(set(per_app)) == APPS
    assert all(p.endswith("/log-drains") for p in per_app)
    addon_pages = [r for r in records if r.path.endswith("/addons")]
    assert len(addon_pages) == TEAMS * 2  # 1,500 add-ons a team: pages of 1,000


@pytest.fixture(scope="module")
def everything_without_drains(server: Simulator, no_drains_policy: Path) -> dict[str, Any]:
    """One ``audit --all`` with ``[logs] check_drains = false``: report and request count."""
    server.reset_stats()
    server.rate_limiter.reset()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(io.StringIO()) as out:
        mp.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
        mp.setenv("HEROKU_HOST", server.url)
        code = run(
            [
                "audit",
                "--all",
                "--policy",
                str(no_drains_policy),
                "--no-history",
                "--format",
                "json",
            ]
        )
    return {
        "code": code,
        "doc": json.loads(out.getvalue()),
        "count": server.request_count,
        "requests": server.requests,
    }


def test_requests_without_drains_equal_the_formula(
    everything_without_drains: dict[str, Any], truth_facts: Estate
) -> None:
    expected = budget(AuditScope(everything=True), truth_facts, needs=NO_DRAINS)
    # 1 rate-limits + 1 regions + 1 spaces + 1 teams + 3 pages of 2,500 apps
    # + 8 pages of 7,500 add-ons (GET /apps and GET /addons: everything the token sees)
    # + 8 pages of 7,500 attachments (GET /addon-attachments)
    assert expected == 4 + 3 + 8 + 8
    assert everything_without_drains["count"] == expected
    assert expected < 40  # docs/design.md#3: a few list pages, not requests per app
    records = everything_without_drains["requests"]
    assert not [r for r in records if r.path.startswith("/apps/")]
    assert all(r.status in (200, 206) for r in records)
    assert everything_without_drains["code"] == 1


def test_requests_of_named_teams_equal_the_formula(
    sim: Simulator, truth_facts: Estate, no_drains_policy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = audit_json(["--team", "psych-lab", "--team", "bio-lab"], no_drains_policy, capsys)
    facts = in_scope(truth_facts, {"psych-lab", "bio-lab"})
    assert len(doc["apps"]) == len(facts.apps) == 2 * APPS // TEAMS
    # GET /addon-attachments has no team filter: it lists all 7,500 the token sees
    seen = sum(len(a.addons) for a in truth_facts.apps)
    expected = request_budget(
        scope=AuditScope(teams=("psych-lab", "bio-lab")),
        estate=facts,
        needs=NO_DRAINS,
        attachments=seen,
    )
    # 1 rate-limits + 1 regions + 1 spaces + 2 teams + 2 x (1 apps page + 2 add-on pages)
    # + 8 pages of 7,500 attachments
    assert seen == 7500 and expected == 3 + 2 + 2 * 3 + 8
    assert sim.request_count == expected
    assert not [r for r in sim.requests if r.path.startswith("/apps/")]
    assert code == 1


def test_decisions_without_drains_match_the_engine_without_drains(
    everything_without_drains: dict[str, Any], truth_facts: Estate, no_drains_policy: Path
) -> None:
    """With ``check_drains = false`` drains are not read (``log_drains`` is None), and the
    decisions are the engine's on the ground truth without drains."""
    doc = everything_without_drains["doc"]
    facts = dataclasses.replace(
        truth_facts, apps=tuple(dataclasses.replace(a, log_drains=None) for a in truth_facts.apps)
    )
    want = evaluate(facts, load_policy(no_drains_policy), date.today())
    assert len(doc["apps"]) == APPS
    assert {a["name"]: a["decision"] for a in doc["apps"]} == {
        a.name: a.decision for a in want.apps
    }
    rules = {f["rule"] for a in doc["apps"] for f in a["findings"]}
    assert "log-drain-not-allowed" not in rules and "api-error" not in rules


# -- the rate limit ---------------------------------------------------------------------------


class VirtualTime:
    """One clock for the client's pacing and the simulator's token bucket: time moves only
    when the client waits, so minutes of Heroku's refill pass in milliseconds. Concurrent
    waits overlap as they would in real time (the clock moves to the latest deadline)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits = 0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        deadline = self.now + seconds
        self.waits += 1
        await asyncio.sleep(0)  # let the other requests reserve their slots at this instant
        self.now = max(self.now, deadline)


@pytest.fixture
def paced(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[VirtualTime, list[Any]]]:
    """The CLI's client, built as ``make_async_client`` does, with waits in virtual time."""
    virtual = VirtualTime()
    clients: list[Any] = []

    def make_client(
        api_url: str | None, *, token: str | None = None, max_in_flight: int = 8
    ) -> AsyncHerokuClient:
        url = resolve_api_url(api_url)
        client = AsyncHerokuClient(
            url,
            token or resolve_token(url).token,
            max_in_flight=max_in_flight,
            sleep=virtual.sleep,
            clock=virtual.clock,
        )
        clients.append(client)
        return client

    monkeypatch.setattr(api_source, "make_async_client", make_client)
    yield virtual, clients


def small_bucket_simulator(
    estate: SimEstate, virtual: VirtualTime, *, capacity: int, refill_per_minute: float
) -> Simulator:
    sim = Simulator(estate)
    sim.rate_limiter = RateLimiter(capacity, refill_per_minute, clock=virtual.clock)
    return sim


def test_an_audit_larger_than_the_bucket_is_paced_without_429s(
    paced: tuple[VirtualTime, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """600 apps with drains need 613 requests (2 of them attachment pages, 1 the Shield
    space's log drain); the bucket holds 300 and refills at Heroku's
    75 a minute. The client slows down as ``RateLimit-Remaining`` falls instead of running
    into 429s, and the audit completes with the engine's decisions."""
    virtual, clients = paced
    estate = generate_estate(apps=600, teams=3, enterprise=ENTERPRISE)
    with small_bucket_simulator(estate, virtual, capacity=300, refill_per_minute=75) as sim:
        monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
        monkeypatch.setenv("HEROKU_HOST", sim.url)
        code, doc = audit_json(["--enterprise", ENTERPRISE], POLICY, capsys)
        statuses = Counter(r.status for r in sim.requests)
        count = sim.request_count
    assert statuses[429] == 0
    truth = evaluate(estate.to_facts(DEMO_ADMIN_TOKEN), load_policy(POLICY), date.today())
    assert {a["name"]: a["decision"] for a in doc["apps"]} == {
        a.name: a.decision for a in truth.apps
    }
    assert code == 1  # blocks, but every fact was read (no api-error: that would be 3)
    (client,) = clients
    expected = request_budget(
        scope=AuditScope(enterprises=(ENTERPRISE,)),
        estate=estate.to_facts(DEMO_ADMIN_TOKEN),
        needs=Needs.everything(),
        teams_per_enterprise={ENTERPRISE: 3},
    )
    assert count == client.stats.requests_sent == expected == 613  # no retries either
    assert client.stats.paced_waits > 0 and client.stats.retries == 0
    # Beyond the 300 in the bucket, 312 tokens had to refill at 75 a minute first.
    assert virtual.now >= (count - 1 - 300) / 75 * 60 * 0.9


def test_an_audit_that_cannot_fit_the_budget_fails_with_exit_3(
    paced: tuple[VirtualTime, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A bucket that does not refill (another tool uses the account's tokens up): the
    client paces, retries the 429s it meets, then gives up. The apps it could not read are
    blocked with an ``api-error`` naming the rate limit; the rest are evaluated; exit 3."""
    virtual, _ = paced
    estate = generate_estate(apps=200, teams=2, enterprise=ENTERPRISE)
    monkeypatch.setenv("GATEKEEPER_MAX_RETRIES", "1")
    with small_bucket_simulator(estate, virtual, capacity=120, refill_per_minute=0) as sim:
        monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
        monkeypatch.setenv("HEROKU_HOST", sim.url)
        code, doc = audit_json(["--enterprise", ENTERPRISE], POLICY, capsys)
    assert code == 3
    failed = [a for a in doc["apps"] if any(f["rule"] == "api-error" for f in a["findings"])]
    assert failed and len(failed) < len(doc["apps"])
    assert all(a["decision"] == "block" for a in failed)
    messages = {f["message"] for a in failed for f in a["findings"] if f["rule"] == "api-error"}
    assert all("rate limit" in m.lower() for m in messages), messages
