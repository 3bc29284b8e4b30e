"""Unchanged tree, unchanged answer: ``rtlint check`` replays its last output.

The ``rtlint`` command starts here, before anything heavy is imported. A ``check`` run that
reads no standard input and writes no file records what it printed, its exit code and the
status (``os.stat``: size, modification and change times, inode) of everything its answer
depends on: the files it checked, the directories it walked (a file added or removed changes
their times), the configuration and ignore files it could have read, the paths named on the
command line and rtlint's own code. The next identical command (same arguments, working
directory, environment and terminal) replays that output when every status is the same, in
the time a directory walk takes; anything else runs the check.

A record is not written when a file changed while it was being checked, or was changed
within :data:`RACY_SECONDS` before the run began (a later edit in the same tick of the
clock would leave its times unchanged). A change time cannot be set back by tools that
preserve modification times, so copying old content over a file still counts as a change.
The records live in the result cache (``runs/``); ``--no-cache`` neither reads nor writes
one, and ``rtlint clean`` removes them with the rest.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
import site
import sys
import time
from collections.abc import Iterable, Sequence

RUNS = "runs"
"""The records' directory in the cache."""
RACY_SECONDS = 2.0
"""A file changed this recently when a run starts may change again unseen: no record."""
CONFIG_FILES = (".rtlint.toml", "rtlint.toml", "pyproject.toml")
"""Configuration files, looked for in this order in each directory from a checked file up
(:mod:`rtlint.config` reads them; they are named here, where nothing heavy is loaded)."""
CACHE_DIRECTORY = ".rtlint_cache"
"""The cache's name at the project root (:mod:`rtlint.cache`)."""
ROOT_MARKERS = (".git", *CONFIG_FILES)
"""A directory holding one of these is a project root (where the cache lives)."""
ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM", "COLUMNS", "CI")
"""Environment variables that can change what a run prints (and every ``RTLINT_*`` one)."""
_NEVER = frozenset(
    {
        "--fix", "--diff", "--stdin-filename", "--no-cache", "--write-baseline",
        "--output-file", "--timings", "--help", "-h", "--version", "-",
    }
)  # fmt: skip
"""Options of a run that reads standard input, writes files or prints timings: never replayed."""

Status = tuple[int, int, int, int] | None


def main() -> None:
    """The ``rtlint`` command: a replay when one is valid, else the command line itself."""
    try:
        found = _record_path(sys.argv[1:])
    except OSError:  # no working directory, say: the command line says what is wrong
        found = None
    if found is not None:
        code = _replay(os.path.join(*found))
        if code is not None:
            sys.exit(code)
        global _recorder
        _recorder = _Recorder(*found)
    from rtlint.cli import main as cli

    # What is loaded so far lives as long as the process: keep it out of collections, and
    # collect young objects less often (a run allocates many objects and few cycles).
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        cli()
    finally:
        if _recorder is not None:
            _recorder.close()


