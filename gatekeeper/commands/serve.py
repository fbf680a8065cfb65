"""``gatekeeper serve``: the dashboard and Heroku webhook receiver, or (``--worker``) the
worker that re-checks apps after events and runs the scheduled audit.

The server, the worker and their settings are ``gatekeeper.serve``; this module parses the
options and starts one of them. The web stack is the ``serve`` extra, imported only here.
"""

from __future__ import annotations

import click

from gatekeeper.commands.verbs import summarized


@summarized("serve")
@click.command("serve")
@click.option("--host", metavar="HOST", help="Address to bind (default: 127.0.0.1).")
@click.option(
    "--port", type=click.IntRange(0, 65535), help="Port to bind (default: $PORT, else 8000)."
)
@click.option(
    "--no-auth",
    is_flag=True,
    help="Serve without a login (only on a loopback address, and only without a token or OIDC).",
)
@click.option(
    "--worker",
    "worker",
    is_flag=True,
    help="Run the worker (re-checks after events, the scheduled audit) instead of the web server.",
)
@click.option(
    "--with-worker",
    is_flag=True,
    help="Run a worker inside the web server's process too (one process, e.g. with SQLite).",
)
@click.option("--policy", "policy_path", metavar="FILE", help="Policy file (default: as audit).")
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="History store (default: $DATABASE_URL, else the user's SQLite file).",
)
@click.option("--api-url", metavar="URL", help="Heroku API base URL (default: $HEROKU_HOST).")
def command(
    host: str | None,
    port: int | None,
    no_auth: bool,
    worker: bool,
    with_worker: bool,
    policy_path: str | None,
    store_url: str | None,
    api_url: str | None,
) -> int:
    """Every page but /healthz and the webhook receiver needs a login:
    GATEKEEPER_DASHBOARD_TOKEN or GATEKEEPER_OIDC_ISSUER (docs/heroku-auditor.md).
    Exit codes: 0 stopped, 2 usage error (settings, a missing extra), 3 the store or the
    API cannot be reached at the start.
    """
    from gatekeeper.errors import UsageError
    from gatekeeper.serve import runner
    from gatekeeper.serve.settings import from_environment

    if worker and with_worker:
        raise UsageError("Give --worker or --with-worker, not both.")
    settings = from_environment(
        host=host,
        port=port,
        no_auth=no_auth,
        policy_path=policy_path,
        store_url=store_url,
        api_url=api_url,
    )
    if worker:
        return runner.run_worker(settings)
    return runner.run_web(settings, with_worker=with_worker)
