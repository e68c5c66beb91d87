"""The ``phrase`` kind: declarative token patterns, checked sentence by sentence, with context.

Existence rules in other linters (Vale's ``existence``, proselint's ``existence_check``) flag
a phrase wherever it occurs. For health claims that cries wolf: "guaranteed cure" is a claim
in an advert and a warning in "be wary of clinics promising a guaranteed cure". So a phrase
rule here says what to find *and* in which contexts the words are not the writer's claim::

    patterns:                        # token patterns (below); any may match
      - "{claims_cure_verbs} ~2 {claims_conditions}"
      - match: "miracle (cure|treatment)"   # a pattern may carry its own settings:
        message: "Calls the treatment a miracle ('{match}')."   # {match}: the words found
        replace: "new, unproven treatment"  # offered as an UNSAFE fix (changes meaning)
        unless: [...]                       # added to the rule's conditions
    unless:                          # any condition holds -> not reported
      - {scope: before, cues: "{claims_negators}", window: 5, stop: "{claims_clause_breaks}"}
      - {scope: sentence, question: true}
    require:                         # every condition must hold
      - {scope: previous, question: true, cues: "{claims_faq_topics}"}

Token patterns (case-insensitive, whole words): words separated by spaces match any run of
spaces or dashes ("stem cell" matches "stem-cell"); a hyphen inside a word is optional
("risk-free" matches "risk free"); ``word*`` matches any ending; ``(a|b c)`` alternatives;
``(...)?`` is optional ("(the)? cure", "tumour(s)?"); ``{name}`` expands a lexicon (each entry is a
token pattern); ``~N`` skips up to N words; ``#`` is any number and ``#80-100`` a whole
number in that range; ``^`` and ``$`` anchor to the start and end of the sentence; ``\\x``
is a literal x.

Conditions look at a scope of text around a match and hold when a cue is found there (and,
with ``question: true``, when that sentence is a question). Scopes: ``before`` / ``after``
(the words before or after the match, up to ``window`` words, cut at the last/first ``stop``
cue), ``clause`` (both), ``sentence`` (the whole sentence without the match), ``previous``
(the sentence before, e.g. the question an FAQ answer replies to) and ``lead-in`` (the line
ending in ":" or the heading that introduces the list item the match is in). ``ignore``
cues are blanked out before searching, like NegEx's pseudo-negations ("no doubt"). The words
a ``~N`` gap skipped inside a match are searched too, so "diabetes cannot currently be
cured" is negated. Lists may nest, so YAML anchors can share a set of conditions between rules.

Speed: every pattern knows the words a match must contain (for each required part, one of
a set). A document is indexed once, word -> sentences (phrase_index.py, shared by all phrase
rules); a pattern's regex runs only on sentences that have a word from each required part,
so the regex engine sees few sentences. Cue lists are searched the same way: a cue list
naming a lexicon is split into its entries, and a condition searches only the entries whose
words the sentence holds, instead of one hundred-way alternation per match. Sentence sets
are bit masks, and each condition knows per document (one mask) the sentences where it
could hold at all (a word of its cues, a "?" where it asks for a question), so most
condition checks are one bit test; conditions on the previous sentence or the lead-in
line, which do not depend on the match, are answered once per sentence.

Start-up (paid on every pre-commit run): a pack load only parses and checks each pattern
(so a broken one is reported with file and line at once) and works out its trigger words;
regex source is built and compiled when a sentence first contains those words, so a
careful draft never compiles most of them. The trigger words are also remembered between
runs (phrase_cache.py, keyed by the lexicons and this code), which leaves a warm load
with almost nothing to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from writer.diagnostics import Edit, Fix
from writer.document.model import Block, Document, Sentence
from writer.regex_cache import compile_cached, compile_derived
from writer.rules.kinds import fast_regex
from writer.rules.kinds.phrase_cache import BuildCache
from writer.rules.kinds.phrase_index import (
    QUESTION_RE,
    TOKEN_RE,
    DocIndex,
    Planner,
    doc_index,
    words_of,
)
from writer.rules.model import Finding, LintContext, Rule

# --- token patterns -> regular expressions ---------------------------------------------

DASHES = "\\-\u2010\u2011\u2012\u2013\u2014"
SEP = rf"(?:\s*[{DASHES}]\s*|\s+)"  # between two words: spaces or a dash
APOSTROPHE = "['\u2019\u02bc]"
GAP_WORD = rf"[\w'\u2019%{DASHES}]+"
NUMBER = r"(?<![\d.,])\d+(?:[.,]\d+)*(?!\d)"
START = r"^\W*"
END = r"\W*$"
LEXICON_NAME_RE = re.compile(r"[A-Za-z0-9_\-]+")
MAX_RANGE = 1000
MAX_LEXICON_DEPTH = 8


class PatternError(ValueError):
    """A token pattern that cannot be compiled; the message says why."""


class _Atom:
    """One parsed token. (The classes of this module are plain ones, with only the methods
    something uses: a dataclass costs ~0.3 ms of every start-up to create.)"""

    __slots__ = ("glued", "kind", "optional", "value")

    def __init__(self, kind: str, value: Any = None) -> None:
        self.kind = kind  # word | group | lexicon | gap | number | start | end
        self.value = value
        self.optional = False
        self.glued = False  # written with no space before it: concatenated, no separator


# One regex cuts a pattern into tokens: a character-by-character loop in Python cost more
# than everything else at pack load.
TOKEN_SCAN = re.compile(
    r"(?P<space>\s+)|(?P<punct>[()|?^$])|(?P<lexicon>\{[^{}]*\}?)|(?P<gap>~\d*)"
    r"|(?P<number>#(?:(?P<low>\d+)-(?P<high>\d+))?)|(?P<word>(?:[^()|?{}~#^$\s\\]|\\.?)+)"
    r"|(?P<other>.)",
    re.DOTALL,
)
ESCAPES_OK = re.compile(r"(?:[^\\]|\\.)*", re.DOTALL)  # no lone backslash at the end


def _tokens(pattern: str) -> Iterator[tuple[str, Any]]:
    for m in TOKEN_SCAN.finditer(pattern):
        kind = m.lastgroup
        text = m.group()
        if kind == "word":
            if not ESCAPES_OK.fullmatch(text):
                raise PatternError("'\\' at the end of the pattern")
            _check_word(text)
            yield "word", text
        elif kind == "space":
            yield "space", None
        elif kind == "punct":
            yield text, None
        elif kind == "lexicon":
            if not text.endswith("}"):
                raise PatternError("'{' without a closing '}'")
            name = text[1:-1]
            if not LEXICON_NAME_RE.fullmatch(name):
                raise PatternError(f"bad lexicon name {name!r}")
            yield "lexicon", name
        elif kind == "gap":
            if len(text) == 1:
                raise PatternError("'~' must be followed by a number of words, e.g. ~3")
            yield "gap", int(text[1:])
        elif kind == "number":
            if m.group("low") is None:
                yield "number", None
            else:
                low, high = int(m.group("low")), int(m.group("high"))
                if low > high or high - low > MAX_RANGE:
                    raise PatternError(f"bad number range #{low}-{high}")
                yield "number", (low, high)
        else:
            if text == "}":
                raise PatternError("'}' without an opening '{'")
            raise PatternError(f"unexpected {text!r}")


def _check_word(word: str) -> None:
    """'*' may only end a word; checked while tokenizing, so a pack load reports it."""
    if "*" not in word:
        return
    i = 0
    while i < len(word):
        if word[i] == "\\":
            i += 2
            continue
        if word[i] == "*" and i != len(word) - 1:
            raise PatternError(f"'*' may only end a word ({word!r})")
        i += 1


class _Seq:
    """Atoms of one alternative; ``lead``/``trail``: written with a space just inside the
    group, as in "(your )?diabetes", which then owns the separator."""

    __slots__ = ("atoms", "lead", "trail")

    def __init__(self, atoms: list[_Atom], lead: bool = False, trail: bool = False) -> None:
        self.atoms = atoms
        self.lead = lead
        self.trail = trail


class _Parser:
    """Recursive descent over the tokens: alternatives of sequences of atoms."""

    def __init__(self, pattern: str) -> None:
        self.tokens = list(_tokens(pattern))
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse(self) -> list[_Seq]:
        alts = self.alternatives()
        if self.peek() == ")":
            raise PatternError("')' without an opening '('")
        if self.peek() is not None:  # pragma: no cover - alternatives() stops only at ")"
            raise PatternError(f"unexpected {self.peek()!r}")
        return alts

    def alternatives(self) -> list[_Seq]:
        alts = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            alts.append(self.sequence())
        return alts

    def sequence(self) -> _Seq:
        atoms: list[_Atom] = []
        glued = False
        lead = self.peek() == "space"
        trail = False
        while True:
            kind = self.peek()
            if kind == "space":
                self.pos += 1
                glued = False
                continue
            if kind is None or kind in ("|", ")"):
                break
            if kind == "?":
                raise PatternError("'?' must follow a group, as in (word)?")
            atom = self.atom()
            atom.glued = glued and bool(atoms)
            if self.peek() == "?":
                if atom.kind != "group":
                    # Regex habit ("tumours?") would silently make the whole word optional.
                    raise PatternError(
                        "'?' may only follow a group: write (word)? for an optional word "
                        "and word(s)? for an optional ending"
                    )
                atom.optional = True
                self.pos += 1
            atoms.append(atom)
            glued = True
        if not atoms:
            raise PatternError("empty pattern or alternative")
        trail = self.pos > 0 and self.tokens[self.pos - 1][0] == "space"
        return _Seq(atoms, lead, trail)

    def atom(self) -> _Atom:
        kind, value = self.tokens[self.pos]
        self.pos += 1
        if kind == "(":
            alts = self.alternatives()
            if self.peek() != ")":
                raise PatternError("'(' without a closing ')'")
            self.pos += 1
            return _Atom("group", alts)
        if kind == ")":
            raise PatternError("')' without an opening '('")
        mapping = {"^": "start", "$": "end"}
        return _Atom(mapping.get(kind, kind), value)


def _word_regex(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        if ch == "\\":
            out.append(re.escape(word[i + 1]))
            i += 2
            continue
        if ch == "*":
            if i != len(word) - 1:
                raise PatternError(f"'*' may only end a word ({word!r})")
            out.append(r"\w*")
        elif ch in "-\u2010\u2011":
            out.append(SEP + "?")
        elif ch in "'\u2019":
            out.append(APOSTROPHE)
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _range_regex(low: int, high: int) -> str:
    numbers = sorted((str(v) for v in range(low, high + 1)), key=lambda s: (-len(s), s))
    return rf"(?<![\d.,])(?:{'|'.join(numbers)})(?:[.,]\d+)?(?!\d)"


class Triggers:
    """Words of which a match must contain at least one: a sentence with none of them is
    skipped without running the rule's regex (most sentences, in careful writing).

    A value: equal sets are interned through a dict (see :func:`_conjunctions_from_json`),
    so they compare and hash by value, and are never changed after they are made.
    """

    __slots__ = ("number", "prefixes", "words")

    def __init__(
        self,
        words: frozenset[str] = frozenset(),
        prefixes: tuple[str, ...] = (),
        number: bool = False,
    ) -> None:
        self.words = words
        self.prefixes = prefixes
        self.number = number

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Triggers):
            return NotImplemented
        return (self.words, self.prefixes, self.number) == (
            other.words,
            other.prefixes,
            other.number,
        )

    def __hash__(self) -> int:
        return hash((self.words, self.prefixes, self.number))

    def __repr__(self) -> str:
        return f"Triggers(words={self.words!r}, prefixes={self.prefixes!r}, number={self.number!r})"

    def __or__(self, other: Triggers) -> Triggers:
        return Triggers(
            self.words | other.words,
            tuple(sorted(set(self.prefixes) | set(other.prefixes))),
            self.number or other.number,
        )

    def score(self) -> tuple[int, int]:
        """Higher is more selective: long words beat "a"/"the", few words beat many."""
        lengths = [len(w) for w in self.words] + [len(p) for p in self.prefixes]
        if self.number:
            lengths.append(1)
        return (min(lengths, default=0), -len(lengths))

    def as_prefixes(self) -> Triggers:
        """For a word with something glued after it: "effect(s)?" also matches "effects"."""
        return Triggers(prefixes=tuple(sorted(self.words | set(self.prefixes))), number=self.number)


def _word_triggers(word: str) -> Triggers | None:
    literal = re.sub(r"\\(.)", r"\1", word).lower()
    wildcard = literal.endswith("*")
    first = TOKEN_RE.match(literal.rstrip("*"))
    if first is None:
        return None  # punctuation only: no word to look for
    token = first.group()
    rest = literal.rstrip("*")[first.end() :]
    if wildcard and not rest or rest[:1] in ("-", "\u2010", "\u2011"):
        # "advertis*", and "risk-free", which may be written "riskfree"
        return Triggers(prefixes=(token,))
    return Triggers(words=frozenset({token}))


def _check_placement(atoms: list[_Atom], anchors: bool) -> None:
    for index, atom in enumerate(atoms):
        if atom.kind in ("start", "end") and not anchors:
            raise PatternError("'^' and '$' may not be used inside groups or lexicons")
        if atom.kind == "start" and index != 0:
            raise PatternError("'^' must begin the pattern")
        if atom.kind == "end" and index != len(atoms) - 1:
            raise PatternError("'$' must end the pattern")
    if atoms[0].kind == "gap" or atoms[-1].kind == "gap":
        raise PatternError("'~N' must sit between two words")


def _owns_separator(atom: _Atom) -> bool:
    """A group whose every alternative ends in a space, as in "(your )?diabetes": what is
    written straight after it is a word of its own, so it can supply trigger words."""
    return atom.kind == "group" and all(seq.trail for seq in atom.value)


def _conjunctions_to_json(conjunctions: list[tuple[Triggers, ...]] | None) -> Any:
    if conjunctions is None:
        return None
    return [
        [[sorted(t.words), list(t.prefixes), t.number] for t in conj] for conj in conjunctions
    ]


def _conjunctions_from_json(
    data: Any, table: dict[Triggers, Triggers] | None = None
) -> list[tuple[Triggers, ...]] | None:
    """``table``: equal trigger sets become one object, which documents then look up once."""
    if data is None:
        return None
    table = {} if table is None else table
    result = []
    for conj in data:
        found = []
        for words, prefixes, number in conj:
            triggers = Triggers(frozenset(map(str, words)), tuple(map(str, prefixes)), bool(number))
            found.append(table.setdefault(triggers, triggers))
        result.append(tuple(found))
    return result


def _top_gaps(alts: list[_Seq]) -> tuple[str, ...]:
    """Names of the groups that :meth:`Compiler.pattern_with_gaps` gives a pattern's own
    ``~N`` gaps (those of its top-level sequences, not of groups or lexicons)."""
    count = sum(1 for seq in alts for atom in seq.atoms if atom.kind == "gap")
    return tuple(f"gap{i}" for i in range(count))


class Compiler:
    """Turns token patterns into regex source, expanding lexicons (cached per pack load)."""

    def __init__(self, lexicons: Mapping[str, list[str]]) -> None:
        self.lexicons = lexicons
        self._expanded: dict[str, str] = {}
        self._stack: list[str] = []
        self._lexicon_triggers: dict[str, Triggers | None] = {}
        self._parsed: dict[str, list[_Seq]] = {}
        self._cache: BuildCache | None = None
        # Conditions built from one YAML node, shared by the rules that alias it.
        self.conditions: dict[tuple[int, str, str], tuple[Any, list[Condition]]] = {}
        self._checked: set[tuple[str, bool]] = set()
        self._checked_lexicons: set[str] = set()
        self.triggers: dict[Triggers, Triggers] = {}  # one object per distinct trigger set

    @property
    def cache(self) -> BuildCache:
        if self._cache is None:
            self._cache = BuildCache(self.lexicons)
        return self._cache

    def prepare(self, text: str) -> tuple[list[tuple[Triggers, ...]] | None, tuple[str, ...]]:
        """Check a rule pattern and work out its trigger words and gap groups, or recall
        them from an earlier run with the same lexicons (see phrase_cache)."""
        key = "p:" + text
        known = self.cache.get(key)
        if known is not None:
            try:
                return _conjunctions_from_json(known["c"], self.triggers), tuple(known["g"])
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: compute it again
        gaps = _top_gaps(self.check(text))
        data = _conjunctions_to_json(self.conjunctions(text))
        self.cache.put(key, {"c": data, "g": list(gaps)})
        return _conjunctions_from_json(data, self.triggers), gaps

    def check_cue(self, text: str) -> list[CuePart]:
        """:meth:`check` for a cue pattern, and its alternatives with their trigger words
        (see :class:`CueRegex`), remembered between runs like :meth:`prepare`."""
        key = "c:" + text
        known = self.cache.get(key)
        if isinstance(known, dict):
            try:
                parts = known["parts"]
                return [CuePart(str(part), bool(entry), conj) for part, entry, conj in parts]
            except (KeyError, TypeError, ValueError):
                pass  # a damaged entry: compute it again
        self.check(text)
        parts = self._cue_parts(text, entry=False)
        self.cache.put(key, {"parts": [list(part) for part in parts]})
        return parts

    def _cue_parts(self, text: str, entry: bool) -> list[CuePart]:
        """A cue that is just ``{lexicon}`` splits into the lexicon's entries (recursively):
        whether any entry is found is whether the lexicon is found."""
        alts = self.parse(text)
        if len(alts) == 1 and len(alts[0].atoms) == 1:
            seq, atom = alts[0], alts[0].atoms[0]
            # As a lexicon entry, a space written inside the quotes is part of its regex.
            spaced = entry and (seq.lead or seq.trail)
            if atom.kind == "lexicon" and not atom.optional and not spaced:
                entries = self._entries(atom.value)
                return [part for e in entries for part in self._cue_parts(e, True)]
        return [CuePart(text, entry, _conjunctions_to_json(self.conjunctions(text)))]

    def remembered(self, key: str, build: Callable[[], str]) -> str:
        """Regex source built by ``build``, or recalled from an earlier run: expanding
        lexicons into source is pure Python and costs a cold start ~20 ms."""
        known = self.cache.get(key)
        if isinstance(known, str):
            return known
        source = build()
        self.cache.put(key, source)
        return source

    def cue_part_source(self, part: CuePart) -> str:
        """Regex source of one cue part, exactly as it sits inside the whole cue list's."""
        if part.entry:
            return guarded(self._alternation(self.parse(part.text), anchors=False))
        return guarded(self.pattern(part.text))

    def parse(self, text: str) -> list[_Seq]:
        """Parse a token pattern once per load: rules share lexicons and YAML anchors."""
        found = self._parsed.get(text)
        if found is None:
            found = self._parsed[text] = _Parser(text).parse()
        return found

    def check(self, text: str, anchors: bool = True) -> list[_Seq]:
        """Everything that could make :meth:`pattern` fail, without building regex source.

        Pack loads run this for every pattern and cue (so a broken one is reported with
        file and line at once); the source itself is built on first use.
        """
        if not isinstance(text, str) or not text.strip():
            raise PatternError("a pattern must be a non-empty string")
        alts = self.parse(text)
        if (text, anchors) not in self._checked:
            self._check_alternation(alts, anchors)
            self._checked.add((text, anchors))
        return alts

    def _check_alternation(self, alts: list[_Seq], anchors: bool) -> None:
        for seq in alts:
            self._check_sequence(seq.atoms, anchors)

    def _check_sequence(self, atoms: list[_Atom], anchors: bool) -> None:
        _check_placement(atoms, anchors)
        for atom in atoms:
            if atom.kind == "group":
                self._check_alternation(atom.value, anchors=False)
            elif atom.kind == "lexicon":
                self._check_lexicon(atom.value)

    def _check_lexicon(self, name: str) -> None:
        if name in self._checked_lexicons:
            return
        if name in self._stack or len(self._stack) > MAX_LEXICON_DEPTH:
            raise PatternError(f"lexicon {name!r} refers to itself")
        entries = self._entries(name)
        if not entries:
            raise PatternError(f"lexicon {name!r} is empty")
        self._stack.append(name)
        try:
            for entry in entries:
                try:
                    self._check_alternation(self.parse(entry), anchors=False)
                except PatternError as exc:
                    raise PatternError(f"in lexicon {name!r}, entry {entry!r}: {exc}") from None
        finally:
            self._stack.pop()
        self._checked_lexicons.add(name)

    def conjunctions(self, text: str) -> list[tuple[Triggers, ...]] | None:
        """For each alternative of a pattern, the trigger sets of all its required atoms
        (None: some alternative needs no particular word, so every sentence is a candidate)."""
        result = []
        for seq in self.parse(text):
            conj = []
            for index in range(len(seq.atoms)):
                found = self._required_atom(seq.atoms, index)
                if found is not None:
                    conj.append(found)
            if not conj:
                return None
            conj.sort(key=Triggers.score, reverse=True)
            result.append(tuple(conj))
        return result

    def _required_atom(self, atoms: list[_Atom], index: int) -> Triggers | None:
        atom = atoms[index]
        if atom.optional or atom.kind in ("start", "end", "gap"):
            return None
        if atom.glued and not _owns_separator(atoms[index - 1]):
            return None  # glued to the word before it: not a word of its own
        found = self._atom_triggers(atom)
        if found is not None and index + 1 < len(atoms) and atoms[index + 1].glued:
            found = found.as_prefixes()
        return found

    def _alt_triggers(self, alts: list[_Seq]) -> Triggers | None:
        result = Triggers()
        for seq in alts:
            found = self._seq_triggers(seq.atoms)
            if found is None:
                return None
            result = result | found
        return result

    def _seq_triggers(self, atoms: list[_Atom]) -> Triggers | None:
        # Every required atom must appear in a match: use the most selective one.
        best: Triggers | None = None
        for index in range(len(atoms)):
            found = self._required_atom(atoms, index)
            if found is not None and (best is None or found.score() > best.score()):
                best = found
        return best

    def _atom_triggers(self, atom: _Atom) -> Triggers | None:
        if atom.kind == "word":
            return _word_triggers(atom.value)
        if atom.kind == "number":
            return Triggers(number=True)
        if atom.kind == "group":
            return self._alt_triggers(atom.value)
        if atom.kind == "lexicon":
            name = atom.value
            if name not in self._lexicon_triggers:
                result: Triggers | None = Triggers()
                for entry in self._entries(name):
                    found = self._alt_triggers(self.parse(entry))
                    if found is None or result is None:
                        result = None
                        break
                    result = result | found
                self._lexicon_triggers[name] = result
            return self._lexicon_triggers[name]
        return None

    def pattern(self, text: str, anchors: bool = True) -> str:
        """Regex source for one pattern (or alternation of patterns), without guards."""
        return self.pattern_with_gaps(text, anchors)[0]

    def pattern_with_gaps(self, text: str, anchors: bool = True) -> tuple[str, list[str]]:
        """Also name the pattern's own ``~N`` gaps as groups, so that conditions can see
        the words they skipped ("diabetes *cannot currently be* cured")."""
        if not isinstance(text, str) or not text.strip():
            raise PatternError("a pattern must be a non-empty string")
        alts = self.parse(text)
        gaps: list[str] = []
        return self._alternation(alts, anchors, top=True, gaps=gaps), gaps

    def _alternation(
        self, alts: list[_Seq], anchors: bool, top: bool = False, gaps: list[str] | None = None
    ) -> str:
        parts = []
        for seq in alts:
            body = self._sequence(seq.atoms, anchors and top, gaps)
            if not top:
                body = (SEP if seq.lead else "") + body + (SEP if seq.trail else "")
            parts.append(body)
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    def _sequence(self, atoms: list[_Atom], anchors: bool, gaps: list[str] | None = None) -> str:
        _check_placement(atoms, anchors)
        # Separators are emitted where the author wrote a space, with two adjustments so
        # that a missing optional part never leaves two separators or none: an optional
        # part written with its spaces outside, "no (any)? risk", takes the space before it
        # along ("no risk" still matches); one written with a space inside its group,
        # "(your )?diabetes", already owns a separator and the outer one stays.
        out: list[str] = []
        owed = False  # the author wrote a space since the last atom
        leading = True  # only optional atoms so far
        for index, atom in enumerate(atoms):
            if atom.kind == "start":
                out.append(START)
                continue
            if atom.kind == "end":
                out.append(END)
                continue
            if atom.kind == "gap":
                skipped = rf"(?:{GAP_WORD}{SEP}){{0,{atom.value}}}"
                if gaps is not None:
                    gaps.append(f"gap{len(gaps)}")
                    skipped = f"(?P<{gaps[-1]}>{skipped})"
                out.append(SEP + skipped)
                owed = leading = False
                continue
            body = self._atom(atom)
            alts = atom.value if atom.kind == "group" else []
            inner_lead = any(seq.lead for seq in alts)
            inner_trail = any(seq.trail for seq in alts)
            sep = SEP if owed and not atom.glued and not inner_lead else ""
            if atom.optional and not (inner_lead or inner_trail):
                if leading:
                    # "(the)? cure": the space after an optional first word goes with it
                    nxt = atoms[index + 1] if index + 1 < len(atoms) else None
                    tail = SEP if nxt is not None and not nxt.glued and nxt.kind != "end" else ""
                    out.append(f"(?:{body}{tail})?")
                    owed = False
                    continue
                out.append(f"(?:{sep}{body})?")
            elif atom.optional:
                out.append(f"{sep}(?:{body})?")
                if leading and not sep:
                    owed = not inner_trail
                    continue
            else:
                out.append(sep + body)
            leading = False
            owed = not inner_trail
        return "".join(out)

    def _atom(self, atom: _Atom) -> str:
        if atom.kind == "word":
            return _word_regex(atom.value)
        if atom.kind == "group":
            return self._alternation(atom.value, anchors=False)
        if atom.kind == "number":
            return NUMBER if atom.value is None else _range_regex(*atom.value)
        if atom.kind == "lexicon":
            return self.lexicon(atom.value)
        raise PatternError(f"unexpected {atom.kind}")  # pragma: no cover - parser prevents it

    def _entries(self, name: str) -> list[str]:
        try:
            return self.lexicons[name]
        except KeyError:
            known = ", ".join(sorted(self.lexicons)) or "none"
            raise PatternError(f"unknown lexicon {name!r} (known: {known})") from None

    def lexicon(self, name: str) -> str:
        if name in self._expanded:
            return self._expanded[name]
        if name in self._stack or len(self._stack) > MAX_LEXICON_DEPTH:
            raise PatternError(f"lexicon {name!r} refers to itself")
        self._stack.append(name)
        try:
            entries = self._entries(name)
            # Longest entries first: alternation takes the first that fits, and the span
            # should cover "side effects whatsoever", not just "side effects".
            compiled = []
            for entry in sorted(entries, key=len, reverse=True):
                try:
                    compiled.append(self._alternation(self.parse(entry), anchors=False))
                except PatternError as exc:
                    raise PatternError(f"in lexicon {name!r}, entry {entry!r}: {exc}") from None
        finally:
            self._stack.pop()
        if not compiled:
            raise PatternError(f"lexicon {name!r} is empty")
        source = "(?:" + "|".join(compiled) + ")"
        self._expanded[name] = source
        return source


