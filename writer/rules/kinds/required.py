"""The ``required`` kind: a draft that discusses a topic must carry a caveat somewhere.

Readers act on these articles (some stop insulin), so a missing caveat is an error, and
recognising one must be strict: a sentence that merely shares words with the caveat
("stop your metformin after the first injection") must not count. A rule is data::

    - code: HW203
      kind: required
      suggestion: Do not stop ... without talking to your doctor first.   # inserted by --fix
      trigger: [caveats_treatment_topics]    # groups: a match in the prose -> rule applies
      satisfied_by:                          # patterns; one sentence matching one of them
        - all: [caveats_med_clinicians, caveats_med_dont_change]  # rarest group first
        - all: [caveats_exp_unknown]
          negators: caveats_negators         # a group match negated nearby does not count
          window: 4                          # words before a match searched for a negator
      unless:                                # patterns that make a sentence not count
        - all: [caveats_med_opposites]

A *group* is a lexicon name or an inline list of terms; a *pattern* matches a sentence when
every group of its ``all`` has a match there that is not negated. A *term* is a Python
regular expression, matched case-insensitively on whole words, where a space matches
spaces or a hyphen ("stem cell" also finds "stem-cell"), `` ... `` is a gap of up to four
words inside one clause, and ``{name}`` includes every term of a lexicon.

Groups are tried in order and their results shared between a rule's patterns, and each
group is first tested for plain words its matches must contain (a word of one set for the
group, then a word of each set one of its terms needs): that keeps a pack of large
patterns linear and cheap, and lets most sentences through without any regex. A document
is prepared once for all the rules: each sentence's words, found by splitting on
whitespace, become one bit mask, so the word tests are integer ANDs. Loading only checks
a rule's structure; a group's regex is compiled the first time a sentence passes its word
test (start-up is paid on every commit by the pre-commit hook). A broken term in a
built-in pack is then reported with the pack's file and line; users' packs are compiled in
full when they load, and the tests call ``RequiredCheck.validate()`` on the built-in ones.

Only prose sentences count (readers drop code, comments and front matter), so a caveat in a
code block or comment never satisfies a rule. The finding is reported once per document at
its start, suggests the rule's canonical sentence, and carries a safe fix that inserts that
sentence as its own paragraph at the configured ``caveat-position``.
"""

from __future__ import annotations

import html
import json
import re
import sys
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache, reduce
from itertools import compress
from operator import or_
from pathlib import Path
from typing import Any

from writer.cache import cache_dir, content_key, load_entries, prune, save_later, save_merged
from writer.diagnostics import Edit, Fix
from writer.document.model import Block, Document
from writer.regex_cache import compile_cached
from writer.rules.model import Finding, LintContext, Rule

OPTION_KEYS = ("trigger", "satisfied_by", "unless")
PATTERN_KEYS = ("all", "negators", "window")
POSITIONS = ("end", "after-title")
DEFAULT_WINDOW = 4

