"""The LanguageTool adapter against recorded answers replayed over real HTTP.

Every test here goes through the real client (urllib, form-encoded ``POST /v2/check``) to
``tests/fixtures/languagetool/replay.py`` listening on 127.0.0.1, and checks where the
findings land in the source file, not just what LanguageTool said.
"""

from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import load_replay
from writer.config import LanguageToolSettings
from writer.document.model import Block, Document
from writer.document.readers import read_document
from writer.fixes import apply_edits
from writer.grammar import Checker, GrammarUnavailable, open_checker
from writer.grammar.client import LanguageToolClient
from writer.grammar.matches import Match, to_finding
from writer.rules.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "languagetool"
# Paragraphs with recorded answers (tests/fixtures/languagetool/plain_text.json).
TRIALS = "Stem cell trials for type 1 diabetes are small, and results vary betwen clinics."
LOWERCASE = "ask which clinic will do the follow-up visits."


def checker_for(replay: Any, **options: Any) -> Checker:
    return open_checker(LanguageToolSettings(url=replay.url, **options))


def flagged(doc: Document, findings: list[Finding]) -> list[tuple[str, int, int]]:
    """(source text, line, column) of each finding: where a writer would look."""
    return [(doc.source[f.start : f.end], *doc.position(f.start)) for f in findings]


# --- offsets and mapping --------------------------------------------------------------


def test_several_blocks_in_one_request_map_back_to_their_lines(replay: Any) -> None:
    # Recorded as one request: three blocks joined by blank lines, an emoji in the first.
    source = (
        "Why this matters \U0001f642\n\n"
        "Some clinics sell cell injections that have not been tested in trials.\n\n"
        "Ask your doctor wich questions to bring to the clinic.\n"
    )
    doc = read_document("a.txt", source, "text")
    checker = checker_for(replay)
    findings = checker.check(doc)
    assert flagged(doc, findings) == [("wich", 5, 17)]
    assert checker.requests == 1
    assert replay.checks()[0]["text"] == "\n\n".join(block.text for block in doc.blocks)


def test_emoji_before_an_error_does_not_shift_it(replay: Any) -> None:
    line = (
        "Feeling low \U0001f642 after a hypo is common \U0001f4ac, "
        "but tell your nurse if it happends often."
    )
    source = f"{line}\n\n{TRIALS}\n"
    doc = read_document("b.txt", source, "text")
    findings = checker_for(replay).check(doc)
    # Two astral characters precede "happends": LanguageTool's offset is 2 units larger.
    assert flagged(doc, findings) == [
        ("happends", 1, line.index("happends") + 1),
        ("betwen", 3, 66),
    ]


def test_crlf_and_wrapped_lines_map_to_exact_columns(replay: Any) -> None:
    source = (
        "Bring your glucose meter to every appointment.\r\n\r\n"
        "Stem cell trials for type 1 diabetes are small,\r\n"
        "  and results vary betwen clinics.\r\n"
    )
    doc = read_document("c.txt", source, "text")
    findings = checker_for(replay).check(doc)
    assert flagged(doc, findings) == [("betwen", 4, 20)]
    assert doc.line_text(4)[19:25] == "betwen"


def test_message_names_the_languagetool_rule_and_replacements_are_suggested(replay: Any) -> None:
    doc = read_document("d.txt", "ask which clinic will do the follow-up visits.\n", "text")
    (finding,) = checker_for(replay).check(doc)
    assert finding.message == (
        "This sentence does not start with an uppercase letter. [UPPERCASE_SENTENCE_START]"
    )
    assert finding.suggestion == "replace with \u201cAsk\u201d"
    assert finding.fix is not None and not finding.fix.safe
    assert apply_edits(doc.source, finding.fix.edits) == (
        "Ask which clinic will do the follow-up visits.\n"
    )


def test_several_replacements_are_suggested_but_not_applied(replay: Any) -> None:
    doc = read_document(
        "e.txt",
        "Stem cell trials for type 1 diabetes are small, and results vary betwen clinics.\n",
        "text",
    )
    (finding,) = checker_for(replay).check(doc)
    assert finding.suggestion == "replace with \u201cbetween\u201d, \u201cbetwixt\u201d"
    assert finding.fix is None  # a choice between words is the writer's, not ours


