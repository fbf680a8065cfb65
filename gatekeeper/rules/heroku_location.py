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

An attached add-on owned by another app keeps its data where its owner is: when the facts
carry the owner's region, its check belongs in ``location_finding`` too.
"""

from __future__ import annotations

from gatekeeper.codespan import code_span
from gatekeeper.facts import AddOn
from gatekeeper.knowledge import (
    DPF_COUNTRY,
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
    sources,
)
from gatekeeper.results import Evidence
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import RuleInfo


def location_finding(ctx: AppContext, addon: AddOn, rule: RuleInfo) -> Candidate | None:
    """``rule`` (addon-location-not-allowed) for a Heroku-operated add-on whose data is not
    where the app is, or None when its place is the app's region or allowed."""
    if addon.service != INFERENCE_SERVICE or ctx.class_rule.countries is None:
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
    dpf_hint = ""
    if DPF_COUNTRY in refused and "adequate" in (ctx.class_rule.countries or []):
        dpf_hint = (
            " The US counts as adequate only when the Heroku agreement covering the app has "
            'mechanism = "dpf".'
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
        + dpf_hint,
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
