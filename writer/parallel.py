"""Lint many files on several cores, reporting them in the order they were given.

Why it works this way:

* Configuration and rule-pack problems are found while *planning* each file in the main
  process, so each is reported once, however many workers there are.
* The main process is one of the ``jobs``: it starts ``jobs - 1`` workers and lints a file
  itself whenever they have enough queued. Otherwise it would sit waiting on one core
  while the workers share the rest, and every file would cross between processes twice.
* Workers receive only a path and return the findings plus the source text (enough for
  the line under each finding); the parsed prose comes back only when asked for (the
  HTML report measures it). Rules are loaded once per worker (inherited for free where
  the process is forked).
* At most a few tasks per worker are in flight and results are handed on as soon as the
  next file in order is ready, so memory stays flat however many files there are.
* A file that needs grammar checking is linted in the main process: a run has exactly
  one LanguageTool connection.
* Small runs stay serial: starting processes costs more than it saves on a few files.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from writer.diagnostics import InputError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from writer.runner import FileResult, Linter, Task

SERIAL_BELOW = 4  # files to hand to workers before a pool is worth starting
# ... and bytes: starting workers costs ~30-50 ms, about as long as linting 16 KB of prose.
SERIAL_BELOW_BYTES = 32_000
IN_FLIGHT_PER_JOB = 8  # queued files per worker: keeps workers busy, memory bounded
BATCH = 4  # files per hand-over: each costs a round trip between processes and threads
# At the end, lint here the files no worker has started (rather than wait for them idle).
TAKE_BACK_UNSTARTED = True

_WORKER: Linter | None = None  # the Linter of this worker process


def default_jobs() -> int:
    """All the cores this process may use (respects CPU affinity and container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> Any:
    """Fork where it is safe (Linux, no threads yet): workers inherit the loaded rules.
    Elsewhere the platform default (spawn/forkserver) with the rules loaded per worker."""
    import multiprocessing
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _init_worker(options: dict[str, Any]) -> None:
    import signal

    global _WORKER
    # Ctrl-C goes to the whole process group: let the main process handle it alone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _WORKER is None or _WORKER.options != options:
        from writer.runner import Linter

        _WORKER = Linter(**options)
    # Workers end with os._exit (no atexit): save what they learned (compiled patterns)
    # through multiprocessing's own exit hook instead, for the next run.
    from multiprocessing.util import Finalize

    from writer.cache import flush

    Finalize(None, flush, exitpriority=10)


def _work(tasks: list[tuple[str, str]], full_documents: bool) -> list[FileResult]:
    """Lint a batch of (path, display name) in a worker."""
    from writer.document.model import Document
    from writer.runner import Task

    assert _WORKER is not None
    results = []
    for arg, display in tasks:
        result = _WORKER.execute(Task(arg, display))
        doc = result.document
        if doc is not None and not full_documents:
            result.document = Document(doc.path, doc.source, doc.format)
        results.append(result)
    return results


def _enough_work(paths: Sequence[str]) -> bool:
    """Whether the files hold enough prose to repay starting worker processes."""
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except OSError:
            continue  # reported when the file is read
        if total >= SERIAL_BELOW_BYTES:
            return True
    return False


def _noop() -> None:
    """Submitted first: with fork, all workers start now, before this process has threads."""


def run_parallel(
    linter: Linter, items: Sequence[str | InputError], jobs: int, full_documents: bool = False
) -> Iterator[FileResult]:
    """Lint ``items`` (paths, or errors found while walking) with up to ``jobs`` processes,
    this one included.

    ``full_documents``: ship each parsed document back whole (prose blocks included),
    not just its source text.
    """
    from writer.runner import FileResult

    planned = (
        FileResult(item.path, errors=[item]) if isinstance(item, InputError) else linter.plan(item)
        for item in items
    )
    remote = [item for item in items if isinstance(item, str) and item != "-"]
    jobs = min(jobs, len(remote))
    if jobs < 2 or len(remote) < SERIAL_BELOW or not _enough_work(remote):
        for entry in planned:
            yield entry if isinstance(entry, FileResult) else linter.execute(entry)
        return

    global _WORKER
    from concurrent.futures import ProcessPoolExecutor

    _WORKER = linter  # inherited by forked workers: their rules are already loaded
    workers = jobs - 1  # this process lints too
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(linter.options,),
    )
    try:
        pool.submit(_noop).result()
        yield from _schedule(linter, planned, pool, workers, full_documents)
    finally:
        _WORKER = None
        pool.shutdown(wait=True, cancel_futures=True)


