"""Markdown drafts: CommonMark (+ GFM tables, strikethrough) read with markdown-it-py.

markdown-it gives each block only a line range, and inline tokens only their decoded
content. We recover exact positions in two steps:

1. Each inline token's ``content`` is its lines with container markers (``>``, ``-``,
   ``1.``, indentation) stripped. Every content line is the tail of its source line, so a
   small per-line table maps content offsets to source offsets (:class:`_ContentMap`).
2. The inline children are walked in order with a cursor in that content. Markup between
   them (emphasis markers, link brackets and destinations, code spans) is skipped by
   asking markdown-it's own inline rules, in silent mode, where it ends; so links,
   images and code spans are delimited exactly as the parser delimited them.

Big drafts are parsed in chunks of whole top-level blocks, so memory holds one chunk of
tokens at a time and time grows linearly with size.
"""

from __future__ import annotations

import bisect
import gc
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import accumulate, count, repeat
from operator import add
from typing import TYPE_CHECKING, Any

from writer.document.model import Block, BlockBuilder, Comment, Document, OffsetMap

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

CHUNK_CHARS = 100_000  # source characters parsed at once (whole top-level blocks)
PROSE_CONTAINERS = {"list_item_open": "list_item", "blockquote_open": "blockquote"}
EMPHASIS = {"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}
ATX_OPEN = re.compile(r"#{1,6}(?=[ \t]|$)")
BR_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A link reference definition's label, found before parsing when a draft is parsed in
# chunks, so that ``[text][label]`` resolves even when the definition is in a later chunk.
REFERENCE_DEF = re.compile(r"^[ \t]{0,3}\[((?:[^\\\[\]\n]|\\.){1,999})\]:", re.MULTILINE)


@lru_cache(maxsize=2)
def _base_parser(front_matter: bool) -> MarkdownIt:
    from writer.document.library_regexes import library_regexes

    # Importing markdown-it compiles ~70 regexes: from the regex cache when it can.
    with library_regexes("markdown-it", _markdown_it_version):
        return _make_parser(front_matter, frozenset())


def _make_parser(front_matter: bool, dropped: frozenset[str]) -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    # Keep escapes and entities as separate tokens: their source form is then known.
    # Inline content is parsed by the reader, and only where it holds markup (see
    # _Reader.fill), not by the core "inline" rule for every block.
    md.disable(["text_join", "inline"])
    if dropped:
        md.block.ruler.disable(sorted(dropped))
    if front_matter:
        from mdit_py_plugins.front_matter import front_matter_plugin

        md.use(front_matter_plugin)
    return md


@lru_cache(maxsize=1024)  # all subsets of the 9 rules that may be dropped: 2 x 2**9 (7 kB)
def _parser(front_matter: bool, dropped: frozenset[str] = frozenset()) -> MarkdownIt:
    """The parser, without the block rules in ``dropped`` (see :func:`_impossible_rules`)."""
    base = _base_parser(front_matter)
    return base if not dropped else _make_parser(front_matter, dropped)


# Block rules that cannot match in a text without these strings: each rule returns at once,
# untouched, unless its line starts with one of them. A draft without them is parsed
# without the rule, which markdown-it otherwise tries at the start of every block and, as
# a possible end of a paragraph, at every line of one (~15% of the block parser's time).
_RULE_NEEDS = {
    "table": ("|",),  # the header row holds a "|"
    "fence": ("```", "~~~"),
    "blockquote": (">",),
    "reference": ("[",),
    "html_block": ("<",),
    "heading": ("#",),
}
# A thematic break: three of the same marker with nothing but blanks between.
_HR_MARKERS = re.compile(r"([*_-])(?:[ \t]*\1){2}")
# A setext heading's underline: a line that ends with "=" or "-" and blanks. (When the
# rule finds none it leaves ``parentType`` set, but every rule that reads that sets it.)
_SETEXT_UNDERLINE = re.compile(r"[=-][ \t]*(?:[\r\n]|\Z)")


def _impossible_rules(text: str) -> frozenset[str]:
    """The block rules that cannot match anywhere in ``text``."""
    dropped = [rule for rule, needs in _RULE_NEEDS.items() if not any(n in text for n in needs)]
    if _HR_MARKERS.search(text) is None:
        dropped.append("hr")
    if _SETEXT_UNDERLINE.search(text) is None:
        dropped.append("lheading")
    if "\t" not in text and "    " not in text:
        # No line is indented four columns past its container (a list item's content, a
        # quotation's): never indented code. Without the rule, markdown-it's other rules
        # also take no line for code, as they never would here.
        dropped.append("code")
    return frozenset(dropped)


# What each active inline rule starts at (markdown-it 3-4): a line break (newline), ``\\``
# (escape), a backtick (code), ``~`` (strikethrough), ``*`` and ``_`` (emphasis), ``[``
# (link; an image is ``![``), ``<`` (autolink, raw HTML) and ``&`` (entity). Content without
# any of them is one text token whatever markdown-it does, so it need not be parsed.
INLINE_MARKUP = re.compile(r"[\n\\`~*_\[<&]")
_PLAIN_SAFE_RULES = (
    {"text", "newline", "escape", "backticks", "strikethrough", "emphasis", "link"}
    | {"image", "autolink", "html_inline", "entity"},
    {"balance_pairs", "strikethrough", "emphasis", "fragments_join"},
)


@lru_cache(maxsize=1)
def _plain_shortcut() -> bool:
    """Whether markup-free content may skip the inline parser: only with the rules (and no
    linkify) whose start characters INLINE_MARKUP lists; another version's extra rule turns
    the shortcut off rather than risk a different reading."""
    md = _parser(False)
    return (
        not md.options["linkify"]
        and set(md.inline.ruler.get_active_rules()) <= _PLAIN_SAFE_RULES[0]
        and set(md.inline.ruler2.get_active_rules()) <= _PLAIN_SAFE_RULES[1]
    )


def _markdown_it_version() -> str:
    import markdown_it

    return str(markdown_it.__version__)


class _Lines:
    """Where each source line starts and ends, split as markdown-it splits (CRLF, CR, LF)."""

    def __init__(self, source: str) -> None:
        self.source = source
        starts = [0]
        ends: list[int] = []
        if "\r" in source:
            for match in re.finditer(r"\r\n|\r|\n", source):
                ends.append(match.start())
                starts.append(match.end())
            ends.append(len(source))
        else:
            # Line i ends after the i line breaks and the lengths of lines 0..i: summed by
            # itertools in C rather than a Python loop over the lines.
            ends = list(map(add, accumulate(map(len, source.split("\n"))), count()))
            starts.extend(map(add, ends[:-1], repeat(1)))
        self.starts = starts
        self.ends = ends
        self.nul = "\0" in source  # markdown-it replaces NUL with U+FFFD

    def text(self, line: int) -> str:
        text = self.source[self.starts[line] : self.ends[line]]
        return text.replace("\0", "\ufffd") if self.nul else text

    def __len__(self) -> int:
        return len(self.starts)


def _column(text: str, wanted: str, atx: bool) -> int:
    """Where a content line's text (``wanted``, without its blanks) is in its source line."""
    column = -1
    if atx:
        opening = ATX_OPEN.search(text)
        column = text.find(wanted, opening.end() if opening else 0)
    else:
        line_r = text.rstrip(" \t")
        if line_r.endswith(wanted):
            column = len(line_r) - len(wanted)
    if column < 0:
        column = max(text.rfind(wanted), 0)
    return column


class _ContentMap:
    """Maps offsets in an inline token's content to offsets in the source."""

    def __init__(self) -> None:
        self.line_c: list[int] = []  # content offset where each content line starts
        self.body_c: list[int] = []  # ... where its text (after leading blanks) starts
        self.body_s: list[int] = []  # source offset of that text
        self.eol_s: list[int] = []  # source offset of the line's end (its line break)
        self.explicit: list[int] | None = None  # per-character map (table cells)

    @classmethod
    def for_lines(
        cls, content: str, first_line: int, lines: _Lines, atx: bool = False
    ) -> _ContentMap:
        cmap = cls()
        line_c, body_c, body_s, eol_s = cmap.line_c, cmap.body_c, cmap.body_s, cmap.eol_s
        starts, ends, last = lines.starts, lines.ends, len(lines.starts) - 1
        c = 0
        for j, part in enumerate(content.split("\n") if "\n" in content else (content,)):
            number = min(first_line + j, last)
            line_start = starts[number]
            body = part.lstrip(" \t")
            column = _column(lines.text(number), body.rstrip(" \t"), atx)
            line_c.append(c)
            body_c.append(c + len(part) - len(body))
            body_s.append(line_start + column)
            eol_s.append(ends[number])
            c += len(part) + 1
        return cmap

    @classmethod
    def for_cell(cls, offsets: list[int]) -> _ContentMap:
        cmap = cls()
        cmap.explicit = offsets
        return cmap

    def src(self, c: int) -> int:
        if self.explicit is not None:
            return self.explicit[min(c, len(self.explicit) - 1)]
        line_c = self.line_c
        if len(line_c) == 1:  # most blocks are one line: no search
            line = 0
        else:
            line = max(bisect.bisect_right(line_c, c) - 1, 0)
            if line + 1 < len(line_c) and c == line_c[line + 1] - 1:
                return self.eol_s[line]  # the "\n" joining two content lines
        offset = self.body_s[line] + c - self.body_c[line]
        # Offsets in a line's leading blanks (never prose) go to where its text starts.
        return min(max(offset, self.body_s[line]), self.eol_s[line])

    def add(self, out: BlockBuilder, c: int, text: str) -> None:
        """Add text found at content offset ``c`` (verbatim in the source)."""
        if self.explicit is None and "\n" not in text:
            out.add(text, self.src(c))
        else:
            for k, ch in enumerate(text):
                out.add(ch, self.src(c + k))


class _Reader:
    """Turns markdown-it tokens into prose blocks and comments for one document."""

    def __init__(self, path: str, source: str) -> None:
        self.doc = Document(path=path, source=source, format="markdown")
        self.lines = _Lines(source)
        self.env: dict[str, Any] = {}

    # -- chunks ----------------------------------------------------------------------

    def chunks(self) -> Iterator[tuple[int, list[Token]]]:
        """(first line, tokens) for runs of whole top-level blocks."""
        lines = self.lines
        source = self.doc.source
        total = len(lines)
        if len(source) > CHUNK_CHARS:
            from markdown_it.common.utils import normalizeReference

            refs = self.env.setdefault("references", {})
            for match in REFERENCE_DEF.finditer(source):
                refs.setdefault(normalizeReference(match.group(1)), {"href": "", "title": ""})
        first = 0
        while first < total:
            size = CHUNK_CHARS
            while True:
                start = lines.starts[first]
                last = first
                while last < total and lines.starts[last] - start < size:
                    last += 1
                final = last >= total
                text = source[start:] if final else source[start : lines.starts[last]]
                # Front matter starts the draft with "---": the plugin's rule, tried at every
                # block, is left out of drafts that cannot have it.
                parser = _parser(first == 0 and text[:1] == "-", _impossible_rules(text))
                tokens = parser.parse(text, self.env)
                if final:
                    yield first, tokens
                    return
                # The last top-level block may be cut short: it opens the next chunk.
                tops = [
                    (t.map[0], i)
                    for i, t in enumerate(tokens)
                    if t.level == 0 and t.nesting >= 0 and t.map and t.map[0] > 0
                ]
                if tops:
                    line, cut = tops[-1]
                    yield first, tokens[:cut]
                    first += line
                    break
                size *= 2  # one block fills the chunk: take more

    # -- blocks ----------------------------------------------------------------------

    def read(self) -> Document:
        # Tokens and blocks hold no reference cycles, yet a big draft allocates millions of
        # them and CPython's cycle collector would re-scan them all again and again (reading
        # 10 MB took 1.7x longer than 10 x 1 MB). Pause it while reading; nothing leaks.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for first, tokens in self.chunks():
                self.read_tokens(first, tokens)
        finally:
            if was_enabled:
                gc.enable()
        self.doc.comments.sort(key=lambda c: c.start)
        self.doc.assign_sections()
        return self.doc

    def read_tokens(self, first: int, tokens: list[Token]) -> None:
        stack: list[Token] = []
        containers: list[str] = []  # the open list items and quotations, innermost last
        row: list[Token] = []
        for token in tokens:
            kind = token.type
            nesting = token.nesting
            if nesting == 1:
                stack.append(token)
                if kind in PROSE_CONTAINERS:
                    containers.append(PROSE_CONTAINERS[kind])
                elif kind == "tr_open":
                    row = []
            elif nesting == -1:
                if stack.pop().type in PROSE_CONTAINERS:
                    containers.pop()
                if kind == "tr_close":
                    self.read_row(first, row)
            elif kind == "inline":
                parent = stack[-1] if stack else None
                if parent is not None and parent.type in ("th_open", "td_open"):
                    row.append(token)
                elif parent is not None and parent.type == "heading_open":
                    level = int(parent.tag[1:])
                    atx = parent.markup.startswith("#")
                    self.read_inline(token, first, "heading", level, atx=atx)
                else:
                    self.read_inline(token, first, containers[-1] if containers else "paragraph")
            elif kind == "html_block":
                self.read_html_block(token, first)

    def add_block(self, block: Block | None) -> None:
        if block is not None:
            self.doc.blocks.append(block)

    def read_inline(
        self, token: Token, first: int, kind: str, level: int = 0, atx: bool = False
    ) -> None:
        content = token.content
        if not content or token.map is None:
            return
        line = first + token.map[0]
        if (
            "\n" not in content
            and content[0] not in " \t"
            and content[-1] not in " \t"
            and INLINE_MARKUP.search(content) is None
            and _plain_shortcut()
        ):
            # One line of plain text, the commonest block: it is in the source verbatim,
            # where _ContentMap would put it, so no map or walk is needed.
            lines = self.lines
            number = min(line, len(lines) - 1)
            begin, end = lines.starts[number], lines.ends[number]
            source = self.doc.source
            if (
                not atx
                and not lines.nul
                and end > begin
                and source[end - 1] not in " \t"
                and source.endswith(content, begin, end)
            ):
                start = end - len(content)  # what _column finds, without slicing the line
            else:
                start = begin + _column(lines.text(number), content, atx)
            self.add_block(BlockBuilder.verbatim(content, start, kind, level))
            return
        cmap = _ContentMap.for_lines(content, line, self.lines, atx)
        out = BlockBuilder()
        self.fill(content, cmap, out)
        self.add_block(out.build(kind, level))

    def read_row(self, first: int, cells: list[Token]) -> None:
        """Table cells: content is the cell text trimmed, with ``\\|`` unescaped."""
        if not cells or cells[0].map is None:
            return
        number = first + cells[0].map[0]
        line_start = self.lines.starts[number]
        text = self.lines.text(number)
        spans = _cell_spans(text)
        contents = [cell.content for cell in cells]
        for skip in (1, 0):
            maps = _align_cells(text, spans[skip:], contents, line_start, prefixed=skip == 0)
            if maps is not None:
                break
        else:
            return  # could not place the cells exactly: leave them out rather than guess
        for cell, offsets in zip(cells, maps, strict=False):
            if offsets is None or not cell.content:
                continue
            out = BlockBuilder()
            self.fill(cell.content, _ContentMap.for_cell(offsets), out)
            self.add_block(out.build("table_cell"))

    def read_html_block(self, token: Token, first: int) -> None:
        """Raw HTML: comments for suppressions, and any prose inside it (``<p>...</p>``)."""
        if token.map is None:
            return
        from writer.document.html import parse_html

        content = token.content
        cmap = _ContentMap.for_lines(content, first + token.map[0], self.lines)
        blocks, comments = parse_html(content)
        for comment in comments:
            start = cmap.src(comment.start)
            end = cmap.src(comment.end - 1) + 1
            self.doc.comments.append(Comment(comment.text, start, end))
        for block in blocks:
            if isinstance(block.offsets, OffsetMap):
                block.offsets = block.offsets.remap(cmap.src)
                self.doc.blocks.append(block)

    # -- inline ----------------------------------------------------------------------

    def fill(self, content: str, cmap: _ContentMap, out: BlockBuilder) -> None:
        """Add the prose of an inline token's content to ``out``.

        Most content holds no markup at all (9 blocks in 10 of a typical draft); it is
        then one text token, added as it is, without running markdown-it's inline parser.
        """
        if INLINE_MARKUP.search(content) is None and _plain_shortcut():
            cmap.add(out, 0, content)  # what walk() does with that single text token
            return
        md = _parser(False)
        children: list[Token] = []
        md.inline.parse(content, md, self.env, children)
        self.walk(content, children, cmap, out)

    def walk(
        self, content: str, children: list[Token], cmap: _ContentMap, out: BlockBuilder
    ) -> None:
        """Walk the inline tokens (``children``) with a cursor in ``content``."""
        state: StateInline | None = None
        pos = 0
        link_ends: list[int] = []
        hidden = 0  # inside an autolink: its text is a URL, not prose

        def skip_with(rule: Callable[[StateInline, bool], bool], at: int) -> int:
            nonlocal state
            if state is None:
                from markdown_it.rules_inline import StateInline

                state = StateInline(content, _parser(False), self.env, [])
            state.pos = at
            state.posMax = len(content)
            return state.pos if rule(state, True) else at

        for child in children:
            kind = child.type
            if hidden and kind != "link_close":
                continue
            if kind == "text":
                text = child.content
                at = _locate(content, text, pos)
                if at < 0:
                    continue
                cmap.add(out, at, text)
                pos = at + len(text)
            elif kind == "text_special":
                at = _locate(content, child.markup, pos)
                if at < 0:
                    continue
                end = at + len(child.markup)
                if child.info == "escape":
                    cmap.add(out, end - len(child.content), child.content)
                else:
                    out.add_char(child.content, cmap.src(at), cmap.src(end - 1) + 1)
                pos = end
            elif kind in ("softbreak", "hardbreak"):
                at = content.find("\n", pos)
                if at < 0:
                    continue
                out.add_space(cmap.src(at))
                pos = at + 1
                while pos < len(content) and content[pos] in " \t":
                    pos += 1
            elif kind in EMPHASIS:
                at = _locate(content, child.markup, pos)
                if at >= 0:
                    pos = at + len(child.markup)
            elif kind == "code_inline":
                from markdown_it.rules_inline import backtick

                at = _locate(content, child.markup, pos)
                if at >= 0:
                    pos = skip_with(backtick, at)
                    out.gap()
            elif kind == "image":
                from markdown_it.rules_inline import image

                at = _locate(content, "![", pos)
                if at >= 0:
                    pos = skip_with(image, at)
                    out.gap()
            elif kind == "link_open":
                if child.markup in ("autolink", "linkify"):
                    from markdown_it.rules_inline import autolink

                    at = _locate(content, "<", pos)
                    if at >= 0:
                        pos = skip_with(autolink, at)
                    link_ends.append(pos)
                    hidden += 1
                    out.gap()
                else:
                    from markdown_it.rules_inline import link

                    at = _locate(content, "[", pos)
                    if at >= 0:
                        link_ends.append(skip_with(link, at))
                        pos = at + 1
                    else:
                        link_ends.append(pos)
            elif kind == "link_close":
                if child.markup in ("autolink", "linkify"):
                    hidden = max(hidden - 1, 0)
                if link_ends:
                    pos = max(pos, link_ends.pop())
            elif kind == "html_inline":
                raw = child.content
                at = _locate(content, raw, pos)
                if at < 0:
                    continue
                if raw.startswith("<!--"):
                    body = raw[4:-3] if raw.endswith("-->") else raw[4:]
                    start, end = cmap.src(at), cmap.src(at + len(raw) - 1) + 1
                    self.doc.comments.append(Comment(body, start, end))
                    out.gap()
                elif BR_TAG.fullmatch(raw):
                    out.add_space(cmap.src(at))
                    out.gap()  # no second space when one follows the tag
                pos = at + len(raw)


def _locate(content: str, text: str, pos: int) -> int:
    """Where ``text`` is at or after ``pos``: at ``pos`` itself whenever the walk is in step.

    If the walk ever fell behind, only markup (no letter or digit) may be skipped to catch
    up; otherwise -1, and the text is left out rather than mapped to the wrong place.
    """
    if content.startswith(text, pos):
        return pos
    found = content.find(text, pos)
    if found < 0 or any(ch.isalnum() for ch in content[pos:found]):
        return -1
    return found


def _cell_spans(line: str) -> list[tuple[int, int, list[int]]]:
    """Cells of a table row as markdown-it splits them: (start, end, escaping backslashes)."""
    spans: list[tuple[int, int, list[int]]] = []
    start = 0
    removed: list[int] = []
    escaped = False
    for i, ch in enumerate(line):
        if ch == "|":
            if escaped:
                removed.append(i - 1)
            else:
                spans.append((start, i, removed))
                start, removed = i + 1, []
        escaped = ch == "\\"
    spans.append((start, len(line), removed))
    return spans


def _align_cells(
    line: str,
    spans: list[tuple[int, int, list[int]]],
    contents: list[str],
    line_start: int,
    prefixed: bool,
) -> list[list[int] | None] | None:
    """Per-character source offsets for each cell's content, or None if they do not fit.

    ``prefixed``: the first span also holds the container markers (``> ``) before the row.
    """
    from markdown_it.common.utils import MD_TRIM_CHARS

    result: list[list[int] | None] = []
    for index, content in enumerate(contents):
        if not content:
            result.append(None)
            continue
        if index >= len(spans):
            return None
        start, end, removed = spans[index]
        skipped = set(removed)
        positions = [i for i in range(start, end) if i not in skipped]
        raw = "".join(line[i] for i in positions)
        if index == 0 and prefixed:
            begin = len(raw.rstrip(MD_TRIM_CHARS)) - len(content)
        else:
            begin = len(raw) - len(raw.lstrip(MD_TRIM_CHARS))
        if begin < 0 or raw[begin : begin + len(content)] != content:
            return None
        chosen = positions[begin : begin + len(content)]
        result.append([line_start + i for i in chosen] + [line_start + chosen[-1] + 1])
    return result


def read_markdown(path: str, source: str) -> Document:
    """Prose blocks and comments of a Markdown draft (see the module docstring)."""
    return _Reader(path, source).read()
