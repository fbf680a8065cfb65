"""The register's rows from the estate's facts, the policy and the report (issue 13).

A pure function: :func:`build_register` reads no file and no clock. For each app the report
judged it writes the processing activity (the Art. 30(1) fields of the app's ``[[apps]]``
entry, else ``[institution]``'s) and one row per recipient:

- ``platform``: Salesforce, Inc. (Heroku), the processor, under the Heroku agreement that
  covers the app's team or enterprise account; and Amazon Web Services, the sub-processor
  every region runs on (``gatekeeper.knowledge.recipients``);
- each add-on: a Heroku-operated one is Heroku's own infrastructure (plus Amazon Bedrock as
  sub-processor of Managed Inference, and a Salesforce org for Connect and AppLink, kind
  ``salesforce sync``); a third-party one is a processor of its own under the agreement
  that names its service, or ``none``; an add-on owned by another app is an
  ``attached add-on``;
- each custom log drain, the space's Private Space Logging drain, and each telemetry drain
  of the app or its space: the host, a processor without agreement unless the policy allows
  the host (``[logs] allowed_drain_hosts``: the institution's own), which makes it own
  infrastructure. A drain an add-on created goes with that add-on's row.

Every unwaived finding of the app is listed on exactly one row: the row of the add-on or
drain it is about, else the platform row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from gatekeeper.facts import App, Estate
from gatekeeper.knowledge import (
    ADEQUATE,
    APPLINK_SERVICE,
    CONNECT_SERVICE,
    EEA,
    INFERENCE_SERVICE,
    INFERENCE_SUBPROCESSOR,
    canonical,
    expand,
    inference_model,
    plan_name,
    plan_tier,
    region_fact,
)
from gatekeeper.knowledge.recipients import (
    HEROKU_PROCESSOR,
    PLATFORM_SUBPROCESSOR,
    SALESFORCE_ORG,
)
from gatekeeper.register.by_recipient import recipients
from gatekeeper.register.model import (
    NO_AGREEMENT,
    Activity,
    AgreementEntry,
    Institution,
    Kind,
    PolicyRef,
    Register,
    RegisterRow,
    Role,
    TransferMechanism,
)
from gatekeeper.rules.context import AppContext, Coverage, World
from gatekeeper.rules.log_drains import host_allowed

if TYPE_CHECKING:
    from gatekeeper.policy.model import Agreement, AppEntry, Policy
    from gatekeeper.results import AppResult, Finding, Report

_SALESFORCE_SYNC = frozenset({CONNECT_SERVICE, APPLINK_SERVICE})


@dataclass(frozen=True)
class _Recipient:
    """A row before the app's columns are added, with the finding subjects it stands for."""

    recipient: str
    role: Role
    service: str
    kind: Kind
    countries: tuple[str, ...]
    agreement: Agreement | None
    subjects: frozenset[str] = frozenset()


def build_register(
    policy: Policy,
    estate: Estate,
    report: Report,
    today: date,
    *,
    generated_at: datetime | None = None,
) -> Register:
    """The register of every app of ``report``, from the facts of ``estate``."""
    world = World.build(estate, policy, today)
    facts = {app.id: app for app in estate.apps}
    activities: list[Activity] = []
    rows: list[RegisterRow] = []
    for result in sorted(report.apps, key=lambda a: (a.name, a.id)):
        app = facts.get(result.id)
        if app is None:
            # The report judged an app whose facts are not here (a caller's mistake): the
            # register still names its processor rather than leaving the app out.
            app = App(id=result.id, name=result.name, owner="team", team=result.team)
        ctx = world.context(app)
        activity = _activity(policy, ctx, result)
        activities.append(activity)
        rows.extend(_rows(ctx, result, activity.purpose))
    return Register(
        generated_at=generated_at or report.generated_at,
        policy=PolicyRef(path=report.policy_path, sha256=report.policy_sha256),
        institution=Institution(name=policy.institution.name, contact=policy.contact),
        activities=tuple(activities),
        rows=tuple(rows),
        recipients=recipients(rows),
        agreements=_agreements(policy, rows, today),
    )


