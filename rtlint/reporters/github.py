"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding."""

from __future__ import annotations

from rtlint.registry import all_rules
from rtlint.reporters.report import Report, relative


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    severity = {r.code: r.severity for r in all_rules()}
    out = []
    for d in report.diagnostics:
        level = "warning" if severity.get(d.code) == "warning" else "error"
        s = d.span
        props = ",".join(
            f"{key}={_property(str(value))}"
            for key, value in (
                ("title", f"rtlint ({d.code})"),
                ("file", relative(d.path)),
                ("line", s.line),
                ("col", s.column),
                ("endLine", s.end_line),
                ("endColumn", s.end_column),
            )
        )
        text = f"{relative(d.path)}:{s.line}:{s.column}: {d.code} {d.message}"
        out.append(f"::{level} {props}::{_data(text)}\n")
    return "".join(out)
