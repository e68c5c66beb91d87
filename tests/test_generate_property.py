"""Property: any valid facts file gives an explainer and an FAQ that pass our own linter,
carry all three caveats, and word every study's finding by its GRADE certainty."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.test_facts_support import facts_data
from writer.api import builtin_ruleset
from writer.generate.load import validate
from writer.generate.pipeline import generate
from writer.generate.render import CAVEAT_RULES

# What a reader must see in the sentence that reports a study, by certainty. Written out
# here, independently of templates/wording.yml, so a change there cannot pass unnoticed.
HEDGES = {
    "high": None,
    "moderate": re.compile(r"\bprobably (reduces?|increases?|improves?|worsens?|makes?) "),
    "low": re.compile(r"\bmay (reduce|increase|improve|worsen|make) "),
    "very low": re.compile(
        r"\bWe do not know whether .* because the evidence is very uncertain\b"
    ),
}
ANY_HEDGE = re.compile(r"\b(probably|may|do not know)\b")
HIGH = re.compile(r"\b(reduces?|increases?|improves?|worsens?|makes? little or no difference to) ")


def caveats() -> list[str]:
    rules = builtin_ruleset()
    out = []
    for name in CAVEAT_RULES.values():
        rule = rules.find(name)
        assert rule is not None and rule.suggestion is not None
        out.append(" ".join(rule.suggestion.split()))
    return out


def statements(text: str, marker: str) -> list[str]:
    """Every sentence that names a study's outcome (its marker word is unique)."""
    found = []
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.?!])\s+", line):
            if re.search(rf"\b{marker}\b", sentence):
                found.append(sentence)
    return found


def check_certainty_wording(text: str, study: dict[str, Any]) -> None:
    marker = study["outcome"].split()[-1]
    seen = statements(text, marker)
    assert seen, f"no sentence reports {study['outcome']!r}"
    for sentence in seen:
        level = study["certainty"]
        pattern = HEDGES[level]
        if pattern is None:
            assert HIGH.search(sentence) and not ANY_HEDGE.search(sentence), sentence
        else:
            assert pattern.search(sentence), (level, sentence)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=facts_data())
def test_any_valid_facts_generate_balanced_clean_outputs(data: dict[str, Any]) -> None:
    facts = validate(data, "<hypothesis>")
    needed = caveats()
    for template in ("explainer", "faq"):
        for fmt in ("md", "html"):
            result = generate(facts, template, fmt)
            assert not result.errors, [
                (d.rule, result.text.splitlines()[d.line - 1]) for d in result.errors
            ]
            plain = re.sub(r"<[^>]+>", "", result.text) if fmt == "html" else result.text
            plain = plain.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
            for caveat in needed:
                assert caveat in plain, (template, fmt, caveat)
            if fmt == "md":
                for study in data["evidence"]:
                    check_certainty_wording(plain, study)
