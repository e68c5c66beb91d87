"""The regexes markdown-it and pysbd compile, put in ``re``'s cache from the regex cache.

Only an optimisation: what ``re`` hands out must be the pattern it would have compiled, and
a missing, corrupt or disabled cache must change nothing but speed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from writer import regex_cache
from writer.cache import flush
from writer.document import library_regexes as module
from writer.document.library_regexes import library_regexes

pytestmark = pytest.mark.skipif(
    not isinstance(getattr(re, "_cache", None), dict), reason="re has no dict cache here"
)


def _fresh_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if a new process started: re's cache and what this one learned are gone."""
    re.purge()
    monkeypatch.setattr(module, "_recorded", set())
    monkeypatch.setattr(regex_cache, "_STORE", regex_cache._Store())


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WRITER_CACHE_DIR", str(tmp_path))
    _fresh_run(monkeypatch)
    return tmp_path


def _listed(folder: Path) -> list[list[object]]:
    data = json.loads((folder / "library-regexes-demo.json").read_text())
    patterns: list[list[object]] = data["patterns"]
    return patterns


def test_patterns_compiled_inside_are_listed_then_warmed(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = rf"dose-(\d+)-mg-{folder.name}"
    with library_regexes("demo", lambda: "1.0"):
        assert re.sub(source, r"<\1>", f"a dose-25-mg-{folder.name}") == "a <25>"
    flush()
    assert [source, 0] in _listed(folder)

    _fresh_run(monkeypatch)
    with library_regexes("demo", lambda: "1.0"):
        warmed = re.compile(source)
        assert warmed is re._cache[(str, source, 0)]  # type: ignore[attr-defined]
    assert warmed.pattern == source and warmed.groups == 1
    assert warmed.sub(r"<\1>", f"dose-7-mg-{folder.name}") == "<7>"


def test_the_list_is_written_again_only_for_a_new_version(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with library_regexes("demo", lambda: "1.0"):
        re.search(rf"capsules?-{folder.name}", "x")
    flush()
    first = _listed(folder)
    _fresh_run(monkeypatch)
    with library_regexes("demo", lambda: "1.0"):
        re.search(rf"one-off-{folder.name}", "x")  # differs between processes: not listed
    flush()
    assert _listed(folder) == first
    _fresh_run(monkeypatch)
    with library_regexes("demo", lambda: "2.0"):
        re.search(rf"tablets?-{folder.name}", "x")
    flush()
    assert [rf"tablets?-{folder.name}", 0] in _listed(folder)


def test_corrupt_list_is_ignored(folder: Path) -> None:
    (folder / "library-regexes-demo.json").write_text('{"version": [1, 2], not json')
    source = rf"vial-{folder.name}"
    with library_regexes("demo", lambda: "1.0"):
        assert re.search(source, f"one vial-{folder.name}") is not None
    flush()
    assert [source, 0] in _listed(folder)


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    monkeypatch.setattr(module, "_recorded", set())
    with library_regexes("demo", lambda: "1.0"):
        assert re.fullmatch(r"tablets?", "tablets")
    flush()
    assert module._recorded == set() and not list(tmp_path.iterdir())
