"""Load rule packs (``*.yml``) from the built-in folder and from users' folders.

A pack is a YAML file::

    pack: claims                 # pack name
    description: ...
    lexicons:                    # optional named word lists, shared by every pack
      hedges: [may, might, could]
    rules:
      - code: HW101              # stable code, letters then digits
        name: guaranteed-outcome # kebab-case
        kind: phrase             # phrase | substitution | required | metric
        category: claims
        severity: error          # error | warning | info
        message: ...
        why: ...                 # why it matters (shown by `writer rule`)
        source: ...              # reference
        suggestion: ...          # optional
        examples:
          flagged: [...]         # must be reported (string, or {text, spans, fixed, format})
          passing: [...]         # must not be reported
        ...                      # kind-specific keys, validated by the kind

Errors name the file and line; a broken pack is reported and the other packs still load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from writer.diagnostics import InputError, Severity, WriterError
from writer.rules.model import Example, Rule, RuleSet
from writer.yamlio import LineDict, read_yaml_file

CODE_RE = re.compile(r"^[A-Z]{2,}[0-9]{3,}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
COMMON_KEYS = {
    "code",
    "name",
    "kind",
    "category",
    "severity",
    "message",
    "why",
    "source",
    "suggestion",
    "examples",
}
PACK_KEYS = {"pack", "description", "lexicons", "rules"}
EXAMPLE_KEYS = {"text", "spans", "fixed", "format"}


class PackContext:
    """What a kind's builder may use: where the rule is, and the shared lexicons.

    (A plain class: internal, and a dataclass costs ~0.3 ms of every start-up to create. No
    ``__slots__``: kinds keep their per-pack caches on it, see ``required._shared``.)
    """

    def __init__(self, path: Path, lexicons: dict[str, list[str]] | None = None) -> None:
        self.path = path
        self.lexicons: dict[str, list[str]] = {} if lexicons is None else lexicons

    def error(self, message: str, line: int | None = None) -> WriterError:
        return WriterError(InputError(str(self.path), message, line))

    def lexicon(self, name: str, line: int | None = None) -> list[str]:
        try:
            return self.lexicons[name]
        except KeyError:
            known = ", ".join(sorted(self.lexicons)) or "none"
            raise self.error(f"unknown lexicon {name!r} (known: {known})", line) from None


def builtin_rules_dir() -> Path:
    """``lint_rules/`` shipped in the wheel, or at the repository root in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "lint_rules"
    return packaged if packaged.is_dir() else here.parent / "lint_rules"


def _require_str(spec: LineDict, key: str, ctx: PackContext, optional: bool = False) -> str:
    value = spec.get(key)
    if value is None:
        if optional:
            return ""
        raise ctx.error(f"rule is missing required key {key!r}", spec.line)
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(f"{key!r} must be a non-empty string", spec.line_of(key))
    return value.strip()


def _examples(spec: LineDict, ctx: PackContext) -> tuple[list[Example], list[Example]]:
    raw = spec.get("examples")
    if raw is None:
        return [], []
    if not isinstance(raw, Mapping):
        raise ctx.error(
            "'examples' must map 'flagged' and 'passing' to lists", spec.line_of("examples")
        )
    unknown = set(raw) - {"flagged", "passing"}
    if unknown:
        raise ctx.error(
            f"unknown key {sorted(unknown)[0]!r} in examples (expected flagged, passing)",
            spec.line_of("examples"),
        )
    out: dict[str, list[Example]] = {"flagged": [], "passing": []}
    for group in out:
        items = raw.get(group) or []
        if not isinstance(items, list):
            raise ctx.error(f"examples.{group} must be a list", spec.line_of("examples"))
        for item in items:
            line = raw.line_of(group) if isinstance(raw, LineDict) else spec.line
            if isinstance(item, str):
                out[group].append(Example(text=item, line=line))
            elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
                extra = set(item) - EXAMPLE_KEYS
                item_line = getattr(item, "line", line)
                if extra:
                    raise ctx.error(f"unknown key {sorted(extra)[0]!r} in example", item_line)
                spans = item.get("spans")
                if spans is not None and not (
                    isinstance(spans, list) and all(isinstance(s, str) for s in spans)
                ):
                    raise ctx.error("example 'spans' must be a list of strings", item_line)
                fmt = item.get("format", "markdown")
                if fmt not in ("markdown", "html", "text"):
                    raise ctx.error("example 'format' must be markdown, html or text", item_line)
                out[group].append(
                    Example(
                        text=item["text"],
                        spans=spans,
                        fixed=item.get("fixed"),
                        format=fmt,
                        line=item_line,
                    )
                )
            else:
                raise ctx.error(f"each example in {group} must be a string or have 'text'", line)
    return out["flagged"], out["passing"]