# Whole words only: a match that starts (ends) with a letter or digit may not have one just
# before (after) it. Matches that start or end with punctuation (",", "100%") need no guard.
GUARD_START = r"(?:(?<!\w)|(?!\w))"
GUARD_END = r"(?:(?!\w)|(?<!\w))"


def guarded(source: str) -> str:
    return f"{GUARD_START}(?:{source}){GUARD_END}"


# --- context conditions ----------------------------------------------------------------

SCOPES = ("before", "after", "clause", "sentence", "previous", "lead-in")
CONDITION_KEYS = {"scope", "cues", "question", "window", "stop", "ignore", "name"}
PATTERN_KEYS = {"match", "message", "suggestion", "replace", "unless", "require"}
OPTION_KEYS = {"patterns", "unless", "require"}
LEAD_IN_BLOCKS = 12  # list items walked back over to find the line that introduces them


class Place:
    """A match and where it sits: the sentence, its neighbours, the document."""

    __slots__ = (
        "doc", "end", "index", "inner", "sentences", "start", "text", "words", "_regions",
        "_scoped",
    )

    def __init__(
        self,
        doc: Document,
        sentences: Sequence[Sentence],
        index: int,  # of the sentence in doc.sentences
        start: int,  # match span, relative to the sentence
        end: int,
        text: str,  # sentence text
        inner: str = "",  # the words the pattern's gaps skipped inside the match
        words: DocIndex | None = None,  # which sentences hold which words (None: no prefilter)
    ) -> None:
        self.doc = doc
        self.sentences = sentences
        self.index = index
        self.start = start
        self.end = end
        self.text = text
        self.inner = inner
        self.words = words
        self._regions: dict[str, frozenset[str] | None] | None = None
        self._scoped: dict[Any, str] | None = None  # see Condition._scoped

    def region_words(self, scope: str) -> frozenset[str] | None:
        """Lower-cased words of the part of the sentence a scope cuts its text from (before
        the match, after it, or both) and of the gap words: every word of the scope's text
        is one of them, since cuts (match, stop cue, window) never split a word. None when
        lower-casing changed the sentence's length, so positions do not carry over."""
        if scope == "clause":
            scope = "sentence"  # the same words: before and after the match
        regions = self._regions
        if regions is None:
            regions = self._regions = {}
        elif scope in regions:
            return regions[scope]
        text = self.text
        found: frozenset[str] | None = None
        if text.isascii():  # the common case; words_of() cuts ASCII text fastest
            words = words_of(text[: self.start]) if scope != "after" else []
            if scope != "before":
                words += words_of(text[self.end :])
            if self.inner:
                words += words_of(self.inner)
            found = frozenset(words)
        else:
            lower = text.lower()
            if len(lower) == len(text):
                findall = TOKEN_RE.findall
                words = findall(lower, 0, self.start) if scope != "after" else []
                if scope != "before":
                    words += findall(lower, self.end)
                if self.inner:
                    words += findall(self.inner.lower())
                found = frozenset(words)
        regions[scope] = found
        return found

    def cue_parts(self, cues: CueRegex, scope: str) -> list[int]:
        """Numbers of the parts of a cue list that may match the text a scope (before, after,
        clause or sentence) cuts around this match, from the words of that part of the
        sentence (``Condition.verdict`` has already asked about the whole sentence)."""
        words = self.words
        assert words is not None
        planner = cues.planner
        region = None if planner.always else self.region_words(scope)
        if region is None:
            return words.planned(planner, self.index)
        return planner.plan_words(region)

    def may_hold(self, regex: LazyRegex, sentence: int) -> bool:
        """False when sentence number ``sentence`` lacks the trigger words of every part of
        a cue list, so it cannot match text cut from it (cuts fall between words)."""
        if self.words is None or not isinstance(regex, CueRegex):
            return True
        return bool(regex.candidates(self.words, sentence))


