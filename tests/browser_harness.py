"""Headless Chromium for the browser tests, driven by Playwright for Python.

The browser is Debian's ``chromium`` (``scripts/ci/setup-chromium.sh`` installs it in CI and
exports ``GATEKEEPER_CHROMIUM``), never a browser that Playwright downloads: its download host is
not reachable here. Like the other external programs, a missing browser skips locally and fails
in CI (:mod:`external_programs`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from external_programs import require_program
from playwright.sync_api import sync_playwright

if TYPE_CHECKING:
    from playwright.sync_api import Browser

T = TypeVar("T")

# Without the background-networking switches Chromium keeps dialling Google's hosts, which this
# closed network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    return require_program(os.environ.get("GATEKEEPER_CHROMIUM", "/usr/bin/chromium"), "Chromium")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium, closed afterwards; Playwright gives each launch a fresh profile."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def off_the_browser_loop(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a thread of its own.

    Playwright's sync API keeps an asyncio loop running in the test's thread while a browser is
    open, and gatekeeper's own ``asyncio.run`` refuses to start inside a running loop; so a
    gatekeeper command that a browser test needs runs here (or in a subprocess).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()
