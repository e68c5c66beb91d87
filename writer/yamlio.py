"""YAML loading that remembers where every mapping came from, for errors that say file:line.

Rule packs and word lists are read on every run (a pre-commit hook pays that on every
commit), so a parsed file is also kept as JSON in the user's cache folder, keyed by the
file's bytes: the next run skips both importing PyYAML and parsing. The cache never
changes a result; without it (``WRITER_CACHE_DIR=off``) files are parsed as before.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from writer.cache import cache_dir, content_key, prune, write_atomically
from writer.diagnostics import InputError, WriterError

CACHE_FORMAT = b"yaml-cache 1"
CACHE_KEEP = 64


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@lru_cache(maxsize=1)
def _loader() -> Any:
    """The PyYAML loader class (C-accelerated where available), built on first use."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):
        pass

    def construct_mapping(loader: Any, node: Any) -> LineDict:
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

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return LineLoader


def load_yaml(text: str, path: str) -> Any:
    """Parse YAML; a syntax error becomes a WriterError naming file, line and column."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - safe loader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise WriterError(InputError(path, f"invalid YAML: {problem}", line, column)) from None
    except yaml.YAMLError as exc:
        raise WriterError(InputError(path, f"invalid YAML: {exc}")) from None


# -- JSON form of parsed YAML (LineDict keeps its lines) ------------------------------------

_JSON_SCALARS = (str, int, float, bool, type(None))


class _NotCacheable(Exception):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, LineDict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotCacheable
            items.append([key, value.key_lines.get(key, value.line), _encode(item)])
        return {"d": value.line, "i": items}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, _JSON_SCALARS):
        return value
    raise _NotCacheable  # dates, sets, ...: parse those files every time


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        result = LineDict()
        result.line = value["d"]
        result.key_lines = {}
        for key, line, item in value["i"]:
            result[key] = _decode(item)
            result.key_lines[key] = line
        return result
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _cache_file(data: bytes) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"yaml-{content_key(CACHE_FORMAT, data)}.json"


def read_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file, turning I/O and encoding errors into WriterError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise WriterError(InputError(str(path), "file not found")) from None
    except OSError as exc:
        raise WriterError(InputError(str(path), exc.strerror or str(exc))) from None
    cached = _cache_file(data)
    if cached is not None:
        try:
            result = _decode(json.loads(cached.read_text(encoding="utf-8")))
            os.utime(cached)  # most recently used: kept by prune()
            return result
        except (OSError, ValueError, KeyError, TypeError):
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriterError(InputError(str(path), f"not valid UTF-8 (byte {exc.start})")) from None
    parsed = load_yaml(text, str(path))
    if cached is not None:
        try:
            write_atomically(cached, json.dumps(_encode(parsed), ensure_ascii=False))
            prune(cached.parent, "yaml-*.json", CACHE_KEEP)
        except _NotCacheable:
            pass
    return parsed
