"""Rules whose findings come from an outside service (LanguageTool for HW601).

The rule lives in a pack so that it is documented, selected, ignored, re-levelled and
suppressed like every other rule; the findings themselves are produced by the runner's
service hook (``writer.runner.GrammarHook``), which talks to the service once per run
rather than once per rule per document. So the check itself finds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from writer.document.model import Document
from writer.rules.model import Finding, LintContext, Rule


class ServiceCheck:
    def run(self, doc: Document, ctx: LintContext) -> Iterable[Finding]:
        return ()


def build(rule: Rule, options: Any, ctx: Any) -> ServiceCheck:
    return ServiceCheck()
