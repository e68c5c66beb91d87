"""Measure the LanguageTool client path on a generated corpus against a stand-in server.

    python bench_grammar.py [--files 100] [--runs 3]

The stand-in (tests/fixtures/languagetool/replay.py --any-text) answers every text with no
matches, so what is measured is writer's own cost: reading, batching, HTTP, mapping,
caching. A real LanguageTool adds its own checking time on top (not measurable here).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAIN = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(MAIN / "benchmarks"))
import make_corpus  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "replay", MAIN / "tests/fixtures/languagetool/replay.py"
)
replay_mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(replay_mod)
WRITER = str(Path(sys.executable).with_name("writer"))


def timed(args, cwd):
    t = time.perf_counter()
    p = subprocess.run([WRITER, "lint", "--quiet", *args], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    assert "grammar checking is off" not in p.stderr, p.stderr
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "corpus"
        make_corpus.build(corpus, files=a.files, seed=2024)
        words = sum(len(p.read_text().split()) for p in corpus.glob("*.md"))
        server = replay_mod.Replay(any_text=True).start()
        (tmp / "writer.toml").write_text(f'[languagetool]\nurl = "{server.url}"\n')
        from writer.document.readers import read_document

        blocks = [
            b.text
            for p in sorted(corpus.glob("*.md"))
            for b in read_document(str(p), p.read_text(), "markdown").blocks
            if b.text.strip()
        ]
        print(
            f"corpus: {a.files} files, {words} words, {len(blocks)} prose blocks, "
            f"{len(set(blocks))} distinct"
        )
        rows = {}
        for label, args in [
            ("grammar off", ["--select", "grammar", "--grammar=off", "corpus"]),
            ("grammar on", ["--select", "grammar", "--grammar=on", "corpus"]),
            (
                "grammar on, folder twice",
                ["--select", "grammar", "--grammar=on", "corpus", "corpus"],
            ),
        ]:
            times = []
            for i in range(a.runs + 1):
                before = len(server.checks())
                t = timed(args, tmp)
                sent = server.checks()[before:]
                if i:
                    times.append(t)
            chars = sum(len(r["text"]) for r in sent)
            rows[label] = statistics.median(times)
            print(
                f"{label:26s} median {rows[label]:.2f} s  requests/run {len(sent):4d}  "
                f"characters sent/run {chars}"
            )
        server.stop()
        extra = rows["grammar on"] - rows["grammar off"]
        print(
            f"client overhead: {extra:.2f} s for {words} words"
            f" = {words / max(extra, 1e-9):,.0f} words/s"
        )
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import writer.grammar"],
        capture_output=True,
        text=True,
    ).stderr
    m = [ln for ln in out.splitlines() if ln.rstrip().endswith("| writer.grammar")]
    print("import writer.grammar (cumulative, us):", m[-1].split("|")[1].strip() if m else "?")
    code = (
        "import sys; from click.testing import CliRunner; from writer.cli import main; "
        "CliRunner().invoke(main, ['lint', '--select', 'suppressions', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.startswith("
        "('writer.grammar', 'language_tool_python', 'requests', 'urllib.request'))))"
    )
    f = Path(tempfile.mkstemp(suffix=".md")[1])
    f.write_text("Talk to your doctor.\n")
    print(
        "modules imported by a lint with grammar off:",
        subprocess.run(
            [sys.executable, "-c", code, str(f)], capture_output=True, text=True
        ).stdout.strip(),
    )


main()
