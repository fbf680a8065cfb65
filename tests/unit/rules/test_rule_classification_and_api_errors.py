"""unclassified-app and api-error."""

from __future__ import annotations

import pytest
from demo_facts import finding, make_app, make_estate, make_policy, result, rules_of, run

from gatekeeper.errors import PolicyError
from gatekeeper.facts import FactError

CLASSES = """
    [classes.personal]
    countries = ["EEA"]
    requires_agreement = true
"""


@pytest.mark.parametrize(
    ("entries", "app", "data_class", "unclassified"),
    [
        ("", "survey", "personal", True),
        ('[[apps]]\nname = "survey"\ndata_class = "none"\n', "survey", "none", False),
        ('[[apps]]\nname = "econ-*"\ndata_class = "anonymous"\n', "econ-game", "anonymous", False),
        ('[[apps]]\nname = "econ-*"\ndata_class = "anonymous"\n', "econ-", "anonymous", False),
        ('[[apps]]\nname = "econ-*"\ndata_class = "anonymous"\n', "econ", "personal", True),
        ('[[apps]]\nname = "econ-*"\ndata_class = "anonymous"\n', "economy", "personal", True),
        ('[[apps]]\nname = "econ-?"\ndata_class = "none"\n', "econ-1", "none", False),
        ('[[apps]]\nname = "econ-?"\ndata_class = "none"\n', "econ-12", "personal", True),
        ('[[apps]]\nname = "Survey"\ndata_class = "none"\n', "survey", "personal", True),
        (
            '[[apps]]\nname = "s*"\ndata_class = "none"\n[[apps]]\nname = "*"\n'
            'data_class = "special"\n',
            "survey",
            "none",
            False,
        ),  # first match wins
    ],
)
def test_classification(entries: str, app: str, data_class: str, unclassified: bool) -> None:
    report = run(make_estate(make_app(app)), make_policy(CLASSES + entries))
    assert result(report, app).data_class == data_class
    assert ("unclassified-app" in rules_of(report, app)) is unclassified


def test_default_class_comes_from_defaults() -> None:
    report = run(make_estate(make_app("x")), make_policy('[defaults]\ndata_class = "special"\n'))
    assert result(report, "x").data_class == "special"
    f = finding(report, "x", "unclassified-app")
    assert f.severity == "warn" and f.subject is None
    assert '[[apps]] name = "x"' in f.remediation


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "gatekeeper login"),
        (403, "member of team psych-lab"),
        (404, "does not exist"),
        (429, "run again"),
        (503, "run again"),
        (None, "run again"),
    ],
)
def test_api_error_per_failed_fact_with_fix(status: int | None, words: str) -> None:
    app = make_app("app", errors=(FactError(fact="addons", message="no luck", status=status),))
    report = run(make_estate(app), make_policy('[[apps]]\nname = "*"\ndata_class = "none"\n'))
    f = finding(report, "app", "api-error")
    assert f.subject == "addons" and f.severity == "block"
    assert "fail closed" in f.message
    assert words in f.remediation
    assert result(report, "app").decision == "block"


def test_one_api_error_per_fact() -> None:
    errors = (
        FactError(fact="addons", message="a", status=500),
        FactError(fact="addons", message="b", status=502),
        FactError(fact="log-drains", message="c", status=403),
    )
    report = run(make_estate(make_app("app", errors=errors)), make_policy(""))
    subjects = [f.subject for f in result(report, "app").findings if f.rule == "api-error"]
    assert subjects == ["addons", "log-drains"]


def test_failed_app_read_blocks_even_a_class_without_requirements() -> None:
    app = make_app("app", region=None, errors=(FactError(fact="app", message="x", status=503),))
    report = run(make_estate(app), make_policy('[[apps]]\nname = "*"\ndata_class = "none"\n'))
    assert rules_of(report, "app") == {"api-error"}
    assert result(report, "app").decision == "block"


def test_api_error_cannot_be_switched_off_or_waived() -> None:
    for text in (
        '[rules]\napi-error = "info"\n',
        '[[waivers]]\nrule = "api-error"\napp = "*"\nreason = "r"\n'
        'approved_by = "x"\nexpires = 2030-01-01\n',
    ):
        with pytest.raises(PolicyError):
            make_policy(text)
