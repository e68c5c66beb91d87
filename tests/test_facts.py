"""Facts files: validation with file:line:column errors, balance rules, JSON, the schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.test_facts_support import EXAMPLES, REPO, minimal_facts
from writer.cli import main
from writer.generate.load import FactsError, load_facts, load_text
from writer.generate.schema import schema_text

SCHEMA_FILE = REPO / "schemas" / "facts.schema.json"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def errors_of(text: str, name: str = "f.yml", fmt: str = "yaml") -> list[str]:
    with pytest.raises(FactsError) as caught:
        load_text(text, name, fmt)
    return [str(e) for e in caught.value.errors]


def dump(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yml")), ids=lambda p: p.stem)
def test_examples_are_valid(path: Path) -> None:
    result = run("facts", "check", str(path))
    assert result.exit_code == 0, result.stderr
    assert f"{path}: ok" in result.stdout


def test_there_are_three_examples_on_different_treatments() -> None:
    names = {load_facts(p).intervention.name for p in EXAMPLES.glob("*.yml")}
    conditions = {load_facts(p).condition.name for p in EXAMPLES.glob("*.yml")}
    assert len(names) >= 3 and len(conditions) >= 3
    assert any("diabetes" not in c for c in conditions)


def test_wrong_value_names_file_line_column_field_and_expectation() -> None:
    text = dump(minimal_facts()).replace("certainty: moderate", "certainty: medium", 1)
    line = text.splitlines().index("  certainty: medium") + 1
    assert errors_of(text) == [
        f"f.yml:{line}:3: evidence[0].certainty: expected 'high', 'moderate', 'low' or "
        "'very low', got 'medium'"
    ]


def test_unknown_field_lists_the_known_ones() -> None:
    data = minimal_facts()
    data["cost"]["price"] = 9
    (error,) = errors_of(dump(data))
    assert "cost.price: unknown field (expected one of: summary, availability)" in error


def test_missing_field_is_reported_at_its_parent_with_a_hint() -> None:
    data = minimal_facts()
    del data["intervention"]["description"]
    text = dump(data)
    (error,) = errors_of(text)
    assert error.startswith("f.yml:1:1: intervention.description: required field is missing (")
    assert "short sentences" in error


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    data = minimal_facts()
    data["evidence"][0]["size"] = 0
    data["status"][0]["status"] = "allowed"
    data["last_reviewed"] = "2025-13-01"
    errors = errors_of(dump(data))
    assert [e.split(": ", 2)[1] for e in errors] == [
        "status[0].status",
        "evidence[0].size",
        "last_reviewed",
    ]
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == sorted(lines)
    assert "got '2025-13-01'" in errors[-1]


def test_benefits_without_harms_are_refused_with_the_reason() -> None:
    (error,) = errors_of(dump(minimal_facts(harms=[])))
    assert "benefits: benefits are listed but no harms" in error
    assert "weigh" in error


def test_no_sources_is_refused_with_the_reason() -> None:
    data = minimal_facts(sources=[], evidence=[])
    del data["benefits"][0]["source"]
    (error,) = errors_of(dump(data))
    assert "sources: no sources" in error and "dated source" in error


def test_balance_problems_come_with_other_field_errors() -> None:
    data = minimal_facts(harms=[])
    del data["sources"]
    data["audience"] = "everyone"
    errors = " | ".join(errors_of(dump(data)))
    assert "audience: expected" in errors
    assert "no harms" in errors and "no sources" in errors


def test_no_benefits_and_no_harms_is_allowed() -> None:
    facts = load_text(dump(minimal_facts(benefits=[], harms=[])), "f.yml")
    assert facts.harms == []


def test_citations_must_name_a_listed_source() -> None:
    data = minimal_facts()
    data["evidence"][0]["source"] = "nope"
    text = dump(data)
    line = text.splitlines().index("  source: nope") + 1
    (error,) = errors_of(text)
    assert error == (
        f"f.yml:{line}:3: evidence[0].source: 'nope' is not the id of a source (known ids: s1)"
    )


def test_frequency_needs_a_consistent_form() -> None:
    data = minimal_facts()
    data["benefits"][0]["with_treatment"] = {"events": 50, "people": 40}
    (error,) = errors_of(dump(data))
    assert "benefits[0].with_treatment: events (50) cannot be more than people (40)" in error
    data["benefits"][0]["with_treatment"] = {"events": 5}
    (error,) = errors_of(dump(data))
    assert "give both events and people" in error


def test_publication_date_may_be_a_year_month_or_day() -> None:
    for value in (2024, "2024-05", "2024-05-17"):
        data = minimal_facts()
        data["sources"][0]["published"] = value
        assert load_text(dump(data), "f.yml").sources[0].published == str(value)
    data["sources"][0]["published"] = "May 2024"
    (error,) = errors_of(dump(data))
    assert "sources[0].published: expected publication date: a year (2024)" in error


def test_malformed_yaml_names_line_and_column() -> None:
    (error,) = errors_of("intervention:\n  name: [open\n")
    assert error.startswith("f.yml:3:1: invalid YAML:")


def test_duplicate_keys_are_errors() -> None:
    (error,) = errors_of("last_reviewed: 2025-01-01\nlast_reviewed: 2025-02-01\n")
    assert error == "f.yml:2:1: duplicate key 'last_reviewed'"


def test_empty_and_non_mapping_files() -> None:
    assert errors_of("") == ["f.yml:1:1: the facts file is empty"]
    assert "must be a mapping" in errors_of("- a\n- b\n")[0]


def test_long_text_is_collapsed_to_one_line() -> None:
    data = minimal_facts()
    data["standard_care"] = "Most people\n  use drops.\n\n# not a heading"
    facts = load_text(dump(data), "f.yml")
    assert facts.standard_care == "Most people use drops. # not a heading"


def test_json_is_accepted_with_positions() -> None:
    text = json.dumps(minimal_facts(), indent=2)
    assert load_text(text, "f.json", "json").condition.name == "dry eye"
    bad = text.replace('"certainty": "moderate"', '"certainty": "sure"', 1)
    line = next(i for i, row in enumerate(bad.splitlines(), 1) if '"sure"' in row)
    (error,) = errors_of(bad, "f.json", "json")
    assert error.startswith(f"f.json:{line}:7: evidence[0].certainty: expected 'high'")


def test_json_may_name_its_schema_for_editors() -> None:
    data = {"$schema": "../../schemas/facts.schema.json", **minimal_facts()}
    assert load_text(json.dumps(data), "f.json", "json").schema_ == data["$schema"]


def test_json_syntax_error_names_line_and_column() -> None:
    (error,) = errors_of('{"a": 1,\n "b": }', "f.json", "json")
    assert error == "f.json:2:7: invalid JSON: Expecting value"


def test_check_reports_every_file_and_exits_2(tmp_path: Path) -> None:
    good = tmp_path / "good.yml"
    good.write_text(dump(minimal_facts()), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(minimal_facts(harms=[])), encoding="utf-8")
    result = run("facts", "check", str(bad), str(good), str(tmp_path / "missing.yml"))
    assert result.exit_code == 2
    assert f"{good}: ok" in result.stdout
    assert f"writer: error: {bad}:1:" in result.stderr and "no harms" in result.stderr
    assert f"{tmp_path / 'missing.yml'}: file not found" in result.stderr


def test_published_schema_is_in_sync_with_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "schemas/facts.schema.json is stale: run "
        "`writer facts schema -o schemas/facts.schema.json`"
    )
    result = run("facts", "schema")
    assert result.exit_code == 0 and result.stdout == schema_text()


def _as_json_data(path: Path) -> object:
    """YAML dates become strings, as an editor's YAML language server sees them."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def test_examples_validate_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in EXAMPLES.glob("*.yml"):
        assert not list(validator.iter_errors(_as_json_data(path))), path


def test_published_schema_refuses_unbalanced_facts() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text("utf-8")))
    assert not list(validator.iter_errors(minimal_facts()))
    assert list(validator.iter_errors(minimal_facts(harms=[])))
    no_sources = minimal_facts()
    del no_sources["sources"]
    assert list(validator.iter_errors(no_sources))
    assert list(validator.iter_errors(minimal_facts(sources=[])))
