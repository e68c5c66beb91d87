"""The prose a rule sees, with every character mapped back to the original file.

Readers (Markdown, HTML, plain text) strip markup and drop what is not the author's prose
(code, comments, URLs, front matter). Each remaining block keeps, for every character of its
text, the offset of that character in the original source, so a finding on the prose can be
reported at an exact line and column of the file the writer edits.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property


@dataclass
class Block:
    """A unit of prose: a paragraph, heading, list item, table cell or quote paragraph.

    ``offsets[i]`` is the source offset of ``text[i]``; ``offsets`` has one extra entry, the
    source offset just past the block, so ``offsets[len(text)]`` is valid.
    """

    kind: str
    text: str
    offsets: Sequence[int]
    level: int = 0  # heading level (1-6), 0 for other blocks
    section: int = 0  # index of the section (heading-delimited) this block belongs to

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets [start, end) of text[start:end] (end exclusive)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


@dataclass
class Sentence:
    """A sentence inside a block; ``start``/``end`` index into ``block.text``."""

    block: Block
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.block.text[self.start : self.end]

    def source_span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Source span of text[start:end] relative to this sentence."""
        stop = self.end if end is None else self.start + end
        return self.block.source_span(self.start + start, stop)


@dataclass
class Comment:
    """A comment in the source (HTML or Markdown ``<!-- -->``): where suppressions live."""

    text: str
    start: int
    end: int


@dataclass
class Document:
    """One draft: its source text, the prose blocks and the comments found in it."""

    path: str
    source: str
    format: str  # "markdown", "html" or "text"
    blocks: list[Block] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        find = self.source.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset; columns count characters."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        """The source line (1-based) without its line ending."""
        starts = self._line_starts
        begin = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.source)
        return self.source[begin:end].rstrip("\r")

    @cached_property
    def sentences(self) -> list[Sentence]:
        from writer.document.sentences import split_block

        result: list[Sentence] = []
        for block in self.blocks:
            result.extend(split_block(block))
        return result

    @cached_property
    def prose(self) -> str:
        """All prose, blocks separated by blank lines (for document-level measures)."""
        return "\n\n".join(block.text for block in self.blocks)

    @property
    def word_count(self) -> int:
        return sum(len(block.text.split()) for block in self.blocks)
