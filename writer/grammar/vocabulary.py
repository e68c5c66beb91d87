"""Words the user accepts (drug, device and condition names) that spelling checks miss.

LanguageTool's own dictionaries cannot be extended through its HTTP API (the ``dicts``
parameter is for premium accounts) and editing a local installation's ``spelling.txt``, as
``language_tool_python`` does, changes files the user may share; so spelling matches are
filtered here instead. Matching is case-insensitive and accepts the usual inflections of
a name in running text: possessive ("Stemora's"), plural ("statins") and plural possessive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PARTS = re.compile(r"[\s/\-\u2010\u2011]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})


def _normal(word: str) -> str:
    return word.translate(_APOSTROPHES).casefold().strip(" .,;:!?\"()[]")


def _bases(token: str) -> set[str]:
    """The token and what it could be an inflection of."""
    bases = {token}
    for form in list(bases):
        if form.endswith("'s"):
            bases.add(form[:-2])
        elif form.endswith("'"):
            bases.add(form[:-1])
    for form in list(bases):
        if form.endswith("ies") and len(form) > 4:
            bases.add(form[:-3] + "y")
        if form.endswith("es") and len(form) > 3:
            bases.add(form[:-2])
        if form.endswith("s") and len(form) > 2:
            bases.add(form[:-1])
    return bases


class Vocabulary:
    """Accepted words; a multi-word entry also accepts each of its words alone, because
    LanguageTool flags unknown words one at a time."""

    def __init__(self, entries: Iterable[str]) -> None:
        words: set[str] = set()
        for entry in entries:
            normal = _normal(entry)
            if not normal:
                continue
            words.add(normal)
            words.update(part for part in _PARTS.split(normal) if part)
        self._words = frozenset(words)

    def __bool__(self) -> bool:
        return bool(self._words)

    def accepts(self, flagged: str) -> bool:
        token = _normal(flagged)
        return bool(token) and not _bases(token).isdisjoint(self._words)
