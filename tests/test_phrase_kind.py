"""The ``phrase`` kind: token-pattern language, context conditions, findings, errors, prefilter."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from writer.api import builtin_ruleset
from writer.document.readers import read_document
from writer.rules.kinds.phrase import (
    Compiler,
    Condition,
    CueRegex,
    LazyRegex,
    PatternError,
    PhraseCheck,
    Place,
    guarded,
)
from writer.rules.kinds.phrase_index import (
    SMALL,
    TOKEN_RE,
    DocIndex,
    Planner,
    doc_index,
    members,
    to_mask,
    words_of,
)
from writer.rules.model import Finding, LintContext, Rule
from writer.rules.packs import load_rules


@pytest.fixture(autouse=True)
def _private_build_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packs written by these tests must not crowd the user's real build cache."""
    monkeypatch.setenv("WRITER_CACHE_DIR", str(tmp_path_factory.mktemp("build-cache")))


LEXICONS = {
    "drugs": ["insulin", "metformin", "blood pressure pill(s)?"],
    "nested": ["{drugs} (pen|pump)(s)?"],
    "loop_a": ["{loop_b}"],
    "loop_b": ["{loop_a}"],
}


def matches(pattern: str, text: str) -> bool:
    source = Compiler(LEXICONS).pattern(pattern)
    return re.search(guarded(source), text, re.IGNORECASE) is not None


@pytest.mark.parametrize(
    "pattern,text,expected",
    [
        # whole words, any case; a space also matches a dash
        ("cure", "It CURES nothing", False),
        ("cure", "a Cure.", True),
        ("stem cell", "stem-cell therapy", True),
        ("stem cell", "stem\u2013cell therapy", True),
        ("stem cell", "stemcell therapy", False),
        # a hyphen inside a word is optional: risk-free, risk free, riskfree
        ("risk-free", "a risk free option", True),
        ("risk-free", "a riskfree option", True),
        ("risk-free", "a risk\u2011free option", True),
        # apostrophes: straight or curly
        ("don't", "you don\u2019t need it", True),
        # word* matches any ending
        ("guarantee*", "results guaranteed", True),
        ("guarantee*", "a guarant", False),
        # optional groups, with the space outside or inside the group
        ("no (any)? risk", "no risk", True),
        ("no (any)? risk", "no any risk", True),
        ("no (any)? risk", "norisk", False),
        ("(your )?diabetes", "your diabetes", True),
        ("(your )?diabetes", "yourdiabetes", False),
        ("cure(s)? diabetes", "cures diabetes", True),
        ("cure(s)? diabetes", "cure s diabetes", False),
        ("(the)? cure", "cure", True),
        ("(a|b)? (c)? d", "a d", True),
        # lexicons, nested lexicons
        ("stop {drugs}", "stop blood pressure pills", True),
        ("{nested}", "metformin pens", True),
        ("{nested}", "metformin", False),
        # gaps: up to N words, not across commas
        ("guaranteed ~2 results", "guaranteed fast, great results", False),
        ("guaranteed ~2 results", "guaranteed great fast results", True),
        ("guaranteed ~2 results", "guaranteed a b c results", False),
        # numbers and whole-number ranges
        ("# patients", "12 patients", True),
        ("#80-100% success", "a 97% success rate", True),
        ("#80-100% success", "a 97.5% success rate", True),
        ("#80-100% success", "a 79% success rate", False),
        ("#80-100% success", "a 0.97% success rate", False),
        ("#80-100% success", "a 197% success rate", False),
        # anchors: start and end of the sentence, ignoring quotes and markup around
        ("^ absolutely", "\u201cAbsolutely.", True),
        ("^ absolutely", "Not absolutely", False),
        ("never $", "Never.", True),
        # escapes and punctuation-only tokens
        ("p\\<#", "p<0.05", True),
        (",", "safe, effective", True),
    ],
)
def test_token_patterns(pattern: str, text: str, expected: bool) -> None:
    assert matches(pattern, text) is expected


