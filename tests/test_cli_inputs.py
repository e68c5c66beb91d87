"""Bad input gets one clear message naming the file, exit 2, and the other files still run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CAREFUL, CLAIM


def test_clean_draft_exits_zero(run, write) -> None:
    path = write("ok.md", CAREFUL)
    result = run("lint", "--ignore", "readability,plain-language", str(path))
    assert result.exit_code == 0, result.output
    assert "Checked 1 file" in result.output


def test_error_finding_exits_one(run, write) -> None:
    path = write("bad.md", CLAIM)
    result = run("lint", "--select", "claims", str(path))
    assert result.exit_code == 1
    assert f"{path}:1:" in result.output


def test_missing_file_is_reported_and_others_still_linted(lint_json, write, run) -> None:
    bad = write("bad.md", CLAIM)
    result = run("lint", "--select", "claims", "missing.md", str(bad))
    assert result.exit_code == 2
    assert "missing.md: file not found" in result.stderr
    assert f"{bad}:1:" in result.stdout  # the readable file was still linted


def test_binary_file(run, write) -> None:
    path = write("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("lint", str(path))
    assert result.exit_code == 2
    assert "binary file" in result.stderr and str(path) in result.stderr


def test_invalid_utf8_names_line_and_column(run, write) -> None:
    path = write("latin1.md", "First line is fine.\nCaf\xe9 au lait.\n".encode("latin-1"))
    result = run("lint", str(path))
    assert result.exit_code == 2
    assert f"{path}:2:4: not valid UTF-8 (byte 0xe9)" in result.stderr


def test_empty_file(run, write) -> None:
    path = write("empty.md", "  \n\n")
    result = run("lint", str(path))
    assert result.exit_code == 2
    assert f"{path}: empty draft" in result.stderr


def test_directory_is_walked_recursively(lint_json, write, tmp_path: Path) -> None:
    write("a/one.md", CLAIM)
    write("a/b/two.txt", CLAIM)
    write("a/b/ignored.py", CLAIM)
    code, findings = lint_json("--select", "claims", str(tmp_path / "a"))
    assert code == 1
    paths = {Path(f["path"]).name for f in findings}
    assert paths == {"one.md", "two.txt"}


def test_stdin(run) -> None:
    result = run("lint", "--select", "claims", "--stdin-filename", "draft.md", "-", input=CLAIM)
    assert result.exit_code == 1
    assert "draft.md:1:" in result.output


def test_never_writes_the_files_it_reads(run, write) -> None:
    path = write("bad.md", CLAIM)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    run("lint", str(path))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_unknown_rule_on_command_line_is_usage_error(run, write) -> None:
    path = write("ok.md", CAREFUL)
    result = run("lint", "--select", "no-such-rule", str(path))
    assert result.exit_code == 2
    assert "names unknown rule 'no-such-rule'" in result.stderr


def test_fail_on_warning_and_never(run, write) -> None:
    path = write("bad.md", CLAIM)
    assert run("lint", "--select", "claims", "--fail-on", "never", str(path)).exit_code == 0
    meta = write("meta.md", "<!-- writer-disable-next-line HW002 -- stale -->\nPlain words here.\n")
    assert run("lint", "--select", "HW001,HW002", str(meta)).exit_code == 0
    result = run("lint", "--select", "HW001,HW002", "--fail-on", "warning", str(meta))
    assert result.exit_code == 1
    assert "HW001" in result.output


def test_json_keys_are_the_public_interface(lint_json, write) -> None:
    path = write("bad.md", CLAIM)
    _, findings = lint_json("--select", "claims", str(path))
    assert findings
    required = {
        "path", "line", "column", "end_line", "end_column", "rule", "name", "category",
        "severity", "message",
    }
    for finding in findings:
        assert required <= set(finding) <= required | {"suggestion"}
        assert finding["severity"] == "error" and finding["category"] == "claims"
