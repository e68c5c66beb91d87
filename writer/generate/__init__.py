"""The generator: balanced explainers, FAQ sections and plain-language summaries from facts.

Nothing heavy is imported here: ``writer lint`` must never pay for pydantic or Jinja2. The
pieces are ``model`` (the facts schema), ``load`` (reading a facts file with positions for
errors), ``render`` (Jinja2 in a sandbox), ``pipeline`` (render, then lint the result) and
``atomic`` (writing outputs without half-written files).
"""

# Names the CLI needs for its options, kept here so that building the command line does not
# import Jinja2 or pydantic.
TEMPLATES = ("explainer", "faq", "summary")
FORMATS = {"md": "markdown", "html": "html"}  # output format -> the linter's reader
