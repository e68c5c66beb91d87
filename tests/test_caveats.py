"""Required caveats (HW201-HW203): recognition quality, triggers, findings and safe fixes.

Recognition is measured on tests/data/caveats_labelled.yml (sentences written for this
project) through the whole pipeline: reader, sentence splitter, rule, engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from writer.api import builtin_ruleset, lint_text
from writer.config import Settings
from writer.diagnostics import Diagnostic
from writer.fixes import apply_edits
from writer.rules.kinds.required import RequiredCheck
from writer.rules.model import RuleSet
from writer.rules.packs import load_rules

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "caveats_labelled.yml"
LABELLED: dict[str, dict[str, dict[str, list[str]]]] = yaml.safe_load(DATA.read_text("utf-8"))
CAVEATS = ("missing-experimental-caveat", "missing-regulatory-caveat", "missing-medication-caveat")
CODES = {"HW201", "HW202", "HW203"}
TOPIC = "# Stem cell therapy for diabetes\n\n"
# (recall, precision) floors, just below the measured figures. dev is used to write the
# patterns (it includes the previous held-out split). heldout was written before the last
# round of pattern changes and scored before and after it (recall 0.54 -> 0.89,
# 0.78 -> 0.96, 0.58 -> 0.87), never used to choose a pattern, so its figures are the
# honest estimate for new wording. Precision (never taking a near miss for the caveat,
# which would hide a missing one) is what the patterns are built for.
FLOORS = {
    ("dev", "missing-experimental-caveat"): (0.98, 0.98),
    ("dev", "missing-regulatory-caveat"): (0.98, 0.98),
    ("dev", "missing-medication-caveat"): (0.98, 0.98),
    ("heldout", "missing-experimental-caveat"): (0.87, 0.95),
    ("heldout", "missing-regulatory-caveat"): (0.93, 0.97),
    ("heldout", "missing-medication-caveat"): (0.84, 0.95),
}


def suggestion(name: str) -> str:
    rule = builtin_ruleset().find(name)
    assert rule is not None and rule.suggestion
    return rule.suggestion


def caveat_findings(text: str, fmt: str = "markdown", position: str = "end") -> list[Diagnostic]:
    config = Settings(select=("caveats",), caveat_position=position)
    return [d for d in lint_text(text, fmt, settings=config) if d.rule in CODES]


def fix_all(text: str, fmt: str, position: str) -> str:
    """Apply every caveat fix of one lint at once."""
    found = caveat_findings(text, fmt, position)
    return apply_edits(text, [e for d in found if d.fix for e in d.fix.edits])


def fix_one_by_one(text: str, fmt: str, position: str) -> str:
    """Apply one fix, re-lint, repeat: the order must come out the same as fix_all."""
    for _ in range(5):
        found = caveat_findings(text, fmt, position)
        if not found:
            return text
        assert found[0].fix is not None
        text = apply_edits(text, found[0].fix.edits)
    raise AssertionError("fixes did not converge")


# --- recognition quality ---------------------------------------------------------------


def recognised(name: str, sentence: str) -> bool:
    """Whether the rule accepts the sentence as its caveat (lint finds nothing)."""
    rule = builtin_ruleset().find(name)
    assert rule is not None
    found = lint_text(TOPIC + sentence + "\n", settings=Settings(select=(rule.code,)))
    return not [d for d in found if d.rule == rule.code]


def test_labelled_set_is_large_enough() -> None:
    for name in CAVEATS:
        splits = LABELLED[name]
        assert set(splits) == {"dev", "heldout"}
        for split in splits.values():
            assert set(split) == {"satisfies", "near_misses"}
        positives = sum(len(s["satisfies"]) for s in splits.values())
        negatives = sum(len(s["near_misses"]) for s in splits.values())
        assert positives >= 40 and negatives >= 40, name
        assert len(splits["heldout"]["satisfies"]) >= 40, name
        assert len(splits["heldout"]["near_misses"]) >= 40, name


def test_topic_line_alone_is_flagged() -> None:
    """Otherwise 'no finding' would not mean 'recognised'."""
    assert {d.rule for d in caveat_findings(TOPIC + "Some people travel for it.\n")} == CODES


@pytest.mark.parametrize("split,name", sorted(FLOORS))
def test_recognition_recall_and_precision(split: str, name: str) -> None:
    data = LABELLED[name][split]
    missed = [s for s in data["satisfies"] if not recognised(name, s)]
    wrongly = [s for s in data["near_misses"] if recognised(name, s)]
    true_pos = len(data["satisfies"]) - len(missed)
    recall = true_pos / len(data["satisfies"])
    precision = true_pos / (true_pos + len(wrongly)) if true_pos + len(wrongly) else 0.0
    min_recall, min_precision = FLOORS[split, name]
    report = f"{name} {split}: recall {recall:.3f}, precision {precision:.3f}\n" + "".join(
        [f"  missed: {s}\n" for s in missed] + [f"  accepted near miss: {s}\n" for s in wrongly]
    )
    print(report)  # the figures: pytest tests/test_caveats.py -k recall -s
    assert recall >= min_recall, report
    assert precision >= min_precision, report


def test_prefilter_never_changes_a_result() -> None:
    """The plain-word prefilter is an optimisation: with or without it, same answers."""
    for name in CAVEATS:
        rule = builtin_ruleset().find(name)
        assert rule is not None and isinstance(rule.check, RequiredCheck)
        for split in LABELLED[name].values():
            for sentence in split["satisfies"] + split["near_misses"]:
                fast = rule.check.recognises(sentence)
                assert fast == rule.check.recognises(sentence, prefilter=False), sentence


LEXICON_WORDS = sorted(
    {
        word
        for words in yaml.safe_load((REPO / "lint_rules" / "caveats.yml").read_text("utf-8"))[
            "lexicons"
        ].values()
        for term in words
        for word in re.findall(r"[A-Za-z']{2,}", term)
    }
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*LEXICON_WORDS, "your", "the", ",", ";", "it"]), max_size=14))
def test_prefilter_agrees_on_random_sentences(words: list[str]) -> None:
    sentence = " ".join(words)
    for name in CAVEATS:
        rule = builtin_ruleset().find(name)
        assert rule is not None and isinstance(rule.check, RequiredCheck)
        assert rule.check.recognises(sentence) == rule.check.recognises(sentence, prefilter=False)


def _satisfied_in_document(check: RequiredCheck, sentence: str) -> bool:
    """The path lint takes: whole document prepared once, word masks per sentence."""
    from writer.document.readers import read_document

    return check.satisfied(read_document("draft.txt", sentence + "\n", "text"))


def _slow(check: RequiredCheck, sentence: str) -> bool:
    from writer.document.readers import read_document

    doc = read_document("draft.txt", sentence + "\n", "text")
    return any(check.recognises(s.text, prefilter=False) for s in doc.sentences)


def test_document_word_masks_never_change_a_result() -> None:
    """The per-document word masks (and skipping impossible patterns) are an optimisation."""
    checked = 0
    for name in CAVEATS:
        rule = builtin_ruleset().find(name)
        assert rule is not None and isinstance(rule.check, RequiredCheck)
        for split in LABELLED[name].values():
            for sentence in split["satisfies"] + split["near_misses"]:
                fast = _satisfied_in_document(rule.check, sentence)
                assert fast == _slow(rule.check, sentence), sentence
                checked += fast
    assert checked > 100  # the positives really went through the fast path


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*LEXICON_WORDS, "your", "the", ",", ";", "it"]), max_size=14))
def test_document_word_masks_agree_on_random_sentences(words: list[str]) -> None:
    sentence = " ".join(words)
    for name in CAVEATS:
        rule = builtin_ruleset().find(name)
        assert rule is not None and isinstance(rule.check, RequiredCheck)
        assert _satisfied_in_document(rule.check, sentence) == _slow(rule.check, sentence)


@pytest.mark.parametrize("setting", ["fresh", "warm", "corrupt", "off"])
def test_words_cache_never_changes_findings(
    setting: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prefilter words come from the cache when it is there; lost, broken or disabled, the
    findings are the same."""
    draft = (REPO / "examples" / "drafts" / "careful-islet-explainer.md").read_text("utf-8")
    rules = TOPIC + "Talk to your GP.\n"
    monkeypatch.setenv("WRITER_CACHE_DIR", str(tmp_path))
    expected = [(d.rule, d.line) for d in caveat_findings(draft) + caveat_findings(rules)]

    def fresh_findings() -> list[tuple[str, int]]:
        ruleset, errors = load_rules()
        assert not errors
        settings_ = Settings(select=("caveats",))
        found = lint_text(draft, settings=settings_, ruleset=ruleset) + lint_text(
            rules, settings=settings_, ruleset=ruleset
        )
        return [(d.rule, d.line) for d in found if d.rule in CODES]

    if setting == "off":
        monkeypatch.setenv("WRITER_CACHE_DIR", "off")
    elif setting != "fresh":
        fresh_findings()  # the first document writes the cache
        written = list(tmp_path.glob("required-*.json"))
        assert written, "the words cache was not written"
        if setting == "corrupt":
            for path in written:
                path.write_text('{"lexicon caveats_med_medicines": [1, 2]', "utf-8")
    assert fresh_findings() == expected


