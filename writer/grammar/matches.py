"""LanguageTool's matches, read from its JSON and turned into findings on the source."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from writer.diagnostics import Edit, Fix
from writer.document.model import Block
from writer.grammar.offsets import Batch
from writer.rules.model import Finding

MAX_SUGGESTIONS = 5
_SPELLER_PREFIXES = ("MORFOLOGIK_RULE", "HUNSPELL")
# LanguageTool marks suggestions inside messages like this in some versions and outputs.
_OPEN_TAG = re.compile(r"<suggestion>")
_CLOSE_TAG = re.compile(r"</suggestion>")


@dataclass(frozen=True)
class Match:
    """One LanguageTool match; ``start``/``end`` are Python indexes into the block text."""

    start: int
    end: int
    rule_id: str
    message: str
    replacements: tuple[str, ...]
    category: str
    issue_type: str

    @property
    def is_spelling(self) -> bool:
        """An unknown-word match (the only kind the vocabulary silences). Not issueType
        "misspelling" alone: LanguageTool also gives that to grammar rules such as a/an."""
        return self.category == "TYPOS" or self.rule_id.startswith(_SPELLER_PREFIXES)


def _match(raw: Mapping[str, Any], start: int, end: int) -> Match | None:
    rule = raw.get("rule")
    if not isinstance(rule, Mapping) or not isinstance(rule.get("id"), str):
        return None
    category = rule.get("category")
    replacements = raw.get("replacements")
    values = tuple(
        item["value"]
        for item in (replacements if isinstance(replacements, list) else ())
        if isinstance(item, Mapping) and isinstance(item.get("value"), str)
    )
    message = raw.get("message") if isinstance(raw.get("message"), str) else ""
    message = message or (raw.get("shortMessage") or "") or str(rule.get("description", ""))
    return Match(
        start=start,
        end=end,
        rule_id=rule["id"],
        message=_CLOSE_TAG.sub("\u201d", _OPEN_TAG.sub("\u201c", message)).strip(),
        replacements=values,
        category=str(category.get("id", "")) if isinstance(category, Mapping) else "",
        issue_type=str(rule.get("issueType", "")),
    )


def split_response(response: Mapping[str, Any], batch: Batch) -> list[list[Match]]:
    """Matches of one answer, per text of the batch. Malformed matches are skipped, and so
    are matches that straddle two blocks (they could not be placed in either)."""
    per_text: list[list[Match]] = [[] for _ in batch.texts]
    for raw in response.get("matches", ()):
        if not isinstance(raw, Mapping):
            continue
        offset, length = raw.get("offset"), raw.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            continue
        located = batch.locate(offset, length)
        if located is None:
            continue
        number, start, end = located
        match = _match(raw, start, end)
        if match is not None:
            per_text[number].append(match)
    return per_text


def _quote(value: str) -> str:
    return f"\u201c{value}\u201d" if value.strip() else "(remove it)"


def to_finding(block: Block, match: Match) -> Finding:
    """A finding on the source: LanguageTool's rule id in the message (so users can disable
    it), its replacements as the suggestion, and an unsafe fix when there is exactly one
    replacement and the span is plain text in the source (no markup inside it)."""
    start, end = block.source_span(match.start, match.end)
    message = f"{match.message or 'LanguageTool reports a problem here.'} [{match.rule_id}]"
    suggestion = None
    if match.replacements:
        shown = ", ".join(_quote(v) for v in match.replacements[:MAX_SUGGESTIONS])
        more = len(match.replacements) - MAX_SUGGESTIONS
        suggestion = f"replace with {shown}" + (f" (or {more} more)" if more > 0 else "")
    fix = None
    if len(match.replacements) == 1 and _contiguous(block, match.start, match.end):
        value = match.replacements[0]
        fix = Fix(
            edits=(Edit(start, end, value),),
            safe=False,  # grammar suggestions can change meaning: never applied silently
            description=f"replace with {_quote(value)} (LanguageTool {match.rule_id})",
        )
    return Finding(start, end, message=message, suggestion=suggestion, fix=fix)


def _contiguous(block: Block, start: int, end: int) -> bool:
    offsets = block.offsets
    return end > start and all(offsets[i + 1] == offsets[i] + 1 for i in range(start, end - 1))
