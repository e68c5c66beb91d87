"""The facts a writer gives the generator, as pydantic models (the single source of the schema).

The published JSON Schema (``schemas/facts.schema.json``) is generated from these models, so
field descriptions here are what editors show while a facts file is being written: they say
how each phrase is used in a sentence, because the templates build sentences around them.

Balance is part of validity: a file that lists benefits without harms, or has no sources,
is refused (see :func:`consistency_problems`), because an article built from it could not be
balanced whatever the templates do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

Certainty = Literal["high", "moderate", "low", "very low"]
Effect = Literal["reduces", "increases", "improves", "worsens", "no difference"]
StatusValue = Literal["approved", "in trials", "experimental"]
Audience = Literal["general", "patients", "professional"]
StudyType = Literal[
    "systematic review",
    "randomised trial",
    "non-randomised trial",
    "observational study",
    "case series",
]

# Why balance needs these, shown to whoever writes a facts file without them.
HARMS_REASON = (
    "benefits are listed but no harms: a balanced article has to show harms next to "
    "benefits so readers can weigh one against the other; add the harms seen in the studies, "
    "or a harm entry saying that harms are not yet known"
)
SOURCES_REASON = (
    "no sources: every fact in the article must be traceable to a dated source so that "
    "readers and editors can check it and see how old it is; add at least one source"
)


def _collapse(text: str) -> str:
    """Facts are phrases that go inside sentences: newlines or runs of spaces would break the
    Markdown layout, so whitespace is collapsed."""
    return " ".join(text.split())


Text = Annotated[str, Field(min_length=1), AfterValidator(_collapse)]


def _date_to_text(value: Any) -> Any:
    """YAML turns 2025-06-20 into a date and 2025 into an int; keep the writer's precision."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


PublishedDate = Annotated[
    str,
    BeforeValidator(_date_to_text),
    Field(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
        description="Publication date: a year (2024), a month (2024-05) or a day (2024-05-17).",
        examples=["2024-05-17", "2024"],
    ),
]
Url = Annotated[
    str,
    Field(pattern=r"^https?://[^\s<>\"'`]+$", description="Web address, starting with https://"),
]
SourceId = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Short id used to cite this source from studies, benefits and harms.",
        examples=["smith2024"],
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Intervention(_Model):
    """The treatment the article is about."""

    name: Text = Field(
        description="Plain name, used as the subject of sentences: 'stem-cell injections'.",
        examples=["lab-grown islet cells"],
    )
    plural: bool = Field(
        False,
        description="True when the name is plural ('injections'), so verbs agree ('reduce').",
    )
    description: Text = Field(description="What it is, in one to three short sentences.")
    how_given: Text | None = Field(
        None, description="How it is given, as a sentence: 'It is given as a drip into a vein.'"
    )


class Condition(_Model):
    """The health problem the treatment is meant for."""

    name: Text = Field(description="Plain name: 'type 1 diabetes'.", examples=["type 1 diabetes"])
    description: Text | None = Field(None, description="What the condition is, in short sentences.")


class RegulatoryStatus(_Model):
    """Where the treatment stands with one country's or region's regulator."""

    place: Text = Field(description="Country or region: 'the United States', 'the UK'.")
    regulator: Text | None = Field(None, description="The regulator's short name: 'the FDA'.")
    status: StatusValue = Field(
        description="'approved' for this use; 'in trials' (only in registered clinical trials); "
        "'experimental' (not approved, yet sold or offered outside trials)."
    )
    note: Text | None = Field(None, description="One short sentence with more detail.")
    as_of: dt.date | None = Field(None, description="When this status was checked.")


class Study(_Model):
    """One study (or review of studies) and what it found about one outcome."""

    type: StudyType = Field(description="Study design; worded for readers by the templates.")
    size: int = Field(gt=0, description="Number of people in the study (in total for a review).")
    studies: int | None = Field(None, gt=0, description="For a review: how many studies it pooled.")
    follow_up: Text = Field(description="How long people were followed: 'one year'.")
    outcome: Text = Field(
        description="What was measured, as a phrase that follows a verb like 'reduces': "
        "'the need for insulin injections'.",
        examples=["the need for insulin injections"],
    )
    effect: Effect = Field(description="The direction of the effect on the outcome.")
    certainty: Certainty = Field(
        description="GRADE certainty of the evidence for this outcome. It sets the wording: "
        "high 'reduces', moderate 'probably reduces', low 'may reduce', very low "
        "'we do not know whether it reduces'."
    )
    result: Text | None = Field(
        None, description="The numbers, as a plain sentence: '10 of 12 people stopped insulin.'"
    )
    source: SourceId = Field(description="Id of the source this study comes from.")


class Frequency(_Model):
    """How often something happened: counts from a study, or a risk per 100 people."""

    events: int | None = Field(None, ge=0, description="How many people it happened to.")
    people: int | None = Field(None, gt=0, description="Out of how many people.")
    per_100: float | None = Field(
        None, ge=0, le=100, description="Or: how many in 100 people (a percentage)."
    )

    @model_validator(mode="after")
    def _one_form(self) -> Frequency:
        counts = self.events is not None or self.people is not None
        if counts and self.per_100 is not None:
            raise PydanticCustomError(
                "frequency_form", "give either events and people, or per_100, not both"
            )
        if counts and (self.events is None or self.people is None):
            raise PydanticCustomError(
                "frequency_form", "give both events and people (e.g. events: 3, people: 40)"
            )
        if not counts and self.per_100 is None:
            raise PydanticCustomError(
                "frequency_form", "expected events and people, or per_100"
            )
        if self.events is not None and self.people is not None and self.events > self.people:
            raise PydanticCustomError(
                "frequency_form",
                "events ({events}) cannot be more than people ({people})",
                {"events": self.events, "people": self.people},
            )
        return self


