"""``gatekeeper policy validate | schema | explain``."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from gatekeeper.cli import run
from gatekeeper.rules.catalog import RULES

BROKEN = textwrap.dedent("""\
    version = 1

    [defaults]
    data_class = "personnal"

    [[agreements]]
    id = "salesforce-dpa"
    heroku = true
    enterprise_accounts = ["uni-example"]
    expires = 2028-12-31

    [[agreements]]
    id = "papertrail-dpa"
    addon_services = ["papertrail"]
    countries = ["US", "UK"]
    expires = 2028-12-31

    [[agreements]]
    id = "sendgrid-dpa"
    addon_services = ["sendgrid"]
    countries = ["US"]
    signed = 2029-01-01
    expires = 2028-12-31

    [[waivers]]
    rule = "heroku-connect"
    app = "clinical-trial"
    reason = "EU org"
""")


def test_validate_ok(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.toml"
    path.write_text('version = 1\n[[apps]]\nname = "x"\ndata_class = "none"\n', "utf-8")
    assert run(["policy", "validate", str(path)]) == 0
    assert capsys.readouterr().out == f"OK: {path} (0 agreements, 1 app entry, 0 waivers)\n"


def test_validate_broken_file_prints_every_problem_with_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, "utf-8")
    assert run(["policy", "validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f'{path}:4 [defaults.data_class]: unknown data class "personnal" (did you mean '
        '"personal"?): the classes are none, anonymous, pseudonymous, personal, special',
        f'{path}:15 [agreements[1].countries[1]]: unknown country code or group "UK" (did you '
        'mean "GB"?): use upper-case ISO 3166-1 alpha-2 codes ("DE", "US") or the groups "EEA" '
        'and "adequate"',
        f"{path}:23 [agreements[2].expires]: expires 2028-12-31 is before signed 2029-01-01: "
        "one of the dates is wrong",
        f'{path}:25 [waivers[0].approved_by]: a waiver needs approved_by = "...": who approved '
        "this exception",
        f"{path}:25 [waivers[0].expires]: a waiver needs an end date: add expires = YYYY-MM-DD; "
        "waivers never last forever",
        f"INVALID: {path} (5 problems)",
    ]


def test_validate_several_files_reports_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.toml"
    good.write_text("version = 1\n", "utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("version = 1\n[[apps]\n", "utf-8")
    assert run(["policy", "validate", str(bad), str(good), str(tmp_path / "none.toml")]) == 2
    captured = capsys.readouterr()
    assert f"OK: {good}" in captured.out
    assert f"{bad}:2" in captured.err and "TOML syntax error" in captured.err
    assert "does not exist" in captured.err
    assert captured.err.count("INVALID:") == 2


def test_validate_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "validate"]) == 2


def test_schema_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "heroku-gatekeeper policy"


def test_schema_to_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert run(["policy", "schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text("utf-8"))["$schema"].endswith("2020-12/schema")


def test_explain_lists_every_rule_with_default_severity(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "explain"]) == 0
    out = capsys.readouterr().out
    for info in RULES.values():
        assert any(
            line.split()[:2] == [info.id, info.default_severity] for line in out.splitlines()
        ), info.id


@pytest.mark.parametrize("rule", sorted(RULES))
def test_explain_one_rule(rule: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "explain", rule]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{rule} (default: {RULES[rule].default_severity})")
    for head in ("Why:", "Source:", "Fix:", "Waive:", "Details (gatekeeper/rules/"):
        assert head in out
    assert rule in out.split("Details", 1)[1]  # the module's docstring documents the rule


def test_explain_unknown_rule_lists_known_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["policy", "explain", "postgres-backup"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean postgres-backups?" in err
    assert all(rule in err for rule in RULES)


EXPLAIN_GOLDEN = Path(__file__).parent / "golden" / "explain.txt"


def test_explain_output_matches_golden_file(capsys: pytest.CaptureFixture[str]) -> None:
    """Every word ``policy explain`` prints, for the list and for each rule: the rules'
    declarations are its only source. Regenerate with GATEKEEPER_UPDATE_GOLDEN=1."""
    parts = []
    for args in ([], *([rule] for rule in RULES)):
        assert run(["policy", "explain", *args]) == 0
        parts.append(" ".join(["$ gatekeeper policy explain", *args]) + "\n")
        parts.append(capsys.readouterr().out)
    text = "\n".join(a + b for a, b in zip(parts[::2], parts[1::2], strict=True))
    if os.environ.get("GATEKEEPER_UPDATE_GOLDEN") == "1":
        EXPLAIN_GOLDEN.write_text(text, encoding="utf-8")
    assert text == EXPLAIN_GOLDEN.read_text(encoding="utf-8")
