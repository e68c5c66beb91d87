"""The one error the grammar package raises."""

from __future__ import annotations


class GrammarUnavailable(Exception):
    """LanguageTool cannot be used for this run; ``str(exc)`` is a one-line reason for users.

    The runner reports it once and carries on with every other rule (or exits 2 when the
    user asked for grammar checking to be required).
    """
