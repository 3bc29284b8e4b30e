"""Findings and fixes as data."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from rtlint.ir import Span


class Safety(enum.Enum):
    """How a fix may be applied (ruff's applicability levels)."""

    SAFE = "safe"
    """Keeps behaviour under the documented pattern: applied by ``--fix``."""
    UNSAFE = "unsafe"
    """Needs review: applied only with ``--unsafe-fixes``."""
    DISPLAY_ONLY = "display-only"
    """Shown as a suggestion, never applied."""


@dataclass(frozen=True)
class Edit:
    """Replace bytes ``[start, end)`` of the file with ``content``."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    safety: Safety
    title: str


@dataclass(frozen=True)
class Related:
    """A secondary location that explains a finding (where the event was built)."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    path: str
    span: Span
    fix_title: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = field(default_factory=tuple)
    url: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)
