"""``writer lint``: check drafts and report findings."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from writer.cli import exit_codes
from writer.diagnostics import InputError, Severity, WriterError
from writer.output import FORMATS, RenderOptions, Summary, get_renderer


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format", "output_format", type=click.Choice(sorted(FORMATS)), default="text",
    show_default=True, help="Output format.",
)
@click.option("--select", multiple=True, help="Only these rules (codes, prefixes, names, categories).")
@click.option("--ignore", multiple=True, help="Skip these rules (codes, prefixes, names, categories).")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default=None,
    help="Lowest severity that makes the exit code 1 (default: error, or the config's).",
)
@click.option(
    "--input-format", type=click.Choice(["markdown", "html", "text"]), default=None,
    help="Read every draft as this format instead of guessing from the extension.",
)
@click.option("--stdin-filename", default=None, help="Name (and format) for a draft read from '-'.")
@click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Use this pyproject.toml or writer.toml instead of searching upward.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when there is nothing to report.")
@click.option("--statistics", is_flag=True, help="Print counts per rule after the findings.")
@click.option(
    "--grammar", type=click.Choice(["off", "on", "require"]), default=None, is_flag=False,
    flag_value="on", help="Grammar and spelling through LanguageTool (default: the config's, off).",
)
@click.option("--no-source", is_flag=True, help="Do not show the offending line under each finding.")
def lint(
    paths: tuple[str, ...],
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    input_format: str | None,
    stdin_filename: str | None,
    config_path: Path | None,
    quiet: bool,
    statistics: bool,
    no_source: bool,
    grammar: str | None,
) -> None:
    """Check drafts (files, folders, or - for standard input) for health-writing problems."""
    from writer.runner import Linter

    if not paths:
        raise click.UsageError("give at least one file or folder to lint (or - for stdin)")
    try:
        linter = Linter(
            config=config_path,
            cli_select=_split(select) or None,
            cli_ignore=_split(ignore),
            input_format=input_format,
            stdin_filename=stdin_filename,
            grammar=grammar,
        )
    except WriterError as exc:
        click.echo(f"writer: error: {exc.error}", err=True)
        sys.exit(exit_codes.INPUT_ERROR)

    # Selectors given on the command line must name real rules.
    ruleset, _ = linter.rules.get(())
    for selector in _split(select) + _split(ignore):
        if not ruleset.knows(selector):
            raise click.BadParameter(
                f"unknown rule {selector!r} (see `writer rules`)", param_hint="--select/--ignore"
            )

    options = RenderOptions(
        color=output_format == "text" and sys.stdout.isatty(),
        quiet=quiet,
        statistics=statistics,
        show_source=not no_source,
    )
    renderer = get_renderer(output_format, sys.stdout, options, ruleset)
    summary = Summary()
    failing = False
    threshold_cli = None if fail_on in (None, "never") else Severity.parse(fail_on)
    errors: list[InputError] = []
    for result in linter.run(paths):
        errors.extend(result.errors)
        if result.document is not None:
            summary.files += 1
        renderer.file(result)
        threshold = threshold_cli
        if fail_on is None:
            threshold = linter.settings_for(Path(result.path)).fail_on if result.path != "<stdin>" else Severity.ERROR
        for diag in result.diagnostics:
            key = str(diag.severity)
            summary.counts[key] = summary.counts.get(key, 0) + 1
            summary.per_rule[(diag.rule, diag.name)] = summary.per_rule.get((diag.rule, diag.name), 0) + 1
            if threshold is not None and diag.severity >= threshold:
                failing = True
        result.document = None  # let the source text go: memory stays flat
    linter.grammar.close()
    for notice in linter.grammar.notices:
        click.echo(f"writer: {notice}", err=True)
    if linter.grammar.required_failure:
        errors.append(InputError("languagetool", "grammar checking was required but is unavailable"))
    summary.input_errors = len(errors)
    renderer.finish(summary)
    for error in errors:
        click.echo(f"writer: error: {error}", err=True)
    if errors:
        sys.exit(exit_codes.INPUT_ERROR)
    sys.exit(exit_codes.FINDINGS if failing else exit_codes.OK)