@pytest.mark.parametrize(
    "pattern,problem",
    [
        ("tumours?", "may only follow a group"),
        ("(a|b", "without a closing"),
        ("a)", "without an opening"),
        ("~3 cure", "between two words"),
        ("cure ~", "followed by a number"),
        ("a ^ b", "must begin"),
        ("(^ a)", "inside groups"),
        ("{drugs", "without a closing"),
        ("{no_such_list}", "unknown lexicon"),
        ("{loop_a}", "refers to itself"),
        ("#90-10", "bad number range"),
        ("cu*re", "may only end a word"),
        ("a || b", "empty"),
        ("cure }", "without an opening '{'"),
        ("cure\\", "at the end of the pattern"),
        ("{drugs} ~2", "between two words"),
    ],
)
def test_bad_patterns_are_explained(pattern: str, problem: str) -> None:
    with pytest.raises(PatternError, match=re.escape(problem)):
        Compiler(LEXICONS).pattern(pattern)
    # The cheap check a pack load runs (without building regex source) finds it too.
    with pytest.raises(PatternError, match=re.escape(problem)):
        Compiler(LEXICONS).check(pattern)


def test_escaped_star_and_backslash_are_words() -> None:
    assert matches("5\\* hotel", "a 5* hotel")
    assert not matches("5\\* hotel", "a 55 hotel")


def test_words_after_a_group_that_owns_its_space_are_triggers() -> None:
    """"(your )?diabetes" needs the word diabetes: the prefilter must know that, or every
    sentence with any other trigger word runs the regex."""
    (conj,) = Compiler(LEXICONS).conjunctions("(your |my )?diabetes") or []
    assert [sorted(t.words) for t in conj] == [["diabetes"]]
    # Glued for real ("tumo(u)?r"): no whole word to look for in the group's tail.
    (conj,) = Compiler(LEXICONS).conjunctions("tumo(u)?r") or []
    assert [t.prefixes for t in conj] == [("tumo",)]


# --- rules from a pack written by the test ------------------------------------------------

HEADER = """pack: test-phrase
lexicons:
  test_negators: ["not", "no", "never", "cannot"]
  test_warnings: ["beware (of)?", "red flag(s)?", "claim(s|ed)? to"]
rules:
"""


def rule_yaml(body: str) -> str:
    return (
        "  - code: ZZ901\n    name: test-cure\n    kind: phrase\n    category: test\n"
        "    severity: error\n    message: \"Claims a cure ('{match}').\"\n"
        "    why: Testing.\n    source: Tests.\n"
        "    suggestion: \"Hedge '{match}'.\"\n" + body
    )


def load(tmp_path: Path, body: str) -> tuple[Rule | None, list[str]]:
    folder = tmp_path / "packs"
    folder.mkdir(exist_ok=True)
    (folder / "test.yml").write_text(HEADER + rule_yaml(body), encoding="utf-8")
    ruleset, errors = load_rules([folder])
    return ruleset.find("ZZ901"), [str(e) for e in errors]


def found(rule: Rule, text: str, fmt: str = "markdown") -> list[str]:
    doc = read_document("<t>", text, fmt)
    assert rule.check is not None
    return [doc.source[f.start : f.end] for f in rule.check.run(doc, LintContext())]


def findings(rule: Rule, text: str) -> list[Finding]:
    doc = read_document("<t>", text, "markdown")
    assert rule.check is not None
    return list(rule.check.run(doc, LintContext()))


def test_negation_before_respects_window_and_stops(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["(a|the) cure"]
    unless:
      - {scope: before, cues: "{test_negators}", window: 3, stop: [",", "but"]}
""")
    assert not errors and rule is not None
    assert found(rule, "This is not a cure.") == []
    assert found(rule, "Never in all these long years a cure.") == ["a cure"]  # beyond 3 words
    assert found(rule, "It is not cheap, but it is a cure.") == ["a cure"]  # after a stop
    assert found(rule, "It is not cheap, a cure.") == ["a cure"]


def test_after_sentence_and_question_scopes(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["(a|the) cure"]
    unless:
      - {scope: after, cues: "is a myth", window: 4}
      - {scope: sentence, cues: "{test_warnings}"}
      - {scope: sentence, question: true}
""")
    assert not errors and rule is not None
    assert found(rule, "A cure is a myth.") == []
    assert found(rule, "A cure, as everyone knows by now, is a myth.") == ["A cure"]
    assert found(rule, "Beware of clinics selling a cure.") == []
    assert found(rule, "A cure is a red flag.") == []
    assert found(rule, "Is this a cure?") == []
    assert found(rule, "Is this a cure? It is a cure.") == ["a cure"]


