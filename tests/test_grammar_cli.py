"""``writer lint`` with grammar checking, end to end, against the replayed LanguageTool.

A writer.toml names the replay server's URL, exactly as a publisher would name their own
LanguageTool server. Findings are read from the JSON report and located in the file.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from writer.rules.model import Example, Rule
from writer.rules.packs import load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "languagetool"
EXTENSIONS = {"markdown": "md", "html": "html", "text": "txt"}
DRAFT = "Stem cell trials for type 1 diabetes are small, and results vary betwen clinics.\n"


@pytest.fixture
def project(replay: Any, write: Callable[[str, str], Path]) -> Callable[..., Path]:
    """Write writer.toml naming the replay server; ``extra`` lines go in [languagetool]."""

    def _project(grammar: str | None = "true", extra: str = "", folder: str = ".") -> Path:
        top = f"grammar = {grammar}\n" if grammar is not None else ""
        return write(
            f"{folder}/writer.toml", f'{top}[languagetool]\nurl = "{replay.url}"\n{extra}'
        )

    return _project


def lint(run: Callable[..., Result], *args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    """Exit code, JSON findings, and the stderr lines about grammar (other engineers'
    packs may be mid-edit: their errors are not this file's business)."""
    result = run("lint", "--format", "json", *args)
    about = [
        line for line in result.stderr.splitlines()
        if "grammar" in line or "languagetool" in line.lower()
    ]
    return result.exit_code, json.loads(result.stdout or "[]"), about


def located(path: Path, diagnostics: list[dict[str, Any]]) -> list[tuple[str, int, int]]:
    """(flagged text, line, column) for each grammar finding, read back from the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for d in diagnostics:
        if d["rule"] != "HW601":
            continue
        assert d["line"] == d["end_line"], d
        text = lines[d["line"] - 1][d["column"] - 1 : d["end_column"] - 1]
        out.append((text, d["line"], d["column"]))
    return out


# --- the rule's own examples ------------------------------------------------------------


def _grammar_rule() -> Rule:
    ruleset, _ = load_rules()  # other packs' errors do not concern the grammar rule
    rule = ruleset.find("grammar")
    assert rule is not None and rule.code == "HW601" and rule.kind == "service"
    return rule


RULE = _grammar_rule()
CASES = [(example, True) for example in RULE.flagged] + [(e, False) for e in RULE.passing]


@pytest.mark.parametrize(
    "example,is_flagged",
    CASES,
    ids=[f"{'flag' if f else 'pass'}-{i}" for i, (_, f) in enumerate(CASES)],
)
def test_rule_example_through_writer_lint(
    example: Example, is_flagged: bool, project: Callable[..., Path],
    write: Callable[[str, str], Path], run: Callable[..., Result], replay: Any,
) -> None:
    project()
    draft = write(f"example.{EXTENSIONS[example.format]}", example.text)
    code, found, notices = lint(run, "--select", "HW601", str(draft))
    assert notices == []  # the server knew every text it was sent
    assert replay.checks(), "nothing was sent to LanguageTool"
    spans = [text for text, _, _ in located(draft, found)]
    if not is_flagged:
        assert spans == [], f"HW601 must not flag:\n{example.text}"
        return
    assert spans, f"HW601 must flag:\n{example.text}"
    if example.spans is not None:
        assert sorted(spans) == sorted(example.spans)
    if example.fixed is not None:
        result = run("lint", "--select", "HW601", "--unsafe-fixes", str(draft))
        assert "grammar checking is off" not in result.stderr
        assert draft.read_text(encoding="utf-8") == example.fixed


def test_the_grammar_rule_is_documented_like_the_others() -> None:
    assert RULE.category == "grammar"
    assert str(RULE.severity) == "warning"
    assert RULE.flagged and RULE.passing


# --- where findings land ------------------------------------------------------------------

LINE6 = (
    "Volunteers *wil* get a infusion of donor cells, as "
    "[the tria plan](https://example.org/plan) says."
)
MARKDOWN = (
    "---\r\ntitle: Islet cell trials\r\n---\r\n"
    "# Stem cell trials \U0001f642\r\n"
    "\r\n"
    f"{LINE6}\r\n"
    "Keep taking `insulin` unless\r\n"
    "your doctor says otherwise.\r\n"
    "\r\n"
    "- Your sugar levels are chekced every week.\r\n"
    "- Bring **your** glucose meter to every appointment.\r\n"
    "\r\n"
    "```\r\nnot prose: recieve\r\n```\r\n"
)


def test_markdown_with_front_matter_emphasis_links_code_and_crlf(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project()
    draft = write("article.md", "")
    draft.write_bytes(MARKDOWN.encode("utf-8"))  # keep the CRLFs
    code, found, notices = lint(run, "--select", "grammar", str(draft))
    assert notices == []
    assert located(draft, found) == [
        ("wil", 6, 13),
        ("a", 6, 22),
        ("tria", 6, LINE6.index("tria") + 1),
        ("chekced", 10, 25),
    ]
    messages = [d["message"] for d in found]
    assert messages[1].endswith("[EN_A_VS_AN]")
    assert found[0]["suggestion"].startswith("replace with \u201cwill\u201d, \u201cwile\u201d")
    sent = "\n".join(request["text"] for request in replay.checks())
    for not_prose in ("recieve", "Islet", "https://", "insulin", "*", "`", "title:"):
        assert not_prose not in sent


def test_html_drafts_send_only_their_prose(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project()
    html = (
        "<!doctype html>\n<html><head><title>Trial news</title>\n"
        "<script>var recieve = 1;</script></head>\n<body>\n"
        "<p>Stem cell trials for type 1 diabetes are small, and results vary "
        "<b>betwen</b> clinics.</p>\n"
        "<pre>code recieve</pre>\n"
        "</body></html>\n"
    )
    draft = write("news.html", html)
    code, found, notices = lint(run, "--select", "grammar", str(draft))
    assert notices == []
    line = html.splitlines()[4]
    assert located(draft, found) == [("betwen", 5, line.index("betwen") + 1)]
    sent = "\n".join(request["text"] for request in replay.checks())
    assert "recieve" not in sent and "<b>" not in sent


def test_suppression_comment_silences_a_grammar_finding(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result],
) -> None:
    project()
    draft = write(
        "s.md",
        "<!-- writer-disable-next-line HW601 -- quoting a patient's own words -->\n"
        "Everyone in the study will recieve their usual insulin as well.\n\n"
        "Keep a record of your sugar levels and bring it to the the next visit.\n",
    )
    code, found, notices = lint(run, "--select", "grammar,suppressions", str(draft))
    assert notices == []
    assert located(draft, found) == [("the the", 4, 52)]
    assert not [d for d in found if d["rule"] == "HW001"]  # the suppression was used


# --- turning it on and off -------------------------------------------------------------------


def test_off_by_default_nothing_is_sent(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project(grammar=None)  # a server is configured, but grammar is not switched on
    draft = write("a.txt", DRAFT)
    code, found, notices = lint(run, "--select", "grammar", str(draft))
    assert (found, notices, replay.requests) == ([], [], [])
    # A bare --grammar (click would take a following path as its value, so it goes last).
    code, found, notices = lint(run, "--select", "grammar", str(draft), "--grammar")
    assert located(draft, found) == [("betwen", 1, 66)]


def test_cli_can_switch_it_off_and_ignore_skips_the_service(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project()
    draft = write("a.md", OTHER_FINDING)
    code, found, notices = lint(run, *SELECT, "--grammar=off", str(draft))
    assert ([d["rule"] for d in found], notices) == (["HW002"], [])
    code, found, notices = lint(run, *SELECT, "--ignore", "HW601", str(draft))
    assert ([d["rule"] for d in found], notices) == (["HW002"], [])
    assert replay.requests == []  # not even a connection to see whether it is there


def test_config_vocabulary_and_disabled_rules(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project(
        extra='vocabulary = ["Stemora", "Glucavex"]\n'
        'disabled-rules = ["UPPERCASE_SENTENCE_START"]\n'
    )
    draft = write(
        "v.txt",
        "Trials of Stemora\u2019s islet cells and of Glucavex are small, and Glucavex doses "
        "differ betwen clinics.\n\nask which clinic will do the follow-up visits.\n",
    )
    code, found, notices = lint(run, "--select", "grammar", str(draft))
    assert notices == []
    assert [text for text, _, _ in located(draft, found)] == ["betwen"]
    assert {r["disabledRules"] for r in replay.checks()} == {"UPPERCASE_SENTENCE_START"}


def test_each_folder_keeps_its_own_language_on_the_one_server(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project(folder="us")
    project(folder="uk", extra='language = "en-GB"\n')
    text = "Bring your glucose meter to every appointment.\n"
    us, uk = write("us/a.txt", text), write("uk/a.txt", text)
    code, found, notices = lint(run, "--select", "grammar", str(us), str(uk))
    assert notices == []
    assert [r["language"] for r in replay.checks()] == ["en-US", "en-GB"]


# --- when LanguageTool is not there -------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Another rule's finding (a suppression naming no rule, HW002, an error) next to a paragraph
# LanguageTool would flag: the other rules must carry on when grammar cannot.
OTHER_FINDING = "<!-- writer-disable-next-line -- no rule named -->\n" + DRAFT
# The skeleton's own rules (stable), plus grammar: other packs may be mid-edit.
SELECT = ("--select", "grammar,suppressions")


def test_unreachable_server_one_notice_and_exit_as_if_grammar_were_off(
    write: Callable[[str, str], Path], run: Callable[..., Result]
) -> None:
    write("writer.toml", f'grammar = true\n[languagetool]\nurl = "http://127.0.0.1:{_closed_port()}"\n')
    files = [str(write(f"{i}.md", OTHER_FINDING)) for i in range(3)]
    code, found, notices = lint(run, *SELECT, *files)
    assert len(notices) == 1
    assert notices[0].startswith("writer: grammar checking is off for this run: LanguageTool at")
    assert notices[0].endswith("is not reachable (Connection refused)")
    assert [(d["path"], d["rule"]) for d in found] == [(path, "HW002") for path in files]
    off_code, off_found, off_notices = lint(run, *SELECT, "--grammar=off", *files)
    assert (code, found, off_notices) == (off_code, off_found, [])


@pytest.mark.parametrize("how", ["cli", "config"])
def test_required_grammar_that_is_unavailable_exits_2(
    how: str, write: Callable[[str, str], Path], run: Callable[..., Result]
) -> None:
    grammar = '"require"' if how == "config" else "true"
    write("writer.toml", f'grammar = {grammar}\n[languagetool]\nurl = "http://127.0.0.1:{_closed_port()}"\n')
    draft = write("a.md", OTHER_FINDING)
    args = ["--grammar=require"] if how == "cli" else []
    code, found, notices = lint(run, *SELECT, *args, str(draft))
    assert code == 2
    assert [d["rule"] for d in found] == ["HW002"]  # the other rules still ran
    assert notices[0].startswith("writer: grammar checking is off for this run:")
    required = "writer: error: languagetool: grammar checking was required but is unavailable"
    assert required in notices


def test_public_api_is_refused_unless_opted_in(
    write: Callable[[str, str], Path], run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    write("writer.toml", 'grammar = true\n[languagetool]\nurl = "https://api.languagetool.org/v2"\n')
    draft = write("a.txt", DRAFT)
    code, found, notices = lint(run, "--select", "grammar", str(draft))
    assert notices == [
        "writer: grammar checking is off for this run: refusing to send drafts to the public "
        "LanguageTool API (api.languagetool.org): drafts are confidential; set public-api = "
        "true under [tool.writer.languagetool] to allow it"
    ]
    assert found == []


def test_server_failing_mid_run_keeps_what_was_found(
    project: Callable[..., Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], replay: Any,
) -> None:
    project()
    first = write("1.txt", DRAFT)
    second = write("2.txt", "ask which clinic will do the follow-up visits.\n")
    replay.fail_after = 1
    code, found, notices = lint(run, "--select", "grammar", str(first), str(second))
    assert [d["path"] for d in found] == [str(first)]
    assert len(notices) == 1 and "answered HTTP 500" in notices[0]


@pytest.mark.parametrize(
    "table,message",
    [
        ('url = "localhost:8081"', "'url' must start with http:// or https://"),
        ("allow-download = 1", "'allow-download' must be true or false"),
        ('language = ""', "'language' must name a language"),
        ("vocabulary = [1]", "'vocabulary' must be a list of strings"),
    ],
)
def test_bad_languagetool_settings_name_the_file_and_line(
    table: str, message: str, write: Callable[[str, str], Path], run: Callable[..., Result]
) -> None:
    config = write("writer.toml", f"grammar = true\n\n[languagetool]\n{table}\n")
    draft = write("a.txt", DRAFT)
    result = run("lint", "--select", "grammar", str(draft))
    assert result.exit_code == 2
    assert f"writer: error: {config}:4: writer.toml: " in result.stderr
    assert message in result.stderr


def test_grammar_code_is_not_even_imported_when_grammar_is_off(
    write: Callable[[str, str], Path],
) -> None:
    # Start-up cost matters for the pre-commit hook: the grammar package, urllib's HTTP
    # stack and language_tool_python are loaded only when grammar checking is on.
    import subprocess
    import sys

    draft = write("a.md", OTHER_FINDING)
    code = (
        "import sys; from click.testing import CliRunner; from writer.cli import main; "
        "CliRunner().invoke(main, ['lint', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.startswith("
        "('writer.grammar', 'language_tool_python', 'urllib.request'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(draft)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
