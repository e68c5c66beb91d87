"""Shared builders for the facts and generator tests (this module holds no tests itself).

Everything here is written for the tests: a small valid facts mapping to vary one field at a
time, and hypothesis strategies that build any valid facts file out of plain words.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "facts"
GENERATED = REPO / "examples" / "generated"

_MINIMAL: dict[str, Any] = {
    "intervention": {
        "name": "stem cell drops",
        "plural": True,
        "description": "Drops made from cells grown in a lab, put into the eye.",
    },
    "condition": {"name": "dry eye", "description": "The eyes feel gritty and sore."},
    "status": [{"place": "Testland", "regulator": "the Test Agency", "status": "in trials"}],
    "evidence": [
        {
            "type": "randomised trial",
            "size": 40,
            "follow_up": "six months",
            "outcome": "eye soreness",
            "effect": "reduces",
            "certainty": "moderate",
            "source": "s1",
        }
    ],
    "benefits": [
        {
            "event": "had less soreness",
            "with_treatment": {"events": 12, "people": 40},
            "without_treatment": {"events": 6, "people": 40},
            "certainty": "moderate",
            "source": "s1",
        }
    ],
    "harms": [
        {"event": "had red eyes", "with_treatment": {"per_100": 5}, "certainty": "low"},
    ],
    "standard_care": "Most people use eye drops from a chemist.",
    "without_treatment": "Dry eye often comes and goes.",
    "cost": {"summary": "It is not sold.", "availability": "It is only given in trials."},
    "open_questions": ["how long the drops keep working"],
    "sources": [
        {"id": "s1", "title": "A test trial of eye drops", "publisher": "Test Journal",
         "published": "2024-03"},
    ],
    "last_reviewed": "2025-01-15",
}


def minimal_facts(**changes: Any) -> dict[str, Any]:
    """A small valid facts mapping; keyword arguments replace top-level fields."""
    data = copy.deepcopy(_MINIMAL)
    data.update(changes)
    return data


# --- hypothesis: any valid facts file, in plain words -----------------------------------

# Neutral everyday words: facts built from them are valid and make no claims of their own,
# so any error-level finding in the output comes from the templates.
WORDS = (
    "green", "river", "table", "small", "garden", "light", "morning", "paper", "window",
    "yellow", "quiet", "bread", "kitchen", "chair", "music", "winter", "summer", "walk",
    "friend", "school", "apple", "water", "stone", "cloud", "field", "warm", "slow", "round",
    "soft", "blue", "bird", "tree", "road", "town", "week",
)
CERTAINTIES = ("high", "moderate", "low", "very low")
EFFECTS = ("reduces", "increases", "improves", "worsens", "no difference")
STUDY_TYPES = (
    "systematic review",
    "randomised trial",
    "non-randomised trial",
    "observational study",
    "case series",
)

word = st.sampled_from(WORDS)


def phrase(min_words: int = 1, max_words: int = 5) -> st.SearchStrategy[str]:
    return st.lists(word, min_size=min_words, max_size=max_words).map(" ".join)


def sentence(min_words: int = 3, max_words: int = 10) -> st.SearchStrategy[str]:
    return phrase(min_words, max_words).map(lambda s: s[:1].upper() + s[1:] + ".")


@st.composite
def frequencies(draw: st.DrawFn) -> dict[str, Any] | None:
    kind = draw(st.sampled_from(["counts", "rate", "none"]))
    if kind == "counts":
        people = draw(st.integers(1, 5000))
        return {"events": draw(st.integers(0, people)), "people": people}
    if kind == "rate":
        return {"per_100": draw(st.floats(0, 100, allow_nan=False))}
    return None


@st.composite
def outcomes(draw: st.DrawFn, source_ids: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "event": "had " + draw(phrase(1, 4)),
        "certainty": draw(st.sampled_from(CERTAINTIES)),
    }
    for key in ("with_treatment", "without_treatment"):
        freq = draw(frequencies())
        if freq is not None:
            item[key] = freq
    if draw(st.booleans()):
        item["timeframe"] = "after " + draw(phrase(1, 2))
    if draw(st.booleans()):
        item["note"] = draw(sentence())
    if draw(st.booleans()):
        item["source"] = draw(st.sampled_from(source_ids))
    return item


@st.composite
def facts_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid facts mapping. Outcome phrases carry a unique marker word ("measure3") so a
    test can find the sentence that reports each study."""
    source_ids = [f"src{i}" for i in range(draw(st.integers(1, 3)))]
    sources = [
        {
            "id": sid,
            "title": draw(sentence()),
            "publisher": draw(phrase(1, 3)),
            "published": draw(st.dates(dt.date(1990, 1, 1), dt.date(2025, 12, 31))).isoformat(),
        }
        for sid in source_ids
    ]
    studies = [
        {
            "type": draw(st.sampled_from(STUDY_TYPES)),
            "size": draw(st.integers(1, 100_000)),
            "follow_up": draw(phrase(1, 3)),
            "outcome": f"the {draw(phrase(1, 3))} measure{i}",
            "effect": draw(st.sampled_from(EFFECTS)),
            "certainty": draw(st.sampled_from(CERTAINTIES)),
            "source": draw(st.sampled_from(source_ids)),
        }
        for i in range(draw(st.integers(0, 4)))
    ]
    benefits = draw(st.lists(outcomes(source_ids), max_size=3))
    harms = draw(st.lists(outcomes(source_ids), min_size=1 if benefits else 0, max_size=3))
    name = draw(st.sampled_from(["stem cell", "cell", "gene"])) + " " + draw(phrase(1, 3))
    data: dict[str, Any] = {
        "intervention": {
            "name": name,
            "plural": draw(st.booleans()),
            "description": draw(sentence()),
        },
        "condition": {"name": draw(phrase(1, 3))},
        "audience": draw(st.sampled_from(["general", "patients", "professional"])),
        "status": [
            {
                "place": draw(phrase(1, 2)),
                "status": draw(st.sampled_from(["approved", "in trials", "experimental"])),
            }
            for _ in range(draw(st.integers(1, 3)))
        ],
        "evidence": studies,
        "benefits": benefits,
        "harms": harms,
        "standard_care": draw(sentence()),
        "without_treatment": draw(sentence()),
        "cost": {"summary": draw(sentence()), "availability": draw(sentence())},
        "open_questions": draw(st.lists(phrase(2, 6), min_size=1, max_size=3)),
        "sources": sources,
        "last_reviewed": draw(st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1))).isoformat(),
    }
    if draw(st.booleans()):
        data["faq"] = [{"question": draw(sentence()).rstrip(".") + "?", "answer": draw(sentence())}]
    if draw(st.booleans()):
        data["doctor_questions"] = [draw(sentence()).rstrip(".") + "?"]
    return data
