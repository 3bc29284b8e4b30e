"""``rtlint server``: the language server for editors (:mod:`rtlint.lsp.language_server`)."""

from __future__ import annotations

import click


@click.command()
@click.option("--unsafe-fixes", is_flag=True, help="Offer unsafe fixes as code actions too.")
def server(unsafe_fixes: bool) -> None:
    """Run the language server on standard input and output (for editors)."""
    from rtlint.lsp.language_server import create_server  # pygls loads only for this command

    create_server(unsafe_fixes).start_io()
