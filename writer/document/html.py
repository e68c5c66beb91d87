"""HTML drafts: prose from the page's text, every character mapped to its source offset.

The standard library's ``html.parser`` reports where each tag, text run, entity and comment
starts, which is all we need; a full HTML5 tree builder would add a dependency and lose the
positions. The few tree-building rules that matter for prose in sloppy real-world HTML are
applied here: an unclosed ``<p>`` ends at the next block, an ``<li>`` at the next item, a
cell at the next cell, and ``<head>`` at the first sign of the body.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from writer.document.model import Block, BlockBuilder, Comment, Document

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# fmt: off
# Never prose: code, scripts, metadata, embedded graphics and form values.
SKIP = {
    "canvas", "code", "head", "iframe", "kbd", "math", "noscript", "object", "option", "pre",
    "samp", "script", "select", "style", "svg", "template", "textarea", "title", "var",
}
# Elements that start and end a block of prose (everything else is inline).
BLOCK = HEADINGS | {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "head", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}
# fmt: on
# Inline elements that stand for something that is not prose (a gap in the sentence).
GAP = {"img", "input", "embed", "audio", "video"}
# Opening one of these closes the open element listed, unless a boundary comes first.
IMPLIED_END = {
    "li": ({"li"}, {"ul", "ol", "menu", "dir"}),
    "dt": ({"dt", "dd"}, {"dl"}),
    "dd": ({"dt", "dd"}, {"dl"}),
    "td": ({"td", "th"}, {"tr", "table"}),
    "th": ({"td", "th"}, {"tr", "table"}),
    "tr": ({"tr", "td", "th"}, {"table"}),
    "thead": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tbody": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
    "tfoot": ({"thead", "tbody", "tfoot", "tr", "td", "th"}, {"table"}),
}
HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
COMMENT_END = re.compile(r"[-!\s]*>")
LOOSE_COMMENT_END = re.compile(r"--!?>")


class _ProseParser(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.stack: list[str] = []
        self.skipping = 0  # open elements whose content is not prose
        self.out = BlockBuilder()
        self.blocks: list[Block] = []
        self.comments: list[Comment] = []
        self.hidden_until = 0  # end of a comment html.parser did not recognise

    # -- positions ---------------------------------------------------------------------

    def here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    # -- the element stack -------------------------------------------------------------

    def push(self, tag: str) -> None:
        self.stack.append(tag)
        if tag in SKIP:
            self.skipping += 1

    def pop_to(self, index: int) -> None:
        """Close the element at ``index`` and everything opened inside it."""
        for tag in self.stack[index:]:
            if tag in SKIP:
                self.skipping -= 1
        del self.stack[index:]

    def find_open(self, tags: set[str], boundary: set[str]) -> int:
        for i in range(len(self.stack) - 1, -1, -1):
            tag = self.stack[i]
            if tag in tags:
                return i
            if tag in boundary:
                return -1
        return -1

    def flush(self) -> None:
        kind, level = "paragraph", 0
        for tag in reversed(self.stack):
            if tag in HEADINGS:
                kind, level = "heading", int(tag[1])
                break
            if tag in ("li", "dt", "dd"):
                kind = "list_item"
                break
            if tag in ("td", "th"):
                kind = "table_cell"
                break
            if tag == "blockquote":
                kind = "blockquote"
                break
            if tag in ("figcaption", "caption"):
                break
        block = self.out.build(kind, level)
        if block is not None:
            self.blocks.append(block)
        self.out = BlockBuilder()

    # -- parser events -----------------------------------------------------------------

    def in_loose_comment(self) -> bool:
        return self.here() < self.hidden_until

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.in_loose_comment():
            return
        at = self.here()
        if tag in BLOCK:
            self.flush()
            if tag not in ("head", "html") and "head" in self.stack and tag not in SKIP:
                self.pop_to(self.stack.index("head"))  # sloppy page: the body has begun
            if "p" in self.stack and tag not in ("html", "body"):
                index = self.find_open({"p"}, {"td", "th", "li", "blockquote", "div"})
                if index >= 0:
                    self.pop_to(index)
            if tag in IMPLIED_END:
                tags, boundary = IMPLIED_END[tag]
                index = self.find_open(tags, boundary)
                if index >= 0:
                    self.pop_to(index)
            if tag in HEADINGS:
                index = self.find_open(HEADINGS, set())
                if index >= 0:
                    self.pop_to(index)
            if tag not in VOID:
                self.push(tag)
            return
        if self.skipping:
            if tag not in VOID:
                self.push(tag)
            return
        if tag == "br":
            self.out.add_space(at)
        elif tag in GAP or tag in SKIP:
            self.out.gap()
        if tag not in VOID:
            self.push(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self.handle_starttag(tag, attrs)
            return
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.in_loose_comment():
            return
        if tag in BLOCK:
            self.flush()
        elif tag == "br":  # "</br>" is read as <br> by browsers
            self.out.add_space(self.here())
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i] == tag:
                self.pop_to(i)
                break

    def handle_data(self, data: str) -> None:
        at = self.here()
        if at < self.hidden_until:
            data = data[self.hidden_until - at :]
            at = self.hidden_until
        if not data:
            return
        if data.startswith("<") and self.source.startswith("<!--", at):
            self.loose_comment(at)
            self.handle_data(data)  # whatever follows the comment in this run of text
            return
        if self.skipping:
            return
        if not self.source.startswith(data, at):
            at = self.source.find(data, at)
            if at < 0:
                return
        self.add_text(data, at)

    def loose_comment(self, start: int) -> None:
        """A comment that browsers end at ``--!>`` or at the end of the file but
        html.parser (before Python 3.13) hands over as text."""
        match = LOOSE_COMMENT_END.search(self.source, start + 4)
        end = match.end() if match else len(self.source)
        body_end = match.start() if match else end
        self.comments.append(Comment(self.source[start + 4 : body_end], start, end))
        self.hidden_until = end

    def add_text(self, data: str, at: int) -> None:
        out = self.out
        pos = 0
        for match in HTML_SPACE.finditer(data):
            start, end = match.span()
            if start > pos:
                out.add(data[pos:start], at + pos)
            if len(out) and not out.last.isspace():
                if data[start] == " ":
                    out.add(" ", at + start)
                else:
                    out.add_space(at + start)
            pos = end
        if pos < len(data):
            out.add(data[pos:], at + pos)

    def handle_entityref(self, name: str) -> None:
        self.add_reference("&" + name)

    def handle_charref(self, name: str) -> None:
        self.add_reference("&#" + name)

    def add_reference(self, raw: str) -> None:
        if self.skipping or self.in_loose_comment():
            return
        at = self.here()
        if self.source.startswith(";", at + len(raw)):
            raw += ";"
        decoded = html.unescape(raw)
        if decoded == raw:
            self.add_text(raw, at)
            return
        # "&notit;" decodes as "¬it;": only the start is an entity, the rest is text.
        same = 0
        while same < min(len(raw), len(decoded)) - 1 and raw[-1 - same] == decoded[-1 - same]:
            same += 1
        entity, text = decoded[: len(decoded) - same], decoded[len(decoded) - same :]
        end = at + len(raw) - same
        if entity and entity in " \t\n\r\f":  # a space written as "&#32;": collapses
            if len(self.out) and not self.out.last.isspace():
                self.out.add_char(" ", at, end)
        else:
            self.out.add_char(entity, at, end)
        if text:
            self.add_text(text, end)

    def handle_comment(self, data: str) -> None:
        if self.in_loose_comment():
            return
        start = self.here()
        end = start + 4 + len(data)
        match = COMMENT_END.match(self.source, end)
        if match:
            end = match.end()
        self.comments.append(Comment(data, start, end))


def parse_html(source: str) -> tuple[list[Block], list[Comment]]:
    """Prose blocks and comments of an HTML text (offsets into ``source``)."""
    parser = _ProseParser(source)
    parser.feed(source)
    parser.close()
    parser.flush()
    return parser.blocks, parser.comments


def read_html(path: str, source: str) -> Document:
    """An HTML draft read as a Document (see the module docstring)."""
    blocks, comments = parse_html(source)
    doc = Document(path=path, source=source, format="html", blocks=blocks, comments=comments)
    doc.assign_sections()
    return doc
