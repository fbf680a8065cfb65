"""Running ``gatekeeper serve``: the web server under uvicorn, the worker, or both.

``run_web`` serves ``create_app`` with uvicorn (with ``with_worker``, a worker thread beside
it: one process for a laptop or a demo, SQLite included); ``run_worker`` is the ``worker:``
dyno, which needs none of the web stack. Both stop cleanly on SIGTERM (Heroku's dyno stop)
and Ctrl-C; a job interrupted by a kill is claimed again after its lease.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.serve.settings import Settings

# uvicorn's access log names method, path and status; query strings are cut off (the OpenID
# Connect callback carries the authorization code and state in its query).
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
    app = create_app(settings, extra_routes=(*extra_routes, *oidc_routes_for(settings)))
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


def oidc_routes_for(settings: Settings, environ: Mapping[str, str] | None = None) -> list[Any]:
    """The OpenID Connect sign-in routes (``/auth/oidc/...``) when ``GATEKEEPER_OIDC_ISSUER``
    is set, else none. A partial OIDC configuration stops the start (exit 2, naming the
    variable)."""
    if not settings.oidc_enabled:
        return []
    from gatekeeper.serve.auth import sign_in
    from gatekeeper.serve.oidc import OidcSettings, oidc_routes

    oidc = OidcSettings.from_env(os.environ if environ is None else environ)
    if oidc is None:  # pragma: no cover - oidc_enabled is read from the same variable
        return []
    return oidc_routes(oidc, sign_in)


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
    logging.getLogger("uvicorn.access").addFilter(_without_query)


def _without_query(record: logging.LogRecord) -> bool:
    """uvicorn's access line without the query string of its path (argument 3 of 5)."""
    args = record.args
    if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
        record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
    return True
