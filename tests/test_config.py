"""Configuration: discovery upward, per-path overrides, and errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CLAIM
from writer.config import ConfigFinder, Settings, load_config_file
from writer.diagnostics import Severity, WriterError


def test_nearest_config_wins(write, tmp_path: Path) -> None:
    write("pyproject.toml", '[tool.writer]\naudience = "professional"\n')
    write("sub/writer.toml", 'target-grade = 6\n')
    write("other/pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.writer]: keep looking
    finder = ConfigFinder()
    assert finder.settings_for(tmp_path / "a.md").grade == 12
    assert finder.settings_for(tmp_path / "sub" / "deeper" / "b.md").grade == 6
    assert finder.settings_for(tmp_path / "other" / "c.md").grade == 12


def test_unknown_key_names_file_and_line(write) -> None:
    path = write("pyproject.toml", '[tool.writer]\naudience = "general"\nselct = ["claims"]\n')
    with pytest.raises(WriterError) as info:
        load_config_file(path)
    error = info.value.error
    assert (error.path, error.line) == (str(path), 3)
    assert "unknown key 'selct'" in error.message


@pytest.mark.parametrize(
    "body,message",
    [
        ('audience = "kids"', "'audience' must be one of"),
        ("target-grade = 40", "between 1 and 20"),
        ('fail-on = "sometimes"', "'fail-on' must be"),
        ('severity = { HW101 = "fatal" }', "unknown severity"),
        ("grammar = 3", "'grammar' must be"),
        ('[languagetool]\nurl = 5', "must be a string"),
        ('[[overrides]]\nfiles = ["x/**"]\ncolour = 1', "unknown key 'colour' in overrides"),
    ],
)
def test_bad_values_are_errors(write, body: str, message: str) -> None:
    path = write("writer.toml", body + "\n")
    with pytest.raises(WriterError) as info:
        load_config_file(path)
    assert message in info.value.error.message


def test_invalid_toml_reports_line(write) -> None:
    path = write("writer.toml", 'audience = "general"\nselect = [\n')
    with pytest.raises(WriterError) as info:
        load_config_file(path)
    assert info.value.error.line is not None
    assert "invalid TOML" in info.value.error.message


def test_overrides_apply_per_path(write, tmp_path: Path) -> None:
    write(
        "writer.toml",
        'ignore = ["plain-language"]\n'
        '[[overrides]]\nfiles = ["news/**"]\nignore = ["readability"]\n'
        'severity = { claims = "warning" }\n',
    )
    finder = ConfigFinder()
    news = finder.settings_for(tmp_path / "news" / "today.md")
    other = finder.settings_for(tmp_path / "blog" / "post.md")
    assert news.ignore == ("plain-language", "readability")
    assert news.severity == {"claims": Severity.WARNING}
    assert other.ignore == ("plain-language",) and not other.severity


def test_unknown_rule_in_config_is_an_error_with_line(run, write, tmp_path: Path) -> None:
    write("writer.toml", 'audience = "general"\nignore = ["no-such-rule"]\n')
    draft = write("a.md", CLAIM)
    result = run("lint", "--select", "claims", str(draft))
    assert result.exit_code == 2
    where = tmp_path / "writer.toml"
    assert f"{where}:2: 'ignore' names unknown rule 'no-such-rule'" in result.stderr
    assert f"{draft}:1:" in result.stdout  # linting still happened


def test_bad_config_does_not_stop_other_files(run, write, tmp_path: Path) -> None:
    write("broken/writer.toml", "audience = \n")
    broken = write("broken/a.md", CLAIM)
    fine = write("fine/b.md", CLAIM)
    result = run("lint", "--select", "claims", str(broken), str(fine))
    assert result.exit_code == 2
    assert "invalid TOML" in result.stderr
    assert f"{fine}:1:" in result.stdout


def test_config_severity_and_fail_on(run, write) -> None:
    write("writer.toml", 'severity = { claims = "warning" }\n')
    draft = write("a.md", CLAIM)
    result = run("lint", "--select", "claims", str(draft))
    assert "[warning]" in result.stdout
    assert result.exit_code == 0


def test_defaults() -> None:
    settings = Settings()
    assert settings.grade == 8 and settings.fail_on == Severity.ERROR and settings.grammar == "off"
