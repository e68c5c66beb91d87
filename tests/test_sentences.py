"""Sentence splitting: the hard cases by table, the invariants by property, and long blocks.

Splitting cuts blocks at certain boundaries before calling pysbd (for speed); the tests
check both that the result is right and that it equals what pysbd alone would say.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from writer.document import sentences as sentences_module
from writer.document.model import Block, OffsetMap
from writer.document.readers import read_document
from writer.document.sentences import MAX_PIECE, sentence_spans, split_block


def block(text: str, kind: str = "paragraph") -> Block:
    return Block(kind=kind, text=text, offsets=OffsetMap([0], [0], [len(text)], len(text), 0))


def split(text: str, kind: str = "paragraph") -> list[str]:
    result = split_block(block(text, kind))
    for sentence in result:
        assert sentence.text == text[sentence.start : sentence.end]
    return [s.text for s in result]


CASES = [
    (
        "titles",
        "Dr. Lee saw the results. Prof. Smith did not. Mr. and Mrs. Jones agreed.",
        ["Dr. Lee saw the results.", "Prof. Smith did not.", "Mr. and Mrs. Jones agreed."],
    ),
    (
        "e.g. and i.e.",
        "Use it e.g. twice a day, i.e. morning and night. Then stop.",
        ["Use it e.g. twice a day, i.e. morning and night.", "Then stop."],
    ),
    (
        "U.S. and vs.",
        "The U.S. trial compared cells vs. insulin in 12 people. It ended early.",
        ["The U.S. trial compared cells vs. insulin in 12 people.", "It ended early."],
    ),
    (
        "decimals and money",
        "Take 2.5 mg twice a day. HbA1c fell by 3.4% in the trial. It cost $1,200.50 a month.",
        [
            "Take 2.5 mg twice a day.",
            "HbA1c fell by 3.4% in the trial.",
            "It cost $1,200.50 a month.",
        ],
    ),
    (
        "initials",
        "J. R. Smith wrote the review. It was short.",
        ["J. R. Smith wrote the review.", "It was short."],
    ),
    (
        "questions and exclamations",
        "Is it safe? Nobody knows! Ask your doctor.",
        ["Is it safe?", "Nobody knows!", "Ask your doctor."],
    ),
    (
        "quoted speech",
        '"It works," the clinic said. "Really?" we asked. Then silence.',
        ['"It works," the clinic said.', '"Really?" we asked.', "Then silence."],
    ),
    (
        "full stops inside a quotation",
        "The advert says \u201cstable effect. No side effects.\u201d That is not evidence.",
        ["The advert says \u201cstable effect. No side effects.\u201d", "That is not evidence."],
    ),
    (
        "brackets",
        "Results were mixed (see the table). Most people still needed insulin.",
        ["Results were mixed (see the table).", "Most people still needed insulin."],
    ),
    (
        "etc. at the end of a sentence",
        "They tested drugs, diet, etc. The results are below.",
        ["They tested drugs, diet, etc.", "The results are below."],
    ),
    (
        "ellipsis",
        "Wait... what happened next? Nobody knows.",
        ["Wait... what happened next?", "Nobody knows."],
    ),
    (
        "whitespace around sentences",
        "  Leading space. Two  spaces inside.  ",
        ["Leading space.", "Two  spaces inside."],
    ),
    (
        "no final punctuation in a paragraph",
        "Take it daily. Stop after a week",
        ["Take it daily.", "Stop after a week"],
    ),
    ("single sentence", "Stem cells are not a cure.", ["Stem cells are not a cure."]),
]


@pytest.mark.parametrize("name,text,expected", CASES, ids=[c[0] for c in CASES])
def test_sentences(name: str, text: str, expected: list[str]) -> None:
    assert split(text) == expected


@pytest.mark.parametrize(
    "kind,text,expected",
    [
        ("list_item", "Stable effect, no adverse reactions", 1),
        ("list_item", "Take it daily. Stop after a week", 1),  # no full stop: one item
        ("list_item", "Take it daily. Stop after a week.", 2),
        ("heading", "What Is Diabetes? Type 1 vs Type 2", 1),
        ("heading", "Cells. Hope. Limits.", 1),
        ("table_cell", "2.5 mg. Twice daily", 1),
        ("paragraph", "Take it daily. Stop after a week", 2),
    ],
)
def test_blocks_without_final_punctuation(kind: str, text: str, expected: int) -> None:
    assert len(split(text, kind)) == expected


def test_sentences_of_a_document_map_to_the_source() -> None:
    source = "# Stem cells\n\n- Stable effect\n- No *adverse* reactions\n\nDr. Lee said no. Ask.\n"
    doc = read_document("draft", source, "markdown")
    found = [(s.text, source[slice(*s.source_span())]) for s in doc.sentences]
    assert found == [
        ("Stem cells", "Stem cells"),
        ("Stable effect", "Stable effect"),
        ("No adverse reactions", "No *adverse* reactions"),
        ("Dr. Lee said no.", "Dr. Lee said no."),
        ("Ask.", "Ask."),
    ]


def _long_text(count: int, ending: str) -> tuple[str, list[str]]:
    patterns = [
        "Patient {i} saw Dr. Lee on day {i}.",
        "The dose was {i}.5 mg per day.",
        "Was it safe for patient {i}?",
        "The U.S. team measured {i} samples" + ending,
    ]
    expected = [patterns[i % 4].format(i=i) for i in range(count)]
    return " ".join(expected), expected


def test_long_block_is_split_exactly() -> None:
    text, expected = _long_text(3000, " in all.")
    assert len(text) > 50 * MAX_PIECE
    assert split(text) == expected


def test_long_block_without_certain_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every sentence ends in a decimal, so no cut is certain: the text goes to pysbd in
    # pieces of at most MAX_PIECE characters, cut at possible boundaries.
    expected = [f"The trial enrolled {i} people, and HbA1c fell by {i % 9}.5." for i in range(400)]
    seen: list[int] = []
    original = sentences_module._pysbd_spans

    def spy(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        seen.append(end - start)
        return original(text, start, end)

    monkeypatch.setattr(sentences_module, "_pysbd_spans", spy)
    assert split(" ".join(expected)) == expected
    assert len(seen) > 5 and max(seen) <= MAX_PIECE


def test_years_end_sentences_without_pysbd(monkeypatch: pytest.MonkeyPatch) -> None:
    # A number of three digits or more before a full stop is a certain boundary too.
    import pysbd

    expected = [f"The trial enrolled {i} people in {2000 + i % 20}." for i in range(400)]
    monkeypatch.setattr(sentences_module, "_segment", None)  # any call would fail
    assert split(" ".join(expected)) == expected
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    sample = " ".join(expected[:12])
    assert split(sample) == [s.sent.strip() for s in segmenter.segment(sample)]


@pytest.mark.parametrize(
    "text,cut",
    [
        ("It was approved in 2023. The price rose.", True),
        ("It was approved in 2023. The price rose 2.5 times.", True),  # decimals are fine
        ("It cost 1,500. The price rose.", False),  # not after a space
        ("It was 12. The price rose.", False),  # a list number for pysbd
        ("It was 2023.) The price rose.", False),  # pysbd keeps a full stop before ")"
        ("It was 2023... The price rose.", False),
        ("Step 1. Start in 2023. The price rose. Step 2. Stop.", False),  # a numbered list
        ("Choose (a) now or 2023. The price rose (b) later.", False),  # a lettered list
        ('He said "soon" in 2023. The price rose.', False),  # quotation marks
        ("It is (see above) 2023. The price rose.", False),  # a closing bracket
        ("Load the .env file in 2023. The price rose.", False),  # a full stop in a word
        ("Line one in 2023.\nThe price rose.", False),  # a line break
    ],
)
def test_number_cuts_only_where_pysbd_reads_locally(text: str, cut: bool) -> None:
    import re

    found = re.search(r"\s+The price", text)
    assert found is not None
    cuts = sentences_module._certain_cuts(text, 0, len(text))
    assert (found.start(), found.start() + len(found.group()) - 9) in cuts or not cut
    assert any(stop == found.start() for stop, _ in cuts) == cut


def _without_number_cuts(text: str) -> list[tuple[int, int]]:
    import re

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sentences_module, "_NUMBER", re.compile(r"(?!)"))
        return sentence_spans(text)


_NUMBER_WORDS = ["in", "2025.", "120.", "1999.", "4567.", "2024!", "2020", "12.", "3."]
_NUMBER_WORDS += ["1,500.", "2.5.", "300.)", "The", "It", "Then", "A.", "Dr.", "No.", "Fig."]
_NUMBER_WORDS += ["e.g.", "U.S.", "works.", "cells.", "Why?", "no!", "(a)", "b.", "ii)", "(see"]
_NUMBER_WORDS += ["above).", '"Quote.', 'end."', "'2019.", "don't", ".env", "effects.8", "?M"]
_NUMBER_WORDS += ["...", "-", "x", "study", "\u201cYes.\u201d", "it\u2019s", "\u2026", "2021.\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_NUMBER_WORDS), min_size=1, max_size=40))
def test_number_cuts_change_nothing_pysbd_would_say(words: list[str]) -> None:
    """Cutting at numbers only spares pysbd work: the sentences are the ones it gives."""
    text = " ".join(words)
    assert sentence_spans(text) == _without_number_cuts(text)


def test_long_block_with_no_spaces_is_one_sentence() -> None:
    text = "x" * (3 * MAX_PIECE)
    assert sentence_spans(text) == [(0, len(text))]
    text = ("word." * 1000).strip()
    assert sentence_spans(text) == [(0, len(text))]


REALISTIC = (
    "Stem-cell therapy for type 1 diabetes is still experimental. In 2024, a team in "
    "China reported that one woman made her own insulin for a year after a transplant of "
    "reprogrammed cells. That is one person, not a cure. Dr. Deng's group used cells from "
    "her own body, so she did not need drugs against rejection; she did take immune "
    "suppressants for an earlier liver transplant, though. Other trials, e.g. those run by "
    "Vertex in the U.S., used donor cells (and strong immune drugs). Results vary: some "
    "people cut their insulin dose by 50% or more, others saw no change. What do clinics "
    "that sell stem cells say? \u201cStable effect, no adverse reactions.\u201d None of them "
    "publish data. Ask your care team before you stop insulin! The risks include "
    "infection, tumours, etc. Regulators (the FDA, the EMA) have approved no such product "
    "for diabetes. Read the trial register at No. 5 on the list. It costs about $20,000."
)


def test_agrees_with_pysbd_alone() -> None:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    expected = [s.sent.strip() for s in segmenter.segment(REALISTIC)]
    assert split(REALISTIC) == expected
    assert len(expected) == 14


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "cells",
                "Dr.",
                "e.g.",
                "U.S.",
                "2.5",
                "mg.",
                "It",
                "works.",
                "Why?",
                "no!",
                "(see",
                "above).",
                '"Quote.',
                'end."',
                "\u201cYes.\u201d",
                "etc.",
                " ",
                "\t",
                "-",
                "\u2026",
                "A.",
                "B.",
            ]
        ),
        max_size=60,
    ),
    st.sampled_from(["paragraph", "list_item", "heading"]),
)
def test_sentences_tile_the_block(words: list[str], kind: str) -> None:
    text = " ".join(words)
    spans = sentence_spans(text, kind)
    covered = 0
    for start, end in spans:
        assert covered <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and any(ch.isalnum() for ch in piece) or len(spans) == 1
        assert not text[covered:start].strip(), "text left outside every sentence"
        covered = end
    assert not text[covered:].strip()


# --- Short cuts in the splitter agree with the long way ------------------------------------

_QUOTING_SAMPLES = [
    "No quotes at all. Just words here.",
    "She said \"stop the insulin\" and left. Then what?",
    "The dose (2.5 mg) was small. It worked.",
    "It's the patient's choice -- not the clinic's -- to decide. Really.",
    "A note [see below] helps. The end.",
    "He wrote ‘never again’ twice. Fine.",
    "They called it «a cure» loudly. Wrong.",
    "“Stable effect” they claim. No.",
    "Don't stop. It 'works' they say. Maybe.",
]


@pytest.mark.parametrize("text", _QUOTING_SAMPLES)
def test_quoted_short_cut_matches_every_pattern(text: str) -> None:
    """Text without a quote opener gets no quoted spans, as if all patterns had run."""
    import re

    single = not (re.search(r"(?<=\s)'(?:[^']|'[a-zA-Z])*'\S", text) and "' " not in text)
    expected = sorted(
        match.span()
        for index, pattern in enumerate(sentences_module._quoting())
        if index != 0 or single
        for match in pattern.finditer(text)
    )
    assert sentences_module._quoted(text) == expected


# The certain-boundary test written the plain way (anchored on the word, 5x slower): the
# punctuation-anchored search in _certain_cuts must find exactly the same boundaries.
_WORD_ANCHORED = (
    r"(?<![.\w])([a-z]{2,}|\w+(?=[!?])|(?<=\s)[0-9]{3,}(?=\.))([.!?]+)([\"'\u201d\u2019)\]]*)(\s+)"
    r"(?=[\"'\u201c\u2018(\[]?[A-Z])"
)
_CUT_WORDS = ["ab", "word", "x.word", "Dr", "e.g", "vs", "no", "x", "É", "é7", "_x", "The", "(Q"]
_CUT_WORDS += ["2024", "12", " 365", "x2024"]  # numbers
_CUT_ENDS = ["", ".", "!", "?", "..", ".!", ".\u201d", "?)", "\"", "'", "]"]
_CUT_SPACES = ["", " ", "  ", "\n", " \u201c", " ("]


@settings(max_examples=500)
@given(
    st.lists(
        st.tuples(*(st.sampled_from(x) for x in (_CUT_WORDS, _CUT_ENDS, _CUT_SPACES))),
        max_size=8,
    ),
    st.data(),
)
def test_certain_cuts_match_word_anchored_pattern(
    parts: list[tuple[str, str, str]], data: st.DataObject
) -> None:
    text = "".join("".join(part) for part in parts)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    _check_cuts(text, start, end)


@pytest.mark.parametrize(
    "text",
    [
        "Compare it vs. The other one.",  # an abbreviation: no cut
        "See x.word. Next one.",  # the word follows a full stop: no cut
        "It is É.! Then more.",  # not lower-case before a full stop
        "Really É! Then more.",  # any word before ! or ?
        "A b. C dd. Eee.\u201d (Ff",  # one letter, closing quote, opening bracket
        "She said \"stop now. Then go\" and left. Later on.",  # inside a quotation
    ],
)
def test_certain_cuts_match_word_anchored_pattern_examples(text: str) -> None:
    _check_cuts(text, 0, len(text))
    _check_cuts(text, 3, len(text) - 2)


def _check_cuts(text: str, start: int, end: int) -> None:
    import re

    abbreviations = sentences_module._abbreviations()
    quoted = sentences_module._quoted(text[start:end])
    expected = []
    for match in re.finditer(_WORD_ANCHORED, text[:end]):
        at = match.start(2)
        if match.start() < start:
            continue
        if match.group(2) == "." and match.group(1).lower() in abbreviations:
            continue
        if match.group(1).isdigit() and match.group(2)[0] == ".":  # a number: see the blockers
            blocked = sentences_module._NUMBER_CUT_BLOCKERS.search(text, start, end)
            if match.group(2) != "." or match.group(3) or blocked:
                continue
        if any(a <= at - start < b for a, b in quoted):
            continue
        expected.append((match.start(4), match.end()))
    assert list(sentences_module._certain_cuts(text, start, end)) == expected


@given(st.lists(st.sampled_from(["a", " ", "\n", '"', "[", "(", "«", "“", "'", "‘", "-", "x-"])))
def test_quote_openers_match_plain_alternation(parts: list[str]) -> None:
    import re

    text = "".join(parts)
    plain = re.search(r"[\"\[(\u00ab\u201c]|--|(?<=\s)['\u2018]", text)
    assert (sentences_module._QUOTE_OPENERS.search(text) is None) == (plain is None)


@given(st.lists(st.sampled_from(["Word", "two", ".", "”", " ", "!", "-", "1", "é"]), max_size=25))
def test_merge_fragments_matches_character_check(parts: list[str]) -> None:
    text = "".join(parts)
    spans = [(i, i + 1) for i in range(len(text))] + [(0, len(text))]

    def wordless(s: int, e: int) -> bool:
        return not any(ch.isalnum() for ch in text[s:e])

    expected: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= s:
            continue
        if expected and (wordless(s, e) or wordless(*expected[-1])):
            expected[-1] = (expected[-1][0], e)
        else:
            expected.append((s, e))
    assert sentences_module._merge_fragments(text, spans) == expected


def _pysbd_abbreviations() -> frozenset[str]:
    from pysbd.lang.english import English

    lists = sentences_module._ABBREVIATION_LISTS
    return frozenset(w.lower() for name in lists for w in getattr(English.Abbreviation, name))


def test_abbreviations_read_from_pysbd_source_match_its_lists() -> None:
    from_source = sentences_module._abbreviations_from_source()
    assert from_source is not None and {"dr", "e.g", "vs", "no"} <= from_source
    assert from_source == _pysbd_abbreviations()


def test_abbreviations_fall_back_to_importing_pysbd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentences_module, "_ABBREVIATION_SOURCE", ("no", "such", "file.py"))
    assert sentences_module._abbreviations_from_source() is None
    sentences_module._abbreviations.cache_clear()
    try:
        assert sentences_module._abbreviations() == _pysbd_abbreviations()
    finally:
        sentences_module._abbreviations.cache_clear()


def test_sentence_text_is_fixed_and_the_sentence_immutable() -> None:
    import copy
    import pickle

    text = "It is experimental. Ask your doctor."
    first, second = split_block(block(text))
    assert (first.text, second.text) == ("It is experimental.", "Ask your doctor.")
    with pytest.raises(AttributeError):
        first.start = 3
    with pytest.raises(AttributeError):
        del second.end
    for copied in (pickle.loads(pickle.dumps(second)), copy.deepcopy(second)):
        assert copied.text == "Ask your doctor." and (copied.start, copied.end) == (20, 36)
    assert second == type(second)(second.block, 20, 36) and second != first