def _activity(policy: Policy, ctx: AppContext, result: AppResult) -> Activity:
    """The processing activity: each Art. 30 field from the app's [[apps]] entry, else
    [institution]'s (the controller's contact falls back to the institution's contact)."""
    inst = policy.institution
    entry: AppEntry | None = None if ctx.class_entry is None else policy.apps[ctx.class_entry]

    def own(name: str) -> object:
        return None if entry is None else getattr(entry, name)

    def text(name: str, default: str) -> str:
        value = own(name)
        return value if isinstance(value, str) else default

    def items(name: str, default: list[str]) -> tuple[str, ...]:
        value = own(name)
        return tuple(value if isinstance(value, list) else default)

    return Activity(
        app=result.name,
        app_id=result.id,
        team=result.team,
        region=ctx.region,
        data_class=result.data_class,
        purpose=text("purpose", inst.purpose),
        data_subjects=items("data_subjects", inst.data_subjects),
        data_categories=items("data_categories", inst.data_categories),
        retention=text("retention", inst.retention),
        controller_contact=text("controller_contact", inst.controller_contact or inst.contact),
        ethics_reference=text("ethics_reference", inst.ethics_reference),
        decision=result.decision,
    )


def _rows(ctx: AppContext, result: AppResult, purpose: str) -> Iterator[RegisterRow]:
    found = list(_recipients(ctx))
    placed = _place(found, (f for f in result.findings if not f.waived))
    for index, item in enumerate(found):
        agreement = item.agreement
        yield RegisterRow(
            app=result.name,
            team=result.team,
            data_class=result.data_class,
            purpose=purpose,
            recipient=item.recipient,
            role=item.role,
            service=item.service,
            kind=item.kind,
            countries=item.countries,
            transfer_mechanism=transfer_mechanism(agreement, item.countries, ctx.today),
            agreement_id=agreement.id if agreement else NO_AGREEMENT,
            agreement_document=agreement.document if agreement else "",
            agreement_expires=agreement.expires if agreement else None,
            decision=result.decision,
            open_findings=tuple(dict.fromkeys(f.rule for f in placed[index])),
        )


def _place(found: list[_Recipient], findings: Iterable[Finding]) -> list[list[Finding]]:
    """Each finding on the first row whose subjects name it, else on the first row (the
    platform's)."""
    placed: list[list[Finding]] = [[] for _ in found]
    for finding in findings:
        index = next(
            (i for i, item in enumerate(found) if finding.subject in item.subjects),
            0,
        )
        placed[index].append(finding)
    return placed


def _covering(coverage: Coverage) -> Agreement | None:
    """The agreement a row names: the active one that runs longest, else one not yet
    signed, else the one that expired last (so a lapsed contract shows as lapsed)."""
    if coverage.longest is not None:
        return coverage.longest
    if coverage.pending:
        return coverage.pending[-1]
    return coverage.last_expired


def transfer_mechanism(
    agreement: Agreement | None, countries: tuple[str, ...], today: date
) -> TransferMechanism:
    """The safeguard of the transfer: the mechanism an agreement in force names; else
    ``adequacy`` when every country is in the EEA (no transfer) or has an EU adequacy decision;
    else ``none`` (unknown countries included: fail closed)."""
    if agreement is not None and agreement.state(today) == "active" and agreement.mechanism:
        return agreement.mechanism
    places = expand(countries)
    if places and all(c in EEA or c in ADEQUATE for c in places):
        return "adequacy"
    return "none"


def _countries_of_regions(regions: Iterable[str | None]) -> tuple[str, ...]:
    """The countries of Heroku regions; empty when one of them is unknown (fail closed)."""
    found = [region_fact(r) for r in regions]
    if not found or any(f is None for f in found):
        return ()
    return canonical([f.country for f in found if f is not None])


def _recipients(ctx: AppContext) -> Iterator[_Recipient]:
    heroku = _covering(ctx.heroku_coverage)
    platform = _countries_of_regions([ctx.region])
    yield _Recipient(HEROKU_PROCESSOR, "processor", "heroku", "platform", platform, heroku)
    yield _Recipient(PLATFORM_SUBPROCESSOR, "sub-processor", "heroku", "platform", platform, heroku)
    yield from _addon_recipients(ctx, heroku)
    yield from _drain_recipients(ctx)