def test_sentence_scope_does_not_see_the_match_itself(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["claims to cure"]
    unless:
      - {scope: sentence, cues: "{test_warnings}"}
""")
    assert not errors and rule is not None
    assert found(rule, "Our pill claims to cure it.") == ["claims to cure"]


def test_previous_sentence_must_be_a_matching_question(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns:
      - match: "^ (yes|absolutely)"
        require:
          - {scope: previous, question: true, cues: "(safe|cure)"}
""")
    assert not errors and rule is not None
    assert found(rule, "Is it safe? Absolutely.") == ["Absolutely"]
    assert found(rule, "## Is it safe?\n\nAbsolutely, we think so.") == ["Absolutely"]
    assert found(rule, "Is it cheap? Absolutely.") == []
    assert found(rule, "It is safe. Absolutely.") == []
    assert found(rule, "Absolutely.") == []


def test_lead_in_of_a_list(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["(a|the) cure"]
    unless:
      - {scope: lead-in, cues: "{test_warnings}"}
""")
    assert not errors and rule is not None
    assert found(rule, "Red flags:\n\n- cheap prices\n- a cure\n") == []
    assert found(rule, "## Beware\n\n- a cure\n") == []
    assert found(rule, "What we offer:\n\n- a cure\n") == ["a cure"]
    # A paragraph of prose between the warning and the item ends the list.
    text = "Red flags:\n\n- cheap prices\n\nWe are different. We care.\n\n- a cure\n"
    assert found(rule, text) == ["a cure"]


def test_ignore_blanks_pseudo_negations(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["(a|the) cure"]
    unless:
      - {scope: before, cues: "{test_negators}", ignore: "no doubt"}
""")
    assert not errors and rule is not None
    assert found(rule, "There is no doubt it is a cure.") == ["a cure"]
    assert found(rule, "There is no cure.") == []


def test_pattern_level_conditions_add_to_the_rule_s(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    unless:
      - {scope: sentence, question: true}
    patterns:
      - "cure(s)? diabetes"
      - match: "guaranteed"
        require:
          - {scope: sentence, cues: "(results|cure)"}
""")
    assert not errors and rule is not None
    assert found(rule, "Results guaranteed.") == ["guaranteed"]
    assert found(rule, "The theorem is guaranteed to hold.") == []
    assert found(rule, "Are results guaranteed?") == []
    assert found(rule, "It cures diabetes.") == ["cures diabetes"]


def test_finding_message_suggestion_and_source_span(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["miracle cure"]
""")
    assert not errors and rule is not None
    text = "Our **miracle\ncure** works."
    (finding,) = findings(rule, text)
    assert text[finding.start : finding.end] == "miracle\ncure"
    assert finding.message == "Claims a cure ('miracle cure')."
    assert finding.suggestion == "Hedge 'miracle cure'."
    assert finding.fix is None


def test_replace_offers_an_unsafe_fix_keeping_capitals(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns:
      - match: "miracle (cure|drug)"
        replace: "new, unproven treatment"
""")
    assert not errors and rule is not None
    (finding,) = findings(rule, "Miracle cure, at last.")
    assert finding.fix is not None and not finding.fix.safe
    (edit,) = finding.fix.edits
    assert (edit.start, edit.end, edit.text) == (0, 12, "New, unproven treatment")


def test_overlapping_matches_report_the_leftmost_longest(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns:
      - "cure"
      - "permanent cure for life"
      - "permanent cure"
""")
    assert not errors and rule is not None
    assert found(rule, "A permanent cure for life.") == ["permanent cure for life"]
    assert found(rule, "A cure and a permanent cure.") == ["cure", "permanent cure"]