def test_file_suppression_silences_a_caveat_finding() -> None:
    text = (
        "<!-- writer-disable-file missing-regulatory-caveat -- covered by the series intro -->\n"
        + TOPIC
        + "Clinics sell it.\n"
    )
    assert {d.rule for d in caveat_findings(text)} == {"HW201", "HW203"}


@pytest.mark.parametrize("name", CAVEATS)
def test_canonical_suggestion_satisfies_its_rule(name: str) -> None:
    assert recognised(name, suggestion(name))


@pytest.mark.parametrize(
    "name,sentence",
    [
        ("missing-medication-caveat", "Stop your metformin after the first injection."),
        ("missing-medication-caveat", "You can get rid of insulin, so talk to your doctor."),
        ("missing-experimental-caveat", "This is not experimental."),
        ("missing-experimental-caveat", "It is a proven treatment, no longer experimental."),
        ("missing-regulatory-caveat", "Approval does not differ between countries."),
        ("missing-medication-caveat", "Keep taking your insulin only until the cells take over."),
        ("missing-medication-caveat", "Keep taking our capsules even if your GP objects."),
        ("missing-experimental-caveat", "These injections are no longer being studied."),
        ("missing-experimental-caveat", "Nobody has tested more patients than our clinic."),
        ("missing-regulatory-caveat", "Approved in Brazil, the therapy is open to visitors."),
        ("missing-regulatory-caveat", "Unlike other treatments, ours is fully approved."),
        ("missing-regulatory-caveat", "It is legal in a few countries, including ours."),
    ],
)
def test_opposites_and_negations_do_not_count(name: str, sentence: str) -> None:
    assert not recognised(name, sentence)


