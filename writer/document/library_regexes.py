"""The regexes markdown-it-py and pysbd compile, taken from the regex cache between runs.

Why: importing markdown-it compiles ~70 regexes at module level (~6 ms of every cold
start), and pysbd compiles ~140 or more the first time it splits a text. Both go through
``re``'s own per-process cache (``re.compile`` and ``re.sub`` with a pattern string look
there first), so putting the compiled patterns there beforehand, made by
:func:`writer.regex_cache.compile_cached` (the pattern ``re.compile`` itself would make),
spares the compiling without touching either library's code.

What is remembered is only the list of (pattern, flags) compiled during the library's first
use, in a small JSON file in the cache folder, with the library's and Python's versions. It
is written when there is none or when a version changed, never on other runs: what a process
compiles there depends a little on what it imported before (a parallel run's workers start
with more loaded), and markdown-it builds one pattern from a set whose order differs in every
process. The list is a hint, never trusted for correctness: each entry is keyed by its exact
pattern text and flags, so an entry the library no longer compiles is merely never used,
and a pattern not in the list is compiled as usual. A missing or corrupt file,
``WRITER_CACHE_DIR=off``, or a ``re`` module without the dict cache of CPython 3.11 turns it
all off.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from writer.cache import cache_dir, save_later, write_atomically

MAX_PATTERNS = 400  # stays well under re's own cache size (512 in CPython 3.11)
_FILE = "library-regexes-{name}.json"
_recorded: set[str] = set()  # libraries whose list this process has written


def _re_cache() -> dict[Any, Any] | None:
    cache = getattr(re, "_cache", None)
    size = getattr(re, "_MAXCACHE", 0)
    if not isinstance(cache, dict) or not isinstance(size, int) or size < MAX_PATTERNS:
        return None
    return cache


def _path(name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / _FILE.format(name=name)


def _load(path: Path) -> tuple[str, list[tuple[str, int]]]:
    """(versions, patterns) of the list, or ("", []) when there is no usable one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", []
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        return "", []
    items = data.get("patterns")
    if not isinstance(items, list):
        return "", []
    patterns = [
        (item[0], item[1])
        for item in items[:MAX_PATTERNS]
        if isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], str)
        and type(item[1]) is int
    ]
    return data["version"], patterns


@contextmanager
def library_regexes(name: str, version: Callable[[], str]) -> Iterator[None]:
    """Around the first use of library ``name``: fill ``re``'s cache with the patterns it
    compiled last time, and list the ones compiled now when there was no list for this
    ``version()`` (called after the library is imported) and this Python."""
    cache = _re_cache()
    path = _path(name) if cache is not None else None
    if cache is None or path is None:
        yield
        return
    listed_version, known = _load(path)
    try:
        from writer.regex_cache import compile_cached

        for source, flags in known:
            key = (str, source, flags)
            if key not in cache and len(cache) < MAX_PATTERNS:
                cache[key] = compile_cached(source, flags)
    except Exception:  # noqa: BLE001 - a bad entry or a changed re: compile as usual
        pass
    before = set(cache)
    yield
    try:
        current = f"{version()} {sys.version}"
    except Exception:  # noqa: BLE001 - no version to key the list by: leave it
        return
    if current == listed_version or name in _recorded:
        return
    _recorded.add(name)
    new = [
        [key[1], key[2]]
        for key in list(cache)
        if key not in before
        and len(key) == 3
        and key[0] is str
        and type(key[2]) is int
        and not key[2] & re.DEBUG
    ][:MAX_PATTERNS]
    try:
        from writer.regex_cache import compile_cached

        for source, flags in new:
            compile_cached(source, flags)  # so the regex cache keeps their code too
    except Exception:  # noqa: BLE001 - only an optimisation
        pass
    payload = json.dumps({"version": current, "patterns": new})
    save_later(lambda: write_atomically(path, payload))
