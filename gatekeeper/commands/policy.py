"""``gatekeeper policy``: validate policy files, print their JSON Schema, explain the rules.

- ``policy validate FILE...`` checks each file and prints ``OK: FILE (...)`` or every problem
  with its line and key path (``--format json``: one document); exit code 2 when any file
  is invalid.
- ``policy schema`` prints the JSON Schema of policy files (for Taplo / Even Better TOML and
  other editors).
- ``policy explain [RULE]`` explains one rule (what it checks, why, the source, how to fix,
  how to waive), or lists every rule with its default severity (``--format json``: in full).
- ``policy init [--example NAME] [PATH]`` writes a commented starting policy from one of the
  worked examples shipped in the package (gatekeeper/examples), never over an existing file
  unless ``--force``; ``--list`` lists the examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from gatekeeper.commands import terminal
from gatekeeper.commands.verbs import summarized

if TYPE_CHECKING:
    from gatekeeper.usecases.policy_validation import PolicyValidation
    from gatekeeper.usecases.rule_explanations import RuleExplanation


@summarized("policy")
@click.group(name="policy")
def command() -> None:
    pass


#: The JSON shapes of ``validate`` and ``explain`` (docs/cli.md); fields are only added.
VALIDATION_SCHEMA = "gatekeeper.policy-validation/v1"
RULES_SCHEMA = "gatekeeper.rules/v1"

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format (json: docs/cli.md).",
)


@command.command(name="validate")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@_FORMAT
def validate(files: tuple[str, ...], fmt: str) -> int:
    """Check policy files and report every problem with its line and key path.

    Prints "OK: FILE (N agreements, M app entries, K waivers)" for a valid file, the
    problems of an invalid one on stderr; with --format json, one JSON document on stdout.
    Exit code 0 when every file is valid, 2 otherwise.
    """
    from gatekeeper.errors import EXIT_USAGE
    from gatekeeper.usecases.policy_validation import validate_policies

    results = validate_policies(files)
    if fmt == "json":
        click.echo(_json(validation_json(results)))
    for result in results if fmt == "text" else ():
        if result.valid:
            click.echo(
                f"OK: {result.path} ({_plural(result.agreements or 0, 'agreement')}, "
                f"{_plural(result.apps or 0, 'app entry', 'app entries')}, "
                f"{_plural(result.waivers or 0, 'waiver')})"
            )
            continue
        for problem in result.problems:
            click.echo(str(problem), err=True)
        count = len(result.problems)
        click.echo(f"INVALID: {result.path} ({count} problem{'s' if count != 1 else ''})", err=True)
    return 0 if all(r.valid for r in results) else EXIT_USAGE


def validation_json(results: tuple[PolicyValidation, ...]) -> dict[str, Any]:
    return {
        "schema": VALIDATION_SCHEMA,
        "valid": all(r.valid for r in results),
        "files": [
            {
                "path": r.path,
                "valid": r.valid,
                "agreements": r.agreements,
                "apps": r.apps,
                "waivers": r.waivers,
                "problems": [
                    {"file": p.file, "line": p.line, "key": p.key, "message": p.message}
                    for p in r.problems
                ],
            }
            for r in results
        ],
    }


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
        terminal.info(f"Wrote the policy schema to {output}.")
    else:
        click.echo(text, nl=False)
    return 0


@command.command(name="explain")
@click.argument("rule", required=False)
@_FORMAT
def explain(rule: str | None, fmt: str) -> int:
    """Explain RULE: what it checks, why, the source, how to fix and how to waive it.

    Without RULE, list every rule with its default severity (with --format json: every
    rule in full).
    """
    from gatekeeper.usecases.rule_explanations import explain_rules

    rules = explain_rules(rule)
    if fmt == "json":
        click.echo(_json(rules_json(rules)))
        return 0
    if rule is None:
        width = max(len(r.id) for r in rules)
        click.echo(f"{'RULE':<{width}}  DEFAULT  FIRES WHEN")
        for info in rules:
            click.echo(f"{info.id:<{width}}  {info.default_severity:<7}  {info.title}")
        click.echo(
            "\nRun `gatekeeper policy explain RULE` for one rule in full. Change a "
            "severity in the policy's [rules] table."
        )
        return 0
    (info,) = rules
    click.echo(info.text)
    if info.details:
        click.echo(f"\nDetails ({info.module}):\n{info.details}")
    return 0


def rules_json(rules: tuple[RuleExplanation, ...]) -> dict[str, Any]:
    return {
        "schema": RULES_SCHEMA,
        "rules": [
            {
                "id": r.id,
                "default_severity": r.default_severity,
                "title": r.title,
                "why": r.why,
                "source": r.source,
                "fix": r.fix,
                "waive": r.waive,
                "waivable": r.waivable,
                "sources": [
                    {"title": title, "url": url, "date": date} for title, url, date in r.sources
                ],
                "module": r.module,
                "details": r.details,
            }
            for r in rules
        ],
    }


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


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
