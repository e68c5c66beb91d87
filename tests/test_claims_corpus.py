"""Precision and recall of the claims rules on our own labelled sentences.

tests/data/claims_dev.yml is what the rules were tuned on; claims_heldout.yml was written
before the rules and never tuned on, so its numbers are the honest estimate.
claims_fresh.yml holds unfamiliar marketing wording (testimonials, headlines, translated
English, superlatives, implied certainty) and hard negatives, written before the rules were
generalised for it; its header records the before/after scores. claims_blind2.yml is the
untouched part of a second batch (the rest went into dev) and is never tuned on. The floors sit
a little below what the rules achieve today: a change that makes the linter cry wolf, or
miss claims it used to catch, fails here and lists the items it now gets wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from writer.api import lint_text
from writer.config import Settings

DATA = Path(__file__).parent / "data"
CLAIMS_ONLY = Settings(select=("claims",))
# (precision, recall) floors; measured today: dev 1.000 / 0.992, held-out 0.976 / 0.988,
# fresh 1.000 / 0.990, blind2 1.000 / 0.857 (18 of 21 claims: one more miss drops it to
# 0.810, so its recall floor sits just below that level, not below today's figure).
FLOORS = {
    "claims_dev.yml": (0.97, 0.98),
    "claims_heldout.yml": (0.95, 0.93),
    "claims_fresh.yml": (0.97, 0.98),
    "claims_blind2.yml": (0.95, 0.80),
}
# A set small enough to write in one sitting and keep blind is still big enough to score.
MIN_ITEMS = {"claims_blind2.yml": 40}
TAGS_REQUIRED = {
    "negated", "question", "warning", "hedged", "trial-result", "caveat",
    "faq", "listicle", "testimonial", "headline", "translated",
}


def items(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    return list(data["items"])


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_labelled_set_is_well_formed(name: str) -> None:
    rows = items(name)
    assert len(rows) >= MIN_ITEMS.get(name, 150)
    for row in rows:
        assert set(row) == {"text", "label", "tag"}, row
        assert row["label"] in ("flag", "pass"), row
        assert isinstance(row["text"], str) and row["text"].strip(), row
    labels = {row["label"] for row in rows}
    assert labels == {"flag", "pass"}
    assert len({row["text"] for row in rows}) == len(rows), "duplicate items"
    missing = TAGS_REQUIRED - {row["tag"] for row in rows}
    assert not missing, f"no items tagged {sorted(missing)}"


def test_sets_do_not_share_items() -> None:
    texts = {name: {row["text"] for row in items(name)} for name in FLOORS}
    names = sorted(texts)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            assert not texts[first] & texts[second], (first, second)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_precision_and_recall_floors(name: str) -> None:
    tp = fp = fn = 0
    wrong: list[str] = []
    for row in items(name):
        found = lint_text(row["text"], settings=CLAIMS_ONLY)
        flagged = bool(found)
        expected = row["label"] == "flag"
        if flagged and expected:
            tp += 1
        elif flagged:
            fp += 1
            what = "; ".join(f"{d.rule} {d.message}" for d in found)
            wrong.append(f"FALSE ALARM [{row['tag']}] {row['text']!r}: {what}")
        elif expected:
            fn += 1
            wrong.append(f"MISSED [{row['tag']}] {row['text']!r}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    floor_p, floor_r = FLOORS[name]
    report = (
        f"{name}: precision {precision:.3f} (floor {floor_p}), recall {recall:.3f} "
        f"(floor {floor_r})\n" + "\n".join(wrong)
    )
    assert precision >= floor_p and recall >= floor_r, report