def _build_rule(spec: Any, pack: str, ctx: PackContext) -> Rule:
    if not isinstance(spec, LineDict):
        raise ctx.error("each entry of 'rules' must be a mapping")
    code = _require_str(spec, "code", ctx)
    if not CODE_RE.match(code):
        raise ctx.error(
            f"rule code {code!r} must be capital letters then digits (e.g. HW101)",
            spec.line_of("code"),
        )
    name = _require_str(spec, "name", ctx)
    if not NAME_RE.match(name):
        raise ctx.error(f"rule name {name!r} must be kebab-case", spec.line_of("name"))
    kind = _require_str(spec, "kind", ctx)
    from writer.rules.kinds import KINDS, build_check

    if kind not in KINDS:
        raise ctx.error(
            f"unknown rule kind {kind!r} (expected one of: {', '.join(sorted(KINDS))})",
            spec.line_of("kind"),
        )
    try:
        severity = Severity.parse(_require_str(spec, "severity", ctx))
    except ValueError as exc:
        raise ctx.error(str(exc), spec.line_of("severity")) from None
    flagged, passing = _examples(spec, ctx)
    options = LineDict({k: v for k, v in spec.items() if k not in COMMON_KEYS})
    options.line = spec.line
    options.key_lines = {k: spec.line_of(k) for k in options}
    rule = Rule(
        code=code,
        name=name,
        kind=kind,
        category=_require_str(spec, "category", ctx),
        severity=severity,
        message=_require_str(spec, "message", ctx),
        why=_require_str(spec, "why", ctx),
        source=_require_str(spec, "source", ctx),
        suggestion=_require_str(spec, "suggestion", ctx, optional=True) or None,
        pack=pack,
        origin=f"{ctx.path}:{spec.line}",
        flagged=flagged,
        passing=passing,
        options=options,
    )
    rule.check = build_check(rule, options, ctx)
    return rule


def _read_pack(path: Path) -> LineDict:
    data = read_yaml_file(path)
    ctx = PackContext(path)
    if not isinstance(data, LineDict):
        raise ctx.error("a rule pack must be a mapping with 'pack' and 'rules'", 1)
    unknown = set(data) - PACK_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ctx.error(
            f"unknown top-level key {key!r} (expected: {', '.join(sorted(PACK_KEYS))})",
            data.line_of(key),
        )
    return data


def pack_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yml", ".yaml"))


def load_rules(extra_dirs: Iterable[Path] = ()) -> tuple[RuleSet, list[InputError]]:
    """Load the built-in packs plus users' packs. Broken packs are reported, not fatal."""
    errors: list[InputError] = []
    files = pack_files(builtin_rules_dir())
    for directory in extra_dirs:
        if not directory.is_dir():
            errors.append(InputError(str(directory), "rule pack directory not found"))
            continue
        found = pack_files(directory)
        if not found:
            errors.append(InputError(str(directory), "no *.yml rule packs in this directory"))
        files.extend(found)

    packs: list[tuple[Path, LineDict]] = []
    lexicons: dict[str, list[str]] = {}
    for path in files:
        try:
            data = _read_pack(path)
            lex = data.get("lexicons") or {}
            if not isinstance(lex, Mapping):
                raise PackContext(path).error(
                    "'lexicons' must be a mapping", data.line_of("lexicons")
                )
            for name, words in lex.items():
                line = lex.line_of(name) if isinstance(lex, LineDict) else None
                if not (isinstance(words, list) and all(isinstance(w, str) for w in words)):
                    raise PackContext(path).error(
                        f"lexicon {name!r} must be a list of strings", line
                    )
                if name in lexicons:
                    raise PackContext(path).error(f"lexicon {name!r} is defined twice", line)
                lexicons[name] = words
            packs.append((path, data))
        except WriterError as exc:
            errors.append(exc.error)

    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path, data in packs:
        ctx = PackContext(path, lexicons)
        pack_name = data.get("pack")
        if not isinstance(pack_name, str):
            errors.append(InputError(str(path), "missing 'pack' name", data.line))
            continue
        entries = data.get("rules")
        if not isinstance(entries, list):
            errors.append(InputError(str(path), "'rules' must be a list", data.line_of("rules")))
            continue
        for spec in entries:
            try:
                rule = _build_rule(spec, pack_name, ctx)
            except WriterError as exc:
                errors.append(exc.error)
                continue
            clash = seen.get(rule.code) or seen.get(rule.name)
            if clash:
                errors.append(
                    InputError(
                        str(path),
                        f"rule {rule.code} ({rule.name}) clashes with {clash}",
                        getattr(spec, "line", None),
                    )
                )
                continue
            seen[rule.code] = seen[rule.name] = f"{rule.code} at {rule.origin}"
            rules.append(rule)
    rules.sort(key=lambda r: r.code)
    return RuleSet(rules), errors
