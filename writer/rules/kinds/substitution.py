"""``substitution`` rules: words with a plainer alternative, from a word list kept as data.

A rule points at a terms file (YAML, relative to its pack)::

    kind: substitution
    terms: data/medical_jargon.yml
    definitions: true          # a term explained where it is first used is not flagged
    report: first-per-section  # or: every
    detail: "“{term}” is medical jargon: say “{alternative}”, or explain it."
    detail-explain: "“{term}” is medical jargon: explain it, for example {alternative}."

The terms file maps spellings and inflections to alternatives, position by position::

    terms:
      hyperglycaemia|hyperglycemia: high blood sugar
      commence|commences|commenced: start|starts|started
      prevalence: {explain: how many people have a condition}   # no one-word swap
      chronic kidney disease: {allow: the name of a condition}   # not "long-term kidney..."

Terms files belong in a subfolder of the pack folder: every ``*.yml`` directly in a pack
folder is read as a rule pack.

Why it works this way: the prose is cut into words once per document, in one list shared
by every substitution rule (:class:`ProseWords`, built from the words of each distinct
token, which are worked out once per run), and a dictionary of every form (with the word
prefixes of multi-word forms) is walked only from the words a form can start at (a one-word
form, or the first two words of a longer one, found in C), longest form first. That is a few
passes over the prose whatever the length of the list, and unlike a regex of 900
alternatives it costs nothing to build at start-up. Words joined by hyphens are one word
("pre-hypertension" is not "hypertension"); a possessive "'s" is not part of the word. The
fix is unsafe (a word swap can need the sentence reworded) and keeps the capitalisation of
the replaced word.
"""

from __future__ import annotations

import re
import sys
import weakref
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate, chain, compress, count
from operator import is_, or_
from pathlib import Path
from typing import Any, NamedTuple

from writer.diagnostics import Edit, Fix, InputError, WriterError
from writer.document.model import Block, Document
from writer.regex_cache import compile_cached
from writer.rules.model import Finding, LintContext, Rule

OPTION_KEYS = {"terms", "definitions", "report", "in-headings", "detail", "detail-explain"}
FILE_KEYS = {"sources", "terms"}
REPORT_MODES = ("every", "first-per-section")
DEFAULT_DETAIL = "“{term}”: say “{alternative}”."
DEFAULT_DETAIL_EXPLAIN = "“{term}”: explain it, for example {alternative}."

_NORMALISE = str.maketrans({"’": "'", "\u2010": "-", "\u2011": "-"})
_SPACES = compile_cached(r"\s+")
# A word: letters or digits, joined by hyphens or apostrophes ("follow-up", "don't").
WORD = compile_cached(r"[^\W_]+(?:[\-\u2010\u2011'’][^\W_]+)*")
# The same, capturing: ``split`` gives gaps and words in turn, one pass for both.
_WORD_AND_GAPS = compile_cached(f"({WORD.pattern})")
# Words too common to show that a gloss explains the term ("high blood sugar" -> sugar).
_STOPWORDS = frozenset(
    {
        "that", "this", "with", "from", "your", "when", "into", "than", "them", "they",
        "have", "been", "were", "what", "which", "some", "more", "less", "very", "also",
        "such", "other", "part", "body",
    }
)


class Term(NamedTuple):
    """One entry of a terms file: the forms it covers and what to say instead. (A value:
    a NamedTuple, as a dataclass costs ~0.6 ms of every start-up to create.)"""

    entry: int  # index of the entry (forms of one entry share their definition)
    alternative: str
    explain: bool  # no drop-in replacement: the term needs explaining, so no fix
    keywords: frozenset[str]  # words that show a gloss explains it
    allow: bool = False  # a name that contains a listed word ("chronic kidney disease")


def normalise(text: str) -> str:
    """Lower case, plain apostrophes and hyphens, single spaces: how forms are compared."""
    return _SPACES.sub(" ", text.translate(_NORMALISE)).lower()


