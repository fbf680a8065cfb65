"""The register's history, end to end, for every store: two audits recorded with the estate
changed between them, then ``register --from-history`` (tests/e2e/test_register_e2e.py with
SQLite, tests/interop/test_register_postgres.py with PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from gatekeeper.cli import run
from gatekeeper.simulator import SimEstate, SimLogDrain, Simulator, demo_estate

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "gatekeeper" / "register" / "register-schema-v1.json"


def register_json(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    return doc


def changed_estate() -> SimEstate:
    """The demo estate a day later: student-game is gone, econ-game got a log drain to a new
    host, and bio-dashboard dropped Sentry (which otree-study had attached)."""
    estate = demo_estate()
    estate.apps = [a for a in estate.apps if a.name != "student-game"]
    game = estate.app("econ-game")
    assert game is not None
    game.log_drains.append(SimLogDrain(url="syslog+tls://logs.example-siem.com:6514"))
    game.fill_ids()
    dashboard = estate.app("bio-dashboard")
    assert dashboard is not None
    dashboard.addons = [a for a in dashboard.addons if not a.plan.startswith("sentry:")]
    return estate


def assert_history_changes(store: str, user_env: Simulator, tmp_path: Path) -> None:
    """Two audits recorded in ``store`` (the estate changed between them), then the register
    from the history: the latest audit's, with what changed since the first."""
    assert run(["audit", "--all", "--store", store, "--format", "json"]) == 1
    user_env.set_estate(changed_estate())
    assert run(["audit", "--all", "--store", store, "--format", "json"]) == 1
    out = tmp_path / "history.json"
    assert (
        run(["register", "--from-history", "--store", store, "--format", "json", "-o", str(out)])
        == 0
    )
    doc = register_json(out)
    assert "student-game" not in {a["app"] for a in doc["activities"]}
    changes = {(c["kind"], c["app"], c["recipient"]) for c in doc["changes"]["items"]}
    assert changes == {
        ("app gone", "student-game", ""),
        ("new recipient", "econ-game", "logs.example-siem.com"),
        ("recipient gone", "bio-dashboard", "sentry"),
        ("recipient gone", "otree-study", "sentry"),  # it was bio-dashboard's, attached
    }
    assert doc["changes"]["baseline"].startswith("audit #")
