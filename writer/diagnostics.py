"""The one diagnostic model that every rule produces and every output format renders.

The JSON keys of :meth:`Diagnostic.to_json` are a public interface: keep them stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered so that ``severity >= threshold`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {value!r} (expected error, warning or info)"
            ) from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Edit:
    """Replace source[start:end] with ``text`` (character offsets in the original file)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a finding. ``safe`` fixes do not change the article's meaning."""

    edits: tuple[Edit, ...]
    safe: bool
    description: str


@dataclass
class Diagnostic:
    """One finding, with 1-based line/column positions in the original file.

    ``end_column`` is exclusive (points one past the last character), as in LSP and ruff.
    """

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule: str
    name: str
    category: str
    severity: Severity
    message: str
    suggestion: str | None = None
    fix: Fix | None = field(default=None, compare=False)
    # Character offsets in the original source; used by fixes and the HTML report.
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "rule": self.rule,
            "name": self.name,
            "category": self.category,
            "severity": str(self.severity),
            "message": self.message,
        }
        if self.suggestion is not None:
            data["suggestion"] = self.suggestion
        return data


@dataclass
class InputError:
    """A problem with an input (file, config, rule pack) rather than with the prose.

    Reported once, makes the run exit 2, and never stops the other files being linted.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class WriterError(Exception):
    """Raised for input problems; carries an :class:`InputError`."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error
