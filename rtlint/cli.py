"""The ``rtlint`` command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rtlint import __version__, exitcodes
from rtlint.discovery import discover
from rtlint.engine import Settings, check_files
from rtlint.registry import all_rules, by_selector
from rtlint.report import FORMATS, render_concise, render_json, render_text, summary
from rtlint.rule import Rule


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="rtlint")
def main() -> None:
    """Find `response.create` sends that can race an active realtime response."""


def _fail(message: str) -> None:
    click.echo(f"rtlint: error: {message}", err=True)
    sys.exit(exitcodes.ERROR)


def _select(select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[type[Rule], ...]:
    chosen: list[type[Rule]] = []
    for selector in select or ("RT",):
        found = by_selector(selector)
        if not found:
            _fail(f"unknown rule selector `{selector}`")
        chosen += [r for r in found if r not in chosen]
    for selector in ignore:
        found = by_selector(selector)
        if not found:
            _fail(f"unknown rule selector `{selector}`")
        chosen = [r for r in chosen if r not in found]
    return tuple(chosen)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply excludes to files named on the command line too (for pre-commit).",
)
@click.option("--select", multiple=True, metavar="RULE", help="Rules to run (code, prefix or name).")
@click.option("--ignore", multiple=True, metavar="RULE", help="Rules to skip.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes.")
def check(
    paths: tuple[str, ...],
    output_format: str,
    exclude: tuple[str, ...],
    force_exclude: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    jobs: int | None,
) -> None:
    """Check PATHS (default: the current directory) for unguarded `response.create`."""
    settings = Settings(rules=_select(select, ignore))
    found = discover(paths or (".",), exclude, force_exclude)
    results = check_files(found.files, settings, jobs)
    diagnostics = sorted(
        (d for r in results for d in r.diagnostics), key=lambda d: d.sort_key
    )
    errors = [*found.errors, *((r.path, r.error) for r in results if r.error)]
    for path, message in errors:
        click.echo(f"rtlint: {path}: {message}", err=True)
    if output_format == "json":
        click.echo(render_json(diagnostics), nl=False)
    elif output_format == "concise":
        click.echo(render_concise(diagnostics), nl=False)
        click.echo(summary(diagnostics, len(found.files)))
    else:
        sources = _sources({d.path for d in diagnostics})
        text = render_text(diagnostics, sources)
        if text:
            click.echo(text)
        click.echo(summary(diagnostics, len(found.files)))
    if errors:
        sys.exit(exitcodes.ERROR)
    sys.exit(exitcodes.FINDINGS if diagnostics else exitcodes.SUCCESS)


def _sources(paths: set[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in paths:
        try:
            out[path] = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            out[path] = []
    return out


@main.command()
@click.argument("selector", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's page.")
def rule(selector: str | None, show_all: bool) -> None:
    """Print the documentation of a rule (by code or name)."""
    if show_all:
        rules = list(all_rules())
    elif selector:
        rules = by_selector(selector)
        if not rules:
            _fail(f"unknown rule `{selector}`")
    else:
        _fail("name a rule (for example `rtlint rule RT001`) or pass --all")
        return
    pages = [f"# {r.name} ({r.code})\n\n{r.documentation()}\n" for r in rules]
    click.echo("\n".join(pages), nl=False)


def _register_optional_commands() -> None:
    try:
        from rtlint.runtime.commands import emulate, trace
    except ImportError:  # the runtime package is optional during development
        return
    main.add_command(emulate)
    main.add_command(trace)


_register_optional_commands()
