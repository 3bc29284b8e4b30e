"""Frontends lower source files into the IR (:mod:`rtlint.ir`)."""

from __future__ import annotations

import ast
from pathlib import PurePath

from rtlint.ir import Module

PYTHON_SUFFIXES = frozenset({".py", ".pyi"})
TYPESCRIPT_SUFFIXES = frozenset({".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"})
TSX_SUFFIXES = frozenset({".tsx", ".jsx"})
SUFFIXES = PYTHON_SUFFIXES | TYPESCRIPT_SUFFIXES | TSX_SUFFIXES


DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts")
"""TypeScript declaration files: types only, no code that runs (nothing in one can send)."""


class ParseError(Exception):
    """The source does not parse. ``line``/``column`` are 1-based.

    ``partial`` is the module lowered from the parts that do parse, when the frontend
    can tell them apart (TypeScript): it is analysed too."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.partial: Module | None = None


def lower(path: str, source: bytes, tree: ast.Module | None = None) -> Module:
    """Lower ``source`` with the frontend its file suffix selects (a Python file's ``tree``
    when it was parsed already)."""
    suffix = PurePath(path).suffix.lower()
    if suffix in PYTHON_SUFFIXES:
        from rtlint.frontends import python

        return python.lower(path, source, tree)
    if suffix in TYPESCRIPT_SUFFIXES or suffix in TSX_SUFFIXES:
        from rtlint.frontends import typescript

        return typescript.lower(path, source, tsx=suffix in TSX_SUFFIXES)
    raise ValueError(f"no frontend for {path}")
