"""The parsed-YAML cache: same data and lines as a fresh parse, safe to lose or corrupt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from writer.yamlio import LineDict, read_yaml_file

PACK = "pack: demo\nrules:\n  - code: XY101\n    name: demo-rule\n    words: [a, b]\n"


def _lines(value):  # type: ignore[no-untyped-def]
    if isinstance(value, LineDict):
        return (value.line, dict(value.key_lines), {k: _lines(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_lines(v) for v in value]
    return value


def test_cached_read_equals_fresh_parse(tmp_path: Path, cache: Path) -> None:
    pack = tmp_path / "demo.yml"
    pack.write_text(PACK)
    first = read_yaml_file(pack)
    assert len(list(cache.glob("yaml-*.json"))) == 1
    second = read_yaml_file(pack)
    assert second == first and _lines(second) == _lines(first)
    assert second["rules"][0].line_of("words") == 5


def test_changed_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    pack = tmp_path / "demo.yml"
    pack.write_text(PACK)
    read_yaml_file(pack)
    pack.write_text(PACK.replace("[a, b]", "[c]"))
    assert read_yaml_file(pack)["rules"][0]["words"] == ["c"]


def test_corrupt_cache_is_ignored(tmp_path: Path, cache: Path) -> None:
    pack = tmp_path / "demo.yml"
    pack.write_text(PACK)
    read_yaml_file(pack)
    for file in cache.glob("yaml-*.json"):
        file.write_text('{"d": 1, "i": [["pack"')
    assert read_yaml_file(pack)["pack"] == "demo"


def test_errors_are_never_cached(tmp_path: Path, cache: Path) -> None:
    from writer.diagnostics import WriterError

    pack = tmp_path / "bad.yml"
    pack.write_text("pack: [unclosed\n")
    for _ in range(2):
        with pytest.raises(WriterError) as info:
            read_yaml_file(pack)
        assert info.value.error.line == 2
    assert not list(cache.glob("yaml-*.json"))


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    pack = tmp_path / "demo.yml"
    pack.write_text(PACK)
    assert read_yaml_file(pack)["pack"] == "demo"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.yml"]


def test_warm_run_does_not_import_pyyaml(tmp_path: Path, cache: Path) -> None:
    code = (
        "import sys; from writer.rules.packs import load_rules; rules, errors = load_rules();"
        "assert not errors, errors; print('yaml' in sys.modules)"
    )
    env = {**os.environ, "WRITER_CACHE_DIR": str(cache)}
    cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert cold.stdout.strip() == "True", cold.stderr
    assert warm.stdout.strip() == "False", warm.stderr
