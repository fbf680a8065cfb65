"""``gatekeeper register --from-history`` against a real PostgreSQL store: two audits of the
simulator's demo estate recorded in their own schema, the register read back with its
changes (tests/register_history.py; SQLite: tests/e2e/test_register_e2e.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from external_programs import require_program
from register_history import assert_history_changes

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate

pytestmark = pytest.mark.interop

URL_ENV = "GATEKEEPER_TEST_DATABASE_URL"
POLICY = Path(__file__).resolve().parents[2] / "gatekeeper" / "examples" / "university.toml"


@pytest.fixture
def store_url() -> Iterator[str]:
    url = os.environ.get(URL_ENV)
    if not url:
        require_program(None, f"PostgreSQL server ({URL_ENV})")
    assert url is not None
    import psycopg

    schema = f"gk_register_{uuid.uuid4().hex[:12]}"
    yield f"{url}?schema={schema}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_from_history_in_postgres(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Simulator(demo_estate()) as sim:
        monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
        monkeypatch.setenv("HEROKU_HOST", sim.url)
        monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
        assert_history_changes(store_url, sim, tmp_path)