def _addon_recipients(ctx: AppContext, heroku: Agreement | None) -> Iterator[_Recipient]:
    for addon in ctx.addons():
        kind: Kind = "attached add-on" if ctx.app.attached_from_elsewhere(addon) else "add-on"
        subjects = frozenset({addon.name, addon.service})
        service = addon.service
        if service in _SALESFORCE_SYNC:
            yield _Recipient(
                SALESFORCE_ORG, "processor", service, "salesforce sync", (), heroku, subjects
            )
        elif service == INFERENCE_SERVICE:
            model = inference_model(plan_name(addon.plan))
            where = model.countries if model is not None else None
            countries = canonical(where) if where else ()
            yield _Recipient(
                HEROKU_PROCESSOR, "own infrastructure", service, kind, countries, heroku, subjects
            )
            yield _Recipient(
                INFERENCE_SUBPROCESSOR, "sub-processor", service, kind, countries, heroku
            )
        elif service in ctx.policy.heroku_operated:
            region = ctx.app.addon_region(addon)
            tier = plan_tier(service, addon.plan)
            regions: list[str | None] = [region]
            if tier is not None and tier.regions is not None and region not in tier.regions:
                regions = [*sorted(tier.regions)]  # e.g. an essential database of a space app
            yield _Recipient(
                HEROKU_PROCESSOR,
                "own infrastructure",
                service,
                kind,
                _countries_of_regions(regions),
                heroku,
                subjects,
            )
        else:
            agreement = _covering(ctx.addon_coverage(service))
            countries = canonical(agreement.countries) if agreement else ()
            yield _Recipient(service, "processor", service, kind, countries, agreement, subjects)


def _drain_recipients(ctx: AppContext) -> Iterator[_Recipient]:
    allowed = ctx.policy.logs.allowed_drain_hosts

    def host_row(host: str, kind: Kind, subjects: Iterable[str]) -> _Recipient:
        role: Role = "own infrastructure" if host_allowed(host, allowed) else "processor"
        name = host or "(a drain URL without a host)"
        return _Recipient(name, role, host, kind, (), None, frozenset(subjects))

    for drain in ctx.drains():
        if drain.addon is None:  # an add-on's drain goes with the add-on's row
            yield host_row(drain.host, "log drain", (drain.url, drain.host))
    space = ctx.space
    if space is not None and space.log_drain is not None:
        label = f"space {space.name} log drain"
        if space.log_drain.state == "set":
            yield host_row(space.log_drain.host, "log drain", (label, space.log_drain.url))
        else:
            # Not shown by the API: an unknown destination, never "no drain" (fail closed).
            yield _Recipient(
                f"(the Private Space Logging drain of {space.name}, not shown by the API)",
                "processor",
                "",
                "log drain",
                (),
                None,
                frozenset({label}),
            )
    drains = list(ctx.app.telemetry_drains or ())
    if space is not None:
        drains += list(space.telemetry_drains or ())
    for telemetry in sorted(drains, key=lambda d: (d.url, d.id)):
        yield host_row(telemetry.host, "telemetry drain", (telemetry.url, telemetry.host))


def _agreements(policy: Policy, rows: list[RegisterRow], today: date) -> tuple[AgreementEntry, ...]:
    """Every agreement of the policy, soonest expiry first, with the apps naming it."""
    apps: dict[str, set[str]] = {}
    for row in rows:
        apps.setdefault(row.agreement_id, set()).add(row.app)
    out = []
    for agreement in sorted(policy.agreements, key=lambda a: (a.expires, a.id)):
        out.append(
            AgreementEntry(
                id=agreement.id,
                kind=agreement.kind,
                covers=tuple(
                    agreement.enterprise_accounts + agreement.teams
                    if agreement.heroku
                    else agreement.addon_services
                ),
                mechanism=agreement.mechanism,
                countries=canonical(agreement.countries),
                document=agreement.document,
                signed=agreement.signed,
                expires=agreement.expires,
                state=agreement.state(today),
                days_left=(agreement.expires - today).days,
                apps=tuple(sorted(apps.get(agreement.id, ()))),
            )
        )
    return tuple(out)
