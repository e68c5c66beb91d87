"""Where the time goes: CPU seconds per stage and per rule, in one process.

    python benchmarks/stages.py [FOLDER] [--files 300] [--seed 2024] [--top 20]

Without FOLDER, builds the seeded benchmark corpus in a temporary folder. Prints the
start-up costs (imports, building the rules, the first document, regex compilation) and
then, over the whole folder, the CPU time of reading, sentence splitting, every rule and
the suppressions, largest first. Why: ``bench.py`` says how fast the whole tool is; this
says which rule or stage to make faster. CPU time (``time.process_time``) is used so that
other work on the machine disturbs the figures less.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_corpus  # noqa: E402  (sibling script)


class RegexTimer:
    """Counts the time spent compiling regular expressions (Python's pure-Python parser)."""

    def __init__(self) -> None:
        import re._compiler as compiler

        self.compiler = compiler
        self.original = compiler.compile
        self.seconds = 0.0
        self.count = 0

    def __enter__(self) -> RegexTimer:
        def timed(pattern: Any, flags: int = 0) -> Any:
            start = time.process_time()
            try:
                return self.original(pattern, flags)
            finally:
                self.seconds += time.process_time() - start
                self.count += 1

        self.compiler.compile = timed
        return self

    def __exit__(self, *exc: object) -> None:
        self.compiler.compile = self.original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    if args.folder is None:
        with tempfile.TemporaryDirectory(prefix="writer-stages-") as tmp:
            make_corpus.build(Path(tmp), args.files, args.seed)
            report(Path(tmp), args.top)
    else:
        report(args.folder, args.top)


def report(folder: Path, top: int) -> None:
    with RegexTimer() as regex:
        start = time.process_time()
        from writer import suppressions
        from writer.config import Settings
        from writer.document.readers import read_document
        from writer.engine import context_for, lint_document, selected_rules
        from writer.rules.packs import load_rules
        from writer.sources import format_for

        imported = time.process_time()
        ruleset, errors = load_rules()
        built = time.process_time()
        files = sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".html", ".txt"))
        first = files[0]
        text = first.read_text(encoding="utf-8")
        doc = read_document(str(first), text, format_for(str(first), None))
        lint_document(doc, ruleset, Settings())
        done = time.process_time()
    for error in errors:
        print(f"rule pack error: {error}")
    print(
        f"start-up CPU: imports {imported - start:.3f}s, rules {built - imported:.3f}s, "
        f"first document {done - built:.3f}s (lazy imports and compiling included); "
        f"regex compilation {regex.seconds:.3f}s over {regex.count} patterns"
    )

    settings = Settings()
    ctx = context_for(settings)
    rules = [rule for rule in selected_rules(ruleset, settings) if rule.check is not None]
    cost: dict[str, float] = collections.defaultdict(float)
    words = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        words += len(text.split())
        tick = time.process_time()
        doc = read_document(str(path), text, format_for(str(path), None))
        cost["read"] += time.process_time() - tick
        tick = time.process_time()
        doc.sentences  # noqa: B018 - computed once per document, shared by the rules
        cost["sentences"] += time.process_time() - tick
        for rule in rules:
            assert rule.check is not None
            tick = time.process_time()
            for _ in rule.check.run(doc, ctx):
                pass
            cost[f"{rule.code} {rule.name} ({rule.kind})"] += time.process_time() - tick
        tick = time.process_time()
        suppressions.parse(doc)
        cost["suppressions"] += time.process_time() - tick
    total = sum(cost.values())
    print(f"{len(files)} files, {words} words: {total:.2f} CPU s, {words / total:,.0f} words/CPU s")
    for name, seconds in sorted(cost.items(), key=lambda kv: -kv[1])[:top]:
        print(f"{seconds:8.3f}s {100 * seconds / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
