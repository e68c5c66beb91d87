"""Find the drafts to lint and read them safely (never writing to them).

Every problem becomes an InputError that names the file (and line where known), so the run
can report it, carry on with the other files and exit 2 at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from writer.diagnostics import InputError, WriterError

EXTENSIONS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
}
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}
STDIN = "-"


class Source:
    """A draft read into memory: its display path, text and format.

    (A plain class: internal, and a dataclass costs ~0.2 ms of every start-up to create.)
    """

    __slots__ = ("file", "format", "path", "text")

    def __init__(self, path: str, text: str, format: str, file: Path | None) -> None:
        self.path = path
        self.text = text
        self.format = format
        self.file = file  # None for stdin


def format_for(path: str, override: str | None) -> str:
    if override:
        return override
    return EXTENSIONS.get(Path(path).suffix.lower(), "text")


def expand(arguments: list[str]) -> Iterator[str | InputError]:
    """Paths to lint: files as given, folders walked for known draft extensions."""
    for arg in arguments:
        if arg == STDIN:
            yield arg
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix.lower() in EXTENSIONS
                and p.is_file()
                and not SKIP_DIRS.intersection(p.relative_to(path).parts)
            )
            if not found:
                yield InputError(arg, "no Markdown, HTML or text drafts in this folder")
            yield from (str(p) for p in found)
        elif path.exists() and not path.is_file():
            yield InputError(arg, "not a regular file")
        else:
            yield arg


def decode(data: bytes, path: str) -> str:
    """Strict UTF-8 (a BOM is allowed); errors say which line and column hold the bad byte."""
    if b"\x00" in data[:8192]:
        raise WriterError(InputError(path, "binary file (contains NUL bytes), not a draft"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        before = data[:offset]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise WriterError(
            InputError(path, f"not valid UTF-8 (byte 0x{data[offset]:02x})", line, column)
        ) from None
    if not text.strip():
        raise WriterError(InputError(path, "empty draft: nothing to lint"))
    return text


def read_source(path: str, fmt_override: str | None = None) -> Source:
    if path == STDIN:
        data = sys.stdin.buffer.read()
        return Source("<stdin>", decode(data, "<stdin>"), fmt_override or "markdown", None)
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise WriterError(InputError(path, "file not found")) from None
    except IsADirectoryError:
        raise WriterError(InputError(path, "is a directory")) from None
    except OSError as exc:
        raise WriterError(InputError(path, exc.strerror or str(exc))) from None
    return Source(path, decode(data, path), format_for(path, fmt_override), file)
