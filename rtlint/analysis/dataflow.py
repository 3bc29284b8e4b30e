"""A forward must-analysis over a CFG (meet = intersection), generic in its transfer."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from rtlint.analysis.cfg import CFG, Node, Test

Fact = frozenset[str]
EdgeGen = Callable[[Test, bool], Fact]
Transfer = Callable[[Node, Fact], Fact]


def solve(cfg: CFG, entry: Fact, edge_gen: EdgeGen, transfer: Transfer) -> list[Fact | None]:
    """The fact holding on entry to each node; None for nodes no path reaches.

    Facts start at "everything" (None) and only shrink, so the loop reaches the
    greatest fixed point: a fact holds at a node only if it holds along every path
    from the entry.
    """
    facts: list[Fact | None] = [None] * len(cfg.nodes)
    facts[cfg.entry] = entry
    work = deque([cfg.entry])
    queued = {cfg.entry}
    gen_cache: dict[tuple[int, int], Fact] = {}
    while work:
        n = work.popleft()
        queued.discard(n)
        fact = facts[n]
        assert fact is not None
        out = transfer(cfg.nodes[n], fact)
        for i, edge in enumerate(cfg.nodes[n].succs):
            contribution = out
            if edge.test is not None:
                key = (n, i)
                if key not in gen_cache:
                    gen_cache[key] = edge_gen(edge.test, edge.value)
                contribution = out | gen_cache[key]
            old = facts[edge.target]
            new = contribution if old is None else old & contribution
            if new != old:
                facts[edge.target] = new
                if edge.target not in queued:
                    queued.add(edge.target)
                    work.append(edge.target)
    return facts
