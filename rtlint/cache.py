"""A result cache keyed on content: the file's bytes, its path, the settings and rtlint's own
code. A result that took summaries from other files (:mod:`rtlint.analysis.project_index`)
lists them with their content digests, and is used only while they are unchanged.

Content keys (not modification times) keep the cache valid in CI, where every checkout
resets mtimes. Entries are written atomically, so parallel workers never read a torn
file; anything unreadable is treated as a miss.

The cache lives at the project root (:func:`directory`), not wherever rtlint
runs. It is bounded: :func:`prune` (at most once a day) drops entries unused for
:data:`MAX_AGE_DAYS` and then the least recently used ones beyond :data:`MAX_BYTES`.
``rtlint clean`` removes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import TypeVar

from rtlint import replay
from rtlint.analysis.project_index import unchanged
from rtlint.engine import FileResult, Settings

T = TypeVar("T")

DIRECTORY = replay.CACHE_DIRECTORY
MARKER = "# Created by rtlint.\n"
"""The first line of the ``.gitignore`` in every cache directory: what ``clean`` may delete."""
MAX_AGE_DAYS = 30
MAX_BYTES = 256 * 2**20
PRUNE_EVERY = 24 * 3600
"""Seconds between two prunes of the same cache."""


def project_root(start: Path) -> Path:
    """The nearest directory from ``start`` upwards with a configuration file or ``.git``;
    ``start`` itself when there is none."""
    return Path(replay.project_root(str(start)))


def directory(given: str | Path | None) -> str:
    """The cache ``check`` writes and ``clean`` removes: ``--cache-dir``, else
    ``RTLINT_CACHE_DIR``, else the project root's (from the working directory)."""
    return replay.cache_directory(str(given) if given else None)


@cache
def code_fingerprint() -> str:
    """A digest of rtlint's own source: any change to the checker invalidates old entries."""
    import rtlint
    import rtlint.rules as rules  # type: ignore[import-not-found]  # mapped from ./rules

    digest = hashlib.sha256()
    for package in (Path(rtlint.__file__).parent, Path(rules.__file__).parent):
        for path in sorted(package.rglob("*.py")):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def settings_key(settings: Settings) -> str:
    """A stable text form of the settings (sets sorted, so no hash-seed dependence)."""
    vocab = {f.name: sorted(getattr(settings.vocab, f.name)) for f in fields(settings.vocab)}
    return json.dumps(
        {
            "rules": [r.code for r in settings.rules],
            "vocab": vocab,
            "per_file_ignores": [(g, sorted(c)) for g, c in settings.per_file_ignores],
            "root": settings.root,
            "edits": settings.edits,
        },
        default=str,
        sort_keys=True,
    )


def key(path: str, source: bytes, settings: Settings, run: str = "") -> str:
    """The entry of a file; ``run``: what else about the run its result depends on
    (:attr:`rtlint.analysis.project_index.RunPlan.fingerprint`)."""
    digest = hashlib.sha256()
    for part in (code_fingerprint(), settings_key(settings), path, os.path.abspath(path), run):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(source)
    return digest.hexdigest()


def plan_key(settings: Settings, files: list[tuple[str, str]], analysed: int) -> str:
    """The entry of a run's plan: it depends on every file of the run (its path and the
    digest of its content; the first ``analysed`` the prefilter let through), the settings
    and rtlint's code."""
    digest = hashlib.sha256(b"plan\0")
    for part in (code_fingerprint(), settings_key(settings), str(analysed)):
        digest.update(part.encode() + b"\0")
    for path, content in files:
        digest.update(f"{os.path.abspath(path)}\0{content}\0".encode())
    return digest.hexdigest()


def _entry(directory: str, digest: str) -> Path:
    return Path(directory) / digest[:2] / f"{digest[2:]}.pickle"


def load(
    directory: str, digest: str, known: Callable[[str], str | None] = lambda _: None
) -> FileResult | None:
    """The result stored under ``digest``, unless a file its view was made from changed
    (``known``: the digests of files known unchanged, see :func:`unchanged`)."""
    result = load_entry(directory, digest, FileResult)
    if result is None or not unchanged(result.uses, known):
        return None  # a helper in another file was edited: check its callers again
    return result


def load_entry(directory: str, digest: str, kind: type[T]) -> T | None:
    """The entry ``digest`` if it holds a ``kind``; None for anything else or unreadable."""
    entry = _entry(directory, digest)
    try:
        with entry.open("rb") as handle:
            found = pickle.load(handle)
        os.utime(entry)  # recently used: pruned last
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return found if isinstance(found, kind) else None


def store(directory: str, digest: str, result: object) -> None:
    """Save ``result`` (a :class:`FileResult`, or a run's plan); a cache that cannot be
    written is simply not used."""
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    store_bytes(directory, _entry(directory, digest).relative_to(directory), data)


def store_bytes(directory: str, name: str | Path, data: bytes) -> None:
    """Write ``data`` to ``name`` in the cache atomically (making the cache, with its
    marker, first); a cache that cannot be written is simply not used."""
    entry = Path(directory) / name
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        ignore = Path(directory) / ".gitignore"
        if not ignore.exists():
            ignore.write_text(f"{MARKER}*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, entry)
    except OSError:
        return


def is_cache(directory: Path) -> bool:
    """Whether ``directory`` is a cache rtlint created (its ``.gitignore`` says so)."""
    try:
        return (directory / ".gitignore").read_text(encoding="utf-8").startswith(MARKER)
    except OSError:
        return False


def prune(
    directory: str,
    max_age_days: float = MAX_AGE_DAYS,
    max_bytes: int = MAX_BYTES,
    every: float = PRUNE_EVERY,
) -> int:
    """Delete entries unused for ``max_age_days``, then the least recently used ones until
    the rest fit in ``max_bytes``; at most once per ``every`` seconds. The number deleted."""
    root = Path(directory)
    stamp = root / ".pruned"
    now = time.time()
    try:
        if now - stamp.stat().st_mtime < every:
            return 0
    except OSError:
        pass
    if not is_cache(root):
        return 0
    entries: list[tuple[float, int, Path]] = []
    for path in [*root.glob("*/*.pickle"), *root.glob(f"{replay.RUNS}/*")]:
        try:
            info = path.stat()
        except OSError:
            continue
        entries.append((info.st_mtime, info.st_size, path))
    entries.sort(reverse=True)  # most recently used first
    kept, deleted = 0, 0
    for used, size, path in entries:
        if now - used > max_age_days * 86400 or kept + size > max_bytes:
            path.unlink(missing_ok=True)
            deleted += 1
        else:
            kept += size
    with contextlib.suppress(OSError):
        stamp.touch()
    return deleted


def clean(directory: Path) -> bool:
    """Remove the cache ``directory``; False when it is not one rtlint created."""
    if not is_cache(directory):
        return False
    shutil.rmtree(directory, ignore_errors=True)
    return True
