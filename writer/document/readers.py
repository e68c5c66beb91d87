"""Pick the reader for a draft's format and build its Document."""

from __future__ import annotations

from writer.document.model import Document

FORMATS = ("markdown", "html", "text")


def read_document(path: str, source: str, fmt: str) -> Document:
    if fmt == "markdown":
        from writer.document.markdown import read_markdown

        return read_markdown(path, source)
    if fmt == "html":
        from writer.document.html import read_html

        return read_html(path, source)
    if fmt == "text":
        from writer.document.plaintext import read_text

        return read_text(path, source)
    raise ValueError(f"unknown format {fmt!r}")