@pytest.mark.parametrize(
    "name,sentence",
    [  # one sentence per concept group added for unseen wording
        ("missing-experimental-caveat", "Scientists are still researching the approach."),
        ("missing-experimental-caveat", "It is only available in early trials."),
        ("missing-experimental-caveat", "You cannot have it outside a research study."),
        ("missing-experimental-caveat", "The evidence for it is weak."),
        ("missing-experimental-caveat", "There is no approved cell therapy for diabetes."),
        ("missing-experimental-caveat", "It is not a routine treatment."),
        ("missing-regulatory-caveat", "It has not been cleared by Health Canada."),
        ("missing-regulatory-caveat", "Check with your national regulator first."),
        ("missing-regulatory-caveat", "Clinics overseas may not be regulated."),
        ("missing-medication-caveat", "Keep taking your insulin."),
        ("missing-medication-caveat", "Do not stop taking your tablets."),
        (
            "missing-medication-caveat",
            "Do not stop any treatment you are on, including insulin, without medical advice.",
        ),
    ],
)
def test_concept_groups_recognise_plain_forms(name: str, sentence: str) -> None:
    assert recognised(name, sentence)


def test_curly_apostrophes_are_read_like_straight_ones() -> None:
    assert recognised("missing-medication-caveat", "Don\u2019t stop insulin without your doctor.")
    assert not recognised("missing-experimental-caveat", "It isn\u2019t experimental.")


