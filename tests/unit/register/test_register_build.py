"""The register's rows from facts, policy and report (gatekeeper.register.build), in process."""

from __future__ import annotations

from datetime import date, timedelta

from register_samples import TODAY, demo_facts, register_of, university

from gatekeeper.facts import App, Estate, LogDrain, Region, Space, SpaceLogDrain, Team
from gatekeeper.policy import loads_policy
from gatekeeper.register.build import transfer_mechanism
from gatekeeper.register.model import RegisterRow


def rows(register_rows: tuple[RegisterRow, ...], app: str) -> list[RegisterRow]:
    return [r for r in register_rows if r.app == app]


def test_every_open_finding_is_on_exactly_one_row() -> None:
    from gatekeeper.engine import evaluate

    estate, policy = demo_facts(), university()
    report = evaluate(estate, policy, TODAY)
    register = register_of(estate, policy)
    for app in report.apps:
        open_rules = sorted(f.rule for f in app.findings if not f.waived)
        placed = sorted(rule for r in rows(register.rows, app.name) for rule in r.open_findings)
        assert sorted(set(placed)) == sorted(set(open_rules)), app.name


def test_every_app_has_its_platform_processor_and_sub_processor_first() -> None:
    register = register_of()
    assert len(register.activities) == 11
    for activity in register.activities:
        first, second = rows(register.rows, activity.app)[:2]
        assert (first.recipient, first.role, first.kind) == (
            "Salesforce, Inc. (Heroku)",
            "processor",
            "platform",
        )
        assert (second.recipient, second.role) == ("Amazon Web Services, Inc.", "sub-processor")
        assert first.agreement_id == second.agreement_id


def test_a_lapsed_heroku_agreement_is_named_and_no_longer_a_safeguard() -> None:
    later = date(2029, 3, 1)  # salesforce-dpa ended on 2029-02-28
    register = register_of(today=later)
    platform = rows(register.rows, "experiment-us")[0]
    assert platform.agreement_id == "salesforce-dpa"
    assert platform.agreement_expires == date(2029, 2, 28)
    assert platform.transfer_mechanism == "none"  # US, and no agreement in force
    assert "agreement-expired" in platform.open_findings
    entry = next(a for a in register.agreements if a.id == "salesforce-dpa")
    assert entry.state == "expired" and entry.days_left == -1


def test_transfer_mechanism_falls_back_to_adequacy_only_for_known_safe_countries() -> None:
    assert transfer_mechanism(None, ("IE",), TODAY) == "adequacy"
    assert transfer_mechanism(None, ("EEA", "adequate"), TODAY) == "adequacy"
    assert transfer_mechanism(None, ("US",), TODAY) == "none"
    assert transfer_mechanism(None, (), TODAY) == "none"  # unknown: fail closed


def _estate(*apps: App, spaces: tuple[Space, ...] = ()) -> Estate:
    return Estate(
        apps=apps,
        teams=(Team(id="t1", name="psych-lab", enterprise_account="uni-example"),),
        spaces=spaces,
        regions=(Region(name="eu"), Region(name="frankfurt")),
    )


def test_an_unknown_region_has_no_country_and_no_safeguard() -> None:
    app = App(id="a1", name="survey", owner="team", team="psych-lab", region="mars")
    register = register_of(_estate(app))
    platform = register.rows[0]
    assert platform.countries == ()
    assert platform.transfer_mechanism == "scc"  # the DPA's mechanism still applies
    assert "unknown-region" in platform.open_findings


def test_an_unknown_space_drain_is_a_row_never_nothing() -> None:
    space = Space(
        id="s1",
        name="shield",
        region="frankfurt",
        shield=True,
        team="psych-lab",
        log_drain=SpaceLogDrain(state="unknown", reason="403"),
    )
    app = App(id="a1", name="survey", owner="team", team="psych-lab", space="shield")
    [drain] = [r for r in register_of(_estate(app, spaces=(space,))).rows if r.kind == "log drain"]
    assert drain.recipient.startswith("(the Private Space Logging drain of shield")
    assert drain.role == "processor" and drain.agreement_id == "none"
    assert "log-drain-not-allowed" in drain.open_findings


def test_drains_an_add_on_created_go_with_the_add_on() -> None:
    drains = (
        LogDrain(id="d1", host="logs.papertrailapp.com", url="syslog+tls://x", addon="pt"),
        LogDrain(id="d2", host="logs.uni-example.edu", url="syslog+tls://y"),
    )
    app = App(
        id="a1", name="survey", owner="team", team="psych-lab", region="eu", log_drains=drains
    )
    kinds = [(r.kind, r.service, r.role) for r in register_of(_estate(app)).rows]
    assert ("log drain", "logs.uni-example.edu", "own infrastructure") in kinds
    assert not any(service == "logs.papertrailapp.com" for _, service, _ in kinds)


def test_art_30_fields_come_from_the_entry_then_the_institution() -> None:
    policy = loads_policy(
        "version = 1\n"
        '[institution]\nname = "Uni"\ncontact = "dpo@uni.example"\npurpose = "Research"\n'
        'data_subjects = ["participants"]\nretention = "10 years"\n'
        '[[apps]]\nname = "survey"\ndata_class = "personal"\npurpose = "Survey"\n'
        'data_subjects = []\nethics_reference = "EC-1"\ncontroller_contact = "lab"\n'
    )
    other = App(id="a2", name="other", owner="team", team="psych-lab", region="eu")
    survey = App(id="a1", name="survey", owner="team", team="psych-lab", region="eu")
    register = register_of(_estate(survey, other), policy)
    by_app = {a.app: a for a in register.activities}
    assert by_app["survey"].purpose == "Survey"
    assert by_app["survey"].data_subjects == ()  # set to nothing on purpose
    assert by_app["survey"].retention == "10 years"
    assert (by_app["survey"].ethics_reference, by_app["survey"].controller_contact) == (
        "EC-1",
        "lab",
    )
    assert by_app["other"].purpose == "Research"
    assert by_app["other"].data_subjects == ("participants",)
    assert by_app["other"].controller_contact == "dpo@uni.example"  # [institution] contact
    assert {r.purpose for r in register.rows if r.app == "other"} == {"Research"}


def test_an_expiring_agreement_is_still_in_force() -> None:
    register = register_of(today=date(2029, 2, 28) - timedelta(days=10))
    platform = rows(register.rows, "survey")[0]
    assert platform.transfer_mechanism == "scc"
    assert "agreement-expiring" in platform.open_findings
