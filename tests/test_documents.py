"""Readers: the exact prose each format yields, and the exact source position of every word.

Each case lists the blocks (kind, text) a draft must produce and words that occur once in
the source: each must map back to that very place (offset, line and column, computed here
independently of the code under test). Every block of every case is also checked
character by character (``assert_exact``). Hypothesis then builds random drafts from prose
words and markup and checks the same invariants, plus that no code, URL, comment or front
matter ever leaks into prose and that no prose word is lost.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from writer.document import markdown as markdown_reader
from writer.document.model import Block, Document, OffsetMap
from writer.document.readers import read_document

# -- helpers -----------------------------------------------------------------------------


def read(source: str, fmt: str = "markdown") -> Document:
    doc = read_document("draft", source, fmt)
    for block in doc.blocks:
        assert_exact(doc, block)
    return doc


def line_col(source: str, offset: int) -> tuple[int, int]:
    """1-based line and column, computed without writer's own code."""
    line_start = source.rfind("\n", 0, offset) + 1
    return source.count("\n", 0, offset) + 1, offset - line_start + 1


def assert_exact(doc: Document, block: Block) -> None:
    """Every character maps to itself in the source, except a space standing for a line
    break or tag, and a character decoded from an entity (mapped to its ``&``)."""
    source, text, offsets = doc.source, block.text, block.offsets
    assert len(offsets) == len(text) + 1
    assert text == text.strip() and text
    assert "\r" not in text
    previous = -1
    for i, ch in enumerate(text):
        at = offsets[i]
        assert at > previous, f"offsets not increasing at {i} in {text!r}"
        previous = at
        end = block.source_span(i, i + 1)[1]
        if source[at] == ch and end == at + 1:
            continue
        if ch == " " and (source[at].isspace() or source[at] == "<"):
            continue  # a line break, a run of blanks (HTML) or <br> read as a space
        assert source[at] == "&" and end > at + 2, f"{ch!r} at {i} maps to {source[at:end]!r}"
    assert offsets[len(text)] >= block.source_span(0, len(text))[1]


def where(doc: Document, word: str) -> tuple[int, int]:
    """Source span of ``word`` as found in the prose (its first occurrence)."""
    for block in doc.blocks:
        index = block.text.find(word)
        if index >= 0:
            return block.source_span(index, index + len(word))
    raise AssertionError(f"{word!r} is not in the prose: {[b.text for b in doc.blocks]}")


@dataclass
class Case:
    name: str
    source: str
    blocks: list[tuple[str, str]]
    words: list[str] = field(default_factory=list)  # each occurs once in the source
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # word -> line, col
    fmt: str = "markdown"


def check_case(case: Case) -> Document:
    doc = read(case.source, case.fmt)
    assert [(b.kind, b.text) for b in doc.blocks] == case.blocks
    for word in case.words:
        assert case.source.count(word) == 1, f"test word {word!r} must be unique"
        start = case.source.index(word)
        assert where(doc, word) == (start, start + len(word)), word
        assert doc.position(start) == line_col(case.source, start)
    for word, position in case.positions.items():
        assert doc.position(where(doc, word)[0]) == position, word
    return doc


# -- Markdown ----------------------------------------------------------------------------