def watch(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Make ``paths`` part of what the run's answer depends on (no-op unless recording)."""
    if _recorder is not None:
        _recorder.paths.update(os.fspath(p) for p in paths)


def watch_directories(directories: Iterable[str | os.PathLike[str]]) -> None:
    """Directories walked: they, and the ignore and configuration files in them, count."""
    if _recorder is not None:
        for directory in (os.fspath(d) for d in directories):
            if os.path.basename(directory) == CACHE_DIRECTORY:
                continue  # rtlint writes there; it holds nothing to check
            _recorder.paths.add(directory)
            _recorder.paths.update(
                os.path.join(directory, n) for n in (".gitignore", *CONFIG_FILES)
            )


def snapshot() -> None:
    """Take the statuses of what is watched so far, before the files are read."""
    if _recorder is not None:
        _recorder.snapshot()


def cache_directory(given: str | None) -> str:
    """The result cache (its records of runs too): ``--cache-dir`` (``given``), else
    ``RTLINT_CACHE_DIR``, else ``.rtlint_cache`` at the project root (from the working
    directory)."""
    return (
        given
        or os.environ.get("RTLINT_CACHE_DIR")
        or os.path.join(project_root(os.getcwd()), CACHE_DIRECTORY)
    )


def project_root(start: str) -> str:
    """The nearest directory from ``start`` upwards with a configuration file or ``.git``;
    ``start`` itself (made absolute) when there is none."""
    start = os.path.abspath(start)
    directory = start
    while True:
        if any(os.path.lexists(os.path.join(directory, m)) for m in ROOT_MARKERS):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


# --------------------------------------------------------------------------- the record


class _Recorder:
    def __init__(self, cache_dir: str, name: str) -> None:
        self.cache_dir, self.name = cache_dir, name
        self.started = time.time()
        self.paths: set[str] = set()
        self.before: dict[str, Status] = {}
        self.out: list[str] = []
        self.err: list[str] = []
        self.streams = sys.stdout, sys.stderr
        sys.stdout = _Tee(sys.stdout, self.out)
        sys.stderr = _Tee(sys.stderr, self.err)

    def snapshot(self) -> None:
        """The statuses before the files are read (a change during the run shows later)."""
        self.before = {p: _status(p) for p in self.paths}

    def close(self) -> None:
        out, err = self.out, self.err
        sys.stdout, sys.stderr = self.streams
        code = _exit_code(sys.exc_info()[1])
        if code is None or not self.before:
            return
        self.paths |= _fixed_paths()
        statuses = {p: _status(p) for p in sorted(self.paths)}
        limit = (self.started - RACY_SECONDS) * 1e9
        if any(self.before.get(p, s) != s for p, s in statuses.items()) or any(
            s is not None and max(s[0], s[1]) >= limit for s in statuses.values()
        ):
            return  # changed during the run, or too recently to tell a later change
        # The most recently changed first: the next edit is likeliest there, and a replay
        # stops at the first status that differs.
        order = sorted(statuses.items(), key=lambda item: -_changed_at(item[1]))
        data = marshal.dumps((order, "".join(out), "".join(err), code))
        from rtlint import cache  # loaded by the run already

        cache.store_bytes(self.cache_dir, self.name, data)


class _Tee:
    """A text stream that also keeps what is written to it."""

    def __init__(self, stream: object, kept: list[str]) -> None:
        self.stream = stream
        self.kept = kept

    def write(self, text: str) -> int:
        if isinstance(text, str):
            self.kept.append(text)
        return self.stream.write(text)  # type: ignore[attr-defined, no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self.stream, name)


def _replay(record: str) -> int | None:
    try:
        with open(record, "rb") as file:
            statuses, out, err, code = marshal.load(file)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(statuses, list) or any(_status(p) != s for p, s in statuses):
        return None
    with contextlib.suppress(OSError):
        os.utime(record)  # recently used: pruned last
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
        sys.stderr.write(err)
    except BrokenPipeError:  # `rtlint check | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return int(code)


def _record_path(args: Sequence[str]) -> tuple[str, str] | None:
    """The cache and the name in it of this command line's record; None for a command that
    is never replayed (another sub-command, standard input, fixes, files written)."""
    if not args or args[0] != "check":
        return None
    if any(a.split("=", 1)[0] in _NEVER for a in args):
        return None
    given = None
    for i, arg in enumerate(args):
        if arg == "--cache-dir" and i + 1 < len(args):
            given = args[i + 1]
        elif arg.startswith("--cache-dir="):
            given = arg.split("=", 1)[1]
    digest = hashlib.sha256()
    environment = sorted(
        (k, v) for k, v in os.environ.items() if k.startswith("RTLINT_") or k in ENVIRONMENT
    )
    for part in (
        args, os.getcwd(), environment, sys.executable, sys.version,
        sys.stdout.isatty(), sys.stderr.isatty(),
    ):  # fmt: skip
        digest.update(repr(part).encode() + b"\0")
    return os.path.abspath(cache_directory(given)), os.path.join(RUNS, digest.hexdigest()[:32])


def _fixed_paths() -> set[str]:
    """rtlint's own code and the installed packages, the paths on the command line and the
    configuration files from the working directory and from each of those paths up (their
    statuses count in every record)."""
    here = os.path.dirname(os.path.abspath(__file__))
    rules = os.path.join(os.path.dirname(here), "rules")
    found = {here, rules, *site.getsitepackages()}  # a package installed or removed there
    for package in (here, rules):
        for directory, subdirectories, files in os.walk(package):
            subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
            found.add(directory)
            found.update(os.path.join(directory, f) for f in files)  # data tables too
    named = [os.path.abspath(a) for a in _named_paths(sys.argv[2:])]
    found.update(named)
    # The configuration of a checked file is looked for from its directory upwards.
    seen: set[str] = set()
    for start in (os.getcwd(), *(os.path.dirname(p) for p in named)):
        directory = start
        while directory not in seen:
            seen.add(directory)
            found.update(os.path.join(directory, m) for m in ROOT_MARKERS)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    return found


def _named_paths(args: Sequence[str]) -> list[str]:
    """The paths on a ``check`` command line (and ``--config``'s file), not option values
    such as the cache directory, which rtlint itself writes to."""
    found = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _TAKES_VALUE:
            skip = True
        elif arg.startswith("--config="):
            found.append(arg.split("=", 1)[1])
        elif not arg.startswith("-"):
            found.append(arg)  # a path, or the file after --config
    return found


_TAKES_VALUE = frozenset(
    {
        "--output-format", "--select", "--extend-select", "--ignore", "--exclude", "--color",
        "--cache-dir", "--jobs", "-j", "--baseline",
    }
)  # fmt: skip
"""Options whose value is not a path the answer depends on (``--baseline``'s file is
watched where it is read; ``--config``'s value is a path and is kept)."""


def _status(path: str) -> Status:
    try:
        st = os.stat(path)
    except OSError:
        return None
    if path.endswith(_PRESENCE_ONLY):
        return (0, 0, 0, 0)  # git writes in it all the time; only whether it is there counts
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


_PRESENCE_ONLY = (os.sep + ".git",)


def _changed_at(status: Status) -> int:
    """When the file last changed (its later time), 0 for a missing one."""
    return max(status[0], status[1]) if status is not None else 0


def _exit_code(error: BaseException | None) -> int | None:
    """The code a run ended with (``SystemExit``); None when it failed otherwise."""
    if isinstance(error, SystemExit):
        code = error.code
        return code if isinstance(code, int) else (0 if code is None else None)
    return None


_recorder: _Recorder | None = None
