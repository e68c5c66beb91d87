"""Build a corpus of unique Markdown drafts for benchmarks, the same for a given seed.

    python benchmarks/make_corpus.py OUT_DIR [--files 300] [--seed 2024] [--big-mb 10]

Drafts are 400-1500 words, mixing careful, neutral and promotional writing about cell
therapy for diabetes, built from the templates in ``corpus_templates.yml`` (written for
this project). ``--big-mb`` also writes one large draft, ``big.md``, for linear-scaling
checks. Why generated text: a fixed seed gives every machine the very same corpus, and
nobody else's articles are copied into the project.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from pathlib import Path
from typing import Any

import yaml

TEMPLATES = Path(__file__).with_name("corpus_templates.yml")
SLOT_RE = re.compile(r"\{(\w+)\}")
MIN_WORDS, MAX_WORDS = 400, 1500
# Share of each register per draft style: careful explainer, mixed, clinic advert.
STYLES = {
    "careful": {"careful": 0.75, "neutral": 0.25},
    "mixed": {"careful": 0.45, "neutral": 0.25, "promotional": 0.30},
    "promotional": {"promotional": 0.60, "neutral": 0.25, "careful": 0.15},
}


def load_templates(path: Path = TEMPLATES) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


class DraftWriter:
    """Fills templates with a seeded random generator: same seed, same drafts."""

    def __init__(self, templates: dict[str, Any], rng: random.Random) -> None:
        self.t = templates
        self.rng = rng

    def fill(self, template: str) -> str:
        numbers = {
            "n": lambda: str(self.rng.randint(3, 480)),
            "pct": lambda: str(self.rng.randint(5, 95)),
            "year": lambda: str(self.rng.randint(2012, 2026)),
            "months": lambda: str(self.rng.choice((3, 6, 9, 12, 18, 24, 36))),
        }

        def one(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in numbers:
                return numbers[key]()
            return str(self.rng.choice(self.t["slots"][key]))

        text = SLOT_RE.sub(one, template)
        return text[0].upper() + text[1:]

    def sentence(self, mix: dict[str, float]) -> str:
        register = self.rng.choices(list(mix), weights=list(mix.values()))[0]
        return self.fill(self.rng.choice(self.t["sentences"][register]))

    def paragraph(self, mix: dict[str, float]) -> str:
        sentences = [self.sentence(mix) for _ in range(self.rng.randint(2, 6))]
        if self.rng.random() < 0.08:
            sentences.append(f"See {self.rng.choice(self.t['links'])} for more.")
        if self.rng.random() < 0.1:
            i = self.rng.randrange(len(sentences))
            sentences[i] = f"**{sentences[i]}**"
        return " ".join(sentences)

    def bullet_list(self, register: str) -> str:
        items = self.rng.sample(self.t["lists"][register], k=self.rng.randint(3, 5))
        return "\n".join(f"- {item}" for item in items)

    def draft(self, style: str, target_words: int) -> str:
        mix = STYLES[style]
        head = "promotional" if style == "promotional" else "careful"
        parts = [f"# {self.fill(self.rng.choice(self.t['titles'][head]))}"]
        words = 0
        while words < target_words:
            heading = self.rng.choice(self.t["headings"][head])
            parts.append(f"## {heading}")
            for _ in range(self.rng.randint(1, 4)):
                para = self.paragraph(mix)
                parts.append(para)
                words += len(para.split())
            if self.rng.random() < 0.3:
                items = self.bullet_list(head if self.rng.random() < 0.7 else "careful")
                parts.append(items)
                words += len(items.split())
        return "\n\n".join(parts) + "\n"


def word_count(text: str) -> int:
    return len(text.split())


def build(out: Path, files: int = 300, seed: int = 2024, big_mb: float = 0) -> list[Path]:
    """Write ``files`` unique drafts (and ``big.md`` if ``big_mb``) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    writer = DraftWriter(load_templates(), rng)
    seen: set[str] = set()
    paths: list[Path] = []
    styles = list(STYLES)
    while len(paths) < files:
        style = styles[len(paths) % len(styles)]
        text = writer.draft(style, rng.randint(MIN_WORDS, MAX_WORDS - 250))
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        path = out / f"draft-{len(paths):04d}-{style}.md"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    if big_mb:
        paths.append(write_big(out / "big.md", big_mb, seed))
    return paths


def write_big(path: Path, megabytes: float, seed: int) -> Path:
    """One long draft of about ``megabytes`` MB (sections of every style, one after another)."""
    rng = random.Random(seed + 1)
    writer = DraftWriter(load_templates(), rng)
    limit = int(megabytes * 1_000_000)
    size = 0
    with path.open("w", encoding="utf-8") as handle:
        while size < limit:
            chunk = writer.draft(rng.choice(list(STYLES)), 1000) + "\n"
            handle.write(chunk)
            size += len(chunk.encode())
    return path


def single(path: Path, words: int = 400, seed: int = 2024) -> Path:
    """One careful draft of about ``words`` words, for cold-start timing."""
    writer = DraftWriter(load_templates(), random.Random(seed + 2))
    text = writer.draft("mixed", words)
    while word_count(text) > words * 1.1:
        text = writer.draft("mixed", words)
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--big-mb", type=float, default=0, help="also write big.md of this size")
    args = parser.parse_args()
    paths = build(args.out, args.files, args.seed, args.big_mb)
    words = sum(word_count(p.read_text(encoding="utf-8")) for p in paths)
    print(f"wrote {len(paths)} drafts, {words} words, to {args.out}")


if __name__ == "__main__":
    main()
