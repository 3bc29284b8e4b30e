"""Rule selection: ``select`` / ``extend-select`` / ``ignore`` by code, prefix or name.

Preview rules (:attr:`Rule.preview`) run only when preview is on (``--preview``,
``preview = true``) or when a selector names them exactly (code or name), as in ruff.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rtlint.registry import all_rules, by_selector
from rtlint.rule import Rule


@dataclass(frozen=True)
class Selection:
    """One layer of selection: a configuration file or the command line."""

    select: tuple[str, ...] | None = None
    """Replaces what earlier layers chose (None: keep it)."""
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    preview: bool | None = None
    """Turn preview rules on or off (None: keep what earlier layers chose)."""


def select_rules(*layers: Selection) -> tuple[type[Rule], ...]:
    """All rules, then each layer in order: ``select`` replaces, ``extend-select`` adds,
    ``ignore`` removes. Preview rules need preview on, or a selector naming them exactly."""
    chosen = set(all_rules())
    preview = False
    named: set[type[Rule]] = set()
    for layer in layers:
        if layer.preview is not None:
            preview = layer.preview
        if layer.select is not None:
            chosen = matching(layer.select)
        chosen = (chosen | matching(layer.extend_select)) - matching(layer.ignore)
        named |= exactly((*(layer.select or ()), *layer.extend_select))
    return tuple(r for r in all_rules() if r in chosen and (preview or not r.preview or r in named))


def exactly(selectors: Iterable[str]) -> set[type[Rule]]:
    """The rules a selector names by full code or name (not by prefix)."""
    wanted = {s.strip().upper() for s in selectors} | {s.strip().lower() for s in selectors}
    return {r for r in all_rules() if r.code in wanted or r.name in wanted}


def matching(selectors: Iterable[str]) -> set[type[Rule]]:
    """Every rule that one of ``selectors`` names."""
    return {rule for s in selectors for rule in by_selector(s)}


def unknown(selectors: Iterable[str]) -> list[str]:
    """The selectors that name no rule."""
    return [s for s in selectors if not by_selector(s)]


def split(values: Iterable[str]) -> tuple[str, ...]:
    """Command-line values, each possibly a comma-separated list."""
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())