MARKDOWN = [
    Case(
        "emphasis",
        "Some *soft* and **strong** words, ***both*** and _under_.\n",
        [("paragraph", "Some soft and strong words, both and under.")],
        ["soft", "strong", "both", "under"],
        {"strong": (1, 19)},
    ),
    Case(
        "inline link",
        '[The trial](https://x.example/a "Title here") found less.\n',
        [("paragraph", "The trial found less.")],
        ["trial", "found"],
    ),
    Case(
        "reference link",
        "See [the register][reg] first.\n\n[reg]: https://x.example/r\n",
        [("paragraph", "See the register first.")],
        ["register", "first"],
    ),
    Case(
        "shortcut link",
        "Read [the summary] today.\n\n[the summary]: /s\n",
        [("paragraph", "Read the summary today.")],
        ["today"],
    ),
    Case(
        "link text that is a URL",
        "[https://x.example](https://x.example) is the site.\n",
        [("paragraph", "is the site.")],
        ["site"],
    ),
    Case(
        "autolinks",
        "Mail <info@clinic.example> or see <https://x.example/p> now.\n",
        [("paragraph", "Mail or see now.")],
        ["see", "now"],
    ),
    Case(
        "bare URL",
        "Visit https://clinic.example/cure?x=1. Then ask.\n",
        [("paragraph", "Visit. Then ask.")],
        ["Visit", "Then"],
    ),
    Case(
        "www and e-mail",
        "Go to www.clinic.example or write to help@clinic.example today.\n",
        [("paragraph", "Go to or write to today.")],
        ["write", "today"],
    ),
    Case(
        "inline code",
        "Run `writer lint` before `you` publish.\n",
        [("paragraph", "Run before publish.")],
        ["Run", "before", "publish"],
    ),
    Case(
        "fenced code",
        "Before.\n\n```python\nsecret = 1\n```\n\n~~~\nmore hidden\n~~~\n\nAfter.\n",
        [("paragraph", "Before."), ("paragraph", "After.")],
        ["After"],
    ),
    Case(
        "indented code",
        "Before.\n\n    secret code\n\nAfter.\n",
        [("paragraph", "Before."), ("paragraph", "After.")],
        ["After"],
    ),
    Case(
        "nested lists",
        "- first item\n  - second *item*\n    1. third item\n- back out\n",
        [
            ("list_item", "first item"),
            ("list_item", "second item"),
            ("list_item", "third item"),
            ("list_item", "back out"),
        ],
        ["first", "second", "third", "back"],
        {"third": (3, 8)},
    ),
    Case(
        "blockquotes",
        "> Quoted *text*\n> continues here.\n>\n> > Inner quote.\n",
        [("blockquote", "Quoted text continues here."), ("blockquote", "Inner quote.")],
        ["Quoted", "continues", "Inner"],
        {"continues": (2, 3), "Inner": (4, 5)},
    ),
    Case(
        "list in a quote with a lazy line",
        "> - listed **claim**\n>   wraps on.\nlazy line\n",
        [("list_item", "listed claim wraps on. lazy line")],
        ["listed", "claim", "wraps", "lazy"],
        {"wraps": (2, 5), "lazy": (3, 1)},
    ),
    Case(
        "table",
        "| Dose | Effect \\| note |\n|------|------|\n| 2.5 mg | *less* pain |\n",
        [
            ("table_cell", "Dose"),
            ("table_cell", "Effect | note"),
            ("table_cell", "2.5 mg"),
            ("table_cell", "less pain"),
        ],
        ["Dose", "Effect", "note", "2.5", "less", "pain"],
        {"pain": (3, 19)},
    ),
    Case(
        "table without outer pipes, in a quote",
        "> Dose | Effect\n> --- | ---\n> low | mild\n",
        [
            ("table_cell", "Dose"),
            ("table_cell", "Effect"),
            ("table_cell", "low"),
            ("table_cell", "mild"),
        ],
        ["Dose", "Effect", "low", "mild"],
    ),
    Case(
        "ATX headings",
        "# Title words #\n\n## Second *level* ##\n\nText.\n",
        [("heading", "Title words"), ("heading", "Second level"), ("paragraph", "Text.")],
        ["Title", "words", "Second", "level", "Text"],
    ),
    Case(
        "setext headings",
        "Big title\n=========\n\nSmall title\n-----------\n",
        [("heading", "Big title"), ("heading", "Small title")],
        ["Big", "Small"],
    ),
    Case(
        "entities",
        "Fish &amp; chips &copy; 2024 &#169; &#xA9; &nbsp;end.\n",
        [("paragraph", "Fish & chips \u00a9 2024 \u00a9 \u00a9 \u00a0end.")],
        ["Fish", "chips", "2024", "end"],
    ),
    Case(
        "escapes",
        "\\*not emphasis\\* and a \\[bracket\\].\n",
        [("paragraph", "*not emphasis* and a [bracket].")],
        ["not", "emphasis", "bracket"],
    ),
    Case(
        "CRLF line endings",
        "First line\r\nsecond line.\r\n\r\nNext para.\r\n",
        [("paragraph", "First line second line."), ("paragraph", "Next para.")],
        ["second", "Next"],
        {"second": (2, 1), "Next": (4, 1)},
    ),
    Case(
        "tabs",
        "Tab\tinside here.\n\n-\tTabbed item.\n",
        [("paragraph", "Tab\tinside here."), ("list_item", "Tabbed item.")],
        ["inside", "Tabbed"],
        {"inside": (1, 5)},
    ),
    Case(
        "astral characters count as one column",
        "Cells \U0001f600 help \U0001d538 rarely.\n",
        [("paragraph", "Cells \U0001f600 help \U0001d538 rarely.")],
        ["help", "rarely", "\U0001d538"],
        {"rarely": (1, 16)},
    ),
    Case(
        "front matter",
        "---\ntitle: Secret words\nsummary: more hidden\n---\n# Real title\n",
        [("heading", "Real title")],
        ["Real"],
        {"Real": (5, 3)},
    ),
    Case(
        "comments, inline and block",
        "Text before <!-- hidden note --> after.\n\n<!--\nblock hidden\n-->\n\nEnd.\n",
        [("paragraph", "Text before after."), ("paragraph", "End.")],
        ["before", "after", "End"],
    ),
    Case(
        "HTML block with prose",
        "<div>\n<p>Inside <b>html</b> text.</p>\n</div>\n\nAfter.\n",
        [("paragraph", "Inside html text."), ("paragraph", "After.")],
        ["Inside", "html", "After"],
        {"html": (2, 14)},
    ),
    Case(
        "image",
        "Look ![a chart](chart.png) here.\n",
        [("paragraph", "Look here.")],
        ["Look", "here"],
    ),
    Case(
        "hard breaks",
        "Line one  \nline two\\\nline three\n",
        [("paragraph", "Line one line two line three")],
        ["two", "three"],
    ),
    Case(
        "inline HTML tags",
        "A <span>wrapped</span> word<br>and more.\n",
        [("paragraph", "A wrapped word and more.")],
        ["wrapped", "word", "more"],
    ),
    Case(
        "link with a title that repeats the following text",
        '[x](/u "y z") y z.\n\n[a](</p q> (b c)) b c.\n',
        [("paragraph", "x y z."), ("paragraph", "a b c.")],
        [],
        {"y": (1, 15), "b": (3, 19)},
    ),
    Case(
        "code span with backticks inside",
        "Use ``a ` b`` then `c`.\n",
        [("paragraph", "Use then.")],
        ["Use", "then"],
    ),
]


