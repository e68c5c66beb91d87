"""Split a prose block into sentences with exact character spans.

pysbd (a port of the Golden Rules sentence segmenter) handles the hard cases: abbreviations
(Dr., e.g., U.S., vs.), decimals (2.5 mg, 3.4%), initials, quotes and brackets. It is slow,
and its time grows faster than the length of what it is given, so it only sees what needs
it: a block is first cut where a boundary is certain (a lowercase word that is not an
abbreviation, then ``.``, ``!`` or ``?``, a space and a capital letter), and only the pieces
that still hold a possible boundary go to pysbd, in pieces of at most ``MAX_PIECE``
characters. Reading a draft therefore takes time in proportion to its length.

pysbd's character spans are checked against the text; when one does not match (pysbd
sometimes rewrites or drops text) the sentence is found again by searching forward, and any
text left uncovered becomes a sentence of its own, so the sentences always tile the block.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.document.model import Block, Sentence

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_PIECE = 2000  # longest text given to pysbd at once (its cost grows faster than linearly)
# Anything that might end a sentence inside a text: terminal punctuation, optional closing
# quotes or brackets, then a space.
CANDIDATE = re.compile(r"[.!?\u2026\u203d]+[\"'\u201d\u2019)\]]*\s")
# A boundary no reading could doubt: terminal punctuation, optional closing quotes or
# brackets, spaces and a capital letter; the word before it is checked in _certain_cuts
# (letters only and lower-case before a full stop, and not an abbreviation). Anchored on the
# punctuation rather than the word, re skips straight to it (5x faster than matching words).
CERTAIN_END = re.compile(r"([.!?]+)[\"'\u201d\u2019)\]]*(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z])")
_WORD = re.compile(r"\w*")
_LOWER_WORD = re.compile(r"[a-z]{2,}")
FINAL = ".!?\u2026\u203d:;"
CLOSING = "\"'\u201d\u2019)]}\u00bb*_"
ONE_SENTENCE_KINDS = {"heading", "list_item", "table_cell"}


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


_first_segment = True


def _pysbd_version() -> str:
    import pysbd

    return str(pysbd.__version__)


def _segment(piece: str) -> list[Any]:
    """pysbd's spans for ``piece``; its first use in a process has the regexes it compiled
    last time put in ``re``'s cache, most of its start-up (see library_regexes)."""
    global _first_segment
    if not _first_segment:
        return _segmenter().segment(piece)
    from writer.document.library_regexes import library_regexes

    with library_regexes("pysbd", _pysbd_version):
        spans: list[Any] = _segmenter().segment(piece)
    _first_segment = False
    return spans


# Where pysbd keeps the English abbreviation lists, and the three lists used here.
_ABBREVIATION_SOURCE = ("lang", "common", "standard.py")
_ABBREVIATION_LISTS = ("ABBREVIATIONS", "PREPOSITIVE_ABBREVIATIONS", "NUMBER_ABBREVIATIONS")


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    """pysbd's English abbreviations (Dr, e.g, vs ...), lower-cased.

    Read from pysbd's source file rather than by importing it: importing any part of pysbd
    loads its whole segmenter and every language (~10 ms of start-up), and most drafts
    never need the segmenter itself, only this list. Falls back to the import if the file
    is not where pysbd 0.3 keeps it.
    """
    words = _abbreviations_from_source()
    if words is not None:
        return words
    from pysbd.lang.english import English

    abbreviation = English.Abbreviation
    return frozenset(
        word.lower()
        for name in _ABBREVIATION_LISTS
        for word in getattr(abbreviation, name)
    )


def _abbreviations_from_source() -> frozenset[str] | None:
    """The lists as written in pysbd's ``standard.py`` (literal lists of quoted words)."""
    import importlib.util
    import os

    try:
        spec = importlib.util.find_spec("pysbd")
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    path = os.path.join(os.path.dirname(spec.origin), *_ABBREVIATION_SOURCE)
    get_data = getattr(spec.loader, "get_data", None)
    try:
        source = (get_data(path) if get_data is not None else Path(path).read_bytes()).decode()
    except (OSError, UnicodeDecodeError):
        return None
    words: set[str] = set()
    for name in _ABBREVIATION_LISTS:
        found = re.search(rf"^\s*{name} = \[([^\]]*)\]", source, re.MULTILINE)
        if found is None:
            return None
        items = re.findall(r"'([^'\\]*)'", found.group(1))
        if not items:
            return None
        words.update(word.lower() for word in items)
    return frozenset(words)


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=1)
def _quoting() -> tuple[re.Pattern[str], ...]:
    """pysbd's own patterns for text between quotes, brackets and double dashes."""
    from pysbd.between_punctuation import BetweenPunctuation as B

    return tuple(
        re.compile(pattern)
        for pattern in (
            B.BETWEEN_SINGLE_QUOTES_REGEX,
            B.BETWEEN_SINGLE_QUOTE_SLANTED_REGEX,
            B.BETWEEN_DOUBLE_QUOTES_REGEX_2,
            B.BETWEEN_SQUARE_BRACKETS_REGEX_2,
            B.BETWEEN_PARENS_REGEX_2,
            B.BETWEEN_QUOTE_ARROW_REGEX_2,
            B.BETWEEN_EM_DASHES_REGEX_2,
            B.BETWEEN_QUOTE_SLANTED_REGEX_2,
        )
    )


