"""Apply fix edits to a source text (used by --fix and by the rule-example tests)."""

from __future__ import annotations

from collections.abc import Iterable

from writer.diagnostics import Edit


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; later edits that overlap an applied one are skipped."""
    result: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor:
            continue
        result.append(source[cursor : edit.start])
        result.append(edit.text)
        cursor = edit.end
    result.append(source[cursor:])
    return "".join(result)
