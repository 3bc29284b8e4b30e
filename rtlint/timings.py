"""``rtlint check --timings``: where a run's time goes, per stage, per rule and per file.

:func:`collect` turns collection on for the rest of the process and prints the table to
standard error when it exits. Stages run where they run: discovery, reading, the
prefilter and the report in the main process, parsing (with lowering into the IR) and
the analyses in the workers, so those two are summed over the workers (and so is the
project stage: the plan in the main process, each file's view in the workers). The analyses
that rules share are charged to the first rule that asks for them.
"""

from __future__ import annotations

import atexit
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

STAGES = ("discover", "read", "prefilter", "project", "parse", "analyse", "report")
SLOWEST = 5


@dataclass
class FileTimes:
    """What checking one file cost (measured wherever it ran, returned with its result)."""

    path: str
    parse: float = 0.0
    analyse: float = 0.0
    project: float = 0.0
    """Building the file's view of the other files (:mod:`rtlint.analysis.project_index`)."""
    rules: dict[str, float] = field(default_factory=dict)


@dataclass
class Timings:
    started: float = field(default_factory=time.perf_counter)
    stages: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    rules: dict[str, float] = field(default_factory=dict)
    files: list[FileTimes] = field(default_factory=list)
    checked_until: float | None = None
    """When the last file result came in: the report stage runs from there to the exit."""

    def add_file(self, times: FileTimes) -> None:
        self.stages["parse"] += times.parse
        self.stages["analyse"] += times.analyse
        self.stages["project"] += times.project
        for code, seconds in times.rules.items():
            self.rules[code] = self.rules.get(code, 0.0) + seconds
        self.files.append(times)

    def render(self) -> str:
        total = time.perf_counter() - self.started
        if self.checked_until is not None:
            self.stages["report"] = time.perf_counter() - self.checked_until
        lines = [f"{'stage':<24} {'seconds':>9}"]
        lines += [f"{name:<24} {self.stages[name]:>9.3f}" for name in STAGES]
        lines.append(f"{'wall (whole run)':<24} {total:>9.3f}")
        lines.append("(project, parse and analyse are summed over the worker processes)")
        if self.rules:
            lines.append(f"{'rule':<24} {'seconds':>9}")
            lines += [f"{c:<24} {s:>9.3f}" for c, s in sorted(self.rules.items())]
        slowest = sorted(self.files, key=lambda f: f.parse + f.analyse, reverse=True)[:SLOWEST]
        if slowest:
            lines.append(f"{'slowest files':<24} {'parse':>9} {'analyse':>9}")
            lines += [f"{f.path}\n{'':<24} {f.parse:>9.3f} {f.analyse:>9.3f}" for f in slowest]
        return "\n".join(lines) + "\n"


_active: Timings | None = None


def collect() -> None:
    """Collect timings from now on and print them to standard error at exit."""
    global _active
    _active = Timings()
    atexit.register(lambda: sys.stderr.write(_active.render() if _active else ""))


def add_file(times: FileTimes) -> None:
    if _active is not None:
        _active.add_file(times)


def add(name: str, seconds: float) -> None:
    """Add ``seconds`` spent elsewhere (in a worker process) to stage ``name``."""
    if _active is not None:
        _active.stages[name] += seconds


def checked() -> None:
    """The files are checked: what follows, until the exit, is the report."""
    if _active is not None:
        _active.checked_until = time.perf_counter()


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time the ``with`` block takes to stage ``name`` (when collecting)."""
    if _active is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        _active.stages[name] += time.perf_counter() - start
