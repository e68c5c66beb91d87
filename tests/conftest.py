"""Shared fixtures: run the CLI in-process, and write drafts into a temporary folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from writer.cli import main

REPO = Path(__file__).resolve().parent.parent
CLAIM = "Our stem cell treatment is a guaranteed cure for diabetes.\n"
CAREFUL = (
    "# Cell therapy and diabetes\n\n"
    "This treatment is experimental and has not been proven to work.\n\n"
    "Approval and regulation differ between countries, so check whether it is approved "
    "where you live.\n\n"
    "Do not stop or change your diabetes medicines without talking to your doctor first.\n"
)


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke ``writer`` in-process: run("lint", "a.md") -> click Result."""

    def _run(*args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return _run


@pytest.fixture
def lint_json(run: Callable[..., Result]) -> Callable[..., tuple[int, list[dict[str, Any]]]]:
    def _lint(*args: str) -> tuple[int, list[dict[str, Any]]]:
        result = run("lint", "--format", "json", *args)
        return result.exit_code, json.loads(result.stdout or "[]")

    return _lint


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty cache folder for one test (``WRITER_CACHE_DIR``)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WRITER_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the rule cache of test runs out of the user's real cache folder."""
    import os

    os.environ["WRITER_CACHE_DIR"] = str(tmp_path_factory.mktemp("writer-cache"))


LANGUAGETOOL_FIXTURES = Path(__file__).parent / "fixtures" / "languagetool"


def load_replay() -> Any:
    """The LanguageTool replay server module (tests/fixtures/languagetool/replay.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "languagetool_replay", LANGUAGETOOL_FIXTURES / "replay.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def replay() -> Any:
    """A local HTTP server replaying recorded LanguageTool answers, stopped afterwards."""
    server = load_replay().Replay().start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A compiled-regex cache of its own (writer.regex_cache), in a temporary folder."""
    from writer import regex_cache

    monkeypatch.setenv("WRITER_CACHE_DIR", str(tmp_path / "cache"))
    fresh = regex_cache._Store()
    monkeypatch.setattr(regex_cache, "_STORE", fresh)
    return fresh
