"""Readable terminal output: ``path:line:col: CODE [severity] name: message`` + the line."""

from __future__ import annotations

from writer.diagnostics import Diagnostic, Severity
from writer.output import Renderer, Summary
from writer.runner import FileResult

COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


class TextRenderer(Renderer):
    def _c(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.options.color else text

    def file(self, result: FileResult) -> None:
        if self.options.quiet:
            return
        for diag in result.diagnostics:
            self.out.write(self.format(diag, result) + "\n")

    def format(self, diag: Diagnostic, result: FileResult) -> str:
        head = (
            f"{self._c(diag.path, '1')}:{diag.line}:{diag.column}: "
            f"{self._c(diag.rule, COLORS[diag.severity])} [{diag.severity}] {diag.name}: "
            f"{diag.message}"
        )
        lines = [head]
        doc = result.document
        if self.options.show_source and doc is not None:
            text = doc.line_text(diag.line).expandtabs(1)
            gutter = f"{diag.line:>5} | "
            lines.append(gutter + text)
            width = (
                diag.end_column - diag.column if diag.end_line == diag.line else len(text) - diag.column + 1
            )
            marker = " " * (diag.column - 1) + "^" * max(1, width)
            lines.append(" " * (len(gutter) - 2) + "| " + self._c(marker, COLORS[diag.severity]))
        if diag.suggestion:
            lines.append(f"      = suggestion: {diag.suggestion}")
        return "\n".join(lines)

    def finish(self, summary: Summary) -> None:
        if self.options.statistics and summary.per_rule:
            for (code, name), count in sorted(summary.per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
                self.out.write(f"{count:>6}  {code}  {name}\n")
        total = sum(summary.counts.values())
        if self.options.quiet and not total:
            return
        parts = [f"{summary.counts.get(s, 0)} {s}" for s in ("error", "warning", "info")]
        noun = "file" if summary.files == 1 else "files"
        line = f"Checked {summary.files} {noun}: " + ", ".join(parts)
        if summary.input_errors:
            line += f"; {summary.input_errors} input error(s)"
        self.out.write(line + ".\n")
