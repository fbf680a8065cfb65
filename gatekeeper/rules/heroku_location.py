"""Where Heroku's own add-on services keep the data, judged as addon-location-not-allowed.

Not a rule module: ``addons.py`` declares and documents ``addon-location-not-allowed`` and
calls ``location_finding`` for each Heroku-operated add-on. Most of them keep the data in
the app's region, which ``region-not-allowed`` judges already; the exceptions are here.

- **Managed Inference** (``heroku-inference``, the plan is the model id): Heroku serves each
  model on Amazon Bedrock from the model's own AWS regions (``knowledge/inference.py``), and
  which one an add-on uses is in a config var a read token cannot see. The place of the data
  is therefore every region the model may use; each one's country must be allowed. A model
  gatekeeper does not know blocks (fail closed), and the finding says what the DPO must
  confirm before waiving it.

- **An attached Heroku data add-on** (``heroku-postgresql``, ``heroku-redis``,
  ``heroku-kafka``) owned (billed) by another app keeps its data where its owner is, in the
  owner's region (``facts.App.addon_region``), not in the attaching app's. When that region
  is not the app's own, its country must be allowed; a region gatekeeper does not know, or
  an owner whose region is not in the facts (a snapshot taken before gatekeeper read the
  owners), blocks (fail closed). An owner the API would not show is already an
  ``api-error`` block of the attaching app. The evidence names the owning app, its team and
  its region.
"""

from __future__ import annotations

from gatekeeper.codespan import code_span
from gatekeeper.facts import AddOn
from gatekeeper.knowledge import (
    DPF_COUNTRY,
    HEROKU_DATA_SERVICES,
    INFERENCE_SERVICE,
    INFERENCE_SUBPROCESSOR,
    MODELS,
    InferenceModel,
    aws_region_country,
    country_allowed,
    country_name,
    describe_countries,
    inference_model,
    plan_name,
    region_fact,
    sources,
)
from gatekeeper.results import Evidence
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import RuleInfo


def location_finding(ctx: AppContext, addon: AddOn, rule: RuleInfo) -> Candidate | None:
    """``rule`` (addon-location-not-allowed) for a Heroku-operated add-on whose data is not
    where the app is, or None when its place is the app's region or allowed."""
    if ctx.class_rule.countries is None:
        return None
    if addon.service in HEROKU_DATA_SERVICES and ctx.app.attached_from_elsewhere(addon):
        return _owner_region_finding(ctx, addon, rule)
    if addon.service != INFERENCE_SERVICE:
        return None
    model = inference_model(plan_name(addon.plan))
    countries = model.countries if model is not None else None
    if model is None or countries is None:
        return _unknown_model(ctx, addon, rule)
    refused = sorted(c for c in countries if not _allowed(ctx, c))
    if not refused:
        return None
    return _model_not_allowed(ctx, addon, rule, model, refused)


def _allowed(ctx: AppContext, country: str) -> bool:
    # Heroku is the processor (Bedrock its sub-processor): the Heroku agreement's mechanism
    # decides whether the US counts as adequate, as for the app's own region.
    return country_allowed(country, ctx.class_rule.countries, dpf=ctx.heroku_dpf)


def _dpf_hint(ctx: AppContext, refused: list[str]) -> str:
    """Why the US is refused although the class allows "adequate" (or "")."""
    if DPF_COUNTRY in refused and "adequate" in (ctx.class_rule.countries or []):
        return (
            " The US counts as adequate only when the Heroku agreement covering the app has "
            'mechanism = "dpf".'
        )
    return ""


def _regions_words(model: InferenceModel) -> str:
    parts = [f"{r} ({country_name(aws_region_country(r) or '?')})" for r in model.aws_regions]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _fitting_models(ctx: AppContext) -> list[str]:
    """The known models served only from countries this class allows."""
    return sorted(
        m.model_id
        for m in MODELS.values()
        if (c := m.countries) is not None and all(_allowed(ctx, x) for x in c)
    )


