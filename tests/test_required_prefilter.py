"""The caveat rules' word prefilters (writer/rules/kinds/required.py) are optimisations.

Lint decides most sentences with bit masks of plain words (one per sentence, worked out once
per document) and per-term word sets, and runs a group's regex only when they allow a
match. These tests check the invariants that make that safe: a sentence's mask is exactly
the prefilter words it contains, a group's regex never matches where its word tests say it
cannot, and answers with and without the prefilters agree, including on the few non-ASCII
letters that a case-insensitive regex takes for ASCII ones.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from writer.api import builtin_ruleset, lint_text
from writer.config import Settings
from writer.document.model import Document
from writer.document.readers import read_document
from writer.rules.kinds import required
from writer.rules.kinds.required import RequiredCheck
from writer.rules.packs import load_rules

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data" / "caveats_labelled.yml"
LABELLED = yaml.safe_load(DATA.read_text("utf-8"))
CAVEATS = ("missing-experimental-caveat", "missing-regulatory-caveat", "missing-medication-caveat")
# Letters a case-insensitive regex matches to an ASCII letter although lower() does not
# turn them into it (or, for the dotted capital I, turns it into two characters).
CASE_TWINS = {"s": "\u017f", "i": "\u0131", "I": "\u0130", "k": "\u212a"}


def checks() -> list[RequiredCheck]:
    found = []
    for name in CAVEATS:
        rule = builtin_ruleset().find(name)
        assert rule is not None and isinstance(rule.check, RequiredCheck)
        found.append(rule.check)
    return found


def shared() -> required._Shared:
    check = checks()[0]
    assert check.origin is not None
    ctx = check.origin[0]
    state = required._shared(ctx)
    state.prime(ctx)
    return state


def labelled_sentences() -> list[str]:
    return [
        sentence
        for splits in LABELLED.values()
        for split in splits.values()
        for sentence in split["satisfies"] + split["near_misses"]
    ]


def fast(check: RequiredCheck, text: str) -> bool:
    """The path lint takes: the document prepared once, masks per sentence."""
    return check.satisfied(read_document("draft.txt", text + "\n", "text"))


def slow(check: RequiredCheck, text: str) -> bool:
    """Every group's regex on every sentence, no prefilter."""
    doc = read_document("draft.txt", text + "\n", "text")
    return any(check.recognises(s.text, prefilter=False) for s in doc.sentences)


def expected_mask(state: required._Shared, text: str) -> int:
    """The definition: the bits of the prefilter words that occur in the folded text."""
    folded = required._fold(required._normalise(text))
    return sum(bit for word, bit in state.vocab.items() if word in folded)


# --- sentence masks ---------------------------------------------------------------------


def test_sentence_masks_hold_exactly_the_prefilter_words_of_the_sentence() -> None:
    state = shared()
    texts = labelled_sentences()
    assert len(texts) > 300
    for text in texts:
        assert state.mask(text) == expected_mask(state, text), text


VOCAB_WORDS = sorted(shared().vocab)
PIECES = st.sampled_from(
    [*VOCAB_WORDS, *(w.upper() for w in VOCAB_WORDS[:40]), "the", "x", *CASE_TWINS.values()]
)
GLUE = st.sampled_from(
    [" ", "", "-", "'", "\u2019", "\u2011", ", ", ". ", "\n", "\t", "(", "\u00a0"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PIECES, GLUE), max_size=12))
def test_sentence_masks_agree_with_the_definition_on_random_text(
    parts: list[tuple[str, str]],
) -> None:
    """Words glued by punctuation, hyphens, typographic apostrophes and case twins: the
    whitespace tokens must give the same words as a substring search of the whole."""
    state = shared()
    text = "".join(word + glue for word, glue in parts)
    assert state.mask(text) == expected_mask(state, text)


# --- word tests never rule out a match --------------------------------------------------


def _groups() -> list[required.Group]:
    return [g for g in shared().all_groups if g.alternative_masks is not None]


def test_most_groups_have_per_term_word_sets() -> None:
    """Otherwise the stronger test would silently do nothing."""
    assert len(_groups()) >= 0.8 * len(shared().all_groups)