# Every one of pysbd's quoting patterns starts with one of these: ``"``, ``[``, ``(``, ``\u00ab``,
# ``\u201c``, ``--``, or ``'``/``\u2018`` after a space. A text without them has no quoted span,
# and the eight patterns need not run. Written to start with one character class (checked
# behind it) so that re skips straight to candidates: a top-level alternation costs 6x.
_QUOTE_OPENERS = re.compile(
    r"[\"\[(\u00ab\u201c'\u2018-](?:(?<=[\"\[(\u00ab\u201c])|(?<=--)|(?<=\s['\u2018]))"
)
_SINGLE_QUOTED_WORD = re.compile(r"(?<=\s)'(?:[^']|'[a-zA-Z])*'\S")
# A letter or digit (str.isalnum, as one regex search instead of a loop over characters).
_ALNUM = re.compile(r"[^\W_]")


def _quoted(text: str) -> list[tuple[int, int]]:
    """Spans pysbd never splits inside (a quotation, a bracket): no certain cut there."""
    if _QUOTE_OPENERS.search(text) is None:
        return []
    single = not (_SINGLE_QUOTED_WORD.search(text) and "' " not in text)
    spans: list[tuple[int, int]] = []
    for index, pattern in enumerate(_quoting()):
        if index == 0 and not single:
            continue
        spans.extend(match.span() for match in pattern.finditer(text))
    spans.sort()
    return spans


def _certain_cuts(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Where a sentence certainly ends in text[start:end], and where the next one starts
    (the spaces between them are neither's).

    The word before the punctuation is the whole run of word characters that ends there;
    it must start inside text[start:end], not right after a full stop ("e.g."), and be
    lower-case letters (two or more) unless the punctuation starts with ``!`` or ``?``.
    """
    abbreviations = _abbreviations()
    quoted: list[tuple[int, int]] | None = None
    index = 0
    reach = 0  # furthest end of the quoted spans that start before the current cut
    backwards: str | None = None  # the text reversed, to find a word's start with one match
    size = len(text)
    for match in CERTAIN_END.finditer(text, start, end):
        stop = match.start()
        if backwards is None:
            backwards = text[::-1]
        # The word ends at text[stop - 1], which is backwards[size - stop].
        word_run = _WORD.match(backwards, size - stop)  # \w* always matches
        begin = stop - len(word_run.group()) if word_run else stop
        if begin == stop or begin < start or (begin and text[begin - 1] == "."):
            continue
        mark = match.group(1)
        if mark[0] == ".":
            word = text[begin:stop]
            if _LOWER_WORD.fullmatch(word) is None or (mark == "." and word in abbreviations):
                continue
        if quoted is None:
            quoted = _quoted(text[start:end])
        at = stop - start
        while index < len(quoted) and quoted[index][0] <= at:
            reach = max(reach, quoted[index][1])
            index += 1
        if at < reach:
            continue
        yield match.span(2)


def _pysbd_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans of text[start:end] by pysbd, verified and re-found where needed."""
    piece = text[start:end]
    cursor = 0
    for span in _segment(piece):
        sent = span.sent
        if not sent.strip():
            continue
        if span.start >= cursor and piece[span.start : span.end] == sent:
            found = span.start
        else:
            found = piece.find(sent.strip(), cursor)
            if found < 0:
                continue  # pysbd changed the text; the gap is covered below
            sent = sent.strip()
        s, e = _strip(piece, found, found + len(sent))
        if s < cursor:
            s = cursor
        if e <= s:
            continue
        if piece[cursor:s].strip():
            yield _strip(text, start + cursor, start + s)
        yield start + s, start + e
        cursor = e
    if piece[cursor:].strip():
        yield _strip(text, start + cursor, end)


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most MAX_PIECE characters at spaces."""
    while end - start > MAX_PIECE:
        limit = start + MAX_PIECE
        window = text[start:limit]
        cut = -1
        for match in CANDIDATE.finditer(window):
            cut = match.end()
        if cut <= 0:
            cut = window.rfind(" ") + 1
        if cut <= 0:
            cut = MAX_PIECE
        yield start, start + cut
        start += cut
    yield start, end


def sentence_spans(text: str, kind: str = "paragraph") -> list[tuple[int, int]]:
    """[start, end) of each sentence of ``text``, without surrounding whitespace."""
    start, end = _strip(text, 0, len(text))
    if start == end:
        return []
    if kind == "heading" or (
        kind in ONE_SENTENCE_KINDS and text[start:end].rstrip(CLOSING)[-1:] not in FINAL
    ):
        return [(start, end)]
    if not CANDIDATE.search(text, start, end):
        return [(start, end)]
    spans: list[tuple[int, int]] = []
    # Pieces between certain cuts need no trimming: a cut ends at a sentence's last
    # non-space character and resumes at the next non-space one.
    piece_start = start
    for stop, resume in [*_certain_cuts(text, start, end), (end, end)]:
        if not CANDIDATE.search(text, piece_start, stop):
            spans.append((piece_start, stop))
        else:
            for a, b in _pieces(text, piece_start, stop):
                spans.extend(_pysbd_spans(text, a, b))
        piece_start = resume
    return _merge_fragments(text, spans)


def _merge_fragments(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join a "sentence" with no letter or digit (a stray closing quote) to its neighbour."""

    search = _ALNUM.search
    merged: list[tuple[int, int]] = []
    last_wordless = False
    for s, e in spans:
        if e <= s:
            continue
        wordless = search(text, s, e) is None
        if merged and (wordless or last_wordless):
            merged[-1] = (merged[-1][0], e)
            last_wordless = search(text, merged[-1][0], e) is None
        else:
            merged.append((s, e))
            last_wordless = wordless
    return merged


def split_block(block: Block) -> list[Sentence]:
    """The block's sentences; ``block.text[s.start:s.end] == s.text``."""
    return [Sentence(block, s, e) for s, e in sentence_spans(block.text, block.kind)]
