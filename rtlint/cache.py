"""A result cache keyed on content: the file's bytes, its path, the settings, rtlint's own
code and the summaries of other files that the file uses.

Content keys (not modification times) keep the cache valid in CI, where every checkout
resets mtimes. Entries are written atomically, so parallel workers never read a torn
file; anything unreadable is treated as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import fields
from functools import cache
from pathlib import Path

from rtlint.analysis.summaries import ExternalView
from rtlint.engine import FileResult, Settings

DIRECTORY = ".rtlint_cache"


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


def key(path: str, source: bytes, settings: Settings, view: ExternalView | None = None) -> str:
    """The entry of a file: also keyed on the summaries of other files it uses, so editing
    a helper elsewhere re-checks its callers."""
    digest = hashlib.sha256()
    used = view.digest() if view else ""
    for part in (code_fingerprint(), settings_key(settings), path, os.path.abspath(path), used):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(source)
    return digest.hexdigest()


def _entry(directory: str, digest: str) -> Path:
    return Path(directory) / digest[:2] / f"{digest[2:]}.pickle"


def load(directory: str, digest: str) -> FileResult | None:
    try:
        with _entry(directory, digest).open("rb") as handle:
            result = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return result if isinstance(result, FileResult) else None


def store(directory: str, digest: str, result: FileResult) -> None:
    """Save ``result``; a cache that cannot be written is simply not used."""
    entry = _entry(directory, digest)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        ignore = Path(directory) / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by rtlint.\n*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except OSError:
        return
