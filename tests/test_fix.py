"""--fix, --unsafe-fixes and --diff: safe by default, idempotent, atomic, never clobbering.

The rules here are small test checks (a caveat inserter with a SAFE fix, word rewordings
with UNSAFE fixes) so that these tests pin down the fixing machinery itself, whatever the
built-in packs contain.
"""

from __future__ import annotations

import re
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from writer import fixes
from writer.diagnostics import Diagnostic, Edit, Fix, InputError, Severity, WriterError
from writer.document.model import Document
from writer.rules.model import Finding, LintContext, Rule, RuleSet

CAVEAT = "Ask your diabetes team before you change how you take insulin."
DRAFT = "Islet cell transplants are a miracle for every patient.\n"


class CaveatCheck:
    """Flags a draft without the caveat; its SAFE fix appends the caveat paragraph."""

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        if CAVEAT in doc.source:
            return
        body = doc.source.rstrip("\r\n")
        edit = Edit(len(body), len(body), "\n\n" + CAVEAT)
        yield Finding(0, 0, fix=Fix((edit,), True, "add the insulin caveat"))


class WordCheck:
    """Flags a word; its fix rewords it (UNSAFE unless told otherwise)."""

    def __init__(self, word: str, replacement: str, safe: bool = False) -> None:
        self.pattern = re.compile(rf"\b{re.escape(word)}\b")
        self.replacement = replacement
        self.safe = safe

    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        for match in self.pattern.finditer(doc.source):
            edit = Edit(match.start(), match.end(), self.replacement)
            yield Finding(match.start(), match.end(), fix=Fix((edit,), self.safe, "reword"))


def make_rule(code: str, name: str, check: object, severity: Severity = Severity.ERROR) -> Rule:
    return Rule(
        code=code,
        name=name,
        kind="engine",
        category="testing",
        severity=severity,
        message=f"{name} found",
        why="test rule",
        source="test",
        pack="test",
        origin=f"test:{code}",
        check=check,  # type: ignore[arg-type]
    )


def sample_rules() -> RuleSet:
    return RuleSet(
        [
            make_rule("HW901", "needs-caveat", CaveatCheck()),
            make_rule("HW902", "miracle-word", WordCheck("a miracle", "a hope")),
            make_rule("HW903", "every-patient", WordCheck("every patient", "some patients")),
        ]
    )


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> RuleSet:
    """Replace the built-in packs with the test rules for the CLI and the Linter."""
    ruleset = sample_rules()
    monkeypatch.setattr("writer.runner.load_rules", lambda extra=(): (ruleset, []))
    return ruleset


def diag(start: int, end: int, edits: list[Edit], safe: bool = True) -> Diagnostic:
    fix = Fix(tuple(edits), safe, "test")
    return Diagnostic(
        "x", 1, 1, 1, 1, "HW900", "t", "c", Severity.ERROR, "m", None, fix, start, end
    )


# --- choosing fixes ---------------------------------------------------------------------


def test_choose_skips_unsafe_unless_allowed() -> None:
    safe = diag(0, 1, [Edit(0, 1, "a")], safe=True)
    unsafe = diag(5, 6, [Edit(5, 6, "b")], safe=False)
    assert fixes.choose_fixes([safe, unsafe]) == [safe.fix]
    assert fixes.choose_fixes([safe, unsafe], unsafe=True) == [safe.fix, unsafe.fix]


def test_choose_skips_overlaps_and_duplicates_but_keeps_insertions_at_one_point() -> None:
    first = diag(0, 10, [Edit(0, 10, "x")])
    overlapping = diag(5, 15, [Edit(5, 15, "y")])
    duplicate = diag(0, 10, [Edit(0, 10, "x")])
    insert_a = diag(20, 20, [Edit(20, 20, "A")])
    insert_b = diag(20, 20, [Edit(20, 20, "B")])
    inside = diag(3, 3, [Edit(3, 3, "Z")])  # insertion strictly inside the first edit
    touching = diag(10, 12, [Edit(10, 12, "t")])  # starts where the first ends
    found = [first, overlapping, duplicate, insert_a, insert_b, inside, touching]
    chosen = fixes.choose_fixes(found)
    assert chosen == [first.fix, insert_a.fix, insert_b.fix, touching.fix]


def test_a_fix_is_applied_whole_or_not_at_all() -> None:
    taken = diag(0, 4, [Edit(0, 4, "x")])
    partly_clashing = diag(10, 12, [Edit(10, 12, "y"), Edit(2, 3, "z")])
    assert fixes.choose_fixes([taken, partly_clashing]) == [taken.fix]


# --- the fix loop -----------------------------------------------------------------------


