"""``--format sarif``: SARIF 2.1.0 for code-scanning services (GitHub, GitLab, Azure DevOps).

Results are streamed file by file so memory stays flat on large runs. JSON objects are
unordered, so ``results`` is written first and ``tool`` (with every rule that ran, including
rules from a configuration's extra packs) closes the run once all findings are known.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from writer import __version__
from writer.diagnostics import Diagnostic, InputError, Severity
from writer.output import Renderer, Summary

if TYPE_CHECKING:
    from writer.rules.model import Rule
    from writer.runner import FileResult

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "health-writer"
INFORMATION_URI = "https://pypi.org/project/health-writer/"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def relative_path(path: str) -> str | None:
    """The path relative to the working directory with forward slashes, or None if outside.

    Code-scanning services match results to files in the checkout by relative path.
    """
    if path.startswith("<"):  # <stdin>, <text>: not a file
        return path
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return None


def artifact_location(path: str) -> dict[str, str]:
    relative = relative_path(path)
    if relative is None:
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A reportingDescriptor: what the rule checks, why, and its default level."""
    why = " ".join(rule.why.split())
    help_parts = [why]
    if rule.suggestion:
        help_parts.append("Suggestion: " + " ".join(rule.suggestion.split()))
    help_parts.append("Source: " + " ".join(rule.source.split()))
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": " ".join(rule.message.split())},
        "fullDescription": {"text": why},
        "help": {"text": "\n\n".join(help_parts)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"category": rule.category, "tags": [rule.category], "pack": rule.pack},
    }


def _fallback_descriptor(diag: Diagnostic) -> dict[str, Any]:
    """For a rule the base rule set does not know (e.g. from a configuration's extra pack)."""
    return {
        "id": diag.rule,
        "name": diag.name,
        "shortDescription": {"text": diag.message},
        "properties": {"category": diag.category, "tags": [diag.category]},
    }


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


class SarifRenderer(Renderer):
    _started = False
    _first_result = True

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        self._index: dict[str, int] = {}
        self._rules: list[dict[str, Any]] = []
        self._notifications: list[dict[str, Any]] = []
        for rule in self.ruleset or ():
            self._add_rule(rule.code, rule_descriptor(rule))
        self.out.write(f'{{\n  "$schema": {json.dumps(SCHEMA)},\n  "version": "2.1.0",\n')
        self.out.write('  "runs": [\n    {\n      "results": [')

    def _add_rule(self, code: str, descriptor: dict[str, Any]) -> int:
        if code not in self._index:
            self._index[code] = len(self._rules)
            self._rules.append(descriptor)
        return self._index[code]

    def result(self, diag: Diagnostic) -> dict[str, Any]:
        index = self._index.get(diag.rule)
        if index is None:
            index = self._add_rule(diag.rule, _fallback_descriptor(diag))
        text = diag.message
        if diag.suggestion:
            text += f" Suggestion: {diag.suggestion}"
        result: dict[str, Any] = {
            "ruleId": diag.rule,
            "ruleIndex": index,
            "level": LEVELS[diag.severity],
            "message": {"text": text},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(diag.path),
                        "region": _region(diag.line, diag.column, diag.end_line, diag.end_column),
                    }
                }
            ],
            "properties": {"name": diag.name, "category": diag.category},
        }
        if diag.suggestion:
            result["properties"]["suggestion"] = diag.suggestion
        return result

    def notification(self, error: InputError) -> dict[str, Any]:
        item: dict[str, Any] = {"level": "error", "message": {"text": str(error)}}
        if error.line is not None or os.path.exists(error.path) or Path(error.path).suffix:
            location: dict[str, Any] = {"artifactLocation": artifact_location(error.path)}
            if error.line is not None:
                location["region"] = {"startLine": error.line}
                if error.column is not None:
                    location["region"]["startColumn"] = error.column
            item["locations"] = [{"physicalLocation": location}]
        return item

    def file(self, result: FileResult) -> None:
        self._start()
        for diag in result.diagnostics:
            self.out.write("\n        " if self._first_result else ",\n        ")
            self._first_result = False
            self.out.write(json.dumps(self.result(diag), ensure_ascii=False))
        self._notifications.extend(self.notification(error) for error in result.errors)

    def finish(self, summary: Summary) -> None:
        self._start()
        self.out.write("\n      ],\n" if not self._first_result else "],\n")
        tail = {
            "tool": {
                "driver": {
                    "name": TOOL_NAME,
                    "version": __version__,
                    "semanticVersion": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": self._rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
            "invocations": [
                {
                    "executionSuccessful": summary.input_errors == 0,
                    "toolExecutionNotifications": self._notifications,
                }
            ],
        }
        body = json.dumps(tail, ensure_ascii=False, indent=2)[1:-1].strip("\n")
        indented = "\n".join("    " + line for line in body.splitlines())
        self.out.write(indented + "\n    }\n  ]\n}\n")
