"""``run_concurrently``: how ``check`` runs a wave of requests on the synchronous client."""

from __future__ import annotations

import threading

import pytest

from gatekeeper.collect.app import run_concurrently


def test_results_come_back_in_the_order_of_the_calls() -> None:
    assert run_concurrently([lambda: 1, lambda: "two", lambda: None]) == [1, "two", None]
    assert run_concurrently([]) == []


def test_the_calls_run_at_the_same_time() -> None:
    # Each call waits until all three have started: run one after another, they would
    # time out at the barrier instead.
    barrier = threading.Barrier(3, timeout=10)
    threads: set[str] = set()

    def call() -> int:
        threads.add(threading.current_thread().name)
        return barrier.wait()

    assert sorted(run_concurrently([call, call, call])) == [0, 1, 2]
    assert len(threads) == 3


def test_a_failing_call_raises_only_after_every_call_ended() -> None:
    finished: list[str] = []
    release = threading.Event()

    def slow() -> str:
        release.wait(10)
        finished.append("slow")
        return "slow"

    def failing() -> str:
        release.set()
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        run_concurrently([failing, slow])
    assert finished == ["slow"]  # not left running on a client about to close


def test_the_first_failure_in_call_order_is_raised() -> None:
    def fail(message: str) -> object:
        raise ValueError(message)

    with pytest.raises(ValueError, match="first"):
        run_concurrently([lambda: 0, lambda: fail("first"), lambda: fail("second")])


def test_ctrl_c_in_the_calling_thread_does_not_wait_for_the_others() -> None:
    release = threading.Event()
    finished: list[str] = []

    def interrupted() -> None:
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    def waiting() -> None:
        release.wait(10)
        finished.append("waiting")

    with pytest.raises(KeyboardInterrupt):
        run_concurrently([interrupted, waiting])
    assert finished == []  # the interrupt came through while the other call was running
    release.set()
