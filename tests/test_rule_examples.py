"""Every rule carries examples that must be flagged and examples that must pass; run them all.

Like proselint's examples meta-test and textlint-tester: a rule without both kinds of
example fails, ``spans`` assert the exact text a finding covers, and ``fixed`` asserts the
text after the rule's fix is applied.
"""

from __future__ import annotations

import pytest

from writer.api import builtin_ruleset
from writer.config import Settings
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.fixes import apply_edits
from writer.rules.model import Example, Rule

RULES = list(builtin_ruleset())
# Rules whose findings come from an outside service are exercised by their own tests.
SERVICE_KINDS = {"service"}


def _lint(rule: Rule, example: Example):  # type: ignore[no-untyped-def]
    doc = read_document(f"<{rule.code} example line {example.line}>", example.text, example.format)
    found = lint_document(doc, builtin_ruleset(), Settings(select=(rule.code,)))
    return doc, [d for d in found if d.rule == rule.code]


def test_there_are_rules() -> None:
    assert len(RULES) >= 10


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.code}-{r.name}")
def test_rule_has_examples(rule: Rule) -> None:
    assert rule.flagged, f"{rule.code} ({rule.origin}) has no examples that must be flagged"
    assert rule.passing, f"{rule.code} ({rule.origin}) has no examples that must pass"


CASES = [
    (rule, example, flagged)
    for rule in RULES
    if rule.kind not in SERVICE_KINDS
    for flagged, examples in ((True, rule.flagged), (False, rule.passing))
    for example in examples
]


@pytest.mark.parametrize(
    "rule,example,flagged",
    CASES,
    ids=[f"{r.code}-{'flag' if f else 'pass'}-{i}" for i, (r, _, f) in enumerate(CASES)],
)
def test_rule_example(rule: Rule, example: Example, flagged: bool) -> None:
    doc, found = _lint(rule, example)
    if not flagged:
        assert not found, (
            f"{rule.code} must not flag:\n{example.text}\nbut reported: "
            + "; ".join(f"{doc.source[d.start:d.end]!r} ({d.message})" for d in found)
        )
        return
    assert found, f"{rule.code} must flag:\n{example.text}"
    if example.spans is not None:
        spans = sorted(doc.source[d.start : d.end] for d in found)
        assert spans == sorted(example.spans)
    if example.fixed is not None:
        edits = [e for d in found if d.fix for e in d.fix.edits]
        assert edits, f"{rule.code} offers no fix for:\n{example.text}"
        assert apply_edits(doc.source, edits) == example.fixed