# --- triggers and where caveats may be -------------------------------------------------

RECIPE = """# Lentil soup

Soften an onion in oil, add the lentils and stock, and simmer for twenty minutes.

Season to taste and serve with bread.
"""


def test_no_treatment_topic_no_caveats_required() -> None:
    assert caveat_findings(RECIPE) == []


def test_a_treatment_topic_makes_all_three_required() -> None:
    text = RECIPE + "\nSome readers ask about stem cell clinics abroad.\n"
    found = caveat_findings(text)
    assert sorted(d.rule for d in found) == sorted(CODES)
    assert all('"stem cell' in d.message and "line 7" in d.message for d in found)


@pytest.mark.parametrize(
    "topic",
    [
        "Islet cell transplants are offered by a few hospitals.",
        "Gene therapy could one day help.",
        "Exosome injections are sold online.",
        "Regenerative medicine clinics advertise widely.",
        "Some people fly abroad for treatment.",
        "The beta-cell replacement trial started this year.",
    ],
)
def test_trigger_topics(topic: str) -> None:
    assert {d.rule for d in caveat_findings(f"{topic}\n")} == CODES


def test_caveats_in_code_and_comments_do_not_count() -> None:
    caveats = " ".join(suggestion(n) for n in CAVEATS)
    markdown = (
        f"{TOPIC}Clinics sell it.\n\n```\n{caveats}\n```\n\n<!-- {caveats} -->\n\n"
        f"    {caveats}\n\nSee `{suggestion(CAVEATS[0])}`.\n"
    )
    assert {d.rule for d in caveat_findings(markdown)} == CODES
    html = (
        f"<h1>Stem cells</h1><p>Clinics sell it.</p><!-- {caveats} -->"
        f"<pre>{caveats}</pre><script>var s = '{suggestion(CAVEATS[2])}';</script>"
    )
    assert {d.rule for d in caveat_findings(html, "html")} == CODES


def test_caveats_anywhere_in_the_prose_count() -> None:
    text = (
        f"{TOPIC}Clinics sell it.\n\n> {suggestion(CAVEATS[0])}\n\n"
        f"- {suggestion(CAVEATS[1])}\n\n| Note |\n| --- |\n| {suggestion(CAVEATS[2])} |\n"
    )
    assert caveat_findings(text) == []


# --- the finding -----------------------------------------------------------------------


def test_finding_is_on_the_title_with_suggestion_and_safe_fix() -> None:
    text = "---\ntitle: x\n---\n# Cell therapy news\n\nA clinic opened. Stem cells are used.\n"
    found = caveat_findings(text)
    assert len(found) == 3  # one per missing caveat, however often the topic appears
    for diag in found:
        assert text[diag.start : diag.end] == "Cell therapy news"
        assert (diag.line, diag.column, diag.end_line, diag.end_column) == (4, 3, 4, 20)
        assert diag.suggestion == suggestion(diag.name)
        assert diag.fix is not None and diag.fix.safe
        assert str(diag.severity) == "error" and diag.category == "caveats"


