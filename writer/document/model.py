"""The prose a rule sees, with every character mapped back to the original file.

Readers (Markdown, HTML, plain text) strip markup and drop what is not the author's prose
(code, comments, URLs, front matter). Each remaining block keeps, for every character of its
text, the offset of that character in the original source, so a finding on the prose can be
reported at an exact line and column of the file the writer edits.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import overload


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
        """Source offsets [start, end) of text[start:end] (end exclusive).

        A character written as several source characters (``&amp;`` for ``&``) ends where
        its source form ends, so a fix replaces the whole entity.
        """
        if end <= start:
            return self.offsets[start], self.offsets[start]
        char_end = getattr(self.offsets, "char_end", None)
        stop = char_end(end - 1) if char_end is not None else self.offsets[end - 1] + 1
        return self.offsets[start], stop


class Sentence:
    """A sentence inside a block; ``start``/``end`` index into ``block.text``.

    ``text`` is sliced once, when the sentence is made: rules read it tens of thousands of
    times per run, and a property sliced the block again on every read. So that it can
    never go stale, a sentence cannot be changed after it is made (make a new one).
    """

    __slots__ = ("block", "end", "start", "text")
    block: Block
    start: int
    end: int
    text: str

    def __init__(self, block: Block, start: int, end: int) -> None:
        _set_block(self, block)
        _set_start(self, start)
        _set_end(self, end)
        _set_text(self, block.text[start:end])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Sentence is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Sentence is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sentence):
            return NotImplemented
        return (self.block, self.start, self.end) == (other.block, other.start, other.end)

    __hash__ = None  # type: ignore[assignment]  # equal by value, like the Block it holds

    def __reduce__(self) -> tuple[type[Sentence], tuple[Block, int, int]]:
        return Sentence, (self.block, self.start, self.end)  # copy and pickle via __init__

    def __repr__(self) -> str:
        return f"Sentence(start={self.start}, end={self.end}, text={self.text!r})"

    def source_span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Source span of text[start:end] relative to this sentence."""
        stop = self.end if end is None else self.start + end
        return self.block.source_span(self.start + start, stop)


# The slots' own setters: ``__init__`` fills the slots through them, past ``__setattr__``.
_set_block = vars(Sentence)["block"].__set__
_set_start = vars(Sentence)["start"].__set__
_set_end = vars(Sentence)["end"].__set__
_set_text = vars(Sentence)["text"].__set__


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

    def sections(self) -> list[Section]:
        """The blocks grouped under their headings, in order."""
        return _sections(self)

    def assign_sections(self) -> None:
        """Set every block's ``section`` from the headings (readers call this last)."""
        assign_sections(self.blocks)


@dataclass
class Section:
    """A heading and the blocks under it (index 0: the part before the first heading)."""

    index: int
    title: str  # the heading's text; "" for section 0
    level: int  # heading level 1-6; 0 for section 0
    blocks: list[Block] = field(default_factory=list)  # the heading block first, if any


def _sections(doc: Document) -> list[Section]:
    sections: list[Section] = []
    for block in doc.blocks:
        if not sections or block.section != sections[-1].index:
            heading = block.kind == "heading"
            sections.append(
                Section(
                    block.section,
                    block.text if heading else "",
                    block.level if heading else 0,
                )
            )
        sections[-1].blocks.append(block)
    return sections


def assign_sections(blocks: Sequence[Block]) -> None:
    """Number heading-delimited sections: 0 before the first heading, then one per heading.

    Rules about structure (a caveat "near the top", a summary per section) need to know
    which heading a paragraph sits under without re-reading the markup.
    """
    section = 0
    for block in blocks:
        if block.kind == "heading":
            section += 1
        block.section = section


