"""--jobs: the same results in the same order as a serial run, from several processes.

The checks below report the id of the process that ran them, so the tests can tell that
work really left the main process (and that grammar checking never did). The main process
is one of the jobs: it lints files too while the workers are busy.
"""

from __future__ import annotations

import os
import re
import sys
import types
from collections.abc import Iterable
from pathlib import Path

import pytest

from writer import parallel
from writer.diagnostics import Severity
from writer.document.model import Document
from writer.rules.model import Finding, LintContext, Rule, RuleSet
from writer.runner import FileResult, Linter

WORDS = ("miracle", "guaranteed", "proven", "breakthrough")


class WordCheck:
    """One finding per listed word, with the worker's process id in the message."""

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        for word in WORDS:
            start = doc.source.find(word)
            while start != -1:
                yield Finding(start, start + len(word), f"{word} (pid {os.getpid()})")
                start = doc.source.find(word, start + 1)


class Boom:
    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        if "explode" in doc.source:
            raise RuntimeError("a rule crashed on " + doc.path)
        return ()


def rule(code: str, name: str, check: object, kind: str = "engine") -> Rule:
    return Rule(code, name, kind, "testing", Severity.WARNING, f"{name}!", "why", "src",
                "test", f"test:{code}", check=check)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def small_files_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The drafts here are tiny: let them use workers all the same (and leave the workers
    the files they were given, so that the tests can tell that workers did some)."""
    monkeypatch.setattr(parallel, "SERIAL_BELOW_BYTES", 0)
    monkeypatch.setattr(parallel, "TAKE_BACK_UNSTARTED", False)


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> RuleSet:
    ruleset = RuleSet([rule("HW950", "words", WordCheck()), rule("HW951", "boom", Boom()),
                       rule("HW952", "grammar", None, kind="service")])
    monkeypatch.setattr("writer.runner.load_rules", lambda extra=(): (ruleset, []))
    return ruleset


def drafts(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"sub{i % 3}" / f"draft{i:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = " ".join(WORDS[: i % len(WORDS) + 1])
        path.write_text(f"Draft {i} says {body}.\n\nSecond paragraph {i}.\n")
        paths.append(path)
    return paths


def pids(results: list[FileResult]) -> set[int]:
    return {int(d.message.split("pid ")[1].rstrip(")")) for r in results for d in r.diagnostics
            if "pid " in d.message}


def comparable(results: list[FileResult]) -> list[tuple[str, list[tuple], list[str]]]:
    return [
        (r.path, [(d.line, d.column, d.rule, d.message.split(" (pid")[0]) for d in r.diagnostics],
         [str(e) for e in r.errors])
        for r in results
    ]


def test_parallel_matches_serial_in_the_given_order(rules, tmp_path: Path) -> None:
    drafts(tmp_path, 11)
    args = [str(tmp_path / "sub2"), str(tmp_path / "missing.txt"), str(tmp_path)]
    serial = list(Linter().run(args, jobs=1))
    par = list(Linter().run(args, jobs=2))
    assert comparable(par) == comparable(serial)
    first = [str(p) for p in sorted((tmp_path / "sub2").glob("*.txt"))]
    assert [r.path for r in par][: len(first) + 1] == [*first, str(tmp_path / "missing.txt")]
    assert par[len(first)].errors[0].message == "file not found"
    assert len(par) == len(first) + 1 + 11
    assert pids(par) - {os.getpid()}  # prose was checked in a worker process
    assert pids(serial) == {os.getpid()}


def test_small_runs_stay_in_this_process(rules, tmp_path: Path) -> None:
    paths = drafts(tmp_path, parallel.SERIAL_BELOW - 1)
    results = list(Linter().run([str(p) for p in paths], jobs=4))
    assert pids(results) == {os.getpid()}
    assert len(results) == len(paths)


def test_little_prose_stays_in_this_process(rules, tmp_path: Path, monkeypatch) -> None:
    drafts(tmp_path, 8)
    size = sum(p.stat().st_size for p in tmp_path.rglob("*.txt"))
    monkeypatch.setattr(parallel, "SERIAL_BELOW_BYTES", size + 1)
    assert pids(list(Linter().run([str(tmp_path)], jobs=2))) == {os.getpid()}
    monkeypatch.setattr(parallel, "SERIAL_BELOW_BYTES", size)
    assert pids(list(Linter().run([str(tmp_path)], jobs=2))) - {os.getpid()}


def test_worker_results_carry_the_source_text(rules, tmp_path: Path) -> None:
    paths = drafts(tmp_path, 6)
    results = list(Linter().run([str(tmp_path)], jobs=2))
    for path, result in zip(sorted(paths), results, strict=True):
        assert result.document is not None
        assert result.document.source == path.read_text()
        assert result.document.line_text(1).startswith("Draft")


def test_full_documents_bring_the_prose_back(rules, tmp_path: Path) -> None:
    drafts(tmp_path, 6)
    serial = list(Linter().run([str(tmp_path)], jobs=1))
    full = list(Linter().run([str(tmp_path)], jobs=2, full_documents=True))
    def prose(results: list[FileResult]) -> list[list[tuple[str, str, list[int]]]]:
        return [
            [(b.kind, b.text, list(b.offsets)) for b in r.document.blocks] if r.document else []
            for r in results
        ]

    assert prose(full) == prose(serial)
    assert all(len(blocks) == 2 for blocks in prose(full))
    light = [r for r in Linter().run([str(tmp_path)], jobs=2) if os.getpid() not in pids([r])]
    assert light  # some came from a worker: without the prose, which was not asked for
    assert all(r.document is not None and r.document.blocks == [] for r in light)


def test_configuration_problems_are_reported_once(rules, tmp_path: Path) -> None:
    drafts(tmp_path, 8)
    (tmp_path / "writer.toml").write_text('select = ["no-such-rule"]\n')
    results = list(Linter().run([str(tmp_path)], jobs=2))
    errors = [str(e) for r in results for e in r.errors]
    assert len(errors) == 1 and "no-such-rule" in errors[0]
    assert results[0].errors  # with the first file, as in a serial run


def test_in_flight_work_is_bounded(rules, tmp_path: Path, monkeypatch) -> None:
    """Results are streamed: submitted-but-unreported files stay a small fixed number."""
    from concurrent.futures import ProcessPoolExecutor

    drafts(tmp_path, 40)
    submitted = []
    original = ProcessPoolExecutor.submit

    def counting(self, fn, *args, **kwargs):
        submitted.extend(args[0] if args else [])  # the files of a batch (not the no-op)
        return original(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", counting)
    seen = 0
    worst = 0
    for _ in Linter().run([str(tmp_path)], jobs=2):
        seen += 1
        worst = max(worst, len(submitted) - seen)
    assert seen == 40
    assert 0 < worst <= 2 * parallel.IN_FLIGHT_PER_JOB


class HeldPool:
    """A pool whose worker finishes the first batch at once and never starts the others,
    so the test decides what the workers are busy with."""

    def __init__(self) -> None:
        self.submitted: list[list[str]] = []

    def submit(self, fn, tasks: list[tuple[str, str]], full: bool):  # type: ignore[no-untyped-def]
        from concurrent.futures import Future

        future: Future[list[FileResult]] = Future()
        if not self.submitted:
            future.set_running_or_notify_cancel()
            future.set_result([FileResult(d, notices=["from a worker"]) for _, d in tasks])
        self.submitted.append([display for _, display in tasks])
        return future


def held_run(tmp_path: Path, monkeypatch, batch: int, in_flight: int, count: int):
    paths = [str(p) for p in sorted(drafts(tmp_path, count))]
    monkeypatch.setattr(parallel, "BATCH", batch)
    monkeypatch.setattr(parallel, "IN_FLIGHT_PER_JOB", in_flight)
    monkeypatch.setattr(parallel, "TAKE_BACK_UNSTARTED", True)
    linter = Linter()
    pool = HeldPool()
    planned = (linter.plan(path) for path in paths)
    results = list(parallel._schedule(linter, planned, pool, 1, False))  # type: ignore[arg-type]
    assert [r.path for r in results] == paths  # in order, whoever linted them
    return paths, pool.submitted, results


def test_the_main_process_lints_what_the_workers_have_no_room_for(
    rules, tmp_path: Path, monkeypatch
) -> None:
    paths, submitted, results = held_run(tmp_path, monkeypatch, 1, 2, 7)
    # The first three went to the (one) worker. While it held two, this process linted
    # the next three; with five results waiting (more than four) it took back the oldest
    # file the worker had not started, which made room for the last file; at the end it
    # took back the two the worker never started.
    assert submitted == [[p] for p in [*paths[:3], paths[6]]]
    assert results[0].notices == ["from a worker"]
    assert all(pids([r]) == {os.getpid()} for r in results[1:])


def test_files_go_to_workers_in_batches_and_come_back_whole(
    rules, tmp_path: Path, monkeypatch
) -> None:
    paths, submitted, results = held_run(tmp_path, monkeypatch, 2, 4, 9)
    # Batches of two until the worker held four files; the rest were linted here, and at
    # the end the two batches the worker never started were taken back whole.
    assert submitted == [paths[0:2], paths[2:4], paths[4:6]]
    assert [r.notices for r in results[:2]] == [["from a worker"]] * 2
    assert all(pids([r]) == {os.getpid()} for r in results[2:])


def test_a_crashing_rule_surfaces_as_in_a_serial_run(rules, tmp_path: Path) -> None:
    paths = drafts(tmp_path, 6)
    paths[4].write_text("This one will explode.\n")
    with pytest.raises(RuntimeError, match="a rule crashed"):
        list(Linter().run([str(tmp_path)], jobs=2))


class FakeChecker:
    opened = 0

    def __init__(self) -> None:
        FakeChecker.opened += 1

    def check(self, doc: Document, settings: object = None) -> list[Finding]:
        return [Finding(0, 5, f"grammar (pid {os.getpid()})")]

    def close(self) -> None:
        pass


@pytest.fixture
def fake_grammar(monkeypatch: pytest.MonkeyPatch) -> type[FakeChecker]:
    module = types.ModuleType("writer.grammar")
    module.GrammarUnavailable = RuntimeError  # type: ignore[attr-defined]
    module.open_checker = lambda settings: FakeChecker()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "writer.grammar", module)
    FakeChecker.opened = 0
    return FakeChecker


def test_grammar_files_use_one_checker_in_the_main_process(rules, fake_grammar, tmp_path) -> None:
    drafts(tmp_path, 12)
    (tmp_path / "sub1" / "writer.toml").write_text("grammar = true\n")
    results = list(Linter().run([str(tmp_path)], jobs=2))
    grammar = [(r.path, d.message) for r in results for d in r.diagnostics if d.rule == "HW952"]
    assert {Path(p).parent.name for p, _ in grammar} == {"sub1"}
    assert {m for _, m in grammar} == {f"grammar (pid {os.getpid()})"}
    assert fake_grammar.opened == 1
    others = [r for r in results if Path(r.path).parent.name != "sub1"]
    assert pids(others) - {os.getpid()}  # the other files could still go to a worker
    assert [r.path for r in results] == sorted(r.path for r in results)


def test_grammar_for_the_whole_run_is_serial(rules, fake_grammar, tmp_path) -> None:
    drafts(tmp_path, 6)
    results = list(Linter(grammar="on").run([str(tmp_path)], jobs=2))
    assert pids(results) == {os.getpid()} and fake_grammar.opened == 1


def test_cli_output_is_identical_with_and_without_jobs(rules, run, tmp_path: Path) -> None:
    drafts(tmp_path, 10)
    one = run("lint", "--no-source", "--format", "json", "-j", "1", str(tmp_path))
    two = run("lint", "--no-source", "--format", "json", "-j", "2", str(tmp_path))
    assert one.exit_code == two.exit_code
    strip = re.compile(r" \(pid \d+\)")
    assert strip.sub("", one.stdout) == strip.sub("", two.stdout)
    assert one.stdout.count('"rule": "HW950"') == 23  # 1+2+3+4+1+2+3+4+1+2 words


def test_jobs_default_comes_from_the_config_then_the_cores(rules, run, tmp_path, monkeypatch):
    drafts(tmp_path, 5)
    calls: list[int] = []
    real = parallel.run_parallel

    def spy(linter, items, jobs, full_documents=False):
        calls.append(jobs)
        return real(linter, items, jobs, full_documents)

    monkeypatch.setattr(parallel, "run_parallel", spy)
    monkeypatch.setattr(parallel, "default_jobs", lambda: 3)
    monkeypatch.chdir(tmp_path)
    run("lint", ".")
    (tmp_path / "writer.toml").write_text("jobs = 2\n")
    run("lint", ".")
    run("lint", "-j", "4", ".")
    (tmp_path / "writer.toml").write_text("jobs = 1\n")
    run("lint", ".")
    assert calls == [3, 2, 4]


def test_default_jobs_counts_usable_cores() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert parallel.default_jobs() == expected


def test_spawned_workers_build_their_own_linter(tmp_path: Path, monkeypatch) -> None:
    """Where processes are not forked (macOS, Windows), each worker loads the rules itself
    from the Linter's options; the results must not change."""
    import multiprocessing

    for i in range(5):
        (tmp_path / f"d{i}.txt").write_text(
            f"Draft {i}: this cell treatment is guaranteed to cure diabetes for good.\n"
        )
    serial = list(Linter().run([str(tmp_path)], jobs=1))
    monkeypatch.setattr(parallel, "_context", lambda: multiprocessing.get_context("spawn"))
    spawned = list(Linter().run([str(tmp_path)], jobs=2))
    assert [(r.path, [d.to_json() for d in r.diagnostics]) for r in spawned] == [
        (r.path, [d.to_json() for d in r.diagnostics]) for r in serial
    ]
    assert sum(len(r.diagnostics) for r in serial) > 0
