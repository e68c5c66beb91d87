"""What templates see: facts as read-only mappings that know their own path.

Two promises are kept here. A template that prints a fact the file does not give, or a field
that does not exist, fails with an error naming it ("facts.cost.amount is not a field"),
never renders a blank. And in Markdown every fact is escaped before a template sees it, so
a fact containing ``*``, ``<`` or ``|`` prints as written instead of becoming markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from jinja2 import StrictUndefined

# Characters that can start Markdown inline markup, raw HTML, links or table cells.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
# At the start of a line they would start a heading, list, quote or thematic break.
_MD_LEADING = re.compile(r"^([#+\-=>]|\d+[.)])")
# An ampersand that would be read as a character reference (&amp; &#169;).
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
NOT_ESCAPED = {"url"}  # web addresses are printed as autolinks, validated by the schema


def markdown_escape(text: str) -> str:
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LEADING.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], text)


class FactView(Mapping[str, Any]):
    """A read-only mapping of facts with its dotted path, for error messages."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self._data = data
        self._path = path

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"<facts {self._path}>"


class FactUndefined(StrictUndefined):
    """Strict: printing, comparing or iterating fails. But an optional fact the file does not
    give is falsy, so ``{% if facts.x %}`` works while ``{{ facts.x }}`` fails loudly."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj = self._undefined_obj
        if isinstance(obj, FactView):
            name = f"{obj._path}.{self._undefined_name}"
            if self._undefined_name in obj:
                return f"{name} is not given in the facts file; guard it with {{% if {name} %}}"
            return f"{name} is not a field of the facts (see `writer facts schema`)"
        return str(StrictUndefined._undefined_message.fget(self))  # type: ignore[attr-defined]

    def __bool__(self) -> bool:  # type: ignore[override]
        obj = self._undefined_obj
        if isinstance(obj, FactView) and self._undefined_name in obj:
            return False
        return bool(self._fail_with_undefined_error())


def wrap(value: Any, path: str, escape: bool, key: str = "") -> Any:
    """Facts (model_dump output) as FactViews; strings escaped for Markdown if asked."""
    if isinstance(value, Mapping):
        return FactView(
            {k: wrap(v, f"{path}.{k}", escape, k) for k, v in value.items()}, path
        )
    if isinstance(value, list):
        return tuple(wrap(v, f"{path}[{i}]", escape, key) for i, v in enumerate(value))
    if isinstance(value, str) and escape and key not in NOT_ESCAPED:
        return markdown_escape(value)
    return value