def test_an_excepted_match_does_not_hide_an_overlapping_one(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns:
      - match: "no side effects"
        unless: [{scope: before, cues: "not", window: 2}]
      - "side effects at all"
""")
    assert not errors and rule is not None
    assert found(rule, "It is true that there are no side effects at all.") == ["no side effects"]
    assert found(rule, "It has not no side effects at all.") == ["side effects at all"]


@pytest.mark.parametrize(
    "body,line,problem",
    [
        ("    patterns: [\"tumours?\"]\n", 15, "may only follow a group"),
        ("    patterns: [\"cure\"]\n    colour: red\n", 16, "unknown key 'colour'"),
        ("    patterns: []\n", 15, "needs 'patterns'"),
        ("    patterns: [\"{nope}\"]\n", 15, "unknown lexicon 'nope'"),
        (
            "    patterns: [\"cure\"]\n    unless:\n      - {scope: nearby, cues: no}\n",
            17,
            "'scope' must be one of",
        ),
        (
            "    patterns: [\"cure\"]\n    unless:\n"
            "      - {scope: sentence, window: 3, cues: x}\n",
            17,
            "'window' only applies",
        ),
        (
            "    patterns: [\"cure\"]\n    unless:\n      - {scope: sentence, cue: x}\n",
            17,
            "unknown key 'cue'",
        ),
        ("    patterns: [\"cure\"]\n    unless:\n      - {scope: sentence}\n", 17, "needs 'cues'"),
        (
            "    patterns:\n      - match: cure\n        replace: 3\n",
            16,
            "'replace' must be a non-empty string",
        ),
    ],
)
def test_pack_errors_name_file_and_line(tmp_path: Path, body: str, line: int, problem: str) -> None:
    rule, errors = load(tmp_path, body)
    assert rule is None
    (error,) = errors
    assert error.startswith(f"{tmp_path / 'packs' / 'test.yml'}:{line}:"), error
    assert problem in error
    # The built-in packs still load.
    assert builtin_ruleset().find("HW101") is not None


def test_every_built_in_regex_compiles() -> None:
    """Regexes are compiled lazily (start-up speed); make sure none of them is broken."""
    checks = [r.check for r in builtin_ruleset() if isinstance(r.check, PhraseCheck)]
    assert len(checks) >= 10
    for check in checks:
        for spec in check.specs:
            assert spec.regex.regex.pattern
            for condition in (*spec.unless, *spec.require):
                for lazy in (condition.cues, condition.stop, condition.ignore):
                    assert lazy is None or lazy.regex.pattern
        for condition in (*check.unless, *check.require):
            for lazy in (condition.cues, condition.stop, condition.ignore):
                assert lazy is None or lazy.regex.pattern


# --- start-up: nothing is compiled at load; errors still name file and line ---------------


def test_loading_builds_no_regex_until_trigger_words_turn_up(tmp_path: Path) -> None:
    rule, errors = load(tmp_path, """    patterns: ["miracle cure", "guaranteed results"]
    unless:
      - {scope: before, cues: "{test_negators}"}
""")
    assert not errors and rule is not None
    check = rule.check
    assert isinstance(check, PhraseCheck)
    lazies = [spec.regex for spec in check.specs] + [c.cues for c in check.unless]
    assert all(lazy is not None and lazy._source is None and lazy._regex is None for lazy in lazies)
    assert found(rule, "The weather was mild. Guaranteed results!") == ["Guaranteed results"]
    first, second = check.specs
    assert first.regex._regex is None  # no sentence had "miracle" and "cure"
    assert first.regex._lowered is None
    # Built: for ASCII text, the lower-case form only (see LazyRegex.lowered).
    assert second.regex._regex is not None or second.regex._lowered


def test_a_regex_that_fails_to_compile_names_file_and_line(tmp_path: Path) -> None:
    from writer.diagnostics import WriterError
    from writer.rules.kinds.phrase import LazyRegex
    from writer.rules.packs import PackContext

    ctx = PackContext(tmp_path / "pack.yml")
    lazy = LazyRegex(lambda: "(unclosed", lambda problem: ctx.error(problem, 7))
    with pytest.raises(WriterError) as caught:
        lazy.search("text")
    assert str(caught.value.error).startswith(f"{tmp_path / 'pack.yml'}:7:")
    assert "cannot be compiled" in str(caught.value.error)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("WRITER_CACHE_DIR", str(folder))
    return folder


def _load_fresh(tmp_path: Path, body: str) -> tuple[Rule | None, list[str]]:
    """A new lexicon table, hence a new compiler reading the cache from disk."""
    from writer.rules.kinds import phrase

    phrase._LAST_COMPILER.clear()
    rule, errors = load(tmp_path, body)
    for compiler in phrase._LAST_COMPILER:
        compiler.cache.save()
    return rule, errors


BODY = """    patterns:
      - "(miracle|magic) cure ~2 {test_warnings}"
      - "cure(s)? (your )?diabetes"
    unless:
      - {scope: before, cues: "{test_negators}"}
"""


def test_the_build_cache_gives_the_same_rules_as_building(cache_dir: Path, tmp_path: Path) -> None:
    cold, errors = _load_fresh(tmp_path, BODY)
    assert not errors and cold is not None
    (saved,) = cache_dir.glob("phrase-*.json")
    assert '"p:cure(s)? (your )?diabetes"' in saved.read_text(encoding="utf-8")
    warm, errors = _load_fresh(tmp_path, BODY)
    assert not errors and warm is not None
    assert isinstance(cold.check, PhraseCheck) and isinstance(warm.check, PhraseCheck)
    for a, b in zip(cold.check.specs, warm.check.specs, strict=True):
        assert (a.conjunctions, a.gaps, a.regex.source) == (b.conjunctions, b.gaps, b.regex.source)
    text = "A miracle cure, beware of it. It cures your diabetes."
    assert found(cold, text) == found(warm, text) == ["cures your diabetes"]


def test_a_damaged_cache_is_ignored(cache_dir: Path, tmp_path: Path) -> None:
    _load_fresh(tmp_path, BODY)
    (saved,) = cache_dir.glob("phrase-*.json")
    saved.write_text('{"format": 1, "entries": {"p:cure(s)? (your )?diabetes": {"c": 3}}}')
    rule, errors = _load_fresh(tmp_path, BODY)
    assert not errors and rule is not None
    assert found(rule, "It cures diabetes.") == ["cures diabetes"]
    saved.write_text("not json")
    rule, errors = _load_fresh(tmp_path, BODY)
    assert not errors and rule is not None and found(rule, "It cures diabetes.")


def test_a_damaged_cue_entry_is_worked_out_again(cache_dir: Path, tmp_path: Path) -> None:
    import json

    _load_fresh(tmp_path, BODY)
    (saved,) = cache_dir.glob("phrase-*.json")
    data = json.loads(saved.read_text(encoding="utf-8"))
    entry = data["entries"]["c:{test_negators}"]
    assert entry["parts"]  # the cue list was split and its trigger words stored
    for part in entry["parts"]:
        part[2] = [[3]]  # trigger words of the wrong shape
    saved.write_text(json.dumps(data), encoding="utf-8")
    rule, errors = _load_fresh(tmp_path, BODY)
    assert not errors and rule is not None
    assert found(rule, "It cures diabetes.") == ["cures diabetes"]
    assert found(rule, "It never cures diabetes.") == []


def test_errors_are_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    body = """    patterns: ["cure {nope}"]\n"""
    for _ in range(2):
        rule, errors = _load_fresh(tmp_path, body)
        assert rule is None and len(errors) == 1 and "unknown lexicon 'nope'" in errors[0]


def test_the_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    rule, errors = _load_fresh(tmp_path, BODY)
    assert not errors and rule is not None
    assert not any(tmp_path.rglob("phrase-*.json"))


# --- the word prefilter is an optimisation only: it must never change a result ------------

PHRASE_RULES = [r for r in builtin_ruleset() if isinstance(r.check, PhraseCheck)]


def _ungated(regex: LazyRegex | None) -> LazyRegex | None:
    """The same cue list as one regex without trigger words: searched in every sentence."""
    if regex is None:
        return None
    copy = LazyRegex(regex.source)
    assert not isinstance(copy, CueRegex)
    return copy


T = TypeVar("T")


def replace(obj: T, **changes: Any) -> T:
    """A copy of ``obj`` with some attributes changed (the kind's classes are plain ones)."""
    new = copy.copy(obj)
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _all_ungated(conditions: list[Condition]) -> list[Condition]:
    return [
        replace(c, cues=_ungated(c.cues), stop=_ungated(c.stop), ignore=_ungated(c.ignore))
        for c in conditions
    ]


def _without_prefilter(check: PhraseCheck) -> PhraseCheck:
    specs = [
        replace(
            spec,
            conjunctions=None,
            unless=_all_ungated(spec.unless),
            require=_all_ungated(spec.require),
        )
        for spec in check.specs
    ]
    return PhraseCheck(
        check.rule, specs, _all_ungated(check.unless), _all_ungated(check.require), None
    )


def test_cue_lists_split_into_word_gated_parts() -> None:
    """A cue list naming a lexicon is searched entry by entry, and only for the entries
    whose words the sentence holds."""
    rule = builtin_ruleset().find("HW101")
    assert rule is not None and isinstance(rule.check, PhraseCheck)
    (hedged,) = [c for c in rule.check.unless if c.name == "hedged"]
    cues = hedged.cues
    assert isinstance(cues, CueRegex) and len(cues.parts) > 10
    text = "The weather was mild. Perhaps the cells will help."
    doc = read_document("<t>", text, "text")
    words = doc_index(doc, doc.sentences)
    assert cues.candidates(words, 0) == []
    found = cues.candidates(words, 1)
    assert 0 < len(found) < 4
    assert cues.found_in("Perhaps the cells", found)
    assert not cues.found_in("The cells", found)


def _vocabulary() -> list[str]:
    words: set[str] = set()
    for check in (r.check for r in PHRASE_RULES):
        assert isinstance(check, PhraseCheck)
        for spec in check.specs:
            words.update(re.findall(r"[a-z][a-z'\u2019]+|\d+%?", spec.regex.source.lower()))
    words -= {"s", "w", "d"}  # regex syntax, not words
    filler = ["the", "our", "patients", "is", "are", "not", "may", "new", "cells", "today"]
    return sorted(words) + filler


VOCABULARY = _vocabulary()
SEPARATORS = [" ", " ", " ", "-", ", ", "\u2011", " \u2014 "]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps, strict=True)).strip(" ,-\u2011\u2014")
    end = draw(st.sampled_from([".", "?", "!", ""]))
    if draw(st.booleans()):
        text = text[:1].upper() + text[1:]
    return text + end


