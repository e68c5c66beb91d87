"""Derived lower-case patterns (writer.rules.kinds.fast_regex) find exactly what the
original case-insensitive regexes find, for every regex the built-in packs make."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from writer import regex_cache
from writer.regex_cache import _Store, compile_derived
from writer.rules.kinds import fast_regex
from writer.rules.kinds.phrase import CueRegex, LazyRegex, PhraseCheck, guarded

RULES = Path(__file__).resolve().parent.parent / "lint_rules"


def _made(source: str, flags: int = re.IGNORECASE) -> re.Pattern[str] | None:
    import _sre

    entry = fast_regex.derive(source, flags)
    if entry is None:
        return None
    flags, groups, groupindex, indexgroup, code = entry
    pattern: re.Pattern[str] = _sre.compile(
        source, flags, code, groups, groupindex, tuple(indexgroup)
    )
    return pattern


def _found(pattern: re.Pattern[str], text: str) -> list[tuple[Any, ...]]:
    return [tuple(m.span(g) for g in range(pattern.groups + 1)) for m in pattern.finditer(text)]


def _assert_same(source: str, derived: re.Pattern[str], texts: list[str]) -> int:
    plain = re.compile(source, re.IGNORECASE)
    assert derived.groupindex == plain.groupindex and derived.groups == plain.groups
    count = 0
    for text in texts:
        assert text.isascii()
        expected = _found(plain, text)
        assert _found(derived, text.lower()) == expected, (source[:120], text)
        count += len(expected)
    return count


def _lazies(check: object) -> Iterator[LazyRegex]:
    if not isinstance(check, PhraseCheck):
        return
    conditions = [*check.unless, *check.require]
    for spec in check.specs:
        yield spec.regex
        conditions += [*spec.unless, *spec.require]
    for condition in conditions:
        for lazy in (condition.cues, condition.stop, condition.ignore):
            if lazy is None:
                continue
            yield lazy
            if isinstance(lazy, CueRegex):
                for number in range(len(lazy.parts)):
                    yield lazy.part_regex(number)


@lru_cache(maxsize=1)
def _builtin() -> dict[str, re.Pattern[str] | None]:
    """Every regex source of the built-in packs (patterns, cue lists and their parts, stop
    and ignore lists) -> its derived pattern."""
    from writer.api import builtin_ruleset

    sources = {lazy.source for rule in builtin_ruleset() for lazy in _lazies(rule.check)}
    return {source: _made(source) for source in sorted(sources)}


def _examples() -> list[str]:
    """The example texts of every built-in rule."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("flagged", "passing") and isinstance(value, list):
                    for item in value:
                        text = item.get("text") if isinstance(item, dict) else item
                        if isinstance(text, str):
                            texts.append(text)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted(RULES.glob("*.yml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return texts


@lru_cache(maxsize=1)
def _words() -> list[str]:
    """The words the packs' regexes are made of, and a few that glue onto them."""
    found = {w for s in _builtin() for w in re.findall(r"[a-z0-9]+", s)}
    return sorted(found - {"u2019", "w", "s", "d"}) + ["secure", "incurable", "cured", "us"]


@lru_cache(maxsize=1)
def _fixed_texts() -> list[str]:
    """Examples as written, upper-cased, title-cased and glued to letters, plus random
    sentences of pack words."""
    texts = [t for t in _examples() if t.isascii()]
    texts += [t.upper() for t in texts] + [t.title() for t in texts]
    texts += ["x" + t.replace(" ", "-", 2) + "s" for t in texts[:200]]
    rnd = random.Random(20240611)
    words = _words()
    for _ in range(600):
        parts: list[str] = []
        for _ in range(rnd.randint(1, 14)):
            word = rnd.choice(words)
            word = rnd.choice([word, word, word.upper(), word.capitalize(), "in" + word])
            parts += (word, rnd.choice([" ", " ", " ", ", ", " - ", "-", "", "\n", "? ", ": "]))
        texts.append("".join(parts))
    return texts


def test_almost_every_builtin_regex_is_derived_with_a_first_character_set() -> None:
    from re import _constants  # type: ignore[attr-defined]

    derived = _builtin()
    made = [p for p in derived.values() if p is not None]
    assert len(derived) > 300
    assert len(made) >= 0.98 * len(derived)
    # The speed-up: the engine is told which characters a match can start with.
    with_set = [s for s, p in derived.items() if p is not None and _info_mask(s) is not None]
    assert all(_info_mask(s) == _constants.SRE_INFO_CHARSET for s in with_set)
    assert len(with_set) >= 0.95 * len(made)


def _info_mask(source: str) -> int | None:
    entry = fast_regex.derive(source, re.IGNORECASE)
    if entry is None or entry[4][2] == 0:
        return None
    mask: int = entry[4][2]
    return mask


def test_every_builtin_regex_finds_the_same_in_examples_and_mixed_text() -> None:
    texts = _fixed_texts()
    matched = 0
    for source, derived in _builtin().items():
        if derived is not None:
            matched += _assert_same(source, derived, texts)
    assert matched > 1000  # the texts really exercise the patterns


@st.composite
def _draft_text(draw: st.DrawFn) -> str:
    words = _words()
    pieces = st.one_of(
        st.sampled_from(words),
        st.sampled_from(words).map(str.upper),
        st.sampled_from(words).map(str.capitalize),
        st.sampled_from(words).map(lambda w: "un" + w + "ly"),
        st.sampled_from([" ", "  ", ", ", ". ", "-", " - ", "'", "%", "100", "8", "\n", "("]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=3),
    )
    return "".join(draw(st.lists(pieces, max_size=30)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_draft_text())
def test_every_builtin_regex_finds_the_same_in_generated_text(text: str) -> None:
    for source, derived in _builtin().items():
        if derived is not None:
            _assert_same(source, derived, [text])


@pytest.mark.parametrize(
    ("source", "texts"),
    [
        ("ſ+t", ["ST st sT xs"]),  # long s: case-insensitively an "s"
        ("\u212a[a-c]", ["KA kb kZ"]),  # Kelvin sign: an "k"
        (r"[^a-z]x", ["AX ax 1x BX"]),  # a negated set under IGNORECASE
        (r"(?:\w+\s){0,2}?end|[\W\d]+", ["the END, 12 end!"]),
        (r"caf[eé]|—|\u0131x", ["CAFE cafe IX ix"]),  # dotless i: no ASCII letter
        (guarded("no (?P<g>\\w+ )?side effects?"), ["No SIDE effect; xno side effects"]),
    ],
)
def test_odd_character_tests(source: str, texts: list[str]) -> None:
    derived = _made(source)
    assert derived is not None
    _assert_same(source, derived, texts)


@pytest.mark.parametrize(
    "source",
    [r"(?-i:Cure)", r"(a)\1", r"(?P<x>a)?(?(x)b|c)", r"a*", r"(?:(?<!\w)|(?!\w))"],
)
def test_what_is_not_derived(source: str) -> None:
    """Inline flags, back-references, conditionals, empty matches: the original is used."""
    assert _made(source) is None


def test_lazy_regex_falls_back_for_non_ascii_text() -> None:
    lazy = LazyRegex(guarded("cure(?:s|d)?"))
    plain = re.compile(lazy.source, re.IGNORECASE)
    assert lazy.lowered is not None
    for text in ["Ça CURES ſo", "It CURES and cured", "curé cure"]:
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in plain.finditer(text)]
        found = lazy.search(text)
        assert (found and found.span()) == ((m := plain.search(text)) and m.span())
        assert lazy.blank(text) == plain.sub(lambda m: " " * len(m.group()), text)




def test_derived_patterns_and_refusals_are_recalled(
    store: _Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def counting(source: str, flags: int) -> list[Any] | None:
        calls.append(source)
        return fast_regex.derive(source, flags)

    good, bad = guarded("stable (?P<m>effects?)"), "(?-i:x)"
    first = compile_derived(good, re.IGNORECASE, "t1", counting)
    assert first is not None and compile_derived(bad, re.IGNORECASE, "t1", counting) is None
    store.save()
    again = _Store()
    monkeypatch.setattr(regex_cache, "_STORE", again)
    recalled = compile_derived(good, re.IGNORECASE, "t1", counting)
    assert compile_derived(bad, re.IGNORECASE, "t1", counting) is None
    assert calls == [good, bad]  # nothing derived again
    assert recalled is not None and not again.dirty
    text = "Stable effect, STABLE EFFECTS"
    assert _found(recalled, text.lower()) == _found(first, text.lower())
    assert _found(recalled, text.lower()) == _found(re.compile(good, re.I), text)
    # Another tag (a changed derivation) derives again.
    compile_derived(good, re.IGNORECASE, "t2", counting)
    assert calls == [good, bad, good]


def test_derivation_that_fails_gives_none(store: _Store) -> None:
    def broken(source: str, flags: int) -> list[Any] | None:
        return [0, 0, {}, [None], [0xFFFFFFFF] * 3]  # code the engine refuses

    assert compile_derived("abc", re.IGNORECASE, "t3", broken) is None
