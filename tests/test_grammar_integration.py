"""Against a real LanguageTool, where one is available; skipped (saying why) elsewhere.

Looked for, in order: ``WRITER_TEST_LANGUAGETOOL_URL`` (a running server), a local
installation with Java on PATH (``LTP_JAR_DIR_PATH``, or one language_tool_python
downloaded into ``LTP_PATH`` / ``~/.cache/language_tool_python``), a server on
``http://localhost:8081`` (LanguageTool's default port). Nothing is ever downloaded.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from writer.config import LanguageToolSettings
from writer.document.readers import read_document
from writer.grammar import Checker, open_checker
from writer.rules.packs import load_rules

DEFAULT_SERVER = "http://localhost:8081"


def _installed_jar_dir() -> Path | None:
    env = os.environ.get("LTP_JAR_DIR_PATH")
    if env:
        return Path(env)
    cache = Path(os.environ.get("LTP_PATH", Path.home() / ".cache" / "language_tool_python"))
    found = sorted(cache.glob("LanguageTool-*/languagetool-server.jar")) if cache.is_dir() else []
    return found[-1].parent if found else None


def _server_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/v2/languages", timeout=0.5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def find_languagetool() -> tuple[LanguageToolSettings | None, str]:
    url = os.environ.get("WRITER_TEST_LANGUAGETOOL_URL")
    if url:
        return LanguageToolSettings(url=url), f"server {url}"
    jar_dir = _installed_jar_dir()
    java = shutil.which("java")
    if jar_dir is not None and java:
        return LanguageToolSettings(jar_dir=str(jar_dir)), f"local {jar_dir}"
    if _server_answers(DEFAULT_SERVER):
        return LanguageToolSettings(url=DEFAULT_SERVER), f"server {DEFAULT_SERVER}"
    return None, (
        "no real LanguageTool here (none is fetched by the tests): set "
        "WRITER_TEST_LANGUAGETOOL_URL to a LanguageTool server, or LTP_JAR_DIR_PATH to an "
        f"unpacked LanguageTool with Java on PATH (java: {java or 'not found'}, "
        f"installation: {jar_dir or 'not found'}); nothing answers at {DEFAULT_SERVER} either"
    )


@pytest.fixture(scope="module")
def real() -> Iterator[Checker]:
    settings, where = find_languagetool()
    if settings is None:
        pytest.skip(where)
    checker = open_checker(settings)
    yield checker
    checker.close()


def test_real_languagetool_offsets_after_emoji_and_markup(real: Checker) -> None:
    source = (
        "# Trial news \U0001f642\n\n"
        "Volunteers \U0001f4ac in the *study* will recieve their usual insulin as well.\n"
    )
    doc = read_document("real.md", source, "markdown")
    findings = real.check(doc)
    spelling = [f for f in findings if "MORFOLOGIK" in (f.message or "")]
    assert [source[f.start : f.end] for f in spelling] == ["recieve"]
    assert doc.position(spelling[0].start) == (3, source.splitlines()[2].index("recieve") + 1)
    assert "receive" in (spelling[0].suggestion or "")


def test_real_languagetool_disabled_rules_and_cache(real: Checker) -> None:
    text = "Keep a record of your sugar levels and bring it to the the next visit.\n"
    doc = read_document("repeat.md", text, "markdown")
    on = real.check(doc)
    assert any("[ENGLISH_WORD_REPEAT_RULE]" in (f.message or "") for f in on)
    before = real.requests
    assert [f.message for f in real.check(doc)] == [f.message for f in on]
    assert real.requests == before  # cached
    off = real.check(
        doc, LanguageToolSettings(disabled_rules=("ENGLISH_WORD_REPEAT_RULE",))
    )
    assert not any("[ENGLISH_WORD_REPEAT_RULE]" in (f.message or "") for f in off)


def test_real_languagetool_agrees_with_the_rule_examples(real: Checker) -> None:
    ruleset, _ = load_rules()
    rule = ruleset.find("grammar")
    assert rule is not None
    for example in rule.flagged:
        doc = read_document("example", example.text, example.format)
        spans = sorted(doc.source[f.start : f.end] for f in real.check(doc))
        assert spans == sorted(example.spans or spans) and spans, example.text
    for example in rule.passing:
        doc = read_document("example", example.text, example.format)
        assert real.check(doc) == [], example.text
