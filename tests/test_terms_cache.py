"""The remembered terms files of the ``substitution`` kind: the same answer as reading the
file afresh, redone when the file changes, safe to lose or corrupt, off when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from writer.diagnostics import WriterError
from writer.rules.kinds.substitution import TermIndex, load_terms, load_terms_cached
from writer.rules.packs import builtin_rules_dir

TERMS = """terms:
  commence|commences: start|starts
  alzheimer's disease: {allow: the name of a condition}
  hyperglycaemia|hyperglycemia: high blood sugar
  prevalence: {explain: how many people have a condition}
  blood glucose level: blood sugar
"""


def _same(path: Path) -> None:
    terms, index = load_terms_cached(path)
    fresh = load_terms(path)
    assert terms == fresh and list(terms) == list(fresh)
    expected = TermIndex(fresh)
    assert (index.forms, index.prefixes, index.singles, index.pairs) == (
        expected.forms,
        expected.prefixes,
        expected.singles,
        expected.pairs,
    )


def test_cached_terms_equal_a_fresh_read(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "terms.yml"
    path.write_text(TERMS)
    _same(path)  # written
    assert len(list(cache.glob("terms-*.json"))) == 1
    _same(path)  # read back


@pytest.mark.parametrize("name", ["medical_jargon.yml", "complex_words.yml"])
def test_builtin_lists_round_trip(name: str, cache: Path) -> None:
    path = builtin_rules_dir() / "data" / name
    if not path.is_file():
        pytest.skip(f"{name} is not shipped")
    _same(path)
    _same(path)


def test_a_changed_file_is_read_again(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "terms.yml"
    path.write_text(TERMS)
    load_terms_cached(path)
    path.write_text(TERMS.replace("commence|commences: start|starts", "utilise: use"))
    terms, index = load_terms_cached(path)
    assert "utilise" in terms and "commence" not in terms and "utilise" in index.forms


def test_a_corrupt_cache_file_is_ignored(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "terms.yml"
    path.write_text(TERMS)
    load_terms_cached(path)
    for broken in ('{"terms": [["commence", 0', '{"terms": [[1, 2]], "prefixes": []}', "[]"):
        for file in cache.glob("terms-*.json"):
            file.write_text(broken)
        _same(path)


def test_errors_are_never_cached(tmp_path: Path, cache: Path) -> None:
    path = tmp_path / "terms.yml"
    path.write_text("terms:\n  commence: start|starts|started\n")
    for _ in range(2):
        with pytest.raises(WriterError, match="1 forms but 3 alternatives"):
            load_terms_cached(path)
    assert not list(cache.glob("terms-*.json"))


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = tmp_path / "terms.yml"
    path.write_text(TERMS)
    _same(path)
    assert not list(tmp_path.rglob("terms-*.json"))
