"""What building the phrase rules works out, remembered between runs.

Why: turning ~500 token patterns into trigger-word sets means parsing every pattern and
lexicon entry, about 30 ms of pure Python at every start, and a pre-commit hook pays
start-up on every commit. The answers depend only on the pattern text, the lexicon table
and this package's code, so they are stored under a key made of exactly those, as plain
JSON (never pickle: the file lives in a user-writable folder).

The cache is an optimisation only: a missing, stale, corrupt or unwritable file means the
work is done as before. Location: ``$WRITER_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or
``~/.cache``, then ``health-writer/``; ``WRITER_CACHE_DIR=off`` (or empty) disables it.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from writer.cache import cache_dir, load_entries, prune, save_later, save_merged

FORMAT = 1
KEEP = 8  # cache files kept per folder (one per distinct lexicon table)
# phrase_index.py too: its TOKEN_RE decides which trigger words a pattern has.
_HERE = Path(__file__)
_CODE = (_HERE.with_name("phrase.py"), _HERE.with_name("phrase_index.py"), _HERE)


def _key(lexicons: Mapping[str, list[str]]) -> str:
    """Two 32-bit checksums and the length of everything the build depends on: enough to
    tell versions apart (this is not a security boundary), without hashlib's import cost."""
    parts = [f"format {FORMAT}\n".encode()]
    for path in _CODE:
        try:
            parts.append(path.read_bytes())
        except OSError:
            parts.append(b"?")
    parts.append(json.dumps(lexicons, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    data = b"\0".join(parts)
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"


class BuildCache:
    """Entries keyed by pattern text (``p:``) or cue text (``c:``), for one lexicon table."""

    def __init__(self, lexicons: Mapping[str, list[str]]) -> None:
        self.folder = cache_dir()
        self.entries: dict[str, Any] = {}
        self.dirty = False
        self.path: Path | None = None
        if self.folder is None:
            return
        self.path = self.folder / f"phrase-{_key(lexicons)}.json"
        self.entries = load_entries(self.path, {"format": FORMAT})

    def get(self, key: str) -> Any:
        return self.entries.get(key)

    def put(self, key: str, value: Any) -> None:
        if self.path is None:
            return
        if not self.dirty:
            self.dirty = True
            save_later(self.save)
        self.entries[key] = value

    def save(self) -> None:
        """Write atomically if anything was added; any failure just leaves no cache."""
        if not self.dirty or self.path is None:
            return
        self.dirty = False
        self.entries = save_merged(self.path, self.entries, {"format": FORMAT})
        prune(self.path.parent, "phrase-*.json", KEEP)
