"""Two passage rules of one category on the same words give one finding (lower code wins)."""

from __future__ import annotations

from writer.diagnostics import Diagnostic, Severity
from writer.engine import _drop_overlaps


def diag(rule: str, start: int, end: int, category: str = "claims") -> Diagnostic:
    return Diagnostic(
        "d.md",
        1,
        start + 1,
        1,
        end + 1,
        rule,
        rule.lower(),
        category,
        Severity.ERROR,
        "m",
        start=start,
        end=end,
    )


def test_overlapping_same_category_keeps_lower_code() -> None:
    found = [diag("HW108", 10, 20), diag("HW101", 15, 30), diag("HW102", 40, 50)]
    kept = _drop_overlaps(found, {"HW101", "HW102", "HW108"})
    assert [(d.rule, d.start) for d in kept] == [("HW101", 15), ("HW102", 40)]


def test_touching_spans_and_other_categories_are_kept() -> None:
    found = [
        diag("HW101", 0, 10),
        diag("HW102", 10, 20),  # touches, does not overlap
        diag("HW401", 5, 8, category="plain-language"),
        diag("HW201", 0, 30, category="caveats"),  # not a passage rule
    ]
    kept = _drop_overlaps(found, {"HW101", "HW102", "HW401"})
    assert sorted(d.rule for d in kept) == ["HW101", "HW102", "HW201", "HW401"]


def test_matches_a_brute_force_check() -> None:
    import random

    rng = random.Random(7)
    found = []
    for _ in range(300):
        start = rng.randrange(0, 500)
        found.append(diag(f"HW1{rng.randrange(10):02d}", start, start + rng.randrange(1, 20)))
    kept = _drop_overlaps(found, {d.rule for d in found})
    # brute force: same order of consideration, quadratic overlap test
    expected = []
    for d in sorted(found, key=lambda d: (d.rule, d.start)):
        if not any(o.start < d.end and d.start < o.end for o in expected):
            expected.append(d)
    assert sorted(id(d) for d in kept) == sorted(id(d) for d in expected)
