"""YAML loading that remembers where every mapping came from, for errors that say file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from writer.diagnostics import InputError, WriterError

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):  # type: ignore[type-arg]
    """A mapping from YAML that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _LineLoader(_Base):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, path: str) -> Any:
    """Parse YAML; a syntax error becomes a WriterError naming file, line and column."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - safe loader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise WriterError(InputError(path, f"invalid YAML: {problem}", line, column)) from None
    except yaml.YAMLError as exc:
        raise WriterError(InputError(path, f"invalid YAML: {exc}")) from None


def read_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file, turning I/O and encoding errors into WriterError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WriterError(InputError(str(path), "file not found")) from None
    except UnicodeDecodeError as exc:
        raise WriterError(InputError(str(path), f"not valid UTF-8 (byte {exc.start})")) from None
    except OSError as exc:
        raise WriterError(InputError(str(path), exc.strerror or str(exc))) from None
    return load_yaml(text, str(path))