def _same_with_and_without_prefilter(text: str, fmt: str = "text") -> int:
    doc = read_document("<t>", text, fmt)
    total = 0
    for rule in PHRASE_RULES:
        check = rule.check
        assert isinstance(check, PhraseCheck)
        fast = [(f.start, f.end, f.message) for f in check.run(doc, LintContext())]
        slow = [
            (f.start, f.end, f.message)
            for f in _without_prefilter(check).run(doc, LintContext())
        ]
        assert fast == slow, (rule.code, text)
        total += len(fast)
    return total


@settings(max_examples=300, deadline=None)
@given(st.lists(sentences(), min_size=1, max_size=3))
def test_prefilter_never_changes_findings(parts: list[str]) -> None:
    _same_with_and_without_prefilter(" ".join(parts))


def test_prefilter_never_changes_findings_on_the_labelled_sets() -> None:
    import yaml

    data = Path(__file__).parent / "data"
    items = [
        item["text"]
        for name in ("claims_dev.yml", "claims_heldout.yml", "claims_fresh.yml")
        for item in yaml.safe_load((data / name).read_text(encoding="utf-8"))["items"]
    ]
    examples = [e.text for r in PHRASE_RULES for e in (*r.flagged, *r.passing)]
    reported = sum(_same_with_and_without_prefilter(t, "markdown") for t in items + examples)
    assert reported > 200  # the comparison saw plenty of findings, not just silence


