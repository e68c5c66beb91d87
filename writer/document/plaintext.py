"""Plain-text drafts: paragraphs separated by blank lines, bullet lines, and bare headings.

Text pasted from web pages and word processors has no markup, but its shape still says what
each line is: a bullet (``-``, ``•``, ``1.``, ``1)``, or the listicle style ``01 Stable
effect``) starts a list item, which may wrap onto indented lines; a short line without
final punctuation standing on its own is a heading. Telling them apart matters because a
list item or heading without a full stop is not a run-on sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from writer.document.model import Block, BlockBuilder, Document

BULLET_RE = re.compile(
    r"[ \t]*(?:[-*+\u2022\u2023\u25aa\u25e6\u00b7\u2013\u2014]|\(?\d{1,3}[.)])[ \t]+(?=\S)"
)
# Listicle numbers without punctuation ("01 Stable effect"): zero-padded ones always count;
# "10 Fewer visits" only when it continues such a list ("09 ..."), else "20 patients were
# treated" would be a list item.
LISTICLE_RE = re.compile(r"[ \t]*(\d{1,3})[ \t]+(?=\S)")
HEADING_MAX_WORDS = 14
HEADING_MAX_CHARS = 120
FINAL_PUNCTUATION = ".!?:;,\u2026"
CLOSING = "\"')]}\u201d\u2019\u00bb*_"


@dataclass(slots=True)
class _Line:
    start: int  # source offset of the first character of the line
    text: str  # without the line ending
    eol: int  # source offset of the line ending (or of the end of the source)

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip(" \t"))


LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(source: str) -> list[_Line]:
    """Lines ended by LF, CRLF or a lone CR (old Mac files): a CR is never prose."""
    lines = []
    start = 0
    for match in LINE_BREAK.finditer(source):
        lines.append(_Line(start, source[start : match.start()], match.start()))
        start = match.end()
    lines.append(_Line(start, source[start:], len(source)))
    return lines


def _bullet(line: _Line, expected: int | None) -> tuple[int, int | None] | None:
    """Where the item's text starts and the listicle number due next; None if no bullet.

    ``expected``: the number that would continue a listicle ("10" after "09").
    """
    match = BULLET_RE.match(line.text)
    if match:
        return match.end(), None
    match = LISTICLE_RE.match(line.text)
    if match:
        number = int(match.group(1))
        if match.group(1).startswith("0") or number == expected:
            return match.end(), number + 1
    return None


def _is_heading(text: str) -> bool:
    """A short line with no final punctuation, or a question in Title Case."""
    words = text.split()
    if len(words) > HEADING_MAX_WORDS or len(text) > HEADING_MAX_CHARS or text[0] in "([{":
        return False
    core = text.rstrip(CLOSING)
    if not core:
        return False
    if core[-1] not in FINAL_PUNCTUATION:
        return True
    long_words = [w for w in words if len(w) > 3 and w[0].isalpha()]
    return core[-1] == "?" and len(words) >= 2 and all(w[0].isupper() for w in long_words)


def _add_line(out: BlockBuilder, line: _Line, begin: int, previous: _Line | None) -> None:
    text = line.text[begin:]
    body = text.strip()
    if not body:
        return
    if previous is not None:
        out.add_space(previous.eol)
    out.add(body, line.start + begin + len(text) - len(text.lstrip()))


def read_text(path: str, source: str) -> Document:
    """A plain-text draft read as a Document (see the module docstring)."""
    doc = Document(path=path, source=source, format="text")
    lines = _lines(source)
    blocks: list[Block | None] = []
    first_text = True
    expected: int | None = None  # next listicle number, while in a listicle
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.blank:
            i += 1
            continue
        bullet = _bullet(line, expected)
        if bullet is not None:
            begin, expected = bullet
            out = BlockBuilder()
            _add_line(out, line, begin, None)
            j = i + 1
            while (
                j < len(lines)
                and not lines[j].blank
                and lines[j].indent > line.indent
                and _bullet(lines[j], expected) is None
            ):
                _add_line(out, lines[j], 0, lines[j - 1])
                j += 1
            blocks.append(out.build("list_item"))
            first_text = False
            i = j
            continue
        expected = None
        j = i + 1
        while j < len(lines) and not lines[j].blank and _bullet(lines[j], None) is None:
            j += 1
        alone = j == i + 1 and (j == len(lines) or lines[j].blank)
        # The first line is a title when the next line starts a new sentence, not when the
        # opening sentence merely wraps ("...treatment that / has not been approved.").
        titled = (
            first_text
            and i + 1 < len(lines)
            and not lines[i + 1].blank
            and not lines[i + 1].text.lstrip()[:1].islower()
        )
        if (alone or titled) and _is_heading(line.text.strip()):
            out = BlockBuilder()
            _add_line(out, line, 0, None)
            blocks.append(out.build("heading", 1 if first_text else 2))
            i += 1
        else:
            out = BlockBuilder()
            for k in range(i, j):
                _add_line(out, lines[k], 0, lines[k - 1] if k > i else None)
            blocks.append(out.build("paragraph"))
            i = j
        first_text = False
    doc.blocks = [block for block in blocks if block is not None]
    doc.assign_sections()
    return doc
