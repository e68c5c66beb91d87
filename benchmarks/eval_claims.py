"""Measure the claims rules: precision/recall on our labelled sets, false alarms on science text.

Usage (from the repository root)::

    python benchmarks/eval_claims.py                      # summary
    python benchmarks/eval_claims.py --errors             # + misclassified labelled items
    python benchmarks/eval_claims.py --hits               # + every finding on external text
    python benchmarks/eval_claims.py ../shared/eval/external --select claims,promotion

(a) tests/data/claims_dev.yml, claims_heldout.yml, claims_fresh.yml and claims_blind2.yml
(our own sentences; the held-out file was written before the rules and is never used to
tune them; the fresh file was written before the rules were generalised for unfamiliar
marketing wording and scored once before any change; blind2 is the untouched part of the
second recall round's batch, whose other part went into dev): precision, recall and F1 of
"any claims finding" against the label, overall and per tag. Errors are listed for dev and
fresh only; held-out and blind2 errors need --errors-heldout, for a final report, never
for tuning.

(b) Published science text in the shared external folder (read in place, never copied into
the project): findings per 1000 sentences. Nearly all of it is careful writing, so a
finding there is almost always a false alarm; the target is fewer than 1 per 1000.

(c) Throughput: sentences per second through the whole pipeline (read, split, check)
with the selected rules only.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from writer.api import builtin_ruleset  # noqa: E402
from writer.config import Settings  # noqa: E402
from writer.document.readers import read_document  # noqa: E402
from writer.engine import lint_document  # noqa: E402

DATA = REPO / "tests" / "data"


def labelled(path: Path) -> list[dict[str, str]]:
    import yaml

    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])


def score(items: list[dict[str, str]], settings: Settings) -> dict[str, object]:
    ruleset = builtin_ruleset()
    tp = fp = fn = tn = 0
    per_tag: dict[str, Counter[str]] = defaultdict(Counter)
    wrong: list[tuple[str, dict[str, str], list[str]]] = []
    for item in items:
        doc = read_document("<item>", item["text"], "markdown")
        found = lint_document(doc, ruleset, settings)
        flagged = bool(found)
        what = [f"{d.rule} {doc.source[d.start:d.end]!r}" for d in found]
        expected = item["label"] == "flag"
        outcome = {(True, True): "tp", (True, False): "fp", (False, True): "fn"}.get(
            (flagged, expected), "tn"
        )
        per_tag[item["tag"]][outcome] += 1
        if outcome == "tp":
            tp += 1
        elif outcome == "fp":
            fp += 1
            wrong.append(("FALSE ALARM", item, what))
        elif outcome == "fn":
            fn += 1
            wrong.append(("MISSED", item, what))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(items), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": precision, "recall": recall, "f1": f1,
        "per_tag": per_tag, "wrong": wrong,
    }


# --- external corpora (read in place) --------------------------------------------------


def pei2021(folder: Path) -> Iterator[str]:
    path = folder / "pei2021_certainty" / "sentence-level-certainty.jsonl"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)["finding"]


def yu2019(folder: Path) -> Iterator[str]:
    path = folder / "yu2019_causal_language" / "pubmed_causal_language_use.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield row["sentence"]


def wright2021(folder: Path) -> Iterator[str]:
    for name in ("insciout_train.jsonl", "insciout_test.jsonl"):
        with (folder / "wright2021_exaggeration" / name).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    yield row["press_release_conclusion"]
                    yield row["abstract_conclusion"]


def bioscope(folder: Path) -> Iterator[str]:
    for name in ("abstracts.xml", "full_papers.xml"):
        root = ET.parse(folder / "bioscope" / name).getroot()  # noqa: S314 - local research data
        for sentence in root.iter("sentence"):
            yield "".join(sentence.itertext())


CORPORA = {
    "pei2021 (science findings, news + abstracts)": pei2021,
    "yu2019 (PubMed conclusions)": yu2019,
    "wright2021 (press releases + abstract conclusions)": wright2021,
    "bioscope (biomedical abstracts + papers)": bioscope,
}


def external(folder: Path, settings: Settings, show_hits: bool) -> list[dict[str, object]]:
    ruleset = builtin_ruleset()
    results = []
    for name, reader in CORPORA.items():
        texts = list(dict.fromkeys(t.strip() for t in reader(folder) if t.strip()))
        sentences = findings = 0
        hits: list[str] = []
        started = time.perf_counter()
        for text in texts:
            doc = read_document("<external>", text, "text")
            sentences += len(doc.sentences)
            for diag in lint_document(doc, ruleset, settings):
                findings += 1
                hits.append(f"  {diag.rule} {doc.source[diag.start:diag.end]!r} in: {text}")
        elapsed = time.perf_counter() - started
        results.append({
            "corpus": name, "texts": len(texts), "sentences": sentences, "findings": findings,
            "per_1000": 1000 * findings / max(sentences, 1), "seconds": elapsed,
            "hits": hits,
        })
        print(f"{name}: {len(texts)} texts, {sentences} sentences, {findings} findings, "
              f"{1000 * findings / max(sentences, 1):.2f} per 1000 sentences, "
              f"{sentences / elapsed:,.0f} sentences/s")
        if show_hits:
            print("\n".join(hits))
    return results


def throughput(folder: Path, settings: Settings) -> None:
    """Rules only (documents read and split beforehand), to isolate the phrase matching."""
    ruleset = builtin_ruleset()
    texts = list(dict.fromkeys(t.strip() for t in bioscope(folder) if t.strip()))
    chunk = 50  # sentences per document, roughly an article
    docs = [
        read_document("<bench>", "\n\n".join(texts[i : i + chunk]), "text")
        for i in range(0, len(texts), chunk)
    ]
    sentences = sum(len(doc.sentences) for doc in docs)
    started = time.perf_counter()
    for doc in docs:
        lint_document(doc, ruleset, settings)
    elapsed = time.perf_counter() - started
    print(f"rule matching only: {sentences} sentences in {elapsed:.2f}s = "
          f"{sentences / elapsed:,.0f} sentences/s ({', '.join(settings.select or ())})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("external", nargs="?", default=str(REPO.parent / "shared/eval/external"),
                        help="folder of external corpora (default: ../shared/eval/external)")
    parser.add_argument("--select", default="claims", help="rules to run (default: claims)")
    parser.add_argument("--errors", action="store_true",
                        help="list misclassified dev items (never held-out: do not tune on it)")
    parser.add_argument("--errors-heldout", action="store_true",
                        help="also list misclassified held-out and blind2 items (final report)")
    parser.add_argument("--hits", action="store_true", help="list findings on external text")
    parser.add_argument("--no-external", action="store_true", help="labelled sets only")
    args = parser.parse_args()
    settings = Settings(select=tuple(s.strip() for s in args.select.split(",") if s.strip()))

    sets = (
        ("dev", DATA / "claims_dev.yml"),
        ("held-out", DATA / "claims_heldout.yml"),
        ("fresh", DATA / "claims_fresh.yml"),
        ("blind2", DATA / "claims_blind2.yml"),
    )
    for label, path in sets:
        result = score(labelled(path), settings)
        print(f"{label}: n={result['n']} tp={result['tp']} fp={result['fp']} "
              f"fn={result['fn']} tn={result['tn']}  precision={result['precision']:.3f} "
              f"recall={result['recall']:.3f} F1={result['f1']:.3f}")
        per_tag = result["per_tag"]
        assert isinstance(per_tag, dict)
        worst = {tag: c for tag, c in per_tag.items() if c["fp"] or c["fn"]}
        if worst:
            print("  errors by tag: " + ", ".join(
                f"{tag} fp={c['fp']} fn={c['fn']}" for tag, c in sorted(worst.items())))
        if args.errors_heldout or (args.errors and label in ("dev", "fresh")):
            wrong = result["wrong"]
            assert isinstance(wrong, list)
            for kind, item, what in wrong:
                shown = item["text"].replace("\n", " / ")
                because = f"  <- {'; '.join(what)}" if what else ""
                print(f"  {kind} [{item['tag']}] {shown}{because}")

    folder = Path(args.external)
    if args.no_external:
        return 0
    if not folder.is_dir():
        print(f"external corpora not found at {folder}; skipping false-alarm measurement")
        return 0
    results = external(folder, settings, args.hits)
    total_s = sum(int(r["sentences"]) for r in results)  # type: ignore[call-overload]
    total_f = sum(int(r["findings"]) for r in results)  # type: ignore[call-overload]
    print(f"external total: {total_s} sentences, {total_f} findings, "
          f"{1000 * total_f / max(total_s, 1):.2f} per 1000 sentences")
    throughput(folder, settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
