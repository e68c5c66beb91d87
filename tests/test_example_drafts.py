"""The shipped drafts in examples/drafts/ produce exactly the findings we expect.

examples/drafts/expected.yml lists, per draft, every error-level finding as "CODE line"
(exact: a new false alarm or a lost finding fails), and the warnings and info findings
that must be present. Regenerate after a deliberate rule change with
``UPDATE_EXPECTED=1 python -m pytest tests/test_example_drafts.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from writer.diagnostics import Severity
from writer.runner import Linter

DRAFTS = Path(__file__).resolve().parent.parent / "examples" / "drafts"
EXPECTED_FILE = DRAFTS / "expected.yml"


def findings(path: Path) -> tuple[list[str], list[str]]:
    result = Linter().lint_path(str(path))
    assert not result.errors, result.errors
    errors = [f"{d.rule} {d.line}" for d in result.diagnostics if d.severity == Severity.ERROR]
    others = [f"{d.rule} {d.line}" for d in result.diagnostics if d.severity < Severity.ERROR]
    return errors, others


DRAFT_FILES = sorted(p for p in DRAFTS.iterdir() if p.suffix in {".md", ".html", ".txt"})


def test_expected_file_covers_every_draft() -> None:
    if os.environ.get("UPDATE_EXPECTED"):
        data = {}
        for path in DRAFT_FILES:
            errors, others = findings(path)
            data[path.name] = {"errors": errors, "also": others}
        EXPECTED_FILE.write_text(
            "# Expected findings for the shipped drafts (see tests/test_example_drafts.py).\n"
            + yaml.safe_dump(data, sort_keys=True, width=100),
            encoding="utf-8",
        )
    expected = yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))
    assert sorted(expected) == [p.name for p in DRAFT_FILES]


@pytest.mark.parametrize("path", DRAFT_FILES, ids=lambda p: p.name)
def test_draft_findings(path: Path) -> None:
    expected = yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))[path.name]
    errors, others = findings(path)
    assert errors == expected["errors"]
    missing = [item for item in expected["also"] if item not in others]
    assert not missing, f"expected warnings/info no longer reported: {missing}"


def test_careful_explainer_is_clean() -> None:
    """The careful draft carries every caveat and makes no promise: nothing to report."""
    errors, others = findings(DRAFTS / "careful-islet-explainer.md")
    assert errors == [] and others == []


def test_clinic_advert_is_rejected_on_every_kind_of_claim() -> None:
    errors, _ = findings(DRAFTS / "clinic-advert.md")
    codes = {item.split()[0] for item in errors}
    # a guaranteed cure, "proven", "no adverse reactions", "get rid of insulin", "Absolutely."
    assert {"HW101", "HW102", "HW103", "HW106", "HW107"} <= codes
    assert {"HW201", "HW202", "HW203"} <= codes  # and no caveat at all


def test_news_report_words_in_warnings_and_questions_are_not_claims() -> None:
    errors, _ = findings(DRAFTS / "news-report.html")
    assert not [e for e in errors if e.startswith("HW1")]
