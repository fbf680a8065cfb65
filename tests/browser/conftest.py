"""One headless Chromium per browser test module (tests/browser_harness.py).

Per module, not per session: while Playwright's sync API is open it keeps an asyncio loop
running in the test's thread, and every later test that calls ``asyncio.run`` (the audits of
tests/e2e, which run after tests/browser in one session) would fail. Closing it at the end of
each module ends that loop.
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
