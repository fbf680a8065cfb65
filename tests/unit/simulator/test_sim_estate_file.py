"""Estate files (JSON and TOML): what loads, and errors that name the file, line and key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gatekeeper import serial
from gatekeeper.errors import InputFileError
from gatekeeper.simulator import demo_estate, estate_to_data, load_estate

TOML_ESTATE = """\
schema = "gatekeeper.sim-estate/v1"

[[enterprise_accounts]]
name = "uni-example"

[[teams]]
name = "psych-lab"
enterprise_account = "uni-example"

[[spaces]]
name = "uni-frankfurt"
region = "frankfurt"
team = "psych-lab"

[[apps]]
name = "survey"
team = "psych-lab"
region = "eu"
addons = ["heroku-postgresql:essential-0", { plan = "papertrail:choklad", name = "papertrail-a" }]
log_drains = [{ url = "syslog+tls://logs.papertrailapp.com:1234", addon = "papertrail" }]

[[apps]]
name = "frankfurt-exp"
team = "psych-lab"
space = "uni-frankfurt"

[[apps]]
name = "jdoe-thesis"
owner = "jane.doe@uni-example.edu"
region = "eu"

[[tokens]]
token = "t-admin"
email = "admin@uni-example.edu"
teams = ["*"]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputFileError) as caught:
        load_estate(path)
    assert str(path) in str(caught.value)
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def demo_data() -> dict[str, Any]:
    return estate_to_data(demo_estate())


def test_toml_estate_loads(tmp_path: Path) -> None:
    estate = load_estate(write(tmp_path, "estate.toml", TOML_ESTATE))
    survey = estate.app("survey")
    assert survey is not None
    assert [o.plan for o in survey.addons] == [
        "heroku-postgresql:essential-0",
        "papertrail:choklad",
    ]
    assert survey.addons[1].name == "papertrail-a"
    assert survey.log_drains[0].addon == "papertrail-a"  # found by service name
    frankfurt = estate.app("frankfurt-exp")
    assert frankfurt is not None and frankfurt.region == "frankfurt"  # from its space
    assert estate.tokens[0].sees_app(survey)


def test_json_round_trip_of_the_demo(tmp_path: Path) -> None:
    path = write(tmp_path, "demo.json", json.dumps(demo_data(), indent=2))
    again = load_estate(path)
    assert again.to_facts() == demo_estate().to_facts()
    assert [t.token for t in again.tokens] == [t.token for t in demo_estate().tokens]


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '{\n  "apps": [\n    {"name": "x",}\n  ]\n}\n')
    [(line, key, message)] = problems(path)
    assert line == 3 and key == "" and "not valid JSON" in message


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", 'schema = "gatekeeper.sim-estate/v1"\n[[apps]]\nname = \n')
    [(line, _key, message)] = problems(path)
    assert line == 3 and "not valid TOML" in message


def test_unknown_key_names_line_and_key_path(tmp_path: Path) -> None:
    text = TOML_ESTATE.replace('region = "eu"\naddons', 'regoin = "eu"\naddons', 1)
    found = problems(write(tmp_path, "typo.toml", text))
    assert (18, "apps[0].regoin", "unknown key (a typo?)") in found


@pytest.mark.parametrize(
    ("old", "new", "line", "key"),
    [
        ('team = "psych-lab"\nspace', 'team = "nope"\nspace', 24, "apps[1].team"),
        ('email = "admin@uni-example.edu"', 'email = "admin"', 34, "tokens[0].email"),
        ('addon = "papertrail"', 'addon = "nope"', 20, "apps[0].log_drains[0].addon"),
        ('region = "frankfurt"', 'region = "mars"', 12, "spaces[0].region"),
    ],
)
def test_toml_problems_name_their_line(
    tmp_path: Path, old: str, new: str, line: int, key: str
) -> None:
    assert old in TOML_ESTATE
    found = problems(write(tmp_path, "e.toml", TOML_ESTATE.replace(old, new, 1)))
    assert (line, key) in [(ln, k) for ln, k, _m in found], found


def test_missing_key(tmp_path: Path) -> None:
    data = demo_data()
    del data["teams"][1]["name"]
    path = write(tmp_path, "missing.json", json.dumps(data, indent=2))
    [(line, key, message)] = problems(path)
    assert key == "teams[1].name" and message == "required key is missing"
    lines = path.read_text().splitlines()
    assert line is not None and lines[line - 1].strip() == "{"  # the entry that lacks it
    assert '"enterprise_account": "uni-example"' in lines[line]