class Condition:
    """An ``unless``/``require`` condition. Answers are remembered per document under the
    condition's identity (``DocIndex.remember``), so it has no value equality."""

    __slots__ = ("cues", "ignore", "name", "question", "scope", "stop", "window")

    def __init__(
        self,
        scope: str,
        cues: LazyRegex | None = None,
        question: bool = False,
        window: int | None = None,
        stop: LazyRegex | None = None,
        ignore: LazyRegex | None = None,
        name: str = "",
    ) -> None:
        self.scope = scope
        self.cues = cues
        self.question = question
        self.window = window
        self.stop = stop
        self.ignore = ignore
        self.name = name

    def holds(self, place: Place) -> bool:
        verdict = self.verdict(place)
        return self.holds_at_match(place) if verdict is None else verdict

    def verdict(self, place: Place) -> bool | None:
        """The answer when it is the same for every match in the place's sentence (None: it
        depends on the match). Most conditions are decided here: no cue word anywhere in
        the sentence, or not a question; and "previous" and "lead-in" never depend on the
        match, so they are worked out once per sentence (block) per document, however many
        matches and rules ask."""
        words = place.words
        if self.scope == "previous":
            if words is None:
                return self._holds_elsewhere(place)
            return words.remember(self, place.index, lambda: self._holds_elsewhere(place))
        if self.scope == "lead-in":
            if words is None:
                return self._holds_elsewhere(place)
            # The document holds its blocks as long as the index, so ids stay unique.
            block = ("block", id(place.sentences[place.index].block))
            return words.remember(self, block, lambda: self._holds_elsewhere(place))
        if self.question and not QUESTION_RE.search(place.sentences[place.index].text):
            return False  # the cheap test first: whether the sentence is a question
        cues = self.cues
        if cues is None:
            return True
        if words is not None and isinstance(cues, CueRegex):
            first = (cues._planner or cues.planner).first  # the property only when unbuilt
            if first is not None and not words.present(first, place.index):
                return False  # no cue word in the sentence: no cue can be found
        return None

    def holds_at_match(self, place: Place) -> bool:
        """The answer for one match of the before, after, clause and sentence scopes, once
        :meth:`verdict` has left it open."""
        cues = self.cues
        parts: list[int] | None = None  # the cue list's parts worth searching
        if place.words is not None and isinstance(cues, CueRegex):
            parts = place.cue_parts(cues, self.scope)
            if not parts:
                return False  # no cue word in the scope: no cue can be found
        return self._search(place, cues, parts)

    def _holds_elsewhere(self, place: Place) -> bool:
        """The previous and lead-in scopes: text that is not the match's sentence."""
        own = place.index - 1 if self.scope == "previous" else place.index
        if own < 0:
            return False
        if self.question and self.scope == "previous":
            if not QUESTION_RE.search(place.sentences[own].text):
                return False
            if self.cues is None:
                return True
        cues = self.cues
        parts: list[int] | None = None
        if self.scope == "previous" and place.words is not None and isinstance(cues, CueRegex):
            parts = place.words.planned(cues.planner, own)
            if not parts:
                return False
        return self._search(place, cues, parts)

    def _search(self, place: Place, cues: LazyRegex | None, parts: list[int] | None) -> bool:
        texts = self._texts(place)
        if texts is None:
            return False
        scoped, question_text = texts
        if self.question and not QUESTION_RE.search(question_text):
            return False
        if cues is None:
            return True
        ignore = self.ignore
        if ignore is not None and _may_match(ignore, place, self.scope, scoped):
            scoped = ignore.blank(scoped)
        if parts is None and place.words is not None and isinstance(cues, CueRegex):
            parts = cues.planner.plan_words(_words(scoped))  # previous, lead-in
        if parts is not None:
            assert isinstance(cues, CueRegex)
            return cues.found_in(scoped, parts)
        return cues.search(scoped) is not None

    def _texts(self, place: Place) -> tuple[str, str] | None:
        """(text to search for cues, sentence whose question-ness counts)."""
        text = place.text
        # Words a gap skipped sit between the parts of the claim: "cannot currently be"
        # in "diabetes cannot currently be cured" negates it from any side.
        inner = " \n " + place.inner if place.inner else ""
        stop = self.stop is not None and place.may_hold(self.stop, place.index)
        if self.scope == "before":
            return self._before(text[: place.start], stop) + inner, text
        if self.scope == "after":
            return self._after(text[place.end :], stop) + inner, text
        if self.scope == "clause":
            before = self._before(text[: place.start], stop)
            after = self._after(text[place.end :], stop)
            return before + " \n " + after + inner, text
        if self.scope == "sentence":
            return text[: place.start] + " \n " + text[place.end :] + inner, text
        if self.scope == "previous":
            if place.index == 0:
                return None
            prev = place.sentences[place.index - 1].text
            return prev, prev
        lead = _lead_in(place)
        return None if lead is None else (lead, lead)

    def _before(self, text: str, stop: bool) -> str:
        if stop and self.stop is not None:
            ends = [m.end() for m in self.stop.finditer(text)]
            if ends:
                text = text[ends[-1] :]
        window = self.window
        if window is not None:
            words = text.split()  # the words of r"\S+", without a match object for each
            if len(words) > window:
                start = len(text)
                for word in reversed(words[-window:]):
                    start = text.rfind(word, 0, start)
                text = text[start:]
        return text

    def _after(self, text: str, stop: bool) -> str:
        if stop and self.stop is not None:
            first = self.stop.search(text)
            if first is not None:
                text = text[: first.start()]
        window = self.window
        if window is not None:
            words = text.split()
            if len(words) > window:
                end = 0
                for word in words[:window]:
                    end = text.find(word, end) + len(word)
                text = text[:end]
        return text


