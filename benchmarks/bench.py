"""Benchmark ``writer lint`` against proselint, as whole processes, on a seeded corpus.

    python benchmarks/bench.py [--files 300] [--seed 2024] [--runs 5] [--big-mb 10]
                               [--json results.json] [--keep DIR] [--skip-proselint]

Reports, each the median of ``--runs`` runs after one warm-up run:

* throughput (words per second) of ``writer lint DIR`` and ``proselint check DIR`` on the
  same folder of unique drafts, taken in turn, and their ratio; and of ``writer -j 1``;
* cold start: one ~400-word draft, both tools taken in turn (so that drift slows both alike),
  and writer again with an empty cache folder each run (a machine's very first run);
  otherwise writer uses a cache folder of its own in the work folder, filled by the
  warm-up runs (and by the throughput runs before the cold start);
* linear scaling: one large draft of 1/4, 1/2 and all of ``--big-mb`` MB (seconds per MB
  should stay flat);
* memory: peak resident memory of the largest process for 100 vs 400 files, serial and
  parallel (it should not grow with the number of files).

Only public tools are used: ``subprocess`` for timing (wall clock, ``time.perf_counter``)
and ``resource.getrusage(RUSAGE_CHILDREN)`` in a fresh helper process for peak memory.
Why whole processes: that is what a pre-commit hook or CI job pays, start-up included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # noqa: E402  (sibling script)

# Prints the peak RSS (KiB) of the largest process in a command's tree, in a fresh process
# so that earlier measurements do not count (RUSAGE_CHILDREN keeps the maximum so far).
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(peak // 1024 if sys.platform == 'darwin' else peak)\n"
)


def tool(name: str) -> list[str]:
    """The console script installed next to this Python, else on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return [str(local)]
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"bench: {name!r} is not installed")
    return [found]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: Sequence[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and the workers it waited for)."""
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    # 1 means findings, which is expected; but a crash also exits 1 in Python.
    if proc.returncode not in (0, 1) or "Traceback (most recent call last)" in err:
        raise SystemExit(f"bench: {' '.join(command)} exited {proc.returncode}\n{err[-2000:]}")
    return elapsed, _cpu() - cpu


def median_time(command: Sequence[str], runs: int) -> float:
    return measure(command, runs)[0]


def measure(command: Sequence[str], runs: int) -> tuple[float, float]:
    """Median wall and median CPU seconds over ``runs`` runs, after one warm-up run."""
    run_once(command)  # warm-up: bytecode compiled, files in the page cache
    samples = [run_once(command) for _ in range(runs)]
    return (
        statistics.median(wall for wall, _ in samples),
        statistics.median(cpu for _, cpu in samples),
    )


def paired(first: Sequence[str], second: Sequence[str], runs: int) -> tuple[float, float]:
    """Median wall seconds of two commands run in turn, after one warm-up run of each."""
    (wall_a, _), (wall_b, _) = paired_measure(first, second, runs)
    return wall_a, wall_b


def paired_measure(
    first: Sequence[str], second: Sequence[str], runs: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(median wall, median CPU) of each of two commands run in turn (first, second,
    first, ...) after one warm-up run of each: a machine whose speed drifts during the
    runs then slows both alike, and their ratio stays meaningful."""
    run_once(first)
    run_once(second)
    a, b = [], []
    for _ in range(runs):
        a.append(run_once(first))
        b.append(run_once(second))

    def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
        return (
            statistics.median(wall for wall, _ in samples),
            statistics.median(cpu for _, cpu in samples),
        )

    return medians(a), medians(b)


def peak_rss_kib(command: Sequence[str]) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *command], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def words_in(paths: Sequence[Path]) -> int:
    return sum(make_corpus.word_count(p.read_text(encoding="utf-8")) for p in paths)


