"""SARIF 2.1.0 for code scanning: rule metadata, results with fixes and stable fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rtlint import __version__
from rtlint.diagnostics import Diagnostic
from rtlint.registry import all_rules
from rtlint.reporters.report import Report, relative
from rtlint.rule import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/rtlint/rtlint"
FINGERPRINT = "rtlint/v1"
"""Hash of rule, file and the flagged line's text (not its number): survives edits elsewhere."""


def _rule(rule: type[Rule]) -> dict[str, Any]:
    doc = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {"text": doc, "markdown": doc},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": "warning" if rule.severity == "warning" else "error"},
        "properties": {"tags": list(rule.languages)},
    }


def _artifact(path: str) -> dict[str, str]:
    rel = relative(path)
    if os.path.isabs(rel):
        return {"uri": Path(rel).as_uri()}
    return {"uri": rel, "uriBaseId": "%SRCROOT%"}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _result(d: Diagnostic, index: dict[str, int], level: str, fingerprint: str) -> dict[str, Any]:
    s = d.span
    location = {
        "artifactLocation": _artifact(d.path),
        "region": _region(s.line, s.column, s.end_line, s.end_column),
    }
    result: dict[str, Any] = {
        "ruleId": d.code,
        "level": level,
        "message": {"text": d.message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    if d.related:
        result["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": r.message},
                "physicalLocation": {
                    "artifactLocation": _artifact(d.path),
                    "region": _region(
                        r.span.line, r.span.column, r.span.end_line, r.span.end_column
                    ),
                },
            }
            for i, r in enumerate(d.related)
        ]
    if d.fix is not None:
        replacements = [
            {
                "deletedRegion": {"byteOffset": e.start, "byteLength": e.end - e.start},
                "insertedContent": {"text": e.content},
            }
            for e in d.fix.edits
        ]
        result["fixes"] = [
            {
                "description": {"text": f"{d.fix.title} ({d.fix.safety.value})"},
                "artifactChanges": [
                    {"artifactLocation": _artifact(d.path), "replacements": replacements}
                ],
            }
        ]
    return result


def fingerprints(report: Report, name: Callable[[str], str] = relative) -> list[str]:
    """One fingerprint per finding: rule, ``name(path)``, the flagged line's text (whitespace
    collapsed) and the how-manieth such line it is; line numbers do not enter it."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for d in report.diagnostics:
        lines = report.lines(d.path)
        text = " ".join(lines[d.span.line - 1].split()) if d.span.line <= len(lines) else ""
        key = (d.code, name(d.path), text)
        seen[key] += 1
        digest = hashlib.sha256("\0".join((*key, str(seen[key]))).encode()).hexdigest()
        out.append(digest[:32])
    return out


def render(report: Report) -> str:
    rules = all_rules()
    index = {r.code: i for i, r in enumerate(rules)}
    levels = {r.code: "warning" if r.severity == "warning" else "error" for r in rules}
    results = [
        _result(d, index, levels.get(d.code, "error"), fp)
        for d, fp in zip(report.diagnostics, fingerprints(report), strict=True)
    ]
    notifications = [
        {"level": "error", "message": {"text": f"{path}: {message}"}}
        for path, message in report.errors
    ]
    run = {
        "tool": {
            "driver": {
                "name": "rtlint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(r) for r in rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {"executionSuccessful": not report.errors, "toolExecutionNotifications": notifications}
        ],
        "results": results,
    }
    sarif = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
