"""A real OpenID provider on loopback for the sign-in tests: panva's ``oidc-provider`` (npm),
run by ``tests/oidc/provider.mjs`` under Node.js. ``scripts/ci/setup-oidc-provider.sh`` installs
it into ``.ci/node`` and exports ``GATEKEEPER_OIDC_PROVIDER_DIR``; like the other external
programs, a missing Node.js or package skips locally and fails in CI (:mod:`external_programs`).

:func:`sign_in_at_provider` plays the user at the provider's development login and consent
forms (``devInteractions``), over plain HTTP, as a browser would submit them.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from external_programs import require_program

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
#: Every client's secret at the test provider is its id followed by this.
SECRET_SUFFIX = "-test-secret"
_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.IGNORECASE)


def provider_modules() -> str:
    """The node_modules folder holding ``oidc-provider``; skip or fail when it is missing."""
    default = ROOT / ".ci" / "node" / "node_modules"
    modules = os.environ.get("GATEKEEPER_OIDC_PROVIDER_DIR") or str(default)
    require_program(os.path.join(modules, "oidc-provider", "package.json"), "oidc-provider (npm)")
    return modules


@contextmanager
def oidc_provider(redirect_uris: list[str], *, clock_skew: int = 0) -> Iterator[str]:
    """A provider on a free loopback port that accepts ``redirect_uris``; yields its issuer URL.
    With ``clock_skew`` its clock runs that many seconds behind, so its ID tokens arrive expired.
    """
    node = require_program(os.environ.get("GATEKEEPER_NODE", "node"), "Node.js")
    modules = provider_modules()
    argv = [node, str(SCRIPT), "--clock-skew", str(clock_skew)]
    for uri in redirect_uris:
        argv += ["--redirect-uri", uri]
    env = {**os.environ, "GATEKEEPER_OIDC_PROVIDER_DIR": modules}
    # stdin is a pipe the script watches: when this process goes, so does the provider. Its
    # warnings go to a file, which never fills up as an unread pipe would.
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env=env, text=True
        )
        assert process.stdin is not None and process.stdout is not None
        try:
            line = process.stdout.readline()
            if not line.startswith("ready "):
                process.kill()
                process.wait()
                errors.seek(0)
                raise RuntimeError(f"the OpenID provider did not start: {line}{errors.read()}")
            yield line.split(" ", 1)[1].strip()
        finally:
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def sign_in_at_provider(
    browser: httpx.Client, start: str, account: str, *, stop_at_callback: bool = False
) -> httpx.Response:
    """Follow ``start`` (the relying party's login URL) to the provider, sign in as
    ``account`` and consent; the last answer, after the redirect back to the relying party
    (or, with ``stop_at_callback``, the provider's redirect to the callback, not followed)."""
    page = browser.get(start)
    for prompt, fields in (("login", {"login": account, "password": "any"}), ("consent", {})):
        page.raise_for_status()
        action = _form_action(page, prompt)
        answer = browser.post(action, data={"prompt": prompt, **fields}, follow_redirects=False)
        while answer.is_redirect:
            target = answer.next_request
            assert target is not None
            if stop_at_callback and "/auth/oidc/callback" in str(target.url):
                return answer
            answer = browser.send(target, follow_redirects=False)
        page = answer
    return page


def _form_action(page: httpx.Response, prompt: str) -> httpx.URL:
    assert f'name="prompt" value="{prompt}"' in page.text, page.text[:500]
    match = _FORM.search(page.text)
    assert match, page.text[:500]
    return page.url.join(html.unescape(match.group(1)))
