"""``--format github``: GitHub Actions workflow commands, shown as annotations on the diff.

    ::error file=news/a.md,line=3,col=5,endLine=3,endColumn=19,title=HW101 guaranteed-outcome::...

Escaping follows the Actions runner (``ActionCommand``): in the message ``%``, CR and LF are
percent-encoded; in properties ``:`` and ``,`` are too, or they would end the property.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from writer.diagnostics import Diagnostic, InputError, Severity
from writer.output import Renderer
from writer.output.sarif import relative_path

if TYPE_CHECKING:
    from writer.runner import FileResult

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    head = f"{name} {props}" if props else name
    return f"::{head}::{escape_data(message)}"


def _file(path: str) -> str:
    # Annotations attach to files by their path relative to the workspace (the checkout).
    return relative_path(path) or path


def annotation(diag: Diagnostic) -> str:
    message = diag.message
    if diag.suggestion:
        message += f"\nSuggestion: {diag.suggestion}"
    return command(
        COMMANDS[diag.severity],
        {
            "file": _file(diag.path),
            "line": diag.line,
            "col": diag.column,
            "endLine": diag.end_line,
            "endColumn": diag.end_column,
            "title": f"{diag.rule} {diag.name}",
        },
        message,
    )


def error_annotation(error: InputError) -> str:
    properties: dict[str, object] = {"file": _file(error.path)}
    if error.line is not None:
        properties["line"] = error.line
        if error.column is not None:
            properties["col"] = error.column
    properties["title"] = "input error"
    return command("error", properties, f"{error.path}: {error.message}")


class GithubRenderer(Renderer):
    def file(self, result: FileResult) -> None:
        for diag in result.diagnostics:
            self.out.write(annotation(diag) + "\n")
        for error in result.errors:
            self.out.write(error_annotation(error) + "\n")
