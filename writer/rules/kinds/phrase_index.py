"""Which sentences of a document contain which words: the phrase rules' shared prefilter.

Why: most sentences contain none of the words a phrase pattern (or a context cue) needs,
and asking every sentence about every pattern cost more than running the regexes. A
document is cut into words once; after that a rule asks "which sentences contain this
word set?" once per document, with set operations in C, and only those sentences are
searched. The index lives on the document (so it cannot outlive or miss a change to it)
and is shared by all phrase rules and conditions.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Any, Protocol

TOKEN_RE = re.compile(r"[^\W_]+")  # how sentences are cut into words for the prefilter
DIGIT_RE = re.compile(r"\d")
_ATTR = "_phrase_doc_index"


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


class DocIndex:
    """Sentence numbers by lower-cased word, plus the sentences holding a digit."""

    __slots__ = (
        "vocab", "ordered", "numbers", "count", "sentences", "_found", "_planned", "_prefixed"
    )

    def __init__(self, texts: Sequence[str]) -> None:
        vocab: dict[str, list[int]] = {}
        numbers = []
        self.sentences: list[frozenset[str]] = []
        for number, text in enumerate(texts):
            lower = text.lower()
            words = frozenset(TOKEN_RE.findall(lower))
            self.sentences.append(words)
            for word in words:
                found = vocab.get(word)
                if found is None:
                    vocab[word] = [number]
                else:
                    found.append(number)
            if DIGIT_RE.search(lower) is not None:
                numbers.append(number)
        self.vocab = vocab
        self.ordered: list[str] | None = None  # sorted vocabulary, for prefixes; on demand
        self.numbers = frozenset(numbers)
        self.count = len(texts)
        self._found: dict[int, tuple[TriggerSet, frozenset[int]]] = {}
        self._prefixed: dict[str, frozenset[int]] = {}
        self._planned: dict[tuple[int, int], tuple[Any, Any]] = {}

    def having(self, triggers: TriggerSet) -> frozenset[int]:
        """Sentences with one of the words, a word starting with one of the prefixes, or
        (``number``) a digit: exactly where ``Triggers.present`` would say yes."""
        known = self._found.get(id(triggers))
        if known is not None and known[0] is triggers:  # holding it keeps its id unique
            return known[1]
        vocab = self.vocab
        hits: set[int] = set()
        for word in triggers.words & vocab.keys():
            hits.update(vocab[word])
        for prefix in triggers.prefixes:
            hits |= self.starting(prefix)
        if triggers.number:
            hits |= self.numbers
        found = frozenset(hits)
        self._found[id(triggers)] = (triggers, found)
        return found

    def starting(self, prefix: str) -> frozenset[int]:
        """Sentences with a word that starts with ``prefix``."""
        found = self._prefixed.get(prefix)
        if found is None:
            if self.ordered is None:
                self.ordered = sorted(self.vocab)
            ordered, vocab = self.ordered, self.vocab
            hits: set[int] = set()
            i = bisect.bisect_left(ordered, prefix)
            while i < len(ordered) and ordered[i].startswith(prefix):
                hits.update(vocab[ordered[i]])
                i += 1
            found = self._prefixed[prefix] = frozenset(hits)
        return found

    def matching(self, conjunctions: Conjunctions) -> frozenset[int]:
        """Sentences where every trigger set of at least one alternative is present."""
        result: frozenset[int] | None = None
        for conj in conjunctions:
            hits = self.having(conj[0])
            for triggers in conj[1:]:
                if not hits:
                    break
                if len(hits) > 4:
                    hits = hits & self.having(triggers)
                else:  # a few sentences: ask them, rather than the whole document
                    hits = frozenset([n for n in hits if self.present(triggers, n)])
            result = hits if result is None else result | hits
        return frozenset() if result is None else result

    def present(self, triggers: TriggerSet, sentence: int) -> bool:
        """Whether one sentence has one of the words, prefixes or (``number``) a digit."""
        if not triggers.words.isdisjoint(self.sentences[sentence]):
            return True
        return (triggers.number or bool(triggers.prefixes)) and sentence in self.having(triggers)

    def planned(self, planner: Planner, sentence: int) -> list[int]:
        """``planner.plan_sentence`` for one sentence of this document, worked out once
        (conditions are asked about the same sentence for every match and rule)."""
        key = (id(planner), sentence)
        known = self._planned.get(key)
        if known is not None and known[0] is planner:  # holding it keeps its id unique
            result: list[int] = known[1]
            return result
        result = planner.plan_sentence(self, sentence)
        self._planned[key] = (planner, result)
        return result


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
        for number, conjunctions in enumerate(self.parts):
            if conjunctions is None:
                self.always.append(number)
                continue
            for conj in conjunctions:
                first = conj[0]
                for word in first.words:
                    self.by_word.setdefault(word, []).append(number)
                for prefix in first.prefixes:
                    self.by_prefix.setdefault(prefix, []).append(number)
                if first.number:
                    self.by_number.append(number)
        self.prefixes = tuple(self.by_prefix)

    def plan_sentence(self, index: DocIndex, sentence: int) -> list[int]:
        """Numbers of the parts whose most selective word one sentence has: for conditions,
        which are asked about the few sentences that hold a match, not about every one."""
        words = index.sentences[sentence]
        candidates = set(self.always)
        by_word = self.by_word
        for word in words & by_word.keys():
            candidates.update(by_word[word])
        if self.by_number and sentence in index.numbers:
            candidates.update(self.by_number)
        prefixes = self.prefixes
        if prefixes:
            for word in words:
                if word.startswith(prefixes):
                    for prefix in prefixes:
                        if word.startswith(prefix):
                            candidates.update(self.by_prefix[prefix])
        # The other required words are not checked: a small regex that fails costs about
        # as much as checking them would.
        return sorted(candidates)

    def plan(self, index: DocIndex) -> dict[int, list[int]]:
        """Sentence number -> numbers of the parts that may match there, in part order."""
        candidates = set(self.always)
        by_word = self.by_word
        for word in index.vocab.keys() & by_word.keys():
            candidates.update(by_word[word])
        for prefix in self.prefixes:
            if index.starting(prefix):
                candidates.update(self.by_prefix[prefix])
        if self.by_number and index.numbers:
            candidates.update(self.by_number)
        result: dict[int, list[int]] = {}
        everywhere = range(index.count)
        for number in sorted(candidates):
            conjunctions = self.parts[number]
            hits = everywhere if conjunctions is None else index.matching(conjunctions)
            for sentence in hits:
                found = result.get(sentence)
                if found is None:
                    result[sentence] = [number]
                else:
                    found.append(number)
        return result


def doc_index(doc: Any, sentences: Sequence[Any]) -> DocIndex:
    """The index of ``doc``, built on first use from its sentences (objects with ``text``)."""
    index: DocIndex | None = getattr(doc, _ATTR, None)
    if index is None or index.count != len(sentences):
        index = DocIndex([sentence.text for sentence in sentences])
        setattr(doc, _ATTR, index)
    return index
