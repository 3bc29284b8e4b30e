"""Apply fixes: non-overlapping edits, re-parse, re-check, repeat to a fixed point, write.

A file is never left half-written and never written when a pass would make it
fail to parse or add a finding: such a pass is dropped and reported. Files that
do not parse to begin with are skipped.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import functools
import io
import os
import stat
import tempfile
import tokenize
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from rtlint.analysis.project_index import RunPlan, view_for
from rtlint.analysis.summaries import ExternalView
from rtlint.diagnostics import Diagnostic, Edit, Fix, Safety
from rtlint.engine import (
    FileResult,
    Settings,
    check_source,
    in_parallel,
    plan_files,
    read_source,
)
from rtlint.registry import all_rules

MAX_PASSES = 10


@dataclass
class FixResult:
    path: str
    original: bytes
    fixed: bytes
    applied: int = 0
    remaining: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    """The file could not be read or decoded."""
    notes: list[str] = field(default_factory=list)
    """Why fixes were held back (the file does not parse, a pass was rejected, no convergence)."""

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def encoding_of(path: str, source: bytes) -> str:
    """The file's text encoding (PEP 263 for Python; UTF-8 otherwise)."""
    if path.endswith((".py", ".pyi")):
        try:
            name, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        except SyntaxError:
            return "utf-8"
        return "utf-8" if name == "utf-8-sig" else name
    return "utf-8"


def apply_edits(source: bytes, edits: list[Edit], encoding: str) -> bytes:
    """Apply non-overlapping edits (byte offsets into ``source``)."""
    out: list[bytes] = []
    cursor = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out += [source[cursor : edit.start], edit.content.encode(encoding)]
        cursor = edit.end
    out.append(source[cursor:])
    return b"".join(out)


def _choose(fixes: list[Fix]) -> list[Fix]:
    """Fixes whose edits overlap none chosen before them (the rest wait for the next pass)."""
    chosen: list[Fix] = []
    taken: list[tuple[int, int]] = []
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        ranges = [(e.start, e.end) for e in fix.edits]
        # Two edits at the same place conflict too: two insertions there have no order.
        if any((s < te and ts < e) or s == ts for s, e in ranges for ts, te in taken):
            continue
        chosen.append(fix)
        taken += ranges
    return chosen


def _keys(result: FileResult) -> Counter[tuple[str, str]]:
    return Counter((d.code, d.message) for d in result.diagnostics)


def _adds_findings(
    path: str, before: bytes, after: bytes, settings: Settings, view: ExternalView | None
) -> bool:
    """Would ``after`` have a finding ``before`` lacks, counting every rule, selected or not?

    A fix judged only by the selected rules could still write, say, a deferral that the
    same path clears again (an RT002 finding).
    """
    every = replace(settings, rules=all_rules(), edits=False, per_file_ignores=())
    if set(every.rules) == set(settings.rules):
        return False  # already counted
    grown = _keys(check_source(path, after, every, view=view)) - _keys(
        check_source(path, before, every, view=view)
    )
    return bool(grown)


def fix_source(
    path: str,
    source: bytes,
    settings: Settings,
    unsafe: bool = False,
    view: ExternalView | None = None,
) -> FixResult:
    """Fix ``source`` in memory, as far as allowed fixes go (``view``: what the rest of
    the project says about the names it uses, as for checking)."""
    allowed = {Safety.SAFE, Safety.UNSAFE} if unsafe else {Safety.SAFE}
    outcome = FixResult(path, source, source)
    encoding = encoding_of(path, source)
    current = check_source(path, source, settings, view=view)
    outcome.remaining = current.diagnostics
    if current.error:
        outcome.error = current.error
        return outcome
    if not current.parsed:
        outcome.notes.append("not fixed: the file does not parse")
        return outcome
    for _ in range(MAX_PASSES):
        fixes = [d.fix for d in current.diagnostics if d.fix and d.fix.safety in allowed]
        chosen = _choose(fixes)
        if not chosen:
            break
        candidate = apply_edits(outcome.fixed, [e for f in chosen for e in f.edits], encoding)
        result = check_source(path, candidate, settings, view=view)
        if result.error or not result.parsed:
            outcome.notes.append("fixes left out: they would make the file fail to parse")
            break
        grew = _keys(result) - _keys(current)
        if grew or len(result.diagnostics) >= len(current.diagnostics):
            outcome.notes.append("fixes left out: they would not resolve their findings")
            break
        if _adds_findings(path, outcome.fixed, candidate, settings, view):
            outcome.notes.append("fixes left out: they would add findings of other rules")
            break
        outcome.fixed, current = candidate, result
        outcome.applied += len(chosen)
    else:
        if any(d.fix and d.fix.safety in allowed for d in current.diagnostics):
            outcome.notes.append(f"fixes did not converge after {MAX_PASSES} passes")
    outcome.remaining = current.diagnostics
    return outcome


def fix_file(
    path: Path,
    settings: Settings,
    unsafe: bool = False,
    plan: RunPlan | None = None,
    joining: bool = False,
) -> FixResult:
    """Read and fix one file in memory (with its view of the run ``plan`` describes;
    ``joining``: the prefilter skips it, see :func:`~rtlint.engine.plan_files`)."""
    source = read_source(path)
    if isinstance(source, str):
        return FixResult(str(path), b"", b"", error=source)
    view = view_for(plan, str(path), source, settings.vocab, joining)[0] if plan else None
    return fix_source(str(path), source, settings, unsafe, view)


def fix_files(
    paths: list[Path] | tuple[Path, ...], settings: Settings, unsafe: bool, jobs: int | None = None
) -> list[FixResult]:
    """Fix many files in memory (nothing is written), each with its view of the project.
    Files the prefilter skips get a view only when they join the run
    (:func:`~rtlint.engine.plan_files`)."""
    plan, viewed, joining = plan_files(paths, settings)
    work = [(p, plan if str(p) in viewed else None, str(p) in joining) for p in paths]
    return in_parallel(functools.partial(_fix_item, settings=settings, unsafe=unsafe), work, jobs)


def _fix_item(
    item: tuple[Path, RunPlan | None, bool], settings: Settings, unsafe: bool
) -> FixResult:
    return fix_file(item[0], settings, unsafe, item[1], item[2])


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` via a temporary file in the same directory; keep its mode,
    and its owner and group where the process may set them."""
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    # The mode bits are honoured even for root, who could replace a read-only file.
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".rtlint", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            try:
                os.chown(tmp, info.st_uid, info.st_gid)
            except PermissionError:  # not ours to give away; the group may still be ours
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, -1, info.st_gid)
        os.chmod(tmp, mode)  # after chown, which may clear set-id bits
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def unified_diff(result: FixResult) -> str:
    """The change ``--fix`` would make, as a unified diff."""
    encoding = encoding_of(result.path, result.original)
    before = result.original.decode(encoding, errors="replace").splitlines(keepends=True)
    after = result.fixed.decode(encoding, errors="replace").splitlines(keepends=True)
    return "".join(
        difflib.unified_diff(before, after, fromfile=f"a/{result.path}", tofile=f"b/{result.path}")
    )