@pytest.mark.parametrize("case", MARKDOWN, ids=lambda c: c.name)
def test_markdown(case: Case) -> None:
    check_case(case)


def test_markdown_heading_levels_and_sections() -> None:
    doc = read("Intro.\n\n# One\n\nText.\n\n### Three\n\nMore.\n\nSub\n---\n")
    assert [(b.kind, b.level, b.section) for b in doc.blocks] == [
        ("paragraph", 0, 0),
        ("heading", 1, 1),
        ("paragraph", 0, 1),
        ("heading", 3, 2),
        ("paragraph", 0, 2),
        ("heading", 2, 3),
    ]
    sections = doc.sections()
    assert [(s.index, s.title, s.level, [b.text for b in s.blocks]) for s in sections] == [
        (0, "", 0, ["Intro."]),
        (1, "One", 1, ["One", "Text."]),
        (2, "Three", 3, ["Three", "More."]),
        (3, "Sub", 2, ["Sub"]),
    ]


def test_markdown_comments_have_exact_spans() -> None:
    source = (
        "Text <!-- writer-disable-next-line HW101 -- quoted -->\n\n"
        "> <!--\n> in a quote\n> -->\n\n<!-- block -->\n"
    )
    doc = read(source)
    assert [(c.text, source[c.start : c.end]) for c in doc.comments] == [
        (" writer-disable-next-line HW101 -- quoted ", source[5:54]),
        ("\nin a quote\n", "<!--\n> in a quote\n> -->"),
        (" block ", "<!-- block -->"),
    ]