def test_a_group_regex_never_matches_where_its_word_tests_say_it_cannot() -> None:
    state = shared()
    matched = 0
    for text in labelled_sentences():
        normalised = required._normalise(text)
        mask = state.mask(text)
        for group in state.all_groups:
            if group.regex.search(normalised):
                matched += 1
                assert group.mask is None or group.mask & mask, (group.terms[:2], text)
                assert group.possible_in(mask), (group.terms[:2], text)
    assert matched > 1000  # the test really saw matches


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PIECES, GLUE), max_size=12))
def test_word_tests_never_rule_out_a_match_on_random_text(parts: list[tuple[str, str]]) -> None:
    state = shared()
    text = "".join(word + glue for word, glue in parts)
    normalised = required._normalise(text)
    mask = state.mask(text)
    for group in state.all_groups:
        if group.regex.search(normalised):
            assert group.possible_in(mask), (group.terms, text)


def test_term_word_sets_from_one_parse_equal_those_of_each_term_alone() -> None:
    """The one parse of a whole group is split back into its terms when the parser kept
    them apart; that must give what parsing each term alone gives."""
    compared = 0
    for group in shared().all_groups:
        compiler = group._compiler
        placeholders: dict[str, str] = {}
        plain = [compiler._plain(term, placeholders) for term in group.terms]
        lexicons = {char: name for name, char in placeholders.items()}
        codes = required._codes()
        placeholder = partial(compiler._placeholder, lexicons)
        alone = required._alternatives(
            [required._choices(required._parse(source), codes, placeholder) for source in plain]
        )
        assert compiler._analyse(group.terms)[1] == alone, group.terms[:2]
        compared += 1
    assert compared > 20


# --- answers --------------------------------------------------------------------------


@pytest.mark.parametrize("letter", sorted(CASE_TWINS))
def test_case_twins_never_hide_a_caveat(letter: str) -> None:
    """A regex matched case-insensitively takes "\u017f" for "s": so must the prefilter, or a
    caveat the regex accepts would be ruled out before the regex runs."""
    twin = CASE_TWINS[letter]
    compared = 0
    for check in checks():
        for text in [check.suggestion, *labelled_sentences()[:150]]:
            variant = text.replace(letter, twin)
            if variant == text:
                continue
            assert check.recognises(variant) == check.recognises(variant, prefilter=False)
            assert fast(check, variant) == slow(check, variant), variant
            compared += 1
    assert compared > 50


def test_the_canonical_caveats_with_case_twins_still_satisfy_their_rules() -> None:
    for check in checks():
        variant = check.suggestion.replace("s", "\u017f").replace("i", "\u0131")
        assert slow(check, variant), variant
        assert fast(check, variant), variant


def test_typographic_variants_get_the_same_answers() -> None:
    for check in checks():
        for text in labelled_sentences()[::3]:
            variant = text.replace("'", "\u2019").replace("-", "\u2011")
            assert fast(check, variant) == slow(check, variant), variant


# --- the words cache --------------------------------------------------------------------


def test_damaged_word_sets_in_the_cache_are_worked_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = (
        "# Stem cell therapy\n\nIt is still being tested. "
        "Keep taking your insulin and talk to your doctor.\n"
    )
    select = Settings(select=("caveats",))
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    expected = [(d.rule, d.line) for d in lint_text(draft, settings=select)]

    monkeypatch.setenv("WRITER_CACHE_DIR", str(tmp_path))
    ruleset, errors = load_rules()
    assert not errors
    lint_text(draft, settings=select, ruleset=ruleset)
    (path,) = tmp_path.glob("required-*.json")
    entries = json.loads(path.read_text("utf-8"))
    keys = [k for k in entries if k.startswith("alternatives ")]
    assert keys, "the word sets were not cached"
    damaged = [[[1]], "words", [[]], {"a": 1}, [["ok", 2]], [[[]]]]
    for number, key in enumerate(keys):
        entries[key] = damaged[number % len(damaged)]
    path.write_text(json.dumps(entries), "utf-8")

    ruleset, errors = load_rules()
    assert not errors
    found = [(d.rule, d.line) for d in lint_text(draft, settings=select, ruleset=ruleset)]
    assert found == expected
    rule = ruleset.find("HW203")
    assert rule is not None and isinstance(rule.check, RequiredCheck)
    group = rule.check.satisfied_by[0].groups[0]
    assert group.alternatives == group._compiler._analyse(group.terms)[1]


