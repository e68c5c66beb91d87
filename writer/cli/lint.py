"""``writer lint``: check drafts and report findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from writer.cli import exit_codes
from writer.diagnostics import InputError, Severity, WriterError
from writer.output import FORMATS, RenderOptions, Summary, get_renderer

if TYPE_CHECKING:
    from writer.fixes import FixMode
    from writer.runner import FileResult, Linter


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


class _LintCommand(click.Command):
    """``--grammar`` alone means ``--grammar=on``; its value must be attached with ``=``.

    click would otherwise take the next word (a draft's path) as the option's value.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        args = ["--grammar=on" if a == "--grammar" else a for a in args]
        return super().parse_args(ctx, args)


@click.command(cls=_LintCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--select", multiple=True, help="Only these rules (codes, prefixes, names, categories)."
)
@click.option(
    "--ignore", multiple=True, help="Skip these rules (codes, prefixes, names, categories)."
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: error, or the config's).",
)
@click.option(
    "--input-format",
    type=click.Choice(["markdown", "html", "text"]),
    default=None,
    help="Read every draft as this format instead of guessing from the extension.",
)
@click.option("--stdin-filename", default=None, help="Name (and format) for a draft read from '-'.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Use this pyproject.toml or writer.toml instead of searching upward.",
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file (replaced only once the report is complete).",
)
@click.option(
    "--color",
    "color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour text output (auto: only on a terminal, and not if NO_COLOR).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Only the findings: no summary line or progress bar, nothing at all on a clean run.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print counts per rule after the findings (on stderr for machine-readable formats).",
)
@click.option(
    "--grammar",
    type=click.Choice(["off", "on", "require"]),
    default=None,
    is_flag=False,
    flag_value="on",
    help="Grammar and spelling through LanguageTool (default: the config's, off).",
)
@click.option(
    "--no-source", is_flag=True, help="Do not show the offending line under each finding."
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply safe fixes (e.g. add missing caveat paragraphs) and report what remains.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Also apply fixes that change meaning (claim rewordings). Implies --fix.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print a diff of what --fix would change and write nothing (exit 1 if any).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=None,
    help="Files linted in parallel (default: the config's `jobs`, else all cores; 0: all).",
)
def lint(
    paths: tuple[str, ...],
    output_format: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    input_format: str | None,
    stdin_filename: str | None,
    config_path: Path | None,
    output_file: Path | None,
    color: str,
    quiet: bool,
    statistics: bool,
    no_source: bool,
    grammar: str | None,
    fix: bool = False,
    unsafe_fixes: bool = False,
    diff: bool = False,
    jobs: int | None = None,
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
            fix=_fix_mode(fix, unsafe_fixes, diff),
        )
    except WriterError as exc:
        click.echo(f"writer: error: {exc.error}", err=True)
        sys.exit(exit_codes.INPUT_ERROR)

    ruleset, _ = linter.rules.get(())

    from writer.output.text import open_progress, use_color

    fixing = FixReport(linter.fix, paths, output_format, quiet)
    report = ReportFile.open(output_file) if output_file else None
    stream = report.stream if report else fixing.report_stream()
    options = RenderOptions(
        color=output_format == "text" and use_color(color, stream),
        quiet=quiet,
        statistics=statistics,
        show_source=not no_source,
    )
    renderer = get_renderer(output_format, stream, options, ruleset)
    progress = None if quiet else open_progress(paths)
    summary = Summary()
    failing = False
    threshold_cli = None if fail_on in (None, "never") else Severity.parse(fail_on)
    errors: list[InputError] = []
    # The HTML report measures each draft's prose: workers send whole documents back.
    run = linter.run(paths, jobs=_jobs(jobs, linter), full_documents=output_format == "html")
    for result in run:
        errors.extend(result.errors)
        if result.document is not None:
            summary.files += 1
        if progress is not None and (result.diagnostics or result.errors):
            progress.clear()  # findings never land in the middle of the bar
        if fixing.take(result):
            renderer.file(result)
        if progress is not None:
            progress.advance()
        threshold = result.fail_on if fail_on is None else threshold_cli
        for diag in result.diagnostics:
            key = str(diag.severity)
            summary.counts[key] = summary.counts.get(key, 0) + 1
            summary.per_rule[(diag.rule, diag.name)] = (
                summary.per_rule.get((diag.rule, diag.name), 0) + 1
            )
            if threshold is not None and diag.severity >= threshold:
                failing = True
        result.document = None  # let the source text go: memory stays flat
    if progress is not None:
        progress.close()
    linter.grammar.close()
    for notice in linter.grammar.notices:
        click.echo(f"writer: {notice}", err=True)
    if linter.grammar.required_failure:
        errors.append(
            InputError("languagetool", "grammar checking was required but is unavailable")
        )
        if not fixing.diff:  # so that reports (SARIF, JUnit, HTML) record it too
            from writer.runner import FileResult

            renderer.file(FileResult("languagetool", errors=[errors[-1]]))
    summary.input_errors = len(errors)
    if not fixing.diff:
        renderer.finish(summary)
        if statistics and output_format != "text":  # keep machine-readable output parseable
            from writer.output.text import statistics_table

            click.echo(statistics_table(summary), err=True, nl=False)
    if report is not None:
        report.commit(complete=not fixing.diff)
    fixing.finish()
    for error in errors:
        click.echo(f"writer: error: {error}", err=True)
    if errors:
        sys.exit(exit_codes.INPUT_ERROR)
    if fixing.diff:  # like ruff --diff: 1 when applying the fixes would change something
        failing = fixing.changed_files > 0
    sys.exit(exit_codes.FINDINGS if failing else exit_codes.OK)


def _fix_mode(fix: bool, unsafe: bool, diff: bool) -> FixMode | None:
    if not (fix or unsafe or diff):
        return None  # the fix machinery is not even imported
    from writer.fixes import FixMode

    return FixMode(unsafe=unsafe, diff=diff)


def _jobs(option: int | None, linter: Linter) -> int:
    """--jobs, else the configuration's ``jobs`` (for the current folder), else all cores."""
    from writer.parallel import default_jobs

    jobs = option
    if jobs is None:
        try:
            jobs = linter.finder.settings_for(Path.cwd() / "-").jobs
        except WriterError:
            jobs = 0  # the error is reported with the files it concerns
    return jobs or default_jobs()


class FixReport:
    """What --fix / --diff print besides the findings, and where.

    --diff prints only diffs on stdout (a patch), so nothing else may go there. Fixing
    standard input writes the fixed draft to stdout, so the findings go to stderr.
    """

    def __init__(
        self, mode: FixMode | None, paths: tuple[str, ...], output_format: str, quiet: bool
    ) -> None:
        self.mode = mode
        self.diff = mode is not None and mode.diff
        self.stdin_out = mode is not None and not mode.diff and "-" in paths
        self.text = output_format == "text"
        self.quiet = quiet
        self.fixed = 0
        self.changed_files = 0

    def report_stream(self) -> IO[str]:
        return sys.stderr if self.stdin_out else sys.stdout

    def take(self, result: FileResult) -> bool:
        """Record one file's fixes; False when its findings are not to be rendered."""
        for notice in result.notices:
            click.echo(f"writer: {notice}", err=True)
        self.fixed += result.fixed
        if result.fixed:
            self.changed_files += 1
        if result.output is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(result.output)
            sys.stdout.buffer.flush()
        if result.diff:
            sys.stdout.write(result.diff)
        return not self.diff

    def finish(self) -> None:
        if self.mode is None:
            return
        files = "file" if self.changed_files == 1 else "files"
        issues = "issue" if self.fixed == 1 else "issues"
        if self.diff:
            line = f"Would fix {self.fixed} {issues} in {self.changed_files} {files}."
            click.echo(line, err=True)
        elif self.fixed or not self.quiet:
            line = f"Fixed {self.fixed} {issues} in {self.changed_files} {files}."
            click.echo(line, file=self.report_stream() if self.text else sys.stderr)


class ReportFile:
    """``--output-file``: the report goes to a temporary file beside the target, moved into
    place once complete, so a crash or a kill never leaves half a report for CI to upload."""

    def __init__(self, target: Path, stream: IO[str]) -> None:
        self.target = target
        self.stream = stream

    @classmethod
    def open(cls, target: Path) -> ReportFile:
        import tempfile

        try:
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in commit/discard
                "w",
                encoding="utf-8",
                newline="",
                dir=target.parent,
                prefix=f".{target.name}.",
                suffix=".tmp",
                delete=False,
            )
        except OSError as exc:
            raise click.BadParameter(
                f"cannot write {target}: {exc.strerror or exc}", param_hint="--output-file"
            ) from None
        report = cls(target, handle)
        click.get_current_context().call_on_close(report.discard)
        return report

    def commit(self, complete: bool = True) -> None:
        import os

        self.stream.close()
        if not complete:
            self.discard()
            return
        try:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.stream.name, 0o666 & ~umask)  # a temporary file is private (0600)
            os.replace(self.stream.name, self.target)
        except OSError as exc:
            self.discard()
            click.echo(f"writer: error: cannot write {self.target}: {exc.strerror}", err=True)
            sys.exit(exit_codes.INPUT_ERROR)

    def discard(self) -> None:
        import contextlib
        import os

        self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.stream.name)
