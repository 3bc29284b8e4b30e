"""``--statistics``: how many findings per rule, instead of the findings."""

from __future__ import annotations

import json
from collections import Counter

from rtlint.diagnostics import Safety
from rtlint.reporters.report import Report


def counts(report: Report) -> list[tuple[str, str, int, bool]]:
    """(code, name, count, any fix that ``--fix`` may apply) per rule, most frequent first."""
    by_code = Counter(d.code for d in report.diagnostics)
    names = {d.code: d.name for d in report.diagnostics}
    fixable = {
        d.code for d in report.diagnostics if d.fix and d.fix.safety is not Safety.DISPLAY_ONLY
    }
    return [
        (c, names[c], n, c in fixable)
        for c, n in sorted(by_code.items(), key=lambda i: (-i[1], i[0]))
    ]


def render(report: Report) -> str:
    rows = counts(report)
    if not rows:
        return ""
    width = max(len(str(n)) for _, _, n, _ in rows)
    code_width = max(len(c) for c, _, _, _ in rows)
    return "".join(
        f"{n:>{width}}\t{c:<{code_width}}\t{'[*]' if fix else '[ ]'} {name}\n"
        for c, name, n, fix in rows
    )


def render_json(report: Report) -> str:
    rows = [
        {"code": c, "name": name, "count": n, "fixable": fix} for c, name, n, fix in counts(report)
    ]
    return json.dumps(rows, indent=2) + "\n"
