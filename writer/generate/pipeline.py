"""Render, then lint the result with the project's own rules.

A template or facts bug must not ship a guarantee or drop a caveat: error-level findings in
the generated text make generation fail (the CLI then writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from writer.diagnostics import Diagnostic, Severity
from writer.generate import FORMATS
from writer.generate.model import Facts
from writer.generate.render import checked_ruleset, render

# A Cochrane plain-language summary is 400 to 850 words.
SUMMARY_WORDS = (400, 850)


@dataclass
class Generated:
    text: str
    format: str  # "md" or "html"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= Severity.ERROR]


def prose_words(text: str, fmt: str) -> int:
    """Words of prose as the linter reads them (markup, URLs and code not counted)."""
    from writer.document.readers import read_document

    return read_document("<generated>", text, FORMATS[fmt]).word_count


def generate(
    facts: Facts,
    template: str,
    fmt: str,
    user_dir: Path | None = None,
    path: str = "<generated>",
) -> Generated:
    from writer.api import lint_text
    from writer.config import Settings

    text = render(facts, template, fmt, user_dir)
    settings = Settings(audience=facts.audience)
    diagnostics = lint_text(
        text, FORMATS[fmt], path=path, settings=settings, ruleset=checked_ruleset()
    )
    result = Generated(text, fmt, diagnostics)
    if template == "summary":
        words = prose_words(text, fmt)
        low, high = SUMMARY_WORDS
        if not low <= words <= high:
            result.notes.append(
                f"the summary has {words} words; a plain-language summary should have "
                f"{low} to {high} (add or trim facts)"
            )
    return result
