"""Rule discovery: every module of the ``rtlint.rules`` package defines one rule class."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from rtlint.rule import Rule


@cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    import rtlint.rules as package  # type: ignore[import-not-found]  # mapped from ./rules

    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Rule)
            and value is not Rule
            and value.__module__ == module.__name__
        ]
    return tuple(sorted(found, key=lambda r: r.code))


def by_selector(selector: str) -> list[type[Rule]]:
    """Rules matching a code (``RT001``), a code prefix (``RT``) or a name."""
    sel = selector.strip()
    return [r for r in all_rules() if r.code.startswith(sel.upper()) or r.name == sel.lower()]