# --- the trigger ------------------------------------------------------------------------


def _first_regex_match(check: RequiredCheck, doc: Document) -> tuple[int, tuple[int, int]] | None:
    assert check.trigger is not None
    for number, block in enumerate(doc.blocks):
        match = check.trigger.regex.search(required._normalise(block.text))
        if match:
            return number, match.span()
    return None


def _topic(check: RequiredCheck, doc: Document) -> tuple[int, tuple[int, int]] | None:
    found = check.topic(doc)
    if found is None:
        return None
    return [id(b) for b in doc.blocks].index(id(found[0])), found[1].span()


def test_the_first_mention_is_the_first_regex_match() -> None:
    """Blocks are skipped by word masks before the trigger's regex runs: never one that
    names the topic."""
    paragraphs = [s for s in labelled_sentences() if "\n" not in s][:400]
    texts = [
        *(path.read_text("utf-8") for path in sorted((REPO / "examples" / "drafts").glob("*.md"))),
        *("\n\n".join(paragraphs[start : start + 40]) for start in range(0, 400, 40)),
    ]
    mentioned = 0
    for text in texts:
        doc = read_document("draft.md", text, "markdown")
        for check in checks():
            expected = _first_regex_match(check, doc)
            assert _topic(check, doc) == expected
            mentioned += expected is not None
    assert mentioned > 10


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.tuples(PIECES, GLUE), max_size=8), min_size=1, max_size=5))
def test_the_first_mention_is_the_first_regex_match_on_random_text(
    blocks: list[list[tuple[str, str]]],
) -> None:
    text = "\n\n".join("".join(w + g for w, g in block).strip() or "x" for block in blocks)
    doc = read_document("draft.txt", text + "\n", "text")
    check = checks()[0]
    assert _topic(check, doc) == _first_regex_match(check, doc)


def test_a_pattern_without_word_tests_is_tried_on_sentences_without_prefilter_words(
    tmp_path: Path,
) -> None:
    """A term with no plain words ("[0-9]+ ?%") gives its pattern no word test: the lint
    path must then try every sentence, even one holding none of the pack's words."""
    (tmp_path / "extra.yml").write_text(
        """pack: extra
rules:
  - code: XX902
    name: missing-percentage
    kind: required
    category: caveats
    severity: warning
    message: Give a figure.
    why: Readers need numbers.
    source: house style
    suggestion: About 40 % respond.
    satisfied_by:
      - all: [['[0-9]+ ?%']]
      - all: [[doctor]]
    examples:
      flagged: ["Nothing here."]
      passing: ["About 40 % respond."]
""",
        "utf-8",
    )
    ruleset, errors = load_rules([tmp_path])
    assert errors == []
    select = Settings(select=("XX902",))
    assert lint_text("Nothing here.\n", "text", settings=select, ruleset=ruleset) != []
    assert lint_text("Nothing here. 40%.\n", "text", settings=select, ruleset=ruleset) == []
    assert lint_text("Nothing here. 40 % so.\n", "markdown", settings=select, ruleset=ruleset) == []


def test_derived_lowered_patterns_find_the_regex_spans() -> None:
    """Lint searches ASCII text lower-cased with a derived pattern (Group.finder): it must
    find exactly the spans the group's own regex finds, whatever the case of the text."""
    texts = [
        required._normalise(variant)
        for sentence in labelled_sentences()
        for variant in (sentence, sentence.upper(), sentence.title(), sentence.swapcase())
    ]
    derived = checked = found = 0
    for group in dict.fromkeys(_groups()):
        pattern, _ = group.finder("x")
        if pattern is group.regex:
            continue
        derived += 1
        for text in texts:
            pattern, string = group.finder(text)
            assert string == (text.lower() if text.isascii() else text)
            spans = [m.span() for m in pattern.finditer(string)]
            assert spans == [m.span() for m in group.regex.finditer(text)], (group.terms, text)
            checked += 1
            found += bool(spans)
    assert derived > 30 and found > 1000, (derived, checked, found)


def test_non_ascii_text_is_searched_with_the_regex_itself() -> None:
    group = _groups()[0]
    text = "Caf\u00e9 and \u017ftem cells"
    assert group.finder(text) == (group.regex, text)
