"""Rules the engine itself reports (suppression bookkeeping). The check finds nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from writer.document.model import Document
from writer.rules.model import Finding, LintContext, Rule


class EngineCheck:
    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        return ()


def build(rule: Rule, options: Any, ctx: Any) -> EngineCheck:
    return EngineCheck()
