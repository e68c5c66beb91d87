"""The ``writer`` command. Subcommands live in one module each and are imported only when
run, so that ``writer lint`` (a pre-commit hook's every commit) pays for nothing else."""

from __future__ import annotations

import importlib

import click

from writer import __version__

COMMANDS = {
    "lint": "writer.cli.lint:lint",
    "rules": "writer.cli.rules:rules",
    "rule": "writer.cli.rules:rule",
    "generate": "writer.cli.generate:generate",
    "faq": "writer.cli.generate:faq",
    "facts": "writer.cli.generate:facts",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented
    lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, name = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="writer")
def main() -> None:
    """Lint and generate honest, plain-language health articles."""
