"""Readable terminal output: ``path:line:col: CODE [severity] name: message`` + the line.

Also the terminal niceties every format shares: whether to colour, the per-rule statistics
table, and a progress line for long runs. Colour and progress only ever go to a terminal, so
logs, pipes and files stay plain text.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from writer.diagnostics import Diagnostic, Severity
from writer.output import Renderer, Summary

if TYPE_CHECKING:
    from writer.runner import FileResult

PROGRESS_MIN_FILES = 20  # fewer drafts lint in well under a second: no bar
COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
BOLD, DIM, GREEN = "1", "2", "32"


def use_color(choice: str, stream: IO[str]) -> bool:
    """``--color auto|always|never``. Auto: only on a terminal, and never when NO_COLOR is set.

    An explicit ``always`` wins over NO_COLOR (no-color.org: command-line flags override it).
    """
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, code: str, enabled: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if enabled else text


def statistics_table(summary: Summary, color: bool = False) -> str:
    """Counts per rule, most frequent first: which rules a team trips over most."""
    if not summary.per_rule:
        return ""
    rows = sorted(summary.per_rule.items(), key=lambda kv: (-kv[1], kv[0]))
    width = max(len(code) for (code, _), _ in rows)
    lines = [paint(f"{'count':>6}  {'rule':<{width}}  name", BOLD, color)]
    for (code, name), count in rows:
        lines.append(f"{count:>6}  {code:<{width}}  {name}")
    total = sum(summary.per_rule.values())
    lines.append(paint(f"{total:>6}  {'':<{width}}  total", BOLD, color))
    return "\n".join(lines) + "\n"


def summary_line(summary: Summary, color: bool = False) -> str:
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        name = str(severity)
        count = summary.counts.get(name, 0)
        noun = name if count == 1 or severity is Severity.INFO else name + "s"
        parts.append(paint(f"{count} {noun}", COLORS[severity], color and count > 0))
    noun = "file" if summary.files == 1 else "files"
    line = f"Checked {summary.files} {noun}: " + ", ".join(parts)
    if summary.input_errors:
        errors = f"{summary.input_errors} input error(s)"
        line += "; " + paint(errors, COLORS[Severity.ERROR], color)
    return line + "."


class TextRenderer(Renderer):
    def _c(self, text: str, code: str) -> str:
        return paint(text, code, self.options.color)

    def file(self, result: FileResult) -> None:
        if result.diagnostics:  # one write per file: thousands of findings, fewer calls
            self.out.write("".join(self.format(d, result) + "\n" for d in result.diagnostics))

    def format(self, diag: Diagnostic, result: FileResult) -> str:
        color = COLORS[diag.severity]
        head = (
            f"{self._c(diag.path, BOLD)}:{diag.line}:{diag.column}: "
            f"{self._c(diag.rule, color)} [{self._c(str(diag.severity), color)}] "
            f"{self._c(diag.name, BOLD)}: {diag.message}"
        )
        lines = [head]
        doc = result.document
        if self.options.show_source and doc is not None:
            text = doc.line_text(diag.line).expandtabs(1)
            gutter = f"{diag.line:>5} | "
            lines.append(self._c(gutter, DIM) + text)
            if diag.end_line == diag.line:
                width = diag.end_column - diag.column
            else:
                width = len(text) - diag.column + 1
            marker = " " * (diag.column - 1) + "^" * max(1, width)
            lines.append(self._c(" " * (len(gutter) - 2) + "| ", DIM) + self._c(marker, color))
        if diag.suggestion:
            lines.append(f"      = {self._c('suggestion', GREEN)}: {diag.suggestion}")
        return "\n".join(lines)

    def finish(self, summary: Summary) -> None:
        if self.options.statistics:
            self.out.write(statistics_table(summary, self.options.color))
        if self.options.quiet:
            return  # quiet: the findings only, and nothing at all on a clean run
        self.out.write(summary_line(summary, self.options.color) + "\n")


class Progress:
    """A one-line progress bar on a terminal's stderr for long runs.

    It appears only once a run has taken ``delay`` seconds (short runs never flicker), is
    redrawn at most every ``interval`` seconds, and is cleared before anything else is
    written to the terminal so that findings never land in the middle of the bar.
    """

    def __init__(
        self, stream: IO[str], total: int, delay: float = 0.5, interval: float = 0.1
    ) -> None:
        self.stream = stream
        self.total = max(total, 1)
        self.done = 0
        self.delay = delay
        self.interval = interval
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.visible = False

    def render(self) -> str:
        import shutil  # only for the progress bar (shutil costs ~2 ms to import)

        columns = shutil.get_terminal_size((80, 24)).columns
        label = f" {self.done}/{self.total} files"
        width = max(10, min(40, columns - len(label) - 3))
        filled = int(width * min(self.done, self.total) / self.total)
        return ("[" + "#" * filled + "-" * (width - filled) + "]" + label)[: columns - 1]

    def clear(self) -> None:
        if self.visible:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.visible = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self.started < self.delay:
            return
        if self.visible and now - self.drawn_at < self.interval:
            return
        self.drawn_at = now
        self.stream.write("\r" + self.render())
        self.stream.flush()
        self.visible = True

    def close(self) -> None:
        self.clear()


def open_progress(paths: Sequence[str], stream: IO[str] | None = None) -> Progress | None:
    """A progress bar for a long run on a terminal, or None.

    Only when stderr is a terminal, outside pre-commit (which captures hook output through a
    pseudo-terminal and would print the bar's redraws) and CI logs, and with many drafts.
    """
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()) or os.environ.get("PRE_COMMIT") or os.environ.get("CI"):
        return None
    if os.environ.get("TERM") == "dumb":
        return None
    from writer.sources import expand

    total = sum(1 for _ in expand(list(paths)))
    return Progress(stream, total) if total >= PROGRESS_MIN_FILES else None
