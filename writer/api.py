"""A small Python API: lint a string with the built-in rules (used by the generator)."""

from __future__ import annotations

from functools import lru_cache

from writer.config import Settings
from writer.diagnostics import Diagnostic
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.rules.model import RuleSet
from writer.rules.packs import load_rules


@lru_cache(maxsize=1)
def builtin_ruleset() -> RuleSet:
    ruleset, errors = load_rules()
    if errors:
        raise RuntimeError("built-in rule packs are broken: " + "; ".join(map(str, errors)))
    return ruleset


def lint_text(
    text: str,
    fmt: str = "markdown",
    path: str = "<text>",
    settings: Settings | None = None,
    ruleset: RuleSet | None = None,
) -> list[Diagnostic]:
    """Diagnostics for a draft held in memory."""
    doc = read_document(path, text, fmt)
    return lint_document(doc, ruleset or builtin_ruleset(), settings or Settings())
