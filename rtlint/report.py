"""Reporters: diagnostics rendered as text (with code frames), concise lines or JSON."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from rtlint.diagnostics import Diagnostic

FORMATS = ("text", "concise", "json")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(diagnostics: Sequence[Diagnostic], checked: int) -> str:
    files = len({d.path for d in diagnostics})
    checked_text = f"({_plural(checked, 'file')} checked)"
    if not diagnostics:
        return f"All checks passed! {checked_text}"
    return f"Found {_plural(len(diagnostics), 'problem')} in {_plural(files, 'file')} {checked_text}"


def header(d: Diagnostic) -> str:
    return f"{d.path}:{d.span.line}:{d.span.column}: {d.code} {d.message}"


def code_frame(d: Diagnostic, lines: list[str], context: int = 1) -> list[str]:
    """Source lines around the finding with a caret underline, like ruff's full output."""
    if not lines or d.span.line > len(lines):
        return []
    first = max(1, d.span.line - context)
    last = min(len(lines), d.span.line + context)
    width = len(str(last))
    gutter = " " * width
    out = [f"{gutter} |"]
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip("\r\n").expandtabs(4)
        out.append(f"{n:>{width}} | {text}".rstrip())
        if n == d.span.line:
            raw = lines[n - 1].rstrip("\r\n")
            start = len(raw[: d.span.column - 1].expandtabs(4))
            if d.span.end_line == d.span.line:
                end = len(raw[: d.span.end_column - 1].expandtabs(4))
            else:
                end = len(raw.expandtabs(4))
            carets = "^" * max(1, end - start)
            out.append(f"{gutter} | {' ' * start}{carets} {d.code}")
    out.append(f"{gutter} |")
    return out


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, list[str]]) -> str:
    blocks: list[str] = []
    for d in diagnostics:
        lines = [header(d), *code_frame(d, sources.get(d.path, []))]
        for related in d.related:
            lines.append(f"  = note: {related.message} ({d.path}:{related.span.line}:{related.span.column})")
        if d.fix_title:
            lines.append(f"  = help: {d.fix_title}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def render_concise(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(header(d) + "\n" for d in diagnostics)


def _location(line: int, column: int) -> dict[str, int]:
    return {"row": line, "column": column}


def as_json(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic with ruff's JSON field names."""
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.safety.value,
            "message": d.fix.title,
            "edits": [{"content": e.content, "start": e.start, "end": e.end} for e in d.fix.edits],
        }
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "filename": os.path.abspath(d.path),
        "location": _location(d.span.line, d.span.column),
        "end_location": _location(d.span.end_line, d.span.end_column),
        "fix": fix,
        "fix_title": d.fix_title,
        "url": d.url,
        "related": [
            {
                "message": r.message,
                "location": _location(r.span.line, r.span.column),
                "end_location": _location(r.span.end_line, r.span.end_column),
            }
            for r in d.related
        ],
    }


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([as_json(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
