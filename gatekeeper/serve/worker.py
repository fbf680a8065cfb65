"""The worker of ``gatekeeper serve --worker``: claims the jobs the receiver and the API
queued, and queues the scheduled audit.

Each job is claimed in the store with a lease (``GATEKEEPER_JOB_LEASE``): a worker killed
halfway leaves its job "running" until the lease runs out, then another worker (or this one
restarted) claims it again, so every event is processed at least once; re-checking an app
twice only writes its state twice. Two workers never hold the same job at once (the store's
claim). The work itself is the use cases: ``watch.recheck_app`` and ``watch.scheduled_audit``.

A job that fails with an expected error (the API, the network) is done, with the error kept:
``recheck_app`` already recorded the app as blocked (fail closed). Anything else is a bug: it
is logged (redacted) and the job done with it, so one bad job does not stop the queue.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from gatekeeper.errors import GatekeeperError
from gatekeeper.redact import redact

if TYPE_CHECKING:
    from gatekeeper.policy import Policy
    from gatekeeper.serve.settings import Settings
    from gatekeeper.store.live import Job, LiveStore
    from gatekeeper.usecases.audit import Notifier

log = logging.getLogger("gatekeeper.worker")
IDLE_SECONDS = 0.2  # between two looks at an empty queue
STORE_RETRY_SECONDS = 5.0  # between two tries of a store that could not be used
SCHEDULE_PAUSE = 600.0  # seconds between queueing two scheduled audits (at most the period)


def worker_name() -> str:
    """Unique per process: the dyno (``web.1``) or host, and the process id."""
    return f"{os.environ.get('DYNO') or socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        store: LiveStore,
        policy: Policy,
        *,
        name: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.policy = policy
        self.name = name or worker_name()
        self.lease = timedelta(seconds=settings.job_lease)
        self._next_schedule_look = 0.0  # time.monotonic() of the next look at the schedule

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set."""
        log.info("worker %s started (store %s)", self.name, self.store.location)
        while not stop.is_set():
            try:
                self.schedule_audit()
                worked = self.run_once()
            except GatekeeperError as exc:
                # The store is unreachable (a database restart, a failover): the jobs are in
                # it, so wait for it to come back instead of ending the worker.
                log.warning("the store cannot be used: %s", exc.user_message())
                stop.wait(STORE_RETRY_SECONDS)
                continue
            if not worked:
                stop.wait(IDLE_SECONDS)

    def run_once(self) -> bool:
        """Claim and do one job; False when the queue had none."""
        job = self.store.claim_job(self.name, lease=self.lease)
        if job is None:
            return False
        started = time.monotonic()
        error = self._do(job)
        self.store.finish_job(job.id, self.name, error=error)
        log.info(
            "job #%d %s %s done in %.2f s%s",
            job.id,
            job.kind,
            job.app_name or self.settings.audit_scope or "",
            time.monotonic() - started,
            f" ({error})" if error else "",
        )
        return True

    def schedule_audit(self) -> None:
        """Queue the audit of ``GATEKEEPER_AUDIT_SCOPE`` when the last one recorded is older
        than ``GATEKEEPER_AUDIT_EVERY`` and no audit job is waiting or running. Read from the
        store, so that several workers (or a restart) do not audit more often. After
        queueing one, this worker looks again only after ``SCHEDULE_PAUSE`` (at most the
        period): an audit that keeps failing (the API down) is retried, not hammered."""
        settings = self.settings
        if not (settings.audit_scope and settings.audit_every):
            return
        if time.monotonic() < self._next_schedule_look:
            return
        from gatekeeper.store.interface import normalize_scope

        last = self.store.latest_record(normalize_scope(settings.audit_scope))
        due = last is None or datetime.now(UTC) - last.recorded_at >= timedelta(
            seconds=settings.audit_every
        )
        if due and self.store.pending_jobs("audit") == 0:
            self.store.queue_job("audit")
            pause = min(settings.audit_every, SCHEDULE_PAUSE)
            self._next_schedule_look = time.monotonic() + pause

    def _do(self, job: Job) -> str | None:
        try:
            if job.kind == "audit":
                self._audit()
            elif job.app_name is not None:
                self._recheck(job.app_name)
        except GatekeeperError as exc:
            log.warning("job #%d failed: %s", job.id, exc.user_message())
            return exc.user_message()[:500]
        except Exception as exc:
            log.exception("job #%d hit a bug", job.id)
            return redact(f"bug: {type(exc).__name__}: {exc}")[:500]
        return None

    def _recheck(self, app: str) -> None:
        from gatekeeper.sources import open_source
        from gatekeeper.usecases.watch import recheck_app

        outcome = recheck_app(
            app,
            policy=self.policy,
            source=open_source(api_url=self.settings.api_url, token=self.settings.api_token),
            store=self.store,
            notify=self._notifier(),
        )
        if outcome.notify_failure is not None:
            raise outcome.notify_failure

    def _audit(self) -> None:
        from gatekeeper.errors import UsageError
        from gatekeeper.sources import open_source
        from gatekeeper.usecases.history import store_at
        from gatekeeper.usecases.watch import audit_scope, scheduled_audit

        if not self.settings.audit_scope:
            raise UsageError("No audit scope: set GATEKEEPER_AUDIT_SCOPE.")
        outcome = scheduled_audit(
            audit_scope(self.settings.audit_scope),
            policy=self.policy,
            source=open_source(api_url=self.settings.api_url, token=self.settings.api_token),
            store=store_at(self.settings.store_url),
            live=self.store,
            notify=self._notifier(),
        )
        if outcome.failure is not None:
            raise outcome.failure

    def _notifier(self) -> Notifier | None:
        targets = self.settings.notify_targets
        if not targets:
            return None

        def send(payload: dict[str, object]) -> None:
            from gatekeeper.notify import deliver

            deliver(targets, payload)

        return send


def start_in_thread(worker: Worker) -> tuple[threading.Thread, threading.Event]:
    """Run ``worker`` beside the web server in this process (``serve --with-worker``)."""
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="gatekeeper-worker")
    thread.daemon = True
    thread.start()
    return thread, stop
