"""Which files to check: walk the given paths, honour excludes and .gitignore."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from rtlint.frontends import SUFFIXES

SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "build", "dist",
        "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages",
        ".eggs", ".next", ".turbo", "coverage",
    }
)  # fmt: skip


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(path, message) for paths that do not exist or cannot be read."""


def _excluded(path: Path, patterns: Iterable[str]) -> bool:
    text = path.as_posix()
    return any(
        fnmatch.fnmatch(text, p) or fnmatch.fnmatch(path.name, p) or fnmatch.fnmatch(text, f"*/{p}")
        for p in patterns
    )


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return pathspec.PathSpec.from_lines("gitwildmatch", lines.splitlines())


def _is_venv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def discover(
    paths: Iterable[str], exclude: Iterable[str] = (), force_exclude: bool = False
) -> Discovery:
    """Files to check under ``paths``; explicit files are always kept unless ``force_exclude``."""
    result = Discovery()
    patterns = tuple(exclude)
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(path):
            result.errors.append((raw, "no such file or directory"))
            continue
        if path.is_file():
            if force_exclude and _excluded(path, patterns):
                continue
            if path.suffix.lower() in SUFFIXES and path not in seen:
                seen.add(path)
                result.files.append(path)
            continue
        if not path.is_dir():
            result.errors.append((raw, "not a regular file or directory"))
            continue
        for found in _walk(path, patterns, result):
            if found not in seen:
                seen.add(found)
                result.files.append(found)
    return result


def _walk(root: Path, patterns: tuple[str, ...], result: Discovery) -> Iterator[Path]:
    ignores: list[tuple[Path, pathspec.PathSpec]] = []
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        directory, depth = stack.pop()
        while ignores and not directory.is_relative_to(ignores[-1][0]):
            ignores.pop()
        spec = _gitignore(directory)
        if spec is not None:
            ignores.append((directory, spec))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            result.errors.append((str(directory), exc.strerror or str(exc)))
            continue
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if _ignored(path, is_dir, ignores) or _excluded(path, patterns):
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or _is_venv(path):
                    continue
                subdirs.append(path)
            elif is_file and path.suffix.lower() in SUFFIXES:
                yield path
        stack.extend((d, depth + 1) for d in reversed(subdirs))


def _ignored(path: Path, is_dir: bool, ignores: list[tuple[Path, pathspec.PathSpec]]) -> bool:
    for base, spec in ignores:
        rel = path.relative_to(base).as_posix()
        if spec.match_file(rel + "/" if is_dir else rel):
            return True
    return False
