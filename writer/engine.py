"""Run the rules over one document and turn findings into diagnostics.

Selection, severity overrides and inline suppressions are applied here, once, for every
rule kind; rules themselves only find things.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from writer import suppressions
from writer.config import Settings
from writer.diagnostics import Diagnostic, Severity
from writer.document.model import Document
from writer.rules.model import Finding, LintContext, Rule, RuleSet

# Engine-level rules (defined in lint_rules/meta.yml so they are documented like the others).
UNUSED_SUPPRESSION = "unused-suppression"
BAD_SUPPRESSION = "invalid-suppression"


def selected_rules(ruleset: RuleSet, settings: Settings) -> list[Rule]:
    chosen = []
    for rule in ruleset:
        if settings.select is not None and not any(rule.matches(s) for s in settings.select):
            continue
        if any(rule.matches(s) for s in settings.ignore):
            continue
        chosen.append(rule)
    return chosen


def _severity(rule: Rule, settings: Settings) -> Severity:
    for key in (rule.code, rule.name, rule.category):
        if key in settings.severity:
            return settings.severity[key]
    return rule.severity


def to_diagnostic(doc: Document, rule: Rule, finding: Finding, settings: Settings) -> Diagnostic:
    start, end = finding.start, max(finding.end, finding.start)
    line, column = doc.position(start)
    end_line, end_column = doc.position(end) if end > start else (line, column)
    return Diagnostic(
        path=doc.path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        rule=rule.code,
        name=rule.name,
        category=rule.category,
        severity=_severity(rule, settings),
        message=finding.message or rule.message,
        suggestion=finding.suggestion if finding.suggestion is not None else rule.suggestion,
        fix=finding.fix,
        start=start,
        end=end,
    )


def context_for(settings: Settings) -> LintContext:
    return LintContext(
        target_grade=settings.grade,
        audience=settings.audience,
        options={"caveat_position": settings.caveat_position},
    )


def lint_document(
    doc: Document,
    ruleset: RuleSet,
    settings: Settings,
    extra: Iterable[Diagnostic] = (),
) -> list[Diagnostic]:
    """All diagnostics for one document, suppressions applied, sorted by position.

    ``extra`` carries findings from outside the rule packs (e.g. grammar) so that they are
    suppressed and filtered the same way.
    """
    ctx = context_for(settings)
    rules = selected_rules(ruleset, settings)
    found: list[Diagnostic] = list(extra)
    for rule in rules:
        if rule.check is None:
            continue
        for finding in rule.check.run(doc, ctx):
            found.append(to_diagnostic(doc, rule, finding, settings))

    parsed = suppressions.parse(doc)
    kept: list[Diagnostic] = []
    for diag in found:
        silenced = False
        for item in parsed.items:
            if item.covers(diag.line, diag.rule, diag.name, diag.category):
                item.used.add(diag.rule)
                silenced = True
        if not silenced:
            kept.append(diag)

    active = {rule.name: rule for rule in rules}
    bad = ruleset.find(BAD_SUPPRESSION)
    if bad is not None and bad.name in active:
        for start, end, message in parsed.problems:
            kept.append(to_diagnostic(doc, bad, Finding(start, end, message), settings))
    unused = ruleset.find(UNUSED_SUPPRESSION)
    if unused is not None and unused.name in active:
        for item in parsed.items:
            if item.used:
                continue
            # Only report when every rule it names actually ran: otherwise it may be
            # silencing a rule that was deselected on this run, not a stale one.
            if all(any(rule.matches(sel) for rule in rules) for sel in item.selectors):
                names = ", ".join(item.selectors)
                kept.append(
                    to_diagnostic(
                        doc,
                        unused,
                        Finding(item.start, item.end, f"suppression of {names} silences nothing"),
                        settings,
                    )
                )
    kept.sort(key=Diagnostic.sort_key)
    passage_rules = {rule.code for rule in rules if rule.kind in PASSAGE_KINDS}
    return _drop_overlaps(kept, passage_rules)


PASSAGE_KINDS = {"phrase", "substitution"}


def _drop_overlaps(found: list[Diagnostic], passage_rules: set[str]) -> list[Diagnostic]:
    """One finding per passage and category: two claims rules that both match "guaranteed
    cure" would report the same words twice, which reads as crying wolf. The rule with the
    lower code is kept. Only passage-matching kinds with a non-empty span take part
    (document-level findings such as missing caveats share a span by design).

    The kept spans of a category never overlap, so each check is a binary search: linear
    in the number of findings, also for a 10 MB draft with tens of thousands of them.
    """
    kept: list[Diagnostic] = []
    starts: dict[str, list[int]] = {}
    ends: dict[str, list[int]] = {}
    for diag in sorted(found, key=lambda d: (d.rule, d.start)):
        if diag.rule not in passage_rules or diag.end <= diag.start:
            kept.append(diag)
            continue
        cat_starts = starts.setdefault(diag.category, [])
        cat_ends = ends.setdefault(diag.category, [])
        i = bisect.bisect_left(cat_starts, diag.start)
        if (i > 0 and cat_ends[i - 1] > diag.start) or (
            i < len(cat_starts) and cat_starts[i] < diag.end
        ):
            continue
        cat_starts.insert(i, diag.start)
        cat_ends.insert(i, diag.end)
        kept.append(diag)
    kept.sort(key=Diagnostic.sort_key)
    return kept
