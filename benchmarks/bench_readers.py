"""Reading + sentence-splitting throughput (words/s) and peak memory, per format and size.

Usage: python bench_readers.py FILE [FORMAT]   or   python bench_readers.py --synthetic MB FORMAT
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from writer.document.readers import read_document
from writer.sources import format_for

PARAGRAPH = (
    "Stem-cell *therapy* for type 1 diabetes is **still experimental**; early trials in the "
    "U.S. and elsewhere, e.g. the one reported by Dr. Lee, treated 12 people with 2.5 mg of a "
    "drug and saw HbA1c fall by 0.4%. See [the registry](https://example.org/trials) or "
    "`https://example.org` for details.\nAsk your care team before you change your insulin. "
    "Nobody yet knows how long the effect lasts!\n\n"
    "- Small trials, short follow-up\n- No approved product yet\n\n"
    "## What the results mean\n\n"
    "> A clinic that promises a cure is selling hope, not evidence.\n\n"
    "| Trial | People |\n|---|---|\n| Phase 1 | 12 |\n\n"
)
HTML_PARAGRAPH = (
    "<h2>What the results mean</h2>\n<p>Stem-cell <em>therapy</em> for type 1 diabetes is "
    "<strong>still experimental</strong>; early trials in the U.S. and elsewhere, e.g. the one "
    "reported by Dr. Lee, treated 12 people with 2.5&nbsp;mg and saw HbA1c fall by 0.4%.\n"
    "Ask your care team before you change your insulin. Nobody yet knows how long it lasts!\n"
    "<ul><li>Small trials, short follow-up<li>No approved product yet</ul>\n"
    "<!-- a comment -->\n<table><tr><td>Phase 1<td>12</table>\n"
)
TEXT_PARAGRAPH = (
    "What the results mean\n\n"
    "Stem-cell therapy for type 1 diabetes is still experimental; early trials in the U.S. and\n"
    "elsewhere, e.g. the one reported by Dr. Lee, treated 12 people with 2.5 mg and saw HbA1c\n"
    "fall by 0.4%. Ask your care team before you change your insulin. Nobody yet knows how\n"
    "long the effect lasts!\n\n- Small trials, short follow-up\n- No approved product yet\n\n"
)
UNITS = {"markdown": PARAGRAPH, "html": HTML_PARAGRAPH, "text": TEXT_PARAGRAPH}


def main() -> None:
    if sys.argv[1] == "--synthetic":
        size = int(float(sys.argv[2]) * 1_000_000)
        fmt = sys.argv[3]
        unit = UNITS[fmt]
        source = unit * (size // len(unit))
        name = f"<synthetic {sys.argv[2]} MB {fmt}>"
    else:
        name = sys.argv[1]
        fmt = sys.argv[2] if len(sys.argv) > 2 else format_for(name, None)
        source = Path(name).read_text(encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.process_time()  # CPU time: the machine is shared, wall time is noisy
    doc = read_document(name, source, fmt)
    t1 = time.process_time()
    sentences = doc.sentences
    t2 = time.process_time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    words = doc.word_count
    runs = sum(getattr(b.offsets, "runs", len(b.offsets)) for b in doc.blocks)
    print(
        f"{name}: {len(source) / 1e6:.2f} MB, {len(doc.blocks)} blocks, {len(sentences)} sentences,"
        f" {words} words | CPU read {t1 - t0:.2f}s, split {t2 - t1:.2f}s, total {t2 - t0:.2f}s,"
        f" {words / (t2 - t0):,.0f} words/s | peak RSS +{(peak - before) / 1024:.0f} MB"
        f" (source {len(source) / 1e6:.0f} MB), offset runs {runs}"
    )


if __name__ == "__main__":
    main()
