"""Where the built-in templates and the wording data live.

In a wheel they are shipped inside the package as ``writer/templates`` (pyproject
force-include); in a source checkout they sit at the repository root, like ``lint_rules/``.
"""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"
