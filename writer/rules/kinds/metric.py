"""``metric`` rules: a readability measure over the document, each section or each sentence.

A rule names its scope and, for each measure, a limit: ``above-target`` (grade measures,
relative to the audience's target grade, so one rule serves every audience) or ``max``
(an absolute limit)::

    scope: document            # document | section | sentence
    measures:                  # a finding when any measure is over its limit
      flesch-kincaid: {above-target: 1}
      smog: {above-target: 1}
    min-words: 100             # smaller samples get no score (formulas are unstable)
    min-document-words: 600    # section scope: only drafts this long are split up
    max-words: 25              # sentence scope: longer sentences are left to long-sentence

For sentence scope, ``min-words`` only withholds the grade from short sentences (a grade
on five words is noise); word counts still apply to them.

The figures come from :mod:`writer.readability`, shared by all metric rules of a run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import compress, count
from operator import and_, le, or_
from typing import Any

from writer.config import AUDIENCE_GRADES
from writer.document.model import Document
from writer.readability import (
    FK_MIN_WORDS,
    document_figures,
    first_line_span,
    grade_thresholds,
    measure_sections,
    sentence_counts,
    sentence_span,
)
from writer.rules.model import Finding, LintContext, Rule

SCOPES = ("document", "section", "sentence")
GRADE_MEASURES = {"flesch-kincaid": "Flesch-Kincaid grade", "smog": "SMOG grade"}
COUNT_MEASURES = {"words": "words", "hard-words": "words of three or more syllables"}
MEASURES_FOR_SCOPE = {
    "document": ("flesch-kincaid", "smog"),
    "section": ("flesch-kincaid", "smog"),
    "sentence": ("words", "hard-words", "flesch-kincaid"),
}
OPTION_KEYS = {"scope", "measures", "min-words", "min-document-words", "max-words"}
LIMIT_KEYS = {"above-target", "max"}
EXAMPLE_HARD_WORDS = 3  # hard words quoted in a message


class Limit:
    """``above-target`` is added to the run's target grade; ``max`` is absolute.

    (The classes here are plain ones: a dataclass costs ~0.3 ms of every start-up to create.)
    """

    __slots__ = ("above_target", "maximum")

    def __init__(self, above_target: float | None = None, maximum: float | None = None) -> None:
        self.above_target = above_target
        self.maximum = maximum

    def value(self, target: float) -> float:
        if self.above_target is not None:
            return target + self.above_target
        assert self.maximum is not None
        return self.maximum


class MetricCheck:
    __slots__ = ("limits", "max_words", "min_document_words", "min_words", "rule", "scope")

    def __init__(
        self,
        rule: Rule,
        scope: str,
        limits: Mapping[str, Limit],
        min_words: int,
        min_document_words: int,
        max_words: int | None = None,
    ) -> None:
        self.rule = rule
        self.scope = scope
        self.limits = limits
        self.min_words = min_words
        self.min_document_words = min_document_words
        self.max_words = max_words

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        if not doc.blocks:
            return ()
        if self.scope == "sentence":
            return self._sentences(doc, ctx)
        if self.scope == "section":
            return self._sections(doc, ctx)
        return self._document(doc, ctx)

    def _document(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        figures = document_figures(doc, self.min_words)
        values = {"flesch-kincaid": figures.fk_grade, "smog": figures.smog}
        message = self._message(values, ctx, figures.notes)
        if message is not None:
            start, end = first_line_span(doc, doc.blocks[0])
            yield Finding(start, end, message)

    def _sections(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        if document_figures(doc, self.min_words).words < self.min_document_words:
            return
        sections = measure_sections(doc, fk_min_words=self.min_words)
        if sum(1 for s in sections if s.figures.words) < 2:
            return  # one section of prose: the document-wide rule already covers it
        for section in sections:
            figures = section.figures
            if figures.words < self.min_words:
                continue
            values = {"flesch-kincaid": figures.fk_grade, "smog": figures.smog}
            message = self._message(values, ctx)
            if message is not None:
                start, end = first_line_span(doc, section.first_block)
                yield Finding(start, end, message)

    def _sentences(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        # Most sentences pass: the limits are tested on whole columns of counts in C, and
        # the values and the message are built only for a sentence over one of them.
        counts = sentence_counts(doc)
        words = counts.words
        over: Iterator[bool] | None = None
        for name, limit in self.limits.items():
            bound = float(limit.value(ctx.target_grade))  # (float.__lt__ takes ints too)
            if name == "words":
                column = map(bound.__lt__, words)
            elif name == "hard-words":
                column = map(bound.__lt__, counts.polysyllables)
            else:  # flesch-kincaid, withheld from sentences under min-words
                fewest = map(grade_thresholds(bound).__getitem__, words)
                grade_over = map(le, fewest, counts.syllables)
                column = map(and_, map((self.min_words - 1).__lt__, words), grade_over)
            over = column if over is None else map(or_, over, column)
        if over is None:
            return  # no measures: nothing can be over
        flagged = map(and_, counts.prose, over)
        if self.max_words is not None:  # longer sentences are another rule's
            flagged = map(and_, map(self.max_words.__ge__, words), flagged)
        for i in compress(count(), flagged):
            item = counts.figure(i)
            values: dict[str, float | None] = {
                "words": item.words,
                "hard-words": item.polysyllables,
                "flesch-kincaid": item.fk_grade if item.words >= self.min_words else None,
            }
            hard = item.hard_words[:EXAMPLE_HARD_WORDS]
            more = ", …" if item.polysyllables > len(hard) else ""
            example = f" ({', '.join(hard)}{more})" if hard else ""
            message = self._message(values, ctx, hard_example=example)
            if message is not None:
                start, end = sentence_span(item.sentence)
                yield Finding(start, end, message)

    def _message(
        self,
        values: Mapping[str, float | None],
        ctx: LintContext,
        notes: Iterable[str] = (),
        hard_example: str = "",
    ) -> str | None:
        """The finding's message, or None when every measure is within its limit."""
        over = [
            name
            for name, limit in self.limits.items()
            if (value := values.get(name)) is not None and value > limit.value(ctx.target_grade)
        ]
        if not over:
            return None
        parts = []
        for name, limit in self.limits.items():
            value = values.get(name)
            if value is None:
                continue
            if name in GRADE_MEASURES:
                parts.append(f"{GRADE_MEASURES[name]} {value:.1f}")
            else:
                text = f"{value:g} {COUNT_MEASURES[name]}"
                if name == "hard-words":
                    text += hard_example
                if name in over:
                    text += f", more than {limit.value(ctx.target_grade):g}"
                parts.append(text)
        if any(name in GRADE_MEASURES for name in over):
            parts.append(_target(ctx))
        if self.scope != "sentence":
            parts.extend(note for note in notes if note.startswith("SMOG"))
        return f"{self.rule.message.rstrip('.')}: {'; '.join(parts)}."


