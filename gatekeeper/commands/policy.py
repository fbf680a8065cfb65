"""``gatekeeper policy``: validate policy files, print their JSON Schema, explain the rules.

- ``policy validate FILE...`` checks each file and prints ``OK: FILE (...)`` or every problem
  with its line and key path; exit code 2 when any file is invalid.
- ``policy schema`` prints the JSON Schema of policy files (for Taplo / Even Better TOML and
  other editors).
- ``policy explain [RULE]`` explains one rule (what it checks, why, the source, how to fix,
  how to waive), or lists every rule with its default severity.
- ``policy init [--example NAME] [PATH]`` writes a commented starting policy from one of the
  worked examples shipped in the package (gatekeeper/examples), never over an existing file
  unless ``--force``; ``--list`` lists the examples.
"""

from __future__ import annotations

import click

from gatekeeper.commands.verbs import summarized


@summarized("policy")
@click.group(name="policy")
def command() -> None:
    pass


@command.command(name="validate")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
def validate(files: tuple[str, ...]) -> int:
    """Check policy files and report every problem with its line and key path.

    Prints "OK: FILE (N agreements, M app entries, K waivers)" for a valid file. Exit code 0
    when every file is valid, 2 otherwise.
    """
    from gatekeeper.errors import EXIT_USAGE, PolicyError
    from gatekeeper.policy import load_policy

    failed = 0
    for name in files:
        try:
            policy = load_policy(name)
        except PolicyError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            count = len(exc.problems)
            click.echo(f"INVALID: {name} ({count} problem{'s' if count != 1 else ''})", err=True)
            continue
        click.echo(
            f"OK: {name} ({_plural(len(policy.agreements), 'agreement')}, "
            f"{_plural(len(policy.apps), 'app entry', 'app entries')}, "
            f"{_plural(len(policy.waivers), 'waiver')})"
        )
    return EXIT_USAGE if failed else 0


@command.command(name="schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the schema to this file instead of standard output.",
)
def schema(output: str | None) -> int:
    """Print the JSON Schema of policy files, for editors.

    With Taplo / Even Better TOML, save it next to the policy and put
    "#:schema ./gatekeeper-policy.schema.json" on the policy's first line.
    """
    import json

    from gatekeeper.policy.schema import policy_json_schema

    text = json.dumps(policy_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output:
        from pathlib import Path

        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote the policy schema to {output}.", err=True)
    else:
        click.echo(text, nl=False)
    return 0


@command.command(name="explain")
@click.argument("rule", required=False)
def explain(rule: str | None) -> int:
    """Explain RULE: what it checks, why, the source, how to fix and how to waive it.

    Without RULE, list every rule with its default severity.
    """
    import inspect

    from gatekeeper.errors import UsageError
    from gatekeeper.rules.catalog import RULES
    from gatekeeper.rules.registry import module_for

    if rule is None:
        width = max(len(r) for r in RULES)
        click.echo(f"{'RULE':<{width}}  DEFAULT  FIRES WHEN")
        for info in RULES.values():
            click.echo(f"{info.id:<{width}}  {info.default_severity:<7}  {info.title}")
        click.echo(
            "\nRun `gatekeeper policy explain RULE` for one rule in full. Change a "
            "severity in the policy's [rules] table."
        )
        return 0
    if rule not in RULES:
        import difflib

        close = difflib.get_close_matches(rule, list(RULES), n=1)
        guess = f" Did you mean {close[0]}?" if close else ""
        raise UsageError(
            f"Unknown rule {rule!r}.{guess}", hint="Known rules: " + ", ".join(RULES) + "."
        )
    click.echo(RULES[rule].help_text())
    module = module_for(rule)
    doc = inspect.getdoc(module)
    if doc:
        path = module.__name__.replace(".", "/") + ".py"
        click.echo(f"\nDetails ({path}):\n{doc}")
    return 0


@command.command(name="init")
@click.argument("path", required=False, default="gatekeeper.toml", metavar="[PATH]")
@click.option(
    "--example",
    "-e",
    metavar="NAME",
    help="The worked example to start from (default: university); --list shows them.",
)
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.option("--list", "list_examples", is_flag=True, help="List the examples and exit.")
def init(path: str, example: str | None, force: bool, list_examples: bool) -> int:
    """Write a commented starting policy to PATH (default: gatekeeper.toml; - for stdout).

    The policy is one of the worked examples: replace its institution, agreements and apps
    with your own, then check it with `gatekeeper policy validate PATH`. An existing file is
    never overwritten without --force.
    """
    from gatekeeper import examples

    if list_examples:
        width = max(len(name) for name in examples.names())
        for name in examples.names():
            default = " (default)" if name == examples.DEFAULT_EXAMPLE else ""
            click.echo(f"{name:<{width}}  {examples.summary(name)}{default}")
        return 0
    name = example or examples.DEFAULT_EXAMPLE
    text = _starting_policy(name, examples.policy_path(name).read_text(encoding="utf-8"))
    if path == "-":
        click.echo(text, nl=False)
        return 0
    from pathlib import Path

    from gatekeeper.atomic import write_atomic
    from gatekeeper.errors import UsageError

    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{path} is a directory.", hint="Give the policy file's path.")
    if target.exists() and not force:
        raise UsageError(
            f"{path} already exists; it was left as it is.",
            hint="Give --force to replace it, or another PATH.",
        )
    write_atomic(target, text)
    click.echo(f"Wrote {path} from the example {name!r}: {examples.summary(name)}")
    click.echo(
        "Next: put in your institution, agreements and apps, then run "
        f"`gatekeeper policy validate {path}`."
    )
    return 0


def _starting_policy(name: str, example: str) -> str:
    """The example with a header saying where it came from, before its description."""
    from gatekeeper import __version__
    from gatekeeper.examples import SUMMARY_START

    header = (
        f"# Written by heroku-gatekeeper {__version__} with\n"
        f"#     gatekeeper policy init --example {name}\n"
        "# from the worked example of that name: replace its institution, agreements, apps\n"
        "# and waivers with your own. docs/policy.md of heroku-gatekeeper is the reference.\n"
        "#\n"
    )
    at = example.find("\n" + SUMMARY_START)
    return example[: at + 1] + header + example[at + 1 :] if at >= 0 else header + example


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"
