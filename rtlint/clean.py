"""``rtlint clean``: remove the result cache."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rtlint import cache, exitcodes


@click.command()
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="The cache to remove [default: as for `rtlint check`].",
)
def clean(cache_dir: Path | None) -> None:
    """Remove the result cache (`.rtlint_cache` at the project root)."""
    directory = Path(cache.directory(cache_dir))
    if not directory.exists():
        click.echo(f"No cache at {directory}")
    elif cache.clean(directory):
        click.echo(f"Removed {directory}")
    else:
        click.echo(f"rtlint: error: {directory}: not a cache rtlint created; left alone", err=True)
        sys.exit(exitcodes.ERROR)