class _Entry:
    """One file in the output order: its finished result, or its Task and the future of
    the batch a worker lints it in (None while the batch is being filled)."""

    __slots__ = ("item", "future", "slot")

    def __init__(self, item: FileResult | Task) -> None:
        self.item = item
        self.future: Future[list[FileResult]] | None = None
        self.slot = 0  # its place in the batch

    def ready(self) -> bool:
        from writer.runner import FileResult

        return isinstance(self.item, FileResult) or (
            self.future is not None and self.future.done()
        )

    def result(self) -> FileResult:
        from writer.runner import FileResult

        item = self.item
        if isinstance(item, FileResult):
            return item
        assert self.future is not None
        result = self.future.result()[self.slot]
        result.errors[:0] = item.errors
        return result


def _schedule(
    linter: Linter,
    planned: Iterator[FileResult | Task],
    pool: Any,
    workers: int,
    full_documents: bool,
) -> Iterator[FileResult]:
    """Hand files to the workers, ``BATCH`` at a time, while they have fewer than
    ``IN_FLIGHT_PER_JOB`` each in flight; lint the others here; yield the results in the
    order of ``planned``."""
    from writer.runner import FileResult

    limit = workers * IN_FLIGHT_PER_JOB
    pending: deque[_Entry] = deque()
    batch: list[_Entry] = []

    def submit() -> None:
        tasks = []
        for slot, entry in enumerate(batch):
            assert not isinstance(entry.item, FileResult)
            entry.slot = slot
            tasks.append((entry.item.arg, entry.item.display))
        future = pool.submit(_work, tasks, full_documents)
        for entry in batch:
            entry.future = future
        batch.clear()

    for item in planned:
        entry = _Entry(item)
        if isinstance(item, FileResult):
            pass
        elif item.grammar or item.arg == "-" or _in_flight(pending) >= limit:
            # The run's one LanguageTool connection and stdin are here; so is a file
            # the workers have no room for.
            entry.item = linter.execute(item)
        else:
            batch.append(entry)
        pending.append(entry)
        if len(batch) == BATCH:
            submit()
        while pending and pending[0].ready():
            yield pending.popleft().result()
        if len(pending) > 2 * limit:  # memory stays bounded: the oldest first
            if batch:
                submit()
            _take_back(linter, pending, pending[0])
            yield pending.popleft().result()
    if batch:
        submit()
    # No more files: rather than wait, lint here the files no worker has started.
    for entry in reversed(pending):
        _take_back(linter, pending, entry)
    while pending:
        yield pending.popleft().result()


def _take_back(linter: Linter, pending: deque[_Entry], entry: _Entry) -> None:
    """Lint here the batch holding ``entry`` if it was handed to a worker that has not
    started it."""
    from writer.runner import FileResult

    future = entry.future
    if TAKE_BACK_UNSTARTED and future is not None and future.cancel():
        for other in pending:
            if other.future is future:
                assert not isinstance(other.item, FileResult)
                other.item = linter.execute(other.item)
                other.future = None


def _in_flight(pending: deque[_Entry]) -> int:
    """Files handed (or about to be handed) to the workers and not finished."""
    from writer.runner import FileResult

    count = 0
    for entry in pending:
        if entry.future is not None:
            count += not entry.future.done()
        elif not isinstance(entry.item, FileResult):
            count += 1  # in the batch being filled
    return count
