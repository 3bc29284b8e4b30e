"""Which files to check: walk the given paths, honour include/exclude globs and .gitignore."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

import pathspec
from pathspec.util import normalize_file

from rtlint import timings
from rtlint.frontends import SUFFIXES
from rtlint.replay import CONFIG_FILES

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
        head, name = os.path.split(path)
        if name in ("", ".", ".."):
            return self.within(str(path)).excluded("", is_dir)
        return self.within(head).excluded(name, is_dir)

    def within(self, directory: str) -> Entries:
        """The globs applied to the entries of ``directory`` (one computation for them all)."""
        base, patterns = self.include
        return Entries(
            tuple((_relative_path(directory, b), matcher(p)) for b, p in self.excludes),
            (_relative_path(directory, base), matcher(patterns)),
        )


class Entries:
    """A :class:`Filter` for the entries of one directory, by name."""

    def __init__(
        self,
        excludes: tuple[tuple[str, Callable[[str], bool]], ...],
        include: tuple[str, Callable[[str], bool]],
    ) -> None:
        self._excludes = excludes
        self._include = include

    def excluded(self, name: str, is_dir: bool = False) -> bool:
        end = "/" if is_dir else ""
        return any(match(_joined(head, name) + end) for head, match in self._excludes)

    def included(self, name: str) -> bool:
        if os.path.splitext(name)[1].lower() not in SUFFIXES:
            return False
        head, match = self._include
        return match(_joined(head, name))


def _joined(head: str, name: str) -> str:
    """``name`` in the directory whose relative path is ``head``."""
    if not name:
        return head
    return name if head in ("", ".") else f"{head}/{name}"


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


def _gitignore(directory: str) -> pathspec.GitIgnoreSpec | None:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            lines = f.read()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines.splitlines())


def discover(
    paths: Iterable[str],
    filter_for: Callable[[Path], Filter] = lambda _: Filter(),
    force_exclude: bool = False,
) -> Discovery:
    """Files to check under ``paths``; ``filter_for(directory)`` gives the globs for its entries
    (asked in the directories that hold a configuration file; the others share their parent's).

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
    entries: dict[str, Entries] = {}  # the globs of each named file's directory
    for raw in paths:
        path = Path(raw)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            exists = os.path.lexists(path)
            result.errors.append(
                (raw, "dangling symlink" if exists else "no such file or directory")
            )
            continue
        except OSError as exc:
            result.errors.append((raw, exc.strerror or str(exc)))
            continue
        if stat.S_ISREG(mode):
            name = str(path)
            head, tail = os.path.split(name)
            if force_exclude:
                if head not in entries:
                    entries[head] = filter_for(Path(head)).within(head)
                if entries[head].excluded(tail):
                    continue
            if os.path.splitext(tail)[1].lower() in SUFFIXES and name not in seen:
                seen.add(name)
                result.files.append(path)
            continue
        if not stat.S_ISDIR(mode):
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
    purpose: below it, excludes apply relative to it, so only what they say inside it is skipped.
    A directory with a ``pyvenv.cfg`` (a virtual environment) is not entered."""
    outer = filter_for(root)
    named_on_purpose = outer.excluded(root, is_dir=True)
    ignores: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    stack = [(str(root), outer)]
    while stack:
        directory, globs = stack.pop()
        path = Path(directory)
        result.directories.append(path)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            result.errors.append((str(path), exc.strerror or str(exc)))
            continue
        if directory != str(root) and any(e.name == "pyvenv.cfg" for e in entries):
            continue
        while ignores and not _inside(directory, ignores[-1][0]):
            ignores.pop()
        if any(e.name == ".gitignore" for e in entries):
            gitignore = _gitignore(directory)
            if gitignore is not None:
                ignores.append((directory, gitignore))
        # A directory without a configuration file of its own shares its parent's.
        if directory == str(root) or any(e.name in CONFIG_FILES for e in entries):
            globs = filter_for(path)
        if named_on_purpose:
            globs = Filter(globs.include, tuple((root, p) for _, p in globs.excludes))
        here = globs.within(directory)
        subdirs: list[tuple[str, Filter]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if not is_dir and not (is_file and here.included(entry.name)):
                continue
            if (ignores and _ignored(entry.path, is_dir, ignores)) or here.excluded(
                entry.name, is_dir
            ):
                continue
            if is_dir:
                subdirs.append((entry.path, globs))
            else:
                yield Path(entry.path)
        stack.extend(reversed(subdirs))


def _inside(directory: str, ancestor: str) -> bool:
    return directory == ancestor or directory.startswith(os.path.join(ancestor, ""))


def _ignored(path: str, is_dir: bool, ignores: list[tuple[str, pathspec.GitIgnoreSpec]]) -> bool:
    for base, gitignore in ignores:
        rel = path[len(os.path.join(base, "")) :].replace(os.sep, "/")  # (joined to base)
        if gitignore.match_file(rel + "/" if is_dir else rel):
            return True
    return False
