"""The pre-commit hook, end to end with the real ``pre-commit`` tool.

A snapshot of this working tree is committed to a throwaway git repository (so the test
does not depend on what the lead has committed), a publisher's repository points its
``.pre-commit-config.yaml`` at it, and real ``git commit`` runs: a draft with guarantee
language is blocked with a message naming the rule, a careful draft goes through.

pre-commit builds the hook's Python environment from PyPI once per test session (module
fixture, shared PRE_COMMIT_HOME); that takes a minute or two.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CAREFUL, CLAIM, REPO
from writer.sources import EXTENSIONS

HOOKS = REPO / ".pre-commit-hooks.yaml"
needs_pre_commit = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None or shutil.which("git") is None,
    reason="pre-commit (pip install pre-commit) and git are needed for the hook test",
)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PRE_COMMIT_HOME=str(home),
        GIT_AUTHOR_NAME="Test Editor",
        GIT_AUTHOR_EMAIL="editor@example.invalid",
        GIT_COMMITTER_NAME="Test Editor",
        GIT_COMMITTER_EMAIL="editor@example.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def _snapshot(target: Path, env: dict[str, str]) -> str:
    """Copy the working tree's files (tracked and new, not ignored) and commit them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # listed but deleted in the working tree: skip
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "snapshot")):
        done = _git(target, env, *args)
        assert done.returncode == 0, done.stderr
    return _git(target, env, "rev-parse", "HEAD").stdout.strip()


class Publisher:
    """A publisher's repository with our hook installed."""

    def __init__(self, path: Path, env: dict[str, str]) -> None:
        self.path = path
        self.env = env

    def write(self, name: str, text: str) -> None:
        file = self.path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def commit(self, *names: str) -> subprocess.CompletedProcess[str]:
        added = _git(self.path, self.env, "add", *names)
        assert added.returncode == 0, added.stderr
        return _git(self.path, self.env, "commit", "-m", "Add drafts")

    def committed(self) -> list[str]:
        done = _git(self.path, self.env, "ls-tree", "-r", "--name-only", "HEAD")
        return done.stdout.split() if done.returncode == 0 else []


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    root = tmp_path_factory.mktemp("precommit")
    home = root / "pre-commit-home"
    source = root / "health-writer"
    source.mkdir()
    sha = _snapshot(source, _env(home))
    yield source, sha, home


@pytest.fixture
def publisher(hook_source: tuple[Path, str, Path], tmp_path: Path) -> Publisher:
    source, sha, home = hook_source
    env = _env(home)
    repo = tmp_path / "publisher"
    repo.mkdir()
    assert _git(repo, env, "init", "-q").returncode == 0
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {sha}\n    hooks:\n      - id: writer-lint\n",
        encoding="utf-8",
    )
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env,
                               capture_output=True, text=True, timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # pre-commit refuses to run with an unstaged configuration: stage it with the drafts.
    assert _git(repo, env, "add", ".pre-commit-config.yaml").returncode == 0
    return Publisher(repo, env)


def test_manifest_is_valid_and_matches_the_draft_extensions() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    (hook,) = clientlib.load_manifest(str(HOOKS))
    assert hook["id"] == "writer-lint"
    assert hook["entry"] == "writer lint" and hook["language"] == "python"
    assert hook["require_serial"] is True and hook["pass_filenames"] is True
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def linted(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    for extension in EXTENSIONS:  # what `writer lint` reads, the hook passes
        assert linted(f"articles/stem-cells{extension}")
        assert linted(f"articles/STEM-CELLS{extension.upper()}")
    for path in ("setup.py", "docs/guide.rst", "README", "LICENSE", "README.md",
                 "requirements.txt", "requirements-dev.txt", "docs/CHANGELOG.md", "robots.txt"):
        assert not linted(path), path


@needs_pre_commit
def test_guarantee_language_blocks_the_commit(publisher: Publisher) -> None:
    publisher.write("articles/cure.md", CLAIM)
    done = publisher.commit("articles/cure.md")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "health-writer lint" in output and "Failed" in output
    assert "hook id: writer-lint" in output
    # Readable: the file, line and column, the rule's code and name, and the message.
    finding = re.search(r"articles/cure\.md:1:\d+: (HW1\d\d) \[error\] ([a-z-]+): \S", output)
    assert finding, output
    assert publisher.committed() == []


@needs_pre_commit
def test_careful_draft_is_committed(publisher: Publisher) -> None:
    publisher.write("articles/careful.md", CAREFUL)
    publisher.write("README.md", "# Our articles\n\nDrafts live in articles/.\n")  # not an article
    publisher.write("requirements.txt", "mkdocs\n")
    done = publisher.commit("articles/careful.md", "README.md", "requirements.txt")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"health-writer lint\.+Passed", output), output
    assert sorted(publisher.committed()) == [
        ".pre-commit-config.yaml", "README.md", "articles/careful.md", "requirements.txt"]