def test_markdown_entity_span_covers_the_whole_entity() -> None:
    source = "Fish &amp; chips.\n"
    doc = read(source)
    block = doc.blocks[0]
    start, end = block.source_span(5, 6)  # "&"
    assert source[start:end] == "&amp;"
    assert source[slice(*block.source_span(0, len(block.text)))] == "Fish &amp; chips."


def test_markdown_never_reads_code_comments_or_front_matter_as_prose() -> None:
    source = (
        "---\nfm: frontsecret\n---\n\nProse one `codesecret` here.\n\n"
        "```\nfencesecret\n```\n\n    indentsecret\n\n<!-- commentsecret -->\n\n"
        "Prose two <!-- inlinesecret --> https://urlsecret.example <https://auto.secret> "
        "![imgsecret](imgsecret.png) [link](https://dest.secret).\n\n"
        "<script>var scriptsecret = 1;</script>\n"
    )
    prose = " ".join(b.text for b in read(source).blocks)
    assert prose == "Prose one here. Prose two link."
    assert "secret" not in prose


def test_big_markdown_is_read_in_chunks_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unit = (
        "# Part\n\nA paragraph with *emphasis* and a [link][ref].\nIt wraps.\n\n"
        "- item one\n- item two\n\n```\ncode\n\nmore code\n```\n\n> quoted\n\n"
        "| a | b |\n|---|---|\n| c | d |\n\n"
    )
    source = unit * 40 + "[ref]: https://x.example\n"
    whole = read(source)
    monkeypatch.setattr(markdown_reader, "CHUNK_CHARS", 150)
    chunked = read(source)
    assert [(b.kind, b.text, list(b.offsets)) for b in chunked.blocks] == [
        (b.kind, b.text, list(b.offsets)) for b in whole.blocks
    ]
    assert "code" not in " ".join(b.text for b in chunked.blocks)
    assert "link" in chunked.blocks[1].text  # the reference defined at the very end resolved


def test_one_block_bigger_than_a_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown_reader, "CHUNK_CHARS", 50)
    items = "".join(f"- item number {n}\n" for n in range(40))
    doc = read("Start.\n\n" + items + "\nEnd.\n")
    assert len(doc.blocks) == 42
    assert doc.blocks[-1].text == "End."


# -- HTML --------------------------------------------------------------------------------