class OffsetMap(Sequence[int]):
    """The source offset of every character of a block's text, stored as runs.

    Prose is mostly copied verbatim from the source, so neighbouring characters sit at
    neighbouring offsets. One (text start, source start, source end) triple per run instead
    of one integer per character keeps memory near the size of the draft even for a 10 MB
    file. ``len(m) == len(text) + 1``: the extra entry is the offset just past the block.
    ``char_end(i)`` is where character ``i`` ends in the source: one past it, or past the
    whole entity (``&amp;``) it was decoded from.
    """

    __slots__ = ("_end", "_k", "_n", "_runs")

    def __init__(
        self, t: Sequence[int], s: Sequence[int], e: Sequence[int], n: int, end: int
    ) -> None:
        # One array [t..., s..., e...]: a block usually has a single run, and one array
        # object costs less than three.
        self._runs = array("q", t)
        self._runs.extend(s)
        self._runs.extend(e)
        self._k = len(t)
        self._n = n
        self._end = end

    @classmethod
    def verbatim(cls, start: int, n: int) -> OffsetMap:
        """The map of ``n`` characters copied verbatim from ``start``: one run, built
        directly (most blocks of a draft)."""
        m = cls.__new__(cls)
        m._runs = array("q", (0, start, start + n))
        m._k = 1
        m._n = n
        m._end = start + n
        return m

    @classmethod
    def from_offsets(
        cls, offsets: Sequence[int], ends: Sequence[int] | None = None, end: int | None = None
    ) -> OffsetMap:
        """Compress per-character offsets (and optional per-character source ends)."""
        t: list[int] = []
        s: list[int] = []
        e: list[int] = []
        for i, off in enumerate(offsets):
            stop = ends[i] if ends is not None else off + 1
            if e and e[-1] == off and e[-1] - s[-1] == i - t[-1]:
                e[-1] = stop
            else:
                t.append(i)
                s.append(off)
                e.append(stop)
        if end is None:
            end = e[-1] if e else 0
        return cls(t, s, e, len(offsets), end)

    def __len__(self) -> int:
        return self._n + 1

    def _index(self, i: int) -> int:
        if i < 0:
            i += self._n + 1
        if not 0 <= i <= self._n:
            raise IndexError("offset index out of range")
        return i

    @overload
    def __getitem__(self, i: int) -> int: ...

    @overload
    def __getitem__(self, i: slice) -> list[int]: ...

    def __getitem__(self, i: int | slice) -> int | list[int]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n + 1))]
        i = self._index(i)
        if i == self._n:
            return self._end
        runs, k = self._runs, self._k
        r = bisect.bisect_right(runs, i, 0, k) - 1
        return runs[k + r] + i - runs[r]

    def char_end(self, i: int) -> int:
        """Source offset just past text character ``i``."""
        i = self._index(i)
        if i == self._n:
            return self._end
        runs, k = self._runs, self._k
        r = bisect.bisect_right(runs, i, 0, k) - 1
        last = (runs[r + 1] if r + 1 < k else self._n) - 1
        return runs[2 * k + r] if i == last else runs[k + r] + i - runs[r] + 1

    def __iter__(self) -> Iterator[int]:
        runs, k, n = self._runs, self._k, self._n
        for r in range(k):
            stop = runs[r + 1] if r + 1 < k else n
            yield from range(runs[k + r], runs[k + r] + stop - runs[r])
        yield self._end

    def ends(self) -> list[int]:
        """Per-character source ends (see :meth:`char_end`)."""
        return [self.char_end(i) for i in range(self._n)]

    def remap(self, convert: Callable[[int], int]) -> OffsetMap:
        """The same map with every source offset passed through ``convert`` (used when a
        fragment was parsed on its own, e.g. an HTML block inside Markdown)."""
        offsets = [convert(o) for o in self[: self._n]]
        ends = [convert(o - 1) + 1 for o in self.ends()]
        end = convert(self._end - 1) + 1 if self._n else convert(self._end)
        return OffsetMap.from_offsets(offsets, ends, end)

    @property
    def runs(self) -> int:
        """Number of stored runs (for measuring memory use)."""
        return self._k

    def __repr__(self) -> str:
        return f"OffsetMap({list(self)!r})"


