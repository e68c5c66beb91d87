"""The ``writer`` command. Subcommands live in one module each."""

from __future__ import annotations

import click

from writer import __version__
from writer.cli.generate import facts, faq, generate
from writer.cli.lint import lint
from writer.cli.rules import rule, rules


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="writer")
def main() -> None:
    """Lint and generate honest, plain-language health articles."""


main.add_command(lint)
main.add_command(rules)
main.add_command(rule)
main.add_command(generate)
main.add_command(faq)
main.add_command(facts)