HTML = [
    Case(
        "paragraphs and whitespace",
        "<p>First <em>para</em>.</p>\n<p>Second\n   one.</p>\n",
        [("paragraph", "First para."), ("paragraph", "Second one.")],
        ["First", "Second", "one"],
        {"one": (3, 4)},
        fmt="html",
    ),
    Case(
        "sloppy HTML: unclosed p and li",
        "<p>One<p>Two<ul><li>Three<li>Four</ul>\n",
        [
            ("paragraph", "One"),
            ("paragraph", "Two"),
            ("list_item", "Three"),
            ("list_item", "Four"),
        ],
        ["One", "Two", "Three", "Four"],
        fmt="html",
    ),
    Case(
        "headings",
        "<h1>Main</h1><h3>Sub <small>part</small></h3>",
        [("heading", "Main"), ("heading", "Sub part")],
        ["Main", "Sub", "part"],
        fmt="html",
    ),
    Case(
        "skipped elements",
        "<head><title>Page</title><style>p{color:red}</style>"
        "<script>var s='<p>x</p>';</script></head><body><p>Body <code>code()</code> text"
        "<pre>pre text</pre></p><noscript>No JS</noscript><template><p>tpl</p></template>"
        "</body>",
        [("paragraph", "Body text")],
        ["Body"],
        fmt="html",
    ),
    Case(
        "entities",
        "<p>Fish &amp; chips &copy; &#169; &#xa9;&nbsp;end &notanentity; AT&T</p>",
        [("paragraph", "Fish & chips \u00a9 \u00a9 \u00a9\u00a0end \u00acanentity; AT&T")],
        ["Fish", "chips", "end", "anentity", "AT&T"],
        fmt="html",
    ),
    Case(
        "br, img and attributes",
        '<p title="not prose">Line<br>next <img alt="no" src="x.png"> line</p>',
        [("paragraph", "Line next line")],
        ["Line", "next"],
        fmt="html",
    ),
    Case(
        "tables",
        "<table><caption>Doses</caption><tr><th>Dose<th>Effect<tr><td>Low<td>Mild</table>",
        [
            ("paragraph", "Doses"),
            ("table_cell", "Dose"),
            ("table_cell", "Effect"),
            ("table_cell", "Low"),
            ("table_cell", "Mild"),
        ],
        ["Doses", "Effect", "Low", "Mild"],
        fmt="html",
    ),
    Case(
        "blockquote, definition list and figure",
        "<blockquote><p>Quoted words.</p></blockquote><dl><dt>Term<dd>Meaning</dl>"
        "<figure><img src=x><figcaption>Caption text</figcaption></figure>",
        [
            ("blockquote", "Quoted words."),
            ("list_item", "Term"),
            ("list_item", "Meaning"),
            ("paragraph", "Caption text"),
        ],
        ["Quoted", "Term", "Meaning", "Caption"],
        fmt="html",
    ),
    Case(
        "text directly inside containers",
        "<div>Direct text <span>inline</span><section>Inner</section>tail</div>",
        [("paragraph", "Direct text inline"), ("paragraph", "Inner"), ("paragraph", "tail")],
        ["Direct", "inline", "Inner", "tail"],
        fmt="html",
    ),
    Case(
        "comments",
        "<p>Before <!-- note --> after</p>\n<!--\nmulti\n-->",
        [("paragraph", "Before after")],
        ["Before", "after"],
        fmt="html",
    ),
    Case(
        "CRLF",
        "<p>First line\r\nsecond line</p>\r\n<p>Third</p>",
        [("paragraph", "First line second line"), ("paragraph", "Third")],
        ["second", "Third"],
        {"second": (2, 1), "Third": (3, 4)},
        fmt="html",
    ),
    Case(
        "astral characters",
        "<p>Cells \U0001f600 &amp; \U0001d538 help</p>",
        [("paragraph", "Cells \U0001f600 & \U0001d538 help")],
        ["help"],
        {"help": (1, 20)},
        fmt="html",
    ),
    Case(
        "URLs and e-mail in text",
        "<p>See <a href='https://x.example'>https://x.example</a> or mail a@b.example now.</p>",
        [("paragraph", "See or mail now.")],
        ["See", "mail", "now"],
        fmt="html",
    ),
    Case(
        "list item with a nested list",
        "<ul><li>Parent <b>bold</b><ul><li>Child</li></ul>after</li></ul>",
        [("list_item", "Parent bold"), ("list_item", "Child"), ("list_item", "after")],
        ["Parent", "Child", "after"],
        fmt="html",
    ),
]


@pytest.mark.parametrize("case", HTML, ids=lambda c: c.name)
def test_html(case: Case) -> None:
    check_case(case)


def test_html_comments_and_levels() -> None:
    source = "<h2>Two</h2><p>x <!-- writer-disable HW1 -- why --> y</p><!---->"
    doc = read(source, "html")
    assert [(b.kind, b.level, b.section) for b in doc.blocks] == [
        ("heading", 2, 1),
        ("paragraph", 0, 1),
    ]
    assert [(c.text, source[c.start : c.end]) for c in doc.comments] == [
        (" writer-disable HW1 -- why ", "<!-- writer-disable HW1 -- why -->"),
        ("", "<!---->"),
    ]


# -- plain text --------------------------------------------------------------------------

