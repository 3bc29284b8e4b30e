"""A JSON array of findings with ruff's field names (``schemas/json-output.schema.json``)."""

from __future__ import annotations

import json
import os
from typing import Any

from rtlint.diagnostics import Diagnostic
from rtlint.reporters.report import Report


def _location(line: int, column: int) -> dict[str, int]:
    return {"row": line, "column": column}


def as_json(d: Diagnostic) -> dict[str, Any]:
    """One finding as a JSON object."""
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


def render(report: Report) -> str:
    return json.dumps([as_json(d) for d in report.diagnostics], indent=2, ensure_ascii=False) + "\n"
