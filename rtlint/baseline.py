"""Baselines: record today's findings, then report only new ones.

A baseline file holds one entry per finding: its path (relative to the baseline's
directory), its rule and the SARIF partial fingerprint (rule, path, the flagged
line's text, the how-manieth such line), so edits elsewhere in a file keep its
findings matched. Line and message are stored for people reading the file only.
Syntax errors (``E999``) are never baselined.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rtlint.diagnostics import Diagnostic
from rtlint.engine import SYNTAX_ERROR
from rtlint.fixer import write_atomic
from rtlint.reporters.report import Report
from rtlint.reporters.sarif import fingerprints

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written, as one line naming it."""


Key = tuple[str, str, str]
"""(path relative to the baseline, rule code, fingerprint)."""


@dataclass
class Outcome:
    """What applying the baselines did."""

    new: list[Diagnostic]
    """Findings not in any baseline: these are reported."""
    hidden: Counter[str]
    """Baseline file → findings it matched (not reported)."""
    gone: Counter[str]
    """Baseline file → its entries for checked files that matched no finding."""


def _namer(baseline: Path) -> Callable[[str], str]:
    """Names paths relative to the baseline's directory, with ``/``."""
    root = os.path.abspath(baseline.parent)
    return lambda path: os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def _keys(
    baseline: Path, diagnostics: Sequence[Diagnostic], sources: dict[str, bytes]
) -> list[Key]:
    name = _namer(baseline)
    report = Report(diagnostics, 0, sources=sources)
    return [
        (name(d.path), d.code, fp)
        for d, fp in zip(diagnostics, fingerprints(report, name), strict=True)
    ]


def write(baseline: Path, diagnostics: Sequence[Diagnostic], sources: dict[str, bytes]) -> int:
    """Record ``diagnostics`` (minus syntax errors) in ``baseline``; return how many."""
    kept = [d for d in diagnostics if d.code != SYNTAX_ERROR]
    entries = [
        {"path": path, "code": code, "fingerprint": fp, "line": d.span.line, "message": d.message}
        for (path, code, fp), d in zip(_keys(baseline, kept, sources), kept, strict=True)
    ]
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"]))
    text = json.dumps({"version": VERSION, "findings": entries}, indent=2, ensure_ascii=False)
    try:
        baseline.parent.mkdir(parents=True, exist_ok=True)
        if baseline.exists():
            write_atomic(baseline, (text + "\n").encode())
        else:
            baseline.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(
            f"{baseline}: cannot write the baseline: {exc.strerror or exc}"
        ) from None
    return len(entries)


def load(baseline: Path) -> Counter[Key]:
    """The entries of a baseline file, counted."""
    hint = f"(write one with `rtlint check --write-baseline {baseline}`)"
    try:
        data = json.loads(baseline.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(
            f"{baseline}: cannot read the baseline: {exc.strerror} {hint}"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{baseline}: not a baseline file: {exc} {hint}") from None
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list) or data.get("version") != VERSION:
        raise BaselineError(f"{baseline}: not a version {VERSION} rtlint baseline {hint}")
    keys: Counter[Key] = Counter()
    for number, entry in enumerate(findings, 1):
        fields = [entry.get(k) if isinstance(entry, dict) else None for k in _KEY_FIELDS]
        if not all(isinstance(f, str) for f in fields):
            raise BaselineError(
                f"{baseline}: finding {number}: needs string fields {', '.join(_KEY_FIELDS)}"
            )
        keys[(fields[0], fields[1], fields[2])] += 1  # type: ignore[index]
    return keys


_KEY_FIELDS = ("path", "code", "fingerprint")


def apply(
    diagnostics: Sequence[Diagnostic],
    checked: Iterable[str],
    baseline_for: Callable[[str], Path | None],
    sources: dict[str, bytes],
) -> Outcome:
    """Drop the findings each file's baseline (``baseline_for(path)``) records."""
    outcome = Outcome([], Counter(), Counter())
    groups: dict[Path, list[Diagnostic]] = {}
    files: dict[Path, set[str]] = {}
    for path in checked:
        baseline = baseline_for(path)
        if baseline is not None:
            files.setdefault(baseline, set()).add(path)
    for d in diagnostics:
        baseline = baseline_for(d.path)
        if baseline is None or d.code == SYNTAX_ERROR:
            outcome.new.append(d)
        else:
            groups.setdefault(baseline, []).append(d)
            files.setdefault(baseline, set()).add(d.path)
    for baseline, paths in files.items():
        left = load(baseline)
        found = groups.get(baseline, [])
        for d, key in zip(found, _keys(baseline, found, sources), strict=True):
            if left[key] > 0:
                left[key] -= 1
                outcome.hidden[str(baseline)] += 1
            else:
                outcome.new.append(d)
        names = set(map(_namer(baseline), paths))
        gone = sum(n for (path, _, _), n in left.items() if path in names)
        if gone:
            outcome.gone[str(baseline)] = gone
    outcome.new.sort(key=lambda d: d.sort_key)
    return outcome


def notes(outcome: Outcome) -> list[str]:
    """One line per baseline that hid findings or has stale entries."""
    lines = []
    for baseline in sorted(set(outcome.hidden) | set(outcome.gone)):
        hidden, gone = outcome.hidden[baseline], outcome.gone[baseline]
        line = f"{baseline}: {hidden} baselined finding{'s' if hidden != 1 else ''} not reported"
        if gone:
            line += (
                f"; {gone} {'are' if gone != 1 else 'is'} gone (fixed or changed): refresh it "
                f"with `rtlint check --write-baseline {baseline}`"
            )
        lines.append(line)
    return lines
