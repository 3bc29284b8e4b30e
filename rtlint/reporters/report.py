"""What every reporter renders: the findings of one run and where they came from."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rtlint.diagnostics import Diagnostic


@dataclass
class Report:
    diagnostics: Sequence[Diagnostic]
    """Sorted by path and position."""
    files_checked: int
    errors: Sequence[tuple[str, str]] = ()
    """(path, message) for paths that could not be checked."""
    sources: dict[str, bytes] = field(default_factory=dict)
    """Source bytes by path, read lazily (pre-filled for standard input)."""
    color: bool = False
    unsafe_fixes: bool = False
    """``--unsafe-fixes`` was given: unsafe fixes count as applicable."""

    def source(self, path: str) -> bytes:
        if path not in self.sources:
            try:
                self.sources[path] = Path(path).read_bytes()
            except OSError:
                self.sources[path] = b""
        return self.sources[path]

    def lines(self, path: str) -> list[str]:
        return self.source(path).decode("utf-8", errors="replace").splitlines()


def relative(path: str) -> str:
    """``path`` relative to the working directory when it is inside it, with ``/``."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, os.getcwd())
    return (absolute if rel.startswith("..") else rel).replace(os.sep, "/")