def test_finding_without_title_covers_the_first_line() -> None:
    text = "Stem cell clinics promise a lot\nand charge even more.\n\nMore text.\n"
    for diag in caveat_findings(text):
        assert text[diag.start : diag.end] == "Stem cell clinics promise a lot"


def test_message_says_what_is_missing() -> None:
    found = {d.name: d.message for d in caveat_findings(TOPIC + "Clinics sell it.\n")}
    assert "experimental" in found["missing-experimental-caveat"]
    assert "countries" in found["missing-regulatory-caveat"]
    assert "medicines" in found["missing-medication-caveat"]


# --- fixes -------------------------------------------------------------------------------

E, R, M = (suggestion(n) for n in CAVEATS)

FIX_CASES: list[tuple[str, str, str, str]] = [
    # (format, position, draft, expected after all fixes)
    (
        "markdown",
        "end",
        "# Stem cells\n\nIntro text.\n\nLast words.\n",
        f"# Stem cells\n\nIntro text.\n\nLast words.\n\n{E}\n\n{R}\n\n{M}\n",
    ),
    (
        "markdown",
        "after-title",
        "# Stem cells\n\nIntro text.\n\nLast words.\n",
        f"# Stem cells\n\n{E}\n\n{R}\n\n{M}\n\nIntro text.\n\nLast words.\n",
    ),
    (  # setext title: the underline stays with it
        "markdown",
        "after-title",
        "Stem cells\n==========\nIntro text.\n",
        f"Stem cells\n==========\n\n{E}\n\n{R}\n\n{M}\n\nIntro text.\n",
    ),
    (  # the last prose is a list: the caveat goes after the whole list
        "markdown",
        "end",
        "Gene therapy:\n\n- one\n- two\n\n  more of two\n",
        f"Gene therapy:\n\n- one\n- two\n\n  more of two\n\n{E}\n\n{R}\n\n{M}\n",
    ),
    (  # a table and a trailing code block: after the table, before the code
        "markdown",
        "end",
        "Cell therapy.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n```\ncode\n```\n",
        "Cell therapy.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        f"\n{E}\n\n{R}\n\n{M}\n\n```\ncode\n```\n",
    ),
    (  # a blockquote at the end: the caveat is not put inside the quote
        "markdown",
        "end",
        "Exosomes.\n\n> A patient said\n> it helped.",
        f"Exosomes.\n\n> A patient said\n> it helped.\n\n{E}\n\n{R}\n\n{M}",
    ),
    (
        "markdown",
        "end",
        "# Stem cells\r\n\r\nIntro text.\r\n",
        f"# Stem cells\r\n\r\nIntro text.\r\n\r\n{E}\r\n\r\n{R}\r\n\r\n{M}\r\n",
    ),
    (
        "text",
        "end",
        "Stem cells\n\nIntro text\nwraps here.\n\n- a point\n",
        f"Stem cells\n\nIntro text\nwraps here.\n\n- a point\n\n{E}\n\n{R}\n\n{M}\n",
    ),
    (
        "text",
        "after-title",
        "Stem cells\r\n\r\nIntro text.\r\n",
        f"Stem cells\r\n\r\n{E}\r\n\r\n{R}\r\n\r\n{M}\r\n\r\nIntro text.\r\n",
    ),
    (
        "html",
        "end",
        "<html>\n<body>\n  <h1>Stem cells</h1>\n  <p>Intro.</p>\n  <footer>Note.</footer>\n"
        "</body>\n</html>\n",
        "<html>\n<body>\n  <h1>Stem cells</h1>\n  <p>Intro.</p>\n  <footer>Note.</footer>\n"
        f"  <p>{E}</p>\n  <p>{R}</p>\n  <p>{M}</p>\n</body>\n</html>\n",
    ),
    (
        "html",
        "after-title",
        "<html><head><title>Clinic</title></head>\n<body>\n<article>\n"
        "  <header><h1>Stem cells</h1></header>\n  <p>Intro.</p>\n</article>\n</body></html>\n",
        "<html><head><title>Clinic</title></head>\n<body>\n<article>\n"
        f"  <header><h1>Stem cells</h1></header>\n  <p>{E}</p>\n  <p>{R}</p>\n  <p>{M}</p>\n"
        "  <p>Intro.</p>\n</article>\n</body></html>\n",
    ),
    (  # everything on one line
        "html",
        "end",
        "<body><h1>Stem cells</h1><p>Intro.</p><table><tr><td>x</td></tr></table></body>",
        f"<body><h1>Stem cells</h1><p>Intro.</p><table><tr><td>x</td></tr></table>"
        f"<p>{E}</p><p>{R}</p><p>{M}</p></body>",
    ),
    (  # sloppy HTML: unclosed paragraphs and list items
        "html",
        "after-title",
        "<h2>Gene therapy</h2>\n<p>One\n<p>Two\n<ul><li>a<li>b</ul>\n",
        f"<h2>Gene therapy</h2>\n<p>{E}</p>\n<p>{R}</p>\n<p>{M}</p>\n<p>One\n<p>Two\n"
        "<ul><li>a<li>b</ul>\n",
    ),
    (
        "html",
        "end",
        "<h2>Gene therapy</h2>\r\n<p>One\r\n<ul><li>a<li>b\r\n",
        f"<h2>Gene therapy</h2>\r\n<p>One\r\n<ul><li>a<li>b\r\n<p>{E}</p>\r\n<p>{R}</p>\r\n"
        f"<p>{M}</p>\r\n",
    ),
]


