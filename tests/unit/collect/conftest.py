"""Fixtures of the collector's unit tests; the fake API lives in ``collect_fakes``."""

from __future__ import annotations

from typing import Any

import pytest
from collect_fakes import lab_routes


@pytest.fixture
def routes() -> dict[str, Any]:
    """Fresh payloads for each test (tests edit them to inject failures)."""
    return lab_routes()
