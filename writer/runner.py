"""Lint a set of drafts: read, parse, check, in a stable order; errors never stop the run."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from writer.config import ConfigFinder, Settings
from writer.diagnostics import Diagnostic, InputError, WriterError
from writer.document.model import Document
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.rules.model import RuleSet
from writer.rules.packs import load_rules
from writer.sources import Source, expand, read_source


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    document: Document | None = None


class RuleCache:
    """Rule sets keyed by the extra pack folders a configuration names (loaded once each)."""

    def __init__(self) -> None:
        self._sets: dict[tuple[Path, ...], tuple[RuleSet, list[InputError]]] = {}
        self.reported: set[tuple[Path, ...]] = set()

    def get(self, packs: tuple[Path, ...]) -> tuple[RuleSet, list[InputError]]:
        if packs not in self._sets:
            self._sets[packs] = load_rules(packs)
        return self._sets[packs]


def unknown_selectors(settings: Settings, ruleset: RuleSet) -> list[InputError]:
    """Selectors in the configuration that name no rule, code prefix or category."""
    problems = []
    if settings.source is None:
        return problems
    keys = {"select": settings.select or (), "ignore": settings.ignore, "severity": settings.severity}
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
    doc = read_document(source.path, source.text, source.format)
    extra: list[Diagnostic] = []
    if grammar is not None:
        extra = grammar.diagnostics(doc, ruleset, settings)
    return FileResult(source.path, lint_document(doc, ruleset, settings, extra), document=doc)


class GrammarHook:
    """One LanguageTool connection for the whole run, opened on first use.

    When LanguageTool cannot be reached the problem is reported once; with
    ``grammar = "require"`` that is an input error (exit 2), otherwise a notice.
    """

    RULE = "grammar"

    def __init__(self, mode_override: str | None = None) -> None:
        self.mode_override = mode_override
        self.checker = None  # type: ignore[var-annotated]
        self.failed: str | None = None
        self.notices: list[str] = []
        self.required_failure = False

    def mode(self, settings: Settings) -> str:
        return self.mode_override or settings.grammar

    def diagnostics(self, doc: Document, ruleset: RuleSet, settings: Settings) -> list[Diagnostic]:
        from writer.engine import selected_rules, to_diagnostic

        mode = self.mode(settings)
        if mode == "off":
            return []
        rule = ruleset.find(self.RULE)
        if rule is None or rule not in selected_rules(ruleset, settings):
            return []
        if self.checker is None and self.failed is None:
            from writer.grammar import GrammarUnavailable, open_checker

            try:
                self.checker = open_checker(settings.languagetool)
            except GrammarUnavailable as exc:
                self.failed = str(exc)
                self.notices.append(f"grammar checking is off for this run: {exc}")
        if self.failed is not None:
            if mode == "require":
                self.required_failure = True
            return []
        assert self.checker is not None
        return [to_diagnostic(doc, rule, f, settings) for f in self.checker.check(doc)]

    def close(self) -> None:
        if self.checker is not None:
            self.checker.close()


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
    ) -> None:
        self.grammar = GrammarHook(grammar)
        self.finder = ConfigFinder(config)
        self.rules = RuleCache()
        self.cli_select = cli_select
        self.cli_ignore = cli_ignore
        self.input_format = input_format
        self.stdin_filename = stdin_filename
        self._checked_configs: set[Path | None] = set()

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
        if base.source not in self._checked_configs:
            self._checked_configs.add(base.source)
            errors.extend(unknown_selectors(base, ruleset))
        return settings, ruleset, errors

    def run(self, arguments: Iterable[str]) -> Iterator[FileResult]:
        for item in expand(list(arguments)):
            if isinstance(item, InputError):
                yield FileResult(item.path, errors=[item])
                continue
            yield self.lint_path(item)

    def lint_path(self, arg: str) -> FileResult:
        display = self.stdin_filename if arg == "-" and self.stdin_filename else arg
        try:
            settings, ruleset, errors = self.prepare(Path(display) if display != "-" else Path("x"))
        except WriterError as exc:
            return FileResult(display, errors=[exc.error])
        if arg != "-" and settings.excluded(Path(arg)):
            return FileResult(display, errors=errors)
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
        return result
