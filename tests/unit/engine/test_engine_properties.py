"""Properties of the engine, checked with hypothesis on generated estates and policies.

- adding an active covering agreement never makes a decision worse;
- removing an allowed country never makes one better;
- a waiver changes only the findings it matches;
- the result does not depend on the order of apps, add-ons, drains or policy entries;
- an expired waiver never hides anything.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from demo_facts import TODAY, drain, make_app, make_estate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatekeeper import records
from gatekeeper.engine import evaluate
from gatekeeper.facts import App, Estate, FactError
from gatekeeper.policy import Policy
from gatekeeper.policy.model import glob_match
from gatekeeper.results import Report, decision_of, worst

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RANK = {"allow": 0, "warn": 1, "block": 2}

TEAMS = ["psych-lab", "bio-lab", "econ-lab", "student-projects", "lost-team", None]
REGIONS = ["eu", "us", "frankfurt", "dublin", "london", "mumbai", "oregon", "mars", None]
SPACES = [None, None, "uni-frankfurt", "bio-shield"]
PLANS = [
    "heroku-postgresql:essential-0",
    "heroku-postgresql:private-0",
    "heroku-postgresql:standard-0",
    "heroku-redis:mini",
    "herokuconnect:demo",
    "scheduler:standard",
    "papertrail:choklad",
    "sendgrid:starter",
    "sentry:f1",
]
SERVICES = ["papertrail", "sendgrid", "sentry", "paper*"]
COUNTRIES = ["EEA", "adequate", "US", "DE", "IE", "GB", "IN", "CN"]
CLASSES = ["none", "anonymous", "pseudonymous", "personal", "special"]
RULES = [
    "region-not-allowed",
    "addon-no-agreement",
    "team-not-covered",
    "unclassified-app",
    "postgres-backups",
    "log-drain-not-allowed",
    "addon-outside-region",
    "heroku-connect",
    "shield-required",
    "agreement-expiring",
    "personal-account",
]
DRAINS = [
    drain("syslog+tls://logs.uni-example.edu:6514", "logs.uni-example.edu"),
    drain("https://logs.example-logging.io/ingest", "logs.example-logging.io"),
    drain("syslog+tls://logs.papertrailapp.com:1", "logs.papertrailapp.com", "pt"),
]

days = st.integers(-400, 800).map(lambda d: TODAY + timedelta(days=d))


@st.composite
def apps(draw: st.DrawFn, index: int) -> App:
    name = f"{draw(st.sampled_from(['econ', 'bio', 'survey', 'lab']))}-{index}"
    errors = ()
    if draw(st.integers(0, 9)) == 0:
        errors = (
            FactError(
                fact=draw(st.sampled_from(["addons", "team", "region"])),
                message="failed",
                status=503,
            ),
        )
    drains = draw(
        st.one_of(
            st.none(),
            st.lists(st.sampled_from(DRAINS), max_size=2, unique_by=lambda d: d.id).map(tuple),
        )
    )
    return make_app(
        name,
        team=draw(st.sampled_from(TEAMS)),
        region=draw(st.sampled_from(REGIONS)),
        space=draw(st.sampled_from(SPACES)),
        addons=tuple(draw(st.lists(st.sampled_from(PLANS), max_size=4))),
        drains=drains,
        errors=errors,
    )


@st.composite
def estates(draw: st.DrawFn) -> Estate:
    count = draw(st.integers(1, 4))
    return make_estate(*(draw(apps(i)) for i in range(count)))


def agreement(draw: st.DrawFn, index: int, *, active: bool = False) -> dict[str, Any]:
    if active:
        signed = TODAY - timedelta(days=draw(st.integers(0, 300)))
        expires = TODAY + timedelta(days=draw(st.integers(0, 800)))
    else:
        signed = draw(days)
        expires = signed + timedelta(days=draw(st.integers(0, 900)))
    out: dict[str, Any] = {
        "id": f"agreement-{index}",
        "mechanism": draw(st.sampled_from(["scc", "dpf", "bcr", "adequacy"])),
        "countries": draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3)),
        "expires": expires,
    }
    if draw(st.booleans()):
        out["signed"] = signed
    scope = draw(st.sampled_from(["ea", "team", "none"]))
    if draw(st.booleans()):
        out["heroku"] = True
        if scope == "ea":
            out["enterprise_accounts"] = ["uni-example"]
        else:
            out["teams"] = [draw(st.sampled_from([t for t in TEAMS if t]))]
    else:
        out["addon_services"] = draw(
            st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2, unique=True)
        )
        if scope == "team":
            out["teams"] = [draw(st.sampled_from([t for t in TEAMS if t]))]
    return out


def waiver(draw: st.DrawFn, *, expired: bool | None = None) -> dict[str, Any]:
    if expired is None:
        expires = draw(days)
    elif expired:
        expires = TODAY - timedelta(days=draw(st.integers(1, 300)))
    else:
        expires = TODAY + timedelta(days=draw(st.integers(0, 300)))
    out: dict[str, Any] = {
        "rule": draw(st.sampled_from(RULES)),
        "app": draw(st.sampled_from(["*", "econ-*", "bio-?", "survey-*", "lab-0"])),
        "reason": "r",
        "approved_by": "DPO",
        "expires": expires,
    }
    subject = draw(
        st.sampled_from(
            [
                None,
                "sentry",
                "papertrail",
                "*",
                "us",
                "psych-lab",
                "https://logs.example-logging.io/ingest",
            ]
        )
    )
    if subject is not None:
        out["subject"] = subject
    return out


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    classes = {}
    for name in draw(st.lists(st.sampled_from(CLASSES), unique=True, max_size=5)):
        table: dict[str, Any] = {
            "requires_agreement": draw(st.booleans()),
            "requires_shield": draw(st.booleans()),
        }
        if draw(st.integers(0, 3)):
            table["countries"] = draw(st.lists(st.sampled_from(COUNTRIES), max_size=4))
        classes[name] = table
    data: dict[str, Any] = {
        "version": 1,
        "defaults": {
            "data_class": draw(st.sampled_from(CLASSES)),
            "expiry_warning_days": draw(st.integers(0, 90)),
        },
        "classes": classes,
        "agreements": [agreement(draw, i) for i in range(draw(st.integers(0, 3)))],
        "addons": {
            "deny": draw(st.lists(st.sampled_from(["sentry", "send*", "heroku-redis"]), max_size=1))
        },
        "logs": {
            "allowed_drain_hosts": draw(
                st.lists(
                    st.sampled_from(["*.uni-example.edu", "logs.example-logging.io"]), max_size=2
                )
            ),
            "check_drains": draw(st.booleans()),
        },
        "apps": [
            {"name": n, "data_class": draw(st.sampled_from(CLASSES))}
            for n in draw(
                st.lists(st.sampled_from(["econ-*", "bio-1", "survey-*"]), unique=True, max_size=2)
            )
        ],
        "rules": {
            r: draw(st.sampled_from(["block", "warn", "info", "off"]))
            for r in draw(st.lists(st.sampled_from(RULES), unique=True, max_size=2))
        },
        "waivers": [],
    }
    seen = set()
    for _ in range(draw(st.integers(0, 2))):
        w = waiver(draw)
        key = (w["rule"], w["app"], w.get("subject"))
        if key not in seen:
            seen.add(key)
            data["waivers"].append(w)
    return data


def evaluate_data(estate: Estate, data: dict[str, Any]) -> Report:
    return evaluate(estate, records.read(Policy, data), TODAY)


def decisions(report: Report) -> dict[str, str]:
    return {a.name: a.decision for a in report.apps}


def never_better(before: Report, after: Report) -> None:
    for name, decision in decisions(before).items():
        assert RANK[decisions(after)[name]] >= RANK[decision], name


@PROPERTY
@given(estates(), policies(), st.data())
def test_adding_an_active_covering_agreement_never_makes_a_decision_worse(
    estate: Estate, data: dict[str, Any], more: st.DataObject
) -> None:
    before = evaluate_data(estate, data)
    extra = agreement(more.draw, 99, active=True)
    after = evaluate_data(estate, {**data, "agreements": [*data["agreements"], extra]})
    never_better(after, before)


@PROPERTY
@given(estates(), policies(), st.data())
def test_removing_an_allowed_country_never_makes_a_decision_better(
    estate: Estate, data: dict[str, Any], more: st.DataObject
) -> None:
    with_countries = [c for c, t in data["classes"].items() if t.get("countries")]
    if not with_countries:
        return
    name = more.draw(st.sampled_from(with_countries))
    countries = data["classes"][name]["countries"]
    drop = more.draw(st.sampled_from(countries))
    smaller = {**data["classes"][name], "countries": [c for c in countries if c != drop]}
    after = evaluate_data(estate, {**data, "classes": {**data["classes"], name: smaller}})
    never_better(evaluate_data(estate, data), after)


def without_waiver_marks(report: Report) -> list[list[dict[str, Any]]]:
    return [
        [
            {k: v for k, v in dataclasses.asdict(f).items() if k not in ("waived", "waiver")}
            for f in a.findings
            if f.rule != "waiver-expired"
        ]
        for a in report.apps
    ]


@PROPERTY
@given(estates(), policies(), st.data())
def test_a_waiver_changes_only_the_findings_it_matches(
    estate: Estate, data: dict[str, Any], more: st.DataObject
) -> None:
    data = {**data, "waivers": []}
    new = waiver(more.draw, expired=False)
    before = evaluate_data(estate, data)
    after = evaluate_data(estate, {**data, "waivers": [new]})
    assert without_waiver_marks(after) == without_waiver_marks(before)
    for app_before, app_after in zip(before.apps, after.apps, strict=True):
        for f_before, f_after in zip(app_before.findings, app_after.findings, strict=True):
            assert not f_before.waived
            if f_after.waived:
                assert f_after.rule == new["rule"]
                assert glob_match(app_after.name, new["app"])
    hidden = any(f.waived for f in after.all_findings())
    assert after.waivers[0].used is hidden
    assert any(f.rule == "waiver-unused" for f in after.policy_findings) is (
        not hidden and data["rules"].get("waiver-unused") != "off"
    )


@PROPERTY
@given(estates(), policies(), st.data())
def test_an_expired_waiver_never_hides_anything(
    estate: Estate, data: dict[str, Any], more: st.DataObject
) -> None:
    data = {**data, "waivers": [waiver(more.draw, expired=True)]}
    report = evaluate_data(estate, data)
    baseline = evaluate_data(estate, {**data, "waivers": []})
    assert not any(f.waived for f in report.all_findings())
    assert report.waivers[0].state == "expired" and not report.waivers[0].used
    for app, base in zip(report.apps, baseline.apps, strict=True):
        # the same findings, plus at most the warning that the waiver expired
        assert [f for f in app.findings if f.rule != "waiver-expired"] == list(base.findings)
        extra = [decision_of(f.severity) for f in app.findings if f.rule == "waiver-expired"]
        assert app.decision == worst([base.decision, *extra])


def shuffled(items: list[Any], draw: st.DrawFn) -> list[Any]:
    return list(draw(st.permutations(items))) if items else items


@PROPERTY
@given(estates(), policies(), st.data())
def test_result_does_not_depend_on_order(
    estate: Estate, data: dict[str, Any], more: st.DataObject
) -> None:
    draw = more.draw
    reordered_apps = tuple(
        dataclasses.replace(
            app,
            addons=tuple(shuffled(list(app.addons), draw)),
            log_drains=None
            if app.log_drains is None
            else tuple(shuffled(list(app.log_drains), draw)),
        )
        for app in shuffled(list(estate.apps), draw)
    )
    reordered_estate = dataclasses.replace(
        estate,
        apps=reordered_apps,
        teams=tuple(shuffled(list(estate.teams), draw)),
        spaces=tuple(shuffled(list(estate.spaces), draw)),
    )
    classes = {
        name: {
            **table,
            **({"countries": shuffled(table["countries"], draw)} if "countries" in table else {}),
        }
        for name, table in shuffled(list(data["classes"].items()), draw)
    }
    reordered_data = {
        **data,
        "classes": classes,
        "agreements": [
            {**a, "countries": shuffled(a["countries"], draw)}
            for a in shuffled(data["agreements"], draw)
        ],
        "waivers": shuffled(data["waivers"], draw),
        "addons": {"deny": shuffled(data["addons"]["deny"], draw)},
        "logs": {
            **data["logs"],
            "allowed_drain_hosts": shuffled(data["logs"]["allowed_drain_hosts"], draw),
        },
        "rules": dict(shuffled(list(data["rules"].items()), draw)),
    }
    one = evaluate_data(estate, data)
    two = evaluate_data(reordered_estate, reordered_data)
    assert one == two
