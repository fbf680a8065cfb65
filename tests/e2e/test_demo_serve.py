"""``gatekeeper demo --serve`` (the README's demo): the demo audit, then its dashboard on
loopback without a login, over real HTTP, until Ctrl-C ends it with exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from demo_apps import DEMO_APPS
from serve_harness import ROOT, free_port, wait_for


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_demo_serve_shows_the_demo_estate(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = ["demo", "--serve", "--port", str(port), "--out-dir", str(tmp_path)]
    process = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", *argv],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: healthy(url) or process.poll() is not None, what="the demo's server")
        assert process.poll() is None
        apps = httpx.get(f"{url}/api/v1/apps").json()["apps"]
        assert {a["name"] for a in apps} == set(DEMO_APPS)
        assert {a["source"] for a in apps} == {"audit"}
        dashboard = httpx.get(f"{url}/")
        assert dashboard.status_code == 200 and "Estate:" in dashboard.text
        assert httpx.get(f"{url}/audits/1").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output.decode()
    assert f"Open http://127.0.0.1:{port}/" in output.decode()