def _words(text: str) -> frozenset[str]:
    return frozenset(words_of(text))


def _may_match(regex: LazyRegex, place: Place, scope: str, text: str) -> bool:
    """False when no part of a cue list can match ``text`` (cut for ``scope``): blanking
    out ignored words is then skipped, since a big alternation is tried at every position
    of the text even when none of its words are there."""
    if place.words is None or not isinstance(regex, CueRegex):
        return True
    if scope in ("before", "after", "clause", "sentence"):
        region = place.region_words(scope)
        if region is not None:
            return bool(regex.planner.plan_words(region))
    return bool(regex.planner.plan_words(_words(text)))


def _lead_in(place: Place) -> str | None:
    """The heading or "...:" line that introduces the list the match sits in, if any.

    Walks back over list-like blocks (list items, fragments without a full stop); a block
    of ordinary prose in between means the match is not part of that list.
    """
    blocks = place.doc.blocks
    block = place.sentences[place.index].block
    positions: dict[int, int] | None = getattr(place.doc, _BLOCKS_ATTR, None)
    if positions is None or len(positions) != len(blocks):
        positions = {id(b): i for i, b in enumerate(blocks)}
        setattr(place.doc, _BLOCKS_ATTR, positions)
    index = positions.get(id(block))
    if index is None or blocks[index] is not block:
        return None
    for back in range(index - 1, max(-1, index - 1 - LEAD_IN_BLOCKS), -1):
        prev = blocks[back]
        stripped = prev.text.rstrip()
        if prev.kind == "heading" or stripped.endswith(":"):
            return prev.text
        if not _list_like(prev):
            return None
    return None


def _list_like(block: Block) -> bool:
    if "list" in block.kind or "item" in block.kind:
        return True
    return not block.text.rstrip().endswith((".", "!", "?")) and len(block.text.split()) <= 25


# --- building the check from YAML ------------------------------------------------------


class PatternSpec:
    """One pattern of a rule, with its own message, fix and conditions."""

    __slots__ = (
        "conjunctions",
        "gaps",
        "message",
        "order",
        "regex",
        "replace",
        "require",
        "suggestion",
        "unless",
    )

    def __init__(
        self,
        order: int,
        regex: LazyRegex,
        # Trigger words: any of these conjunctions must hold for the regex to be worth
        # running.
        conjunctions: tuple[tuple[Triggers, ...], ...] | None = None,
        gaps: tuple[str, ...] = (),  # names of the regex groups holding the skipped words
        message: str | None = None,
        suggestion: str | None = None,
        replace: str | None = None,
        unless: list[Condition] | None = None,
        require: list[Condition] | None = None,
    ) -> None:
        self.order = order
        self.regex = regex
        self.conjunctions = conjunctions
        self.gaps = gaps
        self.message = message
        self.suggestion = suggestion
        self.replace = replace
        self.unless: list[Condition] = [] if unless is None else unless
        self.require: list[Condition] = [] if require is None else require


def _group(text: str, match: re.Match[str], name: str) -> str | None:
    """``match.group(name)``, taken from ``text`` (see :class:`LazyRegex`)."""
    start, end = match.span(name)
    return None if start < 0 else text[start:end]


class PhraseCheck:
    """Finds the rule's patterns in each sentence, then asks the conditions about each match.

    Speed: the document's word index (built once, shared by all rules) says which
    sentences contain a word from each required part of a pattern; only there does the
    pattern's regex run. Of overlapping matches the leftmost, then longest, then
    earliest-listed pattern is reported.
    """

    def __init__(
        self,
        rule: Rule,
        specs: list[PatternSpec],
        unless: list[Condition],
        require: list[Condition],
        quick: Triggers | None,
    ) -> None:
        self.rule = rule
        self.specs = specs
        self.unless = unless
        self.require = require
        self.quick = quick  # None: some pattern needs no particular word
        # Each pattern's (require, unless) conditions, the rule's and its own in one list
        # each: joined once here, not for every match.
        self._asked = {
            spec: ((*require, *spec.require), (*unless, *spec.unless)) for spec in specs
        }
        self._planner: Planner | None = None  # built on first use, like the regexes

    def candidates(self, words: DocIndex) -> list[tuple[int, list[PatternSpec]]]:
        """(sentence number, patterns worth running there), in sentence order."""
        if self._planner is None:
            # Until a document needs the planner, one test spares building it (start-up);
            # after that the planner's own word lookup is the cheaper test.
            if self.quick is not None and not words.having(self.quick):
                return []
            self._planner = Planner([spec.conjunctions for spec in self.specs])
        specs = self.specs
        plan = self._planner.plan(words)
        return [(sentence, [specs[n] for n in plan[sentence]]) for sentence in sorted(plan)]

    def matches(
        self, text: str, specs: list[PatternSpec]
    ) -> list[tuple[int, int, PatternSpec, str]]:
        """(start, end, pattern, skipped words) of every match, leftmost-longest first."""
        found = []
        lowered = text.lower() if text.isascii() else None
        for spec in specs:
            gaps = spec.gaps
            for match in spec.regex.finditer(text, lowered):
                start, end = match.span("m")
                if end > start:
                    # The skipped words from the text itself: a match may hold it lower-cased.
                    if not gaps:
                        inner = ""
                    elif len(gaps) == 1:
                        inner = _group(text, match, gaps[0]) or ""
                    else:
                        inner = " ".join(filter(None, (_group(text, match, g) for g in gaps)))
                    found.append((start, start - end, spec.order, end, spec, inner))
        if len(found) > 1:
            found.sort(key=lambda item: item[:3])
        return [(start, end, spec, inner) for start, _, _, end, spec, inner in found]

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        sentences = doc.sentences
        words = doc_index(doc, sentences)
        candidates = self.candidates(words)
        if not candidates:
            return
        for index, specs in candidates:
            sentence = sentences[index]
            text = sentence.text
            reported_until = -1
            for start, end, spec, inner in self.matches(text, specs):
                if start < reported_until:
                    continue  # overlaps a match already reported
                place = Place(doc, sentences, index, start, end, text, inner, words)
                if self._excepted(spec, place):
                    continue
                reported_until = end
                yield self._finding(spec, sentence, start, end, text[start:end])

    def _excepted(self, spec: PatternSpec, place: Place) -> bool:
        """Whether a condition rules the match out: a ``require`` that fails or an
        ``unless`` that holds. Conditions have no side effects, so the order of asking
        does not matter: first every condition's answer for the whole sentence (most are
        decided there), then, only if none of those rules the match out, the ones that
        depend on the match."""
        requires, unlesses = self._asked[spec]
        live: list[tuple[Condition, bool]] = []
        for condition in requires:
            verdict = condition.verdict(place)
            if verdict is None:
                live.append((condition, True))
            elif not verdict:
                return True
        for condition in unlesses:
            verdict = condition.verdict(place)
            if verdict is None:
                live.append((condition, False))
            elif verdict:
                return True
        # A loop, not any(): a generator per match cost ~0.5% of the phrase rules.
        for condition, wanted in live:  # noqa: SIM110
            if condition.holds_at_match(place) is not wanted:
                return True
        return False

    def _finding(
        self, spec: PatternSpec, sentence: Sentence, start: int, end: int, matched: str
    ) -> Finding:
        source_start, source_end = sentence.source_span(start, end)
        shown = " ".join(matched.split())
        message = (spec.message or self.rule.message).replace("{match}", shown)
        suggestion = spec.suggestion or self.rule.suggestion
        if suggestion is not None:
            suggestion = suggestion.replace("{match}", shown)
        fix = None
        if spec.replace is not None:
            text = spec.replace
            if matched[:1].isupper() and text[:1].islower():
                text = text[:1].upper() + text[1:]
            fix = Fix(
                edits=(Edit(source_start, source_end, text),),
                safe=False,
                description=f"Replace '{shown}' with '{text}' (changes the meaning: check it)",
            )
        return Finding(source_start, source_end, message, suggestion, fix)


# Per-document cache kept on the Document itself, so it lives and dies with it.
_BLOCKS_ATTR = "_phrase_block_positions"


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    else:
        yield value


def _cue_regex(value: Any, what: str, compiler: Compiler, fail: Any) -> LazyRegex:
    items = [value] if isinstance(value, str) else list(_flatten(value))
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise fail(f"'{what}' must be a token pattern or a list of them")
    try:
        parts = [part for item in items for part in compiler.check_cue(item)]
    except PatternError as exc:
        raise fail(f"bad pattern in '{what}': {exc}") from None
    return CueRegex(_CueSource(compiler, tuple(items)), fail, compiler, parts)


class CuePart(NamedTuple):
    """One alternative of a cue list: a pattern, or (``entry``) an entry of a lexicon."""

    text: str
    entry: bool
    conjunctions: Any  # as stored in the build cache; decoded when first needed


class _PartSource:
    __slots__ = ("compiler", "part")

    def __init__(self, compiler: Compiler, part: CuePart) -> None:
        self.compiler, self.part = compiler, part

    def __call__(self) -> str:
        part = self.part
        key = ("se:" if part.entry else "sp:") + part.text
        return self.compiler.remembered(key, lambda: self.compiler.cue_part_source(part))


class _CueSource:
    """Builds the regex source of a cue list when a condition is first asked."""

    __slots__ = ("compiler", "items")

    def __init__(self, compiler: Compiler, items: tuple[str, ...]) -> None:
        self.compiler, self.items = compiler, items

    def __call__(self) -> str:
        return self.compiler.remembered("sc:" + "\n".join(self.items), self._build)

    def _build(self) -> str:
        return guarded("|".join(self.compiler.pattern(i) for i in self.items))


class _PatternSource:
    """Builds a rule pattern's regex source when its trigger words first turn up."""

    __slots__ = ("compiler", "match")

    def __init__(self, compiler: Compiler, match: str) -> None:
        self.compiler, self.match = compiler, match

    def __call__(self) -> str:
        return self.compiler.remembered("sm:" + self.match, self._build)

    def _build(self) -> str:
        source, _ = self.compiler.pattern_with_gaps(self.match)
        # Anchors stay outside the reported span: "^ absolutely" reports "Absolutely".
        lead = START if source.startswith(START) else ""
        tail = END if source.endswith(END) and len(source) > len(lead) + len(END) else ""
        core = source[len(lead) : len(source) - len(tail)]
        return f"{lead}{GUARD_START}(?P<m>{core}){GUARD_END}{tail}"


_COMPILED: dict[str, re.Pattern[str]] = {}
# source -> the pattern to search in lower-cased ASCII text instead (False: none), see lowered
_LOWERED: dict[str, re.Pattern[str] | Literal[False]] = {}


class LazyRegex:
    """A regex whose source is built and compiled on first use (once per process for each
    distinct source).

    Building and compiling every pattern and cue list costs more than a typical pre-commit
    run spends linting, and the word prefilter means most of them are never needed. Pack
    loads still check every pattern's syntax (:meth:`Compiler.check`); should building or
    compiling fail anyway, ``fail`` turns the problem into an error naming the pack file
    and line, and a test compiles every built-in regex.

    ASCII text (almost every sentence) is searched lower-cased with a pattern derived from
    this one (:attr:`lowered`, :mod:`writer.rules.kinds.fast_regex`): same matches, several
    times faster. Match objects then hold the lower-cased text: callers take positions from
    them (``span``, ``start``, ``end``), never the matched strings.
    """

    __slots__ = ("_regex", "_source", "_build", "_fail", "_lowered")

    def __init__(
        self, source: str | Callable[[], str], fail: Callable[[str], Exception] | None = None
    ) -> None:
        self._source = source if isinstance(source, str) else None
        self._build = None if isinstance(source, str) else source
        self._fail = fail
        self._regex: re.Pattern[str] | None = None
        self._lowered: re.Pattern[str] | Literal[False] | None = None  # None: not derived yet

    @property
    def source(self) -> str:
        if self._source is None:
            assert self._build is not None
            try:
                self._source = self._build()
            except PatternError as exc:
                raise self._error(str(exc)) from None
        return self._source

    def _error(self, problem: str) -> Exception:
        if self._fail is None:
            return PatternError(problem)
        return self._fail(f"pattern cannot be compiled: {problem}")

    @property
    def regex(self) -> re.Pattern[str]:
        if self._regex is None:
            source = self.source
            found = _COMPILED.get(source)
            if found is None:
                try:
                    found = _COMPILED[source] = compile_cached(source, re.IGNORECASE)
                except re.error as exc:
                    raise self._error(str(exc)) from None
            self._regex = found
        return self._regex

    @property
    def lowered(self) -> re.Pattern[str] | None:
        """The pattern that finds in ``text.lower()`` what :attr:`regex` finds in an ASCII
        ``text`` (None: there is none, search the regex itself). From the on-disk cache
        on a warm start."""
        found = self._lowered
        if found is None:
            source = self.source
            found = _LOWERED.get(source)
            if found is None:
                derived = compile_derived(source, re.IGNORECASE, fast_regex.TAG, fast_regex.derive)
                found = _LOWERED[source] = False if derived is None else derived
            self._lowered = found
        return found or None

    def _for(self, text: str, lowered: str | None) -> tuple[re.Pattern[str], str]:
        """(pattern, string to search) for ``text``; ``lowered`` is ``text.lower()`` if
        the caller has it."""
        fast = self._lowered
        if fast is None:
            fast = self.lowered
        if fast and text.isascii():
            return fast, text.lower() if lowered is None else lowered
        return self._regex or self.regex, text

    def search(self, text: str) -> re.Match[str] | None:
        pattern, string = self._for(text, None)
        return pattern.search(string)

    def finditer(self, text: str, lowered: str | None = None) -> Iterator[re.Match[str]]:
        """Matches in ``text``; ``lowered``: ``text.lower()``, when the caller has it."""
        pattern, string = self._for(text, lowered)
        return pattern.finditer(string)

    def sub(self, repl: Any, text: str) -> str:
        return (self._regex or self.regex).sub(repl, text)

    def blank(self, text: str) -> str:
        """``text`` with every match replaced by as many spaces (what
        ``sub(lambda m: " " * len(m.group()), text)`` gives, from match positions)."""
        pieces: list[str] = []
        last = 0
        for match in self.finditer(text):
            start, end = match.span()
            pieces += (text[last:start], " " * (end - start))
            last = end
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)


class CueRegex(LazyRegex):
    """A cue list: the whole alternation (to cut at stops and blank out ignored words) and
    its alternatives one by one, each with its trigger words.

    Why: a condition is asked about every match, and one search with a hundred-way
    alternation tries every alternative at every position. Only the alternatives whose
    words the sentence holds can match, so only those (small) regexes are searched; any of
    them matching is exactly the whole alternation matching.
    """

    __slots__ = ("_compiler", "_parts", "_regexes", "_planner")

    def __init__(
        self,
        source: Callable[[], str],
        fail: Callable[[str], Exception],
        compiler: Compiler,
        parts: list[CuePart],
    ) -> None:
        super().__init__(source, fail)
        self._compiler = compiler
        self._parts = parts
        # Both built on first use: a pack load pays for neither (start-up matters).
        self._regexes: list[LazyRegex | None] = [None] * len(parts)
        self._planner: Planner | None = None

    @property
    def parts(self) -> list[CuePart]:
        return self._parts

    @property
    def planner(self) -> Planner:
        if self._planner is None:
            self._planner = Planner([self._decode(part) for part in self._parts])
        return self._planner

    def _decode(self, part: CuePart) -> list[tuple[Triggers, ...]] | None:
        table = self._compiler.triggers
        try:
            return _conjunctions_from_json(part.conjunctions, table)
        except (TypeError, ValueError):  # a damaged cache entry: work it out again
            data = _conjunctions_to_json(self._compiler.conjunctions(part.text))
            return _conjunctions_from_json(data, table)

    def part_regex(self, number: int) -> LazyRegex:
        found = self._regexes[number]
        if found is None:
            part = _PartSource(self._compiler, self._parts[number])
            found = self._regexes[number] = LazyRegex(part, self._fail)
        return found

    def candidates(self, words: DocIndex, sentence: int) -> list[int]:
        """Numbers of the parts that may match text cut from that sentence."""
        return words.planned(self.planner, sentence)

    def found_in(self, text: str, numbers: list[int]) -> bool:
        """``search(text) is not None`` for ``text`` cut from a sentence, given the numbers
        of the parts that sentence may hold (:meth:`candidates`)."""
        regexes = self._regexes
        lowered = text.lower() if text.isascii() else None
        for n in numbers:
            lazy = regexes[n] or self.part_regex(n)
            fast = lazy._lowered
            if fast is None:
                fast = lazy.lowered or False
            if fast and lowered is not None:
                if fast.search(lowered) is not None:
                    return True
            elif (lazy._regex or lazy.regex).search(text) is not None:
                return True
        return False


def _conditions(value: Any, key: str, line: int, compiler: Compiler, ctx: Any) -> list[Condition]:
    """Conditions from YAML. A list shared through a YAML anchor (``unless: *claims_context``)
    is the same object in every rule, so it is built once per load and shared."""
    if value is None:
        return []
    cache_key = (id(value), key, str(ctx.path))
    cached = compiler.conditions.get(cache_key)
    if cached is not None and cached[0] is value:
        return cached[1]
    result = _build_conditions(value, key, line, compiler, ctx)
    compiler.conditions[cache_key] = (value, result)  # holding value keeps its id unique
    return result


def _build_conditions(
    value: Any, key: str, line: int, compiler: Compiler, ctx: Any
) -> list[Condition]:
    result = []
    for item in _flatten(value):
        where = getattr(item, "line", line) or line

        def fail(message: str, where: int = where) -> Exception:
            return ctx.error(f"{key}: {message}", where)

        if not isinstance(item, Mapping):
            raise fail("each condition must be a mapping with 'scope' and 'cues' or 'question'")
        unknown = sorted(set(item) - CONDITION_KEYS)
        if unknown:
            raise fail(
                f"unknown key {unknown[0]!r} in a condition "
                f"(expected: {', '.join(sorted(CONDITION_KEYS))})"
            )
        scope = item.get("scope")
        if scope not in SCOPES:
            raise fail(f"'scope' must be one of {', '.join(SCOPES)}, not {scope!r}")
        question = item.get("question", False)
        if not isinstance(question, bool):
            raise fail("'question' must be true or false")
        if "cues" not in item and not question:
            raise fail("a condition needs 'cues', 'question: true', or both")
        window = item.get("window")
        if window is not None:
            if scope not in ("before", "after", "clause"):
                raise fail("'window' only applies to the before, after and clause scopes")
            if isinstance(window, bool) or not isinstance(window, int) or window < 1:
                raise fail("'window' must be a whole number of words >= 1")
        if "stop" in item and scope not in ("before", "after", "clause"):
            raise fail("'stop' only applies to the before, after and clause scopes")
        name = item.get("name", "")
        if not isinstance(name, str):
            raise fail("'name' must be a string")
        result.append(
            Condition(
                scope=scope,
                cues=_cue_regex(item["cues"], "cues", compiler, fail) if "cues" in item else None,
                question=question,
                window=window,
                stop=_cue_regex(item["stop"], "stop", compiler, fail) if "stop" in item else None,
                ignore=(
                    _cue_regex(item["ignore"], "ignore", compiler, fail)
                    if "ignore" in item
                    else None
                ),
                name=name,
            )
        )
    return result


def _optional_text(item: Mapping[str, Any], key: str, fail: Any) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise fail(f"'{key}' must be a non-empty string")
    return value.strip()


_LAST_COMPILER: list[Compiler] = []


def _compiler_for(lexicons: Mapping[str, list[str]]) -> Compiler:
    """One compiler per lexicon table, so that the rules of a load share expansions.

    The compiler holds the table itself, so an identity test cannot be fooled by a new
    table that happens to reuse the id of a freed one.
    """
    if _LAST_COMPILER and _LAST_COMPILER[0].lexicons is lexicons:
        return _LAST_COMPILER[0]
    compiler = Compiler(lexicons)
    _LAST_COMPILER[:] = [compiler]
    return compiler


def build(rule: Rule, options: Any, ctx: Any) -> PhraseCheck:
    compiler = _compiler_for(ctx.lexicons)
    patterns_line = options.line_of("patterns")
    raw = options.get("patterns")
    if not isinstance(raw, list) or not raw:
        raise ctx.error("kind 'phrase' needs 'patterns': a non-empty list", patterns_line)

    specs: list[PatternSpec] = []
    for number, item in enumerate(_flatten(raw)):
        where = getattr(item, "line", patterns_line) or patterns_line

        def fail(message: str, where: int = where) -> Exception:
            return ctx.error(f"patterns: {message}", where)

        if isinstance(item, str):
            item = {"match": item}
        elif not isinstance(item, Mapping):
            raise fail("each pattern must be a string or a mapping with 'match'")
        extra = sorted(set(item) - PATTERN_KEYS)
        if extra:
            known = ", ".join(sorted(PATTERN_KEYS))
            raise fail(f"unknown key {extra[0]!r} in a pattern (expected: {known})")
        match = item.get("match")
        if not isinstance(match, str) or not match.strip():
            raise fail("a pattern needs 'match': a non-empty token pattern")
        try:
            conjunctions, gaps = compiler.prepare(match)
        except PatternError as exc:
            raise fail(f"{match!r}: {exc}") from None

        def failed_later(
            problem: str, match: str = match, fail: Callable[[str], Exception] = fail
        ) -> Exception:
            return fail(f"{match!r}: {problem}")

        specs.append(PatternSpec(
            order=number,
            regex=LazyRegex(_PatternSource(compiler, match), failed_later),
            conjunctions=None if conjunctions is None else tuple(conjunctions),
            gaps=gaps,
            message=_optional_text(item, "message", fail),
            suggestion=_optional_text(item, "suggestion", fail),
            replace=_optional_text(item, "replace", fail),
            unless=_conditions(item.get("unless"), "unless", where, compiler, ctx),
            require=_conditions(item.get("require"), "require", where, compiler, ctx),
        ))
    return PhraseCheck(
        rule,
        specs,
        _conditions(options.get("unless"), "unless", options.line_of("unless"), compiler, ctx),
        _conditions(options.get("require"), "require", options.line_of("require"), compiler, ctx),
        _quick(specs),
    )


def _quick(specs: list[PatternSpec]) -> Triggers | None:
    """One set for a first test: the most selective word set of every pattern."""
    quick = Triggers()
    for spec in specs:
        if spec.conjunctions is None:
            return None
        for conj in spec.conjunctions:
            quick = quick | conj[0]
    return quick