def test_no_fix_when_markup_sits_inside_the_span() -> None:
    # "re*cie*ve": the prose is "recieve" but the source has emphasis markers inside it.
    source = "They re*cie*ve it."
    text = "They recieve it."
    offsets = [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18]
    block = Block(kind="paragraph", text=text, offsets=offsets)
    match = Match(5, 12, "MORFOLOGIK_RULE_EN_US", "Possible spelling mistake found.",
                  ("receive",), "TYPOS", "misspelling")
    finding = to_finding(block, match)
    assert source[finding.start : finding.end] == "re*cie*ve"
    assert finding.fix is None


# --- caching ---------------------------------------------------------------------------


def test_unchanged_paragraphs_are_sent_once_per_run(replay: Any) -> None:
    shared = "Bring your glucose meter to every appointment."
    first = read_document(
        "1.txt",
        f"{shared}\n\n{TRIALS}\n\n{shared}\n",
        "text",
    )
    second = read_document("2.txt", f"{shared}\n\n{LOWERCASE}\n", "text")
    checker = checker_for(replay)
    one = checker.check(first)
    two = checker.check(second)
    again = checker.check(first)  # the same file linted again in the run
    sent = [text for request in replay.checks() for text in request["text"].split("\n\n")]
    assert sorted(sent) == sorted(
        [
            shared,
            TRIALS,
            LOWERCASE,
        ]
    )
    assert checker.requests == 2
    assert checker.cache_hits == 1 + 1 + 3  # repeated paragraph, shared one, whole file
    assert flagged(first, one) == flagged(first, again) == [("betwen", 3, 66)]
    assert [first.source[f.start : f.end] for f in one] == ["betwen"]
    assert flagged(second, two) == [("ask", 3, 1)]


def test_cache_is_per_language_and_disabled_rules(replay: Any) -> None:
    doc = read_document("g.txt", "Bring your glucose meter to every appointment.\n", "text")
    checker = checker_for(replay)
    checker.check(doc)
    checker.check(doc, LanguageToolSettings(url=replay.url, language="en-GB"))
    checker.check(doc, LanguageToolSettings(url=replay.url, disabled_rules=("X_RULE",)))
    assert [(r["language"], r.get("disabledRules")) for r in replay.checks()] == [
        ("en-US", None),
        ("en-GB", None),
        ("en-US", "X_RULE"),
    ]


# --- disabled rules and vocabulary ------------------------------------------------------

REPEAT = "Keep a record of your sugar levels and bring it to the the next visit.\n"


def test_disabled_rules_are_sent_to_languagetool(replay: Any) -> None:
    doc = read_document("h.txt", REPEAT, "text")
    checker = checker_for(replay, disabled_rules=("ENGLISH_WORD_REPEAT_RULE", "EN_QUOTES"))
    assert checker.check(doc) == []
    assert replay.checks()[0]["disabledRules"] == "ENGLISH_WORD_REPEAT_RULE,EN_QUOTES"


def test_disabled_rules_are_dropped_even_if_the_server_ignores_them() -> None:
    server = load_replay().Replay(honour_disabled=False).start()
    try:
        doc = read_document("i.txt", REPEAT, "text")
        enabled = open_checker(LanguageToolSettings(url=server.url)).check(doc)
        assert flagged(doc, enabled) == [("the the", 1, 52)]
        disabled = open_checker(
            LanguageToolSettings(url=server.url, disabled_rules=("ENGLISH_WORD_REPEAT_RULE",))
        ).check(doc)
        assert disabled == []
    finally:
        server.stop()


VOCAB_TEXT = (
    "Trials of Stemora\u2019s islet cells and of Glucavex are small, "
    "and Glucavex doses differ betwen clinics.\n"
)


def test_vocabulary_silences_spelling_matches_for_accepted_names(replay: Any) -> None:
    doc = read_document("j.txt", VOCAB_TEXT, "text")
    everything = checker_for(replay).check(doc)
    assert [doc.source[f.start : f.end] for f in everything] == [
        "Stemora", "Glucavex", "Glucavex", "betwen",
    ]
    accepted = checker_for(replay, vocabulary=("stemora", "GLUCAVEX")).check(doc)
    assert flagged(doc, accepted) == [("betwen", 1, VOCAB_TEXT.index("betwen") + 1)]


