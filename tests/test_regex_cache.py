"""The compiled-regex cache: the same patterns as ``re.compile``, safe to lose or corrupt."""

from __future__ import annotations

import binascii
import json
import re
import zlib
from array import array
from pathlib import Path

import pytest

from writer import regex_cache
from writer.regex_cache import _Store, compile_cached

SAMPLES = [
    (r"(?<!\w)(?:guaranteed|100 ?%)\s+(?:cure|results?)(?!\w)", re.IGNORECASE),
    (r"(?P<m>no (?P<gap0>(?:\w+ ){0,2})side effects?)", re.IGNORECASE),
    (r"\bcan(?:not|'t)\b", 0),
    (r"(?i)Ünïcode wörds", 0),
    (r"(a)|(?P<b>b)(?(1)c|d)", re.MULTILINE | re.DOTALL),
]
TEXTS = [
    "Guaranteed  results for all!",
    "There are no known side effects. no real side effect",
    "It cannot work; it can't; it can",
    "ÜNÏCODE WÖRDS and ünïcode wörds",
    "ab abd bd ac",
]


def _same(made: re.Pattern[str], plain: re.Pattern[str]) -> None:
    assert (made.pattern, made.flags, made.groups, made.groupindex) == (
        plain.pattern,
        plain.flags,
        plain.groups,
        plain.groupindex,
    )
    for text in TEXTS:
        assert [m.span() for m in made.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert [m.groups() for m in made.finditer(text)] == [
            m.groups() for m in plain.finditer(text)
        ]




def _reload(monkeypatch: pytest.MonkeyPatch) -> _Store:
    """A new process's view of the cache file."""
    fresh = _Store()
    monkeypatch.setattr(regex_cache, "_STORE", fresh)
    return fresh


@pytest.mark.parametrize(("source", "flags"), SAMPLES)
def test_built_and_recalled_patterns_equal_re_compile(
    store: _Store, monkeypatch: pytest.MonkeyPatch, source: str, flags: int
) -> None:
    plain = re.compile(source, flags)
    _same(compile_cached(source, flags), plain)
    assert store.usable and store.dirty
    store.save()
    again = _reload(monkeypatch)
    _same(compile_cached(source, flags), plain)
    assert again.usable and not again.dirty  # recalled, nothing new to write


def test_every_built_in_regex_survives_the_cache(
    store: _Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All the regexes the built-in packs make, through a save and a reload."""
    from writer.rules.kinds.phrase import LazyRegex

    sources = {source for source, flags in SAMPLES}
    from tests.test_phrase_kind import builtin_ruleset

    for rule in builtin_ruleset():
        for lazy in _lazies(rule.check):
            sources.add(lazy.source)
    assert len(sources) > 100
    built = {s: compile_cached(s, re.IGNORECASE) for s in sources}
    store.save()
    _reload(monkeypatch)
    for source, first in built.items():
        recalled = compile_cached(source, re.IGNORECASE)
        plain = re.compile(source, re.IGNORECASE)
        assert (recalled.pattern, recalled.flags, recalled.groupindex) == (
            plain.pattern,
            plain.flags,
            plain.groupindex,
        )
        assert first.groupindex == plain.groupindex
    assert isinstance(LazyRegex("a").regex, re.Pattern)


def _lazies(check: object) -> list:  # type: ignore[type-arg]
    from writer.rules.kinds.phrase import PhraseCheck

    if not isinstance(check, PhraseCheck):
        return []
    out = []
    conditions = [*check.unless, *check.require]
    for spec in check.specs:
        out.append(spec.regex)
        conditions += [*spec.unless, *spec.require]
    for condition in conditions:
        out += [x for x in (condition.cues, condition.stop, condition.ignore) if x is not None]
    return out


def test_bad_pattern_raises_re_error(store: _Store) -> None:
    with pytest.raises(re.error):
        compile_cached("(unclosed", 0)
    assert store.usable  # a user's broken pattern is not a broken cache


def test_corrupt_file_is_ignored(store: _Store, monkeypatch: pytest.MonkeyPatch) -> None:
    compile_cached("steady", 0)
    store.save()
    assert store.path is not None
    store.path.write_text("{not json", encoding="utf-8")
    _reload(monkeypatch)
    _same(compile_cached("steady", 0), re.compile("steady"))


def _packed(words: list[int]) -> str:
    return binascii.b2a_base64(zlib.compress(array("I", words).tobytes()), newline=False).decode()


@pytest.mark.parametrize(
    "code",
    ["////////////////", _packed([0xFFFFFFFF] * 3), _packed([])],
    ids=["not-zlib", "invalid-sre-code", "empty"],
)
def test_damaged_entry_falls_back_to_re_compile(
    store: _Store, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    compile_cached("steady state", 0)
    store.save()
    assert store.path is not None
    data = json.loads(store.path.read_text(encoding="utf-8"))
    for entry in data["entries"].values():
        entry[4] = code  # code the regex engine refuses
    store.path.write_text(json.dumps(data), encoding="utf-8")
    again = _reload(monkeypatch)
    _same(compile_cached("steady state", 0), re.compile("steady state"))
    assert not again.usable  # plain re.compile for the rest of the process


def test_cache_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    fresh = _reload(monkeypatch)
    _same(compile_cached("steady", 0), re.compile("steady"))
    assert not fresh.usable and fresh.path is None


def _file_entries(store: _Store) -> dict[str, object]:
    assert store.path is not None
    data = json.loads(store.path.read_text(encoding="utf-8"))
    entries: dict[str, object] = data["entries"]
    return entries


def test_a_grown_file_keeps_only_what_runs_use(
    store: _Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every start reads the whole file: patterns of packs long since edited must not pile
    up in it. Below the limit a run adds to the file; past it, a run that saves keeps what
    it used."""
    monkeypatch.setattr(regex_cache, "MAX_ENTRIES", 6)
    for n in range(4):  # an older pack's patterns
        compile_cached(f"old pattern {n}", re.IGNORECASE)
    store.save()
    store = _reload(monkeypatch)
    compile_cached("old pattern 0", re.IGNORECASE)  # still used
    compile_cached("new pattern", re.IGNORECASE)
    store.save()
    assert len(_file_entries(store)) == 5  # 4 + 1: below the limit, nothing is dropped
    store = _reload(monkeypatch)
    compile_cached("old pattern 1", re.IGNORECASE)
    compile_cached("newer pattern", 0)
    compile_cached("newest pattern", 0)
    store.save()
    kept = _file_entries(store)
    assert len(kept) == 3  # 7 would pass the limit: only this run's three are kept
    store = _reload(monkeypatch)
    _same(compile_cached("old pattern 1", re.IGNORECASE), re.compile("old pattern 1", re.I))
    assert not store.dirty  # recalled, not compiled again
