"""One headless Chromium for the browser tests of a session (tests/browser_harness.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_harness import chromium
from playwright.sync_api import Browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
