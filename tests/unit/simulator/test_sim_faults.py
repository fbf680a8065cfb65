"""Fault switches: counted faults count down, ALWAYS never runs out, paths and apps are globs."""

from __future__ import annotations

import threading

import pytest

from gatekeeper.simulator import ALWAYS, Faults


def test_counted_fault_fires_n_times() -> None:
    faults = Faults(server_errors=2)
    assert [faults.take("server_errors", "/apps") for _ in range(3)] == [True, True, False]
    assert faults.server_errors == 0


def test_always_never_runs_out() -> None:
    faults = Faults(drop_connections=ALWAYS)
    assert all(faults.take("drop_connections", "/apps") for _ in range(50))
    assert faults.drop_connections == ALWAYS


def test_path_glob_targets_one_app() -> None:
    faults = Faults(server_errors=ALWAYS, path="/apps/survey*")
    assert faults.take("server_errors", "/apps/survey")
    assert faults.take("server_errors", "/apps/survey/addons")
    assert not faults.take("server_errors", "/apps/otree-study/addons")
    assert not faults.take("server_errors", "/teams/psych-lab/apps")


def test_a_miss_does_not_use_up_the_fault() -> None:
    faults = Faults(broken_json=1, path="/regions")
    assert not faults.take("broken_json", "/apps")
    assert faults.broken_json == 1
    assert faults.take("broken_json", "/regions")


def test_unknown_fault_name_is_a_bug() -> None:
    with pytest.raises(ValueError):
        Faults().take("latency", "/apps")


def test_token_expiry_counts_authenticated_requests() -> None:
    faults = Faults(expire_token_after=2)
    assert [faults.token_expired() for _ in range(4)] == [False, False, True, True]
    assert Faults().token_expired() is False


def test_app_globs() -> None:
    faults = Faults(null_region_apps={"surv*"})
    assert faults.has_app_faults()
    assert Faults.app_in(faults.null_region_apps, "survey")
    assert not Faults.app_in(faults.null_region_apps, "otree-study")
    assert not Faults().has_app_faults()


def test_counting_is_thread_safe() -> None:
    faults = Faults(too_many_requests=1000)
    fired: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(300):
            hit = faults.take("too_many_requests", "/apps")
            with lock:
                fired.append(hit)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(fired) == 1000
    assert faults.too_many_requests == 0
