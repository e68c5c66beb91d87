"""Lint a set of drafts: read, parse, check, in a stable order; errors never stop the run."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.config import ConfigFinder, Settings
from writer.diagnostics import Diagnostic, InputError, Severity, WriterError
from writer.document.model import Document
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.rules.model import RuleSet
from writer.rules.packs import load_rules
from writer.sources import Source, expand, read_source

if TYPE_CHECKING:  # the fix machinery is only imported by runs that fix
    from writer.fixes import FixMode


@dataclass
class FileResult:
    """What linting one file produced.

    From parallel workers ``document`` carries the source text only (no prose blocks):
    renderers need the lines, and shipping the blocks between processes costs more
    than linting.
    """

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    document: Document | None = None
    fail_on: Severity | None = Severity.ERROR  # from the file's configuration
    fixed: int = 0  # fixes applied (--fix) or that would be applied (--diff)
    diff: str = ""  # --diff: unified diff of what --fix would change
    output: bytes | None = None  # stdin with --fix: the fixed draft, for standard output
    notices: list[str] = field(default_factory=list)  # said on stderr, do not fail the run


class Task:
    """A file that passed configuration checks and is ready to read and lint.

    ``errors`` (config/rule-pack problems found while preparing it) are reported with its
    result; ``grammar`` means it needs the run's single LanguageTool connection, so it is
    linted in the main process. (A plain class: internal, and a dataclass costs ~0.2 ms of
    every start-up to create.)
    """

    __slots__ = ("arg", "display", "errors", "grammar")

    def __init__(
        self,
        arg: str,
        display: str,
        errors: list[InputError] | None = None,
        grammar: bool = False,
    ) -> None:
        self.arg = arg
        self.display = display
        self.errors: list[InputError] = [] if errors is None else errors
        self.grammar = grammar


class RuleCache:
    """Rule sets keyed by the extra pack folders a configuration names (loaded once each)."""

    def __init__(self) -> None:
        self._sets: dict[tuple[Path, ...], tuple[RuleSet, list[InputError]]] = {}
        self.reported: set[tuple[Path, ...]] = set()

    def get(self, packs: tuple[Path, ...]) -> tuple[RuleSet, list[InputError]]:
        if packs not in self._sets:
            with _collector_paused():
                self._sets[packs] = load_rules(packs)
                _freeze_once("rules")
        return self._sets[packs]


def unknown_selectors(settings: Settings, ruleset: RuleSet) -> list[InputError]:
    """Selectors in the configuration that name no rule, code prefix or category."""
    problems: list[InputError] = []
    if settings.source is None:
        return problems
    keys = {
        "select": settings.select or (),
        "ignore": settings.ignore,
        "severity": settings.severity,
    }
    for key, selectors in keys.items():
        for selector in selectors:
            if not ruleset.knows(selector):
                problems.append(
                    InputError(
                        str(settings.source),
                        f"'{key}' names unknown rule {selector!r} (see `writer rules`)",
                        settings.key_lines.get(key) or None,
                    )
                )
    return problems


def lint_source(
    source: Source, ruleset: RuleSet, settings: Settings, grammar: GrammarHook | None = None
) -> FileResult:
    """Lint one draft with Python's cycle collector paused.

    Reading and checking a draft allocates millions of small, acyclic objects; each
    automatic full collection walks all of them, so on a 10 MB draft the collector alone
    made the run grow faster than the draft (measured: 4 MB took 4.3x the time of 1 MB with
    it, 3.5x without, at the same peak memory). Reference counting still frees everything
    the moment a draft is done, and the collector is back on between drafts.
    """
    with _collector_paused():
        result = _lint_source(source, ruleset, settings, grammar)
        # The first draft also imported the readers and compiled the rules' patterns
        # (lazily, on first use): long-lived objects, frozen like the rules.
        _freeze_once("first draft")
    return result


_FROZEN: set[str] = set()


def _freeze_once(stage: str) -> None:
    """Move everything alive now out of the cycle collector's view, once per stage.

    Why: the modules, rules and compiled patterns built at start-up live as long as the
    process. The collector's passes over them can never free anything, yet cost ~10 ms of
    a one-draft run (``gc.freeze``, as the Python docs suggest for such objects). Called
    with the collector paused, before it would first scan them. Once per process and
    stage, so a long run, or a program building many Linters, is collected as before.
    """
    if stage not in _FROZEN:
        _FROZEN.add(stage)
        gc.freeze()


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _lint_source(
    source: Source, ruleset: RuleSet, settings: Settings, grammar: GrammarHook | None
) -> FileResult:
    doc = read_document(source.path, source.text, source.format)
    extra: list[Diagnostic] = []
    if grammar is not None:
        extra = grammar.diagnostics(doc, ruleset, settings)
    try:
        found = lint_document(doc, ruleset, settings, extra)
    except WriterError as exc:
        # A rule pack problem found only when a rule first runs (patterns compile lazily):
        # report it against the pack, and carry on with the other files.
        return FileResult(source.path, errors=[exc.error], document=doc)
    return FileResult(source.path, found, document=doc)


class GrammarHook:
    """One LanguageTool connection for the whole run, opened on first use.

    When LanguageTool cannot be reached the problem is reported once; with
    ``grammar = "require"`` that is an input error (exit 2), otherwise a notice.
    """

    RULE = "grammar"

    def __init__(self, mode_override: str | None = None) -> None:
        self.mode_override = mode_override
        self.checker: Any = None  # writer.grammar's checker, opened on first use
        self.failed: str | None = None
        self.notices: list[str] = []
        self.required_failure = False

    def mode(self, settings: Settings) -> str:
        return self.mode_override or settings.grammar

    def wanted(self, ruleset: RuleSet, settings: Settings) -> bool:
        """Whether a file with these settings is checked by LanguageTool at all."""
        from writer.engine import selected_rules

        if self.mode(settings) == "off":
            return False
        rule = ruleset.find(self.RULE)
        return rule is not None and rule in selected_rules(ruleset, settings)

    def diagnostics(self, doc: Document, ruleset: RuleSet, settings: Settings) -> list[Diagnostic]:
        from writer.engine import to_diagnostic

        if not self.wanted(ruleset, settings):
            return []
        mode = self.mode(settings)
        rule = ruleset.find(self.RULE)
        assert rule is not None
        if self.failed is None:
            from writer.grammar import GrammarUnavailable, open_checker

            try:
                if self.checker is None:
                    self.checker = open_checker(settings.languagetool)
                # The file's own language, disabled rules and vocabulary; the server is
                # the one opened for the run. A server that fails mid-run ends grammar
                # checking for the rest of the run, reported once like a failed start.
                findings = self.checker.check(doc, settings.languagetool)
            except GrammarUnavailable as exc:
                self.failed = str(exc)
                self.notices.append(f"grammar checking is off for this run: {exc}")
        if self.failed is not None:
            if mode == "require":
                self.required_failure = True
            return []
        return [to_diagnostic(doc, rule, f, settings) for f in findings]

    def close(self) -> None:
        if self.checker is not None:
            self.checker.close()


def _once_each(items: list[str | InputError]) -> list[str | InputError]:
    """Drop repeats of a file (given twice, or as itself and inside a folder): fixing one
    file twice at once would look like someone else editing it."""
    import os

    seen: set[str] = set()
    unique: list[str | InputError] = []
    for item in items:
        if isinstance(item, str) and item != "-":
            key = os.path.realpath(item)
            if key in seen:
                continue
            seen.add(key)
        unique.append(item)
    return unique


class Linter:
    """Resolves configuration and rules per file and lints them one by one."""

    def __init__(
        self,
        config: Path | None = None,
        cli_select: tuple[str, ...] | None = None,
        cli_ignore: tuple[str, ...] = (),
        input_format: str | None = None,
        stdin_filename: str | None = None,
        grammar: str | None = None,
        fix: FixMode | None = None,
    ) -> None:
        # Kept so that a worker process can build the same Linter (see writer.parallel).
        self.options = {
            "config": config,
            "cli_select": cli_select,
            "cli_ignore": cli_ignore,
            "input_format": input_format,
            "stdin_filename": stdin_filename,
            "grammar": grammar,
            "fix": fix,
        }
        self.fix = fix
        self.grammar = GrammarHook(grammar)
        self.finder = ConfigFinder(config)
        self.rules = RuleCache()
        self.cli_select = cli_select
        self.cli_ignore = cli_ignore
        self.input_format = input_format
        self.stdin_filename = stdin_filename
        self._checked_configs: set[Path | None] = set()
        self._checked_rulesets: list[RuleSet] = []

    def settings_for(self, path: Path) -> Settings:
        settings = self.finder.settings_for(path)
        if self.cli_select is not None or self.cli_ignore:
            from dataclasses import replace

            settings = replace(
                settings,
                select=self.cli_select if self.cli_select is not None else settings.select,
                ignore=settings.ignore + self.cli_ignore,
            )
        return settings

    def prepare(self, path: Path) -> tuple[Settings, RuleSet, list[InputError]]:
        """Settings and rules for a file, plus config/rule-pack errors not reported yet."""
        base = self.finder.settings_for(path)
        settings = self.settings_for(path)
        ruleset, pack_errors = self.rules.get(settings.rule_packs)
        errors: list[InputError] = []
        if settings.rule_packs not in self.rules.reported:
            self.rules.reported.add(settings.rule_packs)
            errors.extend(pack_errors)
        if ruleset not in self._checked_rulesets:
            # Selectors given on the command line must name real rules (of this rule set:
            # a configuration may add packs).
            self._checked_rulesets.append(ruleset)
            for selector in (self.cli_select or ()) + self.cli_ignore:
                if not ruleset.knows(selector):
                    errors.append(
                        InputError(
                            "command line",
                            f"--select/--ignore names unknown rule {selector!r} "
                            "(see `writer rules`)",
                        )
                    )
        if base.source not in self._checked_configs:
            self._checked_configs.add(base.source)
            errors.extend(unknown_selectors(base, ruleset))
        return settings, ruleset, errors

    def run(
        self, arguments: Iterable[str], jobs: int = 1, full_documents: bool = False
    ) -> Iterator[FileResult]:
        """Results in the order the files were given (folders walked in sorted order).

        With ``jobs`` > 1 the files are linted in that many processes; the order and the
        results are the same as with one. Results from other processes carry only the
        source text of each document unless ``full_documents`` (e.g. for a report that
        measures the prose again).
        """
        items = list(expand(list(arguments)))
        if self.fix is not None:
            items = _once_each(items)
        if jobs > 1:
            from writer.parallel import run_parallel

            yield from run_parallel(self, items, jobs, full_documents)
            return
        for item in items:
            if isinstance(item, InputError):
                yield FileResult(item.path, errors=[item])
                continue
            yield self.lint_path(item)

    def lint_path(self, arg: str) -> FileResult:
        planned = self.plan(arg)
        return planned if isinstance(planned, FileResult) else self.execute(planned)

    @staticmethod
    def _settings_path(display: str) -> Path:
        return Path(display) if display != "-" else Path("x")

    def plan(self, arg: str) -> FileResult | Task:
        """Resolve configuration and rules for a file: a Task to lint, or a finished result
        (configuration error, excluded file). Cheap; always runs in the main process so that
        each configuration problem is reported once."""
        display = self.stdin_filename if arg == "-" and self.stdin_filename else arg
        try:
            settings, ruleset, errors = self.prepare(self._settings_path(display))
        except WriterError as exc:
            return FileResult(display, errors=[exc.error])
        if arg != "-" and settings.excluded(Path(arg)):
            return FileResult(display, errors=errors)
        return Task(arg, display, errors, self.grammar.wanted(ruleset, settings))

    def execute(self, task: Task) -> FileResult:
        """Read, lint (and fix) one planned file."""
        arg, display, errors = task.arg, task.display, task.errors
        settings = self.settings_for(self._settings_path(display))
        ruleset, _ = self.rules.get(settings.rule_packs)
        if self.fix is not None:
            return self._fix(task, settings, ruleset)
        try:
            fmt = self.input_format
            if fmt is None and arg == "-" and self.stdin_filename:
                from writer.sources import format_for

                fmt = format_for(self.stdin_filename, None)
            source = read_source(arg, fmt)
            if arg == "-" and self.stdin_filename:
                source.path = self.stdin_filename
        except WriterError as exc:
            return FileResult(display, errors=[*errors, exc.error])
        result = lint_source(source, ruleset, settings, self.grammar)
        result.errors[:0] = errors
        result.fail_on = settings.fail_on
        return result

    def _fix(self, task: Task, settings: Settings, ruleset: RuleSet) -> FileResult:
        """Lint, apply fixes until stable, then write back atomically (or diff, or stdout)."""
        from writer import fixes
        from writer.sources import format_for

        assert self.fix is not None
        arg = task.arg
        stdin = arg == "-"
        path = (self.stdin_filename or "<stdin>") if stdin else arg
        fmt = self.input_format
        try:
            if stdin:
                stored = fixes.stored_from_bytes(sys.stdin.buffer.read(), "<stdin>")
                named = self.stdin_filename
                fmt = fmt or (format_for(named, None) if named else "markdown")
            else:
                stored = fixes.read_stored(Path(arg), task.display)
                fmt = format_for(arg, fmt)
        except WriterError as exc:
            return FileResult(task.display, errors=[*task.errors, exc.error])

        last: list[Document] = []

        def lint(text: str) -> list[Diagnostic]:
            doc = read_document(path, text, fmt)
            last[:] = [doc]
            extra = self.grammar.diagnostics(doc, ruleset, settings)
            return lint_document(doc, ruleset, settings, extra)

        try:
            original = lint(stored.text)
            original_doc = last[0]
            outcome = fixes.fix_text(stored.text, lint, self.fix.unsafe, diagnostics=original)
        except WriterError as exc:  # a rule pack problem found when a rule first runs
            doc = last[0] if last else None
            return FileResult(path, errors=[*task.errors, exc.error], document=doc)
        result = FileResult(
            path,
            outcome.diagnostics,
            errors=list(task.errors),
            document=last[0],
            fail_on=settings.fail_on,
            fixed=outcome.fixed,
        )
        if not outcome.converged:
            result.notices.append(
                f"{path}: fixes did not settle after {outcome.passes} passes; "
                "the remaining findings are reported (please report this as a bug)"
            )
        changed = outcome.changed(stored.text)
        if self.fix.diff:
            result.diff = fixes.unified_diff(stored.text, outcome.text, path)
        elif stdin:
            result.output = stored.encode(outcome.text) if changed else stored.data
        elif changed:
            try:
                fixes.write_atomic(Path(arg), stored.encode(outcome.text), stored.data, path)
            except WriterError as exc:
                # Nothing was written: report the findings as they are in the file.
                result.errors.append(exc.error)
                result.diagnostics, result.document, result.fixed = original, original_doc, 0
        return result
