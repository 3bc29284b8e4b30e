"""The ``rtlint`` command line: ``check``, ``rule``, ``config`` and ``clean``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from rtlint import __version__, baseline, cache, exitcodes, replay, timings
from rtlint.clean import clean
from rtlint.config import ConfigError, Resolver, as_toml
from rtlint.diagnostics import Diagnostic, Safety
from rtlint.discovery import discover
from rtlint.docs import all_documented, as_json, page
from rtlint.docs import by_selector as documented
from rtlint.engine import FileResult, check_source
from rtlint.fixer import FixResult, fix_source, unified_diff, write_atomic
from rtlint.frontends import SUFFIXES
from rtlint.lifecycle_view import LIFECYCLE_CODES, lifecycle
from rtlint.project import Project, settings
from rtlint.reporters import FORMATS, Report
from rtlint.reporters import statistics as stats
from rtlint.reporters.text import failures, summary
from rtlint.selection import Selection, split, unknown
from rtlint.usage_errors import OneLineErrors
from rtlint.usage_errors import fail as _fail


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={
        "emulate": "rtlint.runtime.commands:emulate",
        "trace": "rtlint.runtime.commands:trace",
        "server": "rtlint.lsp:server",
    },
)
@click.version_option(__version__, "--version", "-V", prog_name="rtlint")
def main() -> None:
    """Find `response.create` sends that can race an active realtime response."""


def _resolver(config_file: Path | None, isolated: bool) -> Resolver:
    if config_file is not None and isolated:
        _fail("--config and --isolated exclude each other")
    try:
        return Resolver(config_file, isolated)
    except ConfigError as exc:
        _fail(str(exc))


def _selection(
    select: tuple[str, ...], extend: tuple[str, ...], ignore: tuple[str, ...], preview: bool
) -> Selection:
    chosen = Selection(split(select) or None, split(extend), split(ignore), preview or None)
    for option, values in (
        ("--select", chosen.select or ()),
        ("--extend-select", chosen.extend_select),
        ("--ignore", chosen.ignore),
    ):
        for selector in unknown(values):
            _fail(f"{option}: unknown rule selector `{selector}`")
    return chosen


def _output_file(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> list[tuple[str, Path]]:
    out = []
    for value in values:
        fmt, sep, path = value.partition("=")
        if not sep or not path or fmt not in FORMATS:
            raise click.BadParameter(
                f"expected FORMAT=PATH with FORMAT one of {', '.join(FORMATS)}, got `{value}`"
            )
        out.append((fmt, Path(path)))
    return out


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and sys.stdout.isatty()


config_option = click.option(
    "--config", "config_file", type=click.Path(path_type=Path), metavar="PATH",
    help="Use this configuration file instead of the nearest one.",
)  # fmt: skip
isolated_option = click.option("--isolated", is_flag=True, help="Ignore all configuration files.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(readable=False, path_type=str))
@click.option(
    "--output-format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="How findings are printed.",
)
@click.option(
    "--output-file",
    "output_files",
    multiple=True,
    metavar="FORMAT=PATH",
    callback=_output_file,
    help="Also write FORMAT to PATH (repeatable).",
)
@config_option
@isolated_option
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help="Rules to run (codes, prefixes or names; comma-separated).",
)
@click.option("--extend-select", multiple=True, metavar="RULES", help="Rules to run in addition.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Rules to skip.")
@click.option("--preview", is_flag=True, help="Also run preview rules (see `rtlint rule`).")
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Also skip paths matching GLOB (gitignore syntax).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply excludes to paths named on the command line too (for pre-commit).",
)
@click.option("--stdin-filename", metavar="PATH", help="Check standard input as the file PATH.")
@click.option(
    "--statistics",
    "show_statistics",
    is_flag=True,
    help="Print the number of findings per rule instead of the findings.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only: no summary.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: on a terminal unless NO_COLOR is set).",
)
@click.option("--fix", is_flag=True, help="Apply safe fixes, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (with --fix) or show unsafe fixes.")
@click.option(
    "--diff",
    is_flag=True,
    help="Print the changes --fix would make; write nothing (exit 1 if any).",
)
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    metavar="DIR",
    help=f"Cache results by content here [default: {cache.DIRECTORY} at the project root; "
    "env RTLINT_CACHE_DIR; `rtlint clean` removes it].",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Report only findings not recorded in FILE [default: `baseline` in the configuration].",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Record the findings in FILE, then report only new ones.",
)
@click.option(
    "--timings",
    "show_timings",
    is_flag=True,
    help="Print the time per stage, per rule and of the slowest files to stderr.",
)
def check(
    paths: tuple[str, ...],
    output_format: str,
    output_files: list[tuple[str, Path]],
    config_file: Path | None,
    isolated: bool,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    preview: bool,
    exclude: tuple[str, ...],
    force_exclude: bool,
    stdin_filename: str | None,
    show_statistics: bool,
    exit_zero: bool,
    quiet: bool,
    color: str,
    fix: bool,
    unsafe_fixes: bool,
    diff: bool,
    show_fixes: bool,
    cache_dir: str | None,
    no_cache: bool,
    jobs: int | None,
    baseline_file: Path | None,
    write_baseline: Path | None,
    show_timings: bool,
) -> None:
    """Check PATHS (default: the current directory) for unguarded `response.create`."""
    if show_timings:
        timings.collect()
    fixing = fix or diff
    needs_edits = fixing or any(f in _EDIT_FORMATS for f in (output_format, *dict(output_files)))
    project = Project(
        _resolver(config_file, isolated),
        _selection(select, extend_select, ignore, preview),
        exclude,
        edits=needs_edits,
        cache_dir=None if no_cache else cache.directory(cache_dir),
    )
    sources: dict[str, bytes] = {}
    fixed: list[FixResult] = []
    try:
        if stdin_filename is not None:
            results = _check_stdin(project, stdin_filename, paths, force_exclude, sources)
            errors: list[tuple[str, str]] = []
            if fixing and results:
                settings_ = project.settings_for(Path(stdin_filename))
                fixed = [
                    fix_source(stdin_filename, sources[stdin_filename], settings_, unsafe_fixes)
                ]
                results = [FileResult(r.path, r.remaining, r.error) for r in fixed]
        else:
            if "-" in paths:
                _fail("reading standard input needs --stdin-filename PATH")
            found = discover(paths or (".",), project.filter_for, force_exclude)
            replay.watch(found.files)
            replay.watch_directories(found.directories)
            replay.snapshot()
            errors = list(found.errors)
            if not found.files and not errors and not force_exclude:
                click.echo(
                    "rtlint: warning: no files to check: directories such as `dist`, `build` "
                    "and `node_modules`, and gitignored paths, are skipped; name a directory "
                    "or file to check it anyway",
                    err=True,
                )
            if fixing:
                fixed = project.fix(found.files, unsafe_fixes, jobs)
                results = [FileResult(r.path, r.remaining, r.error) for r in fixed]
            else:
                results = project.check(found.files, jobs)
    except ConfigError as exc:
        _fail(str(exc))
    if project.cache_dir is not None:
        cache.prune(project.cache_dir)
    if fixing:
        errors += _apply(fixed, fix and not diff, stdin_filename is not None, project)
        results = [FileResult(r.path, r.remaining, r.error) for r in fixed]
        if diff:
            click.echo("".join(unified_diff(r) for r in fixed if r.changed), nl=False)
            applied = sum(r.applied for r in fixed)
            click.echo(f"Would fix {applied} problem{'s' if applied != 1 else ''}.", err=True)
            sys.exit(exitcodes.FINDINGS if any(r.changed for r in fixed) else exitcodes.SUCCESS)
    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key)
    diagnostics = _baselined(diagnostics, results, project, baseline_file, write_baseline, sources)
    errors = sorted([*errors, *((r.path, r.error) for r in results if r.error)])
    for path, message in errors:
        click.echo(f"rtlint: error: {path}: {message}", err=True)
    report = Report(diagnostics, len(results), errors, sources, unsafe_fixes=unsafe_fixes)
    for fmt, target in output_files:
        _write(target, FORMATS[fmt](report))
    report.color = _use_color(color)
    if show_statistics:
        json_like = output_format in ("json", "json-lines")
        text = (stats.render_json if json_like else stats.render)(report)
    else:
        text = FORMATS[output_format](report)
    to_stderr = stdin_filename is not None and fix  # stdout carries the fixed source
    click.echo(text, nl=False, color=report.color, err=to_stderr)
    if show_fixes and fixed:
        click.echo(_fixes_listing(fixed), nl=False, err=to_stderr)
    checked = sum(1 for r in results if not r.error)
    if output_format in ("text", "concise") and not quiet:
        hints = output_format == "text"  # concise output stays one line per finding + summary
        click.echo(
            _summary(diagnostics, checked, len(errors), fixed, fix, unsafe_fixes, hints),
            err=to_stderr,
        )
    if errors:
        sys.exit(exitcodes.ERROR)
    sys.exit(exitcodes.FINDINGS if diagnostics and not exit_zero else exitcodes.SUCCESS)


_EDIT_FORMATS = frozenset({"json", "json-lines", "sarif"})
"""Formats that carry fix edits: fixes are built in full for them."""


def _apply(
    fixed: list[FixResult], write: bool, stdin: bool, project: Project
) -> list[tuple[str, str]]:
    """Write fixed files (or the fixed source to stdout); return the errors, say the notes.

    A file that cannot be written keeps its findings: they are those of its original source."""
    errors: list[tuple[str, str]] = []
    for result in fixed:
        for note in result.notes:
            click.echo(f"rtlint: {result.path}: warning: {note}", err=True)
        if not write:
            continue
        if stdin:
            sys.stdout.buffer.write(result.fixed)
            sys.stdout.flush()
        elif result.changed:
            try:
                write_atomic(Path(result.path), result.fixed)
            except OSError as exc:
                errors.append((result.path, f"cannot write the fixes: {exc.strerror or exc}"))
                settings_ = project.settings_for(Path(result.path))
                result.remaining = check_source(result.path, result.original, settings_).diagnostics
                result.applied = 0
    return errors


def _baselined(
    diagnostics: list[Diagnostic],
    results: list[FileResult],
    project: Project,
    given: Path | None,
    write: Path | None,
    sources: dict[str, bytes],
) -> list[Diagnostic]:
    """The findings no baseline records (writing ``write`` first); notes go to stderr."""
    try:
        if write is not None:
            count = baseline.write(write, diagnostics, sources)
            click.echo(f"rtlint: {write}: baseline of {count} findings written", err=True)
        chosen = write or given
        of_directory: dict[str, Path | None] = {}  # the files of one directory share it

        def baseline_for(path: str) -> Path | None:
            if chosen is not None:
                return chosen
            directory = os.path.dirname(path)
            if directory not in of_directory:
                of_directory[directory] = project.resolver.for_path(Path(path)).baseline
            return of_directory[directory]

        outcome = baseline.apply(diagnostics, (r.path for r in results), baseline_for, sources)
        replay.watch(p for p in {baseline_for(r.path) for r in results} if p is not None)
    except (baseline.BaselineError, ConfigError) as exc:
        _fail(str(exc))
    for note in baseline.notes(outcome):
        click.echo(f"rtlint: {note}", err=True)
    return outcome.new


def _fixes_listing(fixed: list[FixResult]) -> str:
    lines = [
        f"{r.path}: {r.applied} fix{'es' if r.applied != 1 else ''} applied"
        for r in fixed
        if r.applied
    ]
    return "".join(line + "\n" for line in lines)


def _summary(
    diagnostics: list[Diagnostic],
    checked: int,
    failed: int,
    fixed: list[FixResult],
    fix: bool,
    unsafe_fixes: bool,
    hints: bool,
) -> str:
    """The closing line, with what ``--fix`` did; ``hints`` adds the fixes held back."""
    line = summary(diagnostics, checked, failed)
    applied = sum(r.applied for r in fixed)
    if fix and applied:
        total = applied + len(diagnostics)
        line = (
            f"Found {total} problem{'s' if total != 1 else ''} "
            f"({applied} fixed, {len(diagnostics)} remaining"
            f"{failures(failed)}; {checked} file{'s' if checked != 1 else ''} checked)"
        )
    if not hints:
        return line
    held = sum(1 for d in diagnostics if d.fix and d.fix.safety is Safety.UNSAFE)
    if held and not unsafe_fixes:
        line += (
            f"\n{held} unsafe fix{'es' if held != 1 else ''} can be applied with "
            "`--fix --unsafe-fixes` (review them with `--diff --unsafe-fixes`)."
        )
    safe = sum(1 for d in diagnostics if d.fix and d.fix.safety is Safety.SAFE)
    if safe and not fix:
        line += f"\n{safe} fix{'es are' if safe != 1 else ' is'} available with `--fix`."
    lifecycle = sorted({d.path for d in diagnostics if d.code in LIFECYCLE_CODES})
    if lifecycle:
        line += f"\n`rtlint lifecycle {lifecycle[0]}` draws the state machine these findings judge."
    return line


def _check_stdin(
    project: Project,
    name: str,
    paths: tuple[str, ...],
    force_exclude: bool,
    sources: dict[str, bytes],
) -> list[FileResult]:
    if any(p != "-" for p in paths):
        _fail("--stdin-filename checks standard input: pass no PATHS (or `-`)")
    path = Path(name)
    if path.suffix.lower() not in SUFFIXES:
        _fail(
            f"--stdin-filename {name}: not a file type rtlint checks ({' '.join(sorted(SUFFIXES))})"
        )
    sources[name] = sys.stdin.buffer.read()
    if force_exclude and project.filter_for(path.parent).excluded(path):
        return []
    return [check_source(name, sources[name], project.settings_for(path))]


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"--output-file {target}: cannot write: {exc.strerror or exc}")


@main.command()
@click.argument("selector", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule's page.")
@click.option(
    "--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rule(selector: str | None, show_all: bool, output_format: str) -> None:
    """Print the documentation of a rule or trace code (by code, prefix or name)."""
    if show_all:
        rules = all_documented()
    elif selector:
        rules = documented(selector)
        if not rules:
            _fail(f"unknown rule `{selector}`")
    else:
        _fail("name a rule (for example `rtlint rule RT001`) or pass --all")
    if output_format == "json":
        data = [as_json(r) for r in rules] if show_all or len(rules) > 1 else as_json(rules[0])
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(page(r) for r in rules), nl=False)


@main.command("config")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@config_option
@isolated_option
def show_config(path: Path, config_file: Path | None, isolated: bool) -> None:
    """Print the configuration that applies to PATH (default: the current directory)."""
    if not os.path.lexists(path):
        _fail(f"{path}: no such file or directory")
    try:
        config = _resolver(config_file, isolated).for_path(path)
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(as_toml(config, settings(config).rules), nl=False)


main.add_command(clean)
main.add_command(lifecycle)
