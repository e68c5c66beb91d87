"""Output formats. Each renders the same Diagnostic model; formats are chosen by name.

A renderer is fed file by file (so memory stays flat on large runs) and closes the report
at the end with the run's summary.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from writer.rules.model import RuleSet
    from writer.runner import FileResult


@dataclass
class Summary:
    files: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # by severity name
    per_rule: dict[tuple[str, str], int] = field(default_factory=dict)  # (code, name) -> n
    input_errors: int = 0


@dataclass
class RenderOptions:
    color: bool = False
    quiet: bool = False
    statistics: bool = False
    show_source: bool = True


class Renderer:
    """Base renderer: subclasses override what they need."""

    def __init__(self, out: IO[str], options: RenderOptions, ruleset: RuleSet | None) -> None:
        self.out = out
        self.options = options
        self.ruleset = ruleset

    def file(self, result: FileResult) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def finish(self, summary: Summary) -> None:
        pass


FORMATS: dict[str, str] = {
    "text": "writer.output.text:TextRenderer",
    "json": "writer.output.json_format:JsonRenderer",
    "sarif": "writer.output.sarif:SarifRenderer",
    "github": "writer.output.github:GithubRenderer",
    "junit": "writer.output.junit:JunitRenderer",
    "html": "writer.output.html_report:HtmlReportRenderer",
}


def get_renderer(
    name: str, out: IO[str], options: RenderOptions, ruleset: RuleSet | None
) -> Renderer:
    module_name, _, cls_name = FORMATS[name].partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    renderer: Renderer = cls(out, options, ruleset)
    return renderer
