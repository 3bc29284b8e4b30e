"""The ``rtlint emulate`` and ``rtlint trace`` commands."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import click

from rtlint import exitcodes
from rtlint.runtime.emulator import Emulator, EmulatorConfig, TurnDetection, is_loopback
from rtlint.runtime.timeline import render_html, render_svg
from rtlint.runtime.trace import Finding, check_records
from rtlint.runtime.wirelog import WireLogError, read_wire_log


@click.command()
@click.argument("logs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(["concise", "json"]),
    default="concise",
    show_default=True,
    help="How to print findings.",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the log as a timeline in this HTML file (one LOG only).",
)
@click.option(
    "--svg",
    "svg_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw the log as a timeline in this SVG file (one LOG only).",
)
def trace(
    logs: tuple[Path, ...], output_format: str, html_file: Path | None, svg_file: Path | None
) -> None:
    """Check wire logs (JSON lines) for response-slot violations and races.

    Each LOG is checked on its own. Exit 0 when clean or with recovered races
    only, 1 with violations or unrecovered races, 2 when a log cannot be read
    (the others are still checked).
    """
    drawing = [(t, r) for t, r in ((html_file, render_html), (svg_file, render_svg)) if t]
    if drawing and len(logs) > 1:
        click.echo("rtlint: error: --html and --svg draw one LOG; name one log", err=True)
        sys.exit(exitcodes.ERROR)
    checked: list[tuple[str, Finding]] = []
    unreadable = 0
    for log in logs:
        try:
            records = read_wire_log(log)
        except WireLogError as exc:
            click.echo(f"rtlint: error: {exc}", err=True)
            unreadable += 1
            continue
        findings = check_records(records)
        for target, render in drawing:
            _draw(target, render(records, findings, f"rtlint trace {log}"))
        checked += [(str(log), finding) for finding in findings]
    if output_format == "json":
        click.echo(json.dumps([_as_json(f, name) for name, f in checked], indent=2))
    else:
        for name, finding in checked:
            click.echo(_concise(finding, name))
        click.echo(_summary([f for _, f in checked], len(logs) - unreadable, unreadable))
    if unreadable:
        sys.exit(exitcodes.ERROR)
    sys.exit(exitcodes.FINDINGS if any(f.fails for _, f in checked) else exitcodes.SUCCESS)


def _draw(target: Path, text: str) -> None:
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"rtlint: error: {target}: cannot write: {exc.strerror or exc}", err=True)
        sys.exit(exitcodes.ERROR)


def _concise(finding: Finding, filename: str) -> str:
    suffix = ""
    if finding.category == "race":
        suffix = " (race, recovered)" if finding.recovered else " (race, not recovered)"
    return f"{filename}:{finding.line}: {finding.code} {finding.message}{suffix}"


def _summary(findings: list[Finding], checked: int, unreadable: int) -> str:
    logs = f"({_plural(checked, 'log')} checked"
    logs += f", {_plural(unreadable, 'error')})" if unreadable else ")"
    if not findings:
        return f"No problems found {logs}" if unreadable else f"All checks passed! {logs}"
    races = [f for f in findings if f.category == "race"]
    unrecovered = sum(f.recovered is False for f in races)
    violations = len(findings) - len(races)
    return (
        f"Found {_plural(len(findings), 'problem')}: {_plural(violations, 'violation')}, "
        f"{_plural(len(races), 'race')} ({unrecovered} not recovered) {logs}"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _as_json(finding: Finding, filename: str) -> dict[str, object]:
    return {
        "code": finding.code,
        "message": finding.message,
        "filename": os.path.abspath(filename),
        "line": finding.line,
        "category": finding.category,
        "recovered": finding.recovered,
    }


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0: any free port."
)
@click.option(
    "--wire-log", type=click.Path(dir_okay=False, path_type=Path), help="Record a wire log here."
)
@click.option(
    "--deltas", type=click.IntRange(0), default=5, show_default=True, help="Deltas per response."
)
@click.option(
    "--delta-interval",
    type=click.FloatRange(0),
    default=0.02,
    show_default=True,
    help="Seconds before each delta.",
)
@click.option(
    "--latency",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds added to every server event.",
)
@click.option(
    "--server-vad/--no-server-vad",
    default=False,
    show_default=True,
    help="Start with server VAD on.",
)
@click.option(
    "--vad-create-response/--no-vad-create-response",
    default=True,
    show_default=True,
    help="VAD starts responses.",
)
@click.option(
    "--vad-interrupt/--no-vad-interrupt",
    default=True,
    show_default=True,
    help="Speech start cancels the response.",
)
@click.option(
    "--vad-silence-ms",
    type=click.FloatRange(0),
    default=200.0,
    show_default=True,
    help="Silence that ends a turn.",
)
@click.option(
    "--drop-after-events",
    type=click.IntRange(1),
    help="Abort a connection after this many server events.",
)
@click.option(
    "--drop-mid-response", is_flag=True, help="Abort a connection halfway through a response."
)
@click.option(
    "--drops",
    type=click.IntRange(0),
    default=1,
    show_default=True,
    help="How many connections may be aborted.",
)
@click.option(
    "--dialect",
    type=click.Choice(["ga", "beta"]),
    default="ga",
    show_default=True,
    help="Server event names.",
)
def emulate(
    host: str,
    port: int,
    wire_log: Path | None,
    deltas: int,
    delta_interval: float,
    latency: float,
    server_vad: bool,
    vad_create_response: bool,
    vad_interrupt: bool,
    vad_silence_ms: float,
    drop_after_events: int | None,
    drop_mid_response: bool,
    drops: int,
    dialect: str,
) -> None:
    """Serve the emulated Realtime protocol until interrupted.

    The first line printed is the ws://HOST:PORT URL to connect to.
    """
    if not is_loopback(host):
        click.echo(f"rtlint: error: --host must be a loopback address, not {host!r}", err=True)
        sys.exit(exitcodes.ERROR)
    vad = TurnDetection(vad_create_response, vad_interrupt, vad_silence_ms) if server_vad else None
    config = EmulatorConfig(
        deltas=deltas,
        delta_interval=delta_interval,
        latency=latency,
        turn_detection=vad,
        drop_after_events=drop_after_events,
        drop_mid_response=drop_mid_response,
        drops=drops,
        dialect="beta" if dialect == "beta" else "ga",
    )
    try:
        asyncio.run(_serve(Emulator(config, host=host, port=port, wire_log=wire_log)))
    except OSError as exc:
        where = exc.filename or f"{host}:{port}"
        click.echo(f"rtlint: error: cannot serve ({where}): {exc.strerror or exc}", err=True)
        sys.exit(exitcodes.ERROR)
    sys.exit(exitcodes.SUCCESS)


async def _serve(emulator: Emulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with emulator as url:
        click.echo(url)
        sys.stdout.flush()
        await stop.wait()
