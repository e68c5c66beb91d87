"""Inline suppressions in Markdown/HTML comments.

    <!-- writer-disable-next-line HW101 -- quoting the clinic's own advert -->
    <!-- writer-disable HW101, plain-language -- glossary section -->  ...  <!-- writer-enable -->
    <!-- writer-disable-file missing-regulatory-caveat -- covered by the series intro -->

A suppression must name at least one rule (code, name or category) and give a reason after
``--``. Suppressions that silence nothing are reported, so stale ones do not pile up.
"""

from __future__ import annotations

import re

from writer.document.model import Document
from writer.rules.model import selector_matches

DIRECTIVE_RE = re.compile(
    r"^\s*writer-(disable-next-line|disable-file|disable|enable)\b(.*)$", re.DOTALL
)


class Suppression:
    """One directive. (Plain classes here: internal, and a dataclass costs ~0.3 ms of every
    start-up to create. Compared by identity: no two come from the same comment.)"""

    __slots__ = (
        "directive", "end", "first_line", "last_line", "reason", "selectors", "start", "used"
    )

    def __init__(
        self,
        directive: str,  # next-line | file | block
        selectors: tuple[str, ...],
        reason: str,
        start: int,  # comment's source span
        end: int,
        # lines (1-based, inclusive) the suppression covers
        first_line: int = 1,
        last_line: int = 10**9,
        used: set[str] | None = None,
    ) -> None:
        self.directive = directive
        self.selectors = selectors
        self.reason = reason
        self.start = start
        self.end = end
        self.first_line = first_line
        self.last_line = last_line
        self.used: set[str] = set() if used is None else used

    def covers(self, line: int, code: str, name: str, category: str) -> bool:
        if not self.first_line <= line <= self.last_line:
            return False
        return any(selector_matches(sel, code, name, category) for sel in self.selectors)


class ParsedSuppressions:
    __slots__ = ("items", "problems")

    def __init__(
        self,
        items: list[Suppression],
        problems: list[tuple[int, int, str]],  # (start, end, message) for malformed directives
    ) -> None:
        self.items = items
        self.problems = problems


def _split(rest: str) -> tuple[tuple[str, ...], str]:
    rules_part, _, reason = rest.partition("--")
    selectors = tuple(s for s in re.split(r"[\s,]+", rules_part.strip()) if s)
    return selectors, reason.strip()


def parse(doc: Document) -> ParsedSuppressions:
    items: list[Suppression] = []
    problems: list[tuple[int, int, str]] = []
    open_blocks: list[Suppression] = []
    lines = doc.source.splitlines()  # once: a long draft may hold many suppressions
    last_line = len(lines) or 1
    for comment in doc.comments:
        match = DIRECTIVE_RE.match(comment.text)
        if not match:
            continue
        kind, rest = match.group(1), match.group(2)
        selectors, reason = _split(rest)
        line, _ = doc.position(comment.start)
        end_line, _ = doc.position(max(comment.start, comment.end - 1))
        if kind == "enable":
            if not open_blocks:
                problems.append(
                    (comment.start, comment.end, "writer-enable without writer-disable")
                )
                continue
            closing = [b for b in open_blocks if not selectors or set(b.selectors) & set(selectors)]
            for block in closing or open_blocks[-1:]:
                block.last_line = line
                open_blocks.remove(block)
            continue
        if not selectors or "ALL" in selectors:
            # Naming rules is the point: a blanket "ALL" would switch off the checks that
            # protect readers (the one selector suppressions do not share with --ignore).
            problems.append(
                (comment.start, comment.end, f"writer-{kind} must name the rule(s) it silences")
            )
            continue
        if not reason:
            problems.append(
                (comment.start, comment.end, f"writer-{kind} needs a reason after '--'")
            )
            continue
        item = Suppression(
            directive={"disable-next-line": "next-line", "disable-file": "file"}.get(kind, "block"),
            selectors=selectors,
            reason=reason,
            start=comment.start,
            end=comment.end,
        )
        if item.directive == "next-line":
            target = _next_prose_line(lines, end_line)
            item.first_line, item.last_line = line, target
        elif item.directive == "block":
            item.first_line, item.last_line = line, last_line
            open_blocks.append(item)
        items.append(item)
    return ParsedSuppressions(items, problems)


def _next_prose_line(lines: list[str], after: int) -> int:
    """The first non-blank line after ``after`` (the line the suppression is for)."""
    for number in range(after + 1, len(lines) + 1):
        if lines[number - 1].strip():
            return number
    return after + 1
