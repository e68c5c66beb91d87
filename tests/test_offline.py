"""The linter never reaches the network: fresh HOME, empty NLTK_DATA, sockets that refuse.

textstat's newer releases download NLTK's pronunciation dictionary on first use. Here
``writer lint`` runs in a fresh interpreter whose ``sitecustomize`` makes every connection
attempt fail loudly (and logs it), with a HOME and NLTK_DATA that hold nothing. It must
succeed, give the same readability results as an ordinary run, never import nltk, and
leave no NLTK data directory behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from writer.api import builtin_ruleset
from writer.config import Settings
from writer.document.readers import read_document
from writer.engine import lint_document
from writer.readability import measure

# A 400-word draft (my own words) with headings, a list, long sentences and some jargon.
DRAFT = """\
# Stem cell treatment for type 1 diabetes: what we know

Stem cell treatment for type 1 diabetes is still experimental. Researchers hope that new
cells could one day make insulin for people whose own insulin-making cells have been
destroyed. That hope is real, but the evidence so far is thin.

## What has been tried

In the best-known studies, doctors grew cells in a lab and placed them under the skin or
into a vein. A small number of people made some of their own insulin again. A few needed
fewer injections for a while. Most still needed insulin, and nobody has been followed for
long enough to know whether the benefit lasts or whether harm shows up years later.

Some trials used immunosuppressants to stop the body attacking the new cells. These
medicines can cause serious infections, so the trade-off matters. Other teams are testing
cells wrapped in a thin coat, so that the immune system cannot reach them. It is too early
to say whether that works in people, or for how long.

Researchers compare results against what happened before treatment, because there is
usually no comparison group. That makes it hard to tell how much of any change came from
the cells and how much came from closer care, new equipment or chance.

## What clinics sell

Clinics in several countries sell stem cell injections for diabetes. Their websites often
promise a stable effect with no side effects and show happy patients who say they no longer
need insulin, but they rarely publish results that anyone independent has checked, and the
price can be many thousands of pounds before travel.

## What you can do

- Ask your diabetes team about trials that are registered and run by hospitals or
  universities.
- Check whether a clinic's treatment is approved where you live.
- Never stop or lower your insulin because of a treatment you have paid for.
  Hyperglycaemia can become dangerous within hours.

## The bottom line

Real progress is being made, and some people in early trials have done well. But a
treatment that has not been tested in large, fair trials cannot be called safe or
effective. If someone offers you a cure, ask to see the evidence, and talk it through with
your own doctor first. Bring a list of questions, and ask what would happen if you waited
for better evidence.
"""

GUARD = textwrap.dedent(
    """\
    # Test guard: any network connection attempt fails loudly and is logged.
    import atexit
    import os
    import socket
    import sys

    _LOG = os.environ["WRITER_GUARD_LOG"]


    def _log(line):
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(line + "\\n")


    def _refuse(*args, **kwargs):
        _log("network attempt: %r" % (args[1:2] or args[:1],))
        raise OSError("network access attempted during an offline run")


    socket.socket.connect = _refuse
    socket.socket.connect_ex = _refuse
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse


    @atexit.register
    def _report():
        _log("guard active")
        _log("nltk imported: %s" % ("nltk" in sys.modules))
    """
)

SELECT = "HW3,HW4"


@pytest.fixture
def offline(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """Environment for a guarded interpreter, its guard log, and its (empty) HOME."""
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    nltk_data = tmp_path / "nltk_data_empty"
    nltk_data.mkdir()
    log = tmp_path / "guard.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "NLTK", "XDG_")) and key not in ("HOME", "USERPROFILE")
    }
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        NLTK_DATA=str(nltk_data),
        PYTHONPATH=str(guard),
        PYTHONNOUSERSITE="1",
        WRITER_GUARD_LOG=str(log),
    )
    return env, log, home


def _check_guard(log: Path, home: Path, nltk_data: Path) -> None:
    lines = log.read_text(encoding="utf-8").splitlines()
    assert "guard active" in lines, "the network guard was not loaded"
    assert not [line for line in lines if line.startswith("network attempt")], lines
    assert "nltk imported: False" in lines
    assert list(nltk_data.iterdir()) == []
    assert not [p for p in home.rglob("*") if "nltk" in p.name.lower()]


def test_lint_runs_offline_with_the_same_results(
    tmp_path: Path, offline: tuple[dict[str, str], Path, Path]
) -> None:
    env, log, home = offline
    draft = tmp_path / "draft.md"
    draft.write_text(DRAFT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "writer", "lint", "--select", SELECT, "--format", "json", draft],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    offline_findings = json.loads(result.stdout)

    doc = read_document(str(draft), DRAFT, "markdown")
    expected = [
        d.to_json()
        for d in lint_document(doc, builtin_ruleset(), Settings(select=tuple(SELECT.split(","))))
    ]
    assert offline_findings == expected
    assert {f["rule"] for f in expected} >= {"HW303", "HW401"}  # the draft exercises the rules
    _check_guard(log, home, Path(env["NLTK_DATA"]))


def test_measure_gives_the_same_figures_offline(
    tmp_path: Path, offline: tuple[dict[str, str], Path, Path]
) -> None:
    env, log, home = offline
    code = (
        "import dataclasses, json, sys\n"
        "from writer.readability import measure, syllable_source\n"
        "figures = dataclasses.asdict(measure(sys.stdin.read()))\n"
        "print(json.dumps([syllable_source(), figures]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        input=DRAFT,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=True,
    )
    source, figures = json.loads(result.stdout)
    assert source == "cmudict"
    expected = json.loads(json.dumps(dataclasses.asdict(measure(DRAFT))))
    assert figures == expected
    assert figures["fk_grade"] is not None and figures["words"] > 300
    _check_guard(log, home, Path(env["NLTK_DATA"]))


def test_the_guard_really_refuses_connections(
    tmp_path: Path, offline: tuple[dict[str, str], Path, Path]
) -> None:
    """Without this, a guard that silently failed to load would let the tests above pass."""
    env, log, _ = offline
    code = "import urllib.request\nurllib.request.urlopen('http://example.org', timeout=5)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode != 0
    assert "network access attempted" in result.stderr
    assert any(line.startswith("network attempt") for line in log.read_text().splitlines())
