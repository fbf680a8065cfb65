"""Malformed input never raises anything but PolicyError past the loader (hypothesis)."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatekeeper.errors import PolicyError
from gatekeeper.policy import Policy, loads_policy

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHAPES = settings(FUZZ, max_examples=40)

SEED = textwrap.dedent("""\
    version = 1
    [institution]
    contact = "dpo@uni-example.edu"
    [classes.personal]
    countries = ["EEA", "adequate"]
    requires_agreement = true
    [[agreements]]
    id = "salesforce-dpa"
    heroku = true
    enterprise_accounts = ["uni-example"]
    signed = 2024-03-01
    expires = 2028-12-31
    [logs]
    allowed_drain_hosts = ["*.uni-example.edu"]
    [[apps]]
    name = "econ-*"
    data_class = "anonymous"
    [rules]
    postgres-backups = "off"
    [[waivers]]
    rule = "heroku-connect"
    app = "clinical-trial"
    reason = "EU org"
    approved_by = "DPO"
    expires = 2027-01-01
""")


def outcome(data: str | bytes) -> Policy | None:
    """Load, returning None for a PolicyError with usable problems; anything else fails."""
    try:
        return loads_policy(data, source="fuzz.toml")
    except PolicyError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "fuzz.toml"
            assert problem.message
            assert problem.line is None or problem.line >= 1
        assert str(exc)
        return None


def test_seed_is_valid() -> None:
    assert outcome(SEED) is not None


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    outcome(data)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    outcome(text)


@FUZZ
@given(st.data())
def test_mutated_policy(data: st.DataObject) -> None:
    text = SEED
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 12)))
        insert = data.draw(
            st.sampled_from(
                [
                    "",
                    "[",
                    "]",
                    "[[",
                    '"',
                    "'''",
                    "=",
                    "\n",
                    "#",
                    "{",
                    "}",
                    ",",
                    ".",
                    "1",
                    "true",
                    "2028-13-40",
                    "x = 1\n",
                    "[[agreements]]\n",
                    "é",
                    "\x00",
                    "\\",
                ]
            )
        )
        text = text[:start] + insert + text[end:]
    outcome(text)


_KEYS = [
    "version",
    "institution",
    "defaults",
    "classes",
    "agreements",
    "addons",
    "logs",
    "apps",
    "rules",
    "waivers",
    "personal",
    "special",
    "countries",
    "id",
    "heroku",
    "expires",
    "signed",
    "rule",
    "app",
    "name",
    "data_class",
    "check_drains",
    "postgres-backups",
    "api-error",
    "deny",
    "teams",
]

_SCALARS = st.one_of(
    st.booleans(),
    st.integers(-2, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["EEA", "US", "personal", "block", "off", "", "*", "heroku-connect", "x" * 80]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
    st.times(),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)
    ),
    max_leaves=25,
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    return repr(value)


@SHAPES
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6))
def test_well_formed_toml_of_any_shape(document: dict[str, Any]) -> None:
    text = "".join(f'"{k}" = {_toml_value(v)}\n' for k, v in document.items())
    outcome(text)