def test_prefilter_skips_sentences_without_trigger_words() -> None:
    rule = builtin_ruleset().find("HW101")
    assert rule is not None and isinstance(rule.check, PhraseCheck)
    text = "The weather was mild and the sea was calm. Stem cells cure diabetes."
    doc = read_document("<t>", text, "text")
    words = doc_index(doc, doc.sentences)
    assert [number for number, _ in rule.check.candidates(words)] == [1]


# --- round 2: bit-mask index, per-document condition masks -------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=3000).flatmap(
    lambda count: st.tuples(st.just(count), st.lists(st.integers(0, count - 1), max_size=60))
))
def test_masks_round_trip_at_every_size(case: tuple[int, list[int]]) -> None:
    """Small documents set bits one by one, large ones go through a bytearray and read
    masks back from their binary digits: both must give the same sentence numbers."""
    count, numbers = case
    assert members(to_mask(numbers, count)) == sorted(set(numbers))


def test_large_and_small_documents_index_the_same_words() -> None:
    """Above SMALL sentences word masks are built on demand from lists; the answers
    (which sentences hold a word, a prefix, a digit, a question) must not change."""
    words = ["cure", "cures", "insulin", "trial", "the", "cells", "2024", "risk-free"]
    texts = [
        " ".join(words[(n * k) % len(words)] for k in range(1, 2 + n % 4))
        + ("?" if n % 7 == 0 else ".")
        for n in range(SMALL * 2 + 37)
    ]
    large = DocIndex(texts)
    expected = {w: [n for n, t in enumerate(texts) if w in re.findall(r"[^\W_]+", t)] for w in
                ("cure", "cures", "insulin", "risk", "2024")}
    for word, numbers in expected.items():
        assert members(large.mask(word)) == numbers
        small = DocIndex(texts[:SMALL])
        if word in small.vocab:
            assert members(small.mask(word)) == [n for n in numbers if n < SMALL]
    assert members(large.starting("cur")) == sorted(set(expected["cure"] + expected["cures"]))
    assert members(large.numbers) == expected["2024"]

    class Cur:  # a trigger set: one word, one prefix
        words = frozenset({"insulin"})
        prefixes = ("cur",)
        number = False

    for index in (large, DocIndex(texts[:SMALL])):
        holding = set(expected["cure"] + expected["cures"] + expected["insulin"])
        assert [index.present(Cur, n) for n in range(index.count)] == [
            n in holding for n in range(index.count)
        ]


