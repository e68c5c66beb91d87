"""What parallel workers learn (compiled patterns, built regex source) is kept for the next
run, although worker processes end without running ``atexit``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from writer.cache import flush, locked, save_later

DRAFT = (
    "# Stem cells for diabetes, draft {n}\n\n"
    "Our clinic offers a guaranteed cure for type 1 diabetes with no side effects. "
    "Patients stop insulin within weeks, and 100% of them are satisfied. "
    "Book now: places are limited this month.\n\n"
) * 20


def _entries(folder: Path, pattern: str) -> dict[str, object]:
    (path,) = folder.glob(pattern)
    data = json.loads(path.read_text(encoding="utf-8"))
    entries: dict[str, object] = data["entries"]
    return entries


@pytest.mark.skipif(sys.platform != "linux", reason="forked workers: Linux only")
def test_a_parallel_run_leaves_every_compiled_pattern_for_the_next(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    for n in range(8):  # enough files and bytes for a parallel run
        (drafts / f"d{n}.md").write_text(DRAFT.format(n=n), encoding="utf-8")
    cache = tmp_path / "cache"
    env = {**os.environ, "WRITER_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "writer", "lint", "--no-source", str(drafts)]
    first = subprocess.run([*command, "-j", "2"], env=env, capture_output=True, text=True)
    assert first.returncode == 1, first.stderr  # the drafts are adverts
    after_parallel = _entries(cache, "regex-*.json")
    sources = _entries(cache, "phrase-*.json")
    assert any(key.startswith("sm:") for key in sources)  # built in the workers
    serial = subprocess.run([*command, "-j", "1"], env=env, capture_output=True, text=True)
    assert serial.stdout == first.stdout
    # Nothing was left for the serial run to compile: the workers saved it all.
    assert _entries(cache, "regex-*.json").keys() == after_parallel.keys()


def test_flush_runs_pending_saves_once() -> None:
    calls: list[str] = []
    save_later(lambda: calls.append("a"))
    save_later(lambda: calls.append("b"))
    flush()
    flush()
    assert sorted(calls) == ["a", "b"]


def test_locked_creates_a_lock_file_beside_the_cache(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "regex-x.json"
    with locked(target):
        target.write_text("{}", encoding="utf-8")
    assert target.exists()
    assert (tmp_path / "sub" / "regex-x.json.lock").exists() or sys.platform == "win32"