@pytest.mark.parametrize(
    "fmt,position,draft,expected",
    FIX_CASES,
    ids=[f"{f}-{p}-{i}" for i, (f, p, _, _) in enumerate(FIX_CASES)],
)
def test_fixes_insert_all_caveats_cleanly(
    fmt: str, position: str, draft: str, expected: str
) -> None:
    fixed = fix_all(draft, fmt, position)
    assert fixed == expected
    # Idempotent: the fixed draft has no caveat finding, so a second --fix changes nothing.
    assert caveat_findings(fixed, fmt, position) == []
    # Applying the fixes one pass at a time gives the same text in the same order.
    assert fix_one_by_one(draft, fmt, position) == expected
    if "\r\n" in draft:
        assert "\n" not in fixed.replace("\r\n", "")


def test_fix_adds_only_what_is_missing() -> None:
    draft = f"# Stem cells\n\n{R}\n\nMore.\n"
    # After the title and after the caveat already there, so the three stay together.
    assert (
        fix_all(draft, "markdown", "after-title") == f"# Stem cells\n\n{R}\n\n{E}\n\n{M}\n\nMore.\n"
    )


def test_html_fix_escapes_the_caveat(tmp_path: Path) -> None:
    pack = tmp_path / "extra.yml"
    pack.write_text(
        """pack: extra
rules:
  - code: XX901
    name: missing-costs-note
    kind: required
    category: caveats
    severity: warning
    message: Say what it costs.
    why: Readers need the price.
    source: house style
    suggestion: Costs & risks are <not> small.
    trigger: [[stem cells?]]
    satisfied_by:
      - all: [[costs & risks]]
    examples:
      flagged: ["Stem cells."]
      passing: ["Stem cells. Costs & risks are high."]
""",
        "utf-8",
    )
    ruleset, errors = load_rules([tmp_path])
    assert errors == []
    draft = "<p>Stem cells.</p>\n"
    found = lint_text(draft, "html", settings=Settings(select=("XX901",)), ruleset=ruleset)
    assert len(found) == 1 and found[0].fix is not None
    fixed = apply_edits(draft, found[0].fix.edits)
    assert fixed == "<p>Stem cells.</p>\n<p>Costs &amp; risks are &lt;not&gt; small.</p>\n"
    assert lint_text(fixed, "html", settings=Settings(select=("XX901",)), ruleset=ruleset) == []


