"""Rule packs: users add their own; a broken pack is reported with file and line."""

from __future__ import annotations

from pathlib import Path

from writer.rules.packs import load_rules

VALID = """\
pack: house-style
rules:
  - code: XY101
    name: no-wonder-drug
    kind: engine
    category: house
    severity: warning
    message: Say what the drug does instead.
    why: Hype words tell the reader nothing.
    source: Our house style guide.
    examples:
      flagged: ["wonder drug"]
      passing: ["a drug"]
"""


def test_builtin_packs_load_cleanly() -> None:
    ruleset, errors = load_rules()
    assert errors == []
    codes = [rule.code for rule in ruleset]
    assert len(codes) == len(set(codes))
    categories = {rule.category for rule in ruleset}
    assert {"claims", "caveats", "readability", "plain-language", "promotion"} <= categories


def test_user_pack_is_added(tmp_path: Path) -> None:
    (tmp_path / "house.yml").write_text(VALID)
    ruleset, errors = load_rules([tmp_path])
    assert errors == []
    assert ruleset.find("no-wonder-drug") is not None


def test_broken_yaml_names_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yml").write_text("pack: x\nrules:\n  - code: [unclosed\n")
    ruleset, errors = load_rules([tmp_path])
    assert len(errors) == 1
    assert errors[0].path.endswith("broken.yml") and errors[0].line is not None
    assert ruleset.find("missing-medication-caveat") is not None  # built-ins still load


def test_bad_rule_fields(tmp_path: Path) -> None:
    text = VALID.replace("severity: warning", "severity: loud").replace("XY101", "xy-1")
    (tmp_path / "bad.yml").write_text(text)
    _, errors = load_rules([tmp_path])
    assert len(errors) == 1
    assert errors[0].line == 3 and "must be capital letters then digits" in errors[0].message


def test_unknown_kind_and_key(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(VALID.replace("kind: engine", "kind: magic"))
    (tmp_path / "b.yml").write_text(
        VALID.replace("XY101", "XY102").replace("no-wonder", "no-miracle")
        + "    colour: red\n"
    )
    _, errors = load_rules([tmp_path])
    messages = sorted(e.message for e in errors)
    assert any("unknown rule kind 'magic'" in m for m in messages)
    assert any("unknown key 'colour'" in m for m in messages)


def test_duplicate_code_is_reported(tmp_path: Path) -> None:
    (tmp_path / "dup.yml").write_text(VALID.replace("XY101", "HW001"))
    _, errors = load_rules([tmp_path])
    assert any("clashes with" in e.message for e in errors)


def test_missing_directory(tmp_path: Path) -> None:
    _, errors = load_rules([tmp_path / "nope"])
    assert errors and "not found" in errors[0].message


def test_user_pack_from_config(run, write, tmp_path: Path) -> None:
    write("rules/house.yml", VALID)
    write("writer.toml", 'rule-packs = ["rules"]\n')
    draft = write("a.md", "Plain words.\n")
    result = run("rule", "no-wonder-drug")
    assert result.exit_code == 2  # `writer rule` shows built-ins only without config
    result = run("lint", "--select", "XY101", str(draft))
    assert result.exit_code == 0, result.output
