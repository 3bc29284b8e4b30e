"""Check files: read, prefilter, lower, run the selected rules."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rtlint.analysis.summaries import ExternalView
from rtlint.diagnostics import Diagnostic
from rtlint.discovery import spec
from rtlint.frontends import ParseError, lower
from rtlint.ir import Span
from rtlint.rule import Context, Rule
from rtlint.source import LineIndex
from rtlint.suppressions import apply_suppressions
from rtlint.vocabulary import DEFAULT, Vocabulary

T = TypeVar("T")
Item = TypeVar("Item")
MAX_FILE_BYTES = 8 * 1024 * 1024
SYNTAX_ERROR = "E999"


@dataclass(frozen=True)
class Settings:
    """What a check run needs besides the paths (picklable for worker processes)."""

    rules: tuple[type[Rule], ...]
    vocab: Vocabulary = DEFAULT
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    """(gitignore-style glob relative to ``root``, rule codes it turns off)."""
    root: str = "."
    edits: bool = True
    """Build the edits of fixes (``--fix``, ``--diff``, JSON, SARIF); otherwise only say
    whether a fix is available, which is much cheaper."""
    cache_dir: str | None = None
    """Where results are cached by content (:mod:`rtlint.cache`); None: no cache."""

    def rules_for(self, path: str) -> tuple[type[Rule], ...]:
        """The selected rules minus those ``per_file_ignores`` turns off for ``path``."""
        if not self.per_file_ignores:
            return self.rules
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        off = {
            c
            for glob, codes in self.per_file_ignores
            if spec((glob,)).match_file(rel)
            for c in codes
        }
        return tuple(r for r in self.rules if r.code not in off)


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    """Why the file could not be checked (unreadable, undecodable, too large)."""
    skipped: bool = False
    """True when the prefilter showed there is nothing to check."""


def prefilter(source: bytes, vocab: Vocabulary) -> bool:
    """Cheap text test: can this file contain anything a rule looks at?"""
    if b"response.create" in source or b"response_create" in source:
        return True
    folded = source.lower().replace(b"_", b"")
    if b"responsecreate" in folded or b"createresponse" in folded:
        return True
    return any(name.encode() in folded for name in vocab.emitter_helpers)


def check_source(
    path: str, source: bytes, settings: Settings, view: ExternalView | None = None
) -> FileResult:
    """Check one file's bytes; inline suppressions are applied to the findings. ``view`` is
    what the rest of the project says about the names the file uses."""
    rules = settings.rules_for(path)
    result = _run_rules(path, source, rules, settings.vocab, settings.edits, view)
    parsed = result.error is None and not any(d.code == SYNTAX_ERROR for d in result.diagnostics)
    if parsed and b"rtlint" in source:  # no directive can exist without the word
        result.diagnostics = apply_suppressions(path, source, result.diagnostics, rules)
    return result


def _run_rules(
    path: str,
    source: bytes,
    rules: Sequence[type[Rule]],
    vocab: Vocabulary,
    edits: bool,
    view: ExternalView | None = None,
) -> FileResult:
    result = FileResult(path)
    if not prefilter(source, vocab) and not view:
        result.skipped = True
        return result
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not path.endswith((".py", ".pyi")):
            line = source.count(b"\n", 0, exc.start) + 1
            column = exc.start - source.rfind(b"\n", 0, exc.start)
            result.error = f"cannot decode as UTF-8 at line {line}, byte {column} of the line"
            return result
    try:
        module = lower(path, source)
    except ParseError as exc:
        offset = _offset(source, exc.line, exc.column)
        span = Span(offset, offset, exc.line, exc.column, exc.line, exc.column)
        result.diagnostics.append(Diagnostic(SYNTAX_ERROR, "syntax-error", exc.message, path, span))
        return result
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        result.error = f"cannot decode: {exc}"
        return result
    except RecursionError:
        result.error = "too deeply nested to analyse"
        return result
    ctx = Context(module, vocab, edits, view)
    try:
        for rule in rules:
            result.diagnostics.extend(rule().check(ctx))
    except RecursionError:
        result.diagnostics.clear()
        result.error = "too deeply nested to analyse"
    except Exception as exc:  # a bug in rtlint: name the file, keep checking the others
        result.diagnostics.clear()
        result.error = f"internal error ({type(exc).__name__}: {exc}); please report it"
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


def read_source(path: Path) -> bytes | str:
    """The file's bytes, or why they cannot be had (unreadable, too large)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return f"skipped: larger than {MAX_FILE_BYTES // 2**20} MiB"
        return path.read_bytes()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"


def check_file(path: Path, settings: Settings, view: ExternalView | None = None) -> FileResult:
    """Read and check one file; I/O problems become :attr:`FileResult.error`."""
    source = read_source(path)
    if isinstance(source, str):
        return FileResult(str(path), error=source)
    if settings.cache_dir is None or not (view or prefilter(source, settings.vocab)):
        return check_source(str(path), source, settings, view)  # a prefilter is cheaper
    from rtlint import cache

    digest = cache.key(str(path), source, settings, view)
    result = cache.load(settings.cache_dir, digest)
    if result is None:
        result = check_source(str(path), source, settings, view)
        cache.store(settings.cache_dir, digest, result)
    return result


def in_parallel(work: Callable[[Item], T], paths: Sequence[Item], jobs: int | None) -> list[T]:
    """``work`` on every path, in worker processes when there are enough to pay for them."""
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < 64:
        return [work(p) for p in paths]
    chunk = max(1, len(paths) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, paths, chunksize=chunk))


def check_files(
    paths: Sequence[Path], settings: Settings, jobs: int | None = None
) -> list[FileResult]:
    """Check many files, each with its view of the others (:mod:`.analysis.project_index`)."""
    from rtlint.analysis.project_index import views

    work = [(p, v) for p, v in zip(paths, views(paths, settings.vocab), strict=True)]
    return in_parallel(functools.partial(_check_item, settings=settings), work, jobs)


def _check_item(item: tuple[Path, ExternalView | None], settings: Settings) -> FileResult:
    return check_file(item[0], settings, item[1])


def _offset(source: bytes, line: int, column: int) -> int:
    """The byte offset of a parse error's position (the end of the file when past it)."""
    if line < 1 or line > source.count(b"\n") + 1:
        return len(source)
    return LineIndex(source).offset(line, max(column, 1))
