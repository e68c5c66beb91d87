"""Render facts through Jinja2 templates: sandboxed, strict, escaped for the output format.

Every template, built-in or the user's own (``--templates DIR``), runs in Jinja's
ImmutableSandboxedEnvironment: a template can read facts and call our wording helpers, but
not reach Python internals or change data. A user's folder is searched first, so one file
can be replaced while the shared macros (caveats, certainty wording, sources) still come
from ours. Template problems become InputErrors naming the template file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from writer.diagnostics import InputError, WriterError
from writer.generate import FORMATS, TEMPLATES, wording
from writer.generate.resources import templates_dir
from writer.generate.view import FactUndefined, FactView, wrap

if TYPE_CHECKING:
    from writer.generate.model import Facts
    from writer.rules.model import RuleSet

# The caveat sentences are the caveat rules' suggestions: one text for linter and generator.
CAVEAT_RULES = {
    "experimental": "missing-experimental-caveat",
    "regulatory": "missing-regulatory-caveat",
    "medication": "missing-medication-caveat",
}


class FactsEnvironment(ImmutableSandboxedEnvironment):
    """A fact that is present but empty (None) comes back as undefined: falsy in ``if``,
    an error naming it when printed."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        if value is None and isinstance(obj, FactView):
            return self.undefined(obj=obj, name=attribute)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if value is None and isinstance(obj, FactView):
            return self.undefined(obj=obj, name=argument)
        return value


def _squash(value: Any) -> Any:
    """Collapse whitespace: a paragraph written over several template lines stays one
    paragraph (and indentation never turns into a Markdown code block)."""
    if isinstance(value, Markup):
        return Markup(" ").join(value.split())
    return " ".join(str(value).split())


_LIST_ITEM = re.compile(r"<li>(.*?)</li>", re.S)


def _plain(value: Any) -> str:
    """HTML answer -> plain text for JSON-LD: list items become sentences, tags go."""
    html = str(value)
    html = _LIST_ITEM.sub(
        lambda m: m.group(1).rstrip() + ("" if m.group(1).rstrip()[-1:] in ".?!:" else ".") + " ",
        html,
    )
    return Markup(html).striptags()


def environment(fmt: str, user_dir: Path | None = None) -> FactsEnvironment:
    loaders = [FileSystemLoader(str(templates_dir()))]
    if user_dir is not None:
        if not user_dir.is_dir():
            raise WriterError(InputError(str(user_dir), "template directory not found"))
        loaders.insert(0, FileSystemLoader(str(user_dir)))
    env = FactsEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=fmt == "html",
        undefined=FactUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(wording.FILTERS)
    env.filters["squash"] = _squash
    env.filters["plain"] = _plain
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    env.globals.update(wording.GLOBALS)
    return env


def checked_ruleset() -> RuleSet:
    """The built-in rules; a broken pack is an input error (exit 2), not a traceback."""
    from writer.api import builtin_ruleset

    try:
        return builtin_ruleset()
    except RuntimeError as exc:
        raise WriterError(InputError("lint_rules", str(exc))) from None


def caveat_sentences(ruleset: RuleSet | None = None) -> dict[str, str]:
    """The canonical caveat sentences, read from the linter's caveat rules."""
    if ruleset is None:
        ruleset = checked_ruleset()
    found: dict[str, str] = {}
    for key, name in CAVEAT_RULES.items():
        rule = ruleset.find(name)
        if rule is None or not rule.suggestion:
            raise WriterError(
                InputError(
                    "lint_rules",
                    f"the rule {name!r} is missing or has no suggestion; the generator takes "
                    "its caveat sentence from that rule",
                )
            )
        found[key] = " ".join(rule.suggestion.split())
    return found


def context(facts: Facts, fmt: str, caveats: Mapping[str, str]) -> dict[str, Any]:
    escape = fmt == "md"
    view = wrap(facts.model_dump(mode="python"), "facts", escape)
    words = wording.wording()
    return {
        "facts": view,
        "format": FORMATS[fmt],
        "markup": f"_{FORMATS[fmt]}.j2",
        "caveats": wrap(dict(caveats), "caveats", escape),
        "source_numbers": {source["id"]: i for i, source in enumerate(view["sources"], 1)},
        "trial_registers": wrap(list(words.get("trial_registers") or []), "registers", escape),
        "standard_doctor_questions": wrap(
            list(words.get("doctor_questions") or []), "doctor_questions", escape
        ),
    }


def _template_position(exc: BaseException) -> tuple[str | None, int | None]:
    """Jinja rewrites tracebacks so that template frames carry the template file and line."""
    where: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return where


def tidy(text: str) -> str:
    """At most one blank line between blocks, no trailing spaces, one final newline."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n"


def render(
    facts: Facts,
    template: str,
    fmt: str,
    user_dir: Path | None = None,
    caveats: Mapping[str, str] | None = None,
) -> str:
    """The output text, or WriterError naming the template and line that failed."""
    if template not in TEMPLATES:
        raise WriterError(InputError("<template>", f"unknown template {template!r}"))
    if fmt not in FORMATS:
        raise WriterError(InputError("<template>", f"unknown format {fmt!r} (md or html)"))
    name = f"{template}.{fmt}.j2"
    env = environment(fmt, user_dir)
    ctx = context(facts, fmt, caveats if caveats is not None else caveat_sentences())
    try:
        text = env.get_template(name).render(ctx)
    except TemplateSyntaxError as exc:
        raise WriterError(
            InputError(exc.filename or exc.name or name, f"template error: {exc.message}",
                       exc.lineno)
        ) from None
    except TemplateNotFound as exc:
        place = str(user_dir or templates_dir())
        raise WriterError(InputError(place, f"template {exc.name!r} not found")) from None
    except (UndefinedError, SecurityError, TemplateError) as exc:
        file, line = _template_position(exc)
        raise WriterError(InputError(file or name, f"template error: {exc}", line)) from None
    except WriterError:
        raise
    except Exception as exc:  # a filter or global called wrongly by a (user's) template
        file, line = _template_position(exc)
        if file is None:
            raise
        message = f"template error: {type(exc).__name__}: {exc}"
        raise WriterError(InputError(file, message, line)) from None
    return tidy(text)

