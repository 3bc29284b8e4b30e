"""Reporters: one module per output format, each rendering a :class:`Report` to a string."""

from __future__ import annotations

from collections.abc import Callable

from rtlint.reporters import concise, github, json, json_lines, junit, sarif, text
from rtlint.reporters.report import Report

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "concise": concise.render,
    "json": json.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}

__all__ = ["FORMATS", "Report"]
