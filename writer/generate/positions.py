"""Parse a facts file and remember where every field is, so errors can say file:line:column.

PyYAML's composed node tree carries the position of every key and item; we walk it once to
build a map from field path (``("evidence", 1, "certainty")``) to position. JSON is read with
the json module (its syntax errors have positions) and walked through the same YAML composer,
which accepts JSON documents, purely to find positions; if that fails, errors just lose them.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from writer.diagnostics import InputError, WriterError

Path_ = tuple[Any, ...]
Positions = dict[Path_, tuple[int, int]]

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """Safe loader whose impossible dates (2025-13-01) stay text, so that validation reports
    them with their position instead of PyYAML raising a bare ValueError."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _walk(node: yaml.Node, path: Path_, positions: Positions, source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            mark = key_node.start_mark
            if key in seen:
                raise WriterError(
                    InputError(source, f"duplicate key {key!r}", mark.line + 1, mark.column + 1)
                )
            seen.add(key)
            positions[path + (key,)] = (mark.line + 1, mark.column + 1)
            _walk(value_node, path + (key,), positions, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            mark = item.start_mark
            positions[path + (index,)] = (mark.line + 1, mark.column + 1)
            _walk(item, path + (index,), positions, source)


def _yaml_error(exc: yaml.YAMLError, source: str, what: str) -> WriterError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        return WriterError(InputError(source, f"invalid {what}: {problem}", line, column))
    return WriterError(InputError(source, f"invalid {what}: {exc}"))


def parse_yaml(text: str, source: str) -> tuple[Any, Positions]:
    """Data and positions of a YAML document; syntax errors name line and column."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise WriterError(InputError(source, "the facts file is empty", 1, 1))
        positions: Positions = {(): (node.start_mark.line + 1, node.start_mark.column + 1)}
        _walk(node, (), positions, source)
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, "YAML") from None
    finally:
        loader.dispose()
    return data, positions


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_json(text: str, source: str) -> tuple[Any, Positions]:
    """Data and (where the YAML composer can find them) positions of a JSON document."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise WriterError(
            InputError(source, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno)
        ) from None
    except ValueError as exc:  # duplicate key: find where, if we can
        try:
            parse_yaml(text, source)
        except WriterError as located:
            raise located from None
        raise WriterError(InputError(source, f"invalid JSON: {exc}")) from None
    try:
        _, positions = parse_yaml(text, source)
    except WriterError:
        positions = {(): (1, 1)}
    return data, positions


def parse(text: str, source: str, fmt: str) -> tuple[Any, Positions]:
    """``fmt`` is "json" or "yaml"."""
    return parse_json(text, source) if fmt == "json" else parse_yaml(text, source)


def locate(positions: Positions, loc: Path_) -> tuple[int | None, int | None]:
    """Position of the deepest part of ``loc`` that exists in the file (a missing key is
    reported where its parent mapping is)."""
    for end in range(len(loc), -1, -1):
        found = positions.get(tuple(loc[:end]))
        if found is not None:
            return found
    return None, None