# Characters that close a phrase: a space left in front of them by a removed URL or code
# span is dropped ("see https://x.org." reads "see.").
_CLOSERS = frozenset(".,;:!?)]}\u201d\u2019")
_URL_PATTERN = (
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"`]+"  # URLs
    r"|(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"  # e-mail addresses
)
_URL_TRAIL = ".,;:!?'\"*_)]}\u201d\u2019>"


@lru_cache(maxsize=1)
def _url_re() -> re.Pattern[str]:
    """Compiled on first use (~0.7 ms): most drafts have no URL for the hint to find."""
    return re.compile(_URL_PATTERN, re.IGNORECASE)


def url_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of bare URLs and e-mail addresses in ``text``: never prose.

    Trailing punctuation is left as prose ("see www.x.org." keeps the full stop); a closing
    bracket stays in the URL only if the URL opened one (Wikipedia-style links).
    """
    # Substring tests: 8x faster than one regex over every block. "www." in any case needs
    # "w." or "W." (only "W" lower-cases to "w"): rare, so the lower-cased copy is seldom made.
    if (
        "@" not in text
        and "://" not in text
        and (("w." not in text and "W." not in text) or "www." not in text.lower())
    ):
        return []
    spans = []
    for match in _url_re().finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAIL:
            if text[end - 1] == ")" and text.count("(", start, end) >= text.count(")", start, end):
                break
            end -= 1
        spans.append((start, end))
    return spans


class BlockBuilder:
    """Collects one block's prose piece by piece, with the source offset of each piece.

    Readers call :meth:`add` for text copied verbatim from the source, :meth:`add_char` for
    a character standing for other source text (an entity), :meth:`add_space` for a space
    that stands for a line break or tag, and :meth:`gap` where non-prose (code, an image)
    was left out. :meth:`build` drops URLs and e-mail addresses, tidies the spaces around
    what was removed and trims the ends, keeping every offset exact.
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._t: list[int] = []
        self._s: list[int] = []
        self._e: list[int] = []
        self._n = 0
        self._gaps: list[int] = []
        self.last = ""  # the last character added ("" when empty)

    def __len__(self) -> int:
        return self._n

    def add(self, text: str, start: int) -> None:
        """``text`` appears verbatim in the source at ``start``."""
        n = len(text)
        if not n:
            return
        e = self._e
        if e and e[-1] == start and e[-1] - self._s[-1] == self._n - self._t[-1]:
            e[-1] = start + n
        else:
            self._t.append(self._n)
            self._s.append(start)
            e.append(start + n)
        self._parts.append(text)
        self._n += n
        self.last = text[-1]

    def add_char(self, text: str, start: int, end: int) -> None:
        """``text`` (one or two characters) stands for ``source[start:end]``."""
        for k, ch in enumerate(text):
            self._t.append(self._n)
            self._s.append(start + k)
            self._e.append(end if k == len(text) - 1 else start + k + 1)
            self._parts.append(ch)
            self._n += 1
        if text:
            self.last = text[-1]

    def add_space(self, at: int) -> None:
        """A space standing for a line break or a tag at ``at`` (none at the start or twice)."""
        if self._n and not self.last.isspace():
            self.add_char(" ", at, at + 1)

    def gap(self) -> None:
        """Something that is not prose was left out here."""
        self._gaps.append(self._n)

    @staticmethod
    def verbatim(text: str, start: int, kind: str, level: int = 0) -> Block | None:
        """The block of ``text`` found verbatim at ``start`` in the source: what :meth:`add`
        then :meth:`build` make, without collecting it piece by piece when there is
        nothing to cut or trim (a line of plain prose, most blocks of a draft)."""
        if text and not text[0].isspace() and not text[-1].isspace() and not url_spans(text):
            return Block(kind, text, OffsetMap.verbatim(start, len(text)), level)
        out = BlockBuilder()
        out.add(text, start)
        return out.build(kind, level)

    def build(self, kind: str, level: int = 0) -> Block | None:
        """The finished block, or None when it holds no prose."""
        text = "".join(self._parts)
        if not text or text.isspace():
            return None
        urls = url_spans(text)
        if not urls and not self._gaps and not text[0].isspace() and not text[-1].isspace():
            # The common case (nothing to cut or trim): the runs as collected.
            offsets = OffsetMap(self._t, self._s, self._e, len(text), self._e[-1])
            return Block(kind=kind, text=text, offsets=offsets, level=level)
        runs = _Runs(self._t, self._s, self._e)
        if urls or self._gaps:
            cuts = _moved(sorted({*self._gaps, *(p for span in urls for p in span)}), urls)
            text, runs = runs.cut(text, urls)
            text, runs = runs.cut(text, _spaces_to_drop(text, cuts))
        lead = len(text) - len(text.lstrip())
        trail = len(text.rstrip())
        if lead or trail < len(text):
            text, runs = runs.cut(text, [(0, lead), (trail, len(text))])
        if not text:
            return None
        offsets = OffsetMap(runs.t, runs.s, runs.e, len(text), runs.e[-1])
        return Block(kind=kind, text=text, offsets=offsets, level=level)