def test_wrong_type(tmp_path: Path) -> None:
    data = demo_data()
    data["spaces"][0]["shield"] = "yes"
    path = write(tmp_path, "type.json", json.dumps(data, indent=2))
    [(line, key, _message)] = problems(path)
    assert key == "spaces[0].shield"
    assert line is not None and '"shield": "yes"' in path.read_text().splitlines()[line - 1]


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        (
            lambda d: d["apps"][2].update(team="psyc-lab"),
            "apps[2].team",
            "no team called 'psyc-lab'",
        ),
        (lambda d: d["apps"][6].update(region="mars"), "apps[6].region", "unknown region 'mars'"),
        (
            lambda d: d["apps"][6].update(region="frankfurt"),
            "apps[6].region",
            "Private Space region",
        ),
        (lambda d: d["apps"][3].update(space="nowhere"), "apps[3].space", "no space called"),
        (lambda d: d["apps"][0].update(name="Survey_1"), "apps[0].name", "not a valid Heroku app"),
        (lambda d: d["apps"][10].update(team="econ-lab"), "apps[10]", "exactly one of 'team'"),
        (lambda d: d["apps"][1].update(name="survey"), "apps[1].name", "duplicate name 'survey'"),
        (
            lambda d: d["teams"][0].update(enterprise_account="other"),
            "teams[0].enterprise_account",
            "no enterprise account",
        ),
        (lambda d: d["spaces"][0].update(region="eu"), "spaces[0].region", "Common Runtime"),
        (lambda d: d["spaces"][1].update(team="chem-lab"), "spaces[1].team", "no team called"),
        (
            lambda d: d["apps"][0]["addons"][0].update(plan="heroku-postgresql"),
            "apps[0].addons[0].plan",
            "service:plan",
        ),
        (
            lambda d: d["apps"][1]["addons"][0].update(name=d["apps"][0]["addons"][0]["name"]),
            "apps[1].addons[0].name",
            "duplicate add-on name",
        ),
        (
            lambda d: d["apps"][0]["log_drains"][0].update(addon="logentries"),
            "apps[0].log_drains[0].addon",
            "names no single add-on",
        ),
        (
            lambda d: d["apps"][1]["log_drains"][0].update(url="logs.example.org"),
            "apps[1].log_drains[0].url",
            "not a URL",
        ),
        (
            lambda d: d["tokens"][1]["teams"].append("chem-lab"),
            "tokens[1].teams[1]",
            "'chem-lab' is not in the estate",
        ),
        (
            lambda d: d["tokens"][1].update(token=d["tokens"][0]["token"]),
            "tokens[1].token",
            "duplicate token",
        ),
        (lambda d: d.update(schema="gatekeeper.sim-estate/v9"), "schema", "expected"),
    ],
)
def test_reference_and_value_errors(tmp_path: Path, change: Any, key: str, fragment: str) -> None:
    data = demo_data()
    change(data)
    path = write(tmp_path, "estate.json", json.dumps(data, indent=2))
    found = problems(path)
    assert any(k == key and fragment in m for _line, k, m in found), found
    line = next(line for line, k, _m in found if k == key)
    assert line is not None


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = demo_data()
    data["apps"][0]["team"] = "nope"
    data["apps"][1]["region"] = "mars"
    data["spaces"][0]["team"] = "nope"
    found = problems(write(tmp_path, "many.json", json.dumps(data, indent=2)))
    assert {k for _l, k, _m in found} >= {"apps[0].team", "apps[1].region", "spaces[0].team"}


def test_unreadable_and_non_object_files(tmp_path: Path) -> None:
    [(_line, _key, message)] = problems(tmp_path / "absent.json")
    assert "cannot be read" in message
    [(line, _key, message)] = problems(write(tmp_path, "list.json", "[]"))
    assert line == 1 and "top level" in message


def test_a_gatekeeper_snapshot_is_served_as_it_is(tmp_path: Path) -> None:
    facts = demo_estate().to_facts()
    path = write(tmp_path, "snapshot.json", serial.to_json(facts, indent=2))
    estate = load_estate(path)
    assert estate.to_facts().apps == facts.apps
    assert estate.to_facts().teams == facts.teams


def test_an_invalid_snapshot_names_the_key(tmp_path: Path) -> None:
    data = json.loads(serial.to_json(demo_estate().to_facts()))
    data["apps"][0]["owner"] = "robot"
    path = write(tmp_path, "snapshot.json", json.dumps(data, indent=2))
    with pytest.raises(InputFileError, match="snapshot file") as caught:
        load_estate(path)
    assert caught.value.problems[0].key == "apps[0].owner"
