"""A local LanguageTool: found, started once per run, stopped, and never downloaded unasked.

No real LanguageTool is needed: a fake ``java`` on PATH records how it was called and runs
the replay server (tests/fixtures/languagetool/replay.py) on the ``--port`` it was given,
so the real process management, start-up wait and HTTP path are exercised.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from writer.config import LanguageToolSettings
from writer.grammar import GrammarUnavailable, local, open_checker
from writer.grammar.local import SERVER_CLASS

FIXTURES = Path(__file__).parent / "fixtures" / "languagetool"
DRAFT = "Stem cell trials for type 1 diabetes are small, and results vary betwen clinics.\n"

FAKE_JAVA = """#!{python}
import json, os, sys, time
with open({log!r}, "a") as log:
    log.write(json.dumps({{"pid": os.getpid(), "argv": sys.argv[1:], "cwd": os.getcwd()}}) + "\\n")
mode = {mode!r}
if mode == "fail":
    print("Picked up JAVA_TOOL_OPTIONS: -Xmx64m", file=sys.stderr)
    print("Error: LinkageError occurred while loading main class "
          "org.languagetool.server.HTTPServer", file=sys.stderr)
    sys.exit(1)
if mode == "hang":
    time.sleep(20)
    sys.exit(0)
sys.path.insert(0, {fixtures!r})
import replay
replay.main(sys.argv[1:])
"""


@pytest.fixture
def java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Put a fake ``java`` first on PATH; returns the log of its starts (one JSON a line)."""
    monkeypatch.delenv("LTP_JAR_DIR_PATH", raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("LTP_PATH", str(tmp_path / "ltp-cache"))  # never the user's cache

    def install(mode: str = "serve") -> Path:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        log = tmp_path / "java-starts.jsonl"
        script = bin_dir / "java"
        script.write_text(
            FAKE_JAVA.format(python=sys.executable, log=str(log), mode=mode, fixtures=str(FIXTURES))
        )
        script.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        return log

    return install


def unpacked_languagetool(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    jar = folder / "languagetool-server.jar"
    jar.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip is enough for the fake java
    return jar


def starts(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def lint(run: Callable[..., Result], *args: str) -> tuple[int, list[dict[str, Any]], list[str]]:
    """Exit code, JSON findings and the stderr lines about grammar (other engineers' rule
    packs may be mid-edit; their errors are not this test's business)."""
    result = run("lint", "--format", "json", "--select", "grammar", *args)
    about = [
        line for line in result.stderr.splitlines()
        if "grammar" in line or "languagetool" in line.lower()
    ]
    return result.exit_code, json.loads(result.stdout or "[]"), about


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_languagetool_for_the_whole_run_started_from_jar_dir_and_stopped(
    jobs: str, java: Callable[[str], Path], write: Callable[[str, str], Path],
    run: Callable[..., Result], tmp_path: Path,
) -> None:
    log = java("serve")
    jar = unpacked_languagetool(tmp_path / "tools" / "LanguageTool-6.6")
    write("writer.toml", 'grammar = true\n[languagetool]\njar-dir = "tools/LanguageTool-6.6"\n')
    files = [str(write(f"draft{i}.txt", DRAFT)) for i in range(3)]
    code, found, stderr = lint(run, "--jobs", jobs, *files)
    assert stderr == []
    assert [(d["path"], d["rule"], d["line"], d["column"]) for d in found] == [
        (path, "HW601", 1, 66) for path in files
    ]
    (start,) = starts(log)  # one process for three files
    argv = start["argv"]
    assert argv[:-1] == ["-cp", str(jar.resolve()), SERVER_CLASS, "--port"]
    assert int(argv[-1]) > 0
    assert start["cwd"] == str(jar.resolve().parent)
    assert not alive(start["pid"])  # stopped at the end of the run


def test_jar_folder_from_ltp_jar_dir_path(
    java: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = java("serve")
    jar = unpacked_languagetool(tmp_path / "LanguageTool-6.5")
    monkeypatch.setenv("LTP_JAR_DIR_PATH", str(jar.parent))
    checker = open_checker(LanguageToolSettings())
    try:
        assert checker.server is not None and checker.server.jar == jar
    finally:
        checker.close()
    (start,) = starts(log)
    assert not alive(start["pid"])


def test_languagetool_already_downloaded_by_language_tool_python_is_used(
    java: Callable[[str], Path], tmp_path: Path
) -> None:
    java("serve")
    cache = Path(os.environ["LTP_PATH"])
    unpacked_languagetool(cache / "LanguageTool-6.4")
    newest = unpacked_languagetool(cache / "LanguageTool-6.6")
    checker = open_checker(LanguageToolSettings())
    try:
        assert checker.server is not None and checker.server.jar == newest
    finally:
        checker.close()


def test_nothing_configured_means_no_download(
    java: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from language_tool_python.download_lt import LocalLanguageTool

    java("serve")

    def download(self: Any) -> None:
        raise AssertionError("LanguageTool was downloaded without allow-download")

    monkeypatch.setattr(LocalLanguageTool, "download", download)
    for cls in LocalLanguageTool.__subclasses__():
        monkeypatch.setattr(cls, "download", download)
    with pytest.raises(GrammarUnavailable, match="no LanguageTool to use") as caught:
        open_checker(LanguageToolSettings())
    assert "allow-download = true" in str(caught.value)
    assert not Path(os.environ["LTP_PATH"]).exists()  # no cache folder made as a side effect


def test_allow_download_lets_language_tool_python_fetch_it(
    java: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from language_tool_python.download_lt import LocalLanguageTool
    from language_tool_python.exceptions import PathError

    java("serve")
    calls: list[str] = []

    def download(self: Any) -> None:
        calls.append(self.version_name)
        raise PathError("Failed to download: network is unreachable")

    for cls in LocalLanguageTool.__subclasses__():
        monkeypatch.setattr(cls, "download", download)
    with pytest.raises(GrammarUnavailable) as caught:
        open_checker(LanguageToolSettings(allow_download=True))
    assert len(calls) == 1
    assert str(caught.value) == (
        f"could not download LanguageTool {calls[0]} (allow-download): "
        "Failed to download: network is unreachable"
    )


def test_no_java_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    unpacked_languagetool(tmp_path / "lt")
    with pytest.raises(GrammarUnavailable) as caught:
        open_checker(LanguageToolSettings(jar_dir=str(tmp_path / "lt")))
    assert str(caught.value) == (
        "Java is not installed (a local LanguageTool needs Java 17 or newer; "
        "or set url to a LanguageTool server)"
    )


def test_jar_dir_without_languagetool(java: Callable[[str], Path], tmp_path: Path) -> None:
    java("serve")
    (tmp_path / "not-lt").mkdir()
    with pytest.raises(GrammarUnavailable, match=r"no languagetool-server.jar or languagetool.jar"):
        open_checker(LanguageToolSettings(jar_dir=str(tmp_path / "not-lt")))
    with pytest.raises(GrammarUnavailable, match="is not a folder"):
        open_checker(LanguageToolSettings(jar_dir=str(tmp_path / "missing")))


def test_languagetool_that_stops_while_starting_says_why(
    java: Callable[[str], Path], tmp_path: Path
) -> None:
    log = java("fail")
    unpacked_languagetool(tmp_path / "lt")
    with pytest.raises(GrammarUnavailable) as caught:
        open_checker(LanguageToolSettings(jar_dir=str(tmp_path / "lt")))
    message = str(caught.value)
    assert "stopped while starting (exit code 1)" in message
    assert message.endswith(
        "Error: LinkageError occurred while loading main class org.languagetool.server.HTTPServer"
    )
    assert len(starts(log)) == 1


def test_languagetool_that_never_answers_is_stopped(
    java: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = java("hang")
    monkeypatch.setattr(local, "START_TIMEOUT", 1.0)
    unpacked_languagetool(tmp_path / "lt")
    with pytest.raises(GrammarUnavailable, match="did not answer within 1 s of starting"):
        open_checker(LanguageToolSettings(jar_dir=str(tmp_path / "lt")))
    (start,) = starts(log)
    assert not alive(start["pid"])


def test_unavailable_local_languagetool_in_a_lint_run(
    java: Callable[[str], Path], write: Callable[[str, str], Path], run: Callable[..., Result],
    tmp_path: Path,
) -> None:
    java("fail")
    unpacked_languagetool(tmp_path / "lt")
    write("writer.toml", 'grammar = true\n[languagetool]\njar-dir = "lt"\n')
    files = [str(write(f"d{i}.txt", DRAFT)) for i in range(2)]
    code, found, stderr = lint(run, *files)
    assert found == []
    (line,) = stderr  # said once, not once per file
    assert line.startswith("writer: grammar checking is off for this run: LanguageTool (")
    assert code == lint(run, "--grammar=off", *files)[0]  # as if grammar were off
