"""LanguageTool counts offsets in UTF-16 code units (it is Java); Python counts code points.

An emoji or other character outside the Basic Multilingual Plane is one Python character but
two UTF-16 units, so every offset after it would be off by one if used as is. We also send
several blocks in one request, joined by a blank line, and must split the answer back.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

SEPARATOR = "\n\n"  # between blocks in one request: LanguageTool sees separate paragraphs


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Utf16Index:
    """Converts UTF-16 offsets into one text to Python string indexes."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        # UTF-16 offset just past each astral character, in order.
        self._ends: list[int] = []
        extra = 0
        for index, char in enumerate(text):
            if ord(char) > 0xFFFF:
                extra += 1
                self._ends.append(index + 1 + extra)

    def to_index(self, unit: int) -> int:
        if not self._ends:
            return min(unit, self.length)
        return min(unit - bisect.bisect_right(self._ends, unit), self.length)


@dataclass
class Batch:
    """Texts sent in one request, and where each starts in UTF-16 units of the joined text."""

    texts: list[str]
    starts: list[int]
    lengths: list[int]
    _indexes: dict[int, Utf16Index] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return SEPARATOR.join(self.texts)

    def locate(self, offset: int, length: int) -> tuple[int, int, int] | None:
        """(text number, start, end) in Python indexes of that text, or None when the span
        is not inside one text (it crosses or sits on a separator)."""
        number = bisect.bisect_right(self.starts, offset) - 1
        if number < 0 or length < 0:
            return None
        relative = offset - self.starts[number]
        if relative + length > self.lengths[number] or relative > self.lengths[number]:
            return None
        index = self._indexes.get(number)
        if index is None:
            index = self._indexes[number] = Utf16Index(self.texts[number])
        return number, index.to_index(relative), index.to_index(relative + length)


def batches(texts: Sequence[str], max_units: int) -> list[Batch]:
    """Group texts into requests of at most ``max_units`` UTF-16 units (a longer text goes
    alone): fewer round trips than one request per paragraph, bounded request size."""
    result: list[Batch] = []
    current: Batch | None = None
    position = 0
    for text in texts:
        size = utf16_len(text)
        if current is None or position + len(SEPARATOR) + size > max_units:
            current = Batch([], [], [])
            result.append(current)
            position = 0
        elif current.texts:
            position += len(SEPARATOR)
        current.texts.append(text)
        current.starts.append(position)
        current.lengths.append(size)
        position += size
    return result
