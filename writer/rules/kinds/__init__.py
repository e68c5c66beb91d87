"""The few typed kinds a rule can be. Each kind module exposes ``build(rule, options, ctx)``.

Kinds are imported on first use so that start-up stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from writer.rules.model import Check, Rule
    from writer.rules.packs import PackContext

KINDS: dict[str, str] = {
    "phrase": "writer.rules.kinds.phrase",
    "substitution": "writer.rules.kinds.substitution",
    "required": "writer.rules.kinds.required",
    "metric": "writer.rules.kinds.metric",
    "engine": "writer.rules.kinds.engine",
    "service": "writer.rules.kinds.service",
}


def build_check(rule: Rule, options: Any, ctx: PackContext) -> Check:
    """Reject keys the kind does not know (each kind lists its keys as ``OPTION_KEYS``),
    then let the kind build its check."""
    module = importlib.import_module(KINDS[rule.kind])
    known = sorted(getattr(module, "OPTION_KEYS", ()))
    unknown = sorted(set(options) - set(known))
    if unknown:
        expected = f" (expected: {', '.join(known)})" if known else " (it takes none)"
        raise ctx.error(
            f"unknown key {unknown[0]!r} for kind '{rule.kind}'{expected}",
            options.line_of(unknown[0]),
        )
    check: Check = module.build(rule, options, ctx)
    return check
