"""addon-denied, addon-no-agreement, addon-location-not-allowed: third-party add-ons.

Third-party add-ons (Papertrail, SendGrid, Sentry, ...) are separate processors under a
separate contract to which Salesforce is not a party (Heroku Elements Terms section 1.2): the
Heroku DPA does not cover them. Add-ons Heroku operates itself (``heroku-postgresql``,
``heroku-redis``, ``heroku-kafka``, ``heroku-connect``, ``scheduler``, ``heroku-inference``,
plus ``[addons] operated_by_heroku``) are covered by the Heroku agreement instead.

- **addon-denied** (block): the add-on's service matches ``[addons] deny`` (names or globs).
  Applies to every app and every add-on, Heroku-operated ones included.
- **addon-no-agreement** (block): the app's class has ``requires_agreement = true`` and no
  add-on agreement in force lists the service in ``addon_services`` (an agreement limited with
  ``teams``/``enterprise_accounts`` counts only for those). An expired agreement does not
  count; the message says when it expired.
- **addon-location-not-allowed** (block): the app's class requires agreements and the add-on
  has agreements in force, but for each of them some of its ``countries`` (where the provider
  processes the data) are not allowed for the app's class. A US provider is allowed through
  ``"adequate"`` only when its agreement's mechanism is ``"dpf"`` (certified under the EU-US
  Data Privacy Framework).

The add-on agreement that runs longest among the acceptable ones raises
**agreement-expiring** (warn) within ``expiry_warning_days`` of its end.
A waiver's ``subject`` may name the add-on (``papertrail-curved-12345``) or its service
(``papertrail``).
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.codespan import code_span
from gatekeeper.facts import AddOn
from gatekeeper.knowledge import canonical
from gatekeeper.policy.model import Agreement, glob_match
from gatekeeper.rules.context import AppContext, Candidate, describe_countries, sh
from gatekeeper.rules.coverage import expiring_candidate

RULE_IDS = ("addon-denied", "addon-no-agreement", "addon-location-not-allowed")


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
        "addon-denied",
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
        "addon-no-agreement",
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
        "addon-location-not-allowed",
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
        if addon.service in operated or not ctx.class_rule.requires_agreement:
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
