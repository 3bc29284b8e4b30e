"""The default output: a header per finding, a code frame, notes and the fix hint."""

from __future__ import annotations

from collections.abc import Sequence

from rtlint.diagnostics import Diagnostic, Safety
from rtlint.reporters.report import Report

BOLD, RED, YELLOW, CYAN, RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[0m"


def paint(text: str, style: str, on: bool) -> str:
    return f"{style}{text}{RESET}" if on else text


def header(d: Diagnostic, color: bool = False, marker: bool = False) -> str:
    """``path:line:col: CODE message``; ``marker`` adds ruff's ``[*]`` for a fixable finding."""
    place = paint(f"{d.path}:{d.span.line}:{d.span.column}:", BOLD, color)
    return f"{place} {paint(d.code, BOLD + RED, color)}{' [*]' if marker else ''} {d.message}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def failures(failed: int) -> str:
    """The summary's count of paths that failed (unreadable, missing, unwritable), if any."""
    return f", {_plural(failed, 'error')}" if failed else ""


def summary(diagnostics: Sequence[Diagnostic], checked: int, failed: int = 0) -> str:
    """The closing line: how many problems in how many files, and how many paths failed.

    "All checks passed!" only when nothing was found and nothing failed."""
    files = len({d.path for d in diagnostics})
    checked_text = f"({_plural(checked, 'file')} checked{failures(failed)})"
    if not diagnostics:
        return (
            f"No problems found {checked_text}" if failed else f"All checks passed! {checked_text}"
        )
    return (
        f"Found {_plural(len(diagnostics), 'problem')} in {_plural(files, 'file')} {checked_text}"
    )


MAX_FRAME_WIDTH = 160
"""Columns of source shown per line: longer lines (minified bundles) are cut around the
finding, with ``…`` where text is left out."""


def code_frame(d: Diagnostic, lines: list[str], color: bool = False, context: int = 1) -> list[str]:
    """Source lines around the finding with a caret underline, like ruff's full output."""
    if not lines or d.span.line > len(lines):
        return []
    first = max(1, d.span.line - context)
    last = min(len(lines), d.span.line + context)
    width = len(str(last))
    gutter = paint(" " * width + " |", CYAN, color)
    raw = lines[d.span.line - 1].rstrip("\r\n")
    start = len(raw[: d.span.column - 1].expandtabs(4))
    if d.span.end_line == d.span.line:
        end = len(raw[: d.span.end_column - 1].expandtabs(4))
    else:
        end = len(raw.expandtabs(4))
    end = max(end, start + 1)
    left = 0
    if len(raw.expandtabs(4)) > MAX_FRAME_WIDTH:
        left = max(0, min(start - 20, end - MAX_FRAME_WIDTH + 20))
    out = [gutter]
    for n in range(first, last + 1):
        text = _window(lines[n - 1].rstrip("\r\n").expandtabs(4), left)
        out.append((paint(f"{n:>{width}} |", CYAN, color) + f" {text}").rstrip())
        if n == d.span.line:
            shift = left - (1 if left else 0)  # the leading "…" takes a column
            lo = start - shift
            hi = min(end - shift, MAX_FRAME_WIDTH + (1 if left else 0))
            carets = paint("^" * max(1, hi - lo) + f" {d.code}", RED, color)
            out.append(f"{gutter} {' ' * lo}{carets}")
    out.append(gutter)
    return out


def _window(text: str, left: int) -> str:
    """``text`` from column ``left``, at most :data:`MAX_FRAME_WIDTH` columns of it."""
    if len(text) <= MAX_FRAME_WIDTH and not left:
        return text
    cut = text[left : left + MAX_FRAME_WIDTH]
    return ("…" if left else "") + cut + ("…" if left + MAX_FRAME_WIDTH < len(text) else "")


_SAFETY_NOTE = {
    Safety.SAFE: "fix available",
    Safety.UNSAFE: "unsafe fix available with `--unsafe-fixes`",
    Safety.DISPLAY_ONLY: "suggestion only, never applied: its edit is in the JSON and SARIF output",
}


def fixable(d: Diagnostic, unsafe: bool) -> bool:
    """Would ``--fix`` (with ``unsafe``: ``--fix --unsafe-fixes``) apply this finding's fix?"""
    return d.fix is not None and (
        d.fix.safety is Safety.SAFE or (unsafe and d.fix.safety is Safety.UNSAFE)
    )


def render(report: Report) -> str:
    blocks: list[str] = []
    for d in report.diagnostics:
        head = header(d, report.color, fixable(d, report.unsafe_fixes))
        lines = [head, *code_frame(d, report.lines(d.path), report.color)]
        for r in d.related:
            where = f"{d.path}:{r.span.line}:{r.span.column}"
            lines.append(f"  {paint('= note:', BOLD, report.color)} {r.message} ({where})")
        if d.fix is not None:
            note = _SAFETY_NOTE[d.fix.safety]
            lines.append(f"  {paint('= help:', BOLD + CYAN, report.color)} {d.fix.title} ({note})")
        elif d.fix_title:
            lines.append(f"  {paint('= help:', BOLD + CYAN, report.color)} {d.fix_title}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")
