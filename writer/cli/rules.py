"""``writer rules`` lists the rules; ``writer rule CODE|NAME`` prints one rule's documentation."""

from __future__ import annotations

import json
import sys
import textwrap
from typing import TYPE_CHECKING

import click

from writer.cli import exit_codes

if TYPE_CHECKING:
    from writer.diagnostics import InputError
    from writer.rules.model import RuleSet


def _ruleset() -> tuple[RuleSet, list[InputError]]:
    from writer.rules.packs import load_rules

    ruleset, errors = load_rules()
    for error in errors:
        click.echo(f"writer: error: {error}", err=True)
    return ruleset, errors


def _plain_message(message: str) -> str:
    """Rule messages may quote the matched words as {match}; in docs show an ellipsis."""
    return message.replace("{match}", "…")


def _example(text: str) -> str:
    """An example, every line indented as a block (examples may span several lines)."""
    return textwrap.indent(text.strip("\n"), "    ") + ("\n" if "\n" in text.strip() else "")


@click.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--category", default=None, help="Only rules of this category.")
def rules(output_format: str, category: str | None) -> None:
    """List every rule: code, name, category, default severity."""
    ruleset, errors = _ruleset()
    chosen = [r for r in ruleset if category is None or r.category == category]
    if output_format == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "category": r.category,
                        "kind": r.kind,
                        "severity": str(r.severity),
                        "message": _plain_message(r.message),
                        "pack": r.pack,
                    }
                    for r in chosen
                ],
                indent=2,
            )
        )
    else:
        for r in chosen:
            message = _plain_message(r.message)
            click.echo(f"{r.code:<7} {r.name:<34} {r.category:<15} {str(r.severity):<8} {message}")
    sys.exit(exit_codes.INPUT_ERROR if errors else exit_codes.OK)


@click.command()
@click.argument("key")
def rule(key: str) -> None:
    """Print a rule's documentation: what it does, why it matters, examples."""
    ruleset, _ = _ruleset()
    found = ruleset.find(key)
    if found is None:
        click.echo(f"writer: error: no rule named {key!r} (see `writer rules`)", err=True)
        sys.exit(exit_codes.INPUT_ERROR)
    r = found
    wrap = lambda text: textwrap.fill(" ".join(text.split()), 88)  # noqa: E731
    out = [
        f"# {r.name} ({r.code})",
        "",
        f"Category: {r.category}    Default severity: {r.severity}    Kind: {r.kind}",
        "",
        "## What it does",
        wrap(_plain_message(r.message)),
        "",
        "## Why it matters",
        wrap(r.why),
    ]
    if r.suggestion:
        out += ["", "## Suggested fix", wrap(r.suggestion)]
    if r.flagged:
        out += ["", "## Example: flagged"] + [_example(e.text) for e in r.flagged[:6]]
    if r.passing:
        out += ["", "## Example: not flagged"] + [_example(e.text) for e in r.passing[:6]]
    out += ["", "## Source", wrap(r.source), "", f"Defined in {r.origin}"]
    click.echo("\n".join(out))
