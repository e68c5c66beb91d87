"""The Markdown reader's short cuts give what markdown-it itself gives.

The reader skips the inline parser for content without markup and leaves out block rules
that cannot match in a draft (for speed); these tests check both premises against
markdown-it run the full way, on generated text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from writer.document import markdown as markdown_module
from writer.document.readers import read_document

_PLAIN = st.text(
    alphabet=st.characters(blacklist_characters="\n\\`~*_[<&", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_PLAIN)
def test_content_without_markup_is_one_text_token(content: str) -> None:
    assert markdown_module.INLINE_MARKUP.search(content) is None
    assert markdown_module._plain_shortcut()
    md = markdown_module._parser(False)
    tokens: list[Token] = []
    md.inline.parse(content, md, {}, tokens)
    assert [(t.type, t.content) for t in tokens] == [("text", content)]


_PIECES = [
    "Some text", "more words.", "# Title", "## Sub", "- item", "* item", "+ item", "1. one",
    "2) two", "> quoted", ">> deeper", "---", "***", "_ _ _", "===", "- - -", "```", "~~~",
    "| a | b |", "|---|---|", "a | b", "<div>", "</div>", "<!-- note -->", "[ref]: http://x.y",
    "[link][ref]", "[text](http://x.y)", "    indented", "\tTabbed", "  two spaces", "   three",
    "-", "=", "text -", "a = b", "**bold**", "`code`", "&amp;", "\\*", "",
]


def _tokens(md: object, text: str) -> list[tuple[str, str, object, int]]:
    tokens = md.parse(text, {})  # type: ignore[attr-defined]
    return [(t.type, t.content, t.map, t.level) for t in tokens]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=14),
    st.lists(st.sampled_from(["\n", "\n\n", "\n  ", "\n> "]), min_size=14, max_size=14),
)
def test_left_out_block_rules_change_no_token(pieces: list[str], breaks: list[str]) -> None:
    text = "".join(piece + brk for piece, brk in zip(pieces, breaks, strict=False))
    dropped = markdown_module._impossible_rules(text)
    full = _tokens(markdown_module._parser(False), text)
    assert _tokens(markdown_module._parser(False, dropped), text) == full


def test_plain_and_marked_up_blocks_map_to_the_source() -> None:
    source = "# A title\n\nPlain words here.\n\nSome *marked* words and a [link](http://x.y).\n"
    doc = read_document("x.md", source, "markdown")
    assert [b.text for b in doc.blocks] == [
        "A title",
        "Plain words here.",
        "Some marked words and a link.",
    ]
    for block in doc.blocks:
        for i, ch in enumerate(block.text):
            start, end = block.source_span(i, i + 1)
            assert source[start:end] == ch


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \t\n\r\0é", max_size=40))
def test_line_table_matches_line_breaks(source: str) -> None:
    """_Lines (summed in C when there is no CR) splits where markdown-it does."""
    import re

    lines = markdown_module._Lines(source)
    breaks = list(re.finditer(r"\r\n|\r|\n", source))
    assert lines.starts == [0, *(m.end() for m in breaks)]
    assert lines.ends == [*(m.start() for m in breaks), len(source)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="wW.:/@ xoWWW", max_size=30))
def test_url_precheck_loses_no_url(text: str) -> None:
    """url_spans' substring pre-check never hides what its regex would find."""
    from writer.document.model import _url_re, url_spans

    assert bool(url_spans(text)) == bool(_url_re().search(text))