def _target(ctx: LintContext) -> str:
    target = f"target grade {ctx.target_grade:g}"
    if AUDIENCE_GRADES.get(ctx.audience) == ctx.target_grade:
        target += f" for {ctx.audience} readers"
    return target


def _number(options: Any, key: str, ctx: Any, default: int) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ctx.error(f"{key!r} must be a whole number >= 0", options.line_of(key))
    return int(value)


def _limits(options: Any, scope: str, ctx: Any) -> dict[str, Limit]:
    raw = options.get("measures")
    line = options.line_of("measures")
    if not isinstance(raw, Mapping) or not raw:
        raise ctx.error("'measures' must map measure names to limits, e.g. "
                        "{flesch-kincaid: {above-target: 1}}", line)
    allowed = MEASURES_FOR_SCOPE[scope]
    limits: dict[str, Limit] = {}
    for name, spec in raw.items():
        key_line = raw.line_of(name) if hasattr(raw, "line_of") else line
        if name not in allowed:
            raise ctx.error(
                f"unknown measure {name!r} for scope {scope!r} (expected: {', '.join(allowed)})",
                key_line,
            )
        if not isinstance(spec, Mapping) or len(spec) != 1 or next(iter(spec)) not in LIMIT_KEYS:
            raise ctx.error(
                f"measure {name!r} needs exactly one limit: above-target or max", key_line
            )
        kind, number = next(iter(spec.items()))
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise ctx.error(f"the {kind} limit of {name!r} must be a number", key_line)
        if kind == "above-target":
            if name not in GRADE_MEASURES:
                raise ctx.error(
                    f"'above-target' only applies to grades; use 'max' for {name!r}", key_line
                )
            limits[name] = Limit(above_target=float(number))
        else:
            limits[name] = Limit(maximum=float(number))
    return limits


def build(rule: Rule, options: Any, ctx: Any) -> MetricCheck:
    scope = options.get("scope")
    if scope not in SCOPES:
        raise ctx.error(
            f"'scope' must be one of {', '.join(SCOPES)}, not {scope!r}", options.line_of("scope")
        )
    for key, only in (("min-document-words", "section"), ("max-words", "sentence")):
        if key in options and scope != only:
            raise ctx.error(f"{key!r} only applies to scope: {only}", options.line_of(key))
    default_min = 0 if scope == "sentence" else FK_MIN_WORDS
    return MetricCheck(
        rule=rule,
        scope=scope,
        limits=_limits(options, scope, ctx),
        min_words=_number(options, "min-words", ctx, default_min),
        min_document_words=_number(options, "min-document-words", ctx, 0),
        max_words=_number(options, "max-words", ctx, 0) if "max-words" in options else None,
    )
