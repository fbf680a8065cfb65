"""The parts of ``gatekeeper serve`` that need no server: settings from the environment,
the receiver's rate limiter, where a login may send the browser, the worker's schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from gatekeeper.errors import UsageError
from gatekeeper.redact import redact
from gatekeeper.serve.auth import safe_next
from gatekeeper.serve.ratelimit import RateLimiter
from gatekeeper.serve.settings import Settings, from_environment
from gatekeeper.serve.worker import Worker
from gatekeeper.store.live import LiveStore
from gatekeeper.store.sqlite import SQLiteStore


def test_settings_from_the_environment() -> None:
    env = {
        "PORT": "5123",
        "GATEKEEPER_DASHBOARD_TOKEN": "dash-token-unit-0123456789",
        "GATEKEEPER_WEBHOOK_SECRET": "whsec-unit-0123456789",
        "GATEKEEPER_AUDIT_SCOPE": "enterprise:uni-example",
        "GATEKEEPER_AUDIT_EVERY": "12h",
        "GATEKEEPER_OIDC_ISSUER": "https://login.uni-example.edu",
        "DYNO": "web.1",
    }
    settings = from_environment(host="0.0.0.0", env=env)
    assert (settings.port, settings.audit_every, settings.webhook_rate) == (5123, 43200, 600)
    assert settings.oidc_enabled and settings.auth_enabled and settings.behind_proxy
    assert settings.secure_cookies  # not loopback
    assert "dash-token-unit" not in repr(settings) and "whsec-unit" not in repr(settings)
    assert "dash-token-unit" not in redact("token dash-token-unit-0123456789 here")
    local = from_environment(env={})
    assert (local.host, local.port, local.secure_cookies, local.auth_enabled) == (
        "127.0.0.1",
        8000,
        False,
        False,
    )
    assert from_environment(env={}).session_secret != local.session_secret  # random


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("PORT", "web", "PORT"),
        ("PORT", "70000", "PORT"),
        ("GATEKEEPER_WEBHOOK_RATE", "-1", "GATEKEEPER_WEBHOOK_RATE"),
        ("GATEKEEPER_AUDIT_EVERY", "daily", "GATEKEEPER_AUDIT_EVERY"),
        ("GATEKEEPER_AUDIT_SCOPE", "psych-lab", "GATEKEEPER_AUDIT_SCOPE"),
    ],
)
def test_a_bad_setting_names_its_variable(name: str, value: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        from_environment(env={name: value})


def test_the_rate_limiter_refills_per_client() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])  # one a second, 60 at once
    assert all(limiter.allow("a") for _ in range(60))
    assert not limiter.allow("a")
    assert limiter.allow("b")  # another client has its own bucket
    now[0] += 1.0
    assert limiter.allow("a") and not limiter.allow("a")


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/apps/survey?x=1", "/apps/survey?x=1"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/ok\r\nSet-Cookie: x", "/"),
        (None, "/"),
    ],
)
def test_the_login_sends_the_browser_only_to_this_site(target: object, safe: str) -> None:
    assert safe_next(target) == safe


@pytest.fixture
def live() -> Iterator[LiveStore]:
    store = SQLiteStore(":memory:")
    yield store
    store.close()


def test_the_scheduled_audit_is_queued_once_while_one_waits_or_runs(live: LiveStore) -> None:
    from unit.store.test_store_contract import make_report

    from gatekeeper.examples import policy_path
    from gatekeeper.usecases.policy_file import open_policy

    settings = Settings(audit_scope="all", audit_every=3600.0)
    worker = Worker(settings, live, open_policy(str(policy_path("university"))), name="w")
    worker.schedule_audit()
    assert live.pending_jobs("audit") == 1
    worker._next_schedule_look = 0.0  # past the pause: still one, it is waiting
    worker.schedule_audit()
    assert live.pending_jobs("audit") == 1
    job = live.claim_job("other", lease=timedelta(minutes=5))
    assert job is not None and job.kind == "audit"
    worker._next_schedule_look = 0.0
    worker.schedule_audit()  # running: not queued again
    assert live.pending_jobs("audit") == 1
    assert live.finish_job(job.id, "other")
    live.record(make_report(1), scope="all", source="s")  # as the audit records itself
    worker._next_schedule_look = 0.0
    worker.schedule_audit()  # the last audit is not an hour old
    assert live.pending_jobs("audit") == 0


def test_without_a_period_the_worker_schedules_nothing(live: LiveStore) -> None:
    from gatekeeper.examples import policy_path
    from gatekeeper.usecases.policy_file import open_policy

    worker = Worker(Settings(audit_scope="all"), live, open_policy(str(policy_path("university"))))
    worker.schedule_audit()
    assert live.pending_jobs() == 0 and not worker.run_once()


def test_the_serve_command_refuses_before_it_starts_anything(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gatekeeper.cli import run

    assert run(["serve"]) == 2  # no login configured, and no --no-auth
    assert "needs a login" in capsys.readouterr().err
    assert run(["serve", "--host", "0.0.0.0", "--no-auth"]) == 2  # not loopback
    assert run(["serve", "--worker", "--with-worker"]) == 2
    monkeypatch.setenv("GATEKEEPER_AUDIT_EVERY", "sometimes")
    assert run(["serve", "--worker"]) == 2
    err = capsys.readouterr().err
    assert "GATEKEEPER_AUDIT_EVERY" in err and "Traceback" not in err


def test_the_worker_waits_out_a_store_it_cannot_use(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import threading

    from gatekeeper.examples import policy_path
    from gatekeeper.serve import worker as worker_module
    from gatekeeper.usecases.policy_file import open_policy

    store = SQLiteStore(":memory:")
    store.close()  # every call now fails with a StoreError
    stop = threading.Event()
    waits: list[float] = []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        stop.set()  # one turn is enough
        return True

    monkeypatch.setattr(stop, "wait", wait)
    policy = open_policy(str(policy_path("university")))
    worker = Worker(Settings(audit_scope="all", audit_every=60.0), store, policy)
    worker.run(stop)  # returns instead of raising
    assert waits == [worker_module.STORE_RETRY_SECONDS]
    assert "the store cannot be used" in caplog.text


def test_notification_targets_are_read_once_with_the_settings() -> None:
    """GATEKEEPER_NOTIFY_URL takes every channel of audit --notify, parsed at the start: a
    bad target, or e-mail without its SMTP server, stops serve before anything runs."""
    env = {"GATEKEEPER_NOTIFY_URL": "https://hooks.uni-example.edu/x teams+https://t.example/y"}
    channels = [t.display for t in from_environment(env=env).notify_targets]
    assert len(channels) == 2 and channels[1].startswith("teams+")
    assert from_environment(env={}).notify_targets == ()
    for bad in ("ftp://hooks.uni-example.edu/x", "mailto:dpo@uni-example.edu"):
        with pytest.raises(UsageError, match="GATEKEEPER_NOTIFY_URL"):
            from_environment(env={"GATEKEEPER_NOTIFY_URL": bad})
