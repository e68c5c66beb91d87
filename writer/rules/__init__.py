"""Rules are data: YAML packs in ``lint_rules/`` of a few typed kinds, compiled to checks."""

from writer.rules.model import Check, Example, Finding, LintContext, Rule, RuleSet
from writer.rules.packs import builtin_rules_dir, load_rules

__all__ = [
    "Check",
    "Example",
    "Finding",
    "LintContext",
    "Rule",
    "RuleSet",
    "builtin_rules_dir",
    "load_rules",
]