def words(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, normalised word) for each word; a possessive "'s" is left out."""
    for match in WORD.finditer(text):
        start, end = match.span()
        word = match.group().translate(_NORMALISE).lower()
        if word.endswith("'s") and len(word) > 2:
            word, end = word[:-2], end - 2
        yield start, end, word


class _TokenWords(dict[str, tuple[str, ...]]):
    """The normalised words (possessive "'s" left out) of each whitespace-separated token,
    worked out once per run.

    Why: a draft repeats its tokens, and ``str.split`` plus one dict look-up per token
    costs a third of running :data:`WORD` over the prose. It gives the same words,
    because no word contains whitespace (no character ``str.split`` splits on is a word
    character, a hyphen or an apostrophe), so a word never spans two tokens.
    """

    LIMIT = 200_000  # distinct tokens kept before starting afresh (bounds memory)

    def __missing__(self, token: str) -> tuple[str, ...]:
        found = self[token] = tuple(word for _, _, word in words(token))
        return found

    def trim(self) -> None:
        if len(self) > self.LIMIT:
            self.clear()


_TOKEN_WORDS = _TokenWords()


_POSSESSIVE = compile_cached("['’][sS]")
_ALL = sys.maxsize  # (bounds valid for every word)


def _bounds(text: str, words: int = 0) -> list[int]:
    """Word ``i`` of ``text`` is text[b[2i]:b[2i+1]], a possessive "'s" left out (as in
    :func:`words`); ``b[2i+1]:b[2i+2]`` is the gap after it. The lengths of words and gaps,
    summed in C rather than a match object per word. ``words``: only the first ones are
    needed (0: all), so the text is cut no further than the last of them."""
    parts = _WORD_AND_GAPS.split(text, words)  # gap, word, gap, ..., word, gap (or the rest)
    bounds = list(accumulate(map(len, parts)))
    if _POSSESSIVE.search(text):
        for i, word in enumerate(parts[1::2]):
            # normalised, it ends in "'s" (only "S" lower-cases to "s")
            if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
                bounds[2 * i + 1] -= 2
    return bounds


class ProseWords:
    """The words of a run of texts (a document's blocks), normalised as :func:`words` does,
    in one list; a text's offsets only when needed.

    Why one list for the whole document: the matcher then finds the words a form can start
    at in a few C-level passes per document rather than a Python loop per block, and most
    blocks never cost more than their share of those passes. The words come from the
    whitespace-separated tokens (see :class:`_TokenWords`); ``ends[b]`` is where the words
    of text ``b`` end, so that no form is matched across two texts.
    """

    __slots__ = ("_bounds", "ends", "texts", "words")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.words: list[str] = []
        self.ends: list[int] = []
        # Each text's words, token by token, straight into the one list (no list per text
        # kept alive: on a long draft the garbage collector would cost more than the words).
        extend, end, words_of = self.words.extend, self.ends.append, _TOKEN_WORDS.__getitem__
        for text in texts:
            extend(chain.from_iterable(map(words_of, text.split())))
            end(len(self.words))
        self._bounds: dict[int, tuple[list[int], int]] = {}  # text: bounds, words valid

    def bounds(self, index: int, words: int = 0) -> list[int]:
        """:func:`_bounds` of text ``index``, valid at least for its first ``words`` words
        (0: all). Kept for the rules that come next, and cut only as far as asked (most texts
        are needed for one form, on average halfway through), then twice as far each time."""
        cached = self._bounds.get(index)
        if cached is not None and cached[1] >= (words or _ALL):
            return cached[0]
        if cached is not None and words:
            words = max(words, 2 * cached[1])
        bounds = _bounds(self.texts[index], words)
        # With a limit, the last part is the rest of the text, unless it had fewer words.
        valid = _ALL if not words or len(bounds) < 2 * words + 1 else words
        self._bounds[index] = (bounds, valid)
        return bounds


class _ProseCache:
    """The :class:`ProseWords` of the latest document's blocks, shared by the substitution
    rules of a run. The document is held weakly and the block texts are checked one by one
    (by identity), so the words can never answer for other prose."""

    def __init__(self) -> None:
        self.doc: Callable[[], Document | None] = lambda: None
        self.prose: ProseWords | None = None

    def get(self, doc: Document) -> ProseWords:
        texts = [block.text for block in doc.blocks]
        prose = self.prose
        if (
            prose is None
            or self.doc() is not doc
            or len(prose.texts) != len(texts)
            or not all(map(is_, prose.texts, texts))
        ):
            _TOKEN_WORDS.trim()
            prose = self.prose = ProseWords(texts)
            self.doc = weakref.ref(doc)
        return prose


_PROSE = _ProseCache()


class TermIndex:
    """Finds listed forms in prose: whole words, longest form first, left to right."""

    def __init__(self, forms: Iterable[str], prefixes: Iterable[str] | None = None) -> None:
        """``prefixes``: the word prefixes worked out by an earlier index of the same forms
        (keys already), as :func:`load_terms_cached` remembers them."""
        self.forms: set[str] = set()
        self.prefixes: set[str] = set()  # word prefixes of multi-word forms
        if prefixes is not None:
            self.forms.update(forms)
            self.prefixes.update(prefixes)
        for form in forms if prefixes is None else ():
            key = self.key(form)
            self.forms.add(key)
            parts = key.split(" ")
            for n in range(1, len(parts)):
                self.prefixes.add(" ".join(parts[:n]))
        # Where a match can start (see _candidates): a one-word form, or the first two words
        # of a longer one.
        self.singles = frozenset(k for k in self.forms if " " not in k)
        self.pairs = frozenset(
            (first, second)
            for first, second, *_ in (k.split(" ") for k in self.forms if " " in k)
        )
        self.starts = self.singles | {first for first, _ in self.pairs}

    @staticmethod
    def key(form: str) -> str:
        """A form as the index stores it (the same treatment as words in the prose)."""
        return " ".join(word for _, _, word in words(form))

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, key) of each listed form in ``text``."""
        for _, start, end, key in self.find(ProseWords([text])):
            yield start, end, key

    def find(self, prose: ProseWords) -> Iterator[tuple[int, int, int, str]]:
        """(text index, start, end, key) of each listed form, in order."""
        found = prose.words
        forms, prefixes, ends = self.forms, self.prefixes, prose.ends
        resume = 0
        for i in self._candidates(found):
            if i < resume:
                continue  # inside the form found last
            index = bisect_right(ends, i)  # the text word i is in
            base, stop = ends[index - 1] if index else 0, ends[index]
            # The listed forms from word i on, by their words alone: a form never runs on
            # into the next text, and no offsets are needed unless one is found.
            key = found[i]
            matches = [(i, key)] if key in forms else []
            j = i
            while key in prefixes and j + 1 < stop:
                key = f"{key} {found[j + 1]}"
                if key not in forms and key not in prefixes:
                    break
                j += 1
                if key in forms:
                    matches.append((j, key))
            if not matches:
                continue
            # Then the gaps: a form goes on only over whitespace (after a possessive "'s").
            end = matches[-1][0]
            text, bounds = prose.texts[index], prose.bounds(index, end - base + 1)
            for k in range(i, end):  # the gap after word k
                at = 2 * (k - base) + 1
                gap = text[bounds[at] : bounds[at + 1]]
                if gap[:2] in ("'s", "’s"):  # "Alzheimer's disease"
                    gap = gap[2:]
                if not gap.isspace():
                    end = k  # a form here ends by word k
                    break
            fitting = [match for match in matches if match[0] <= end]
            if not fitting:
                continue
            last, key = fitting[-1]
            yield index, bounds[2 * (i - base)], bounds[2 * (last - base) + 1], key
            resume = last + 1

    def _candidates(self, found: list[str]) -> list[int]:
        """Indices of the words a listed form can start at: a one-word form, or the first two
        words of a longer one. Found in C: the first words of long forms are common ("the",
        "a", "in": 60,000 places in a 300-draft corpus), the word after them seldom fits."""
        starts = list(compress(count(), map(self.starts.__contains__, found)))
        if not starts:
            return starts
        last = len(found) - 1
        at_end = starts[-1] == last  # no word after it: only a one-word form can start there
        if at_end:
            del starts[-1]
        first = list(map(found.__getitem__, starts))
        second = map(found.__getitem__, map((1).__add__, starts))
        single = map(self.singles.__contains__, first)
        pair = map(self.pairs.__contains__, zip(first, second, strict=True))
        result = list(compress(starts, map(or_, single, pair)))
        if at_end and found[last] in self.singles:
            result.append(last)
        return result


def _keywords(alternative: str) -> frozenset[str]:
    found = re.findall(r"[a-z]{4,}", alternative.lower())
    return frozenset(w for w in found if w not in _STOPWORDS)


def load_terms(path: Path) -> dict[str, Term]:
    """Read a terms file into {normalised form: Term}. Errors name the file and line."""
    from writer.yamlio import LineDict, read_yaml_file

    data = read_yaml_file(path)

    def error(message: str, line: int | None = None) -> WriterError:
        return WriterError(InputError(str(path), message, line))

    if not isinstance(data, LineDict) or not isinstance(data.get("terms"), LineDict):
        raise error("a terms file must be a mapping with a 'terms' mapping", 1)
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        key = unknown[0]
        raise error(f"unknown key {key!r} (expected: sources, terms)", data.line_of(key))
    raw: LineDict = data["terms"]
    terms: dict[str, Term] = {}
    for entry, (key, value) in enumerate(raw.items()):
        line = raw.line_of(str(key))
        if not isinstance(key, str) or not key.strip():
            raise error("each term must be a non-empty string", line)
        forms = [f.strip() for f in key.split("|")]
        explain = allow = False
        if isinstance(value, Mapping):
            items = list(value.items())
            kind, text = items[0] if len(items) == 1 else (None, None)
            if kind not in ("explain", "allow") or not isinstance(text, str):
                raise error(
                    f"{key!r}: give a string alternative, {{explain: text}} or {{allow: reason}}",
                    line,
                )
            alternatives = [text.strip()]
            explain, allow = kind == "explain", kind == "allow"
        elif isinstance(value, str):
            alternatives = [a.strip() for a in value.split("|")]
        else:
            raise error(f"{key!r}: the alternative must be a string", line)
        if not all(forms) or not all(alternatives):
            raise error(f"{key!r}: empty form or alternative (check the '|' separators)", line)
        if len(alternatives) not in (1, len(forms)):
            raise error(
                f"{key!r}: {len(forms)} forms but {len(alternatives)} alternatives "
                "(give one alternative, or one per form)",
                line,
            )
        for i, form in enumerate(forms):
            plain = normalise(form)
            if " ".join(WORD.findall(plain)) != plain:
                raise error(f"{form!r}: a term must be words (letters, digits, - and ')", line)
            norm = TermIndex.key(form)
            if norm in terms:
                raise error(f"{form!r} is listed twice", line)
            alternative = alternatives[i] if len(alternatives) > 1 else alternatives[0]
            keywords = _keywords(" ".join(alternatives))
            terms[norm] = Term(entry, alternative, explain, keywords, allow)
    if not terms:
        raise error("the terms file lists no terms", data.line_of("terms"))
    return terms


# --- Terms files, remembered between runs ---------------------------------------------------

TERMS_CACHE_FORMAT = b"terms-cache 1"
TERMS_CACHE_KEEP = 16
# What the answer depends on besides the terms file: this module (load_terms, TermIndex.key)
# and the YAML reader.
_TERMS_CODE = (Path(__file__), Path(__file__).parent.parent.parent / "yamlio.py")


def load_terms_cached(path: Path) -> tuple[dict[str, Term], TermIndex]:
    """:func:`load_terms` and the :class:`TermIndex` of its forms, kept as JSON between runs.

    Why: normalising ~1,000 forms and their word prefixes is ~10 ms of pure Python at every
    start (a pre-commit hook pays it on every commit). The result depends only on the terms
    file's bytes and this code, so it is stored under a key made of exactly those. A missing,
    stale or corrupt file means the work is redone; a terms file with errors is never stored
    (its error is reported on every run); ``WRITER_CACHE_DIR=off`` disables it.
    """
    import json

    from writer.cache import cache_dir, content_key, prune, write_atomically

    folder = cache_dir()
    cached: Path | None = None
    if folder is not None:
        try:
            parts = [TERMS_CACHE_FORMAT, *(code.read_bytes() for code in _TERMS_CODE)]
            parts.append(path.read_bytes())
            cached = folder / f"terms-{content_key(*parts)}.json"
            data = json.loads(cached.read_text(encoding="utf-8"))
            terms = {
                key: Term(entry, alternative, explain, frozenset(keywords), allow)
                for key, entry, alternative, explain, keywords, allow in data["terms"]
            }
            return terms, TermIndex(terms, data["prefixes"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    terms = load_terms(path)
    index = TermIndex(terms)
    if cached is not None:
        rows = [
            [key, t.entry, t.alternative, t.explain, sorted(t.keywords), t.allow]
            for key, t in terms.items()
        ]
        payload = {"terms": rows, "prefixes": sorted(index.prefixes)}
        write_atomically(cached, json.dumps(payload, ensure_ascii=False))
        prune(cached.parent, "terms-*.json", TERMS_CACHE_KEEP)
    return terms, index


# --- "unless defined on first use" --------------------------------------------------------

_QUOTE_OPEN = "[\"'‘“]?"
_QUOTE_CLOSE = "[\"'’”]?"
# term (gloss): a parenthesis of words right after the term, not a citation or cross-reference
_GLOSS_IN_PARENS = compile_cached(
    _QUOTE_CLOSE + r"\s*\(\s*(?!see\b|ref|fig|table|e\.?g\b)([^()]{3,120})\)", re.I
)
_CITATION = compile_cached(r"\b(?:1[89]|20)\d\d\b|\bet al\b")
# plain words (term), (also called term), (known as term)
_OPENS_PARENS = compile_cached(
    r"\w[^()]*\(\s*(?:(?:also|sometimes|often|usually)\s+)?(?:called\s+|known\s+as\s+|termed\s+|or\s+)?"
    + _QUOTE_OPEN + r"$",
    re.I,
)
_CLOSES_PARENS = compile_cached(_QUOTE_CLOSE + r"\s*\)")
# ... called term / known as term / the medical word for this is term
_NAMED_BEFORE = compile_cached(
    r"\b(?:called|known\s+as|termed|(?:medical|technical|scientific)\s+(?:term|name|word)"
    r"(?:\s+for\s+[^.;:!?]{1,60}?)?\s+is)\s*:?\s*(?:(?:the|an?)\s+)?" + _QUOTE_OPEN + r"$",
    re.I,
)
# term means ... / term is the medical word for ... / term is when ...
_DEFINED_AFTER = compile_cached(
    _QUOTE_CLOSE
    + r"\s*,?\s*(?:means|meaning|refers\s+to|describes|which\s+means|that\s+is,|i\.e\.|"
    r"(?:is|are)\s+(?:the\s+|a\s+)?(?:medical\s+|technical\s+|scientific\s+)?"
    r"(?:term|name|word)s?\s+for|"
    r"(?:is|are)\s+(?:when|what\s+happens|a\s+condition|a\s+disease|an?\s+(?:type|kind)\s+of|"
    r"medicines?|drugs?)|happens\s+when)\b",
    re.I,
)
# term – gloss –   and   term, or gloss,   (the gloss must share a word with the alternative)
_DASH_GLOSS = compile_cached(r"\s*(?:[–—]|\s-)\s*([^–—.;:!?()]{3,80})(?:[–—]|\s-\s|[.;:!?]|$)")
# term: gloss   and   term levels (gloss)   (one word may sit between term and gloss)
_COLON_GLOSS = compile_cached(r"(?:\s+[\w\-]+)?\s*:\s+([^.;!?]{3,120})")
_NEAR_PARENS_GLOSS = compile_cached(r"\s+[\w\-]+\s*\(([^()]{3,120})\)")
_OR_GLOSS_AFTER = compile_cached(r"\s*,\s*or\s+([^,.;:!?()]{3,80})(?:[,.;:!?]|$)", re.I)
_OR_GLOSS_BEFORE = compile_cached(r"([^,.;:!?()]{3,80}),\s*or\s+$", re.I)


def _explains(gloss: str, term: Term) -> bool:
    return bool(term.keywords & set(re.findall(r"[a-z]{4,}", gloss.lower())))


def is_defined(text: str, start: int, end: int, term: Term) -> bool:
    """Is the term at text[start:end] explained right where it is used?"""
    # Only the last 200 characters before the term are ever searched: no longer copy.
    before, after = text[max(0, start - 200) : start], text[end:]
    gloss = _GLOSS_IN_PARENS.match(after)
    if gloss and re.search(r"[a-z]{3,}", gloss.group(1)) and not _CITATION.search(gloss.group(1)):
        return True
    if _CLOSES_PARENS.match(after) and _OPENS_PARENS.search(before[-200:]):  # cheap test first
        return True
    if _NAMED_BEFORE.search(before[-120:]) or _DEFINED_AFTER.match(after):
        return True
    for pattern in (_DASH_GLOSS, _COLON_GLOSS, _NEAR_PARENS_GLOSS):
        near = pattern.match(after)
        if near and _explains(near.group(1), term):
            return True
    comma = _OR_GLOSS_AFTER.match(after)
    if comma is None and _ends_with_comma_or(before[-90:]):
        comma = _OR_GLOSS_BEFORE.search(before[-90:])
    return bool(comma and _explains(comma.group(1), term))


def _ends_with_comma_or(text: str) -> bool:
    """Does ``text`` end in ", or " (the only place :data:`_OR_GLOSS_BEFORE` can match)?

    Why: that search tries every start in the text, each up to 80 characters: ~15 µs for
    each term found, when this test rules nearly all of them out at once. (Under re.I,
    "o" and "r" match only their two cases, and regex whitespace is what ``str.rstrip`` strips.)
    """
    tail = text.rstrip()
    return (
        len(tail) < len(text)
        and tail[-2:].lower() == "or"
        and tail[:-2].rstrip().endswith(",")
    )


# --- The check -------------------------------------------------------------------------------


def match_case(replacement: str, original: str) -> str:
    """Give the replacement the capitalisation of the word it replaces."""
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def article_for(phrase: str) -> str:
    """ "a" or "an" before a phrase (by its first letter, with the usual exceptions)."""
    word = phrase.lower()
    if word.startswith(("uni", "use", "usu", "uri", "ure", "eu", "one", "once")):
        return "a"
    if word.startswith(("hour", "honest", "heir")):
        return "an"
    return "an" if word[:1] in "aeiou" else "a"


_ARTICLE_BEFORE = compile_cached(r"(?<![\w])(an?)(\s+)$", re.I)


class SubstitutionCheck:
    def __init__(
        self,
        rule: Rule,
        terms: dict[str, Term],
        options: Mapping[str, Any],
        index: TermIndex | None = None,
    ) -> None:
        self.rule = rule
        self.terms = terms
        self.definitions: bool = options.get("definitions", False)
        self.report: str = options.get("report", "every")
        self.in_headings: bool = options.get("in-headings", False)
        self.detail: str = options.get("detail", DEFAULT_DETAIL)
        self.detail_explain: str = options.get("detail-explain", DEFAULT_DETAIL_EXPLAIN)
        self.index = index if index is not None else TermIndex(terms)

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        return list(self._findings(doc))

    def _findings(self, doc: Document) -> Iterator[Finding]:
        defined: set[int] = set()
        reported: set[tuple[int, int]] = set()
        blocks = doc.blocks
        for index, start, end, key in self.index.find(_PROSE.get(doc)):
            block = blocks[index]
            heading = block.kind == "heading" or block.level > 0
            if heading and not self.in_headings:
                continue
            term = self.terms[key]
            if term.allow or term.entry in defined:
                continue
            if self.definitions and not heading and is_defined(block.text, start, end, term):
                defined.add(term.entry)
                continue
            if self.report == "first-per-section":
                seen = (term.entry, block.section)
                if seen in reported:
                    continue
                reported.add(seen)
            yield self._finding(doc, block, start, end, term)

    def _finding(self, doc: Document, block: Block, begin: int, stop: int, term: Term) -> Finding:
        found = block.text[begin:stop]
        start, end = block.source_span(begin, stop)
        template = self.detail_explain if term.explain else self.detail
        message = template.format(term=found, alternative=term.alternative)
        if term.explain:
            return Finding(start, end, message, suggestion=term.alternative)
        replacement = match_case(term.alternative, found)
        fix = self._fix(doc, block, begin, stop, replacement)
        return Finding(start, end, message, suggestion=term.alternative, fix=fix)

    def _fix(
        self, doc: Document, block: Block, begin: int, stop: int, replacement: str
    ) -> Fix | None:
        term_text = block.text[begin:stop]
        article = _ARTICLE_BEFORE.search(block.text[max(0, begin - 4) : begin])
        if article:
            word = article.group(1)
            wanted = match_case(article_for(replacement), word)
            if wanted.lower() != word.lower():
                begin -= len(article.group(0))
                replacement = wanted + article.group(2) + replacement
        start, end = block.source_span(begin, stop)
        # Only when the source is the same text (no markup inside the span) can it be swapped.
        source, prose = doc.source[start:end], block.text[begin:stop]
        if source != prose and normalise(source) != normalise(prose):
            return None
        description = f"replace “{term_text}” with “{replacement.strip()}”"
        return Fix((Edit(start, end, replacement),), safe=False, description=description)


def _flag(options: Any, key: str, ctx: Any) -> None:
    if key in options and not isinstance(options[key], bool):
        raise ctx.error(f"{key!r} must be true or false", options.line_of(key))


def build(rule: Rule, options: Any, ctx: Any) -> SubstitutionCheck:
    name = options.get("terms")
    if not isinstance(name, str) or not name.strip():
        raise ctx.error(
            "'terms' must name a terms file (relative to this pack)", options.line_of("terms")
        )
    path = (Path(ctx.path).parent / name).resolve()
    if not path.is_file():
        raise ctx.error(f"terms file not found: {name}", options.line_of("terms"))
    for key in ("definitions", "in-headings"):
        _flag(options, key, ctx)
    if options.get("report", "every") not in REPORT_MODES:
        raise ctx.error(
            f"'report' must be one of {', '.join(REPORT_MODES)}", options.line_of("report")
        )
    for key in ("detail", "detail-explain"):
        if key in options:
            template = options[key]
            try:
                if not isinstance(template, str):
                    raise TypeError
                template.format(term="x", alternative="y")
            except (KeyError, IndexError, ValueError, TypeError):
                raise ctx.error(
                    f"{key!r} must be a string using only {{term}} and {{alternative}}",
                    options.line_of(key),
                ) from None
    terms, index = load_terms_cached(path)
    return SubstitutionCheck(rule, terms, options, index)
