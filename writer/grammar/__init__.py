"""Grammar and spelling through LanguageTool, private by default.

Only prose (each block's text, never code, front matter or URLs) is sent, to a LanguageTool
the user chose: a server URL from the configuration, or a local LanguageTool started once per
run from an unpacked installation. Drafts never go to the public LanguageTool API unless the
configuration names it *and* sets ``public-api = true``; LanguageTool is never downloaded
unless ``allow-download = true``.

The runner uses exactly two names from here: ``open_checker(settings)`` and
``GrammarUnavailable`` (raised, with a one-line reason, whenever LanguageTool cannot be used).
"""

from writer.grammar.checker import Checker, open_checker
from writer.grammar.errors import GrammarUnavailable

__all__ = ["Checker", "GrammarUnavailable", "open_checker"]
