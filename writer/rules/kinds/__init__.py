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
    module = importlib.import_module(KINDS[rule.kind])
    check: Check = module.build(rule, options, ctx)
    return check
