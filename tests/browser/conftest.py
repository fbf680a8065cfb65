"""One headless Chromium per browser test module (tests/browser_harness.py).

Per module, not per session: while the browser is open, Playwright's sync API keeps an asyncio
loop running in the test thread, and every later test that runs a gatekeeper command in that
thread (``asyncio.run``) would fail; closing the browser at the end of its module stops the loop.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_harness import chromium
from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched
