"""Case-insensitive rule regexes, searched fast in lower-cased ASCII text.

Why: the phrase rules' regexes are compiled with ``re.IGNORECASE`` and begin with a
zero-width whole-word guard. Either one stops the regex engine from computing the set of
characters a match can start with, so ``search`` and ``finditer`` run the full matcher at
every position of every sentence: half of the phrase rules' time.

What this module derives from a pattern, for ASCII text only (almost every sentence):

* a pattern without ``IGNORECASE``, to be searched in ``text.lower()``: every character
  test (literal, set, ``.``) is replaced by the set of characters of lower-cased ASCII text
  it accepts. Each test is checked character by character against the engine itself (on
  ``c`` and on ``c.lower()`` for every ASCII ``c``), so on such text the derived pattern
  does the same tests in the same order: same matches, same spans, same groups (lower-
  casing ASCII keeps every offset);
* an info block naming the characters a match can start with (the first character a
  match consumes, looking through zero-width guards, groups, alternatives and optional
  parts), so the engine skips the other positions in C.

Anything not handled (inline flags, back-references, conditionals, a test that lower-casing
would change, a pattern that can match the empty string) gives None: the caller then
searches the original regex, which is always right. Uses the standard library's private
regex compiler, like :mod:`writer.regex_cache` (which stores the result); a surprise there
also gives None.
"""

from __future__ import annotations

import re
from typing import Any

# Bump when the derivation changes: the on-disk cache keys derived patterns on it.
VERSION = 1
TAG = f"lower{VERSION}"

_UPPER = range(ord("A"), ord("Z") + 1)
# The characters of lower-cased ASCII text.
_LOWER_ASCII = tuple(c for c in range(128) if c not in _UPPER)

_NEVER = 0x10FFFF  # a literal no ASCII character matches
_accepts_cache: dict[tuple[str, int], frozenset[int] | None] = {}


class _Refused(Exception):
    """The pattern holds something this module does not derive."""


def derive(source: str, flags: int) -> list[Any] | None:
    """The cache entry (see :mod:`writer.regex_cache`) of the pattern that, searched in
    ``text.lower()``, finds what ``re.compile(source, flags)`` finds in ``text``, for any
    ASCII ``text``; None when this module cannot derive one."""
    try:
        return _derive(source, flags)
    except _Refused:
        return None
    except Exception:  # noqa: BLE001 - private compiler API changed: use the original
        return None


def _derive(source: str, flags: int) -> list[Any]:
    from re import _compiler, _constants, _parser  # type: ignore[attr-defined]

    if not flags & re.IGNORECASE or flags & (re.LOCALE | re.ASCII):
        raise _Refused("only for Unicode case-insensitive patterns")
    parsed = _parser.parse(source, flags)
    state = parsed.state
    if state.flags & (re.LOCALE | re.ASCII) or not state.flags & re.IGNORECASE:
        raise _Refused("unexpected flags")
    folder = _Folder(_parser, _constants, state)
    tree = folder.sequence(parsed)
    new_flags = state.flags & ~re.IGNORECASE
    state.flags = new_flags
    first, nullable = folder.first(tree)
    if nullable or not first:
        raise _Refused("may match the empty string")
    code: list[int] = []
    if tree.data[0][0] is _constants.AT and tree.data[0][1] in (
        _constants.AT_BEGINNING,
        _constants.AT_BEGINNING_STRING,
    ):
        # Anchored at the start: the engine already tries one position only.
        _compiler._compile_info(code, tree, new_flags)
        _compiler._compile(code, tree.data, new_flags)
        code.append(_constants.SUCCESS)
        return _entry(state, new_flags, code)
    # The info block of a pattern made of one character set, with this pattern's widths:
    # the engine then tries only the positions holding one of the first characters.
    head = _parser.SubPattern(
        state, [(_constants.IN, [(_constants.LITERAL, c) for c in sorted(first)])]
    )
    head.width = tree.getwidth()
    _compiler._compile_info(code, head, new_flags)
    if code[2] != _constants.SRE_INFO_CHARSET:
        raise _Refused("no first-character set")
    _compiler._compile(code, tree.data, new_flags)
    code.append(_constants.SUCCESS)
    return _entry(state, new_flags, code)


def _entry(state: Any, flags: int, code: list[int]) -> list[Any]:
    groupindex = dict(state.groupdict)
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return [flags, state.groups - 1, groupindex, indexgroup, code]


class _Folder:
    """Rewrites a parse tree for lower-cased ASCII text (see the module docstring)."""

    def __init__(self, parser: Any, constants: Any, state: Any) -> None:
        self.p, self.c, self.state = parser, constants, state
        self.flags = state.flags  # those of the original pattern, for its character tests

    def sequence(self, sub: Any) -> Any:
        return self.p.SubPattern(self.state, [self.item(op, av) for op, av in sub.data])

    def item(self, op: Any, av: Any) -> tuple[Any, Any]:
        c = self.c
        if op in (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY):
            accepted = self.accepts(op, av)
            if not accepted:  # "—", "β": a test no ASCII character passes
                return (c.LITERAL, _NEVER)
            if len(accepted) == 1:
                return (c.LITERAL, next(iter(accepted)))
            return (c.IN, [(c.LITERAL, ch) for ch in sorted(accepted)])
        if op is c.AT:
            return (op, av)  # ^ $ \b \B \A \Z: case plays no part
        if op is c.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _Refused("inline flags")
            return (op, (group, 0, 0, self.sequence(sub)))
        if op is c.BRANCH:
            return (op, (av[0], [self.sequence(alt) for alt in av[1]]))
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            return (op, (av[0], av[1], self.sequence(av[2])))
        if op in (c.ASSERT, c.ASSERT_NOT):
            return (op, (av[0], self.sequence(av[1])))
        if op is c.ATOMIC_GROUP:
            return (op, self.sequence(av))
        raise _Refused(f"unhandled {op}")

    def accepts(self, op: Any, av: Any) -> frozenset[int]:
        """The characters of lower-cased ASCII text that one character test of the original
        pattern accepts, asking the regex engine itself; refused when the test answers
        differently for an upper-case letter and its lower case."""
        key = (repr((op, av)), self.flags)
        if key not in _accepts_cache:
            _accepts_cache[key] = self._accepts(op, av)
        found = _accepts_cache[key]
        if found is None:
            raise _Refused("lower-casing changes a test")
        return found

    def _accepts(self, op: Any, av: Any) -> frozenset[int] | None:
        import _sre
        from re import _compiler  # type: ignore[attr-defined]

        state = self.p.State()
        state.flags = self.flags
        test = self.p.SubPattern(state, [(op, av)])
        code = _compiler._code(test, self.flags)
        single = _sre.compile("", self.flags, code, 0, {}, ()).fullmatch
        for upper in _UPPER:
            if (single(chr(upper)) is None) != (single(chr(upper).lower()) is None):
                return None
        return frozenset(ch for ch in _LOWER_ASCII if single(chr(ch)) is not None)

    def first(self, sub: Any) -> tuple[set[int], bool]:
        """(characters a match of ``sub`` can start with, whether it can be empty)."""
        found: set[int] = set()
        for op, av in sub.data:
            chars, nullable = self.first_item(op, av)
            found |= chars
            if not nullable:
                return found, False
        return found, True

    def first_item(self, op: Any, av: Any) -> tuple[set[int], bool]:
        c = self.c
        if op is c.LITERAL:
            return ({av} if av != _NEVER else set()), False
        if op is c.IN:
            return {ch for _, ch in av}, False  # as built by item(): literals only
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return set(), True  # zero-width: the next item consumes the first character
        if op is c.SUBPATTERN:
            return self.first(av[3])
        if op is c.ATOMIC_GROUP:
            return self.first(av)
        if op is c.BRANCH:
            found: set[int] = set()
            nullable = False
            for alt in av[1]:
                chars, empty = self.first(alt)
                found |= chars
                nullable = nullable or empty
            return found, nullable
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if av[1] == 0:
                return set(), True
            chars, empty = self.first(av[2])
            return chars, empty or av[0] == 0
        raise _Refused(f"unhandled {op}")