def _finding(
    ctx: AppContext, addon: AddOn, rule: RuleInfo, message: str, fix: str, knowledge: str
) -> Candidate:
    """The finding, its fix followed by what the DPO must confirm to waive it."""
    return ctx.candidate(
        rule,
        addon.name,
        message,
        f"{fix} {_confirm(ctx, addon, rule)} {ctx.ask()}",
        _evidence(ctx, addon, knowledge),
        (addon.service,),
    )


def _confirm(ctx: AppContext, addon: AddOn, rule: RuleInfo) -> str:
    app = ctx.app.name
    return (
        "The DPO must confirm which endpoint the add-on uses (its INFERENCE_URL config var, "
        f"named after the attachment: {code_span(f'heroku config -a {sh(app)}')} with a token "
        "that may read "
        "config vars; gatekeeper's read-only token cannot), that the model is served only "
        f"from allowed countries there, and that {INFERENCE_SUBPROCESSOR} is acceptable as "
        "Heroku's sub-processor; then waive this finding with a [[waivers]] entry "
        f'(rule = "{rule.id}", app = "{app}", subject = "{addon.name}").'
    )


def _evidence(ctx: AppContext, addon: AddOn, detail: str) -> tuple[Evidence, ...]:
    return (
        *ctx.owner_evidence(),
        ctx.addon_evidence(addon),
        Evidence(
            kind="knowledge", name=f"{INFERENCE_SERVICE} {plan_name(addon.plan)}", detail=detail
        ),
        ctx.class_evidence(),
        ctx.countries_evidence(),
        *(ctx.agreement_evidence(a) for a in ctx.heroku_coverage.active),
    )


def _model_not_allowed(
    ctx: AppContext, addon: AddOn, rule: RuleInfo, model: InferenceModel, refused: list[str]
) -> Candidate:
    app = ctx.app.name
    several = len(model.aws_regions) > 1
    which = (
        " Which of them this add-on uses is in a config var gatekeeper cannot read, so each "
        "one counts."
        if several
        else ""
    )
    fitting = _fitting_models(ctx)
    instead = (
        f"Use a model served only from allowed countries ({', '.join(fitting)}): "
        f"{code_span(f'heroku ai:models:create MODEL -a {sh(app)}')}, then remove this one"
        if fitting
        else "No model gatekeeper knows is served only from allowed countries, so remove it"
    )
    return _finding(
        ctx,
        addon,
        rule,
        f"App {app} uses Heroku Managed Inference {addon.name} (model {model.model_id}), "
        f"which Heroku serves on {INFERENCE_SUBPROCESSOR} from AWS {_regions_words(model)}, "
        f"not from the app's region.{which} Data of class {ctx.data_class} may only be in "
        f"{describe_countries(ctx.class_rule.countries)} ({ctx.class_key()}.countries), and "
        f"{', '.join(country_name(c) + ' (' + c + ')' for c in refused)} is not allowed."
        + _dpf_hint(ctx, refused),
        f"{instead}: {code_span(f'heroku addons:destroy {sh(addon.name)} -a {sh(app)}')}.",
        f"served on {INFERENCE_SUBPROCESSOR} from AWS {', '.join(model.aws_regions)}; "
        f"source: {model.source.url} ({model.source.date}); {sources.HEROKU_INFERENCE.url}",
    )


def _unknown_model(ctx: AppContext, addon: AddOn, rule: RuleInfo) -> Candidate:
    app = ctx.app.name
    model = plan_name(addon.plan)
    return _finding(
        ctx,
        addon,
        rule,
        f"App {app} uses Heroku Managed Inference {addon.name} with the model {model}, which "
        "gatekeeper does not know, so it cannot tell from which AWS regions Heroku serves it "
        f"(each model has its own, whatever the app's region), and data of class "
        f"{ctx.data_class} may only be in {describe_countries(ctx.class_rule.countries)} "
        f"({ctx.class_key()}.countries). Fail closed.",
        "Look the model's regions up with `heroku ai:models:list` (Supported regions) and "
        "update gatekeeper, whose model table (gatekeeper/knowledge/inference.py) may not know "
        "it yet; or remove it: "
        f"{code_span(f'heroku addons:destroy {sh(addon.name)} -a {sh(app)}')}.",
        "model not in gatekeeper's table: its AWS regions are unknown; "
        f"source of the table: {sources.HEROKU_INFERENCE_MODELS.url}",
    )


