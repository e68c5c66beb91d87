"""Plain-text drafts: paragraphs are separated by blank lines; bullet lines are list items."""

from __future__ import annotations

import re

from writer.document.model import Block, Document

BULLET_RE = re.compile(r"^[ \t]*(?:[-*+•▪◦·]|\(?\d{1,3}[.)]|\d{2}\b)[ \t]+")


def read_text(path: str, source: str) -> Document:
    doc = Document(path=path, source=source, format="text")
    lines = source.split("\n")
    offset = 0
    para: list[tuple[int, str]] = []  # (start offset, line text without bullet)

    def flush() -> None:
        if not para:
            return
        text_parts: list[str] = []
        offsets: list[int] = []
        for i, (start, line) in enumerate(para):
            if i:
                text_parts.append(" ")
                offsets.append(start - 1)
            text_parts.append(line)
            offsets.extend(range(start, start + len(line)))
        text = "".join(text_parts)
        offsets.append(offsets[-1] + 1 if offsets else para[0][0])
        doc.blocks.append(Block(kind="paragraph", text=text, offsets=offsets))
        para.clear()

    for raw in lines:
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            flush()
        else:
            bullet = BULLET_RE.match(line)
            if bullet:
                flush()
                content = line[bullet.end():].rstrip()
                para.append((offset + bullet.end(), content))
                flush()
            else:
                lead = len(line) - len(line.lstrip())
                para.append((offset + lead, line.strip()))
        offset += len(raw) + 1
    flush()
    return doc