def test_vocabulary_does_not_silence_grammar_rules(replay: Any) -> None:
    doc = read_document("k.txt", "ask which clinic will do the follow-up visits.\n", "text")
    findings = checker_for(replay, vocabulary=("ask",)).check(doc)
    assert flagged(doc, findings) == [("ask", 1, 1)]


# --- failures ----------------------------------------------------------------------------


def test_unknown_language_is_reported_when_opening(replay: Any) -> None:
    with pytest.raises(GrammarUnavailable, match="does not know language 'xx-YY'"):
        checker_for(replay, language="xx-YY")


def test_server_failing_mid_run_raises_grammar_unavailable(replay: Any) -> None:
    checker = checker_for(replay)
    replay.fail_after = 1
    checker.check(read_document("l.txt", REPEAT, "text"))
    with pytest.raises(GrammarUnavailable, match="HTTP 500: Error: Internal Error"):
        checker.check(read_document("m.txt", VOCAB_TEXT, "text"))


def test_connection_refused_is_one_clear_line() -> None:
    with pytest.raises(GrammarUnavailable) as caught:
        open_checker(LanguageToolSettings(url="http://127.0.0.1:9"))
    assert str(caught.value) == (
        "LanguageTool at http://127.0.0.1:9/v2 is not reachable (Connection refused)"
    )


def test_public_api_is_refused_before_anything_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    for url in ("https://api.languagetool.org/v2", "https://languagetool.org/api"):
        with pytest.raises(GrammarUnavailable, match="refusing to send drafts"):
            open_checker(LanguageToolSettings(url=url))
    with pytest.raises(GrammarUnavailable, match="no url"):
        open_checker(LanguageToolSettings(public_api=True))


# --- the HTTP client against misbehaving servers ---------------------------------------------


class _Server:
    """A throwaway local server answering every request with ``respond(handler)``."""

    def __init__(self, respond: Any) -> None:
        self.hits = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits += 1
                respond(self)

            do_POST = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _reply(status: int, body: bytes, headers: dict[str, str] | None = None) -> Any:
    def respond(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def test_redirects_are_refused_so_a_draft_cannot_be_bounced_elsewhere() -> None:
    target = _Server(_reply(200, b"[]"))
    redirecting = _Server(_reply(307, b"", {"Location": f"{target.url}/v2/check"}))
    try:
        client = LanguageToolClient(f"{redirecting.url}/v2")
        with pytest.raises(GrammarUnavailable, match="HTTP 307: redirected to"):
            client.check("A private draft.", "en-US")
        assert target.hits == 0
    finally:
        target.stop()
        redirecting.stop()


def test_an_answer_that_is_not_json_is_reported() -> None:
    server = _Server(_reply(200, b"<html>Proxy login</html>"))
    try:
        with pytest.raises(GrammarUnavailable, match="not JSON: <html>Proxy login</html>"):
            LanguageToolClient(f"{server.url}/v2").check("Text.", "en-US")
        with pytest.raises(GrammarUnavailable, match="not JSON"):
            LanguageToolClient(f"{server.url}/v2").languages()
    finally:
        server.stop()


def test_an_http_error_carries_languagetools_own_message() -> None:
    body = b"Error: Text checking took longer than allowed maximum of 20000 milliseconds\n"
    server = _Server(_reply(503, body))
    try:
        with pytest.raises(GrammarUnavailable) as caught:
            LanguageToolClient(f"{server.url}/v2").check("Text.", "en-US")
        assert str(caught.value).endswith(
            "answered HTTP 503: Error: Text checking took longer than allowed maximum of "
            "20000 milliseconds"
        )
    finally:
        server.stop()


def test_a_server_that_does_not_answer_times_out() -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(1.5)
        with contextlib.suppress(OSError):  # the client gave up, as it should
            _reply(200, b"[]")(handler)

    server = _Server(slow)
    try:
        with pytest.raises(GrammarUnavailable, match="did not answer within 0.3 s"):
            LanguageToolClient(f"{server.url}/v2").languages(timeout=0.3)
    finally:
        server.stop()


def test_proxies_are_not_used_for_a_languagetool_on_this_machine(
    replay: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy that does not exist: using it would fail the request (and leak the draft).
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    doc = read_document("n.txt", REPEAT, "text")
    assert flagged(doc, checker_for(replay).check(doc)) == [("the the", 1, 52)]
