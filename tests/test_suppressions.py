"""Inline suppressions: next line, block, file; a reason is required; unused ones reported."""

from __future__ import annotations

from writer.api import builtin_ruleset
from writer.config import Settings
from writer.document.readers import read_document
from writer.engine import lint_document

CLAIM = "This therapy is a guaranteed cure for diabetes."


def lint(text: str, fmt: str = "markdown", select: tuple[str, ...] = ("claims", "suppressions")):  # type: ignore[no-untyped-def]
    doc = read_document("draft", text, fmt)
    return lint_document(doc, builtin_ruleset(), Settings(select=select))


def codes(found) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.rule for d in found]


def test_claim_is_flagged_without_suppression() -> None:
    found = lint(CLAIM + "\n")
    assert any(d.category == "claims" for d in found)


def test_next_line_suppression_by_category() -> None:
    text = f"<!-- writer-disable-next-line claims -- quoting an advert verbatim -->\n{CLAIM}\n"
    assert lint(text) == []


def test_next_line_only_covers_the_next_line() -> None:
    text = f"<!-- writer-disable-next-line claims -- quoting an advert -->\n{CLAIM}\n\n{CLAIM}\n"
    found = lint(text)
    assert [d.line for d in found if d.category == "claims"] == [4]


def test_block_suppression_until_enable() -> None:
    text = (
        f"<!-- writer-disable claims -- an advert we analyse below -->\n{CLAIM}\n\n{CLAIM}\n"
        f"<!-- writer-enable claims -->\n\n{CLAIM}\n"
    )
    found = lint(text)
    assert [d.line for d in found if d.category == "claims"] == [7]


def test_file_suppression() -> None:
    text = f"{CLAIM}\n\n<!-- writer-disable-file claims -- satire column -->\n\n{CLAIM}\n"
    assert lint(text) == []


def test_html_comment_suppression() -> None:
    comment = "<!-- writer-disable-next-line claims -- quoted advert -->"
    text = f"<p>Intro.</p>\n{comment}\n<p>{CLAIM}</p>\n"
    assert lint(text, fmt="html") == []


def test_reason_is_required() -> None:
    text = f"<!-- writer-disable-next-line claims -->\n{CLAIM}\n"
    found = lint(text)
    assert "HW002" in codes(found)
    assert any(d.category == "claims" for d in found)  # a malformed suppression silences nothing


def test_rule_must_be_named() -> None:
    found = lint(f"<!-- writer-disable-next-line -- because -->\n{CLAIM}\n")
    assert "HW002" in codes(found)


def test_blanket_all_is_refused() -> None:
    found = lint(f"<!-- writer-disable-file ALL -- too many findings -->\n{CLAIM}\n")
    assert "HW002" in codes(found)
    assert any(d.category == "claims" for d in found)


def test_unused_suppression_is_reported() -> None:
    text = "<!-- writer-disable-next-line claims -- old advert quote -->\nA calm sentence.\n"
    found = lint(text)
    assert codes(found) == ["HW001"]
    assert found[0].line == 1


def test_unused_not_reported_when_rule_not_run() -> None:
    text = "<!-- writer-disable-next-line readability -- long table -->\nA calm sentence.\n"
    assert lint(text) == []


def test_suppression_in_code_block_is_ignored() -> None:
    text = f"```\n<!-- writer-disable-next-line claims -- in code -->\n```\n{CLAIM}\n"
    assert any(d.category == "claims" for d in lint(text))