def test_cli_fix_then_lint_is_clean(
    run: Callable[..., Result], write: Callable[[str, str], Path]
) -> None:
    path = write("draft.md", "# Stem cell clinics\n\nThey promise a lot.\n")
    run("lint", "--select", "caveats", "--fix", str(path))
    text = path.read_text("utf-8")
    assert text == f"# Stem cell clinics\n\nThey promise a lot.\n\n{E}\n\n{R}\n\n{M}\n"
    again = run("lint", "--select", "caveats", "--fix", str(path))
    assert path.read_text("utf-8") == text
    assert again.exit_code == 0


# --- the canonical sentences (the generator's templates read them) -----------------------


@pytest.mark.parametrize("name", CAVEATS)
def test_canonical_sentence_is_plain(name: str) -> None:
    from writer.readability import measure

    text = suggestion(name)
    assert not re.search(r"[\n*_#`\[\]{}<>|]", text), "no Markdown, placeholders or markup"
    assert text[0].isupper() and text.endswith(".")
    grade = measure(text, "text", fk_min_words=1).fk_grade  # the project's own HW3xx measure
    assert grade is not None and grade <= 8.0


# --- rule-pack errors name the file and line ---------------------------------------------

PACK_HEAD = """pack: broken
rules:
  - code: XX900
    name: missing-thing
    kind: required
    category: caveats
    severity: error
    message: m
    why: w
    source: s
    suggestion: Talk to your doctor.
    examples: {flagged: [x], passing: [y]}
"""


@pytest.mark.parametrize(
    "extra,message,line",
    [
        ("    trigger: [caveats_treatment_topics]\n", "needs 'satisfied_by'", 3),
        ("    satisfied_by: [{all: [[doctor]]}]\n    colour: red\n", "unknown key 'colour'", 14),
        ("    satisfied_by: [{all: [no_such_lexicon]}]\n", "unknown lexicon 'no_such_lexicon'", 13),
        ("    satisfied_by: [{all: [['(unclosed']]}]\n", "invalid term '(unclosed'", 13),
        ("    satisfied_by: [{all: [[nurse]]}]\n", "does not satisfy its own", 3),
        ("    satisfied_by: [{all: [[doctor]], window: 0}]\n", "'window' must be", 13),
        ("    satisfied_by: [{all: [[doctor]], every: [x]}]\n", "unknown key 'every'", 13),
        ("    satisfied_by: []\n", "non-empty list of patterns", 13),
        ("    satisfied_by: [{all: [[doctor ...]]}]\n", "'...' must stand between words", 13),
        ("    satisfied_by: [{all: [[doctor]]}]\n    trigger: topics\n", "'trigger' must be", 14),
        ("    satisfied_by: [{all: [[doctor]]}]\n    trigger: [7]\n", "trigger must be", 14),
    ],
)
def test_pack_errors_name_file_and_line(
    tmp_path: Path, extra: str, message: str, line: int
) -> None:
    (tmp_path / "broken.yml").write_text(PACK_HEAD + extra, "utf-8")
    ruleset, errors = load_rules([tmp_path])
    assert ruleset.find("missing-medication-caveat") is not None  # built-ins still load
    assert len(errors) == 1
    error = errors[0]
    assert error.path.endswith("broken.yml") and message in error.message
    assert error.line == line


def test_lexicon_cycles_are_reported(tmp_path: Path) -> None:
    (tmp_path / "cycle.yml").write_text(
        "pack: cycle\nlexicons:\n  xx_a: ['{xx_b}']\n  xx_b: ['{xx_a} x']\n"
        + PACK_HEAD.split("\n", 1)[1]
        + "    satisfied_by: [{all: [xx_a]}]\n",
        "utf-8",
    )
    _, errors = load_rules([tmp_path])
    assert len(errors) == 1 and "includes itself (xx_a -> xx_b -> xx_a)" in errors[0].message


