"""Lint many files on several cores, reporting them in the order they were given.

Why it works this way:

* Configuration and rule-pack problems are found while *planning* each file in the main
  process, so each is reported once, however many workers there are.
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
IN_FLIGHT_PER_JOB = 4  # queued tasks per worker: keeps workers busy, memory bounded

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


def _work(arg: str, display: str, full_documents: bool) -> FileResult:
    from writer.document.model import Document
    from writer.runner import Task

    assert _WORKER is not None
    result = _WORKER.execute(Task(arg, display))
    doc = result.document
    if doc is not None and not full_documents:
        result.document = Document(doc.path, doc.source, doc.format)
    return result


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
    """Lint ``items`` (paths, or errors found while walking) with up to ``jobs`` processes.

    ``full_documents``: ship each parsed document back whole (prose blocks included),
    not just its source text.
    """
    from writer.runner import FileResult, Task

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
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(linter.options,),
    )
    pending: deque[tuple[FileResult | Task, Future[FileResult] | None]] = deque()

    def resolve(entry: FileResult | Task, future: Future[FileResult] | None) -> FileResult:
        if isinstance(entry, FileResult):
            return entry
        if future is None:  # needs grammar or stdin: the main process lints it
            return linter.execute(entry)
        result = future.result()
        result.errors[:0] = entry.errors
        return result

    try:
        pool.submit(_noop).result()
        for entry in planned:
            future = None
            if isinstance(entry, Task) and not entry.grammar and entry.arg != "-":
                future = pool.submit(_work, entry.arg, entry.display, full_documents)
            pending.append((entry, future))
            while len(pending) > jobs * IN_FLIGHT_PER_JOB:
                yield resolve(*pending.popleft())
        while pending:
            yield resolve(*pending.popleft())
    finally:
        _WORKER = None
        pool.shutdown(wait=True, cancel_futures=True)
