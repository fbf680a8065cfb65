"""addon-denied, addon-no-agreement, addon-location-not-allowed: third-party add-ons.

Third-party add-ons (Papertrail, SendGrid, Sentry, ...) are separate processors under a
separate contract to which Salesforce is not a party (Heroku Elements Terms section 1.2): the
Heroku DPA does not cover them. Add-ons Heroku operates itself (``heroku-postgresql``,
``heroku-redis``, ``heroku-kafka``, ``herokuconnect`` (Heroku Connect), ``heroku-applink``,
``scheduler``, ``heroku-inference``, plus ``[addons] operated_by_heroku``) are covered by the
Heroku agreement instead.

- **addon-denied** (block): the add-on's service matches ``[addons] deny`` (names or globs).
  Applies to every app and every add-on, Heroku-operated ones included.
- **addon-no-agreement** (block): the app's class has ``requires_agreement = true`` and no
  add-on agreement in force lists the service in ``addon_services`` (an agreement limited with
  ``teams``/``enterprise_accounts`` counts only for those). An expired agreement does not
  count; the message says when it expired.
- **addon-location-not-allowed** (block): where the add-on keeps the data is not allowed for
  the app's class. For a third-party add-on (when the class requires agreements): it has
  agreements in force, but for each of them some of its ``countries`` (where the provider
  processes the data) are not allowed. A US provider is allowed through ``"adequate"`` only
  when its agreement's mechanism is ``"dpf"`` (certified under the EU-US Data Privacy
  Framework). For Heroku Managed Inference (``heroku-inference``, whenever the class has
  ``countries``): every AWS region Heroku may serve the model from (on Amazon Bedrock, whatever
  the app's region) must be in an allowed country; a model gatekeeper does not know blocks
  (fail closed), and the finding says what the DPO must confirm to waive it. For a Heroku
  data add-on (``heroku-postgresql``, ``heroku-redis``, ``heroku-kafka``) attached from
  another app (whenever the class has ``countries``): the data is in the owning app's region,
  whose country must be allowed; an unknown region blocks (fail closed), and the evidence
  names the owning app, its team and region (``heroku_location.py``).

The add-on agreement that runs longest among the acceptable ones raises
**agreement-expiring** (warn) within ``expiry_warning_days`` of its end.
A waiver's ``subject`` may name the add-on (``papertrail-curved-12345``) or its service
(``papertrail``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatekeeper.codespan import code_span
from gatekeeper.facts import AddOn, FactKind
from gatekeeper.knowledge import canonical, describe_countries, sources
from gatekeeper.policy_values import PolicyTable, ServiceName, glob_match
from gatekeeper.records import described
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.coverage import expiring_candidate
from gatekeeper.rules.heroku_location import location_finding
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

if TYPE_CHECKING:
    from gatekeeper.policy.model import Agreement


@dataclass(frozen=True, kw_only=True)
class AddonsPolicy(PolicyTable):
    """``[addons]``: add-on services that are never allowed, and extra Heroku-operated ones."""

    deny: list[ServiceName] = described(
        default_factory=list, description="Add-on services (or globs) that block wherever found."
    )
    operated_by_heroku: list[ServiceName] = described(
        default_factory=list,
        description="Services to treat as operated by Heroku (covered by the Heroku DPA), "
        "besides the built-in list.",
    )


ADDON_DENIED = RuleInfo(
    "addon-denied",
    "block",
    "An add-on service is on the deny list.",
    why="The DPO has ruled the service out ([addons] deny), whatever the data class.",
    source="The policy's [addons] deny list.",
    remedy="heroku addons:destroy ADDON -a APP.",
    waiver=WaiverExample("legacy-app", "logentries", "Removal planned with the next release"),
)
ADDON_NO_AGREEMENT = RuleInfo(
    "addon-no-agreement",
    "block",
    "A third-party add-on has no active agreement and the data class requires one.",
    why="Third-party add-ons are separate processors under a separate contract to "
    "which Salesforce is not a party, so the Heroku agreement does not cover them. "
    "Each service needs its own agreement ([[agreements]] addon_services).",
    source="Heroku Elements Terms of Use section 1.2; GDPR Art. 28. Heroku-operated "
    "services: gatekeeper/knowledge/addons.py.",
    remedy="heroku addons:destroy ADDON -a APP, or sign a DPA with the provider and add "
    'it: [[agreements]] id, addon_services = ["SERVICE"], countries, mechanism, '
    "signed, expires.",
    waiver=WaiverExample(
        "bio-dashboard",
        "sentry",
        "No personal data reaches Sentry (scrubbing enabled)",
    ),
    sources=(
        sources.HEROKU_ELEMENTS_TERMS,
        sources.GDPR_ART_28,
    ),
)
ADDON_LOCATION_NOT_ALLOWED = RuleInfo(
    "addon-location-not-allowed",
    "block",
    "Where the add-on keeps the data is not allowed for the data class.",
    why="An add-on agreement's countries say where the provider processes the data; "
    "each must be allowed for the app's class. A US provider counts as adequate "
    'only with mechanism = "dpf" (EU-US Data Privacy Framework certification). '
    "Heroku Managed Inference serves each model on Amazon Bedrock from the model's own "
    "AWS regions, not from the app's region; each of them must be allowed, and an unknown "
    "model blocks (fail closed).",
    source="The policy's [[agreements]] countries and mechanism; Implementing Decision "
    "(EU) 2023/1795 (DPF). Inference models and their regions: heroku ai:models:list, "
    "gatekeeper/knowledge/inference.py.",
    remedy="Use a provider, plan or model that processes data in an allowed country, or "
    "remove the add-on (heroku addons:destroy ADDON -a APP). Correct the agreement's "
    "countries or mechanism in the policy if they are wrong.",
    waiver=WaiverExample(
        "survey",
        "sendgrid",
        "Only pseudonymous ids in e-mails",
    ),
    sources=(
        sources.GDPR_ART_44,
        sources.DPF_ADEQUACY,
        sources.HEROKU_INFERENCE,
        sources.HEROKU_INFERENCE_MODELS,
    ),
)

RULES: tuple[RuleInfo, ...] = (ADDON_DENIED, ADDON_NO_AGREEMENT, ADDON_LOCATION_NOT_ALLOWED)
NEEDS: frozenset[FactKind] = frozenset(
    {"app", "addons", "addon-attachments", "team", "enterprise-account"}
)
OPTIONS: type[PolicyTable] | None = AddonsPolicy


def _agreement_snippet(ctx: AppContext, service: str) -> str:
    countries = canonical(ctx.class_rule.countries or ()) or ("...",)
    listed = ", ".join(f'"{c}"' for c in countries)
    return (
        f'[[agreements]] id = "{service}-dpa", addon_services = ["{service}"], '
        f'countries = [{listed}], mechanism = "...", signed = YYYY-MM-DD, '
        "expires = YYYY-MM-DD"
    )


def _denied(ctx: AppContext, addon: AddOn) -> Candidate:
    app = ctx.app.name
    pattern = next(d for d in ctx.policy.addons.deny if glob_match(addon.service, d))
    return ctx.candidate(
        ADDON_DENIED,
        addon.name,
        f"App {app} has add-on {addon.name} ({addon.plan}); the policy denies the service "
        f'{addon.service} everywhere ([addons] deny: "{pattern}").',
        f"Remove it: {code_span(f'heroku addons:destroy {sh(addon.name)} -a {sh(app)}')}. "
        + ctx.ask(),
        (*ctx.owner_evidence(), ctx.addon_evidence(addon)),
        (addon.service,),
    )


def _no_agreement(ctx: AppContext, addon: AddOn, expired: tuple[Agreement, ...]) -> Candidate:
    app = ctx.app.name
    lapsed = ""
    if expired:
        last = expired[-1]
        lapsed = f" Agreement {last.id} covered it until {last.expires.isoformat()}."
    return ctx.candidate(
        ADDON_NO_AGREEMENT,
        addon.name,
        f"App {app} uses the third-party add-on {addon.name} ({addon.plan}), a separate "
        f"processor that the Heroku agreement does not cover, and no agreement in force "
        f"covers {addon.service}.{lapsed} Data of class {ctx.data_class} requires one "
        f"({ctx.class_key()}.requires_agreement).",
        f"Remove it: {code_span(f'heroku addons:destroy {sh(addon.name)} -a {sh(app)}')}; "
        "or sign a data processing "
        "agreement with the provider and add it to the policy: "
        f"{_agreement_snippet(ctx, addon.service)}. " + ctx.ask(),
        (
            *ctx.owner_evidence(),
            ctx.addon_evidence(addon),
            *(ctx.agreement_evidence(a) for a in expired),
            ctx.class_evidence(),
        ),
        (addon.service,),
    )


def _location(ctx: AppContext, addon: AddOn, active: tuple[Agreement, ...]) -> Candidate:
    app = ctx.app.name
    refused = {a.id: ctx.agreement_countries_refused(a) for a in active}
    details = "; ".join(
        f"agreement {a.id} says it processes in {', '.join(canonical(a.countries))}"
        f"{' (mechanism ' + a.mechanism + ')' if a.mechanism else ''}, "
        f"and {', '.join(refused[a.id])} is not allowed"
        for a in active
    )
    dpf_hint = ""
    if any("US" in refused[a.id] and a.mechanism != "dpf" for a in active) and (
        "adequate" in (ctx.class_rule.countries or [])
    ):
        dpf_hint = (
            " The US counts as adequate only for providers certified under the EU-US "
            'Data Privacy Framework (mechanism = "dpf").'
        )
    return ctx.candidate(
        ADDON_LOCATION_NOT_ALLOWED,
        addon.name,
        f"App {app} uses {addon.name} ({addon.plan}), but data of class {ctx.data_class} may "
        f"only be in {describe_countries(ctx.class_rule.countries)} "
        f"({ctx.class_key()}.countries): {details}.{dpf_hint}",
        f"Remove it ({code_span(f'heroku addons:destroy {sh(addon.name)} -a {sh(app)}')}) "
        "or use a provider that "
        "processes the data in an allowed country. If the provider's agreement really covers "
        "an allowed country or mechanism, correct countries/mechanism of the agreement in the "
        "policy. " + ctx.ask(),
        (
            *ctx.owner_evidence(),
            ctx.addon_evidence(addon),
            *(ctx.agreement_evidence(a) for a in active),
            ctx.class_evidence(),
            ctx.countries_evidence(),
        ),
        (addon.service,),
    )


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Check every add-on against the deny list, then third-party ones against agreements."""
    if ctx.unknown():
        return
    operated = ctx.policy.heroku_operated
    expiring: dict[str, list[str]] = {}
    for addon in ctx.addons():
        if any(glob_match(addon.service, d) for d in ctx.policy.addons.deny):
            yield _denied(ctx, addon)
            continue
        if addon.service in operated:
            located = location_finding(ctx, addon, ADDON_LOCATION_NOT_ALLOWED)
            if located is not None:
                yield located
            continue
        if not ctx.class_rule.requires_agreement:
            continue
        coverage = ctx.addon_coverage(addon.service)
        if not coverage.active:
            yield _no_agreement(ctx, addon, coverage.expired)
            continue
        acceptable = tuple(
            a
            for a in coverage.active
            if ctx.class_rule.countries is None or not ctx.agreement_countries_refused(a)
        )
        if not acceptable:
            yield _location(ctx, addon, coverage.active)
            continue
        longest = acceptable[-1]
        expiring.setdefault(longest.id, []).append(addon.name)
    for agreement_id in sorted(expiring):
        found = expiring_candidate(
            ctx, agreement_id, "add-on " + ", ".join(sorted(expiring[agreement_id]))
        )
        if found is not None:
            yield found
