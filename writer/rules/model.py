"""What a rule is, what a check returns, and the context a check runs in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from writer.diagnostics import Fix, Severity
from writer.document.model import Document


@dataclass
class Finding:
    """What a check reports: a source span and, optionally, a more specific message."""

    start: int
    end: int
    message: str | None = None  # None: the rule's own message
    suggestion: str | None = None
    fix: Fix | None = None


@dataclass
class LintContext:
    """Settings a check may read (the resolved configuration for the file being linted)."""

    target_grade: float = 8.0
    audience: str = "general"
    # Free-form per-kind settings from config (e.g. the caveat insertion position).
    options: Mapping[str, Any] = field(default_factory=dict)


class Check(Protocol):
    """A compiled rule: looks at a document, yields findings."""

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]: ...


def selector_matches(selector: str, code: str, name: str, category: str) -> bool:
    """A selector names a code, a code prefix (``HW1``), a rule name, a category or ``ALL``:
    the same meaning in --select/--ignore, the configuration and inline suppressions."""
    return (
        selector in (code, name, category, "ALL")
        or (selector[:2].isalpha() and code.startswith(selector))
    )


@dataclass
class Example:
    """A rule example. ``spans`` (substrings) and ``fixed`` make the assertion precise."""

    text: str
    spans: list[str] | None = None
    fixed: str | None = None
    format: str = "markdown"
    line: int = 0


@dataclass
class Rule:
    """One rule from a pack: metadata shared by all kinds plus the compiled check."""

    code: str
    name: str
    kind: str
    category: str
    severity: Severity
    message: str
    why: str
    source: str
    pack: str
    origin: str  # "file:line" where the rule is defined
    suggestion: str | None = None
    flagged: list[Example] = field(default_factory=list)
    passing: list[Example] = field(default_factory=list)
    options: Mapping[str, Any] = field(default_factory=dict)
    check: Check | None = None

    def matches(self, selector: str) -> bool:
        return selector_matches(selector, self.code, self.name, self.category)


@dataclass
class RuleSet:
    rules: list[Rule]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def find(self, key: str) -> Rule | None:
        for rule in self.rules:
            if key in (rule.code, rule.name):
                return rule
        return None

    def knows(self, selector: str) -> bool:
        return any(rule.matches(selector) for rule in self.rules)
