"""Read and validate a facts file; every problem becomes an InputError naming file:line:column,
the field, and what was expected (``writer facts check`` prints them all, exit 2)."""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from writer.diagnostics import InputError, WriterError
from writer.generate.model import Facts, balance_problems
from writer.generate.positions import Positions, locate, parse


class FactsError(Exception):
    """All the problems found in one facts file."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


def format_of(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "yaml"


def field_path(loc: tuple[Any, ...]) -> str:
    """("evidence", 1, "certainty") -> "evidence[1].certainty" """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _inner(annotation: Any) -> Any:
    """The model class inside Optional[...], list[...] or Annotated[...], if any."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _inner(arg)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _model_at(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, Any]:
    """The model that holds the last part of ``loc`` and that part's FieldInfo."""
    model: type[BaseModel] | None = Facts
    info = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        info = fields.get(part)
        if info is None:
            return model, None
        if part != loc[-1]:
            model = _inner(info.annotation)
    return model, info


def _show(value: Any) -> str:
    if isinstance(value, (Mapping, list)):
        return "a mapping" if isinstance(value, Mapping) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    model, info = _model_at(loc)
    hint = f" ({info.description})" if info is not None and info.description else ""
    if kind == "missing":
        return f"required field is missing{hint}"
    if kind == "extra_forbidden":
        known = ", ".join(
            f.alias or name for name, f in (model.model_fields.items() if model else ())
        )
        return f"unknown field (expected one of: {known})"
    if kind == "string_too_short":
        return "expected some text, got an empty string"
    if kind == "too_short":
        return f"expected at least {error['ctx']['min_length']} item{hint}"
    if kind == "string_pattern_mismatch":
        wanted = "another form"
        if info is not None and info.description:
            wanted = info.description[0].lower() + info.description[1:].rstrip(".")
        return f"expected {wanted}, got {_show(error.get('input'))}"
    msg = str(error["msg"])
    if msg.startswith("Input should be "):
        msg = "expected " + msg[len("Input should be ") :]
        return f"{msg}, got {_show(error.get('input'))}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def to_input_errors(exc: ValidationError, source: str, positions: Positions) -> list[InputError]:
    out: list[InputError] = []
    for error in exc.errors():
        problems = (error.get("ctx") or {}).get("problems")
        if error["type"] == "facts_consistency" and problems:
            items = [(tuple(loc), msg) for loc, msg in problems]
        else:
            items = [(tuple(error["loc"]), _message(error))]
        for loc, msg in items:
            line, column = locate(positions, loc)
            where = field_path(loc) or "facts"
            out.append(InputError(source, f"{where}: {msg}", line, column))
    return out


def validate(data: Any, source: str, positions: Positions | None = None) -> Facts:
    """Facts from parsed data, or FactsError listing every problem."""
    positions = positions or {(): (1, 1)}
    if not isinstance(data, Mapping):
        raise FactsError(
            [InputError(source, "a facts file must be a mapping of fields (see `writer facts "
                        "schema`)", 1, 1)]
        )
    try:
        return Facts.model_validate(data)
    except ValidationError as exc:
        errors = to_input_errors(exc, source, positions)
        if not any(e["type"] == "facts_consistency" for e in exc.errors()):
            # Field errors stopped validation before the balance rules ran: check them on
            # the raw data so that the writer learns about everything at once.
            for loc, msg in balance_problems(data):
                line, column = locate(positions, loc)
                errors.append(InputError(source, f"{field_path(loc)}: {msg}", line, column))
        errors.sort(key=lambda e: (e.line or 0, e.column or 0))
        raise FactsError(errors) from None


def load_text(text: str, source: str, fmt: str = "yaml") -> Facts:
    try:
        data, positions = parse(text, source, fmt)
    except WriterError as exc:
        raise FactsError([exc.error]) from None
    return validate(data, source, positions)


def load_facts(path: Path) -> Facts:
    """Read, parse and validate a facts file (YAML, or JSON by its extension)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FactsError([InputError(str(path), "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise FactsError([InputError(str(path), f"not valid UTF-8 (byte {exc.start})")]) from None
    except OSError as exc:
        raise FactsError([InputError(str(path), exc.strerror or str(exc))]) from None
    return load_text(text, str(path), format_of(path))
