"""Check files: read, prefilter, lower, run the selected rules."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from rtlint.diagnostics import Diagnostic
from rtlint.discovery import spec
from rtlint.frontends import ParseError, lower
from rtlint.ir import Span
from rtlint.rule import Context, Rule
from rtlint.suppressions import apply_suppressions
from rtlint.vocabulary import DEFAULT, Vocabulary, norm

MAX_FILE_BYTES = 8 * 1024 * 1024
SYNTAX_ERROR = "E999"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Settings:
    """What a check run needs besides the paths (picklable for worker processes)."""

    rules: tuple[type[Rule], ...]
    vocab: Vocabulary = DEFAULT
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    """(gitignore-style glob relative to ``root``, rule codes it turns off)."""
    root: str = "."

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


def check_source(path: str, source: bytes, settings: Settings) -> FileResult:
    """Check one file's bytes; inline suppressions are applied to the findings."""
    rules = settings.rules_for(path)
    result = _run_rules(path, source, rules, settings.vocab)
    parsed = result.error is None and not any(d.code == SYNTAX_ERROR for d in result.diagnostics)
    if parsed and b"rtlint" in source:  # no directive can exist without the word
        result.diagnostics = apply_suppressions(path, source, result.diagnostics, rules)
    return result


def _run_rules(
    path: str, source: bytes, rules: Sequence[type[Rule]], vocab: Vocabulary
) -> FileResult:
    result = FileResult(path)
    if not prefilter(source, vocab):
        result.skipped = True
        return result
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not path.endswith((".py", ".pyi")):
            result.error = f"cannot decode as UTF-8 (byte {exc.start})"
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
    ctx = Context(module, vocab)
    for rule in rules:
        result.diagnostics.extend(rule().check(ctx))
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


def check_file(path: Path, settings: Settings) -> FileResult:
    """Read and check one file; I/O problems become :attr:`FileResult.error`."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return FileResult(name, error=f"skipped: larger than {MAX_FILE_BYTES // 2**20} MiB")
        source = path.read_bytes()
    except OSError as exc:
        return FileResult(name, error=f"cannot read: {exc.strerror or exc}")
    return check_source(name, source, settings)


def check_files(
    paths: Sequence[Path], settings: Settings, jobs: int | None = None
) -> list[FileResult]:
    """Check many files, in worker processes when there are enough to pay for them."""
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < 64:
        return [check_file(p, settings) for p in paths]
    chunk = max(1, len(paths) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_check_one, ((p, settings) for p in paths), chunksize=chunk))


def _check_one(args: tuple[Path, Settings]) -> FileResult:
    return check_file(*args)


def _offset(source: bytes, line: int, column: int) -> int:
    from rtlint.source import LineIndex

    index = LineIndex(source)
    if line < 1 or line > len(source.splitlines()) + 1:
        return len(source)
    return index.offset(line, max(column, 1))


def known_names(values: Iterable[str]) -> frozenset[str]:
    return frozenset(norm(v) for v in values)
