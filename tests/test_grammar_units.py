"""Pure parts of the LanguageTool adapter: UTF-16 offsets, batching, vocabulary, URLs."""

from __future__ import annotations

import pytest

from writer.grammar.endpoint import api_base, check_privacy, is_loopback, is_public_api
from writer.grammar.errors import GrammarUnavailable
from writer.grammar.offsets import SEPARATOR, Utf16Index, batches, utf16_len
from writer.grammar.vocabulary import Vocabulary


def _utf16_offset(text: str, index: int) -> int:
    """Where Python index ``index`` is in UTF-16 units (how Java/LanguageTool counts)."""
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.mark.parametrize(
    "text",
    [
        "plain ascii text",
        "caf\u00e9 na\u00efve",  # BMP, one unit each
        "\U0001f642 smile first",
        "two \U0001f642\U0001f4ac emoji then a typo: wrod",
        "math \U0001d49e\U0001d49e letters",
        "\U0001f642",
    ],
)
def test_utf16_offsets_map_back_to_python_indexes(text: str) -> None:
    index = Utf16Index(text)
    for position in range(len(text) + 1):
        assert index.to_index(_utf16_offset(text, position)) == position


def test_offset_inside_a_surrogate_pair_rounds_past_the_character() -> None:
    text = "a\U0001f642b"
    assert utf16_len(text) == 4
    assert Utf16Index(text).to_index(2) == 2  # between the two halves of the emoji


def test_batches_keep_request_size_bounded_and_locate_spans() -> None:
    texts = ["First \U0001f642 block.", "Second block here.", "x" * 50, "Last one."]
    groups = batches(texts, max_units=45)
    assert [b.texts for b in groups] == [texts[:2], texts[2:3], texts[3:]]
    first = groups[0]
    assert first.text == SEPARATOR.join(texts[:2])
    # "block" in the second text, at its UTF-16 offset within the joined request.
    offset = _utf16_offset(first.text, first.text.index("block here"))
    assert first.locate(offset, 5) == (1, 7, 12)
    # "block" in the first text comes after the emoji: one more unit than Python counts.
    offset = _utf16_offset(first.text, first.text.index("block."))
    assert offset == 9
    assert first.locate(offset, 5) == (0, 8, 13)


def test_spans_over_a_separator_are_not_located() -> None:
    batch = batches(["One.", "Two."], max_units=100)[0]
    assert batch.locate(3, 3) is None  # ".\n\n" straddles both texts
    assert batch.locate(4, 1) is None  # on the separator itself


def test_a_text_longer_than_the_limit_goes_alone() -> None:
    groups = batches(["short", "y" * 200, "tail"], max_units=20)
    assert [len(b.texts) for b in groups] == [1, 1, 1]


@pytest.mark.parametrize(
    "flagged",
    ["Glucavex", "glucavex", "GLUCAVEX", "Glucavex's", "Glucavex\u2019s", "Glucavexes",
     "Stemora", "teplizumab", "Teplizumabs'", "islet"],
)
def test_vocabulary_accepts_names_and_their_usual_forms(flagged: str) -> None:
    vocabulary = Vocabulary(["Glucavex", "Stemora islet-cell therapy", "teplizumab"])
    assert vocabulary.accepts(flagged)


@pytest.mark.parametrize("flagged", ["Glucovex", "Glucav", "betwen", "", "s"])
def test_vocabulary_does_not_accept_other_words(flagged: str) -> None:
    vocabulary = Vocabulary(["Glucavex", "Stemora islet-cell therapy"])
    assert not vocabulary.accepts(flagged)


def test_empty_vocabulary_is_falsy() -> None:
    assert not Vocabulary([])
    assert not Vocabulary(["  "])
    assert Vocabulary(["insulin"])


@pytest.mark.parametrize(
    "url,base",
    [
        ("http://localhost:8081", "http://localhost:8081/v2"),
        ("http://localhost:8081/", "http://localhost:8081/v2"),
        ("http://localhost:8081/v2", "http://localhost:8081/v2"),
        ("http://localhost:8081/v2/", "http://localhost:8081/v2"),
        ("https://lt.example.org/languagetool/", "https://lt.example.org/languagetool/v2"),
        ("https://api.languagetool.org/v2/check", "https://api.languagetool.org/v2"),
    ],
)
def test_api_base(url: str, base: str) -> None:
    assert api_base(url) == base


@pytest.mark.parametrize("url", ["localhost:8081", "ftp://lt.example.org", "http://", "file:///x"])
def test_api_base_refuses_urls_that_are_not_http(url: str) -> None:
    with pytest.raises(GrammarUnavailable, match="http:// or https://"):
        api_base(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.languagetool.org/v2",
        "https://languagetool.org/api/v2",
        "https://API.LanguageTool.org./v2",
        "https://api.languagetoolplus.com/v2",
        "http://www.languagetool.org:80/v2",
    ],
)
def test_public_api_is_recognised_and_refused_without_opt_in(url: str) -> None:
    assert is_public_api(url)
    with pytest.raises(GrammarUnavailable, match="public-api = true"):
        check_privacy(url, public_api=False)
    check_privacy(url, public_api=True)  # explicitly allowed: no error


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8081/v2", "https://lt.example.org/v2", "https://languagetool.org.example.com/v2",
     "https://notlanguagetool.org/v2"],
)
def test_other_servers_are_not_the_public_api(url: str) -> None:
    assert not is_public_api(url)
    check_privacy(url, public_api=False)


@pytest.mark.parametrize(
    "url,loopback",
    [
        ("http://localhost:1/v2", True),
        ("http://127.0.0.1:1/v2", True),
        ("http://127.8.9.1:1/v2", True),
        ("http://[::1]:1/v2", True),
        ("http://lt.example.org/v2", False),
        ("http://10.0.0.1/v2", False),
    ],
)
def test_loopback(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