def _owner_region_finding(ctx: AppContext, addon: AddOn, rule: RuleInfo) -> Candidate | None:
    """An attached data add-on, judged by its owner's region."""
    region = ctx.app.addon_region(addon)
    if region is None:
        # An owner that could not be read is the app's api-error already; an owner whose
        # region is simply not in the facts (an older snapshot) is unknown: fail closed.
        return None if ctx.unknown("addon-attachments") else _owner_region_unknown(ctx, addon, rule)
    if region == ctx.region:
        return None  # the app's own region: region-not-allowed judges it
    fact = region_fact(region)
    if fact is not None and _allowed(ctx, fact.country):
        return None
    app = ctx.app.name
    owner = addon.app or "?"
    if fact is None:
        place = f"region {region}, which is not in gatekeeper's region table"
        why = "so the country of its data is unknown (fail closed)."
        detail = "not in gatekeeper's region table"
    else:
        place = f"region {fact.name} ({fact.location}, {fact.country})"
        why = f"and {country_name(fact.country)} ({fact.country}) is not allowed." + _dpf_hint(
            ctx, [fact.country]
        )
        detail = (
            f"{fact.location} ({fact.country}); AWS {fact.provider_region}; "
            f"source: {fact.source.url}"
        )
    return ctx.candidate(
        rule,
        addon.name,
        f"App {app} uses {addon.name} ({addon.plan}), a Heroku data add-on attached from app "
        f"{owner}: its data is where its owner is, in {place}, not in the app's "
        f"{ctx.region_words()}. Data of class {ctx.data_class} may only be in "
        f"{describe_countries(ctx.class_rule.countries)} ({ctx.class_key()}.countries), {why}",
        f"{_detach(ctx, addon)} {ctx.ask()}",
        (
            *ctx.owner_evidence(),
            ctx.addon_evidence(addon),
            Evidence(kind="region", name=region, detail=f"region of owning app {owner}; {detail}"),
            ctx.class_evidence(),
            ctx.countries_evidence(),
            *(ctx.agreement_evidence(a) for a in ctx.heroku_coverage.active),
        ),
        (addon.service,),
    )


def _owner_region_unknown(ctx: AppContext, addon: AddOn, rule: RuleInfo) -> Candidate:
    app = ctx.app.name
    return ctx.candidate(
        rule,
        addon.name,
        f"App {app} uses {addon.name} ({addon.plan}), a Heroku data add-on attached from app "
        f"{addon.app}, whose data is in that app's region; the facts do not say which region "
        "(they were collected before gatekeeper read the owners of attached add-ons), and data "
        f"of class {ctx.data_class} may only be in "
        f"{describe_countries(ctx.class_rule.countries)} ({ctx.class_key()}.countries). "
        "Fail closed.",
        "Judge the app again from the API or a new snapshot "
        f"({code_span('gatekeeper snapshot')}), which read the owner's region. If it is not "
        f"allowed: {_detach(ctx, addon)} {ctx.ask()}",
        (
            *ctx.owner_evidence(),
            ctx.addon_evidence(addon),
            ctx.class_evidence(),
            ctx.countries_evidence(),
        ),
        (addon.service,),
    )


def _detach(ctx: AppContext, addon: AddOn) -> str:
    """How to stop using a data add-on that another app owns: this app cannot destroy it,
    only detach it, after moving its data into an add-on of its own."""
    app = ctx.app.name
    create = code_span(f"heroku addons:create {sh(addon.plan)} -a {sh(app)}")
    detach = code_span(f"heroku addons:detach ATTACHMENT -a {sh(app)}")
    listing = code_span(f"heroku addons -a {sh(app)}")
    return (
        f"Use an add-on of the app's own, created in its region ({create}), copy the data "
        f"over, then detach this one ({detach}; {listing} names the attachment). The owning "
        f"app {addon.app} keeps the add-on; Heroku cannot move it to another region."
    )
