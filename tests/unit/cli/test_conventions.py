"""CLI conventions: colour from the environment, --quiet, short options, and the JSON of
``policy validate`` and ``policy explain`` held to docs/cli.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
import pytest

from gatekeeper.cli import cli, run
from gatekeeper.commands.terminal import color_setting, color_wanted
from gatekeeper.commands.verbs import VERBS

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": ""}, None),  # set but empty: does not count (no-color.org)
        ({"FORCE_COLOR": "1"}, True),
        ({"FORCE_COLOR": ""}, None),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ({"NO_COLOR": "", "FORCE_COLOR": "1"}, True),
        ({"TERM": "dumb"}, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, True),
        ({"TERM": "xterm-256color"}, None),
    ],
)
def test_colour_follows_the_environment(env: dict[str, str], expected: bool | None) -> None:
    assert color_setting(env) is expected


class _Stream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_without_a_setting_only_a_terminal_gets_colour() -> None:
    assert color_wanted(_Stream(True), {}) is True  # type: ignore[arg-type]
    assert color_wanted(_Stream(False), {}) is False  # type: ignore[arg-type]
    assert color_wanted(_Stream(True), {"TERM": "dumb"}) is False  # type: ignore[arg-type]
    assert color_wanted(_Stream(False), {"FORCE_COLOR": "3"}) is True  # type: ignore[arg-type]


def _commands() -> list[tuple[str, click.Command]]:
    """Every verb and sub-verb, with its path."""
    out: list[tuple[str, click.Command]] = []
    ctx = click.Context(cli)
    for name in VERBS:
        command = cli.get_command(ctx, name)
        assert command is not None
        out.append((name, command))
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
    return out


def _short_options(command: click.Command) -> list[str]:
    # Under the group, as a run sees it: the verbs inherit its -h.
    root = click.Context(cli, **cli.context_settings)
    ctx = root if command is cli else click.Context(command, parent=root)
    return [
        opt
        for param in command.get_params(ctx)
        for opt in (*param.opts, *param.secondary_opts)
        if re.fullmatch(r"-[A-Za-z]", opt)
    ]


def test_no_short_option_means_two_things_in_one_verb() -> None:
    group = _short_options(cli)
    assert set(group) == {"-q", "-h"}
    for path, command in _commands():
        shorts = _short_options(command)
        assert len(shorts) == len(set(shorts)), (path, shorts)


def test_every_team_option_has_the_heroku_cli_short_form() -> None:
    found = []
    for path, command in _commands():
        for param in command.get_params(click.Context(command)):
            if "--team" in param.opts:
                assert "-t" in param.opts, path
                found.append(path)
    assert sorted(found) == ["audit", "plan", "register", "snapshot", "webhooks status"]


def test_quiet_prints_only_errors_and_keeps_the_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["policy", "validate", str(POLICY)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")
    assert run(["-q", "policy", "validate", str(POLICY)]) == 0
    assert capsys.readouterr() == ("", "")
    schema = tmp_path / "schema.json"
    assert run(["--quiet", "policy", "schema", "-o", str(schema)]) == 0
    assert capsys.readouterr() == ("", "")  # not even "Wrote the policy schema"
    assert json.loads(schema.read_text("utf-8"))["title"]
    assert run(["-q", "policy", "explain", "no-such-rule"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("gatekeeper: error: Unknown rule")


def _documented(schema: str) -> Any:
    blocks = re.findall(r"^```json\n(.*?)^```", CLI_DOC, flags=re.DOTALL | re.MULTILINE)
    (block,) = [json.loads(b) for b in blocks if f'"schema": "{schema}"' in b]
    return block


def _same_keys(real: Any, documented: Any) -> None:
    if isinstance(documented, dict):
        assert isinstance(real, dict) and set(real) == set(documented), (set(real), set(documented))
        for key in documented:
            _same_keys(real[key], documented[key])
    elif isinstance(documented, list) and documented:
        assert isinstance(real, list)  # each item as documented (the tests give non-empty ones)
        for item in real:
            _same_keys(item, documented[0])


def test_policy_validate_json_is_the_documented_shape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "gatekeeper.toml"
    bad.write_text('version = 1\n[defaults]\ndata_class = "secret"\n', encoding="utf-8")
    code = run(["policy", "validate", "--format", "json", str(POLICY), str(bad)])
    out, err = capsys.readouterr()
    assert code == 2 and err == ""
    data = json.loads(out)
    _same_keys(data, _documented("gatekeeper.policy-validation/v1"))
    good, invalid = data["files"]
    assert data["valid"] is False
    assert good["valid"] is True and good["agreements"] == 3 and good["problems"] == []
    assert invalid["valid"] is False and invalid["apps"] is None
    (problem,) = invalid["problems"]
    assert (problem["file"], problem["line"], problem["key"]) == (
        str(bad),
        3,
        "defaults.data_class",
    )
    assert run(["policy", "validate", "--format", "json", str(POLICY)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True


def test_policy_explain_json_is_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    from gatekeeper.rules.catalog import RULES

    assert run(["policy", "explain", "--format", "json"]) == 0
    every = json.loads(capsys.readouterr().out)
    _same_keys(every, _documented("gatekeeper.rules/v1"))
    assert [r["id"] for r in every["rules"]] == list(RULES)
    assert run(["policy", "explain", "--format", "json", "api-error"]) == 0
    (one,) = json.loads(capsys.readouterr().out)["rules"]
    assert one["id"] == "api-error" and one["waivable"] is False
    # The text and JSON forms say the same.
    assert run(["policy", "explain", "api-error"]) == 0
    text = capsys.readouterr().out
    assert one["fix"] in text and one["waive"] in text and one["module"] in text


def test_force_color_colours_a_report_that_is_not_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """click strips ANSI off a pipe unless told otherwise; FORCE_COLOR tells it."""
    from gatekeeper.commands import doctor

    monkeypatch.setattr(doctor, "diagnose", lambda api_url, policy: _diagnosis())
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    run(["doctor"])
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    run(["doctor"])
    assert "\x1b[" not in capsys.readouterr().out


def _diagnosis() -> Any:
    from gatekeeper.usecases.doctor import Check, Diagnosis

    return Diagnosis(checks=[Check("api", "ok", "https://api.heroku.com")])
