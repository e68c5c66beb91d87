"""Plain language: the ``substitution`` kind, its word lists, and "unless defined on first use".

The rules' own examples run in test_rule_examples.py; these tests cover the matcher over the
whole word lists, the definition patterns, the fix, and errors in terms files.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from writer.config import Settings
from writer.diagnostics import Diagnostic, InputError
from writer.document.model import Document
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.fixes import apply_edits
from writer.rules.kinds.substitution import (
    SubstitutionCheck,
    TermIndex,
    article_for,
    load_terms,
    match_case,
)
from writer.rules.model import RuleSet
from writer.rules.packs import builtin_rules_dir, load_rules

DATA = builtin_rules_dir() / "data"


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    rules, errors = load_rules()
    mine = [e for e in errors if Path(e.path).name in ("plain_language.yml",)]
    assert not mine, mine
    return rules


def lint(
    ruleset: RuleSet, text: str, code: str = "HW401", fmt: str = "markdown"
) -> tuple[Document, list[Diagnostic]]:
    doc = read_document("draft.md", text, fmt)
    found = lint_document(doc, ruleset, Settings(select=(code,)))
    return doc, [d for d in found if d.rule == code]


def flagged(ruleset: RuleSet, text: str, code: str = "HW401") -> list[str]:
    doc, found = lint(ruleset, text, code)
    return [doc.source[d.start : d.end] for d in found]


def fixed(ruleset: RuleSet, text: str, code: str = "HW401") -> str:
    doc, found = lint(ruleset, text, code)
    return apply_edits(doc.source, [e for d in found if d.fix for e in d.fix.edits])


# --- The word lists ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["medical_jargon.yml", "complex_words.yml"])
def test_word_lists_load_and_credit_their_sources(name: str) -> None:
    text = (DATA / name).read_text(encoding="utf-8")
    terms = load_terms(DATA / name)
    assert len({t.entry for t in terms.values()}) >= 100
    assert "Open Government Licence v3.0" in text and "public domain" in text
    assert "plainlanguage.gov" in text


def test_word_lists_have_several_hundred_entries() -> None:
    entries = sum(
        len({t.entry for t in load_terms(DATA / n).values()})
        for n in ("medical_jargon.yml", "complex_words.yml")
    )
    assert entries >= 400


def test_word_lists_do_not_overlap() -> None:
    medical = set(load_terms(DATA / "medical_jargon.yml"))
    complex_words = set(load_terms(DATA / "complex_words.yml"))
    assert medical & complex_words == set()


def _check(ruleset: RuleSet, code: str) -> SubstitutionCheck:
    rule = ruleset.find(code)
    assert rule is not None and isinstance(rule.check, SubstitutionCheck)
    return rule.check


@pytest.mark.parametrize("code", ["HW401", "HW402"])
def test_every_listed_form_is_matched_whole_in_any_case(ruleset: RuleSet, code: str) -> None:
    check = _check(ruleset, code)
    for key, term in check.terms.items():
        for variant in (key, key.upper(), key.capitalize()):
            text = f"Then {variant}, too."
            found = list(check.index.finditer(text))
            assert found == [(5, 5 + len(variant), key)], variant
            assert check.terms[found[0][2]] is term


def test_british_and_american_spellings(ruleset: RuleSet) -> None:
    assert flagged(ruleset, "Watch for hyperglycaemia.") == ["hyperglycaemia"]
    assert flagged(ruleset, "Watch for hyperglycemia.") == ["hyperglycemia"]
    assert flagged(ruleset, "It lowers oedema. It lowers edema.") == ["oedema"]  # one entry
    assert flagged(ruleset, "We utilise it and they utilize it.", "HW402") == [
        "utilise",
        "utilize",
    ]


def test_possessives_and_apostrophes(ruleset: RuleSet) -> None:
    assert flagged(ruleset, "Hypertension’s effects are slow.") == ["Hypertension"]
    assert fixed(ruleset, "Hypertension's effects are slow.") == (
        "High blood pressure's effects are slow."
    )


def test_a_listed_name_with_a_possessive() -> None:
    index = TermIndex(["alzheimer's disease", "disease"])
    text = "Alzheimer’s disease, Alzheimer disease and the disease's course."
    assert [text[a:b] for a, b, _ in index.finditer(text)] == [
        "Alzheimer’s disease",
        "Alzheimer disease",
        "disease",
    ]


def test_only_whole_words_are_matched(ruleset: RuleSet) -> None:
    assert flagged(ruleset, "Pre-hypertension and hypertension-related harm.") == []
    assert flagged(ruleset, "Hypertensions are rare; hypertensive is not listed.") == []
    assert flagged(ruleset, "They were sent home.\n\nMyocardial\ninfarction.") == [
        "Myocardial\ninfarction"
    ]
    assert flagged(ruleset, "A non‑steroidal anti‑inflammatory drug helps.") == [
        "non‑steroidal anti‑inflammatory drug"
    ]


def test_names_that_contain_a_listed_word_are_left_alone(ruleset: RuleSet) -> None:
    text = "Chronic kidney disease is common. Chronic pain is not a name."
    assert flagged(ruleset, text) == ["Chronic"]
    assert flagged(ruleset, "Pulmonary hypertension is rare.") == ["Pulmonary hypertension"]


def test_longest_term_wins(ruleset: RuleSet) -> None:
    assert flagged(ruleset, "He had a cardiac arrest.") == ["cardiac arrest"]
    assert flagged(ruleset, "It can cause adverse reactions.") == ["adverse reactions"]
    assert flagged(ruleset, "Adverse outcomes were rare.") == ["Adverse"]


# --- "Unless defined on first use" -------------------------------------------------------

DEFINED = [
    "Hyperglycaemia (high blood sugar) can harm your eyes.",
    "High blood sugar (hyperglycaemia) can harm your eyes.",
    "Sugar that stays high (also called hyperglycaemia) can harm your eyes.",
    "Hyperglycaemia, or high blood sugar, can harm your eyes.",
    "High blood sugar, or hyperglycaemia, can harm your eyes.",
    "Hyperglycaemia means high blood sugar.",
    "Hyperglycaemia is the medical term for high blood sugar.",
    "Hyperglycaemia is when there is too much sugar in your blood.",
    "Hyperglycaemia – high blood sugar – can harm your eyes.",
    "Hyperglycaemia — too much sugar in the blood — can harm your eyes.",
    "Too much sugar in the blood is known as hyperglycaemia.",
    "Doctors call this hyperglycaemia: sugar building up in the blood.",
    "The medical word for this is “hyperglycaemia”.",
    "Hyperglycaemia levels (how much sugar is in the blood) vary.",
]
NOT_DEFINED = [
    "Hyperglycaemia can harm your eyes.",
    "Hyperglycaemia (HbA1c) can harm your eyes.",
    "Hyperglycaemia (Smith et al., 2019) can harm your eyes.",
    "Hyperglycaemia (see below) can harm your eyes.",
    "Hyperglycaemia, or diabetes, can harm your eyes.",
    "Diabetes, or hyperglycaemia, can harm your eyes.",
    "Hyperglycaemia – the main danger – can harm your eyes.",
    "Hyperglycaemia is common.",
]


@pytest.mark.parametrize("sentence", DEFINED)
def test_a_term_defined_on_first_use_is_not_flagged_anywhere(
    ruleset: RuleSet, sentence: str
) -> None:
    text = f"{sentence} Hyperglycaemia is common.\n\n## Later\n\nHyperglycaemia again.\n"
    assert flagged(ruleset, text) == []


@pytest.mark.parametrize("sentence", NOT_DEFINED)
def test_an_undefined_first_use_is_flagged(ruleset: RuleSet, sentence: str) -> None:
    assert [span.lower() for span in flagged(ruleset, sentence)] == ["hyperglycaemia"]


def test_first_undefined_use_per_section(ruleset: RuleSet) -> None:
    text = textwrap.dedent(
        """\
        # Title

        Hypertension is common. Hypertension often has no symptoms.

        ## Risks

        Untreated hypertension can lead to a stroke. So can hypertension in pregnancy.
        """
    )
    doc, found = lint(ruleset, text)
    assert [doc.position(d.start) for d in found] == [(3, 1), (7, 11)]


def test_a_later_definition_covers_the_uses_after_it(ruleset: RuleSet) -> None:
    text = textwrap.dedent(
        """\
        Hypertension is common.

        ## What it is

        Hypertension means high blood pressure.

        ## Risks

        Hypertension raises the risk of a stroke.
        """
    )
    doc, found = lint(ruleset, text)
    assert [doc.position(d.start)[0] for d in found] == [1]


def test_headings_are_not_checked(ruleset: RuleSet) -> None:
    assert flagged(ruleset, "# Hypertension\n\n## Commence here\n\nBlood pressure.\n") == []
    assert flagged(ruleset, "# Commence here\n\nBlood pressure.\n", "HW402") == []


def test_complex_words_are_flagged_every_time(ruleset: RuleSet) -> None:
    text = "Commence slowly. Then commence again."
    assert flagged(ruleset, text, "HW402") == ["Commence", "commence"]


def test_code_and_urls_are_not_prose(ruleset: RuleSet) -> None:
    text = "Use `hypertension` as the key, see https://example.org/hypertension.\n"
    assert flagged(ruleset, text) == []


# --- Message, suggestion and fix -----------------------------------------------------------


def _only(found: list[Diagnostic]) -> Diagnostic:
    assert len(found) == 1, found
    return found[0]


def test_message_suggestion_and_unsafe_fix(ruleset: RuleSet) -> None:
    diag = _only(lint(ruleset, "Hypertension is common.")[1])
    assert diag.message.startswith("“Hypertension” is medical jargon: say “high blood pressure”")
    assert diag.suggestion == "high blood pressure"
    assert diag.fix is not None and diag.fix.safe is False
    assert diag.severity.name == "INFO" and diag.category == "plain-language"


@pytest.mark.parametrize(
    "text,result",
    [
        ("hypertension is common.", "high blood pressure is common."),
        ("Hypertension is common.", "High blood pressure is common."),
        ("HYPERTENSION IS COMMON.", "HIGH BLOOD PRESSURE IS COMMON."),
        ("It had an adverse effect.", "It had a side effect."),
        ("An analgesic helps.", "A painkiller helps."),
        ("A neoplasm grew.", "A growth grew."),
        ("Take hypoglycemic medication daily.", "Take diabetes medicine daily."),
        ("A hypoglycaemic episode.", "A low blood sugar episode."),
        ("It was administered orally.", "It was given by mouth."),
    ],
)
def test_fix_keeps_capitalisation_and_articles(ruleset: RuleSet, text: str, result: str) -> None:
    assert fixed(ruleset, text) == result


def test_explain_only_terms_have_no_fix(ruleset: RuleSet) -> None:
    diag = _only(lint(ruleset, "Its efficacy is unknown.")[1])
    assert diag.fix is None
    assert "explain it where it first appears (how well a treatment works)" in diag.message


def test_no_fix_when_markup_sits_inside_the_term(ruleset: RuleSet) -> None:
    doc, found = lint(ruleset, "It can cause an adverse *reaction* in some people.")
    diag = _only(found)
    assert doc.source[diag.start : diag.end] == "adverse *reaction"
    assert diag.fix is None


def test_fix_inside_emphasis_keeps_the_markup(ruleset: RuleSet) -> None:
    assert fixed(ruleset, "It can cause *hypertension* in some people.") == (
        "It can cause *high blood pressure* in some people."
    )


def test_case_and_article_helpers() -> None:
    assert match_case("high blood sugar", "Hyperglycaemia") == "High blood sugar"
    assert match_case("high blood sugar", "HbA") == "High blood sugar"
    assert match_case("use", "UTILISE") == "USE"
    assert [article_for(w) for w in ("effect", "unit", "hour", "side effect", "X-ray")] == [
        "an",
        "a",
        "an",
        "a",
        "a",
    ]


# --- The word index ------------------------------------------------------------------------

WORDS = st.text(alphabet="abé", min_size=1, max_size=4)
FORMS = st.lists(WORDS, min_size=1, max_size=4).map(" ".join)


@given(forms=st.sets(FORMS, min_size=1, max_size=30), spaces=st.sampled_from([" ", "\n", "  "]))
def test_index_finds_each_form_whole_and_longest(forms: set[str], spaces: str) -> None:
    index = TermIndex(forms)
    for form in forms:
        text = f"zq {form.replace(' ', spaces)}. zq"
        assert list(index.finditer(text)) == [(3, 3 + len(form.replace(" ", spaces)), form)]


@given(forms=st.sets(FORMS, min_size=1, max_size=30), word=WORDS, probe=FORMS)
def test_index_only_reports_listed_forms_and_never_part_of_a_word(
    forms: set[str], word: str, probe: str
) -> None:
    index = TermIndex(forms)
    assert list(index.finditer(f"x-{word}-y {word}x x{word} {word}’sx")) == []
    for _, _, key in index.finditer(f"{probe}. {probe}"):
        assert key in forms


# --- Errors in terms files and rule options ----------------------------------------------

RULE = textwrap.dedent(
    """\
    pack: mine
    rules:
      - code: XX401
        name: my-words
        kind: substitution
        category: plain-language
        severity: info
        message: m
        why: w
        source: s
    """
)


def _errors(tmp_path: Path, options: str, terms: str | None = None) -> list[InputError]:
    # Terms files live in a subfolder: every *.yml in a pack folder is read as a pack.
    (tmp_path / "mine.yml").write_text(RULE + options, encoding="utf-8")
    if terms is not None:
        (tmp_path / "lists").mkdir(exist_ok=True)
        (tmp_path / "lists" / "words.yml").write_text(terms, encoding="utf-8")
    _, errors = load_rules([tmp_path])
    return [e for e in errors if tmp_path in Path(e.path).parents]


@pytest.mark.parametrize(
    "terms,message,line",
    [
        ("terms:\n  a|b|c: x|y\n", "3 forms but 2 alternatives", 2),
        ("terms:\n  ok: fine\n  a|b: x\n  b: y\n", "'b' is listed twice", 4),
        ("terms:\n  a: {explain: x, fix: y}\n", "give a string alternative", 2),
        ("terms:\n  a: [x]\n", "must be a string", 2),
        ("terms:\n  a: {allow: 3}\n", "{allow: reason}", 2),
        ("terms:\n  a b.c: x\n", "a term must be words", 2),
        ("terms:\n  a||b: x\n", "empty form", 2),
        ("words:\n  a: x\n", "'terms' mapping", 1),
        ("terms: {}\nextra: 1\n", "unknown key 'extra'", 2),
        ("terms:\n  a: [unclosed\n", "invalid YAML", None),
    ],
)
def test_bad_terms_files_name_file_and_line(
    tmp_path: Path, terms: str, message: str, line: int | None
) -> None:
    (error,) = _errors(tmp_path, "    terms: lists/words.yml\n", terms)
    assert error.path.endswith("words.yml")
    assert message in error.message
    if line is not None:
        assert error.line == line


@pytest.mark.parametrize(
    "options,message,line",
    [
        ("    terms: missing.yml\n", "terms file not found: missing.yml", 11),
        ("    colour: red\n    terms: lists/words.yml\n", "unknown key 'colour'", 11),
        ("    terms: lists/words.yml\n    report: sometimes\n", "'report' must be one of", 12),
        ("    terms: lists/words.yml\n    definitions: maybe\n", "must be true or false", 12),
        ("    terms: lists/words.yml\n    detail: '{word}'\n", "only {term} and {alternative}", 12),
    ],
)
def test_bad_substitution_options_name_the_pack_line(
    tmp_path: Path, options: str, message: str, line: int
) -> None:
    (error,) = _errors(tmp_path, options, "terms:\n  a: b\n")
    assert error.path.endswith("mine.yml")
    assert message in error.message
    assert error.line == line


def test_a_users_own_list_works_relative_to_their_pack(tmp_path: Path) -> None:
    assert _errors(tmp_path, "    terms: lists/words.yml\n", "terms:\n  whilst: while\n") == []
    rules, _ = load_rules([tmp_path])
    doc = read_document("d.md", "Whilst you wait.", "markdown")
    found = [d for d in lint_document(doc, rules, Settings(select=("XX401",)))]
    assert [doc.source[d.start : d.end] for d in found] == ["Whilst"]


# --- The fast matcher agrees with the plain word-by-word walk ----------------------------


def _reference_finditer(index: TermIndex, text: str) -> list[tuple[int, int, str]]:
    """The matcher as first written: every word, normalised one at a time."""
    from writer.rules.kinds.substitution import words

    found = list(words(text))
    result = []
    i = 0
    while i < len(found):
        start, _, key = found[i]
        best = (i, key) if key in index.forms else None
        j = i
        while key in index.prefixes and j + 1 < len(found):
            gap = text[found[j][1] : found[j + 1][0]]
            if gap[:2] in ("'s", "’s"):
                gap = gap[2:]
            if not gap.isspace():
                break
            j += 1
            key = f"{key} {found[j][2]}"
            if key in index.forms:
                best = (j, key)
        if best is None:
            i += 1
            continue
        result.append((start, found[best[0]][1], best[1]))
        i = best[0] + 1
    return result


_FAST_FORMS = ["blood sugar", "blood sugar level", "in the event that", "insulin", "a number of",
               "type 1 diabetes", "follow-up", "alzheimer's disease", "beta cell"]
_FAST_WORDS = ["blood", "sugar", "level", "in", "the", "event", "that", "Insulin", "insulin's",
               "a", "number", "of", "Type", "1", "diabetes", "follow-up", "follow", "up",
               "Alzheimer’s", "disease", "beta", "Beta-cell", "cell", "İstanbul", "Σ", "x"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(_FAST_WORDS),
            st.sampled_from([" ", "  ", ", ", ". ", "\n", "-", "’s ", "'s ", " (", ") "]),
        ),
        max_size=30,
    )
)
def test_fast_matcher_matches_the_word_by_word_walk(pieces: list[tuple[str, str]]) -> None:
    index = TermIndex(_FAST_FORMS)
    text = "".join(word + gap for word, gap in pieces)
    assert list(index.finditer(text)) == _reference_finditer(index, text)


@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(_FAST_WORDS), max_size=6), st.sampled_from(["", " "]))
        .map(lambda words_end: " ".join(words_end[0]) + words_end[1]),
        min_size=1,
        max_size=5,
    )
)
@example(["high blood ", "sugar level"])
@example(["in the ", "event that ", "Insulin"])
def test_a_documents_texts_are_matched_as_one_list_but_never_across(texts: list[str]) -> None:
    """The whole document's words are walked at once: the same forms as text by text (a
    form never runs on from one block into the next), with the index of their text."""
    from writer.rules.kinds.substitution import ProseWords

    index = TermIndex(_FAST_FORMS)
    expected = [(n, *found) for n, text in enumerate(texts) for found in index.finditer(text)]
    assert list(index.find(ProseWords(texts))) == expected


def test_fast_matcher_on_the_builtin_lists_and_a_draft() -> None:
    ruleset, errors = load_rules()
    assert not errors
    checks = [r.check for r in ruleset.rules if r.kind == "substitution"]
    assert checks
    text = (
        "In the event that your blood sugar level is high, commence the insulin's dose. "
        "Hyperglycaemia (high blood sugar) and the patient's Prevalence, or how common it is."
    )
    total = 0
    for check in checks:
        assert isinstance(check, SubstitutionCheck)
        expected = _reference_finditer(check.index, text)
        assert list(check.index.finditer(text)) == expected
        total += len(expected)
    assert total >= 3  # the sample really exercises the lists


# --- words from whitespace tokens, offsets only when needed -----------------------------------

_TRICKY = "aSs'’-\u2010\u2011 \t\n\u00a0\u2028İΣσ_.é1,"


@given(st.text(alphabet=_TRICKY, max_size=40) | st.text(max_size=40))
def test_block_words_are_the_words_of_the_text(text: str) -> None:
    """Words taken token by token (and cached per token) are exactly :func:`words` of the
    whole text, possessives left out, with the same offsets."""
    from writer.rules.kinds.substitution import ProseWords, words

    expected = list(words(text))
    prose = ProseWords([text])
    assert prose.words == [word for _, _, word in expected]
    assert prose.ends == [len(expected)]
    spans = [(start, end) for start, end, _ in expected]
    for n in range(1, len(expected) + 1):  # offsets asked for the first n words only
        part = ProseWords([text]).bounds(0, n)
        assert [(part[2 * i], part[2 * i + 1]) for i in range(n)] == spans[:n]
        assert [part[2 * i + 2] for i in range(n - 1)] == [s for s, _ in spans[1:n]]
    prose.bounds(0, 1)
    bounds = prose.bounds(0)  # all of them, after a few
    assert [(bounds[2 * i], bounds[2 * i + 1]) for i in range(len(expected))] == spans


@given(st.text(alphabet="ab ,oOrR\t\u00a0.;", max_size=30))
def test_comma_or_pretest_never_hides_a_gloss(text: str) -> None:
    """The cheap test before the ", or" gloss search is true wherever the search matches."""
    from writer.rules.kinds.substitution import _OR_GLOSS_BEFORE, _ends_with_comma_or

    if _OR_GLOSS_BEFORE.search(text):
        assert _ends_with_comma_or(text)


def test_comma_or_pretest_examples() -> None:
    from writer.rules.kinds.substitution import _ends_with_comma_or

    assert _ends_with_comma_or("high blood sugar, or ")
    assert _ends_with_comma_or("high blood sugar ,\u00a0OR\t")
    assert not _ends_with_comma_or("high blood sugar, or")  # the term must follow a space
    assert not _ends_with_comma_or("high blood sugar or ")
    assert not _ends_with_comma_or("high blood sugar, for ")
