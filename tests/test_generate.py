"""The generator: wording, escaping, strict and sandboxed templates, the lint gate, the CLI."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

from tests.test_facts_support import EXAMPLES, minimal_facts
from writer.api import builtin_ruleset
from writer.cli import main
from writer.diagnostics import WriterError
from writer.generate import wording
from writer.generate.atomic import write_atomic
from writer.generate.load import load_facts, validate
from writer.generate.model import Facts
from writer.generate.pipeline import SUMMARY_WORDS, generate, prose_words
from writer.generate.render import CAVEAT_RULES, caveat_sentences, render
from writer.rules.model import RuleSet


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def facts(**changes: Any) -> Facts:
    return validate(minimal_facts(**changes), "<test>")


def write_facts(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def caveat_texts() -> list[str]:
    rules = builtin_ruleset()
    texts = []
    for name in CAVEAT_RULES.values():
        rule = rules.find(name)
        assert rule is not None and rule.suggestion
        texts.append(" ".join(rule.suggestion.split()))
    return texts


def visible_text(html: str) -> str:
    """HTML without tags and entities, whitespace collapsed: what a reader sees."""
    from markupsafe import Markup

    return " ".join(Markup(html).striptags().split())


# --- wording -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "certainty,effect,plural,expected",
    [
        ("high", "reduces", False, "Zapcel reduces tiredness"),
        ("high", "no difference", True, "Zap cells make little or no difference to tiredness"),
        ("moderate", "reduces", True, "Zap cells probably reduce tiredness"),
        ("moderate", "increases", False, "Zapcel probably increases tiredness"),
        ("low", "improves", False, "Zapcel may improve tiredness"),
        ("low", "worsens", True, "Zap cells may worsen tiredness"),
        (
            "very low",
            "increases",
            True,
            "We do not know whether zap cells increase tiredness, because the evidence is "
            "very uncertain",
        ),
        (
            "very low",
            "no difference",
            False,
            "We do not know whether zapcel makes any difference to tiredness, because the "
            "evidence is very uncertain",
        ),
    ],
)
def test_grade_statements(certainty: str, effect: str, plural: bool, expected: str) -> None:
    name = "zap cells" if plural else "zapcel"
    study = {"certainty": certainty, "effect": effect, "outcome": "tiredness"}
    assert wording.statement(study, {"name": name, "plural": plural}) == expected


def test_wording_covers_every_value_the_schema_allows() -> None:
    import typing

    from writer.generate import model

    words = wording.wording()
    assert set(typing.get_args(model.Certainty)) == set(words["certainty"])
    assert set(typing.get_args(model.Effect)) == set(words["effects"])
    assert set(typing.get_args(model.StatusValue)) == set(words["status"])
    assert set(typing.get_args(model.StudyType)) <= set(words["study_types"])


@pytest.mark.parametrize(
    "freq,expected",
    [
        ({"events": 3, "people": 40}, "3 of 40 people (about 8 in 100)"),
        ({"events": 12, "people": 12}, "12 of 12 people"),
        ({"events": 0, "people": 40}, "0 of 40 people"),
        ({"events": 199, "people": 200}, "199 of 200 people (about 99 in 100)"),
        ({"events": 30, "people": 100}, "30 of 100 people"),
        ({"events": 2, "people": 1500}, "2 of 1,500 people"),
        ({"per_100": 5}, "about 5 in 100 people"),
        ({"per_100": 0.3}, "about 3 in 1,000 people"),
        ({"per_100": 0.01}, "fewer than 1 in 1,000 people"),
        (None, "no numbers given"),
    ],
)
def test_natural_frequencies(freq: dict[str, Any] | None, expected: str) -> None:
    assert wording.frequency(freq) == expected


def test_phrases_fit_mid_sentence() -> None:
    assert wording.decapitalise("How long it lasts") == "how long it lasts"
    assert wording.decapitalise("FDA approval") == "FDA approval"
    assert wording.sentence("It works") == "It works." and wording.sentence("Why?") == "Why?"
    text = render(facts(open_questions=["How long the drops keep working"]), "explainer", "md")
    assert "- We do not know yet how long the drops keep working." in text


def test_dates_are_written_out() -> None:
    import datetime as dt

    assert wording.long_date(dt.date(2025, 9, 1)) == "1 September 2025"
    assert wording.long_date("2024-05") == "May 2024"
    assert wording.long_date("2024") == "2024"


# --- content -----------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["explainer", "faq", "summary"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_outputs_carry_the_three_caveats_from_the_rules(template: str, fmt: str) -> None:
    text = render(facts(), template, fmt)
    seen = text if fmt == "md" else visible_text(text)
    for caveat in caveat_texts():
        assert caveat in seen


def test_caveat_sentences_are_read_from_the_rules_not_written_twice() -> None:
    rules = builtin_ruleset()
    name = CAVEAT_RULES["medication"]
    changed = RuleSet(
        [dataclasses.replace(r, suggestion="Keep every medicine until your doctor says.")
         if r.name == name else r for r in rules]
    )
    text = render(facts(), "explainer", "md", caveats=caveat_sentences(changed))
    assert "Keep every medicine until your doctor says." in text
    without = RuleSet([r for r in rules if r.name != name])
    with pytest.raises(WriterError, match=name):
        caveat_sentences(without)


def test_explainer_puts_key_messages_first_and_covers_every_part() -> None:
    text = render(facts(), "explainer", "md")
    headings = re.findall(r"^#+ (.*)$", text, re.M)
    assert headings[0].endswith("what we know") and headings[1] == "Key messages"
    for needed in (
        "What are stem cell drops?",
        "What does the evidence show?",
        "Benefits and harms side by side",
        "Other options",
        "What happens without this treatment?",
        "Cost and where to get it",
        "Before you decide",
        "What we do not know yet",
        "Sources",
    ):
        assert needed in headings
    assert "Stem cell drops probably reduce eye soreness." in text
    assert "a trial of 40 people, who were put into groups by chance" in text
    assert text.rstrip().endswith("Last reviewed: 15 January 2025.")
    assert "1. A test trial of eye drops. Test Journal, March 2024." in text


def test_benefits_and_harms_sit_side_by_side_in_one_table() -> None:
    md = render(facts(), "explainer", "md")
    assert (
        "| Benefit | In the studies, people had less soreness. | 12 of 40 people (about 30 in 100) "
        "| 6 of 40 people (about 15 in 100) | Moderate |" in md
    )
    assert (
        "| Harm | In the studies, people had red eyes. | about 5 in 100 people "
        "| no numbers given | Low |" in md
    )
    html = render(facts(), "explainer", "html")
    assert (
        "<td>Harm</td><td>In the studies, people had red eyes.</td>"
        "<td>about 5 in 100 people</td>" in html
    )


def test_no_evidence_says_so() -> None:
    text = render(facts(evidence=[], benefits=[], harms=[]), "explainer", "md")
    assert "No studies have tested this treatment in people yet." in text
    assert "The studies did not report numbers for benefits or harms." in text


def test_faq_answers_the_standard_questions_and_the_facts_own() -> None:
    extra = [{"question": "Can children have it?", "answer": "It has not been tested in children."}]
    text = render(facts(faq=extra), "faq", "md")
    questions = re.findall(r"^### (.*)$", text, re.M)
    for needed in (
        "Is it approved where I live?",
        "Does it work?",
        "Is it safe?",
        "What does it cost?",
        "Should I stop my current treatment?",
        "How do I find a real clinical trial?",
        "Can children have it?",
    ):
        assert needed in questions
    assert text.startswith("## "), "the Markdown FAQ must paste into an article (no level 1)"
    assert not re.search(r"^# ", text, re.M)


def test_faq_html_has_valid_faqpage_json_ld() -> None:
    extra = [{"question": "Can children have it?", "answer": "It has not been tested in children."}]
    html = render(facts(faq=extra), "faq", "html")
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(raw)
    assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
    questions = re.findall(r"<h3>(.*?)</h3>", html)
    assert [q["name"] for q in data["mainEntity"]] == questions
    for item in data["mainEntity"]:
        assert item["@type"] == "Question"
        assert item["acceptedAnswer"]["@type"] == "Answer" and item["acceptedAnswer"]["text"]
        assert "<" not in item["acceptedAnswer"]["text"]
    stop = next(q for q in data["mainEntity"] if q["name"].startswith("Should I stop"))
    assert caveat_texts()[2] in stop["acceptedAnswer"]["text"]


def test_summary_has_the_cochrane_sections() -> None:
    text = render(facts(), "summary", "md")
    headings = re.findall(r"^## (.*)$", text, re.M)
    for needed in (
        "Key messages",
        "What did we want to find out?",
        "What did we do?",
        "What did we find?",
        "What are the limitations of the evidence?",
        "How up to date is this evidence?",
    ):
        assert needed in headings
    assert text.startswith("# Do stem cell drops help people with dry eye?")


# --- escaping ----------------------------------------------------------------------------

NASTY = 'Made by <script>alert("x")</script> & Sons; *not* _bold_ [link](http://x) | pipe'


def nasty_facts() -> Facts:
    data = minimal_facts()
    data["intervention"]["description"] = NASTY
    data["harms"][0]["event"] = "had <b>red</b> | eyes"
    data["open_questions"] = ["# whether it works", "1. how much it costs"]
    data["faq"] = [{"question": "Is <it> safe & sound?", "answer": "We </script> do not know."}]
    return validate(data, "<test>")


def test_html_output_escapes_facts() -> None:
    for template in ("explainer", "faq", "summary"):
        html = render(nasty_facts(), template, "html")
        assert "<script>alert" not in html and "<b>red</b>" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Sons" in html
        assert NASTY in visible_text(html) or template == "faq"


def test_json_ld_cannot_close_its_script_element() -> None:
    html = render(nasty_facts(), "faq", "html")
    assert html.count("</script>") == 1
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(raw)
    assert data["mainEntity"][0]["acceptedAnswer"]["text"].startswith(NASTY)
    assert data["mainEntity"][-1]["name"] == "Is <it> safe & sound?"


def test_markdown_output_shows_facts_as_written() -> None:
    md = render(nasty_facts(), "explainer", "md")
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script>" not in html and "<em>" not in html.split("Key messages")[1]
    assert "<b>" not in html and '<a href="http://x">' not in html
    assert visible_text(html).count(NASTY) == 1
    # One cell, pipe kept:
    assert "<td>In the studies, people had &lt;b&gt;red&lt;/b&gt; | eyes.</td>" in html
    assert "<li># whether it works</li>" in html and "<li>1. how much it costs</li>" in html


# --- strict, sandboxed and user templates --------------------------------------------------


def user_template(tmp_path: Path, body: str, name: str = "explainer.md.j2") -> Path:
    folder = tmp_path / "mytemplates"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


def render_error(tmp_path: Path, body: str) -> str:
    folder = user_template(tmp_path, body)
    with pytest.raises(WriterError) as caught:
        render(facts(), "explainer", "md", folder)
    return str(caught.value)


def test_unknown_fact_is_an_error_naming_it(tmp_path: Path) -> None:
    message = render_error(tmp_path, "# Title\n\nIt costs {{ facts.cost.amount }}.\n")
    assert "explainer.md.j2:3:" in message
    assert "facts.cost.amount is not a field of the facts" in message


def test_absent_optional_fact_fails_when_printed_but_can_be_tested(tmp_path: Path) -> None:
    message = render_error(tmp_path, "{{ facts.intervention.how_given }}\n")
    assert "facts.intervention.how_given is not given in the facts file" in message
    folder = user_template(
        tmp_path, "{% if facts.intervention.how_given %}given{% else %}absent{% endif %}\n"
    )
    assert render(facts(), "explainer", "md", folder) == "absent\n"


def test_unknown_variable_is_an_error(tmp_path: Path) -> None:
    assert "'colour' is undefined" in render_error(tmp_path, "{{ colour }}\n")


def test_templates_run_in_a_sandbox(tmp_path: Path) -> None:
    assert "template error" in render_error(tmp_path, "{{ facts.__class__.__mro__ }}\n")
    assert "template error" in render_error(tmp_path, "{% set x = [] %}{{ x.append(1) }}\n")


def test_template_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    message = render_error(tmp_path, "line one\n{% if %}\n")
    assert re.search(r"explainer\.md\.j2:2: template error", message)


def test_user_template_can_reuse_the_shared_macros(tmp_path: Path) -> None:
    folder = user_template(
        tmp_path,
        '{% import markup as m %}{% import "_caveats.j2" as cav with context %}'
        '{{ m.heading(1, "Our own page") }}{{ cav.all() }}',
    )
    text = render(facts(), "explainer", "md", folder)
    assert text.startswith("# Our own page\n")
    assert all(c in text for c in caveat_texts())


# --- generation pipeline and CLI -----------------------------------------------------------


def test_generated_examples_have_no_error_findings_and_read_at_grade_8() -> None:
    from writer.readability import measure

    for path in sorted(EXAMPLES.glob("*.yml")):
        loaded = load_facts(path)
        assert loaded.audience == "general"
        result = generate(loaded, "explainer", "md")
        assert not result.errors, [d.message for d in result.errors]
        grade = measure(result.text, "markdown").fk_grade
        assert grade is not None and grade <= 8.0, (path.name, grade)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_example_summaries_have_400_to_850_words(fmt: str) -> None:
    low, high = SUMMARY_WORDS
    for path in sorted(EXAMPLES.glob("*.yml")):
        result = generate(load_facts(path), "summary", fmt)
        assert low <= prose_words(result.text, fmt) <= high, path.name
        assert not result.notes


def test_summary_outside_400_to_850_words_gets_a_note() -> None:
    short = facts(evidence=[], benefits=[], harms=[], open_questions=["how it works"])
    (note,) = generate(short, "summary", "md").notes
    assert "400 to 850" in note
    limits = ["The trial was run in a small town with few people and short visits."] * 60
    (note,) = generate(facts(limitations=limits), "summary", "md").notes
    assert "400 to 850" in note
    assert not generate(facts(), "summary", "md").notes


def test_generate_to_stdout_and_faq_short_form(tmp_path: Path) -> None:
    path = write_facts(tmp_path, minimal_facts())
    result = run("generate", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Stem cell drops for dry eye: what we know\n")
    long_form = run("generate", str(path), "--template", "faq", "--format", "html")
    short_form = run("faq", str(path), "--format", "html")
    assert long_form.exit_code == short_form.exit_code == 0
    assert long_form.stdout == short_form.stdout and "FAQPage" in short_form.stdout


def test_generate_writes_the_output_file(tmp_path: Path) -> None:
    path = write_facts(tmp_path, minimal_facts())
    out = tmp_path / "out" / "page.html"
    out.parent.mkdir()
    result = run("generate", str(path), "-t", "explainer", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert os.listdir(out.parent) == ["page.html"]


def test_error_findings_fail_and_nothing_is_written(tmp_path: Path) -> None:
    path = write_facts(tmp_path, minimal_facts())
    claim = "Our stem cells are a guaranteed cure for diabetes."
    folder = user_template(tmp_path, f"# Stem cells\n\n{claim}\n")
    out = tmp_path / "page.md"
    out.write_text("the old page\n", encoding="utf-8")
    result = run("generate", str(path), "--templates", str(folder), "-o", str(out))
    assert result.exit_code == 1
    for rule in ("HW101", "HW201", "HW202", "HW203"):
        assert rule in result.stderr
    assert f"| {claim}" in result.stderr
    assert "nothing was written" in result.stderr
    assert out.read_text(encoding="utf-8") == "the old page\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts.yml", "mytemplates", "page.md"]


def test_bad_facts_or_template_exit_2(tmp_path: Path) -> None:
    path = write_facts(tmp_path, minimal_facts(harms=[]))
    result = run("generate", str(path))
    assert result.exit_code == 2 and "no harms" in result.stderr
    good = write_facts(tmp_path, minimal_facts())
    result = run("generate", str(good), "--templates", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "template directory not found" in result.stderr
    folder = user_template(tmp_path, "{{ facts.nope }}\n")
    result = run("faq", str(good), "--templates", str(folder))
    assert result.exit_code == 0  # faq.md.j2 is still the built-in one
    result = run("generate", str(good), "--templates", str(folder))
    assert result.exit_code == 2 and "facts.nope is not a field" in result.stderr
    result = run("generate", str(good), "--template", "letter")
    assert result.exit_code == 2


def test_atomic_write_keeps_mode_and_leaves_nothing_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "page.md"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        write_atomic(target, "newer\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert os.listdir(tmp_path) == ["page.md"]


def test_lint_start_up_does_not_import_the_generator_libraries() -> None:
    code = (
        "import sys, writer.cli; "
        "print(sorted(m for m in ('pydantic', 'jinja2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
