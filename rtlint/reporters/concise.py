"""One line per finding: ``path:line:col: CODE message``."""

from __future__ import annotations

from rtlint.reporters.report import Report
from rtlint.reporters.text import header


def render(report: Report) -> str:
    return "".join(header(d, report.color) + "\n" for d in report.diagnostics)
