"""Turn facts into phrases, using the wording in ``templates/wording.yml``.

These are the Jinja filters and globals the templates call. They take facts as mappings (the
template view) and return plain strings: in HTML the environment escapes them on output; in
Markdown the facts were escaped before they got here, and the wording itself is plain text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from writer.diagnostics import InputError, WriterError
from writer.generate.resources import templates_dir

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@lru_cache(maxsize=4)
def _wording(path: Path) -> dict[str, Any]:
    from writer.yamlio import read_yaml_file

    data = read_yaml_file(path)
    for key in ("certainty", "effects", "study_types", "status", "frequency"):
        if not isinstance(data, Mapping) or not isinstance(data.get(key), Mapping):
            raise WriterError(InputError(str(path), f"wording data needs a {key!r} mapping"))
    return dict(data)


def wording(path: Path | None = None) -> dict[str, Any]:
    return _wording(path or templates_dir() / "wording.yml")


def capitalise(text: str) -> str:
    """Upper-case the first letter only ("mRNA vaccines" stays as written after it)."""
    return text[:1].upper() + text[1:]


def decapitalise(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, unless the word is an acronym."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def number(value: int | float) -> str:
    """1200 -> "1,200"; 2.50 -> "2.5"."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{number(count)} people"


def statement(study: Mapping[str, Any], intervention: Mapping[str, Any]) -> str:
    """GRADE informative statement for one study's finding, worded by its certainty."""
    words = wording()
    verbs = words["effects"][study["effect"]]
    form = "plural" if intervention["plural"] else "singular"
    subject = str(intervention["name"])
    return str(words["certainty"][study["certainty"]]["statement"]).format(
        Subject=capitalise(subject),
        subject=subject,
        verb=verbs[form],
        base=verbs["base"],
        uncertain=verbs.get(f"uncertain_{form}", verbs[form]),
        outcome=study["outcome"],
    )


def certainty_label(level: str) -> str:
    return str(wording()["certainty"][level]["label"])


def certainty_meaning(level: str) -> str:
    return str(wording()["certainty"][level]["meaning"])


def study_description(study: Mapping[str, Any]) -> str:
    """ "a trial of 40 people, who were put into groups by chance" """
    kinds = wording()["study_types"]
    key = study["type"]
    if key == "systematic review" and not study.get("studies"):
        key = "systematic review without count"
    return str(kinds[key]).format(people=people(study["size"]), studies=study.get("studies"))


def _rate(freq: Mapping[str, Any]) -> float:
    if freq.get("per_100") is not None:
        return float(freq["per_100"])
    return 100.0 * float(freq["events"]) / float(freq["people"])


def risk(freq: Mapping[str, Any] | None) -> float:
    """Rate per 100 (for ordering harms); -1 when unknown."""
    return -1.0 if not freq else _rate(freq)


def _per(rate: float) -> tuple[str, str]:
    """Natural-frequency denominator: per 100 when at least 1 in 100, else per 1,000."""
    if rate >= 0.5 or rate == 0:
        return "per_100", number(round(rate))
    if rate * 10 >= 0.5:
        return "per_1000", number(round(rate * 10))
    return "rare", ""


def frequency(freq: Mapping[str, Any] | None) -> str:
    """ "3 of 40 people (about 8 in 100)" or "about 3 in 100 people"; "not reported". """
    phrases = wording()["frequency"]
    if not freq:
        return str(phrases["unknown"])
    if freq.get("events") is not None:
        events, total = freq["events"], freq["people"]
        key, rate = _per(_rate(freq))
        if events < total and rate == "100":
            rate = "99"  # "about 100 in 100" would read as everyone
        if total == 100 or key != "per_100" or events in (0, total):
            return str(phrases["counts"]).format(events=number(events), people=people(total))
        return str(phrases["counts_with_rate"]).format(
            events=number(events), people=people(total), rate=rate
        )
    key, rate = _per(_rate(freq))
    return str(phrases[key]).format(rate=rate)


def status_sentence(status: Mapping[str, Any], condition: str) -> str:
    entry = wording()["status"][status["status"]]
    key = "with_regulator" if status.get("regulator") else "without_regulator"
    return str(entry[key]).format(
        place=status["place"], regulator=status.get("regulator"), condition=condition
    )


def status_label(value: str) -> str:
    return str(wording()["status"][value]["label"])


def long_date(value: dt.date | str) -> str:
    """2025-09-01 (a date, or text as in sources: "2025", "2025-09", "2025-09-01") ->
    "1 September 2025": day-month order avoids the 9/1 vs 1/9 confusion."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    parts = text.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


def join(items: list[str], last: str = "and") -> str:
    """ ["a", "b", "c"] -> "a, b and c" """
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def sentence(text: str) -> str:
    """Facts written without a final full stop still end as a sentence."""
    text = str(text).rstrip()
    return text if not text or text[-1] in ".!?" else text + "."


CERTAINTY_ORDER = ("high", "moderate", "low", "very low")


def strongest(studies: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The study we are surest about (largest first among equals): it leads the key messages."""
    if not studies:
        return None
    return min(studies, key=lambda s: (CERTAINTY_ORDER.index(s["certainty"]), -s["size"]))


def most_common(outcomes: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The most frequent harm with numbers (or the first listed): shown in the key messages."""
    if not outcomes:
        return None
    return max(outcomes, key=lambda o: risk(o.get("with_treatment")))


def study_count(studies: list[Mapping[str, Any]]) -> int:
    """Evidence entries are results; one trial reporting two outcomes is still one study."""
    return len({(s["source"], s["type"], s["size"], s["follow_up"]) for s in studies})


def certainty_span(studies: list[Mapping[str, Any]]) -> tuple[str, str] | None:
    """(surest, least sure) certainty among the studies, for the limitations section."""
    if not studies:
        return None
    ranks = sorted(CERTAINTY_ORDER.index(s["certainty"]) for s in studies)
    return CERTAINTY_ORDER[ranks[0]], CERTAINTY_ORDER[ranks[-1]]


FILTERS = {
    "capitalise": capitalise,
    "certainty_label": certainty_label,
    "certainty_meaning": certainty_meaning,
    "decapitalise": decapitalise,
    "frequency": frequency,
    "join_words": join,
    "long_date": long_date,
    "number": number,
    "people": people,
    "risk": risk,
    "sentence": sentence,
    "status_label": status_label,
    "study_description": study_description,
}
GLOBALS = {
    "certainty_span": certainty_span,
    "most_common": most_common,
    "statement": statement,
    "status_sentence": status_sentence,
    "strongest": strongest,
    "study_count": study_count,
}
