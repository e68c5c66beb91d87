"""``--format html``: one self-contained page an editor can open without a terminal.

Each draft's source is shown with the findings highlighted in place (``<mark>`` elements that
name their findings in ``data-findings``) and explained beside it, with the draft's
readability figures. Everything from a draft is escaped: drafts may contain ``<script>``.
The page loads nothing from outside (inline CSS and JS, and a Content-Security-Policy that
forbids fetching and runs no script but ours, by hash), so it works offline and can be
archived or mailed as one file.

Drafts are written out one by one as they are linted (memory stays flat); the summary comes
last in the file and is moved to the top by CSS.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from writer import __version__
from writer.diagnostics import Diagnostic, Severity
from writer.output import Renderer, Summary

if TYPE_CHECKING:
    from writer.document.model import Document
    from writer.runner import FileResult

ASSETS = Path(__file__).resolve().parent / "report"


def _esc(text: str) -> str:
    # CR is dropped: HTML parsing turns it into a line break of its own.
    return html.escape(text.replace("\r", ""), quote=True)


def _open_mark(active: dict[str, Severity], classes: str) -> str:
    worst = max(active.values())
    return (
        f'<mark class="{classes} sev-{worst}" data-findings="{" ".join(active)}" '
        f'data-severity="{worst}">'
    )


def marked_source(source: str, spans: list[tuple[str, int, int, Severity]]) -> str:
    """The source as HTML lines, with ``<mark>`` around every stretch covered by findings.

    ``spans`` are (finding id, start, end, severity) in source offsets. Overlapping findings
    are split into segments that each list every finding covering them, so each finding is
    reachable from at least one mark; a zero-width finding becomes an empty point mark, and a
    line break inside a finding an empty end-of-line mark (CSS draws both).
    """
    length = len(source)
    starts: dict[int, list[tuple[str, Severity]]] = defaultdict(list)
    ends: dict[int, list[str]] = defaultdict(list)
    points: dict[int, list[tuple[str, Severity]]] = defaultdict(list)
    for ident, start, end, severity in spans:
        start = min(max(start, 0), length)
        end = min(max(end, start), length)
        if end == start:
            points[start].append((ident, severity))
        else:
            starts[start].append((ident, severity))
            ends[end].append(ident)
    cuts = {0, length, *starts, *ends, *points}
    index = source.find("\n")
    while index != -1:
        cuts.add(index)
        cuts.add(index + 1)
        index = source.find("\n", index + 1)
    ordered = sorted(cuts)
    active: dict[str, Severity] = {}
    out: list[str] = ['<span class="line">']
    for position, stop in zip(ordered, ordered[1:] + [length], strict=True):
        for ident in ends.get(position, ()):
            active.pop(ident, None)
        for ident, severity in starts.get(position, ()):
            active[ident] = severity
        for ident, severity in points.get(position, ()):
            out.append(
                f'<mark class="hl point sev-{severity}" data-findings="{ident}" '
                f'data-severity="{severity}"></mark>'
            )
        if stop <= position:
            continue
        text = source[position:stop]
        if text == "\n":
            if active:  # the highlight goes on past the line end (and may cover only that)
                out.append(_open_mark(active, "hl eol") + "</mark>")
            out.append('\n</span><span class="line">' if stop < length else "\n")
        elif active:
            out.append(_open_mark(active, "hl") + _esc(text) + "</mark>")
        else:
            out.append(_esc(text))
    out.append("</span>")
    return "".join(out)  # a final newline ends the last line: no empty line after it


READABILITY_FIELDS = (  # (attribute of writer.readability's figures, label, is a score)
    ("grade", "Reading grade", True),
    ("fk_grade", "Flesch-Kincaid grade", True),
    ("smog", "SMOG grade", True),
    ("reading_ease", "Reading ease (0-100)", True),
    ("sentences", "Sentences", False),
)


def readability_figures(doc: Document) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, value) pairs and notes (why a score is missing) for the draft's prose.

    Uses ``writer.readability.measure``, the same figures the readability rules judge by.
    """
    try:
        from writer.readability import measure

        figures = measure(doc)
    except ImportError:  # an installation without the readability module or its parts
        return [], ["Readability figures are not available in this installation."]
    items = []
    for attribute, label, score in READABILITY_FIELDS:
        value = getattr(figures, attribute, None)
        if value is None and not score:
            continue
        if value is None or (isinstance(value, float) and math.isnan(value)):
            items.append((label, "—"))
        else:
            items.append((label, f"{value:.1f}" if isinstance(value, float) else str(value)))
    return items, [str(note) for note in getattr(figures, "notes", ())]


class HtmlReportRenderer(Renderer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._started = False
        self._count = 0
        self._files: list[dict[str, Any]] = []  # a few counts per draft, for the summary
        self._js = ""

    def _macros(self) -> Any:
        if not hasattr(self, "_module"):
            import jinja2
            import markupsafe

            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(str(ASSETS)),
                autoescape=True,
                trim_blocks=True,
                lstrip_blocks=True,
                undefined=jinja2.StrictUndefined,
            )
            self._module = env.get_template("report.html.j2").module
            self._markup = markupsafe.Markup
        return self._module

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        macros = self._macros()
        css = (ASSETS / "report.css").read_text(encoding="utf-8")
        self._js = (ASSETS / "report.js").read_text(encoding="utf-8")
        # Only our own script may run, even if a draft's text ever slipped through unescaped.
        digest = base64.b64encode(hashlib.sha256(self._js.encode("utf-8")).digest()).decode()
        self.out.write(
            str(macros.head(css=self._markup(css), version=__version__, script_hash=digest))
        )

    def _why(self, diag: Diagnostic) -> tuple[str, str]:
        rule = self.ruleset.find(diag.rule) if self.ruleset is not None else None
        if rule is None:
            return "", ""
        return " ".join(rule.why.split()), " ".join(rule.source.split())

    def file(self, result: FileResult) -> None:
        self._start()
        self._count += 1
        file_id = f"f{self._count}"
        findings: list[dict[str, Any]] = []
        spans: list[tuple[str, int, int, Severity]] = []
        for number, diag in enumerate(result.diagnostics, 1):
            why, source = self._why(diag)
            findings.append(
                {
                    "id": f"{file_id}-d{number}",
                    "diag": diag,
                    "severity": str(diag.severity),
                    "why": why,
                    "source": source,
                }
            )
            spans.append((findings[-1]["id"], diag.start, diag.end, diag.severity))
        doc = result.document
        marked = None
        figures: list[tuple[str, str]] = []
        notes: list[str] = []
        words = None
        if doc is not None:
            marked = self._markup(marked_source(doc.source, spans))
            figures, notes = readability_figures(doc)
            words = doc.word_count
        counts = {name: 0 for name in ("error", "warning", "info")}
        for diag in result.diagnostics:
            counts[str(diag.severity)] += 1
        self._files.append({"id": file_id, "path": result.path, "counts": counts,
                            "errors": len(result.errors)})
        self.out.write(
            str(
                self._macros().draft(
                    file_id=file_id,
                    path=result.path,
                    marked=marked,
                    findings=findings,
                    errors=[str(e) for e in result.errors],
                    figures=figures,
                    notes=notes,
                    words=words,
                    counts=counts,
                )
            )
        )

    def finish(self, summary: Summary) -> None:
        self._start()
        rules = sorted(summary.per_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        self.out.write(
            str(
                self._macros().foot(
                    summary=summary,
                    total=sum(summary.counts.values()),
                    rules=rules,
                    files=self._files,
                    js=self._markup(self._js),
                )
            )
        )