class _Runs:
    """Runs of a text being built: (text start, source start, source end) per run.

    (A plain class: internal, and a dataclass costs ~0.3 ms of every start-up to create.)
    """

    __slots__ = ("e", "s", "t")

    def __init__(self, t: list[int], s: list[int], e: list[int]) -> None:
        self.t = t
        self.s = s
        self.e = e

    def cut(self, text: str, ranges: list[tuple[int, int]]) -> tuple[str, _Runs]:
        """Remove text[a:b] for sorted (a, b) ranges; the offsets of the rest are kept."""
        ranges = [(a, b) for a, b in ranges if b > a]
        if not ranges:
            return text, self
        keeps = []
        pos = 0
        for a, b in ranges:
            if a > pos:
                keeps.append((pos, a))
            pos = max(pos, b)
        if pos < len(text):
            keeps.append((pos, len(text)))
        t, s, e = self.t, self.s, self.e
        k, n = len(t), len(text)
        out = _Runs([], [], [])
        parts = []
        size = 0
        run = 0
        for a, b in keeps:
            parts.append(text[a:b])
            while run + 1 < k and t[run + 1] <= a:
                run += 1
            x = a
            while x < b:
                run_end = t[run + 1] if run + 1 < k else n
                y = min(b, run_end)
                start = s[run] + x - t[run]
                end = e[run] if y == run_end else s[run] + y - t[run]
                if out.e and out.e[-1] == start and out.e[-1] - out.s[-1] == size - out.t[-1]:
                    out.e[-1] = end
                else:
                    out.t.append(size)
                    out.s.append(start)
                    out.e.append(end)
                size += y - x
                x = y
                if y == run_end and run + 1 < k:
                    run += 1
        return "".join(parts), out


def _moved(points: list[int], removed: list[tuple[int, int]]) -> list[int]:
    """Where ``points`` land once the ``removed`` ranges are cut out of the text."""
    result = []
    shift = 0
    index = 0
    for point in points:
        while index < len(removed) and removed[index][1] <= point:
            shift += removed[index][1] - removed[index][0]
            index += 1
        inside = index < len(removed) and removed[index][0] < point
        result.append((removed[index][0] if inside else point) - shift)
    return result


def _spaces_to_drop(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Where something was cut out: no double space, and no space before a full stop."""
    drop = set()
    for j in cuts:
        if 0 < j <= len(text) and text[j - 1].isspace():
            if j < len(text) and text[j].isspace():
                drop.add(j)
            elif j == len(text) or text[j] in _CLOSERS:
                drop.add(j - 1)
    return [(i, i + 1) for i in sorted(drop)]
