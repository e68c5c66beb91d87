"""Which sentences of a document contain which words: the phrase rules' shared prefilter.

Why: most sentences contain none of the words a phrase pattern (or a context cue) needs,
and asking every sentence about every pattern cost more than running the regexes. A
document is cut into words once; after that a rule asks "which sentences contain this
word set?" once per document and only those sentences are searched. The index lives on
the document (so it cannot outlive or miss a change to it) and is shared by all phrase
rules and conditions.

Sentence sets are bit masks (Python ints: bit n is sentence n), so "any of these words"
and "all of these parts" are single ``|`` and ``&`` operations in C. Large drafts stay
linear: a word's mask is built only when a rule asks for it, from its list of sentence
numbers through a bytearray (not ``1 << n`` per sentence, which would be quadratic), and
masks are read back by scanning their binary digits in C.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Protocol

TOKEN_RE = re.compile(r"[^\W_]+")  # how sentences are cut into words for the prefilter
DIGIT_RE = re.compile(r"\d")
ASCII_DIGIT_RE = re.compile(r"[0-9]")  # DIGIT_RE for ASCII text
QUESTION_RE = re.compile(r"\?[\s\"'\u201d\u2019)\]*_]*$")  # a sentence that asks
# For ASCII text: letters lower-cased, digits kept, every other byte a space. The words of
# such text are then ``split()`` of its translation (one pass in C, several times faster
# than the regex, which looks up the Unicode category of every character).
_ASCII_WORDS = bytes(
    ord(char.lower()) if char.isascii() and char.isalnum() else 32
    for char in map(chr, range(256))
)
_ATTR = "_phrase_doc_index"
SMALL = 512  # sentences: below this, building and reading masks bit by bit is cheapest
FEW = 2  # sentences: up to this many are asked one by one, not the whole document


class TriggerSet(Protocol):
    """What a trigger set offers (phrase.Triggers): any word, prefix or a number."""

    @property
    def words(self) -> frozenset[str]: ...
    @property
    def prefixes(self) -> tuple[str, ...]: ...
    @property
    def number(self) -> bool: ...
    def __hash__(self) -> int: ...


# For each alternative of a pattern, the trigger sets all of which must be present.
Conjunctions = Sequence[Sequence[TriggerSet]]


def words_of(text: str) -> list[str]:
    """``TOKEN_RE.findall(text.lower())``: the words of some text, lower-cased."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()
    return TOKEN_RE.findall(text.lower())


