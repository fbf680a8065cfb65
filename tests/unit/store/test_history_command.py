"""``gatekeeper history``: listing, filtering, --show, JSON, and errors, through the real CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from test_store_contract import make_app, make_finding, make_report

from gatekeeper import serial
from gatekeeper.cli import run
from gatekeeper.store.sqlite import SQLiteStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


def _fill(db: Path) -> list[int]:
    store = SQLiteStore(db)
    try:
        return [
            store.record(make_report(1), scope="team:psych-lab", source="api a").id,
            store.record(make_report(2), scope="all", source="api b").id,
            store.record(make_report(3), scope="team:psych-lab", source="api c").id,
        ]
    finally:
        store.close()


def test_an_empty_store_prints_a_friendly_line(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["history", "--store", str(db)]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"No audits recorded yet in {db}.\n"
        "Run `gatekeeper audit --team NAME` (or --all) to record one.\n"
    )
    assert err == ""


def test_the_default_store_is_used_without_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["history"]) == 0
    out, _ = capsys.readouterr()
    assert "gatekeeper/history.sqlite3" in out


def test_lists_newest_first(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(db)
    assert run(["history", "--store", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "ID",
        "GENERATED",
        "(UTC)",
        "DECISION",
        "ALLOW",
        "WARN",
        "BLOCK",
        "FINDINGS",
        "WAIVED",
        "SCOPE",
    ]
    assert lines[1].split() == [
        str(ids[2]),
        "2026-11-28",
        "02:00:00",
        "block",
        "1",
        "1",
        "1",
        "5",
        "1",
        "team:psych-lab",
    ]
    assert [line.split()[0] for line in lines[1:4]] == [str(i) for i in reversed(ids)]
    assert lines[4] == ""
    assert lines[5].startswith(f"3 audits from {db}, newest first.")


def test_limit_and_scope(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(db)
    assert run(["history", "--store", str(db), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[0] == str(ids[2])
    assert "(use --limit for more)" in out
    assert run(["history", "--store", str(db), "--scope", "all"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:-2]
    assert [r.split()[0] for r in rows] == [str(ids[1])]
    assert run(["history", "--store", str(db), "--scope", "team:nobody"]) == 0
    assert capsys.readouterr().out.startswith("No audits of scope team:nobody recorded yet")


def test_json_listing(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(db)
    assert run(["history", "--store", str(db), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "gatekeeper.history/v1"
    assert document["store"] == str(db)
    assert [a["id"] for a in document["audits"]] == list(reversed(ids))
    assert document["audits"][0] == {
        "id": ids[2],
        "generated_at": "2026-11-28T02:00:00Z",
        "recorded_at": document["audits"][0]["recorded_at"],
        "scope": "team:psych-lab",
        "source": "api c",
        "decision": "block",
        "summary": {"allow": 1, "warn": 1, "block": 1},
        "findings": 5,
        "waived": 1,
        "policy_sha256": f"{3:064x}",
    }


def test_show_one_audit(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(db)
    assert run(["history", "--store", str(db), "--show", str(ids[0])]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Audit #{ids[0]} of 2026-11-26T02:00:00Z\n")
    assert "  scope:     team:psych-lab" in out
    assert "  decision:  block (1 blocked, 1 with warnings, 1 allowed)" in out
    assert "  findings:  5 (1 waived)" in out
    assert "Blocked apps (1):\n  survey (psych-lab, eu)\n" in out
    assert "    block addon-no-agreement [papertrail]: addon-no-agreement on survey" in out
    assert "Apps with warnings (1):\n  otree-study (psych-lab, eu)\n" in out
    assert "postgres-backups" not in out  # info findings are not listed
    assert "econ-game" not in out  # allowed apps are not listed


def test_show_json_carries_the_stored_report(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _fill(db)
    assert run(["history", "--store", str(db), "--show", str(ids[1]), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["audit"]["id"] == ids[1]
    from gatekeeper.results import Report

    assert serial.from_data(Report, document["report"]) == make_report(2)


def test_show_an_unknown_id_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(db)
    assert run(["history", "--store", str(db), "--show", "99"]) == 2
    assert "There is no audit #99" in capsys.readouterr().err


def test_hostile_names_are_shown_escaped(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = "evil\x1b[2J\rname"
    app = make_app(
        name,
        "block",
        make_finding("team-not-covered", "block", name, "id-evil", message="line\nFORGED"),
    )
    report = dataclasses.replace(make_report(1), apps=(app,))
    store = SQLiteStore(db)
    audit_id = store.record(report, scope="all", source="s").id
    store.close()
    assert run(["history", "--store", str(db), "--show", str(audit_id)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out
    assert "evil\\x1b[2J\\rname" in out
    assert "line\\nFORGED" in out


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["--store", "mysql://u:pw-secret-1234@h/d"], 2, "unsupported scheme"),
        (["--limit", "0"], 2, "0 is not in the range"),
        (["--scope", "psych-lab"], 2, "not of the form kind:name"),
        (["--format", "xml"], 2, "'xml' is not one of"),
    ],
)
def test_bad_options(
    args: list[str], code: int, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["history", *args]) == code
    captured = capsys.readouterr()
    assert fragment in captured.err
    assert "pw-secret-1234" not in captured.out + captured.err


def test_an_unreadable_store_is_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "garbage.sqlite3"
    bad.write_bytes(b"\x00garbage" * 512)
    assert run(["history", "--store", str(bad)]) == 3
    assert "not a database" in capsys.readouterr().err
