"""Usage errors in rtlint's one style: one line, ``rtlint: error: …``, exit 2."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from rtlint import exitcodes


class _NotRaised(click.ClickException):
    """Stands in for an exception class this click version does not have."""


_NO_ARGS: type[click.ClickException] = getattr(click.exceptions, "NoArgsIsHelpError", _NotRaised)
"""Raised for a bare ``rtlint`` from click 8.2 on (before, the help is printed, exit 0)."""


class OneLineErrors(click.Group):
    """A command group whose usage errors (bad option, value, command) are one line, in
    place of click's three-line usage block."""

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
