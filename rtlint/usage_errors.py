"""Usage errors in rtlint's one style: one line, ``rtlint: error: …``, exit 2."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from importlib import import_module
from typing import Any, NoReturn

import click

from rtlint import exitcodes


class _NotRaised(click.ClickException):
    """Stands in for an exception class this click version does not have."""


_NO_ARGS: type[click.ClickException] = getattr(click.exceptions, "NoArgsIsHelpError", _NotRaised)
"""Raised for a bare ``rtlint`` from click 8.2 on (before, the help is printed, exit 0)."""


class OneLineErrors(click.Group):
    """A command group whose usage errors (bad option, value, command) are one line, in
    place of click's three-line usage block.

    Commands named in ``lazy`` (name → ``module:attribute``) are imported when they run or
    when help lists them, so that ``rtlint check`` does not load what only they need."""

    def __init__(self, *args: Any, lazy: Mapping[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            self.add_command(getattr(import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS as exc:  # `rtlint` alone (click >= 8.2): the help, as click shows it
            click.echo(exc.format_message(), err=True)
            sys.exit(exitcodes.ERROR)
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split()).rstrip(".")
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                message += f" (see `{exc.ctx.command_path} --help`)"
            fail(message[:1].lower() + message[1:])
        except click.exceptions.Abort:
            fail("aborted")
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else exitcodes.SUCCESS)
        return code


def fail(message: str) -> NoReturn:
    """Print the one-line error and exit 2."""
    click.echo(f"rtlint: error: {message}", err=True)
    sys.exit(exitcodes.ERROR)