def test_missing_suggestion_is_an_error(tmp_path: Path) -> None:
    head = PACK_HEAD.replace("    suggestion: Talk to your doctor.\n", "")
    (tmp_path / "nosugg.yml").write_text(head + "    satisfied_by: [{all: [[doctor]]}]\n", "utf-8")
    _, errors = load_rules([tmp_path])
    assert len(errors) == 1 and "needs a 'suggestion'" in errors[0].message


# --- lazy compiling: cheap start-up, errors still name the file and line ------------------


def _caveat_checks(ruleset: RuleSet) -> list[RequiredCheck]:
    checks = [r.check for r in ruleset if r.kind == "required"]
    found = [c for c in checks if isinstance(c, RequiredCheck)]
    assert len(found) == len(checks) >= 3
    return found


def test_built_in_required_rules_compile_and_fix_idempotently() -> None:
    """Built-in packs are not compiled at load (start-up cost), so check them all here."""
    for check in _caveat_checks(builtin_ruleset()):
        check.validate()


def test_loading_compiles_nothing_and_a_draft_compiles_only_what_it_needs() -> None:
    ruleset, errors = load_rules()
    assert errors == []
    checks = _caveat_checks(ruleset)
    groups = {id(g): g for c in checks for g in c.groups()}.values()
    assert not [g for g in groups if g._regex is not None]
    config = Settings(select=("caveats",))
    lint_text(RECIPE, settings=config, ruleset=ruleset)  # no topic: nothing to compile
    assert not [g for g in groups if g._regex is not None]
    found = lint_text(TOPIC + "Clinics sell it.\n", settings=config, ruleset=ruleset)
    assert {d.rule for d in found} == CODES
    compiled = [g for g in groups if g._regex is not None]
    assert all(c.trigger is not None and c.trigger._regex is not None for c in checks)
    assert len(compiled) < len(groups) / 2, (len(compiled), len(groups))


BROKEN_PACK = """pack: lazy
rules:
  - code: XX950
    name: missing-lazy-note
    kind: required
    category: caveats
    severity: error
    message: m
    why: w
    source: s
    suggestion: Ask your nurse.
    trigger: [[stem cells?]]
    satisfied_by:
      - all: [[nurse]]
      - all: [['(unclosed']]
    examples: {flagged: [x], passing: [y]}
"""


def test_lazy_built_in_term_error_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken term in a pack that is compiled lazily is still reported with its file and
    line, when it is first needed (and by validate(), which the tests run)."""
    from writer.diagnostics import WriterError
    from writer.rules import packs

    (tmp_path / "lazy.yml").write_text(BROKEN_PACK, "utf-8")
    monkeypatch.setattr(packs, "builtin_rules_dir", lambda: tmp_path)
    ruleset, errors = load_rules()
    assert errors == []  # lazily compiled: not checked at load
    rule = ruleset.find("XX950")
    assert rule is not None and isinstance(rule.check, RequiredCheck)
    for attempt in (rule.check.validate, lambda: lint_text("Stem cells.\n", ruleset=ruleset)):
        with pytest.raises(WriterError) as info:
            attempt()
        error = info.value.error
        assert error.path.endswith("lazy.yml") and error.line == 15
        assert "invalid term '(unclosed'" in error.message


def test_a_context_without_attributes_still_gets_one_cache() -> None:
    """Group masks and sentence masks are bits of one vocabulary per pack context: a
    context that cannot carry the cache (slots) must still get the same one every time."""
    from writer.rules.kinds.required import _shared

    class Slotted:
        __slots__ = ()

    ctx = Slotted()
    assert _shared(ctx) is _shared(ctx)
    assert _shared(Slotted()) is not _shared(ctx)