TEXT = [
    Case(
        "paragraphs",
        "Stem cell therapy is still an experimental treatment that\nhas not been approved.\n"
        "\nSecond paragraph.\n",
        [
            (
                "paragraph",
                "Stem cell therapy is still an experimental treatment that has not been approved.",
            ),
            ("paragraph", "Second paragraph."),
        ],
        ["that", "has", "Second"],
        {"has": (2, 1)},
        fmt="text",
    ),
    Case(
        "title on the first line",
        "Cell therapy today\nThe article starts here.\n",
        [("heading", "Cell therapy today"), ("paragraph", "The article starts here.")],
        ["Cell", "article"],
        fmt="text",
    ),
    Case(
        "bullets",
        "Benefits:\n- less pain\n* fewer visits\n\u2022 lower cost\n1. one\n2) two\n",
        [
            ("paragraph", "Benefits:"),
            ("list_item", "less pain"),
            ("list_item", "fewer visits"),
            ("list_item", "lower cost"),
            ("list_item", "one"),
            ("list_item", "two"),
        ],
        ["pain", "fewer", "lower", "one", "two"],
        fmt="text",
    ),
    Case(
        "bullet wrapping onto indented lines",
        "- a bullet that wraps\n  onto the next line\n- next bullet\nNot indented.\n",
        [
            ("list_item", "a bullet that wraps onto the next line"),
            ("list_item", "next bullet"),
            ("paragraph", "Not indented."),
        ],
        ["wraps", "onto", "bullet that", "indented"],
        {"onto": (2, 3)},
        fmt="text",
    ),
    Case(
        "listicle numbers",
        "Results:\n\n08 Stable effect\n09 No adverse reactions\n10 Lower cost\n\n"
        "20 patients were treated.\n",
        [
            ("paragraph", "Results:"),
            ("list_item", "Stable effect"),
            ("list_item", "No adverse reactions"),
            ("list_item", "Lower cost"),
            ("paragraph", "20 patients were treated."),
        ],
        ["Stable", "adverse", "Lower", "20 patients"],
        fmt="text",
    ),
    Case(
        "headings standing alone",
        "Intro paragraph here.\n\nWhat Is Insulin?\n\nIt is a hormone.\n\nIs it safe?\n\n"
        "A short heading\n\n(source: internet)\n",
        [
            ("paragraph", "Intro paragraph here."),
            ("heading", "What Is Insulin?"),
            ("paragraph", "It is a hormone."),
            ("paragraph", "Is it safe?"),
            ("heading", "A short heading"),
            ("paragraph", "(source: internet)"),
        ],
        ["Insulin", "hormone", "safe", "short", "internet"],
        fmt="text",
    ),
    Case(
        "URLs and e-mail",
        "Visit https://clinic.example/offer now or email sales@clinic.example.\n",
        [("paragraph", "Visit now or email.")],
        ["Visit", "now", "email"],
        fmt="text",
    ),
    Case(
        "CRLF",
        "Title here\r\n\r\nA paragraph\r\nwrapped.\r\n",
        [("heading", "Title here"), ("paragraph", "A paragraph wrapped.")],
        ["Title", "wrapped"],
        {"wrapped": (4, 1)},
        fmt="text",
    ),
    Case(
        "astral characters and tabs",
        "Cells\t\U0001f600 help \U0001d538 rarely.\n",
        [("paragraph", "Cells\t\U0001f600 help \U0001d538 rarely.")],
        ["help", "rarely"],
        {"rarely": (1, 16)},
        fmt="text",
    ),
]


@pytest.mark.parametrize("case", TEXT, ids=lambda c: c.name)
def test_text(case: Case) -> None:
    check_case(case)


def test_text_heading_levels() -> None:
    doc = read("Main title\n\nBody text here.\n\nA subheading\n\nMore text.\n", "text")
    assert [(b.kind, b.level, b.section) for b in doc.blocks] == [
        ("heading", 1, 1),
        ("paragraph", 0, 1),
        ("heading", 2, 2),
        ("paragraph", 0, 2),
    ]


# -- the offset map ----------------------------------------------------------------------