class Outcome(_Model):
    """A benefit or a harm, with numbers where they are known."""

    event: Text = Field(
        description="What happened, as a phrase that follows 'people': "
        "'no longer needed insulin injections', 'had a serious infection'.",
        examples=["had a serious infection"],
    )
    with_treatment: Frequency | None = Field(None, description="How often, with the treatment.")
    without_treatment: Frequency | None = Field(
        None, description="How often in the comparison group, if there was one."
    )
    timeframe: Text | None = Field(None, description="When it was measured: 'after one year'.")
    certainty: Certainty = Field(description="GRADE certainty for this benefit or harm.")
    note: Text | None = Field(None, description="One short sentence of context.")
    source: SourceId | None = Field(None, description="Id of the source for these numbers.")


class Alternative(_Model):
    """Another option: standard care, a different treatment, or a lifestyle change."""

    name: Text
    description: Text = Field(description="What it is and what is known about it, briefly.")


class Cost(_Model):
    """What it costs and where people can get it."""

    summary: Text = Field(description="The cost, in one or two plain sentences.")
    availability: Text = Field(description="Where and how people can get it.")


class FaqItem(_Model):
    """An extra question for the FAQ, answered by the facts' author."""

    question: Text
    answer: Text


class Source(_Model):
    """A publication the facts come from."""

    id: SourceId
    title: Text
    authors: Text | None = Field(None, description="'Smith J, Jones K, and others'.")
    publisher: Text = Field(description="Journal, organisation or regulator.")
    published: PublishedDate
    url: Url | None = None
    accessed: dt.date | None = Field(None, description="When a web page was last checked.")


class Facts(_Model):
    """What is known about one treatment for one condition."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        populate_by_name=True,
        title="Health-writer facts file",
    )

    schema_: str | None = Field(
        None, alias="$schema", description="Optional link to this schema, for editors."
    )
    notice: Text | None = Field(
        None, description="Shown at the top of every output, e.g. 'Illustrative example.'"
    )
    title: Text | None = Field(
        None, description="Explainer title; default '<intervention> for <condition>: what we know'."
    )
    intervention: Intervention
    condition: Condition
    audience: Audience = Field(
        "general",
        description="Who reads it; sets the reading grade the output is checked against.",
    )
    status: list[RegulatoryStatus] = Field(
        min_length=1, description="Approval status, one entry per country or regulator."
    )
    evidence: list[Study] = Field(
        default_factory=list, description="Studies; an empty list means none in people yet."
    )
    benefits: list[Outcome] = Field(default_factory=list)
    harms: list[Outcome] = Field(default_factory=list)
    standard_care: Text = Field(description="The usual, proven care for the condition.")
    alternatives: list[Alternative] = Field(default_factory=list)
    without_treatment: Text = Field(description="What happens to people who do not have it.")
    cost: Cost
    open_questions: list[Text] = Field(
        min_length=1,
        description="What is not known yet, as phrases that follow 'We do not know': "
        "'how long the cells keep working'.",
    )
    doctor_questions: list[Text] = Field(
        default_factory=list, description="Questions readers could ask their doctor."
    )
    faq: list[FaqItem] = Field(default_factory=list, description="Extra FAQ questions.")
    trial_search: Text | None = Field(
        None, description="Words to search trial registers with: 'islet cells type 1 diabetes'."
    )
    limitations: list[Text] = Field(
        default_factory=list, description="Limits of the evidence, as short sentences."
    )
    sources: list[Source] = Field(
        default_factory=list, description="Dated publications the facts come from (required)."
    )
    evidence_up_to: dt.date | None = Field(None, description="Date of the last search for studies.")
    last_reviewed: dt.date = Field(description="When a person last checked these facts.")
    next_review: dt.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Facts:
        problems = consistency_problems(self)
        if problems:
            raise PydanticCustomError(
                "facts_consistency",
                "{summary}",
                {"summary": "; ".join(msg for _, msg in problems), "problems": problems},
            )
        return self


Loc = tuple[str | int, ...]


def balance_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Benefits need harms beside them, and every file needs sources. Works on raw data too,
    so these are reported together with any other problem in the file."""
    problems: list[tuple[Loc, str]] = []
    if data.get("benefits") and not data.get("harms"):
        problems.append((("benefits",), HARMS_REASON))
    if not data.get("sources"):
        problems.append((("sources",), SOURCES_REASON))
    return problems


def consistency_problems(facts: Facts) -> list[tuple[Loc, str]]:
    """Rules that span fields: balance, and citations that point to a listed source."""
    problems = balance_problems(
        {"benefits": facts.benefits, "harms": facts.harms, "sources": facts.sources}
    )
    ids: set[str] = set()
    for i, source in enumerate(facts.sources):
        if source.id in ids:
            problems.append((("sources", i, "id"), f"source id {source.id!r} is used twice"))
        ids.add(source.id)
    cited: list[tuple[Loc, str | None]] = [
        (("evidence", i, "source"), study.source) for i, study in enumerate(facts.evidence)
    ]
    for group in ("benefits", "harms"):
        items: list[Outcome] = getattr(facts, group)
        cited += [((group, i, "source"), item.source) for i, item in enumerate(items)]
    known = ", ".join(sorted(ids)) or "none"
    for loc, ref in cited:
        if ref is not None and ref not in ids:
            problems.append((loc, f"{ref!r} is not the id of a source (known ids: {known})"))
    if facts.next_review is not None and facts.next_review < facts.last_reviewed:
        problems.append((("next_review",), "next_review is earlier than last_reviewed"))
    return problems