def lint_with(ruleset: RuleSet, fmt: str = "text") -> Callable[[str], list[Diagnostic]]:
    from writer.config import Settings
    from writer.document.readers import read_document
    from writer.engine import lint_document

    def lint(text: str) -> list[Diagnostic]:
        return lint_document(read_document("x.txt", text, fmt), ruleset, Settings())

    return lint


def test_safe_fixes_only_by_default_and_remaining_findings_reported() -> None:
    outcome = fixes.fix_text(DRAFT, lint_with(sample_rules()))
    assert outcome.text == DRAFT.rstrip("\n") + "\n\n" + CAVEAT + "\n"
    assert outcome.fixed == 1
    assert sorted(d.rule for d in outcome.diagnostics) == ["HW902", "HW903"]


def test_unsafe_fixes_reword_the_claims() -> None:
    outcome = fixes.fix_text(DRAFT, lint_with(sample_rules()), unsafe=True)
    assert outcome.text == f"Islet cell transplants are a hope for some patients.\n\n{CAVEAT}\n"
    assert outcome.diagnostics == []
    assert outcome.fixed == 3 and outcome.converged


def test_overlapping_fixes_are_applied_over_several_passes() -> None:
    ruleset = RuleSet(
        [
            make_rule("HW911", "long", WordCheck("cures every patient", "may help some people")),
            make_rule("HW912", "short", WordCheck("every patient", "all patients")),
        ]
    )
    outcome = fixes.fix_text("It cures every patient.\n", lint_with(ruleset), unsafe=True)
    # Pass 1 applies the first fix only (the second overlaps it); pass 2 finds nothing left.
    assert outcome.text == "It may help some people.\n"
    assert outcome.passes == 1 and outcome.converged


def test_second_fix_run_changes_nothing() -> None:
    lint = lint_with(sample_rules())
    once = fixes.fix_text(DRAFT, lint, unsafe=True)
    twice = fixes.fix_text(once.text, lint, unsafe=True)
    assert twice.text == once.text and twice.fixed == 0


def test_fixes_that_never_settle_stop_and_say_so() -> None:
    ruleset = RuleSet(
        [
            make_rule("HW921", "ping", WordCheck("ping", "pong", safe=True)),
            make_rule("HW922", "pong", WordCheck("pong", "ping", safe=True)),
        ]
    )
    outcome = fixes.fix_text("ping\n", lint_with(ruleset))
    assert not outcome.converged
    assert outcome.text in ("ping\n", "pong\n")


def test_inserted_text_follows_the_files_line_endings() -> None:
    crlf = "First paragraph here.\r\n\r\nSecond one is a miracle.\r\n"
    outcome = fixes.fix_text(crlf, lint_with(sample_rules()))
    assert outcome.text.endswith("miracle.\r\n\r\n" + CAVEAT + "\r\n")
    assert "\n" not in outcome.text.replace("\r\n", "")
    assert fixes.newline_of("a\nb\n") == "\n" and fixes.newline_of("a\r\nb\r\n") == "\r\n"


def test_apply_edits_keeps_original_order_for_insertions_at_one_point() -> None:
    edits = [Edit(3, 3, "A"), Edit(3, 3, "B"), Edit(0, 1, "x")]
    assert fixes.apply_edits("abcdef", edits) == "xbcABdef"


# --- diffs --------------------------------------------------------------------------------


def test_unified_diff_format() -> None:
    before = "one\ntwo\n"
    after = "one\n2\n"
    assert fixes.unified_diff(before, after, "d.md") == (
        "--- d.md\n+++ d.md\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n"
    )
    assert fixes.unified_diff(before, before, "d.md") == ""


def test_unified_diff_marks_a_missing_final_newline() -> None:
    text = fixes.unified_diff("alpha", "beta", "d.md")
    marker = "\\ No newline at end of file\n"
    assert text.endswith(f"-alpha\n{marker}+beta\n{marker}")


# --- atomic writes ------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(fixes.TEMP_SUFFIX)]