def to_mask(numbers: Iterable[int], count: int) -> int:
    """The bit mask of some sentence numbers (all below ``count``)."""
    if count <= SMALL:
        mask = 0
        for number in numbers:
            mask |= 1 << number
        return mask
    bits = bytearray((count >> 3) + 1)
    for number in numbers:
        bits[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(bits, "little")


def members(mask: int) -> list[int]:
    """Sentence numbers in a mask, in order."""
    out = []
    if mask.bit_length() <= SMALL:
        while mask:
            low = mask & -mask
            out.append(low.bit_length() - 1)
            mask ^= low
        return out
    digits = bin(mask)[:1:-1]  # least significant first, without "0b"
    found = digits.find("1")
    while found >= 0:
        out.append(found)
        found = digits.find("1", found + 1)
    return out


class AnyOf:
    """A trigger set made of several (a planner's first pieces): a sentence lacking all of
    it cannot hold any part."""

    __slots__ = ("words", "prefixes", "number")

    def __init__(self, sets: Iterable[TriggerSet]) -> None:
        words: set[str] = set()
        prefixes: set[str] = set()
        number = False
        for triggers in sets:
            words |= triggers.words
            prefixes.update(triggers.prefixes)
            number = number or triggers.number
        self.words = frozenset(words)
        self.prefixes = tuple(sorted(prefixes))
        self.number = number


class DocIndex:
    """Sentence numbers by lower-cased word, plus the sentences holding a digit."""

    __slots__ = (
        "vocab", "ordered", "numbers", "count", "sentences",
        "_lists", "_masks", "_found", "_planned", "prefixed", "_plans", "memo",
        "texts", "_with_prefix",
    )

    def __init__(self, texts: Sequence[str]) -> None:
        count = len(texts)
        # Small documents: word -> mask, built here. Large ones: word -> sentence numbers,
        # turned into masks on demand (setting bit n of an n-bit int each time is quadratic).
        masks: dict[str, int] = {}
        lists: dict[str, list[int]] = {}
        numbers = []
        sentences: list[frozenset[str]] = []
        findall = TOKEN_RE.findall
        digit = DIGIT_RE.search
        ascii_digit = ASCII_DIGIT_RE.search
        table = _ASCII_WORDS
        small = count <= SMALL
        get = masks.get
        # Large drafts: one string object per distinct word, not per occurrence (a 10 MB
        # draft held ~20 MB of repeated words here).
        shared: dict[str, str] | None = None if small else {}
        for number, text in enumerate(texts):
            if text.isascii():  # words_of(), inline
                tokens = text.encode("ascii").translate(table).decode("ascii").split()
                has_digit = ascii_digit(text) is not None
            else:
                lower = text.lower()
                tokens = findall(lower)
                has_digit = digit(lower) is not None
            words = frozenset(tokens if shared is None else map(shared.setdefault, tokens, tokens))
            sentences.append(words)
            if small:
                bit = 1 << number
                for word in words:
                    masks[word] = get(word, 0) | bit
            else:
                for word in words:
                    found = lists.get(word)
                    if found is None:
                        lists[word] = [number]
                    else:
                        found.append(number)
            if has_digit:
                numbers.append(number)
        self.sentences = sentences
        self.vocab: Mapping[str, object] = masks if small else lists  # its keys: every word
        self._lists = lists
        self.ordered: list[str] | None = None  # sorted vocabulary, for prefixes; on demand
        self.count = count
        self.numbers = to_mask(numbers, count)
        self._masks = masks
        self._found: dict[int, tuple[TriggerSet, int]] = {}
        self.prefixed: dict[str, int] = {}
        self._with_prefix: dict[int, tuple[TriggerSet, int]] = {}  # see present()
        self._planned: dict[tuple[int, int], tuple[Any, Any]] = {}
        self._plans: dict[int, tuple[Any, Any]] = {}
        self.memo: dict[tuple[int, Hashable], tuple[Any, Any]] = {}  # see remember()
        self.texts = texts

    def mask(self, word: str) -> int:
        """Sentences containing ``word`` (which must be in the vocabulary)."""
        found = self._masks.get(word)
        if found is None:
            found = self._masks[word] = to_mask(self._lists[word], self.count)
        return found

    def remember(self, owner: Any, sentence: Hashable, compute: Callable[[], Any]) -> Any:
        """An answer about one sentence (or, with ``sentence`` -1, the whole document; or
        anything else a caller names) that depends only on ``owner`` and this document,
        worked out once per document."""
        key = (id(owner), sentence)
        known = self.memo.get(key)
        if known is not None and known[0] is owner:  # holding it keeps its id unique
            return known[1]
        result = compute()
        self.memo[key] = (owner, result)
        return result

    def having(self, triggers: TriggerSet) -> int:
        """Sentences with one of the words, a word starting with one of the prefixes, or
        (``number``) a digit: exactly where ``Triggers.present`` would say yes."""
        known = self._found.get(id(triggers))
        if known is not None and known[0] is triggers:  # holding it keeps its id unique
            return known[1]
        hits = 0
        masks = self._masks
        for word in triggers.words & self.vocab.keys():
            found = masks.get(word)
            hits |= self.mask(word) if found is None else found
        prefixed = self.prefixed
        for prefix in triggers.prefixes:
            found = prefixed.get(prefix)
            hits |= self.starting(prefix) if found is None else found
        if triggers.number:
            hits |= self.numbers
        self._found[id(triggers)] = (triggers, hits)
        return hits

    def starting(self, prefix: str) -> int:
        """Sentences with a word that starts with ``prefix``."""
        found = self.prefixed.get(prefix)
        if found is None:
            if self.ordered is None:
                self.ordered = sorted(self.vocab)
            ordered = self.ordered
            hits = 0
            i = bisect.bisect_left(ordered, prefix)
            while i < len(ordered) and ordered[i].startswith(prefix):
                hits |= self.mask(ordered[i])
                i += 1
            found = self.prefixed[prefix] = hits
        return found

    def narrowed(self, hits: int, pieces: Iterable[TriggerSet]) -> int:
        """The sentences of ``hits`` that also have every one of the trigger sets."""
        known = self._found
        for triggers in pieces:
            if not hits:
                break
            if hits.bit_count() > FEW:
                # having(), with its per-document cache read here: most calls end in a lookup.
                found = known.get(id(triggers))
                if found is not None and found[0] is triggers:
                    hits &= found[1]
                else:
                    hits &= self.having(triggers)
            else:  # a few sentences: ask them, rather than the whole document
                left = hits
                while left:
                    low = left & -left
                    left ^= low
                    if not self.present(triggers, low.bit_length() - 1):
                        hits ^= low
        return hits

    def present(self, triggers: TriggerSet, sentence: int) -> bool:
        """Whether one sentence has one of the words, prefixes or (``number``) a digit:
        asked of that sentence's own words, never of the whole document."""
        words = self.sentences[sentence]
        if not triggers.words.isdisjoint(words):
            return True
        if triggers.number and self.numbers >> sentence & 1:
            return True
        if not triggers.prefixes:
            return False
        known = self._with_prefix.get(id(triggers))
        if known is not None and known[0] is triggers:
            return bool(known[1] >> sentence & 1)
        return bool(self.with_prefix(triggers) >> sentence & 1)

    def with_prefix(self, triggers: TriggerSet) -> int:
        """Sentences with a word that starts with one of the prefixes, worked out once per
        document and trigger set."""
        known = self._with_prefix.get(id(triggers))
        if known is not None and known[0] is triggers:  # holding it keeps its id unique
            return known[1]
        hits = 0
        prefixed = self.prefixed
        for prefix in triggers.prefixes:
            found = prefixed.get(prefix)
            hits |= self.starting(prefix) if found is None else found
        self._with_prefix[id(triggers)] = (triggers, hits)
        return hits

    def planned(self, planner: Planner, sentence: int) -> list[int]:
        """``planner.plan_sentence`` for one sentence of this document, worked out once
        (conditions are asked about the same sentence for every match and rule)."""
        key = (id(planner), sentence)
        known = self._planned.get(key)
        if known is not None and known[0] is planner:  # holding it keeps its id unique
            result: list[int] = known[1]
            return result
        if planner.first is not None and not self.present(planner.first, sentence):
            result = []  # no part's first word: the common case, one bit test
        else:
            result = planner.plan_sentence(self, sentence)
        self._planned[key] = (planner, result)
        return result

    def plan(self, planner: Planner) -> dict[int, list[int]]:
        """``planner.plan`` for this document, worked out once."""
        known = self._plans.get(id(planner))
        if known is not None and known[0] is planner:
            result: dict[int, list[int]] = known[1]
            return result
        result = planner.plan(self)
        self._plans[id(planner)] = (planner, result)
        return result


def _index_first(
    first: TriggerSet,
    number: int,
    by_word: dict[str, list[int]],
    by_prefix: dict[str, list[int]],
    by_number: list[int],
) -> None:
    """File ``number`` under the words, prefixes and digit test of its first piece."""
    for word in first.words:
        by_word.setdefault(word, []).append(number)
    for prefix in first.prefixes:
        by_prefix.setdefault(prefix, []).append(number)
    if first.number:
        by_number.append(number)


class Planner:
    """Which of several word-gated parts (a rule's patterns, a cue list's alternatives) are
    worth running on which sentence of a document.

    Parts are looked up by the words of their most selective required piece, so a document
    only pays for the parts whose words it contains; ``None`` conjunctions: always run.
    """

    def __init__(self, parts: Sequence[Conjunctions | None]) -> None:
        self.parts = list(parts)
        self.always: list[int] = []
        self.by_word: dict[str, list[int]] = {}
        # First pieces that are prefixes ("effect" of "effect(s)?") or numbers:
        self.by_prefix: dict[str, list[int]] = {}
        self.by_number: list[int] = []
        firsts = []
        for number, conjunctions in enumerate(self.parts):
            if conjunctions is None:
                self.always.append(number)
                continue
            for conj in conjunctions:
                firsts.append(conj[0])
                _index_first(conj[0], number, self.by_word, self.by_prefix, self.by_number)
        self.prefixes = tuple(self.by_prefix)
        # Every part needs one of these (None: some part needs nothing in particular).
        self.first: AnyOf | None = None if self.always else AnyOf(firsts)
        self._by_alternative: _Alternatives | None = None  # for plan(), on first use

    def plan_sentence(self, index: DocIndex, sentence: int) -> list[int]:
        """Numbers of the parts whose most selective word one sentence has: for conditions,
        which are asked about the few sentences that hold a match, not about every one."""
        words = index.sentences[sentence]
        candidates = set(self.always)
        by_word = self.by_word
        for word in words & by_word.keys():
            candidates.update(by_word[word])
        if self.by_number and index.numbers >> sentence & 1:
            candidates.update(self.by_number)
        if self.prefixes:
            # The document's own prefix masks (worked out once per document and prefix)
            # are cheaper than testing each word of each sentence against every prefix.
            prefixed = index.prefixed
            for prefix in self.prefixes:
                found = prefixed.get(prefix)
                if (index.starting(prefix) if found is None else found) >> sentence & 1:
                    candidates.update(self.by_prefix[prefix])
        # The other required words are not checked: a small regex that fails costs about
        # as much as checking them would.
        return sorted(candidates)

    def plan_words(self, words: AbstractSet[str]) -> list[int]:
        """:meth:`plan_sentence` for any text, given its lower-cased words: a condition's
        scope (the words before a match, say) often lacks every cue word that the rest of
        the sentence holds, and is then answered without building its text."""
        candidates = set(self.always)
        by_word = self.by_word
        for word in by_word.keys() & words:
            candidates.update(by_word[word])
        if self.by_number and any(DIGIT_RE.search(word) for word in words):
            candidates.update(self.by_number)
        prefixes = self.prefixes
        if prefixes:
            for word in words:
                if word.startswith(prefixes):  # one test in C for all of them (rarely true)
                    for prefix in prefixes:
                        if word.startswith(prefix):
                            candidates.update(self.by_prefix[prefix])
        return sorted(candidates)

    def plan(self, index: DocIndex) -> dict[int, list[int]]:
        """Sentence number -> numbers of the parts that may match there, in part order.

        The sentences holding each alternative's first piece are gathered from the
        document's words that are first words here (``vocab & by_word``, in C), rather
        than by looking every word of every first piece up in the document: most of them
        are not there."""
        by_alternative = self._by_alternative
        if by_alternative is None:
            by_alternative = self._by_alternative = _Alternatives(self.parts)
        # Alternative number -> sentences with its first piece.
        firsts: dict[int, int] = {}
        get = firsts.get
        masks = index._masks
        by_word = by_alternative.by_word
        for word in index.vocab.keys() & by_word.keys():  # in C, over the smaller
            found = masks.get(word)
            mask = index.mask(word) if found is None else found
            for number in by_word[word]:
                firsts[number] = get(number, 0) | mask
        prefixed = index.prefixed
        for prefix, numbers in by_alternative.by_prefix.items():
            found = prefixed.get(prefix)
            mask = index.starting(prefix) if found is None else found
            if mask:
                for number in numbers:
                    firsts[number] = get(number, 0) | mask
        if by_alternative.by_number and index.numbers:
            for number in by_alternative.by_number:
                firsts[number] = get(number, 0) | index.numbers
        # Part number -> sentences where one of its alternatives may match.
        hits_by_part: dict[int, int] = {}
        everywhere = (1 << index.count) - 1
        for number in self.always:
            hits_by_part[number] = everywhere
        narrowed = index.narrowed
        alternatives = by_alternative.alternatives
        for number, hits in firsts.items():
            part, rest = alternatives[number]
            if rest:
                hits = narrowed(hits, rest)
            if hits:
                hits_by_part[part] = hits_by_part.get(part, 0) | hits
        result: dict[int, list[int]] = {}
        for part in sorted(hits_by_part):
            for sentence in members(hits_by_part[part]):
                sentence_parts = result.get(sentence)
                if sentence_parts is None:
                    result[sentence] = [part]
                else:
                    sentence_parts.append(part)
        return result


class _Alternatives:
    """A planner's parts cut into alternatives (conjunctions), each looked up by its own
    first piece: what :meth:`Planner.plan` works from."""

    __slots__ = ("alternatives", "by_number", "by_prefix", "by_word")

    def __init__(self, parts: Sequence[Conjunctions | None]) -> None:
        # (part number, the pieces after the first) of every alternative, by number
        self.alternatives: list[tuple[int, Sequence[TriggerSet]]] = []
        self.by_word: dict[str, list[int]] = {}
        self.by_prefix: dict[str, list[int]] = {}
        self.by_number: list[int] = []
        for part, conjunctions in enumerate(parts):
            for conj in conjunctions or ():
                number = len(self.alternatives)
                self.alternatives.append((part, conj[1:]))
                _index_first(conj[0], number, self.by_word, self.by_prefix, self.by_number)


def doc_index(doc: Any, sentences: Sequence[Any]) -> DocIndex:
    """The index of ``doc``, built on first use from its sentences (objects with ``text``)."""
    index: DocIndex | None = getattr(doc, _ATTR, None)
    if index is None or index.count != len(sentences):
        index = DocIndex([sentence.text for sentence in sentences])
        setattr(doc, _ATTR, index)
    return index
