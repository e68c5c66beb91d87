"""``writer generate``, ``writer faq`` and ``writer facts check|schema``.

Exit codes: 0 written; 1 the generated text has error-level findings (nothing is written);
2 bad facts, template or usage. Only click is imported at start-up: pydantic and Jinja2 load
when one of these commands runs, so ``writer lint`` never pays for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from writer.cli import exit_codes
from writer.diagnostics import InputError, Severity, WriterError
from writer.generate import FORMATS, TEMPLATES

if TYPE_CHECKING:
    from writer.generate.model import Facts
    from writer.generate.pipeline import Generated


def _fail(errors: list[InputError]) -> None:
    for error in errors:
        click.echo(f"writer: error: {error}", err=True)
    sys.exit(exit_codes.INPUT_ERROR)


def _load(path: Path) -> Facts:
    from writer.generate.load import FactsError, load_facts

    try:
        return load_facts(path)
    except FactsError as exc:
        _fail(exc.errors)
        raise AssertionError("unreachable") from None


def _report(result: Generated, display: str) -> None:
    """Findings at warning level and above, each with the generated line it points at."""
    lines = result.text.splitlines()
    for diag in result.diagnostics:
        if diag.severity < Severity.WARNING:
            continue
        click.echo(
            f"{display}:{diag.line}:{diag.column}: {diag.severity} {diag.rule} "
            f"[{diag.name}] {diag.message}",
            err=True,
        )
        if 0 < diag.line <= len(lines):
            click.echo(f"    | {lines[diag.line - 1][:160]}", err=True)
    for note in result.notes:
        click.echo(f"writer: note: {note}", err=True)


def _run(
    facts_path: Path, template: str, fmt: str, output: Path | None, templates: Path | None
) -> None:
    from writer.generate.atomic import write_atomic
    from writer.generate.pipeline import generate

    facts = _load(facts_path)
    display = str(output) if output else f"<{template}.{fmt} from {facts_path}>"
    try:
        result = generate(facts, template, fmt, templates, path=display)
    except WriterError as exc:
        _fail([exc.error])
    _report(result, display)
    if result.errors:
        count = len(result.errors)
        click.echo(
            f"writer: error: the generated {template} has {count} error-level finding"
            f"{'s' if count != 1 else ''}; nothing was written. Fix the facts or the template.",
            err=True,
        )
        sys.exit(exit_codes.FINDINGS)
    if output is None:
        click.echo(result.text, nl=False)
        return
    try:
        write_atomic(output, result.text)
    except OSError as exc:
        _fail([InputError(str(output), f"cannot write: {exc.strerror or exc}")])


_facts_arg = click.argument("facts_path", type=click.Path(path_type=Path, dir_okay=False))
_format_opt = click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="md", show_default=True,
    help="Markdown or HTML.",
)
_output_opt = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Write here (atomically) instead of standard output.",
)
_templates_opt = click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="Folder of your own templates, searched before the built-in ones (sandboxed).",
)


@click.command()
@_facts_arg
@click.option(
    "--template", "-t", type=click.Choice(TEMPLATES), default="explainer", show_default=True,
    help="What to write.",
)
@_format_opt
@_output_opt
@_templates_opt
def generate(
    facts_path: Path, template: str, fmt: str, output: Path | None, templates: Path | None
) -> None:
    """Write a balanced explainer, FAQ or plain-language summary from a facts file.

    The result is checked with the linter's rules first: error-level findings fail the
    command (exit 1) and nothing is written.
    """
    _run(facts_path, template, fmt, output, templates)


@click.command()
@_facts_arg
@_format_opt
@_output_opt
@_templates_opt
def faq(facts_path: Path, fmt: str, output: Path | None, templates: Path | None) -> None:
    """Write an FAQ section from a facts file (short for generate --template faq)."""
    _run(facts_path, "faq", fmt, output, templates)


@click.group()
def facts() -> None:
    """Validate facts files and print their JSON Schema."""


@facts.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
def check(paths: tuple[Path, ...]) -> None:
    """Validate facts files without generating anything (exit 2 if any is invalid)."""
    from writer.generate.load import FactsError, load_facts

    failed = False
    for path in paths:
        try:
            loaded = load_facts(path)
        except FactsError as exc:
            failed = True
            for error in exc.errors:
                click.echo(f"writer: error: {error}", err=True)
            continue
        click.echo(
            f"{path}: ok ({len(loaded.evidence)} results, {len(loaded.sources)} sources)"
        )
    sys.exit(exit_codes.INPUT_ERROR if failed else exit_codes.OK)


@facts.command()
@_output_opt
def schema(output: Path | None) -> None:
    """Print the JSON Schema for facts files (for editors and CI)."""
    from writer.generate.schema import schema_text

    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    from writer.generate.atomic import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        _fail([InputError(str(output), f"cannot write: {exc.strerror or exc}")])
