"""Configuration: ``[tool.writer]`` in ``pyproject.toml`` or a ``writer.toml``.

The nearest file searching upward from each linted file wins (like ruff). Unknown keys,
wrong types and unknown rule selectors are errors that name the file and line.

Keys (kebab-case)::

    select = ["claims", "HW2"]        # codes, code prefixes, names or categories; default all
    ignore = ["plain-language"]
    severity = { long-sentence = "info" }
    fail-on = "error"                 # error | warning | info | never
    audience = "general"              # general (grade 8) | patients (grade 6) | professional (12)
    target-grade = 8                  # overrides the audience's grade
    rule-packs = ["style/rules"]      # extra folders of *.yml packs, relative to this file
    exclude = ["drafts/old/**"]       # skipped when walking folders
    caveat-position = "end"           # where --fix inserts missing caveats: end | after-title
    jobs = 0                          # 0: all cores
    grammar = false                   # false | true | "require"
    [tool.writer.languagetool]        # see README: url, jar-dir, language, public-api,
                                      # disabled-rules, vocabulary
    [[tool.writer.overrides]]
    files = ["news/**/*.md"]          # globs relative to the config file
    ignore = ["HW301"]                # and select, severity, audience, target-grade
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from writer.diagnostics import InputError, Severity, WriterError

AUDIENCE_GRADES = {"general": 8.0, "patients": 6.0, "professional": 12.0}
CAVEAT_POSITIONS = ("end", "after-title")
LANGUAGETOOL_KEYS = {
    "url",
    "jar-dir",
    "language",
    "public-api",
    "allow-download",
    "disabled-rules",
    "vocabulary",
}
OVERRIDE_KEYS = {"files", "select", "ignore", "severity", "audience", "target-grade"}
TOP_KEYS = {
    "select",
    "ignore",
    "severity",
    "fail-on",
    "audience",
    "target-grade",
    "rule-packs",
    "exclude",
    "caveat-position",
    "jobs",
    "grammar",
    "languagetool",
    "overrides",
}


@dataclass(frozen=True)
class LanguageToolSettings:
    url: str | None = None
    jar_dir: str | None = None
    language: str = "en-US"
    public_api: bool = False
    allow_download: bool = False  # let language_tool_python fetch LanguageTool (opt-in)
    disabled_rules: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()


@dataclass(frozen=True)
class Override:
    files: tuple[str, ...]
    base: Path
    values: Mapping[str, Any]

    def applies_to(self, path: Path) -> bool:
        try:
            rel = path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return False
        return any(_glob_match(rel, pattern) for pattern in self.files)


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = Severity.ERROR
    audience: str = "general"
    target_grade: float | None = None
    rule_packs: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    caveat_position: str = "end"
    jobs: int = 0
    grammar: str = "off"  # off | on | require
    languagetool: LanguageToolSettings = field(default_factory=LanguageToolSettings)
    overrides: tuple[Override, ...] = ()
    source: Path | None = None  # the config file these came from
    # where each key was set, for error messages about unknown rule selectors
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def grade(self) -> float:
        if self.target_grade is not None:
            return self.target_grade
        return AUDIENCE_GRADES[self.audience]

    def for_path(self, path: Path) -> Settings:
        result = self
        for override in self.overrides:
            if override.applies_to(path):
                result = _apply(result, override.values)
        return result

    def excluded(self, path: Path) -> bool:
        if not self.exclude or self.source is None:
            return False
        try:
            rel = path.resolve().relative_to(self.source.parent.resolve()).as_posix()
        except ValueError:
            return False
        return any(_glob_match(rel, pattern) for pattern in self.exclude)


def _glob_match(rel: str, pattern: str) -> bool:
    if fnmatch.fnmatch(rel, pattern):
        return True
    # "dir/**" also matches everything below dir; "**/x" also matches x at the top.
    if pattern.endswith("/**") and (rel + "/").startswith(pattern[:-2]):
        return True
    return pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:])


def _apply(settings: Settings, values: Mapping[str, Any]) -> Settings:
    changes: dict[str, Any] = {}
    if "select" in values:
        changes["select"] = tuple(values["select"])
    if "ignore" in values:
        changes["ignore"] = settings.ignore + tuple(values["ignore"])
    if "severity" in values:
        changes["severity"] = {**settings.severity, **values["severity"]}
    if "audience" in values:
        changes["audience"] = values["audience"]
    if "target-grade" in values:
        changes["target_grade"] = values["target-grade"]
    return replace(settings, **changes)


class _Where:
    def __init__(self, path: Path, text: str, table: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.table = table

    def line_of(self, key: str) -> int | None:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, line in enumerate(self.lines, 1):
            if pattern.match(line):
                return number
        return None

    def reject_unknown(self, table: Mapping[str, Any], known: set[str], within: str = "") -> None:
        """Unknown keys are errors (a typo would otherwise silently change nothing)."""
        unknown = sorted(set(table) - known)
        if unknown:
            raise self.error(
                unknown[0],
                f"unknown key {unknown[0]!r}{within} (known keys: {', '.join(sorted(known))})",
            )

    def error(self, key: str, message: str) -> WriterError:
        return WriterError(
            InputError(str(self.path), f"{self.table}: {message}", self.line_of(key))
        )


def _str_list(value: Any, key: str, where: _Where) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(key, f"'{key}' must be a list of strings")
    return tuple(value)


def _severity_map(value: Any, where: _Where) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise where.error("severity", "'severity' must be a table of rule = level")
    result = {}
    for rule, level in value.items():
        try:
            result[rule] = Severity.parse(str(level))
        except ValueError as exc:
            raise where.error(rule, str(exc)) from None
    return result


def _grade(value: Any, key: str, where: _Where) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= 20:
        raise where.error(key, f"'{key}' must be a number between 1 and 20")
    return float(value)


def _audience(value: Any, where: _Where) -> str:
    if value not in AUDIENCE_GRADES:
        raise where.error(
            "audience", f"'audience' must be one of {', '.join(AUDIENCE_GRADES)}, not {value!r}"
        )
    return str(value)


def parse_settings(table: Mapping[str, Any], path: Path, text: str, name: str) -> Settings:
    """Validate a configuration table. Raises WriterError naming file and line."""
    where = _Where(path, text, name)
    where.reject_unknown(table, TOP_KEYS)
    base = path.parent.resolve()
    values: dict[str, Any] = {"source": path}
    if "select" in table:
        values["select"] = _str_list(table["select"], "select", where)
    if "ignore" in table:
        values["ignore"] = _str_list(table["ignore"], "ignore", where)
    if "severity" in table:
        values["severity"] = _severity_map(table["severity"], where)
    if "fail-on" in table:
        level = table["fail-on"]
        if level == "never":
            values["fail_on"] = None
        else:
            try:
                values["fail_on"] = Severity.parse(str(level))
            except ValueError:
                raise where.error(
                    "fail-on", "'fail-on' must be error, warning, info or never"
                ) from None
    if "audience" in table:
        values["audience"] = _audience(table["audience"], where)
    if "target-grade" in table:
        values["target_grade"] = _grade(table["target-grade"], "target-grade", where)
    if "rule-packs" in table:
        values["rule_packs"] = tuple(
            (base / p).resolve() for p in _str_list(table["rule-packs"], "rule-packs", where)
        )
    if "exclude" in table:
        values["exclude"] = _str_list(table["exclude"], "exclude", where)
    if "caveat-position" in table:
        if table["caveat-position"] not in CAVEAT_POSITIONS:
            raise where.error(
                "caveat-position", f"'caveat-position' must be one of {', '.join(CAVEAT_POSITIONS)}"
            )
        values["caveat_position"] = table["caveat-position"]
    if "jobs" in table:
        jobs = table["jobs"]
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
            raise where.error("jobs", "'jobs' must be a whole number >= 0 (0: all cores)")
        values["jobs"] = jobs
    if "grammar" in table:
        grammar = table["grammar"]
        if grammar is True:
            values["grammar"] = "on"
        elif grammar is False:
            values["grammar"] = "off"
        elif grammar == "require":
            values["grammar"] = "require"
        else:
            raise where.error("grammar", "'grammar' must be true, false or \"require\"")
    if "languagetool" in table:
        values["languagetool"] = _languagetool(table["languagetool"], where)
    if "overrides" in table:
        values["overrides"] = _overrides(table["overrides"], base, where)
    values["key_lines"] = {k: where.line_of(k) or 0 for k in table}
    return Settings(**values)


def _languagetool(value: Any, where: _Where) -> LanguageToolSettings:
    if not isinstance(value, dict):
        raise where.error("languagetool", "'languagetool' must be a table")
    where.reject_unknown(value, LANGUAGETOOL_KEYS, " in languagetool")
    for key in ("url", "jar-dir", "language"):
        if key in value and not isinstance(value[key], str):
            raise where.error(key, f"languagetool '{key}' must be a string")
    for key in ("public-api", "allow-download"):
        if key in value and not isinstance(value[key], bool):
            raise where.error(key, f"languagetool '{key}' must be true or false")
    if "url" in value and not re.match(r"^https?://[^/\s]+", value["url"].strip()):
        raise where.error(
            "url", "languagetool 'url' must start with http:// or https:// and name a host"
        )
    if "language" in value and not value["language"].strip():
        raise where.error("language", "languagetool 'language' must name a language, e.g. en-US")
    jar_dir = value.get("jar-dir")
    if jar_dir is not None:
        # Relative to the config file, like rule-packs, so a project can ship the setting.
        jar_dir = str((where.path.parent / Path(jar_dir).expanduser()).resolve())
    return LanguageToolSettings(
        url=value.get("url"),
        jar_dir=jar_dir,
        language=value.get("language", "en-US"),
        public_api=value.get("public-api", False),
        allow_download=value.get("allow-download", False),
        disabled_rules=_str_list(value.get("disabled-rules", []), "disabled-rules", where),
        vocabulary=_str_list(value.get("vocabulary", []), "vocabulary", where),
    )


def _overrides(value: Any, base: Path, where: _Where) -> tuple[Override, ...]:
    if not isinstance(value, list):
        raise where.error("overrides", "'overrides' must be an array of tables")
    result = []
    for entry in value:
        if not isinstance(entry, dict) or "files" not in entry:
            raise where.error("overrides", "each override needs 'files' (a list of globs)")
        where.reject_unknown(entry, OVERRIDE_KEYS, " in overrides")
        values: dict[str, Any] = {}
        for key in ("select", "ignore"):
            if key in entry:
                values[key] = _str_list(entry[key], key, where)
        if "severity" in entry:
            values["severity"] = _severity_map(entry["severity"], where)
        if "audience" in entry:
            values["audience"] = _audience(entry["audience"], where)
        if "target-grade" in entry:
            values["target-grade"] = _grade(entry["target-grade"], "target-grade", where)
        result.append(
            Override(files=_str_list(entry["files"], "files", where), base=base, values=values)
        )
    return tuple(result)


def load_config_file(path: Path) -> Settings | None:
    """Settings from one file, or None if it is a pyproject.toml without [tool.writer]."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise WriterError(InputError(str(path), "config file is not valid UTF-8")) from None
    except OSError as exc:
        raise WriterError(InputError(str(path), exc.strerror or str(exc))) from None
    # Imported here: most runs find no config file and need no TOML parser (~2 ms).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        column = int(match.group(2)) if match else None
        if match is None and "end of document" in str(exc):
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise WriterError(InputError(str(path), f"invalid TOML: {exc}", line, column)) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("writer")
        if table is None:
            return None
        return parse_settings(table, path, text, "[tool.writer]")
    return parse_settings(data, path, text, path.name)


class ConfigFinder:
    """Finds and caches the configuration that applies to each file (nearest upward)."""

    def __init__(self, explicit: Path | None = None) -> None:
        self._explicit = load_config_file(explicit) if explicit else None
        if explicit and self._explicit is None:
            raise WriterError(InputError(str(explicit), "no [tool.writer] table in this file"))
        self._cache: dict[Path, Settings] = {}

    def settings_for(self, path: Path) -> Settings:
        """Settings for a file (already resolved for its overrides)."""
        if self._explicit is not None:
            return self._explicit.for_path(path)
        directory = path.resolve().parent if path.name else Path.cwd()
        return self._for_dir(directory).for_path(path)

    def _for_dir(self, directory: Path) -> Settings:
        cached = self._cache.get(directory)
        if cached is not None:
            return cached
        settings: Settings | None = None
        for name in ("writer.toml", "pyproject.toml"):
            candidate = directory / name
            if candidate.is_file():
                settings = load_config_file(candidate)
                if settings is not None:
                    break
        if settings is None:
            parent = directory.parent
            settings = Settings() if parent == directory else self._for_dir(parent)
        self._cache[directory] = settings
        return settings
