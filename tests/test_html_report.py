"""The HTML report: findings highlighted in place, explained beside them, safe and offline.

The highlighting is checked as a property (any text, any overlapping spans), the page is
checked for escaping and for not loading anything, and a real headless browser (Debian's
``chromium``) renders it and runs its script: the test reads the DOM the browser ends with.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import sys
import types
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CAREFUL, CLAIM
from writer.diagnostics import Diagnostic, InputError, Severity
from writer.document.readers import read_document
from writer.output import RenderOptions, Summary, get_renderer
from writer.output.html_report import marked_source
from writer.runner import FileResult

INJECTION = "<script>document.documentElement.setAttribute('data-pwned', 'yes')</script>"
DRAFT = (
    "Heading: our cell therapy\r\n"
    "It works & it is <b>safe</b>. " + INJECTION + "\r\n"
    "\r\n"
    "Patients\tstopped insulin in weeks.\r\n"
)


class MarkParser(HTMLParser):
    """Collects the text inside each finding's marks, and checks marks never nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self.points: list[str] = []
        self.current: list[str] | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "mark":
            assert self.current is None, "marks must not nest"
            values = dict(attrs)
            ids = (values.get("data-findings") or "").split()
            assert ids
            self.current = ids
            if "point" in (values.get("class") or "").split():
                self.points.extend(ids)
            for ident in ids:
                self.by_id.setdefault(ident, [])

    def handle_endtag(self, tag: str) -> None:
        assert self.tags and self.tags.pop() == tag, f"unbalanced </{tag}>"
        if tag == "mark":
            self.current = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for ident in self.current or ():
            self.by_id[ident].append(data)


@st.composite
def drafts_and_spans(draw: Any) -> tuple[str, list[tuple[str, int, int, Severity]]]:
    source = draw(st.text(alphabet="ab <>&\"'\n\r\t\u00e9\U0001f600", max_size=60))
    spans = []
    for number in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(source)))
        end = draw(st.integers(start, len(source)))
        spans.append((f"d{number}", start, end, draw(st.sampled_from(list(Severity)))))
    return source, spans


@settings(max_examples=300, deadline=None)
@given(drafts_and_spans())
def test_marks_cover_exactly_each_findings_text(case: tuple[str, list[Any]]) -> None:
    source, spans = case
    parser = MarkParser()
    parser.feed(marked_source(source, spans))
    parser.close()
    assert not parser.tags, "every element is closed"
    # Stripped of markup, the page shows the draft exactly (CR aside: HTML treats it as LF).
    assert "".join(parser.text) == source.replace("\r", "")
    for ident, start, end, _ in spans:
        assert ident in parser.by_id, f"{ident} has no mark"
        if start == end:
            assert ident in parser.points
        else:
            expected = source[start:end].replace("\r", "").replace("\n", "")
            assert "".join(parser.by_id[ident]) == expected


def test_overlapping_marks_take_the_worse_severity() -> None:
    source = "one two three"
    out = marked_source(source, [("a", 0, 7, Severity.INFO), ("b", 4, 13, Severity.ERROR)])
    assert '<mark class="hl sev-info" data-findings="a" data-severity="info">one </mark>' in out
    assert 'data-findings="a b" data-severity="error">two</mark>' in out
    assert 'data-findings="b" data-severity="error"> three</mark>' in out


def _diag(doc: Any, phrase: str, rule: str, severity: Severity, length: int | None = None,
          occurrence: int = 0) -> Diagnostic:
    start = -1
    for _ in range(occurrence + 1):
        start = doc.source.index(phrase, start + 1)
    end = start + (len(phrase) if length is None else length)
    line, column = doc.position(start)
    end_line, end_column = doc.position(end)
    return Diagnostic(doc.path, line, column, end_line, end_column, rule, f"{rule.lower()}-name",
                      "claims", severity, f"Message for {rule} <em>escaped</em>.",
                      "a gentler phrasing" if severity is Severity.ERROR else None,
                      start=start, end=end)


def sample_results() -> list[FileResult]:
    doc = read_document("news/<img src=x onerror=alert(1)>.txt", DRAFT, "text")
    diags = [
        _diag(doc, "It works", "HW101", Severity.ERROR),
        _diag(doc, "safe</b>. <script>", "HW102", Severity.WARNING),
        _diag(doc, "works & it is <b>safe</b>. <script>document", "HW301", Severity.INFO),
        _diag(doc, "Patients\tstopped insulin", "HW103", Severity.ERROR),
        _diag(doc, "Heading", "HW201", Severity.WARNING, length=0),
        _diag(doc, "cell therapy\r\nIt", "HW302", Severity.INFO),  # across a line break
    ]
    clean = read_document("clean.txt", "Nothing to see here. " + INJECTION + "\n", "text")
    return [
        FileResult(doc.path, diags, document=doc),
        FileResult("clean.txt", [], document=clean),
        FileResult("gone.md", errors=[InputError("gone.md", "file not found")]),
    ]


def render(results: list[FileResult]) -> str:
    out = io.StringIO()
    renderer = get_renderer("html", out, RenderOptions(), None)
    summary = Summary(files=2, input_errors=1)
    for result in results:
        renderer.file(result)
        for d in result.diagnostics:
            summary.counts[str(d.severity)] = summary.counts.get(str(d.severity), 0) + 1
            summary.per_rule[(d.rule, d.name)] = summary.per_rule.get((d.rule, d.name), 0) + 1
    renderer.finish(summary)
    return out.getvalue()


