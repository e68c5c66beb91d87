"""Split a prose block into sentences with exact character spans.

pysbd (a port of the Golden Rules sentence segmenter) handles the hard cases: abbreviations
(Dr., e.g., U.S., vs.), decimals (2.5 mg, 3.4%), initials, quotes and brackets. It is slow,
and its time grows faster than the length of what it is given, so it only sees what needs
it: a block is first cut where a boundary is certain (a lowercase word that is not an
abbreviation, or a number like a year, then ``.``, ``!`` or ``?``, a space and a capital
letter), and only the pieces that still hold a possible boundary go to pysbd, in pieces of
at most ``MAX_PIECE`` characters. Reading a draft therefore takes time in proportion to its length.

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
    from collections.abc import Iterable, Iterator

MAX_PIECE = 2000  # longest text given to pysbd at once (its cost grows faster than linearly)
# Anything that might end a sentence inside a text: terminal punctuation, optional closing
# quotes or brackets, then a space.
CANDIDATE = re.compile(r"[.!?\u2026\u203d]+[\"'\u201d\u2019)\]]*\s")
# A boundary no reading could doubt: terminal punctuation, optional closing quotes or
# brackets, spaces and a capital letter; the word before it is checked in _certain_cuts
# (letters only and lower-case before a full stop, and not an abbreviation). Anchored on the
# punctuation rather than the word, re skips straight to it (5x faster than matching words).
# (The definition: what runs is ENDS, below.)
CERTAIN_END = re.compile(r"([.!?]+)[\"'\u201d\u2019)\]]*(\s+)(?=[\"'\u201c\u2018(\[]?[A-Z])")
# Both at once, in one pass over a block: every CANDIDATE (same start), with group 1 set
# when its punctuation is only ".", "!" and "?" (group 1 is then that punctuation but its
# first character), its spaces as group 2, and group 3 (empty) set when what follows
# starts like a sentence. Groups 1 and 3 set: where CERTAIN_END matches. (Starting with
# one character class lets re skip straight to the punctuation: 3x faster than an
# alternation, and faster than CANDIDATE itself.)
ENDS = re.compile(
    r"[.!?\u2026\u203d](?:(?<=[.!?])([.!?]*)|[.!?\u2026\u203d]*)[\"'\u201d\u2019)\]]*(\s+)"
    r"(?:(?=[\"'\u201c\u2018(\[]?[A-Z])())?"
)
_WORD = re.compile(r"\w*")
_LOWER_WORD = re.compile(r"[a-z]{2,}")
_NUMBER = re.compile(r"[0-9]{3,}")
# Where a text is not cut at a number (see _certain_cuts). pysbd reads some things across
# the whole text it is given, so cutting a text that has them could change what it makes
# of the rest: numbered and lettered lists ("1. ... 2.", "(a) ... (b)", "ii) ... iii)"),
# which it recognises only as a run of consecutive markers; quotations and brackets, which
# it pairs up; line breaks; and full stops, question or exclamation marks not followed by
# a space (".env", "effects.8 The", "0.26 ?M"), where it may cut although nothing here
# would send that piece to it. Decimal points ("2.5") are harmless. Deliberately much
# broader than pysbd's own patterns: what it matches is merely left to pysbd, as before.
_NUMBER_CUT_BLOCKERS = re.compile(
    r"(?<![0-9])[0-9]{1,2}\.[\s)]|[0-9]\)|(?<!\S)[a-z]\.|(?<![^\s(])(?:[a-z]|[ivx]{2,5})\)"
    r"|[\"\u201c\u201d\u00ab\u00bb\uff09\u300d]|(?<!\w)['\u2018\u2019]|['\u2018\u2019](?!\w)"
    r"|\)\s|[\r\n]|(?<![0-9])\.(?!\s|$)|\.(?![0-9\s]|$)|[!?](?!\s|$)"
)
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


def _certain_cuts(
    text: str, start: int, end: int, ends: Iterable[re.Match[str]] | None = None
) -> list[tuple[int, int]]:
    """Where a sentence certainly ends in text[start:end], and where the next one starts
    (the spaces between them are neither's).

    The word before the punctuation is the whole run of word characters that ends there;
    it must start inside text[start:end], not right after a full stop ("e.g."), and be
    lower-case letters (two or more) unless the punctuation starts with ``!`` or ``?``.
    A number of three digits or more after a space, then a single full stop and a space,
    ends a sentence too ("approved in 2023. The"): pysbd's number rules only keep the
    full stop of one- or two-digit list numbers ("1. ", "12. "), of decimals and of
    numbers glued to the next word, so the segmenter is not needed there, unless the text
    has something pysbd reads across the whole text (_NUMBER_CUT_BLOCKERS).

    ``ends``: the ENDS matches of text[start:end], when the caller has them already.
    """
    cuts: list[tuple[int, int]] = []
    abbreviations = _abbreviations()
    quoted: list[tuple[int, int]] | None = None
    blocked: bool | None = None  # whether text[start:end] is never cut at a number
    index = 0
    reach = 0  # furthest end of the quoted spans that start before the current cut
    backwards = text[::-1]  # to find where the word before a cut starts, with one match
    size = len(text)
    word_run = _WORD.match
    lower_word = _LOWER_WORD.fullmatch
    for match in ENDS.finditer(text, start, end) if ends is None else ends:
        more, _, capital = match.groups()
        if more is None or capital is None:
            continue  # not what CERTAIN_END matches
        stop = match.start()
        # The word ends at text[stop - 1], which is backwards[size - stop].
        begin = size - word_run(backwards, size - stop).end()  # type: ignore[union-attr]
        if begin == stop or begin < start or (begin and text[begin - 1] == "."):
            continue
        if text[stop] == ".":
            single = not more  # the mark is one full stop
            if lower_word(text, begin, stop) is None:
                if not single or match.end(1) != match.start(2):
                    continue  # "2023.)": pysbd keeps a full stop between a digit and non-space
                if not begin or not text[begin - 1].isspace():
                    continue
                if _NUMBER.fullmatch(text, begin, stop) is None:
                    continue
                if blocked is None:
                    blocked = _NUMBER_CUT_BLOCKERS.search(text, start, end) is not None
                if blocked:
                    continue
            elif single and text[begin:stop] in abbreviations:
                continue
        if quoted is None:
            quoted = _quoted(text[start:end])
        if quoted:
            at = stop - start
            while index < len(quoted) and quoted[index][0] <= at:
                reach = max(reach, quoted[index][1])
                index += 1
            if at < reach:
                continue
        cuts.append(match.span(2))
    return cuts


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
    ends = list(ENDS.finditer(text, start, end))  # one per CANDIDATE
    if not ends:
        return [(start, end)]
    cuts = _certain_cuts(text, start, end, ends)
    cuts.append((end, end))
    # Pieces between certain cuts need no trimming: a cut ends at a sentence's last
    # non-space character and resumes at the next non-space one.
    if len(cuts) - 1 == len(ends):
        # Every candidate is a certain cut, so no piece holds another candidate. Every
        # piece after a cut starts with a capital letter (perhaps after a quote or bracket):
        # only the first one could lack a letter or digit, and need _merge_fragments.
        spans = [(a, b) for (_, a), (b, _) in zip([(start, start), *cuts], cuts, strict=False)]
        if _ALNUM.search(text, start, spans[0][1]) is None:
            return _merge_fragments(text, spans)
        return spans
    spans = []
    piece_start = start
    for stop, resume in cuts:
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