def test_prefilter_never_changes_findings_in_a_large_draft() -> None:
    """A draft past the small-document limit takes the other index path."""
    rule = builtin_ruleset().find("HW101")
    assert rule is not None
    examples = [e.text for e in (*rule.flagged, *rule.passing)]
    paragraphs = [examples[n % len(examples)] for n in range(SMALL + 40)]
    text = "\n\n".join(paragraphs)
    doc = read_document("<t>", text, "markdown")
    assert len(doc.sentences) > SMALL
    assert _same_with_and_without_prefilter(text, "markdown") > len(rule.flagged)


def test_conditions_gated_by_cue_words_answer_as_ungated_ones() -> None:
    """A condition first asks whether its sentence holds a cue word at all (one set test)
    and only then searches: its answer must be that of the ungated condition everywhere."""
    rule = builtin_ruleset().find("HW101")
    assert rule is not None and isinstance(rule.check, PhraseCheck)
    text = (
        "Can stem cells cure diabetes? Perhaps one day. Doctors say it may cure some "
        "people. No clinic can cure diabetes today. Our therapy cures diabetes!"
    )
    doc = read_document("<t>", text, "text")
    words = doc_index(doc, doc.sentences)
    ruled_out = held = 0
    for condition in rule.check.unless:
        (slow,) = _all_ungated([condition])
        cues = condition.cues
        for index, sentence in enumerate(doc.sentences):
            gated = Place(doc, doc.sentences, index, 0, 0, sentence.text, "", words)
            ungated = Place(doc, doc.sentences, index, 0, 0, sentence.text, "", None)
            answer = slow.holds(ungated)
            assert condition.holds(gated) == answer, (condition.name, sentence.text)
            held += answer
            own = index - 1 if condition.scope == "previous" else index
            if isinstance(cues, CueRegex) and own >= 0 and not cues.candidates(words, own):
                ruled_out += 1
    assert held > 0 and ruled_out > 0  # both sides of the test were exercised