def test_drafts_are_escaped_and_nothing_is_loaded() -> None:
    page = render(sample_results())
    assert page.count("<script") == 1  # ours; the draft's is shown as text
    assert INJECTION in html.unescape(re.sub(r"<[^>]*>", "", page))  # shown, as text
    assert "<img" not in page and "<em>" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    parser = DomParser()
    parser.feed(page)
    links = [a[key] for _, a in parser.elements for key in ("src", "href", "action") if key in a]
    assert all((link or "").startswith("#") for link in links), links  # nothing to fetch
    assert [tag for tag, _ in parser.elements].count("script") == 1
    assert "url(" not in page and "@import" not in page and "<link" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "'unsafe-inline'" not in page.split("script-src", 1)[1].split(">", 1)[0]


def test_each_finding_is_explained_with_its_why() -> None:
    from writer.api import builtin_ruleset

    rule = next(iter(builtin_ruleset()))
    doc = read_document("a.txt", "Some words here.\n", "text")
    diag = Diagnostic("a.txt", 1, 6, 1, 11, rule.code, rule.name, rule.category, rule.severity,
                      rule.message, "try this", start=5, end=10)
    out = io.StringIO()
    renderer = get_renderer("html", out, RenderOptions(), builtin_ruleset())
    renderer.file(FileResult("a.txt", [diag], document=doc))
    renderer.finish(Summary(files=1))
    page = out.getvalue()
    start = page.index('<li class="finding')
    card = page[start:page.index("</li>", start)]
    for part in (rule.code, rule.name, str(rule.severity), rule.message, "try this",
                 " ".join(rule.why.split()), "line 1, column 6"):
        assert html.escape(part) in card


def test_drafts_are_streamed_one_by_one() -> None:
    out = io.StringIO()
    renderer = get_renderer("html", out, RenderOptions(), None)
    first, second, _ = sample_results()
    renderer.file(first)
    assert 'id="f1"' in out.getvalue() and "</html>" not in out.getvalue()
    renderer.file(second)
    assert 'id="f2"' in out.getvalue()
    renderer.finish(Summary(files=2))
    assert out.getvalue().rstrip().endswith("</html>")


def test_readability_figures_come_from_writer_readability(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @dataclass
    class Figures:
        grade: float | None = 9.25
        fk_grade: float | None = 9.25
        smog: float | None = None
        reading_ease: float | None = 61.04
        sentences: int = 4
        notes: tuple[str, ...] = ("SMOG needs more sentences",)

    fake = types.ModuleType("writer.readability")
    fake.measure = lambda doc: Figures()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "writer.readability", fake)
    page = render(sample_results()[:1])
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert figures["Reading grade"] == "9.2" or figures["Reading grade"] == "9.3"
    assert figures["SMOG grade"] == "—"
    assert figures["Reading ease (0-100)"] == "61.0"
    assert figures["Sentences"] == "4"
    assert "SMOG needs more sentences" in page


def test_real_readability_figures() -> None:
    readability = pytest.importorskip("writer.readability")
    pytest.importorskip("writer.document.sentences", reason="sentence splitter not present")
    doc = read_document("careful.md", CAREFUL * 3, "text")
    page = render([FileResult("careful.md", [], document=doc)])
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    measured = readability.measure(doc)
    assert figures["Sentences"] == str(measured.sentences)
    expected = "—" if measured.fk_grade is None else f"{measured.fk_grade:.1f}"
    assert figures["Flesch-Kincaid grade"] == expected


# --- in a real browser -------------------------------------------------------------------------

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless Chromium on this machine (apt-get install -y chromium)")


def dump_dom(page: Path, tmp_path: Path) -> str:
    """The DOM after the page's scripts ran, as the browser serialises it."""
    command = [
        _browser(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class DomParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str | None]]:
        return [a for t, a in self.elements
                if t == tag and (cls is None or cls in (a.get("class") or "").split())]


def check_rendered(dom: str, expected_findings: int) -> DomParser:
    parser = DomParser()
    parser.feed(dom)
    root = parser.find("html")[0]
    assert root.get("data-ready") == "true", "the report's script did not run"
    assert "data-pwned" not in root, "a draft's script ran"
    cards = parser.find("li", "finding")
    assert len(cards) == expected_findings
    assert all(int(card["data-marks"] or 0) >= 1 for card in cards), "a finding has no highlight"
    linked = {i for m in parser.find("mark", "hl") for i in (m["data-findings"] or "").split()}
    assert linked == {card["data-finding"] for card in cards}
    body = parser.find("body")[0]
    assert body["data-findings"] == body["data-linked"] == str(expected_findings)
    return parser


def test_report_renders_in_a_headless_browser(tmp_path: Path) -> None:
    results = sample_results()
    page = tmp_path / "report.html"
    page.write_text(render(results), encoding="utf-8")
    dom = dump_dom(page, tmp_path)
    parser = check_rendered(dom, sum(len(r.diagnostics) for r in results))
    assert len(parser.find("section", "draft")) == 3
    assert parser.find("section", "summary")
    assert len(parser.find("li", "input-error")) == 1


def test_cli_report_in_a_headless_browser(run, write, tmp_path: Path) -> None:
    """End to end: the report of a real run shows every finding the JSON output has."""
    bad = write("drafts/claim.md", CLAIM + "\n" + INJECTION + "\n")
    good = write("drafts/careful.md", CAREFUL)
    page = tmp_path / "report.html"
    result = run("lint", "--format", "html", "-o", str(page), str(bad), str(good))
    assert result.exit_code == 1, result.output
    findings = json.loads(run("lint", "--format", "json", str(bad), str(good)).stdout)
    assert any(f["category"] == "claims" for f in findings)
    dom = dump_dom(page, tmp_path)
    parser = check_rendered(dom, len(findings))
    rules = sorted(card["data-rule"] or "" for card in parser.find("li", "finding"))
    assert rules == sorted(f["rule"] for f in findings)
