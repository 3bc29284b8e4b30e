"""Realise a fix plan in TypeScript/JavaScript source (placeholder until implemented)."""

from __future__ import annotations

from rtlint.diagnostics import Fix
from rtlint.fixes.plan import Plan


def build(source: bytes, plan: Plan) -> Fix | None:
    return None
