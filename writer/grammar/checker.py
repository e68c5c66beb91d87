"""Check documents' prose with one LanguageTool for the whole run, caching by paragraph.

Each block's text (prose only: readers have already dropped code, front matter and URLs)
is checked once per run per language and set of disabled rules: an unchanged paragraph,
a repeated disclaimer or a file linted twice costs no second request. Blocks not yet seen
are sent together, joined by blank lines, in requests of bounded size, and the answer is
split back per block (see ``offsets.py``), then mapped through ``block.offsets`` to exact
source positions.
"""

from __future__ import annotations

import hashlib

from writer.config import LanguageToolSettings
from writer.document.model import Document
from writer.grammar.client import LanguageToolClient
from writer.grammar.endpoint import api_base
from writer.grammar.errors import GrammarUnavailable
from writer.grammar.local import LocalServer, find_jar, find_java
from writer.grammar.matches import Match, split_response, to_finding
from writer.grammar.offsets import batches
from writer.grammar.vocabulary import Vocabulary
from writer.rules.model import Finding

# UTF-16 units per request. The public API refuses more than 20,000 characters per request
# for free accounts; a local server has no limit, but smaller requests keep memory flat.
MAX_REQUEST_UNITS = 20_000

CacheKey = tuple[str, tuple[str, ...], bytes]


def _digest(text: str) -> bytes:
    """Cache key for a paragraph: a digest, so the cache does not keep every paragraph of
    a large run in memory (memory stays flat however many files are linted)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Checker:
    """One LanguageTool connection (and the server process, if we started it)."""

    def __init__(
        self,
        client: LanguageToolClient,
        settings: LanguageToolSettings,
        server: LocalServer | None = None,
    ) -> None:
        self.client = client
        self.settings = settings
        self.server = server
        self._cache: dict[CacheKey, tuple[Match, ...]] = {}
        self._vocabularies: dict[tuple[str, ...], Vocabulary] = {}
        self.blocks_checked = 0  # blocks looked at, for statistics
        self.cache_hits = 0  # blocks answered from the cache

    @property
    def requests(self) -> int:
        return self.client.requests

    def check(
        self, doc: Document, settings: LanguageToolSettings | None = None
    ) -> list[Finding]:
        """Findings (source offsets) for a document. ``settings`` are the file's own
        (language, disabled rules, vocabulary); where the server is was decided at open."""
        options = settings or self.settings
        disabled = tuple(sorted(set(options.disabled_rules)))
        blocks = [block for block in doc.blocks if block.text.strip()]
        self.blocks_checked += len(blocks)
        keys = [(options.language, disabled, _digest(block.text)) for block in blocks]
        wanted: dict[CacheKey, str] = {}  # texts not cached yet, in order, each once
        for key, block in zip(keys, blocks, strict=True):
            if key in self._cache or key in wanted:
                self.cache_hits += 1
            else:
                wanted[key] = block.text
        self._fetch(wanted)

        vocabulary = self._vocabulary(options.vocabulary)
        findings: list[Finding] = []
        for key, block in zip(keys, blocks, strict=True):
            for match in self._cache[key]:
                if match.rule_id in disabled:  # also when a server ignores disabledRules
                    continue
                if (
                    vocabulary
                    and match.is_spelling
                    and vocabulary.accepts(block.text[match.start : match.end])
                ):
                    continue
                findings.append(to_finding(block, match))
        return findings

    def _fetch(self, wanted: dict[CacheKey, str]) -> None:
        if not wanted:
            return
        language, disabled, _ = next(iter(wanted))
        keys = list(wanted)
        done = 0
        for batch in batches(list(wanted.values()), MAX_REQUEST_UNITS):
            response = self.client.check(batch.text, language, disabled)
            for matches in split_response(response, batch):
                self._cache[keys[done]] = tuple(matches)
                done += 1

    def _vocabulary(self, words: tuple[str, ...]) -> Vocabulary:
        if words not in self._vocabularies:
            self._vocabularies[words] = Vocabulary(words)
        return self._vocabularies[words]

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


def _check_language(language: str, known: set[str], where: str) -> None:
    if language not in known:
        sample = ", ".join(sorted(code for code in known if "-" in code)[:8])
        raise GrammarUnavailable(
            f"LanguageTool at {where} does not know language {language!r} "
            f"(set language under [tool.writer.languagetool], e.g. {sample or 'en-US'})"
        )


def open_checker(settings: LanguageToolSettings) -> Checker:
    """Connect to the configured LanguageTool server, or start a local LanguageTool.

    Raises GrammarUnavailable (one line, for users) when neither can be used. Nothing is
    sent anywhere the user did not name, and nothing is downloaded unless allowed.
    """
    if settings.url:
        client = LanguageToolClient(api_base(settings.url), settings.public_api)
        _check_language(settings.language, client.languages(), client.base)
        return Checker(client, settings)
    if settings.public_api:
        raise GrammarUnavailable(
            "public-api = true but no url: name the public API explicitly, e.g. "
            'url = "https://api.languagetool.org/v2"'
        )
    jar = find_jar(settings)
    server = LocalServer(find_java(), jar)
    client, languages = server.start()
    try:
        _check_language(settings.language, languages, f"{jar}")
    except GrammarUnavailable:
        server.close()
        raise
    return Checker(client, settings, server)