def bench(args: argparse.Namespace, work: Path) -> dict[str, object]:
    # writer's cache folder: a new one, filled by the warm-up runs, so that the figures do
    # not depend on what this machine linted before (a cache grown over months of edited
    # rule packs is bounded, but not empty).
    os.environ["WRITER_CACHE_DIR"] = str(work / "writer-cache")
    writer = tool("writer") + ["lint", "--no-source"]
    prose = None if args.skip_proselint else tool("proselint") + ["check"]
    results: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            # Other work on the machine slows whole-process timings: say how busy it was.
            "load_before": round(os.getloadavg()[0], 2),
        },
        "seed": args.seed,
        "runs": args.runs,
    }

    corpus = work / "corpus"
    files = make_corpus.build(corpus, args.files, args.seed)
    words = words_in(files)
    results["corpus"] = {"files": len(files), "words": words}
    print(f"corpus: {len(files)} drafts, {words} words (seed {args.seed})", flush=True)

    if prose:  # in turn, as for the cold start below
        (t_writer, cpu_writer), (t_prose, cpu_prose) = paired_measure(
            [*writer, str(corpus)], [*prose, str(corpus)], args.runs
        )
    else:
        t_writer, cpu_writer = measure([*writer, str(corpus)], args.runs)
    t_serial, cpu_serial = measure([*writer, "-j", "1", str(corpus)], args.runs)
    throughput: dict[str, object] = {
        "writer_s": round(t_writer, 3),
        "writer_words_per_s": round(words / t_writer),
        "writer_cpu_s": round(cpu_writer, 3),
        "writer_j1_s": round(t_serial, 3),
        "writer_j1_words_per_s": round(words / t_serial),
        "writer_j1_cpu_s": round(cpu_serial, 3),
    }
    if prose:
        throughput.update(
            proselint_s=round(t_prose, 3),
            proselint_words_per_s=round(words / t_prose),
            proselint_cpu_s=round(cpu_prose, 3),
            ratio=round(t_prose / t_writer, 2),
        )
    results["throughput"] = throughput
    print(f"throughput: {json.dumps(throughput)}", flush=True)

    one = make_corpus.single(work / "one.md", 400, args.seed)
    cold: dict[str, object] = {"words": make_corpus.word_count(one.read_text())}
    runs = max(args.runs * 4, 20)
    if prose:
        mine, theirs = paired([*writer, str(one)], [*prose, str(one)], runs)
        cold["writer_s"], cold["proselint_s"] = round(mine, 3), round(theirs, 3)
    else:
        cold["writer_s"] = round(median_time([*writer, str(one)], runs), 3)
    # The same draft with an empty cache folder each time (a machine's very first run):
    # what the caches save, and the worst case a user meets.
    empty = []
    for n in range(max(args.runs, 3)):
        folder = work / f"empty-cache-{n}"
        empty.append(run_once(["env", f"WRITER_CACHE_DIR={folder}", *writer, str(one)])[0])
    cold["writer_empty_cache_s"] = round(statistics.median(empty), 3)
    results["cold_start"] = cold
    print(f"cold start: {json.dumps(cold)}", flush=True)

    if args.big_mb:
        scaling = []
        for share in (0.25, 0.5, 1.0):
            size = args.big_mb * share
            big = make_corpus.write_big(work / f"big-{size:g}MB.md", size, args.seed)
            mb = big.stat().st_size / 1_000_000
            seconds = median_time([*writer, str(big)], max(1, min(args.runs, 3)))
            scaling.append(
                {
                    "mb": round(mb, 2),
                    "s": round(seconds, 2),
                    "s_per_mb": round(seconds / mb, 3),
                    "peak_rss_kib": peak_rss_kib([*writer, str(big)]),
                }
            )
            print(f"scaling: {json.dumps(scaling[-1])}", flush=True)
        results["scaling"] = scaling

    memory: dict[str, object] = {}
    for count in (100, 400):
        folder = work / f"mem{count}"
        make_corpus.build(folder, count, args.seed + count)
        for label, extra in (("j1", ["-j", "1"]), ("parallel", [])):
            memory[f"{count}_files_{label}_kib"] = peak_rss_kib([*writer, *extra, str(folder)])
        if prose:
            memory[f"{count}_files_proselint_kib"] = peak_rss_kib([*prose, str(folder)])
    results["memory"] = memory
    print(f"memory: {json.dumps(memory)}", flush=True)
    machine = results["machine"]
    assert isinstance(machine, dict)
    machine["load_after"] = round(os.getloadavg()[0], 2)
    return results


def table(results: dict[str, object]) -> str:
    """A Markdown summary for the README."""
    t = results["throughput"]
    c = results["cold_start"]
    assert isinstance(t, dict) and isinstance(c, dict)
    lines = [
        "| measure | writer | proselint |",
        "| --- | --- | --- |",
        f"| throughput, words/s (all cores) | {t['writer_words_per_s']:,} "
        f"| {t.get('proselint_words_per_s', 0):,} |",
        f"| throughput, words/s (-j 1) | {t['writer_j1_words_per_s']:,} | |",
        f"| cold start, one {c['words']}-word draft | {c['writer_s']} s "
        f"| {c.get('proselint_s', '-')} s |",
        f"| the same, empty cache folder | {c['writer_empty_cache_s']} s | |",
    ]
    if "ratio" in t:
        lines.append(f"| throughput ratio (wall clock) | {t['ratio']}x | 1x |")
        lines.append(f"| CPU seconds for the corpus | {t['writer_cpu_s']} "
                     f"(-j 1: {t['writer_j1_cpu_s']}) | {t['proselint_cpu_s']} |")
    memory = results.get("memory")
    if isinstance(memory, dict):
        for key, value in memory.items():
            lines.append(f"| peak RSS {key.replace('_kib', '').replace('_', ' ')} | "
                         f"{value / 1024:.0f} MiB | |")
    scaling = results.get("scaling")
    if isinstance(scaling, list):
        for row in scaling:
            lines.append(f"| {row['mb']} MB draft | {row['s']} s ({row['s_per_mb']} s/MB, "
                         f"{row['peak_rss_kib'] / 1024:.0f} MiB) | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-mb", type=float, default=10)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", type=Path, help="build the corpora here and keep them")
    parser.add_argument("--skip-proselint", action="store_true")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        results = bench(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="writer-bench-") as tmp:
            results = bench(args, Path(tmp))
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
