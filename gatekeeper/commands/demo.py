"""``gatekeeper demo``: the README's first command.

Starts the simulator with the demo estate in this process (loopback only: no account, no
network), audits it with the example university policy, writes an HTML report, then shows
what ``check`` prints for one blocked and one allowed app. It runs the same code paths as
the real commands: the client talks HTTP to the simulator.
"""

from __future__ import annotations

from pathlib import Path

import click

from gatekeeper.commands.verbs import summarized

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
def command(policy_path: str | None, out_dir: str) -> int:
    """Starts a simulated Heroku API on 127.0.0.1 with the demo estate, audits it with the
    example university policy, writes an HTML report, and checks two apps."""
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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html, report_json = out / "report.html", out / "report.json"
    color = shared.color_for("text")
    with Simulator(demo_estate()) as sim:
        source = ApiSource(sim.url, token=DEMO_ADMIN_TOKEN)
        _heading(f"Simulated Heroku API on {sim.url} (demo estate: University of Example)")
        _heading(f"$ gatekeeper audit --all --policy {policy_file} --since-last")
        audited = audit(
            AuditScope(everything=True),
            policy=policy,
            source=source,
            store=store_at(f"sqlite:///{(out / 'history.sqlite3').resolve()}"),
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
    click.echo(
        "\nNext: write your institution's policy (`gatekeeper policy init` starts one from "
        "an example), then run `gatekeeper check` in an app's repository."
    )
    return 0


def _heading(text: str) -> None:
    click.echo("")
    click.echo(click.style(text, bold=True))
