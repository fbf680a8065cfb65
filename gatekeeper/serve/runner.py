"""Running ``gatekeeper serve``: the web server under uvicorn, the worker, or both.

``run_web`` serves ``create_app`` with uvicorn (with ``with_worker``, a worker thread beside
it: one process for a laptop or a demo, SQLite included); ``run_worker`` is the ``worker:``
dyno, which needs none of the web stack. Both stop cleanly on SIGTERM (Heroku's dyno stop)
and Ctrl-C; a job interrupted by a kill is claimed again after its lease.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.serve.settings import Settings

# uvicorn's access log names method, path and status; no page takes a secret in its URL.
_LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def web_stack() -> Any:
    """uvicorn, or the install advice when the ``serve`` extra is missing."""
    from gatekeeper.serve.settings import INSTALL_HINT

    try:
        import itsdangerous  # noqa: F401 - the session middleware needs it
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn
    except ImportError as exc:
        raise UsageError(
            f"gatekeeper serve needs the web server stack, which is not installed ({exc.name} "
            "is missing).",
            hint=INSTALL_HINT,
        ) from None
    return uvicorn


def run_web(
    settings: Settings, *, with_worker: bool = False, extra_routes: Sequence[Any] = ()
) -> int:
    from gatekeeper.serve.settings import check_access

    check_access(settings)
    uvicorn = web_stack()
    from gatekeeper.serve.app import create_app

    _logging()
    app = create_app(settings, extra_routes=extra_routes)
    stop: threading.Event | None = None
    if with_worker:
        from gatekeeper.serve.worker import Worker, start_in_thread

        _, stop = start_in_thread(Worker(settings, app.state.store, app.state.policy))
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="info",
            proxy_headers=settings.behind_proxy,
            forwarded_allow_ips="*" if settings.behind_proxy else None,
            server_header=False,
        )
    finally:
        if stop is not None:
            stop.set()
    return 0


def run_worker(settings: Settings) -> int:
    from gatekeeper.serve.worker import Worker
    from gatekeeper.usecases.policy_file import open_policy
    from gatekeeper.usecases.watch import open_live_store

    _logging()
    policy = open_policy(settings.policy_path)
    store = open_live_store(settings.store_url)
    stop = threading.Event()

    def stopping(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, stopping) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        Worker(settings, store, policy).run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        store.close()
    return 0


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT, stream=sys.stderr)
    # One line per Heroku request would drown the worker's own lines.
    logging.getLogger("httpx").setLevel(logging.WARNING)
