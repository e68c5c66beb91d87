"""Apply fixes to drafts: choose, apply, re-lint until stable, write back safely.

Used by ``writer lint --fix / --unsafe-fixes / --diff`` and by the rule-example tests.

Why it is built this way:

* Safe fixes (e.g. inserting a missing caveat paragraph) never change what the article
  claims, so ``--fix`` applies them. Rewording a claim changes meaning: such fixes are
  marked unsafe and are applied only with ``--unsafe-fixes``.
* Fixes can interact (two rules editing the same words). Like ruff, each pass applies only
  fixes that do not overlap, then re-lints and repeats, with a small bound, so a second
  ``--fix`` finds nothing left to do (idempotence).
* Readers act on these files. A write must never leave a truncated article (temp file in
  the same folder, fsync, ``os.replace``) and must never overwrite an edit the writer made
  while we were working (the bytes are compared right before the replace).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from writer.diagnostics import Diagnostic, Edit, Fix, InputError, WriterError

# Passes of fix-then-re-lint before giving up (ruff uses 100; our fixes rarely chain).
MAX_PASSES = 10
BOM = b"\xef\xbb\xbf"
TEMP_SUFFIX = ".writer-tmp"  # not a draft extension: a stray one is never linted


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits; later edits that overlap an applied one are skipped."""
    result: list[str] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < cursor:
            continue
        result.append(source[cursor : edit.start])
        result.append(edit.text)
        cursor = edit.end
    result.append(source[cursor:])
    return "".join(result)


@dataclass(frozen=True)
class FixMode:
    """How a run fixes: ``unsafe`` also applies meaning-changing fixes; ``diff`` writes
    nothing and reports what would change instead."""

    unsafe: bool = False
    diff: bool = False


# --- choosing fixes -------------------------------------------------------------------


def _clash(a: Edit, b: Edit) -> bool:
    """Whether two edits touch the same text. Two insertions at one point do not clash
    (both caveat paragraphs can go at the end); an insertion clashes only with a
    replacement that strictly contains its position."""
    if a.start == a.end and b.start == b.end:
        return False
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def choose_fixes(diagnostics: Iterable[Diagnostic], unsafe: bool = False) -> list[Fix]:
    """The fixes to apply in one pass: allowed, de-duplicated and non-overlapping.

    A fix is applied whole or not at all; one that overlaps an earlier choice waits for
    the next pass (after re-linting, its rule may no longer fire or may offer new edits).
    """
    chosen: list[Fix] = []
    taken: list[Edit] = []
    seen: set[tuple[Edit, ...]] = set()
    for diag in diagnostics:
        fix = diag.fix
        if fix is None or not fix.edits or (not fix.safe and not unsafe):
            continue
        key = tuple(sorted(fix.edits, key=lambda e: (e.start, e.end, e.text)))
        if key in seen:
            continue
        own = list(fix.edits)
        if any(_clash(a, b) for i, a in enumerate(own) for b in own[i + 1 :]):
            continue  # a malformed fix: its own edits overlap
        if any(_clash(a, b) for a in own for b in taken):
            continue
        seen.add(key)
        chosen.append(fix)
        taken.extend(own)
    return chosen


# --- line endings ----------------------------------------------------------------------


def newline_of(text: str) -> str:
    """The file's dominant line ending, so inserted paragraphs match the rest."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def _adapt(edit: Edit, newline: str) -> Edit:
    if newline == "\n" or "\n" not in edit.text:
        return edit
    return Edit(edit.start, edit.end, edit.text.replace("\r\n", "\n").replace("\n", newline))


# --- the fix loop ----------------------------------------------------------------------


@dataclass
class FixOutcome:
    """Text after fixing, the findings that remain in it, and how much was fixed."""

    text: str
    diagnostics: list[Diagnostic]
    fixed: int = 0
    passes: int = 0
    converged: bool = True
    applied: list[Fix] = field(default_factory=list)

    def changed(self, original: str) -> bool:
        return self.text != original


def fix_text(
    text: str,
    lint: Callable[[str], list[Diagnostic]],
    unsafe: bool = False,
    max_passes: int = MAX_PASSES,
    diagnostics: list[Diagnostic] | None = None,
) -> FixOutcome:
    """Lint, apply the allowed fixes, re-lint; repeat until nothing is left to fix.

    ``lint`` maps a text to its diagnostics (same rules and settings every time).
    ``diagnostics``, if given, are the findings for ``text`` already computed.
    Stops early on a text seen before (a cycle between two rules' fixes).
    """
    newline = newline_of(text)
    found = lint(text) if diagnostics is None else diagnostics
    outcome = FixOutcome(text, found)
    seen = {text}
    for _ in range(max_passes):
        fixes = choose_fixes(found, unsafe)
        if not fixes:
            return outcome
        edits = [_adapt(edit, newline) for fix in fixes for edit in fix.edits]
        new_text = apply_edits(outcome.text, edits)
        if new_text in seen:
            outcome.converged = new_text == outcome.text
            return outcome
        seen.add(new_text)
        found = lint(new_text)
        outcome.text, outcome.diagnostics = new_text, found
        outcome.fixed += len(fixes)
        outcome.passes += 1
        outcome.applied.extend(fixes)
    outcome.converged = not choose_fixes(found, unsafe)
    return outcome


# --- diffs -----------------------------------------------------------------------------


def unified_diff(before: str, after: str, path: str) -> str:
    """A unified diff (``patch -p0`` applies it); empty when nothing changed."""
    import difflib

    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=path,
        tofile=path,
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:  # last line without a newline: say so, as diff(1) does
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


# --- reading and writing files ---------------------------------------------------------


@dataclass(frozen=True)
class StoredText:
    """A draft as it is on disk: the exact bytes, the text, and whether it had a BOM."""

    data: bytes
    text: str
    bom: bool

    def encode(self, text: str) -> bytes:
        """Bytes for a new text, in the same encoding details (UTF-8, BOM kept)."""
        return (BOM if self.bom else b"") + text.encode("utf-8")


def read_stored(path: Path, display: str) -> StoredText:
    """Read a draft for fixing. Decoding errors name the file like a normal lint run."""
    from writer.sources import decode

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WriterError(InputError(display, "file not found")) from None
    except OSError as exc:
        raise WriterError(InputError(display, exc.strerror or str(exc))) from None
    return StoredText(data, decode(data, display), data.startswith(BOM))


def stored_from_bytes(data: bytes, display: str) -> StoredText:
    from writer.sources import decode

    return StoredText(data, decode(data, display), data.startswith(BOM))


class ChangedOnDisk(WriterError):
    """The file changed between reading and writing: somebody else is editing it."""


def write_atomic(path: Path, data: bytes, expected: bytes, display: str | None = None) -> None:
    """Replace the file's content with ``data`` if it still holds ``expected``.

    The new content goes to a temp file in the same folder (same file system, so the
    rename is atomic), is flushed to disk, gets the original's permission bits, and
    replaces the original in one ``os.replace``. A crash at any point leaves either the
    old or the new article, never half of one. A symlink is followed (its target is
    updated, the link stays). Raises :class:`ChangedOnDisk` without writing when the
    file's bytes are no longer ``expected``.
    """
    import tempfile

    name = display or str(path)
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError as exc:
        raise WriterError(InputError(name, f"cannot fix: {exc.strerror or exc}")) from None
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise WriterError(
            InputError(name, f"cannot fix: no temporary file in its folder ({exc.strerror})")
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if _read_or_none(target) != expected:
            raise ChangedOnDisk(
                InputError(name, "changed on disk while being fixed; left as it is (run again)")
            )
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where folders cannot be opened."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