def test_offset_map_round_trip() -> None:
    offsets = [3, 4, 5, 9, 10, 20, 21, 22]
    ends = [4, 5, 6, 10, 15, 21, 22, 23]  # index 4 stands for five source characters
    omap = OffsetMap.from_offsets(offsets, ends, end=30)
    assert list(omap) == [*offsets, 30]
    assert [omap[i] for i in range(len(omap))] == [*offsets, 30]
    assert omap[-1] == 30 and omap[2:5] == [5, 9, 10]
    assert omap.ends() == ends
    assert omap.runs == 3  # 3-5; 9 and the wide 10; 20-22
    with pytest.raises(IndexError):
        omap[len(offsets) + 1]
    shifted = omap.remap(lambda o: o + 100)
    assert list(shifted) == [o + 100 for o in [*offsets, 30]]
    assert shifted.ends() == [e + 100 for e in ends]


def test_block_source_span_with_plain_list_offsets() -> None:
    block = Block(kind="paragraph", text="abc", offsets=[5, 6, 8, 9])
    assert block.source_span(0, 3) == (5, 9)
    assert block.source_span(1, 1) == (6, 6)


# -- property tests ----------------------------------------------------------------------

WORDS = st.integers(min_value=0, max_value=999).map(lambda n: f"w{n}")
SECRET = "zz"  # every non-prose token contains it; prose words never do
MD_INLINE = st.sampled_from(
    [
        "{w}",
        "*{w}*",
        "**{w}**",
        "_{w}_",
        "`zzcode`",
        "[{w}](https://zz.example/a)",
        '[{w}](/zzpath "zz title")',
        "<https://zz.example>",
        "https://zz.example/p",
        "{w} <!-- zz -->",  # at the start of a line a comment opens an HTML block instead
        "\\*{w}",
        "{w}&amp;",
        "![zz alt](zz.png)",
        "{w}<br>",
    ]
)


@st.composite
def markdown_drafts(draw: st.DrawFn) -> tuple[str, list[str]]:
    words: list[str] = []
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append(f"---{eol}title: zz{eol}---{eol}{eol}")

    def inline_line() -> str:
        pieces = []
        for _ in range(draw(st.integers(1, 6))):
            template = draw(MD_INLINE)
            word = f"w{len(words)}"
            if "{w}" in template:
                words.append(word)
            pieces.append(template.format(w=word))
        return draw(st.sampled_from([" ", "  ", "\t"])).join(pieces)

    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["p", "h", "li", "ol", "quote", "fence", "nested", "table"]))
        if kind == "fence":
            parts.append(f"```{eol}zz code{eol}```{eol}{eol}")
            continue
        if kind == "table":
            rows = [[inline_line(), inline_line() + " \\| " + inline_line()] for _ in range(2)]
            lead = draw(st.sampled_from(["| ", "", "> | "]))
            lines = [f"{lead}{a} | {b} |" for a, b in rows]
            lines.insert(1, f"{lead}--- | --- |")
            parts.append(eol.join(lines) + eol + eol)
            continue
        lines = [inline_line() for _ in range(draw(st.integers(1, 3)))]
        if kind == "p":
            parts.append(eol.join(lines))
        elif kind == "h":
            parts.append("## " + " ".join(lines))
        elif kind == "li":
            parts.append(f"{eol}  ".join(["- " + lines[0], *lines[1:]]))
        elif kind == "ol":
            parts.append(f"{eol}   ".join(["1. " + lines[0], *lines[1:]]))
        elif kind == "quote":
            parts.append(eol.join("> " + line for line in lines))
        else:
            parts.append(f"> - {lines[0]}{eol}>   - " + f"{eol}>     ".join(lines[1:] or ["w"]))
            if not lines[1:]:
                words.append("w")
        parts.append(eol + eol)
    return "".join(parts), words


