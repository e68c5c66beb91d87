"""Where health-writer may keep derived data between runs (never the user's drafts).

``$WRITER_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, then ``health-writer/``;
``WRITER_CACHE_DIR=off`` (or empty) disables caching. Every cache built on this is an
optimisation only: a missing, stale, corrupt or unwritable file means the work is redone.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path


def cache_dir() -> Path | None:
    setting = os.environ.get("WRITER_CACHE_DIR")
    if setting is not None:
        return None if setting.strip().lower() in ("", "0", "off", "no", "false") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "health-writer"


def content_key(*parts: bytes) -> str:
    """Two 32-bit checksums and the length: enough to tell versions of a file apart (not a
    security boundary; the data is parsed as JSON, never executed), without hashlib's
    import cost."""
    data = b"\0".join(parts)
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}{len(data):x}"


def write_atomically(path: Path, text: str) -> None:
    """Write a cache file whole or not at all; failures are silently ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep the ``keep`` most recently used files matching ``pattern``."""
    try:
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in files[keep:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
