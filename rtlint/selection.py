"""Rule selection: ``select`` / ``extend-select`` / ``ignore`` by code, prefix or name."""

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


def select_rules(*layers: Selection) -> tuple[type[Rule], ...]:
    """All rules, then each layer in order: ``select`` replaces, ``extend-select`` adds,
    ``ignore`` removes."""
    chosen = set(all_rules())
    for layer in layers:
        if layer.select is not None:
            chosen = matching(layer.select)
        chosen = (chosen | matching(layer.extend_select)) - matching(layer.ignore)
    return tuple(r for r in all_rules() if r in chosen)


def matching(selectors: Iterable[str]) -> set[type[Rule]]:
    """Every rule that one of ``selectors`` names."""
    return {rule for s in selectors for rule in by_selector(s)}


def unknown(selectors: Iterable[str]) -> list[str]:
    """The selectors that name no rule."""
    return [s for s in selectors if not by_selector(s)]


def split(values: Iterable[str]) -> tuple[str, ...]:
    """Command-line values, each possibly a comma-separated list."""
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())
