"""Where health-writer may keep derived data between runs (never the user's drafts).

``$WRITER_CACHE_DIR``, else ``$XDG_CACHE_HOME`` or ``~/.cache``, then ``health-writer/``;
``WRITER_CACHE_DIR=off`` (or empty) disables caching. Every cache built on this is an
optimisation only: a missing, stale, corrupt or unwritable file means the work is redone.
"""

from __future__ import annotations

import atexit
import os
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_PENDING: list[Callable[[], None]] = []


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
    """Write a cache file whole or not at all; failures are silently ignored. The folder
    and files are the user's alone (0700 / 0600): some caches hold checksums of words
    from drafts."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        pass


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Keep the ``keep`` most recently used files matching ``pattern``."""
    try:
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in files[keep:]:
            stale.unlink(missing_ok=True)
            stale.with_name(stale.name + ".lock").unlink(missing_ok=True)  # see locked()
    except OSError:
        pass


def save_later(save: Callable[[], None]) -> None:
    """Run ``save`` when the process ends, or sooner at :func:`flush`.

    Why not ``atexit`` alone: worker processes of a parallel run end with ``os._exit``,
    which skips it, so what a worker learned (the patterns it compiled) would be lost and
    every parallel run would redo it; workers call :func:`flush` as they finish instead.
    """
    if not _PENDING:
        atexit.register(flush)
    _PENDING.append(save)


def flush() -> None:
    """Run the pending saves now (each cache writes only what it learned since)."""
    while _PENDING:
        _PENDING.pop()()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` + ".lock" (POSIX; elsewhere no lock), so that
    processes merging their entries into one cache file do not drop each other's."""
    try:
        import fcntl
    except ImportError:  # Windows: a lost entry only costs time
        yield
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def load_entries(path: Path, header: dict[str, Any] | None = None) -> dict[str, Any]:
    """The entries of a cache file written by :func:`save_merged` with the same ``header``
    (without one, the file is the entries alone); empty when missing, damaged or stale."""
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if header is not None:
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in header.items()):
            return {}
        data = data.get("entries")
    return data if isinstance(data, dict) else {}


def save_merged(
    path: Path,
    mine: dict[str, Any],
    header: dict[str, Any] | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Write the entries ``mine`` merged with those other processes (the workers of a
    parallel run) saved in ``path`` meanwhile, under :func:`locked`; returns the merge.

    With ``header`` the file is ``{**header, "entries": {...}}`` and only a file with the
    same header is merged; without, it is the entries alone. Past ``limit`` entries the
    file starts again from ``mine``. A failure just leaves the cache as it was.
    """
    import json

    with locked(path):
        theirs = load_entries(path, header)
        merged = {**theirs, **mine}
        if limit is not None and len(merged) > limit:
            merged = dict(mine)
        payload = merged if header is None else {**header, "entries": merged}
        write_atomically(path, json.dumps(payload, ensure_ascii=False))
    return merged