# A space in a term: whitespace, or one hyphen ("stem-cell"), never a spaced dash.
SEP = r"(?:\s+|-)"
# `...` in a term: up to four words, not crossing punctuation (so not across clauses).
GAP = SEP + r"(?:\w[\w'\-]*" + SEP + r"){0,4}"
LEXICON_REF = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
ELLIPSIS = re.compile(r"\s*\.\.\.\s*")
CLAUSE_MARK = re.compile(r"[,;:.!?()\[\]\"\u2014\u2013]|\s-\s")
WORD = re.compile(r"\w[\w'\-]*")
# Typographic apostrophes and hyphens read as plain ones (same length: offsets still hold).
NORMALISE = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-"}
)
# "(" that opens a capturing group: terms' groups are made non-capturing (faster).
CAPTURING = re.compile(r"(?<!\\)\((?!\?)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Canonical caveat paragraphs of every `required` rule built in this process. With
# ``after-title`` each missing caveat goes after the title *and after the caveats already
# inserted there*, so applying the fixes together or one pass at a time (as --fix does)
# gives the same order. Only texts the fixes themselves insert are ever in this set.
_CANONICAL: set[str] = set()


def _norm(text: str) -> str:
    return " ".join(_normalise(text).split()).casefold()


# Characters that IGNORECASE matches to an ASCII letter but lower() does not turn into it
# ("ſ" matches "s"). Folded for the prefilter, so it never rules out a sentence the regex
# would match.
FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _fold(text: str) -> str:
    """``text`` lower-cased for the plain-word prefilter (ASCII prefilter words occur in it
    wherever a case-insensitive regex could match them)."""
    return text.lower() if text.isascii() else text.translate(FOLD).lower()


def _normalise(text: str) -> str:
    """``text`` with typographic apostrophes and hyphens as plain ones (same length). Most
    prose is ASCII, which holds none of them: testing that is ~20x cheaper than translate."""
    return text if text.isascii() else text.translate(NORMALISE)


# --- compiling terms -------------------------------------------------------------------
#
# Loading the rules is paid by every run (a pre-commit hook pays it on every commit), and
# the caveat groups are large: compiling them all took about as long as the rest of
# start-up. So build() only checks a rule's structure; each group is compiled when it is
# first needed, and only after a cheap test on plain words says the sentence could match
# it. A draft without the topic compiles nothing; a typical draft, a few groups.

# For each term of a group, word sets a match of it holds a word of each of.
Alternatives = tuple[tuple[frozenset[str], ...], ...]

# Stands for a ``{lexicon}`` reference while working out a term's required words: a
# private-use character never typed in a term, so it ends a literal run.
PLACEHOLDER_BASE = 0xE000


class _Shared:
    """What the rules of one pack file share: lexicon groups (compiled once for all the
    rules that use them), the plain words each lexicon's matches must contain, and the
    current document prepared once for all of them."""

    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.triggers: dict[str, Group] = {}
        self.words: dict[str, frozenset[str] | None] = {}
        self.analysed: dict[tuple[str, ...], tuple[frozenset[str] | None, Alternatives | None]] = {}
        self.checked: set[str] = set()
        self.all_groups: list[Group] = []
        self.words_cache: _WordsCache | None = None
        # Every group's prefilter words, one bit each; which of them each token contains.
        self.vocab: dict[str, int] = {}
        self.longest = 0
        self.token_masks: dict[str, int] = {}
        self.primed = 0  # how many of all_groups have their mask
        self.last: tuple[weakref.ref[Document], _Prepared] | None = None

    def prime(self, ctx: Any) -> None:
        """Give every group its word masks before the first document (the vocabulary must
        be complete before sentences are read against it): one for its prefilter words,
        and one per word set of each term's alternatives."""
        if self.primed == len(self.all_groups):
            return
        if self.words_cache is None:
            self.words_cache = _WordsCache(getattr(ctx, "lexicons", None) or {})
        for group in self.all_groups[self.primed :]:
            alternatives = group.alternatives or ()
            for words in (group.words or (), *(c for a in alternatives for c in a)):
                for word in words:
                    if word not in self.vocab:
                        self.vocab[word] = 1 << len(self.vocab)
                        self.longest = max(self.longest, len(word))
                        self.token_masks.clear()
                        self.last = None
            group.mask = (
                None
                if group.words is None
                else sum(self.vocab[w] for w in dict.fromkeys(group.words))
            )
            group.alternative_masks = (
                tuple(tuple(self.bits(c) for c in a) for a in alternatives)
                if alternatives
                else None
            )
        self.primed = len(self.all_groups)
        self.words_cache.save()

    def bits(self, words: frozenset[str]) -> int:
        """The vocabulary bits of ``words``."""
        return sum(self.vocab[word] for word in words)

    def prepare(self, doc: Document) -> _Prepared:
        """The document's sentences, normalised and masked, worked out once for the rules."""
        if self.last is not None and self.last[0]() is doc:
            return self.last[1]
        prepared = _Prepared(doc, self)
        self.last = (weakref.ref(doc), prepared)
        return prepared

    def mask(self, text: str) -> int:
        """The prefilter words that occur in ``_fold(_normalise(text))``, as substrings.

        A prefilter word holds no whitespace (it is a run of word characters, apostrophes
        and hyphens), so it occurs in the text exactly when it occurs in one of the text's
        whitespace-separated tokens, and folding a token is folding that part of the text.
        Tokens repeat, so each is worked out once; splitting on whitespace and combining
        the known tokens' masks in C is twice as fast as a regex tokenizer.
        """
        tokens = text.split()
        try:
            return reduce(or_, map(self.token_masks.__getitem__, tokens), 0)
        except KeyError:
            masks = self.token_masks
            for token in tokens:
                if token not in masks:
                    masks[token] = self._token_mask(_fold(_normalise(token)))
            return reduce(or_, map(masks.__getitem__, tokens), 0)

    def _token_mask(self, token: str) -> int:
        vocab = self.vocab
        found = 0
        size = len(token)
        for begin in range(size):
            for end in range(begin + 2, min(size, begin + self.longest) + 1):
                found |= vocab.get(token[begin:end], 0)
        return found


# Prefilter words are usable as token substrings only in this shape (see _Shared.mask).
TOKEN_SHAPED = re.compile(r"\w[\w'\-]*")


class _Prepared:
    """One document as the caveat rules read it: each sentence normalised and reduced to
    the prefilter words it holds, plus the trigger matches found so far.

    Texts and masks are two parallel lists, not a tuple per sentence: :meth:`satisfied`
    picks the sentences a rule could use by their masks alone, in C (see there)."""

    __slots__ = ("texts", "masks", "mask", "topics")

    def __init__(self, doc: Document, shared: _Shared) -> None:
        texts: list[str] = []
        masks: list[int] = []
        token_masks = shared.token_masks
        total = 0
        for sentence in doc.sentences:
            text = sentence.text
            # _Shared.mask inlined: a plain loop of ORs is cheaper than reduce(or_, ...)
            # and a call per sentence, and this runs for every token of the draft.
            mask = 0
            try:
                for token in text.split():
                    mask |= token_masks[token]
            except KeyError:  # a token not seen before: work out its mask once
                mask = shared.mask(text)
            total |= mask
            texts.append(text if text.isascii() else text.translate(NORMALISE))
            masks.append(mask)
        self.texts = texts
        self.masks = masks
        self.mask = total
        self.topics: dict[Group, tuple[Block, re.Match[str]] | None] = {}


class _WordsCache:
    """Each group's prefilter words, remembered between runs.

    Why: working them out parses every term with the standard library's regex parser,
    tens of milliseconds at every start, and a pre-commit hook pays start-up on every
    commit. The answer depends only on the terms, the lexicon table, this module and
    the Python version, so the file is keyed by exactly those (plain JSON, never
    pickle). An optimisation only: a missing, stale or corrupt file means the work is
    redone; ``WRITER_CACHE_DIR=off`` disables it.
    """

    FORMAT = b"required-words 2"
    KEEP = 8

    def __init__(self, lexicons: Mapping[str, Any]) -> None:
        # Words: a list of words or None; sources: a string; alternatives: nested lists.
        self.entries: dict[str, Any] = {}
        self.dirty = False
        self.path: Path | None = None
        folder = cache_dir()
        if folder is None:
            return
        try:
            code = Path(__file__).read_bytes()
        except OSError:
            return
        table = json.dumps(lexicons, sort_keys=True, ensure_ascii=False).encode("utf-8")
        key = content_key(self.FORMAT, sys.version.encode(), code, table)
        self.path = folder / f"required-{key}.json"
        self.entries = load_entries(self.path)

    def get(self, key: str) -> tuple[bool, frozenset[str] | None]:
        """(found, words); a malformed entry counts as not found."""
        if key not in self.entries:
            return False, None
        value = self.entries[key]
        if value is None:
            return True, None
        if isinstance(value, list) and value and all(isinstance(w, str) for w in value):
            return True, frozenset(value)
        return False, None

    def put(self, key: str, words: frozenset[str] | None) -> None:
        if self.path is not None:
            self.entries[key] = None if words is None else sorted(words)
            self._dirty()

    def _dirty(self) -> None:
        """Saved by prime() at load; what is learned later (while linting) at exit."""
        if not self.dirty:
            self.dirty = True
            save_later(self.save)

    def get_alternatives(self, key: str) -> tuple[bool, Alternatives | None]:
        """(found, alternatives); a malformed entry counts as not found."""
        if key not in self.entries:
            return False, None
        value = self.entries[key]
        if value is None:
            return True, None
        try:
            found = tuple(
                tuple(frozenset(_words_list(choice)) for choice in _nonempty_list(alternative))
                for alternative in _nonempty_list(value)
            )
        except TypeError:
            return False, None
        return True, found

    def put_alternatives(self, key: str, alternatives: Alternatives | None) -> None:
        if self.path is not None:
            self.entries[key] = (
                None
                if alternatives is None
                else [[sorted(choice) for choice in a] for a in alternatives]
            )
            self._dirty()

    def get_source(self, key: str) -> str | None:
        value = self.entries.get(key)
        return value if isinstance(value, str) else None

    def put_source(self, key: str, source: str) -> None:
        if self.path is not None and self.entries.get(key) != source:
            self.entries[key] = source
            self._dirty()

    def save(self) -> None:
        """Merged, under a lock, with what other processes (parallel workers) wrote."""
        if self.dirty and self.path is not None:
            self.dirty = False
            self.entries = save_merged(self.path, self.entries)
            prune(self.path.parent, "required-*.json", self.KEEP)


def _nonempty_list(value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise TypeError("expected a non-empty list")
    return value


def _words_list(value: Any) -> list[str]:
    if not all(isinstance(word, str) and word for word in _nonempty_list(value)):
        raise TypeError("expected words")
    return value


# Contexts that take no attributes (slots): their caches, keyed by identity. One cache per
# context is required for correctness, not just speed: group masks and sentence masks are
# bits of the same shared vocabulary.
_ELSEWHERE: dict[int, tuple[Any, _Shared]] = {}


def _shared(ctx: Any) -> _Shared:
    """The cache of one pack context, kept on the context so it lives as long as the rules."""
    shared = getattr(ctx, "_required_shared", None)
    if isinstance(shared, _Shared):
        return shared
    kept = _ELSEWHERE.get(id(ctx))
    if kept is not None and kept[0] is ctx:
        return kept[1]
    shared = _Shared()
    try:
        ctx._required_shared = shared
    except AttributeError:
        _ELSEWHERE[id(ctx)] = (ctx, shared)  # holding ctx keeps its id unique
    return shared


class _Compiler:
    """Turns terms into regex source, expanding ``{lexicon}`` references; knows the pack
    file and line to name when a term is broken."""

    def __init__(self, ctx: Any, line: int) -> None:
        self.ctx = ctx
        self.line = line
        self.shared = _shared(ctx)

    # -- cheap checks, at load time --

    def check_term(self, term: str, stack: tuple[str, ...] = ()) -> None:
        """Gaps stand between words, lexicons exist and do not include themselves."""
        if any(not part for part in ELLIPSIS.split(term.strip())):
            raise self.ctx.error(f"term {term!r}: '...' must stand between words", self.line)
        for name in LEXICON_REF.findall(term):
            if name in stack:
                cycle = " -> ".join((*stack, name))
                raise self.ctx.error(f"lexicon {name!r} includes itself ({cycle})", self.line)
            if name in self.shared.checked:
                continue
            for word in self.ctx.lexicon(name, self.line):
                self.check_term(word, (*stack, name))
            self.shared.checked.add(name)

    def group(self, spec: Any, what: str) -> Group:
        """A group: a lexicon name or a list of terms. Checked now, compiled on first use."""
        if isinstance(spec, str):
            if spec in self.shared.groups:
                return self.shared.groups[spec]
            terms = list(self.ctx.lexicon(spec, self.line))
            label = f"lexicon {spec!r}"
        elif isinstance(spec, list) and spec and all(isinstance(t, str) for t in spec):
            terms, label = spec, "inline terms"
        else:
            raise self.ctx.error(
                f"{what} must be a lexicon name or a non-empty list of terms", self.line
            )
        if not terms:
            raise self.ctx.error(f"{what}: {label} is empty", self.line)
        for term in terms:
            if not isinstance(term, str) or not term.strip():
                raise self.ctx.error(f"{what}: every term must be a non-empty string", self.line)
            self.check_term(term, (spec,) if isinstance(spec, str) else ())
        group = Group(tuple(terms), self, what, spec if isinstance(spec, str) else None)
        if isinstance(spec, str):
            self.shared.groups[spec] = group
        return group

    # -- regex source, at first use --

    def term(self, term: str) -> str:
        """Regex source of one term."""
        return GAP.join(self._part(part) for part in ELLIPSIS.split(term.strip()))

    def _part(self, part: str) -> str:
        out: list[str] = []
        pos = 0
        for match in LEXICON_REF.finditer(part):
            out.append(self._spaces(part[pos : match.start()]))
            out.append(self._lexicon(match.group(1)))
            pos = match.end()
        out.append(self._spaces(part[pos:]))
        return "".join(out)

    @staticmethod
    def _spaces(text: str) -> str:
        text = CAPTURING.sub("(?:", text)
        return SEP.join(re.split(r" +", text)) if text else ""

    def _lexicon(self, name: str) -> str:
        words = self.ctx.lexicon(name, self.line)
        return "(?:" + "|".join(self.term(w) for w in words) + ")"

    def compile(self, terms: Sequence[str], what: str) -> re.Pattern[str]:
        """One regex matching any of ``terms`` on whole words; a broken term is reported
        with the pack file and line. The source is remembered between runs with the
        groups' words (expanding lexicons into source is pure Python, ~5 ms a start)."""
        cache = self.shared.words_cache
        key = "source\n" + "\n".join(terms)
        source = cache.get_source(key) if cache is not None else None
        if source is not None:
            try:
                return compile_cached(source, re.IGNORECASE)
            except re.error:
                pass  # a damaged entry: build it again, with the error reporting below
        return self._build(terms, what)

    def _build(self, terms: Sequence[str], what: str) -> re.Pattern[str]:
        # Terms that share the words before their first gap ("{negators} ... proven",
        # "{negators} ... tested") or after it ("only ... {clinicians}", "until ...
        # {clinicians}") are tried as one alternative: the regex engine tries every
        # alternative at every word, and a smaller pattern also compiles faster.
        by_head: dict[str, list[str]] = {}
        for term in terms:
            parts = ELLIPSIS.split(term.strip(), maxsplit=1)
            head, tail = (parts[0], parts[1]) if len(parts) == 2 else (term.strip(), "")
            by_head.setdefault(head, []).append(tail)
        sources = []
        by_tail: dict[str, list[str]] = {}
        for head, rests in by_head.items():
            compiled_head = self.term(head)
            if all(rests):
                rest = "|".join(self.term(r) for r in dict.fromkeys(rests))
                by_tail.setdefault(rest, []).append(compiled_head)
            else:  # the head alone is a term: it matches whatever follows
                sources.append(compiled_head)
        for rest, heads in by_tail.items():
            sources.append(f"(?:{'|'.join(heads)}){GAP}(?:{rest})")
        # One boundary check for all terms: mid-word positions fail at once.
        source = rf"(?<!\w)(?:{'|'.join(sources)})(?!\w)"
        try:
            compiled = compile_cached(source, re.IGNORECASE)
        except re.error as error:
            for term in terms:  # compiling the terms one by one names the broken one
                try:
                    re.compile(self.term(term))
                except re.error as exc:
                    raise self.ctx.error(
                        f"{what}: invalid term {term!r} ({exc})", self.line
                    ) from None
            raise self.ctx.error(f"{what}: the terms do not combine ({error})", self.line) from None
        if self.shared.words_cache is not None:
            self.shared.words_cache.put_source("source\n" + "\n".join(terms), source)
        return compiled

    def words(self, terms: Sequence[str]) -> frozenset[str] | None:
        """Lower-case words, one of which every match of any of ``terms`` contains (None:
        no such words). See :meth:`analyse`."""
        return self.analyse(terms)[0]

    def analyse(self, terms: Sequence[str]) -> tuple[frozenset[str] | None, Alternatives | None]:
        """The group's prefilter :meth:`words` and, for each term, the word sets a match of
        it holds a word of *each* of (None: a term with no such set).

        Worked out from one parse of the terms as written, each lexicon reference standing
        for its own (memoised) words, and each space or gap ending a word: much cheaper
        than parsing the expanded group, which is what lets a group go uncompiled. The
        per-term sets are the stronger test: "keep taking insulin" needs a verb, "taking"
        and a medicine, not just a medicine, and most sentences naming a medicine lack the
        rest, so the regex search is spared.
        """
        key = tuple(terms)
        if key not in self.shared.analysed:
            self.shared.analysed[key] = self._analyse(terms)
        return self.shared.analysed[key]

    def _analyse(self, terms: Sequence[str]) -> tuple[frozenset[str] | None, Alternatives | None]:
        placeholders: dict[str, str] = {}
        plain = [self._plain(t, placeholders) for t in terms]
        lexicons = {char: name for name, char in placeholders.items()}

        def placeholder(char: str) -> set[str] | None | bool:
            return self._placeholder(lexicons, char)

        # An optimisation only: a failure here never fails a rule, it just means no test.
        try:
            codes = _codes()
            items = _parse("|".join(f"(?:{source})" for source in plain))
            words = _required_words(items, codes, placeholder)
        except Exception:  # noqa: BLE001
            return None, None
        try:
            if len(plain) == 1:
                per_term = [items]
            elif (
                len(items) == 1
                and items[0][0] is codes.BRANCH
                and len(items[0][1][1]) == len(plain)
            ):
                per_term = [list(branch) for branch in items[0][1][1]]
            else:  # the parser merged the terms' common start: parse them one by one
                per_term = [_parse(source) for source in plain]
            alternatives = _alternatives([_choices(term, codes, placeholder) for term in per_term])
        except Exception:  # noqa: BLE001
            alternatives = None
        if not words or not all(word.isascii() and " " not in word for word in words):
            return None, alternatives  # lower() and IGNORECASE agree on ASCII only
        return frozenset(word.lower() for word in words), alternatives

    @staticmethod
    def _plain(term: str, placeholders: dict[str, str]) -> str:
        """A term as a regex with lexicon references as placeholder characters."""

        def mark(match: re.Match[str]) -> str:
            name = match.group(1)
            return placeholders.setdefault(name, chr(PLACEHOLDER_BASE + len(placeholders)))

        return LEXICON_REF.sub(mark, ELLIPSIS.sub(" ", term.strip()))

    def lexicon_words(self, name: str) -> frozenset[str] | None:
        """:meth:`words` of a lexicon, worked out once per pack load."""
        if name not in self.shared.words:
            self.shared.words[name] = None  # a cycle (rejected at load) finds no words
            self.shared.words[name] = self.words(self.ctx.lexicon(name, self.line))
        return self.shared.words[name]

    def _placeholder(self, lexicons: dict[str, str], char: str) -> set[str] | None | bool:
        """The required words of the lexicon a placeholder stands for (False: not one)."""
        name = lexicons.get(char)
        if name is None:
            return False
        found = self.lexicon_words(name)
        return set(found) if found else None


class Group:
    """Terms that are compiled into one regex on first use, with a cheap test on plain
    words that must pass before the regex is even built."""

    __slots__ = (
        "terms",
        "_compiler",
        "_what",
        "_lexicon",
        "_regex",
        "_words",
        "_ready",
        "_alternatives",
        "_alternatives_ready",
        "_lowered",
        "mask",
        "alternative_masks",
    )

    def __init__(
        self, terms: tuple[str, ...], compiler: _Compiler, what: str, lexicon: str | None = None
    ) -> None:
        self.terms = terms
        self._compiler = compiler
        self._what = what
        self._lexicon = lexicon
        self._regex: re.Pattern[str] | None = None
        self._words: tuple[str, ...] | None = None
        self._ready = False
        self._alternatives: Alternatives | None = None
        self._alternatives_ready = False
        self._lowered: re.Pattern[str] | bool | None = None  # None: not derived yet
        # Bits of the shared vocabulary for ``words`` (None: no prefilter), and for each
        # term's ``alternatives`` (None: none); set by prime().
        self.mask: int | None = None
        self.alternative_masks: tuple[tuple[int, ...], ...] | None = None
        compiler.shared.all_groups.append(self)

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            self._regex = self._compiler.compile(self.terms, self._what)
        return self._regex

    def finder(self, text: str) -> tuple[re.Pattern[str], str]:
        """(pattern, string to search) for normalised ``text``: ASCII text (almost every
        sentence) is searched lower-cased with the pattern :mod:`~writer.rules.kinds.
        fast_regex` derives from :attr:`regex`, which finds the same matches with the same
        spans several times faster (the engine can skip to where a match may start).
        Matches then hold the lower-cased text: callers use their positions only."""
        lowered = self._lowered
        if lowered is None:
            from writer.regex_cache import compile_derived
            from writer.rules.kinds import fast_regex

            derived = compile_derived(
                self.regex.pattern, re.IGNORECASE, fast_regex.TAG, fast_regex.derive
            )
            lowered = self._lowered = False if derived is None else derived
        if lowered is not False and text.isascii():
            return lowered, text.lower()  # type: ignore[return-value]
        return self._regex or self.regex, text

    def found_in(self, text: str) -> bool:
        """Whether the regex matches normalised ``text`` (see :meth:`finder`)."""
        pattern, string = self.finder(text)
        return pattern.search(string) is not None

    @property
    def words(self) -> tuple[str, ...] | None:
        """Lower-case words, one of which every match contains (None: no such words)."""
        if not self._ready:
            cache = self._compiler.shared.words_cache
            key = f"lexicon {self._lexicon}" if self._lexicon else "terms " + "\n".join(self.terms)
            known, found = cache.get(key) if cache is not None else (False, None)
            if not known:
                if self._lexicon is not None:
                    found = self._compiler.lexicon_words(self._lexicon)
                else:
                    found = self._compiler.words(self.terms)
                if found and not all(TOKEN_SHAPED.fullmatch(word) for word in found):
                    found = None  # _Shared.mask could not see such a word
                if cache is not None:
                    cache.put(key, found)
            self._words = tuple(sorted(found)) if found else None
            self._ready = True
        return self._words

    @property
    def alternatives(self) -> Alternatives | None:
        """Per term, the word sets its matches hold a word of each (see the compiler's)."""
        if not self._alternatives_ready:
            cache = self._compiler.shared.words_cache
            key = "alternatives " + "\n".join(self.terms)
            known, found = cache.get_alternatives(key) if cache is not None else (False, None)
            if not known:
                found = self._compiler.analyse(self.terms)[1]
                if cache is not None:
                    cache.put_alternatives(key, found)
            self._alternatives = found
            self._alternatives_ready = True
        return self._alternatives

    def possible_in(self, mask: int) -> bool:
        """Whether text holding the prefilter words ``mask`` has every word set of one of
        the terms (the stronger test; the regex decides)."""
        alternatives = self.alternative_masks
        if alternatives is None:
            return True
        for alternative in alternatives:
            for choice in alternative:
                if not choice & mask:
                    break
            else:
                return True
        return False

    def search(self, text: str, lowered: str | None) -> bool:
        """``lowered`` is ``_fold(text)``, computed once per sentence by the caller (None:
        search without the prefilter). Lint's path uses word masks instead (see
        :meth:`Pattern.matches_possible`)."""
        if lowered is not None:
            words = self.words
            if words is not None and not any(word in lowered for word in words):
                return False
        return self.regex.search(text) is not None


def _parse(source: str) -> list[tuple[Any, Any]]:
    """The standard library's own parse of a regex (its private API, hence the guard)."""
    import importlib

    try:
        parser = importlib.import_module("re._parser")
    except ImportError:  # Python 3.10
        parser = importlib.import_module("sre_parse")
    return list(parser.parse(source, re.IGNORECASE))


def _codes() -> Any:
    import importlib

    try:
        return importlib.import_module("re._constants")
    except ImportError:  # Python 3.10
        return importlib.import_module("sre_constants")


def _required_words(
    items: list[tuple[Any, Any]],
    codes: Any,
    placeholder: Callable[[str], set[str] | None | bool],
) -> set[str] | None:
    """Literal strings (3+ characters), one of which occurs in every match of ``items``.

    Python's regex engine tries every alternative at every word, so a big group costs
    most of a rule's time; substring tests on the lower-cased sentence rule most
    sentences out cheaply, and spare compiling the group at all. ``placeholder`` gives
    the words of the lexicon a placeholder character stands for (False: a real literal).
    """
    # Two-letter words ("gp") only where nothing longer is required: a weak test still
    # spares searching and compiling a group (the clinicians) in most sentences.
    choices = _choices(items, codes, placeholder)
    usable = [c for c in choices if min(map(len, c)) >= 3] or [
        c for c in choices if min(map(len, c)) >= 2
    ]
    if not usable:
        return None
    return max(usable, key=lambda c: (min(map(len, c)), -len(c)))


def _alternatives(terms: list[list[set[str]]]) -> Alternatives | None:
    """Each term's usable word sets, lower-cased (None: a term has none)."""
    found: dict[tuple[frozenset[str], ...], None] = {}
    for choices in terms:
        usable = (
            frozenset(word.lower() for word in choice)
            for choice in choices
            if all(len(word) >= 2 and word.isascii() for word in choice)
        )
        alternative = tuple(
            dict.fromkeys(c for c in usable if all(TOKEN_SHAPED.fullmatch(w) for w in c))
        )
        if not alternative:
            return None
        found[alternative] = None
    return tuple(found) or None


def _choices(
    items: list[tuple[Any, Any]],
    codes: Any,
    placeholder: Callable[[str], set[str] | None | bool],
) -> list[set[str]]:
    """Every word set of which a match of the sequence ``items`` contains one word: its
    literal runs, lexicon placeholders, and the best set of each required part."""
    choices: list[set[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is codes.LITERAL:
            lexicon = placeholder(chr(arg))
            if lexicon is False and not chr(arg).isspace():
                run.append(chr(arg))
                continue
            if run:
                choices.append({"".join(run)})
                run = []
            if lexicon:
                choices.append(lexicon)  # type: ignore[arg-type]
            continue
        if run:
            choices.append({"".join(run)})
            run = []
        found: set[str] | None = None
        if op is codes.SUBPATTERN:
            found = _required_words(list(arg[-1]), codes, placeholder)
        elif op is codes.BRANCH:
            branches = [_required_words(list(b), codes, placeholder) for b in arg[1]]
            if all(branches):
                found = set().union(*branches)  # type: ignore[arg-type]
        elif op in (codes.MAX_REPEAT, codes.MIN_REPEAT) and arg[0] >= 1:
            found = _required_words(list(arg[2]), codes, placeholder)
        if found:
            choices.append(found)
    if run:
        choices.append({"".join(run)})
    return choices


class Pattern:
    """Groups that must all match one sentence, each by a match that is not negated.

    A negator that is part of another group's own match ("rules are *not the same*
    everywhere") does not negate: it belongs to that group's meaning. (The classes of this
    module are plain ones: a dataclass costs ~0.3 ms of every start-up to create.)
    """

    __slots__ = ("groups", "negators", "window", "_masks")

    def __init__(
        self, groups: tuple[Group, ...], negators: Group | None = None, window: int = DEFAULT_WINDOW
    ) -> None:
        self.groups = groups
        self.negators = negators
        self.window = window
        self._masks: tuple[int, ...] | None = None

    def masks(self) -> tuple[int, ...]:
        """The groups' word masks (after prime()): text could match only if it holds a word
        of each. Worked out once; a group without a prefilter adds no test."""
        if self._masks is None:
            self._masks = tuple(g.mask for g in self.groups if g.mask is not None)
        return self._masks

    def matches_possible(self, text: str, seen: dict[Group, bool], mask: int) -> bool:
        """:meth:`matches` for text holding the prefilter words ``mask``, already known to
        hold a word of every group's mask. Every group's per-term word test comes before
        any regex: most sentences fail one of them, and then no regex runs."""
        groups = self.groups
        for group in groups:
            present = seen.get(group)
            if present is False:
                return False
            if present is None and not group.possible_in(mask):
                seen[group] = False
                return False
        for group in groups:
            present = seen.get(group)
            if present is None:
                present = seen[group] = group.found_in(text)
            if not present:
                return False
        return self.negators is None or self._not_all_negated(text)

    def matches(
        self,
        text: str,
        seen: dict[Group, bool] | None = None,
        lowered: str | None = None,
    ) -> bool:
        """``seen`` remembers group results for this text across patterns (groups such as
        the clinicians are shared by several patterns of one rule)."""
        if seen is None:
            seen = {}
        for group in self.groups:  # in YAML order: put the rarest group first
            present = seen.get(group)
            if present is None:
                present = seen[group] = group.search(text, lowered)
            if not present:
                return False
        return self.negators is None or self._not_all_negated(text)

    def _not_all_negated(self, text: str) -> bool:
        """Whether every group has a match in ``text`` that no negator negates."""
        found = []
        for group in self.groups:
            pattern, string = group.finder(text)
            found.append(list(pattern.finditer(string)))
        for index, matches in enumerate(found):
            others = [m.span() for i, ms in enumerate(found) if i != index for m in ms]
            if all(self._negated(text, m.start(), others) for m in matches):
                return False
        return True

    def _negated(self, text: str, start: int, masked: list[tuple[int, int]]) -> bool:
        """Whether a negator stands in the few words before ``start``, in the same clause."""
        assert self.negators is not None
        begin = max(0, start - 160)
        chars = list(text[begin:start])
        for first, last in masked:
            for pos in range(max(first, begin), min(last, start)):
                chars[pos - begin] = " "
        tail = "".join(chars)
        marks = list(CLAUSE_MARK.finditer(tail))
        if marks:
            tail = tail[marks[-1].end() :]
        words = WORD.findall(tail)[-self.window :]
        return bool(words) and self.negators.found_in(" ".join(words))


def _patterns(raw: Any, key: str, compiler: _Compiler, ctx: Any) -> tuple[Pattern, ...]:
    if not isinstance(raw, list) or not raw:
        raise ctx.error(f"'{key}' must be a non-empty list of patterns", compiler.line)
    result = []
    for number, spec in enumerate(raw, 1):
        where = f"{key}[{number}]"
        line = getattr(spec, "line", compiler.line)
        sub = _Compiler(ctx, line)
        if not isinstance(spec, Mapping):
            raise ctx.error(f"{where} must be a mapping with 'all'", line)
        unknown = sorted(set(spec) - set(PATTERN_KEYS))
        if unknown:
            raise ctx.error(
                f"unknown key {unknown[0]!r} in {where} (expected: {', '.join(PATTERN_KEYS)})",
                line,
            )
        groups = spec.get("all")
        if not isinstance(groups, list) or not groups:
            raise ctx.error(f"{where}: 'all' must be a non-empty list of groups", line)
        window = spec.get("window", DEFAULT_WINDOW)
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 10:
            raise ctx.error(f"{where}: 'window' must be a whole number from 1 to 10", line)
        negators = spec.get("negators")
        result.append(
            Pattern(
                groups=tuple(sub.group(g, f"{where}.all") for g in groups),
                negators=None if negators is None else sub.group(negators, f"{where}.negators"),
                window=window,
            )
        )
    return tuple(result)


# --- the check -------------------------------------------------------------------------


class RequiredCheck:
    """Reports a document that discusses the trigger topic but carries no caveat."""

    __slots__ = (
        "description",
        "message",
        "origin",
        "satisfied_by",
        "suggestion",
        "trigger",
        "unless",
    )

    def __init__(
        self,
        message: str,
        suggestion: str,
        description: str,
        trigger: Group | None,
        satisfied_by: tuple[Pattern, ...],
        unless: tuple[Pattern, ...] = (),
        # The pack context and line of the rule, to name them in an error.
        origin: tuple[Any, int] | None = None,
    ) -> None:
        self.message = message
        self.suggestion = suggestion
        self.description = description
        self.trigger = trigger
        self.satisfied_by = satisfied_by
        self.unless = unless
        self.origin = origin

    def groups(self) -> Iterator[Group]:
        if self.trigger is not None:
            yield self.trigger
        for pattern in (*self.satisfied_by, *self.unless):
            yield from pattern.groups
            if pattern.negators is not None:
                yield pattern.negators

    def validate(self) -> None:
        """Compile every group and check the fix; raises the pack's error (file and line).

        Run when a user's pack loads. Not when the built-in packs load (start-up cost): the
        tests run it for them, and a broken term would still be reported at first use.
        """
        for group in self.groups():
            group.regex  # noqa: B018 - compiling reports a broken term
        # The inserted sentence must satisfy the rule, or a second --fix would insert it
        # again.
        sentences = SENTENCE_END.split(self.suggestion.strip())
        if not any(self.recognises(s) for s in sentences):
            message = (
                "the rule's 'suggestion' does not satisfy its own 'satisfied_by' patterns, "
                "so --fix would not be idempotent"
            )
            if self.origin is None:
                raise ValueError(message)
            ctx, line = self.origin
            raise ctx.error(message, line)

    def recognises(self, sentence: str, prefilter: bool = True) -> bool:
        """Whether one sentence of prose is an acceptable form of the caveat."""
        text = sentence.translate(NORMALISE)
        return self._recognises(text, _fold(text) if prefilter else None)

    def _recognises(self, text: str, lowered: str | None) -> bool:
        """``text`` normalised, ``lowered`` its lower case (None: no prefilter). The
        reference for the prepared path in :func:`_recognised`."""
        seen: dict[Group, bool] = {}
        if not any(p.matches(text, seen, lowered) for p in self.satisfied_by):
            return False
        return not any(p.matches(text, seen, lowered) for p in self.unless)

    def topic(self, doc: Document) -> tuple[Block, re.Match[str]] | None:
        """The first mention of the trigger topic in the prose (None: no trigger found)."""
        if self.trigger is None:
            return None
        if self.origin is None:
            return self._first_mention(doc)
        shared = _shared(self.origin[0])
        shared.prime(self.origin[0])  # the trigger's words come from the words cache
        prepared = shared.prepare(doc)
        if self.trigger not in prepared.topics:  # rules with one trigger search it once
            prepared.topics[self.trigger] = self._first_mention(doc, shared)
        return prepared.topics[self.trigger]

    def _first_mention(
        self, doc: Document, shared: _Shared | None = None
    ) -> tuple[Block, re.Match[str]] | None:
        """Blocks are tested one at a time (the topic is usually named near the top): with
        ``shared``, by their word masks and the trigger terms' word sets, else by the
        trigger's prefilter words; then by the regex."""
        trigger = self.trigger
        assert trigger is not None
        words = trigger.words
        group_mask = trigger.mask if shared is not None else None
        for block in doc.blocks:
            if shared is not None and group_mask is not None:
                mask = shared.mask(block.text)
                if not (group_mask & mask and trigger.possible_in(mask)):
                    continue
            elif words is not None:
                lowered = _fold(_normalise(block.text))
                if not any(word in lowered for word in words):
                    continue
            text = _normalise(block.text)
            pattern, string = trigger.finder(text)
            found = pattern.search(string)
            if found:
                if string is text:
                    return block, found
                # The same match on the text itself (the message quotes it): the derived
                # pattern matches where the regex does (searching again is a safety net).
                match = trigger.regex.match(text, found.start())
                if match is None or match.end() != found.end():
                    match = trigger.regex.search(text)
                if match:
                    return block, match
        return None

    def satisfied(self, doc: Document) -> bool:
        """Whether some prose sentence of the document is the caveat (the first wins)."""
        if self.origin is None:
            return any(self.recognises(sentence.text) for sentence in doc.sentences)
        shared = _shared(self.origin[0])
        shared.prime(self.origin[0])
        prepared = shared.prepare(doc)
        # Patterns whose words the document lacks cannot match any of its sentences.
        every = prepared.mask
        candidates = [
            (p, masks)
            for p, masks in ((p, p.masks()) for p in self.satisfied_by)
            if all(m & every for m in masks)
        ]
        if not candidates:
            return False
        unless = [(p, p.masks()) for p in self.unless]
        # One test per sentence first: each candidate needs a word of its narrowest group.
        # A pattern without word tests (no plain words in a group's terms) needs them all.
        needed = 0
        for _, masks in candidates:
            needed |= min(masks, key=int.bit_count) if masks else -1
        # Only sentences holding a needed word are tried, picked by compress() in C: the
        # masks are tested for all the sentences of the draft, by every rule.
        texts, sentence_masks = prepared.texts, prepared.masks
        indexes: Iterable[int] = range(len(sentence_masks))
        if needed != -1:
            indexes = compress(indexes, map(needed.__and__, sentence_masks))
        return any(
            _recognised(texts[index], sentence_masks[index], candidates, unless)
            for index in indexes
        )

    def run(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
        if not doc.blocks:
            return
        found = self.topic(doc)
        if self.trigger is not None and found is None:
            return
        if self.satisfied(doc):
            return
        message = self.message
        if found is not None:
            block, match = found
            line, _ = doc.position(block.offsets[match.start()])
            message += f' (The draft discusses "{match.group(0)}" on line {line}.)'
        start, end = _report_span(doc)
        position = ctx.options.get("caveat_position", "end")
        if position not in POSITIONS:
            position = "end"
        edits = caveat_edits(doc, position, self.suggestion)
        fix = None
        if edits:
            where = "at the end" if position == "end" else "after the title"
            fix = Fix(edits, safe=True, description=f"Add the {self.description} {where}")
        yield Finding(start, end, message, fix=fix)


def _recognised(
    text: str,
    mask: int,
    candidates: Sequence[tuple[Pattern, tuple[int, ...]]],
    unless: Sequence[tuple[Pattern, tuple[int, ...]]],
) -> bool:
    """:meth:`RequiredCheck._recognises` for one prepared sentence holding the prefilter
    words ``mask``: a pattern's regexes run only when the sentence holds a word of each of
    its groups (plain loops: this runs for tens of thousands of sentences)."""
    seen: dict[Group, bool] = {}
    for pattern, masks in candidates:
        for group_mask in masks:
            if not group_mask & mask:
                break
        else:
            if pattern.matches_possible(text, seen, mask):
                break
    else:
        return False
    for pattern, masks in unless:
        for group_mask in masks:
            if not group_mask & mask:
                break
        else:
            if pattern.matches_possible(text, seen, mask):
                return False
    return True


def _report_span(doc: Document) -> tuple[int, int]:
    """The title heading, or the first line of the first prose block."""
    first = doc.blocks[0]
    if first.kind == "heading" or not first.text:
        return first.source_span(0, len(first.text))
    line_end = doc.source.find("\n", first.offsets[0])
    if line_end == -1:
        line_end = len(doc.source)
    count = 0
    while count < len(first.text) and first.offsets[count] < line_end:
        count += 1
    count = len(first.text[:count].rstrip()) or count
    return first.source_span(0, count)


def build(rule: Rule, options: Any, ctx: Any) -> RequiredCheck:
    if "satisfied_by" not in options:
        raise ctx.error(
            "a 'required' rule needs 'satisfied_by' (the caveat's patterns)", options.line
        )
    if not rule.suggestion:
        raise ctx.error(
            "a 'required' rule needs a 'suggestion': the caveat that --fix inserts", options.line
        )
    if "\n" in rule.suggestion.strip():
        raise ctx.error("the 'suggestion' of a 'required' rule must be one paragraph", options.line)
    trigger = None
    if "trigger" in options:
        raw = options["trigger"]
        compiler = _Compiler(ctx, options.line_of("trigger"))
        if not isinstance(raw, list) or not raw:
            raise ctx.error(
                "'trigger' must be a non-empty list of groups (lexicon names or term lists)",
                compiler.line,
            )
        groups = [compiler.group(g, "trigger") for g in raw]
        key = repr(raw)
        if key not in compiler.shared.triggers:  # rules with one trigger share its regex
            terms = tuple(t for g in groups for t in g.terms)
            compiler.shared.triggers[key] = Group(terms, compiler, "trigger")
        trigger = compiler.shared.triggers[key]
    check = RequiredCheck(
        message=rule.message,
        suggestion=rule.suggestion,
        description=rule.name.removeprefix("missing-").replace("-", " "),
        trigger=trigger,
        satisfied_by=_patterns(
            options["satisfied_by"],
            "satisfied_by",
            _Compiler(ctx, options.line_of("satisfied_by")),
            ctx,
        ),
        unless=_patterns(
            options["unless"], "unless", _Compiler(ctx, options.line_of("unless")), ctx
        )
        if "unless" in options
        else (),
    )
    check.origin = (ctx, options.line)
    if not _is_builtin(ctx):
        # A user's pack is checked in full now, so its mistakes show at once. The built-in
        # packs are checked by the test suite (tests/test_caveats.py) and compiled lazily.
        check.validate()
    _CANONICAL.add(_norm(rule.suggestion))
    return check


def _is_builtin(ctx: Any) -> bool:
    from writer.rules.packs import builtin_rules_dir

    path = getattr(ctx, "path", None)
    try:
        return path is not None and Path(path).resolve().parent == builtin_rules_dir().resolve()
    except OSError:
        return False


# --- where the caveat goes -------------------------------------------------------------


def caveat_edits(doc: Document, position: str, caveat: str) -> tuple[Edit, ...]:
    """Edits inserting ``caveat`` as its own paragraph, formatted for the document."""
    blocks = doc.blocks
    if doc.format == "html":
        tree = _html_tree(doc.source)
        if tree.heads:
            blocks = [b for b in blocks if not tree.in_head(b.offsets[0])]
    if not blocks:
        return ()
    anchor = _anchor(blocks, position)
    newline = "\r\n" if "\r\n" in doc.source else "\n"
    if doc.format == "html":
        return (_html_edit(doc.source, _html_tree(doc.source), anchor, caveat, newline),)
    last = anchor.offsets[max(len(anchor.text) - 1, 0)]
    if doc.format == "markdown":
        last = _markdown_block_end(doc.source, last)
    return _paragraph_after(doc.source, last, caveat, newline)


def _anchor(blocks: Sequence[Block], position: str) -> Block:
    """The block the caveat goes after: the last one, or the title plus any caveats after it."""
    if position == "end":
        return blocks[-1]
    index = 0
    while index + 1 < len(blocks) and _norm(blocks[index + 1].text) in _CANONICAL:
        index += 1
    return blocks[index]


def _paragraph_after(source: str, offset: int, caveat: str, newline: str) -> tuple[Edit, ...]:
    """Insert a blank-line separated paragraph after the line holding ``offset``.

    When text follows on the next line, a second edit turns that line break into a blank
    line. Every caveat fix at this point carries the same second edit, and overlapping
    copies are applied once, so two or three caveats together stay one blank line apart.
    """
    end = source.find("\n", offset)
    if end == -1:
        end = len(source)
    at = end - 1 if end > 0 and source[end - 1] == "\r" and end < len(source) else end
    edits = [Edit(at, at, newline + newline + caveat)]
    if end < len(source) and _line_at(source, end + 1).strip():
        edits.append(Edit(at, end + 1, newline + newline))
    return tuple(edits)


@lru_cache(maxsize=1)
def _block_parser() -> Any:
    """A Markdown parser for block structure only: the inline pass (emphasis, links) does
    not change a block's lines and cost as much again."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin).disable("inline")


@lru_cache(maxsize=2)
def _markdown_blocks(source: str) -> tuple[tuple[int, int], ...]:
    """Line ranges [first, last] of the top-level Markdown blocks (lists, tables, quotes)."""
    lines = source.split("\n")
    ranges = []
    for token in _block_parser().parse(source):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        first, stop = token.map
        last = stop - 1
        while last > first and not lines[last].strip():
            last -= 1
        ranges.append((first, last))
    return tuple(ranges)


def _markdown_block_end(source: str, offset: int) -> int:
    """An offset on the last line of the top-level block that holds ``offset``.

    Inserting after that line, not after the prose itself, keeps a setext underline, the
    rest of a table or list and a blockquote's later lines together.
    """
    line_end = source.find("\n", offset)
    if line_end == -1 or not source[line_end:].strip():
        # Nothing follows this line: whatever block holds it ends on it (block ranges end
        # on their last non-blank line), so the Markdown parse is not needed.
        return offset
    line = source.count("\n", 0, offset)
    for first, last in _markdown_blocks(source):
        if first <= line <= last:
            return _line_start(source, last)
    return offset


def _line_at(source: str, offset: int) -> str:
    """The rest of the line from ``offset`` (without copying the rest of the file)."""
    stop = source.find("\n", offset)
    return source[offset : stop if stop != -1 else len(source)]


def _line_start(source: str, line: int) -> int:
    pos = 0
    for _ in range(line):
        pos = source.find("\n", pos) + 1
    return pos


# --- HTML ------------------------------------------------------------------------------

# Elements a caveat paragraph may be placed inside (next to their children).
HTML_CONTAINERS = {"html", "body", "main", "article", "section", "div", "form"}
# fmt: off
HTML_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}
# Start tags that close an open <p> (the HTML parsing rules for sloppy drafts).
CLOSES_P = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}
# fmt: on
# Start tag -> (elements it closes, elements that stop the search).
IMPLIED = {
    "li": ({"li"}, {"ul", "ol"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "tr": ({"tr", "td", "th"}, {"table", "thead", "tbody", "tfoot"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
}


class _Element:
    __slots__ = ("closed", "end", "parent", "start", "tag")

    def __init__(self, tag: str, start: int, parent: int = -1) -> None:
        self.tag = tag
        self.start = start
        self.end = -1
        self.closed = False  # by its own end tag (end is just past it)
        self.parent = parent


class _HtmlTree:
    """Element extents of an HTML draft, with the implied closes of sloppy markup."""

    def __init__(self, source: str) -> None:
        from html.parser import HTMLParser

        self.source = source
        self.elements: list[_Element] = []
        starts = [0, *(m.end() for m in re.finditer("\n", source))]
        tree = self
        stack: list[int] = []

        def close_to(index: int, at: int) -> None:
            while stack:
                top = stack.pop()
                tree.elements[top].end = at
                if top == index:
                    return

        class Parser(HTMLParser):
            def source_offset(self) -> int:
                line, column = self.getpos()
                return starts[line - 1] + column

            def handle_starttag(self, tag: str, attrs: Any) -> None:
                at = self.source_offset()
                if tag in CLOSES_P:
                    for index in reversed(stack):
                        if tree.elements[index].tag == "p":
                            close_to(index, at)
                            break
                        if tree.elements[index].tag in HTML_CONTAINERS:
                            break
                if tag in IMPLIED:
                    closes, stops = IMPLIED[tag]
                    for index in reversed(stack):
                        name = tree.elements[index].tag
                        if name in closes:
                            close_to(index, at)
                            break
                        if name in stops:
                            break
                if tag in HTML_VOID:
                    return
                parent = stack[-1] if stack else -1
                tree.elements.append(_Element(tag, at, parent=parent))
                stack.append(len(tree.elements) - 1)

            def handle_endtag(self, tag: str) -> None:
                at = self.source_offset()
                for index in reversed(stack):
                    if tree.elements[index].tag == tag:
                        close_to(index, at)
                        element = tree.elements[index]
                        gt = tree.source.find(">", at)
                        element.end = gt + 1 if gt != -1 else len(tree.source)
                        element.closed = True
                        return

        parser = Parser(convert_charrefs=True)
        parser.feed(source)
        parser.close()
        while stack:
            self.elements[stack.pop()].end = len(source)
        self.heads = [e for e in self.elements if e.tag == "head"]

    def path(self, offset: int) -> list[int]:
        """Indexes of the elements holding ``offset``, outermost first."""
        inner = -1
        for index, element in enumerate(self.elements):
            if element.start <= offset < element.end:
                inner = index
        chain = []
        while inner != -1:
            chain.append(inner)
            inner = self.elements[inner].parent
        return chain[::-1]

    def in_head(self, offset: int) -> bool:
        """Whether ``offset`` is inside ``<head>`` (its title is no place for a caveat)."""
        return any(e.start <= offset < e.end for e in self.heads)


@lru_cache(maxsize=2)
def _html_tree(source: str) -> _HtmlTree:
    return _HtmlTree(source)


def _html_edit(source: str, tree: _HtmlTree, anchor: Block, caveat: str, newline: str) -> Edit:
    """A ``<p>`` after the element that holds the anchor, as a sibling inside its container.

    From the anchor text, climb to the child of the nearest container (article, main,
    body...): a list, table, blockquote or header is passed as a whole, never entered.
    """
    paragraph = f"<p>{html.escape(caveat, quote=False)}</p>"
    last = anchor.offsets[max(len(anchor.text) - 1, 0)]
    path = tree.path(last)
    child = None
    for index in reversed(path):
        if tree.elements[index].tag in HTML_CONTAINERS:
            break
        child = index
    if child is None:  # prose directly inside a container (or no markup at all)
        at, indent = anchor.source_span(0, len(anchor.text))[1], ""
    else:
        element = tree.elements[child]
        at = element.end
        if not element.closed:  # implied end: keep the text's own line
            while at > element.start and source[at - 1] in " \t\r\n":
                at -= 1
        line_start = source.rfind("\n", 0, element.start) + 1
        lead = source[line_start : element.start]
        indent = lead if not lead.strip() else ""
    if not _line_at(source, at).strip():
        return Edit(at, at, newline + indent + paragraph)
    line_start = source.rfind("\n", 0, at) + 1
    if not source[line_start:at].strip():  # a tag starts the next line: go before it
        return Edit(line_start, line_start, indent + paragraph + newline)
    return Edit(at, at, paragraph)