def test_write_atomic_replaces_content_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    path.write_bytes(b"old\n")
    path.chmod(0o640)
    fixes.write_atomic(path, b"new\n", b"old\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_write_atomic_refuses_when_the_file_changed(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    path.write_bytes(b"edited by a person meanwhile\n")
    with pytest.raises(fixes.ChangedOnDisk) as info:
        fixes.write_atomic(path, b"new\n", b"what we read\n", "draft.md")
    assert "draft.md" in str(info.value) and "changed on disk" in str(info.value)
    assert path.read_bytes() == b"edited by a person meanwhile\n"
    assert leftovers(tmp_path) == []


def test_crash_before_replace_leaves_the_original_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "draft.md"
    path.write_bytes(b"original\n")

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # e.g. Ctrl-C between writing and renaming

    monkeypatch.setattr(fixes.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        fixes.write_atomic(path, b"new\n", b"original\n")
    assert path.read_bytes() == b"original\n"
    assert leftovers(tmp_path) == []


def test_killed_process_never_leaves_a_truncated_draft(tmp_path: Path) -> None:
    """SIGKILL right before the rename: nothing can clean up, and the draft is still whole."""
    path = tmp_path / "draft.md"
    original = ("A careful paragraph about islet cells.\n" * 2000).encode()
    path.write_bytes(original)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from writer import fixes
        fixes.os.replace = lambda a, b: os.kill(os.getpid(), signal.SIGKILL)
        fixes.write_atomic(Path({str(path)!r}), b"short", Path({str(path)!r}).read_bytes())
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == original
    # The orphaned temp file is a hidden *.writer-tmp: never taken for a draft by a folder walk.
    from writer.sources import expand

    assert list(expand([str(tmp_path)])) == [str(path)]


def test_symlink_target_is_updated_and_the_link_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(b"old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    fixes.write_atomic(link, b"new\n", b"old\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"


# --- the command line ---------------------------------------------------------------------


def test_fix_writes_safe_fixes_and_reports_what_remains(rules, run, write) -> None:
    path = write("a.txt", DRAFT)
    result = run("lint", "--fix", str(path))
    assert path.read_text() == DRAFT.rstrip("\n") + "\n\n" + CAVEAT + "\n"
    assert result.exit_code == 1  # the unsafe findings remain
    assert "HW902" in result.stdout and "HW903" in result.stdout and "HW901" not in result.stdout
    assert "Fixed 1 issue in 1 file." in result.stdout
    again = run("lint", "--fix", str(path))
    assert path.read_text() == DRAFT.rstrip("\n") + "\n\n" + CAVEAT + "\n"
    assert "Fixed 0 issues in 0 files." in again.stdout


def test_unsafe_fixes_apply_rewordings(rules, run, write) -> None:
    path = write("a.txt", DRAFT)
    result = run("lint", "--unsafe-fixes", str(path))
    assert result.exit_code == 0, result.output
    assert path.read_text() == f"Islet cell transplants are a hope for some patients.\n\n{CAVEAT}\n"
    assert "Fixed 3 issues in 1 file." in result.stdout


def test_diff_prints_a_patch_and_writes_nothing(rules, run, write, tmp_path: Path) -> None:
    path = write("a.txt", DRAFT)
    result = run("lint", "--diff", str(path))
    assert result.exit_code == 1
    assert path.read_text() == DRAFT
    assert result.stdout == (
        f"--- {path}\n+++ {path}\n@@ -1 +1,3 @@\n"
        f" {DRAFT}+\n+{CAVEAT}\n"
    )
    assert "Would fix 1 issue in 1 file." in result.stderr
    # The diff is a real patch: applying it gives what --fix writes.
    patch = subprocess.run(["patch", "-p0", "--dry-run"], input=result.stdout, text=True,
                           cwd="/", capture_output=True)
    assert patch.returncode == 0, patch.stdout + patch.stderr


def test_diff_exits_zero_when_nothing_to_fix(rules, run, write) -> None:
    path = write("a.txt", f"Some patients may benefit.\n\n{CAVEAT}\n")
    result = run("lint", "--diff", str(path))
    assert result.exit_code == 0 and result.stdout == ""


def test_crlf_and_bom_are_preserved(rules, run, write) -> None:
    raw = fixes.BOM + b"Cells are a miracle.\r\n\r\nMore text here.\r\n"
    path = write("a.txt", raw)
    run("lint", "--fix", str(path))
    assert path.read_bytes() == raw + b"\r\n" + CAVEAT.encode() + b"\r\n"


def test_stdin_fix_writes_the_fixed_draft_to_stdout(rules, run) -> None:
    result = run("lint", "--fix", "--stdin-filename", "in.txt", "-", input=DRAFT)
    assert result.stdout == DRAFT.rstrip("\n") + "\n\n" + CAVEAT + "\n"
    assert "HW902" in result.stderr  # the findings that remain go to stderr
    assert "Fixed 1 issue" in result.stderr


def test_stdin_fix_with_nothing_to_fix_echoes_the_draft(rules, run) -> None:
    clean = f"Some patients may benefit.\n\n{CAVEAT}\n"
    result = run("lint", "--fix", "--input-format", "text", "-", input=clean)
    assert result.exit_code == 0 and result.stdout == clean


def test_file_edited_during_the_run_is_not_overwritten(monkeypatch, run, write) -> None:
    """An editor saves the draft while we lint it: we must not clobber that save."""
    path = write("a.txt", DRAFT)
    saved = "The person at the keyboard rewrote this.\n"

    class EditorSaves:
        def run(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
            if path.read_text() == DRAFT:
                path.write_text(saved)
            return iter(())

    ruleset = RuleSet([make_rule("HW901", "needs-caveat", CaveatCheck()),
                       make_rule("HW930", "editor", EditorSaves())])
    monkeypatch.setattr("writer.runner.load_rules", lambda extra=(): (ruleset, []))
    result = run("lint", "--fix", str(path))
    assert result.exit_code == 2
    assert f"{path}: changed on disk" in result.stderr
    assert path.read_text() == saved
    assert leftovers(path.parent) == []


def test_unreadable_file_is_an_input_error_and_others_are_fixed(rules, run, write) -> None:
    good = write("good.txt", DRAFT)
    bad = write("bad.txt", b"\xff\xfe not utf-8")
    result = run("lint", "--fix", str(bad), str(good))
    assert result.exit_code == 2
    assert f"{bad}:1:1: not valid UTF-8" in result.stderr
    assert CAVEAT in good.read_text()


def test_a_rule_pack_error_found_while_fixing_is_reported(monkeypatch, run, write) -> None:
    """Patterns compile lazily: a broken one surfaces on the first draft, not at load."""

    class BrokenPattern:
        def run(self, doc: Document, ctx: LintContext) -> Iterator[Finding]:
            if "broken" in doc.source:
                raise WriterError(InputError("pack.yml", "invalid pattern", 3))
            return iter(())

    ruleset = RuleSet([make_rule("HW901", "needs-caveat", CaveatCheck()),
                       make_rule("HW940", "broken", BrokenPattern())])
    monkeypatch.setattr("writer.runner.load_rules", lambda extra=(): (ruleset, []))
    bad = write("bad.txt", "A broken draft.\n")
    good = write("good.txt", DRAFT)
    result = run("lint", "--fix", str(bad), str(good))
    assert result.exit_code == 2
    assert "pack.yml:3: invalid pattern" in result.stderr
    assert bad.read_text() == "A broken draft.\n"
    assert CAVEAT in good.read_text()


def test_read_stored_and_encode_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(fixes.BOM + "Caf\u00e9\r\n".encode())
    stored = fixes.read_stored(path, "a.md")
    assert stored.bom and stored.text == "Caf\u00e9\r\n"
    assert stored.encode(stored.text) == path.read_bytes()
    with pytest.raises(WriterError):
        fixes.read_stored(tmp_path / "missing.md", "missing.md")


def test_fix_runs_in_parallel_workers(rules, run, write, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("writer.parallel.SERIAL_BELOW_BYTES", 0)  # tiny drafts, still parallel
    paths = [write(f"d{i}.txt", f"Draft {i} calls it a miracle.\n") for i in range(6)]
    result = run("lint", "--fix", "-j", "2", str(tmp_path))
    assert result.exit_code == 1
    for path in paths:
        assert path.read_text().endswith(CAVEAT + "\n")
    assert "Fixed 6 issues in 6 files." in result.stdout
    assert leftovers(tmp_path) == []


def test_a_file_named_twice_is_fixed_once(rules, run, write, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("writer.parallel.SERIAL_BELOW_BYTES", 0)
    paths = [write(f"d{i}.txt", DRAFT) for i in range(5)]
    result = run("lint", "--fix", "-j", "2", str(paths[0]), str(tmp_path), str(paths[0]))
    assert result.exit_code == 1, result.stderr
    assert "changed on disk" not in result.stderr
    assert "Fixed 5 issues in 5 files." in result.stdout
    assert paths[0].read_text().count(CAVEAT) == 1


# --- with the built-in caveat rules -------------------------------------------------------

PROMO = {
    "a.md": "# Cell therapy\n\nOur stem cell therapy treats type 1 diabetes.\n",
    "b.html": "<h1>Cell therapy</h1>\n<p>Our stem cell therapy treats type 1 diabetes.</p>\n",
    "c.txt": "Our stem cell therapy treats type 1 diabetes.\r\n\r\nBook a visit.\r\n",
}


def test_builtin_caveat_fixes_are_safe_complete_and_idempotent(run, write, tmp_path) -> None:
    paths = {name: write(name, text) for name, text in PROMO.items()}
    before = run("lint", "--select", "caveats", "--format", "json", str(tmp_path))
    assert before.exit_code == 1 and '"category": "caveats"' in before.stdout
    fixed = run("lint", "--fix", "--select", "caveats", "--format", "json", str(tmp_path))
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.strip() == "[]"  # every missing caveat was added
    after = {name: path.read_bytes() for name, path in paths.items()}
    for name, text in PROMO.items():
        assert len(after[name]) > len(text.encode())
        assert after[name].startswith(text.rstrip("\r\n").encode()[:40])
    assert b"\n" not in after["c.txt"].replace(b"\r\n", b"")  # CRLF kept
    again = run("lint", "--fix", "--select", "caveats", str(tmp_path))
    assert "Fixed 0 issues" in again.stdout
    assert {name: path.read_bytes() for name, path in paths.items()} == after
