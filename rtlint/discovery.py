"""Which files to check: walk the given paths, honour include/exclude globs and .gitignore."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

import pathspec
from pathspec.util import normalize_file

from rtlint import timings
from rtlint.frontends import SUFFIXES

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "build", "dist",
    "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages",
    ".eggs", ".next", ".turbo", "coverage", "*.min.*js", "*.bundle.*js", "*.chunk.*js",
)  # fmt: skip
"""Skipped when walking directories unless ``exclude`` is configured (``extend-exclude`` adds):
tool and build directories, and minified or bundled scripts (``app.min.js``)."""

DEFAULT_INCLUDE = tuple(f"*{suffix}" for suffix in sorted(SUFFIXES))
"""Files checked when walking directories."""


@lru_cache(maxsize=256)
def spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    """Compiled gitignore-style globs (a pattern without ``/`` matches at any depth)."""
    return pathspec.GitIgnoreSpec.from_lines(patterns)


_PLAIN = re.compile(r"[\w.-]*\w[\w.-]*")
"""A glob that is a plain name: it matches a path that has a component of that name."""


@lru_cache(maxsize=256)
def matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """``spec(patterns).match_file`` for relative paths, faster when no pattern negates (then
    any match includes): plain names (``node_modules``) and ``*.ext`` are compared with the
    path's components, the other patterns are joined into one regular expression."""
    compiled = spec(patterns)
    if any(p.include is False or not isinstance(p.regex, re.Pattern) for p in compiled.patterns):
        return compiled.match_file
    lines = [line for line in patterns if line.strip() and not line.startswith("#")]
    names = frozenset(line for line in lines if _PLAIN.fullmatch(line))
    endings = tuple(line[1:] for line in lines if line[:1] == "*" and _PLAIN.fullmatch(line[1:]))
    others = [
        line
        for line in lines
        if line not in names and not (line[:1] == "*" and line[1:] in endings)
    ]
    regexes = [cast("re.Pattern[str]", p.regex).pattern for p in spec(tuple(others)).patterns]
    rest = (
        re.compile("|".join(f"(?:{r.replace('(?P<ps_d>', '(?:')})" for r in regexes)).search
        if regexes
        else None
    )

    def match(rel: str) -> bool:
        rel = normalize_file(rel)
        parts = rel.split("/")
        if not names.isdisjoint(parts) or (endings and any(p.endswith(endings) for p in parts)):
            return True
        return rest is not None and rest(rel) is not None

    return match


@dataclass(frozen=True)
class Filter:
    """Include and exclude globs, each set anchored to its own directory."""

    include: tuple[Path, tuple[str, ...]] = (Path("."), DEFAULT_INCLUDE)
    excludes: tuple[tuple[Path, tuple[str, ...]], ...] = ((Path("."), DEFAULT_EXCLUDE),)

    def excluded(self, path: str | Path, is_dir: bool = False) -> bool:
        return any(matcher(p)(_relative(path, base, is_dir)) for base, p in self.excludes)

    def included(self, path: str | Path) -> bool:
        base, patterns = self.include
        suffix = os.path.splitext(path)[1].lower()
        return suffix in SUFFIXES and matcher(patterns)(_relative(path, base))


def _relative(path: str | Path, base: Path, is_dir: bool = False) -> str:
    head, name = os.path.split(path)
    if name in ("", ".", ".."):
        rel = _relative_path(str(path), base)
    else:  # one computation per directory: walks ask about every entry of one in turn
        rel = _relative_path(head, base)
        rel = f"{rel}/{name}" if rel not in ("", ".") else name
    return rel + "/" if is_dir else rel


@lru_cache(maxsize=1024)
def _relative_path(path: str, base: Path) -> str:
    absolute, prefix = os.path.abspath(path), os.path.join(base, "")
    inside = absolute.startswith(prefix)
    return (absolute[len(prefix) :] if inside else os.path.relpath(absolute, base)).replace(
        os.sep, "/"
    )


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(path, message) for paths that do not exist or cannot be read."""
    directories: list[Path] = field(default_factory=list)
    """The directories walked (whose entries decided what is checked)."""


def _gitignore(directory: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines.splitlines())


def _is_venv(directory: str) -> bool:
    # False, not an error, in a directory that cannot be searched: the walk names it.
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def discover(
    paths: Iterable[str],
    filter_for: Callable[[Path], Filter] = lambda _: Filter(),
    force_exclude: bool = False,
) -> Discovery:
    """Files to check under ``paths``; ``filter_for(directory)`` gives the globs for its entries.

    Files named explicitly are always checked (whatever ``include`` says) unless
    ``force_exclude`` and an exclude glob matches them.
    """
    with timings.stage("discover"):
        return _discover(paths, filter_for, force_exclude)


def _discover(
    paths: Iterable[str], filter_for: Callable[[Path], Filter], force_exclude: bool
) -> Discovery:
    result = Discovery()
    seen: set[str] = set()  # strings: hashing paths costs more
    for raw in paths:
        path = Path(raw)
        try:
            path.stat()
        except FileNotFoundError:
            exists = os.path.lexists(path)
            result.errors.append(
                (raw, "dangling symlink" if exists else "no such file or directory")
            )
            continue
        except OSError as exc:
            result.errors.append((raw, exc.strerror or str(exc)))
            continue
        if path.is_file():
            if force_exclude and filter_for(path.parent).excluded(path):
                continue
            if path.suffix.lower() in SUFFIXES and str(path) not in seen:
                seen.add(str(path))
                result.files.append(path)
            continue
        if not path.is_dir():
            result.errors.append((raw, "not a regular file or directory"))
            continue
        if force_exclude and filter_for(path).excluded(path, is_dir=True):
            continue
        for found in _walk(path, filter_for, result):
            if str(found) not in seen:
                seen.add(str(found))
                result.files.append(found)
    return result


def _walk(root: Path, filter_for: Callable[[Path], Filter], result: Discovery) -> Iterator[Path]:
    """Files under ``root``. A root that the excludes cover (``rtlint check dist``) was named on
    purpose: below it, excludes apply relative to it, so only what they say inside it is skipped."""
    named_on_purpose = filter_for(root).excluded(root, is_dir=True)
    ignores: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        while ignores and not directory.is_relative_to(ignores[-1][0]):
            ignores.pop()
        gitignore = _gitignore(directory)
        if gitignore is not None:
            ignores.append((directory, gitignore))
        result.directories.append(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            result.errors.append((str(directory), exc.strerror or str(exc)))
            continue
        globs = filter_for(directory)
        if named_on_purpose:
            globs = Filter(globs.include, tuple((root, p) for _, p in globs.excludes))
        subdirs: list[Path] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()
            except OSError:
                continue
            if (ignores and _ignored(Path(entry.path), is_dir, ignores)) or globs.excluded(
                entry.path, is_dir
            ):
                continue
            if is_dir:
                if not _is_venv(entry.path):
                    subdirs.append(Path(entry.path))
            elif is_file and globs.included(entry.path):
                yield Path(entry.path)
        stack.extend(reversed(subdirs))


def _ignored(path: Path, is_dir: bool, ignores: list[tuple[Path, pathspec.GitIgnoreSpec]]) -> bool:
    for base, gitignore in ignores:
        rel = path.relative_to(base).as_posix()
        if gitignore.match_file(rel + "/" if is_dir else rel):
            return True
    return False
