"""``gatekeeper demo``: the README's first command.

Starts the simulator with the demo estate in this process (loopback only: no account, no
network), audits it with the example university policy, writes an HTML report, then shows
what ``check`` prints for one blocked and one allowed app. It runs the same code paths as
the real commands: the client talks HTTP to the simulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatekeeper.commands.verbs import summarized

if TYPE_CHECKING:
    from gatekeeper.usecases.audit import AuditOutcome

BLOCKED_APP = "experiment-us"
ALLOWED_APP = "econ-game"
EXAMPLE = "university"  # the example policy the demo audits with (gatekeeper.examples)


@summarized("demo")
@click.command("demo")
@click.option(
    "--policy",
    "policy_path",
    metavar="FILE",
    help=f"Policy to audit with (default: the packaged example {EXAMPLE!r}; "
    "`gatekeeper policy init --list` shows the examples).",
)
@click.option(
    "--out-dir",
    default="gatekeeper-demo",
    show_default=True,
    metavar="DIR",
    help="Where the HTML and JSON reports and the demo history go.",
)
@click.option(
    "--serve",
    is_flag=True,
    help="Then serve the dashboard over the demo's audit on 127.0.0.1 (no login, a worker "
    "in the same process, the simulator still running) until Ctrl-C.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The dashboard's port, with --serve.",
)
def command(policy_path: str | None, out_dir: str, serve: bool, port: int) -> int:
    """Starts a simulated Heroku API on 127.0.0.1 with the demo estate, audits it with the
    example university policy, writes an HTML report, and checks two apps. With --serve,
    gatekeeper serve then shows the demo estate's dashboard (needs the serve extra)."""
    from gatekeeper.commands import shared, terminal
    from gatekeeper.examples import policy_path as example_policy
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate
    from gatekeeper.sources import ApiSource
    from gatekeeper.usecases import AuditScope, store_at
    from gatekeeper.usecases.audit import audit
    from gatekeeper.usecases.check import check_app
    from gatekeeper.usecases.policy_file import open_policy

    # The packaged example, so the demo runs from a wheel or pipx as well as a checkout.
    policy_file = str(Path(policy_path) if policy_path else example_policy(EXAMPLE))
    policy = open_policy(policy_file)
    if serve:  # before the audit: a missing extra is said at once
        from gatekeeper.serve.runner import web_stack

        web_stack()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html, report_json = out / "report.html", out / "report.json"
    color = shared.color_for("text")
    history = f"sqlite:///{(out / 'history.sqlite3').resolve()}"
    with Simulator(demo_estate()) as sim:
        source = ApiSource(sim.url, token=DEMO_ADMIN_TOKEN)
        _heading(f"Simulated Heroku API on {sim.url} (demo estate: University of Example)")
        _heading(f"$ gatekeeper audit --all --policy {policy_file} --since-last")
        audited = audit(
            AuditScope(everything=True),
            policy=policy,
            source=source,
            store=store_at(history),
            since_last=True,
            publish=shared.publisher("text", (f"html={html}", f"json={report_json}")),
            progress=terminal.progress(),
            color=color,
        )
        shared.show_notices(audited.notices)
        click.echo(f"\nHTML report for the data protection officer: {html.resolve()}")
        click.echo(f"JSON report (gatekeeper.report/v1): {report_json.resolve()}")
        for app, what in ((BLOCKED_APP, "a blocked app"), (ALLOWED_APP, "an allowed app")):
            _heading(f"$ gatekeeper check --app {app} --policy {policy_file}    # {what}")
            checked = check_app(app, policy=policy, source=source, color=color)
            shared.publisher("text", ())(checked.report, checked.render_options)
            click.echo(f"(exit code {checked.exit_code})")
        if serve:
            return _serve(audited, history, policy_file, sim.url, port)
    click.echo(
        "\nNext: write your institution's policy (`gatekeeper policy init` starts one from "
        "an example), then run `gatekeeper check` in an app's repository."
    )
    return 0


def _serve(audited: AuditOutcome, history: str, policy_file: str, api_url: str, port: int) -> int:
    """The dashboard over the demo audit's states, on loopback without a login."""
    from gatekeeper.serve import runner
    from gatekeeper.serve.settings import Settings
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN
    from gatekeeper.usecases.watch import open_live_store, record_audit_states

    live = open_live_store(history)
    try:
        record_audit_states(live, audited)
    finally:
        live.close()
    _heading(f"$ gatekeeper serve --no-auth --with-worker --port {port}    # the dashboard")
    click.echo(f"Open http://127.0.0.1:{port}/ (Ctrl-C stops it).")
    settings = Settings(
        host="127.0.0.1",
        port=port,
        no_auth=True,
        policy_path=policy_file,
        store_url=history,
        api_url=api_url,
        api_token=DEMO_ADMIN_TOKEN,
        audit_scope="all",
        secure_cookies=False,
    )
    return runner.run_web(settings, with_worker=True)


def _heading(text: str) -> None:
    click.echo("")
    click.echo(click.style(text, bold=True))
