"""Compiled rule regexes, remembered between runs.

Why: a rule pack's regexes are big (case-insensitive alternations of hundreds of words), and
``re.compile`` does its parsing and code generation in pure Python: the ~200 regexes the
first draft of a run needs cost ~0.1 s, more than linting the draft, and a pre-commit hook
pays that on every commit. ``re`` keeps compiled patterns only for the life of a process.

What is stored is the standard library's own compiler output (the code list that
``re._compiler.compile`` hands to ``_sre.compile``), so a pattern made from it is the one
``re.compile`` would make. That is private API, hence the guards: the file is keyed by the
exact Python build and the regex engine's version (``_sre.MAGIC``), ``_sre.compile``
validates the code it is given, and any surprise falls back to ``re.compile`` for the rest
of the process. Stored as JSON (never pickle or marshal: the folder is user-writable).

An optimisation only: a missing, stale, corrupt or unwritable file means the work is redone.
``WRITER_CACHE_DIR=off`` disables it (see :mod:`writer.cache`).
"""

from __future__ import annotations

import binascii
import re
import sys
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

from writer.cache import cache_dir, content_key, load_entries, save_later

FORMAT = 3
KEEP_FILES = 4
# The built-in packs need ~400 entries. Past this many (packs edited or upgraded many
# times), a save keeps only what its run used: every start reads the whole file.
MAX_ENTRIES = 1200
_ITEMSIZE = 4  # _sre.CODESIZE in every CPython 3; checked before use

# pattern source and flags -> [flags, groups, groupindex, indexgroup, code]; the code is
# zlib-compressed and base64-encoded: it is very repetitive (case-insensitive literals),
# and a file a tenth the size loads in a tenth of the time (~2 ms for 400 patterns).
Entry = list[Any]


class _Store:
    """The cache file for this Python build, loaded on first use."""

    def __init__(self) -> None:
        self.loaded = False
        self.usable = True
        self.dirty = False
        self.entries: dict[str, Entry] = {}
        self.used: set[str] = set()  # keys this process made a pattern from, or added
        self.path: Path | None = None
        self.sre: Any = None

    def load(self) -> None:
        self.loaded = True
        try:
            import _sre

            if _sre.CODESIZE != _ITEMSIZE or array("I").itemsize != _ITEMSIZE:
                raise ValueError("unexpected code size")
            self.sre = _sre
            version = self.version()
        except Exception:  # noqa: BLE001 - not CPython as we know it: compile as usual
            self.usable = False
            return
        folder = cache_dir()
        if folder is None:
            self.usable = False
            return
        self.path = folder / f"regex-{content_key(version.encode())}.json"
        entries = load_entries(self.path, {"version": version})
        if len(entries) <= MAX_ENTRIES:
            self.entries = entries

    def build(self, source: str, flags: int) -> re.Pattern[str]:
        """Compile as ``re.compile`` does, keeping the generated code."""
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(source, flags)
        code = _compiler._code(parsed, flags)
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        entry = [
            flags | state.flags,
            state.groups - 1,
            groupindex,
            indexgroup,
            _packed(code),
        ]
        pattern = self.make(source, entry)
        self.put(_key(source, flags), entry)
        return pattern

    def make(self, source: str, entry: Entry) -> re.Pattern[str]:
        flags, groups, groupindex, indexgroup, code = entry
        words = array("I", zlib.decompress(binascii.a2b_base64(code))).tolist()
        pattern: re.Pattern[str] = self.sre.compile(
            source, flags, words, groups, groupindex, tuple(indexgroup)
        )
        return pattern

    def put(self, key: str, entry: Entry) -> None:
        if self.path is None:
            return
        self.entries[key] = entry  # the file's size is bounded when it is saved
        self.used.add(key)
        if not self.dirty:
            self.dirty = True
            save_later(self.save)

    def save(self) -> None:
        """Write what was compiled here, merged with what other processes (the workers of
        a parallel run) wrote meanwhile, under a lock."""
        if not self.dirty or self.path is None:
            return
        self.dirty = False
        from writer.cache import prune, save_merged

        header = {"version": self.version()}
        # Only what this process used: entries it merely loaded are in the file already,
        # and when the file has grown past MAX_ENTRIES the stale ones are left out.
        mine = {key: self.entries[key] for key in self.used if key in self.entries}
        self.entries = save_merged(self.path, mine, header, MAX_ENTRIES)
        # Files of other Python builds or older formats: keep a few (several Pythons may
        # share the folder).
        prune(self.path.parent, "regex-*.json", KEEP_FILES)

    def version(self) -> str:
        return f"{sys.implementation.name} {sys.version} {self.sre.MAGIC} {FORMAT}"


_STORE = _Store()


def _key(source: str, flags: int) -> str:
    """Flags and a checksum of the source, not the source itself: rule regexes are long,
    and the file is read at every start (the source is at hand when a pattern is made)."""
    return f"{flags} {content_key(source.encode('utf-8', 'surrogatepass'))}"


def compile_cached(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, from the cache when this Python built it before.

    Raises ``re.error`` for a bad pattern, exactly as ``re.compile`` does.
    """
    flags = int(flags)
    store = _STORE
    if not store.loaded:
        store.load()
    if store.usable:
        try:
            key = _key(source, flags)
            entry = store.entries.get(key)
            if entry is not None:
                store.used.add(key)
                return store.make(source, entry)
            return store.build(source, flags)
        except re.error:
            raise
        except Exception:  # noqa: BLE001 - private API moved: plain compiling from now on
            store.usable = False
    return re.compile(source, flags)


def compile_derived(
    source: str, flags: int, tag: str, derive: Callable[[str, int], Entry | None]
) -> re.Pattern[str] | None:
    """The pattern ``derive(source, flags)`` describes (an entry as stored here: flags,
    groups, groupindex, indexgroup, code words), or None when it describes none; both
    answers are remembered like :func:`compile_cached`'s, under ``tag`` (which must change
    whenever ``derive`` does), so a warm start derives nothing.

    Why: a derived pattern (see :mod:`writer.rules.kinds.fast_regex`) costs a parse, a
    rewrite and a code generation; rules need hundreds of them at every start.
    """
    store = _STORE
    if not store.loaded:
        store.load()
    key = f"{tag} {_key(source, int(flags))}"
    if store.usable:
        entry = store.entries.get(key)
        if entry is not None:
            store.used.add(key)
        if entry == []:
            return None
        if entry is not None:
            try:
                return store.make(source, entry)
            except Exception:  # noqa: BLE001 - a damaged entry: derive it again
                pass
    derived = derive(source, int(flags))
    pattern = None
    stored: Entry = []
    if derived is not None:
        try:
            import _sre

            made_flags, groups, groupindex, indexgroup, code = derived
            pattern = _sre.compile(source, made_flags, code, groups, groupindex, tuple(indexgroup))
            stored = [made_flags, groups, groupindex, indexgroup, _packed(code)]
        except Exception:  # noqa: BLE001 - the engine refused the code: no derived pattern
            pattern = None
    if store.usable:
        store.put(key, stored if pattern is not None else [])
    return pattern


def _packed(code: list[int]) -> str:
    return binascii.b2a_base64(zlib.compress(array("I", code).tobytes()), newline=False).decode()
