"""The pure parts of collecting: turning API models into facts (drain URLs lose their
secrets) and the progress display (a bar on a terminal, nothing otherwise)."""

from __future__ import annotations

import io

import pytest
from collect_fakes import addon, app, drain

from gatekeeper.collect import convert, details
from gatekeeper.collect.parse import broken_app, parse_item
from gatekeeper.collect.progress import NullProgress, TerminalProgress, progress_for
from gatekeeper.errors import ForbiddenError
from gatekeeper.heroku import models
from gatekeeper.records import read
from gatekeeper.redact import register_secret


def test_a_drain_created_by_an_add_on_names_it() -> None:
    model = read(
        models.LogDrain,
        drain("syslog+tls://logs.papertrailapp.com:1", "survey", addon_name="pt-one"),
    )
    fact = details.log_drain(model)
    assert (fact.addon, fact.host) == ("pt-one", "logs.papertrailapp.com")


def test_deprovisioned_add_ons_are_no_facts() -> None:
    gone = read(models.AddOn, addon("x", "sentry:f1", "a", state="deprovisioned"))
    live = read(models.AddOn, addon("y", "sentry:f1", "a", state="provisioning"))
    assert convert.addon(gone) is None
    fact = convert.addon(live)
    assert fact is not None and (fact.service, fact.plan, fact.app) == ("sentry", "sentry:f1", "a")


def test_fact_errors_never_show_a_registered_secret() -> None:
    register_secret("HRKU-unit-secret-0000000000")
    exc = ForbiddenError("Token HRKU-unit-secret-0000000000 may not", status=403, path="/apps/x")
    error = convert.fact_error("addons", exc)
    assert "HRKU-unit-secret-0000000000" not in error.message
    assert (error.fact, error.status) == ("addons", 403)


def test_a_payload_missing_fields_is_described_not_guessed() -> None:
    payload = app("survey", "psych")
    del payload["region"]
    problem = parse_item(payload, models.App)
    assert isinstance(problem, str) and "region" in problem
    broken = broken_app(payload, problem, team="psych")
    assert broken is not None and broken.errors[0].fact == "app"
    assert broken_app({"id": 1, "name": "x"}, problem) is None
    assert broken_app(["not", "a", "dict"], problem) is None


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_a_terminal_gets_a_bar_anything_else_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(progress_for(FakeTerminal(True)), TerminalProgress)
    assert isinstance(progress_for(FakeTerminal(False)), NullProgress)
    monkeypatch.setattr("sys.stderr", FakeTerminal(False))
    assert isinstance(progress_for(), NullProgress)  # stderr by default


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_apps_pages_requests_and_the_rate_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = Clock()
    monkeypatch.setattr("gatekeeper.collect.progress.time.monotonic", clock)
    stream = FakeTerminal(True)
    bar = TerminalProgress(stream, width=10)
    bar.phase("listing teams, apps and add-ons")
    assert stream.getvalue().endswith(
        "listing teams, apps and add-ons: 0 apps  pages 0, requests 0, rate budget left ?"
    )
    clock.now += 1
    bar.advance(1200)
    bar.status(requests=9, rate_remaining=4491, pages=7)
    assert "1200 apps  pages 0" in stream.getvalue()
    bar.phase("log drains", total=1200)
    clock.now += 1
    bar.advance(600)
    clock.now += 1
    bar.status(requests=609, rate_remaining=3891, pages=7)
    last = stream.getvalue().rsplit("\r\x1b[2K", 1)[1]
    assert last == (
        "log drains: [#####.....] 600/1200 apps  pages 7, requests 609, rate budget left 3891"
    )


def test_the_bar_redraws_at_most_ten_times_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("gatekeeper.collect.progress.time.monotonic", clock)
    stream = FakeTerminal(True)
    bar = TerminalProgress(stream)
    bar.phase("log drains", total=1000)
    for _ in range(1000):
        bar.advance()  # all within the same instant: no redraw
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.2
    bar.advance()
    assert stream.getvalue().count("\r") == 2
    bar.phase("done")  # a new phase is always drawn
    assert stream.getvalue().count("\r") == 3


def test_closing_clears_the_line_only_if_one_was_drawn() -> None:
    stream = FakeTerminal(True)
    TerminalProgress(stream).close()
    assert stream.getvalue() == ""
    bar = TerminalProgress(stream)
    bar.phase("x")
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[2K")
