"""``--format junit``: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).

One ``<testsuite>`` per draft; each finding is a ``<testcase>`` with a ``<failure>`` (its type
is the severity), a clean draft is one passing test case, and an input problem (unreadable
file, bad configuration) is an ``<error>``. Suites are streamed one by one so memory stays
flat; the root carries no totals because they are not known until the end.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from writer.diagnostics import Diagnostic, InputError
from writer.output import Renderer, Summary

if TYPE_CHECKING:
    from writer.runner import FileResult

# Characters XML 1.0 cannot carry at all (drafts may contain stray control characters).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
SUITES = "health-writer"


def clean(text: str) -> str:
    return _INVALID_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _failure_text(diag: Diagnostic) -> str:
    lines = [
        f"{diag.path}:{diag.line}:{diag.column}: {diag.rule} [{diag.severity}] {diag.name}",
        diag.message,
    ]
    if diag.suggestion:
        lines.append(f"Suggestion: {diag.suggestion}")
    return "\n".join(lines)


def testsuite(path: str, diagnostics: list[Diagnostic], errors: list[InputError]) -> ET.Element:
    """The suite for one draft."""
    suite = ET.Element(
        "testsuite",
        name=clean(path),
        tests=str(max(1, len(diagnostics) + len(errors))),
        failures=str(len(diagnostics)),
        errors=str(len(errors)),
        skipped="0",
    )
    classname = clean(path)
    for error in errors:
        case = ET.SubElement(suite, "testcase", classname=classname, name="input")
        element = ET.SubElement(case, "error", message=clean(error.message), type="input-error")
        element.text = clean(str(error))
    for diag in diagnostics:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=classname,
            name=clean(f"{diag.rule} {diag.name} at {diag.line}:{diag.column}"),
            file=classname,
            line=str(diag.line),
        )
        element = ET.SubElement(
            case, "failure", message=clean(diag.message), type=str(diag.severity)
        )
        element.text = clean(_failure_text(diag))
    if not diagnostics and not errors:
        ET.SubElement(suite, "testcase", classname=classname, name="health-writer lint")
    return suite


class JunitRenderer(Renderer):
    _started = False

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            self.out.write(f'<testsuites name="{SUITES}">\n')

    def file(self, result: FileResult) -> None:
        self._start()
        suite = testsuite(result.path, result.diagnostics, result.errors)
        ET.indent(suite, space="  ", level=1)
        self.out.write("  " + ET.tostring(suite, encoding="unicode") + "\n")

    def finish(self, summary: Summary) -> None:
        self._start()
        self.out.write("</testsuites>\n")