def test_conditions_gated_by_the_words_around_a_match_answer_as_ungated_ones() -> None:
    """A condition looks only for the cue words of its scope's part of the sentence
    (before, after, or around the match, plus the gap words): for every match span its
    answer must be that of the ungated condition."""
    rule = builtin_ruleset().find("HW101")
    assert rule is not None and isinstance(rule.check, PhraseCheck)
    text = (
        "Clinics that promise it claim the cells cure diabetes for good. Perhaps the cells "
        "cure diabetes, but no trial has shown it. The cells cure diabetes, doctors warn "
        "nobody. In a small trial, 3 of 8 people stopped insulin."
    )
    doc = read_document("<t>", text, "text")
    words = doc_index(doc, doc.sentences)
    conditions = [*rule.check.unless, *rule.check.require]
    asked = differ = 0
    for index, sentence in enumerate(doc.sentences):
        spans = [m.span() for m in re.finditer(r"\w+(?: \w+)?", sentence.text)]
        for start, end in spans:
            matched = sentence.text[start:end]
            inner = matched.split(" ")[-1] if " " in matched else ""  # as if a gap skipped it
            for condition in conditions:
                (slow,) = _all_ungated([condition])
                gated = Place(doc, doc.sentences, index, start, end, sentence.text, inner, words)
                ungated = Place(doc, doc.sentences, index, start, end, sentence.text, inner, None)
                answer = slow.holds(ungated)
                assert condition.holds(gated) == answer, (condition.name, start, end)
                asked += 1
                differ += answer != slow.holds(
                    Place(doc, doc.sentences, index, 0, 0, sentence.text, "", None)
                )
    assert asked > 100 and differ > 0  # the span really changes some answers


# --- round 3: ASCII word cutting, plans gathered by first word ----------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40) | st.text(max_size=40))
def test_words_of_cuts_text_as_the_token_regex_does(text: str) -> None:
    """ASCII text is cut by a byte translation, other text by the regex: same words."""
    assert words_of(text) == TOKEN_RE.findall(text.lower())


def test_words_of_on_every_pair_of_ascii_characters() -> None:
    for a in range(128):
        for b in range(128):
            text = f"Ab{chr(a)}Cd{chr(b)}9_z"
            assert words_of(text) == TOKEN_RE.findall(text.lower()), repr(text)


class _Set:
    """A trigger set for the planner tests."""

    def __init__(self, words: str = "", prefixes: str = "", number: bool = False) -> None:
        self.words = frozenset(words.split())
        self.prefixes = tuple(prefixes.split())
        self.number = number


def _plan_by_hand(parts: list[Any], index: DocIndex) -> dict[int, list[int]]:
    """What Planner.plan must give: each sentence, each part one of whose alternatives has
    every piece present there."""
    result: dict[int, list[int]] = {}
    for sentence in range(index.count):
        found = [
            number
            for number, conjunctions in enumerate(parts)
            if conjunctions is None
            or any(all(index.present(t, sentence) for t in conj) for conj in conjunctions)
        ]
        if found:
            result[sentence] = found
    return result


@pytest.mark.parametrize("count", [9, SMALL + 40])
def test_planner_plan_agrees_with_asking_each_sentence(count: int) -> None:
    """Plans are gathered from the document's words, alternative by alternative; they must
    be exactly the parts whose pieces a sentence holds, in part order, for small and large
    documents, with prefixes, numbers, several alternatives and parts run everywhere."""
    words = ["cure", "cured", "stem", "cells", "no", "risk", "2024", "insulin", "pill", "the"]
    texts = [
        " ".join(words[(n * k + k) % len(words)] for k in range(1, 2 + n % 5)) + "."
        for n in range(count)
    ]
    index = DocIndex(texts)
    parts: list[Any] = [
        [(_Set("stem"), _Set("cells"), _Set(prefixes="cur"))],
        [(_Set("risk"), _Set("no")), (_Set(number=True),)],
        [(_Set(prefixes="insul pil"),)],
        None,
        [(_Set("absent"), _Set("the"))],
        [(_Set("the"), _Set("cure cells"), _Set("no"))],
    ]
    expected = _plan_by_hand(parts, index)
    assert Planner(parts).plan(index) == expected
    assert Planner(parts[:3] + parts[4:]).plan(index) == {
        s: [n if n < 3 else n - 1 for n in found if n != 3]
        for s, found in expected.items()
        if found != [3]
    }

