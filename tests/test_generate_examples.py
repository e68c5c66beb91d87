"""The generated examples in examples/generated/ are kept up to date with their facts.

Each facts file in examples/facts/ is generated with every template and format and compared
with the committed output. After changing templates, wording or facts, regenerate with:

    UPDATE_GENERATED=1 python -m pytest tests/test_generate_examples.py

(or one at a time: writer generate FACTS --template T --format F -o examples/generated/...).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_facts_support import EXAMPLES, GENERATED
from writer.generate import TEMPLATES
from writer.generate.atomic import write_atomic
from writer.generate.load import load_facts
from writer.generate.pipeline import generate

FORMATS = ("md", "html")
UPDATE = os.environ.get("UPDATE_GENERATED") == "1"


def output_name(facts_path: Path, template: str, fmt: str) -> str:
    return f"{facts_path.stem}.{template}.{fmt}"


CASES = [
    (path, template, fmt)
    for path in sorted(EXAMPLES.glob("*.yml"))
    for template in TEMPLATES
    for fmt in FORMATS
]


@pytest.mark.parametrize(
    "facts_path,template,fmt", CASES, ids=[output_name(*case) for case in CASES]
)
def test_generated_example_is_up_to_date(facts_path: Path, template: str, fmt: str) -> None:
    result = generate(load_facts(facts_path), template, fmt)
    assert not result.errors, [f"{d.rule} {d.message}" for d in result.errors]
    target = GENERATED / output_name(facts_path, template, fmt)
    if UPDATE:
        write_atomic(target, result.text)
    assert target.is_file(), f"{target} is missing; regenerate (see this module's docstring)"
    assert target.read_text(encoding="utf-8") == result.text, (
        f"{target.name} is out of date; regenerate (see this module's docstring)"
    )


def test_no_stale_generated_files() -> None:
    expected = {output_name(*case) for case in CASES}
    present = {p.name for p in GENERATED.iterdir() if p.is_file()}
    assert present == expected, f"unexpected: {sorted(present - expected)}"