def check_drafts(doc: Document, words: list[str]) -> None:
    prose = []
    for block in doc.blocks:
        assert_exact(doc, block)
        assert SECRET not in block.text
        prose.extend(block.text.replace("&", " ").replace("*", " ").replace("|", " ").split())
    assert prose == words


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_drafts())
def test_markdown_property(draft: tuple[str, list[str]]) -> None:
    source, words = draft
    check_drafts(read_document("draft", source, "markdown"), words)


HTML_INLINE = st.sampled_from(
    [
        "{w}",
        "<em>{w}</em>",
        "<a href='https://zz.example'>{w}</a>",
        "<code>zz</code>",
        "<!-- zz -->",
        "{w}&amp;",
        "{w}<br>",
        "<img alt='zz' src='zz.png'>",
        "<script>zz()</script>",
        "https://zz.example/p",
    ]
)


@st.composite
def html_drafts(draw: st.DrawFn) -> tuple[str, list[str]]:
    words: list[str] = []
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        pieces = []
        for _ in range(draw(st.integers(1, 8))):
            template = draw(HTML_INLINE)
            word = f"w{len(words)}"
            if "{w}" in template:
                words.append(word)
            pieces.append(template.format(w=word))
            pieces.append(draw(st.sampled_from([" ", "\n", "\r\n  ", "\t"])))
        body = "".join(pieces)
        kind = draw(st.sampled_from(["p", "p-open", "li", "h2", "td", "quote", "div"]))
        parts.append(
            {
                "p": f"<p>{body}</p>",
                "p-open": f"<p>{body}",
                "li": f"<ul><li>{body}</ul>",
                "h2": f"<h2>{body}</h2>",
                "td": f"<table><tr><td>{body}</table>",
                "quote": f"<blockquote>{body}</blockquote>",
                "div": f"<div>{body}</div>",
            }[kind]
        )
        parts.append(draw(st.sampled_from(["\n", "", "\r\n"])))
    return "".join(parts), words


@settings(max_examples=300, deadline=None)
@given(html_drafts())
def test_html_property(draft: tuple[str, list[str]]) -> None:
    source, words = draft
    check_drafts(read_document("draft", source, "html"), words)


@st.composite
def text_drafts(draw: st.DrawFn) -> tuple[str, list[str]]:
    words: list[str] = []
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        lines = []
        for _ in range(draw(st.integers(1, 3))):
            pieces = []
            for _ in range(draw(st.integers(1, 6))):
                if draw(st.integers(0, 5)) == 0:
                    pieces.append("https://zz.example/p")
                else:
                    word = f"w{len(words)}"
                    words.append(word)
                    pieces.append(word)
            lines.append(" ".join(pieces) + draw(st.sampled_from(["", ".", " ", "\t"])))
        bullet = draw(st.sampled_from(["", "", "- ", "\u2022 ", "1. "]))
        indent = "  " if bullet else ""
        parts.append(bullet + f"{eol}{indent}".join(lines) + eol + eol)
    return "".join(parts), words


@settings(max_examples=300, deadline=None)
@given(text_drafts())
def test_text_property(draft: tuple[str, list[str]]) -> None:
    source, words = draft
    doc = read_document("draft", source, "text")
    prose = []
    for block in doc.blocks:
        assert_exact(doc, block)
        assert SECRET not in block.text
        prose.extend(block.text.replace(".", " ").split())
    assert prose == words


def test_linting_a_plain_markdown_draft_loads_only_what_it_needs(tmp_path: Path) -> None:
    # Start-up cost: a Markdown draft with no HTML, no URL and no sentence pysbd must cut
    # loads neither the HTML reader, nor pysbd, nor pyphen, nor the fix machinery.
    draft = tmp_path / "draft.md"
    draft.write_text(
        "# Cell treatment\n\nThe study was small. It ran for one year. Ask your team first.\n",
        encoding="utf-8",
    )
    code = (
        "import sys\n"
        "from writer.cli import main\n"
        f"sys.argv = ['writer', 'lint', '--quiet', {str(draft)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "names = ('writer.document.html', 'pysbd', 'pyphen', 'writer.fixes', 'difflib')\n"
        "print(' '.join(n for n in names if n in sys.modules) or 'none')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[-1] == "none"
