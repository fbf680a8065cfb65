"""``gatekeeper demo``: the README's first command.

Starts the simulator with the demo estate in this process (loopback only: no account, no
network), audits it with the example university policy, writes an HTML report, then shows
what ``check`` prints for one blocked and one allowed app. It runs the same code paths as
the real commands: the client talks HTTP to the simulator.
"""

from __future__ import annotations

from pathlib import Path

import click

from gatekeeper.errors import UsageError

BLOCKED_APP = "experiment-us"
ALLOWED_APP = "econ-game"
POLICY_NAME = "university.toml"


def _default_policy() -> Path:
    """The example university policy: ``policies/`` of this checkout, else of the cwd."""
    candidates = [
        Path(__file__).resolve().parents[2] / "policies" / POLICY_NAME,
        Path.cwd() / "policies" / POLICY_NAME,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise UsageError(
        f"The example policy policies/{POLICY_NAME} was not found.",
        hint="Run the demo from the project's checkout, or give --policy FILE.",
    )


@click.command("demo")
@click.option(
    "--policy",
    "policy_path",
    metavar="FILE",
    help=f"Policy to audit with (default: the example policies/{POLICY_NAME}).",
)
@click.option(
    "--out-dir",
    default="gatekeeper-demo",
    show_default=True,
    metavar="DIR",
    help="Where the HTML and JSON reports and the demo history go.",
)
def command(policy_path: str | None, out_dir: str) -> int:
    """Audit the built-in demo estate on a local simulated Heroku API."""
    from gatekeeper.commands import audit, check
    from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate

    policy = str(Path(policy_path) if policy_path else _default_policy())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html, report_json = out / "report.html", out / "report.json"
    store = f"sqlite:///{(out / 'history.sqlite3').resolve()}"
    with Simulator(demo_estate()) as sim:
        _heading(f"Simulated Heroku API on {sim.url} (demo estate: University of Example)")
        _heading(f"$ gatekeeper audit --all --policy {policy} --since-last")
        audit.run(
            audit.AuditOptions(
                teams=(),
                enterprises=(),
                everything=True,
                policy_path=policy,
                api_url=sim.url,
                snapshot_path=None,
                fmt="text",
                outputs=(f"html={html}", f"json={report_json}"),
                strict=False,
                verbose=False,
                store_url=store,
                since_last=True,
            ),
            token=DEMO_ADMIN_TOKEN,
        )
        click.echo(f"\nHTML report for the data protection officer: {html.resolve()}")
        click.echo(f"JSON report (gatekeeper.report/v1): {report_json.resolve()}")
        for app, what in ((BLOCKED_APP, "a blocked app"), (ALLOWED_APP, "an allowed app")):
            _heading(f"$ gatekeeper check --app {app} --policy {policy}    # {what}")
            code = check.run(
                check.CheckOptions(
                    app=app,
                    remote="heroku",
                    policy_path=policy,
                    api_url=sim.url,
                    snapshot_path=None,
                    fmt="text",
                    outputs=(),
                    strict=False,
                    verbose=False,
                ),
                token=DEMO_ADMIN_TOKEN,
            )
            click.echo(f"(exit code {code})")
    click.echo(
        "\nNext: write your institution's policy (see policies/), then run "
        "`gatekeeper check` in an app's repository."
    )
    return 0


def _heading(text: str) -> None:
    click.echo("")
    click.echo(click.style(text, bold=True))
