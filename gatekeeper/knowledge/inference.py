"""Heroku Managed Inference and Agents: the models, and the AWS regions each is served from.

The add-on service is ``heroku-inference`` and its plan is the model id
(``heroku-inference:claude-3-5-haiku``). Heroku serves every model on Amazon Bedrock, its
sub-processor for this service, from the model's own AWS regions, not from the app's region.
Which of those regions an add-on uses is in its ``<ATTACHMENT>_URL`` config var
(``INFERENCE_URL``), which a read-scope token cannot see, so where the data goes is the whole
set of the model's regions. A model missing here is unknown: it could be served anywhere.

Update here from ``heroku ai:models:list`` (the "Supported regions" column), with the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.knowledge.regions import aws_region_country
from gatekeeper.knowledge.sources import HEROKU_INFERENCE, HEROKU_INFERENCE_MODELS, Source

INFERENCE_SERVICE = "heroku-inference"

# Who actually runs the models, as Heroku's documentation names it.
INFERENCE_SUBPROCESSOR = "Amazon Bedrock (Amazon Web Services)"
INFERENCE_SUBPROCESSOR_SOURCE: Source = HEROKU_INFERENCE


@dataclass(frozen=True)
class InferenceModel:
    """One model of Managed Inference and the AWS regions Heroku serves it from."""

    model_id: str  # the add-on plan's name, e.g. "claude-3-5-haiku"
    aws_regions: tuple[str, ...]  # sorted
    source: Source

    @property
    def countries(self) -> frozenset[str] | None:
        """The countries of its regions, or None when one of them cannot be mapped."""
        found = [aws_region_country(r) for r in self.aws_regions]
        return None if None in found else frozenset(c for c in found if c)


def _model(model_id: str, *regions: str) -> InferenceModel:
    return InferenceModel(model_id, tuple(sorted(regions)), HEROKU_INFERENCE_MODELS)


MODELS: dict[str, InferenceModel] = {
    m.model_id: m
    for m in (
        _model("claude-3-5-sonnet", "eu-central-1", "us-east-1"),
        _model("claude-3-5-sonnet-latest", "us-east-1"),
        _model("claude-3-haiku", "eu-central-1", "us-east-1"),
        _model("claude-3-5-haiku", "us-east-1"),
        _model("cohere-embed-multilingual", "us-east-1"),
        _model("stable-image-ultra", "eu-central-1", "us-east-1"),
    )
}


def inference_model(plan_name: str) -> InferenceModel | None:
    """The model an inference add-on's plan names, or None when gatekeeper does not know it."""
    return MODELS.get(plan_name)
