"""Control-flow graphs built from the structured IR, one builder for both languages.

Each :class:`Node` holds straight-line effects; each :class:`Edge` may carry the
atomic test (with the value it has on that edge) that a guard classifier reads.
Short-circuit ``and``/``or``/``not`` become separate test nodes, so a condition
``a and not b`` yields edges on ``a`` and on ``b`` with the right polarities.

``finally`` bodies are lowered once per way of leaving the ``try`` (normal exit,
``return``, ``break``, ``continue``, exception), as precise CFG builders do, so
facts from an early ``return`` path never leak into the code after the ``try``.
Exceptions come only from what can raise: a node that calls or awaits, and
``raise``/``throw``, has an edge to the handlers (or to the exceptional ``finally``
copy). Entering a ``try`` raises nothing, so a guard inside it before any call
still guards the code after the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rtlint import ir

Test = ir.CAtom | ir.CCompare


@dataclass(unsafe_hash=True, slots=True)
class Edge:
    target: int
    test: Test | None = None
    value: bool = True
    """The value ``test`` has when control takes this edge."""


@dataclass
class Node:
    id: int
    effects: list[ir.Effect] = field(default_factory=list)
    succs: list[Edge] = field(default_factory=list)
    preds: list[int] = field(default_factory=list)


@dataclass
class CFG:
    nodes: list[Node]
    entry: int
    exit: int
    """Normal and exceptional exits both lead here."""


# A dangling edge: (source node, test on the edge, value of the test).
Dangling = tuple[int, Test | None, bool]


@dataclass
class _Frame:
    """An enclosing construct that ``break``/``continue``/``return``/``raise`` must respect."""

    kind: str  # "loop" | "switch" | "label" | "finally" | "handlers"
    label: str | None = None
    breaks: list[Dangling] = field(default_factory=list)
    continues: list[Dangling] = field(default_factory=list)
    finalbody: list[ir.Stmt] = field(default_factory=list)
    raisers: list[Dangling] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.frames: list[_Frame] = []
        self.exits: list[Dangling] = []

    # -- graph primitives

    def node(self, effects: list[ir.Effect] | None = None) -> int:
        n = Node(len(self.nodes), list(effects or []))
        self.nodes.append(n)
        return n.id

    def connect(self, dangling: list[Dangling], target: int) -> None:
        for source, test, value in dangling:
            self.nodes[source].succs.append(Edge(target, test, value))
            self.nodes[target].preds.append(source)

    def step(self, dangling: list[Dangling], effects: list[ir.Effect]) -> list[Dangling]:
        """Append a node with ``effects`` after ``dangling``; skip it when empty."""
        if not effects:
            return dangling
        n = self.node(effects)
        self.connect(dangling, n)
        if any(not isinstance(e, ir.Closure | ir.Assign) for e in effects):
            self.may_raise(n)
        return [(n, None, True)]

    def may_raise(self, n: int) -> None:
        for frame in reversed(self.frames):
            if frame.kind in ("handlers", "finally"):
                frame.raisers.append((n, None, True))
                return

    # -- conditions

    def cond(self, c: ir.Cond, dangling: list[Dangling]) -> tuple[list[Dangling], list[Dangling]]:
        """Lower a condition; return the dangling edges taken when it is true / false."""
        if isinstance(c, ir.CNot):
            t, f = self.cond(c.operand, dangling)
            return f, t
        if isinstance(c, ir.CAnd):
            lt, lf = self.cond(c.left, dangling)
            rt, rf = self.cond(c.right, lt)
            return rt, lf + rf
        if isinstance(c, ir.COr):
            lt, lf = self.cond(c.left, dangling)
            rt, rf = self.cond(c.right, lf)
            return lt + rt, rf
        if isinstance(c, ir.CConst):
            return (dangling, []) if c.value else ([], dangling)
        n = self.node()
        self.connect(dangling, n)
        return [(n, c, True)], [(n, c, False)]

    # -- statements

    def block(self, stmts: list[ir.Stmt], dangling: list[Dangling]) -> list[Dangling]:
        for stmt in stmts:
            if not dangling:
                break  # unreachable code: nothing flows into it
            dangling = self.stmt(stmt, dangling)
        return dangling

    def stmt(self, s: ir.Stmt, d: list[Dangling]) -> list[Dangling]:
        if isinstance(s, ir.Effects):
            return self.step(d, s.effects)
        if isinstance(s, ir.If):
            d = self.step(d, s.prelude)
            t, f = self.cond(s.cond, d)
            return self.block(s.then, t) + self.block(s.orelse, f)
        if isinstance(s, ir.Loop):
            return self.loop(s, d)
        if isinstance(s, ir.Break):
            self.jump(d, "break", s.label)
            return []
        if isinstance(s, ir.Continue):
            self.jump(d, "continue", s.label)
            return []
        if isinstance(s, ir.Return):
            d = self.step(d, s.prelude)
            self.leave(d)
            return []
        if isinstance(s, ir.Raise):
            d = self.step(d, s.prelude)
            self.throw(d)
            return []
        if isinstance(s, ir.Try):
            return self.try_(s, d)
        if isinstance(s, ir.Switch):
            return self.switch(s, d)
        if isinstance(s, ir.Labeled):
            frame = _Frame("label", s.label)
            self.frames.append(frame)
            out = self.block(s.body, d)
            self.frames.pop()
            return out + frame.breaks
        raise TypeError(f"unknown statement {type(s).__name__}")

    def loop(self, s: ir.Loop, d: list[Dangling]) -> list[Dangling]:
        d = self.step(d, s.prelude)
        frame = _Frame("loop", s.label)
        head = self.node()
        body_entry = self.node()
        if s.test_first:
            self.connect(d, head)
        else:
            self.connect(d, body_entry)
        if s.cond is None:
            t: list[Dangling] = [(head, None, True)]
            f: list[Dangling] = [(head, None, True)]
        else:
            t, f = self.cond(s.cond, [(head, None, True)])
        self.connect(t, body_entry)
        self.frames.append(frame)
        end = self.block(s.body, [(body_entry, None, True)])
        self.frames.pop()
        latch = self.step(end + frame.continues, s.update)
        self.connect(latch, head)
        return self.block(s.orelse, f) + frame.breaks

    def switch(self, s: ir.Switch, d: list[Dangling]) -> list[Dangling]:
        d = self.step(d, s.prelude)
        entries: list[list[Dangling]] = []
        default: int | None = None
        for i, case in enumerate(s.cases):
            if case.test is None:
                entries.append([])
                default = i
                continue
            t, d = self.cond(case.test, d)
            entries.append(t)
        if default is not None:
            entries[default] = entries[default] + d
            d = []
        frame = _Frame("switch", s.label)
        self.frames.append(frame)
        out: list[Dangling] = []
        fall: list[Dangling] = []
        for case, entry in zip(s.cases, entries, strict=True):
            end = self.block(case.body, entry + fall)
            if s.fallthrough:
                fall = end
            else:
                out += end
        self.frames.pop()
        return out + fall + d + frame.breaks

    def try_(self, s: ir.Try, d: list[Dangling]) -> list[Dangling]:
        fin = _Frame("finally", finalbody=s.finalbody) if s.finalbody else None
        if fin:
            self.frames.append(fin)
        start = self.node()
        self.connect(d, start)
        if s.handlers:
            handlers = _Frame("handlers")
            self.frames.append(handlers)
            body_end = self.block(s.body, [(start, None, True)])
            self.frames.pop()
            dispatch = self.node()
            self.connect(handlers.raisers, dispatch)
            out = self.block(s.orelse, body_end)
            for h in s.handlers:
                out += self.block(h, [(dispatch, None, True)])
            # An exception no handler matches propagates.
            self.throw([(dispatch, None, True)])
        else:
            out = self.block(s.orelse, self.block(s.body, [(start, None, True)]))
        if not fin:
            return out
        self.frames.pop()
        if fin.raisers:
            self.throw(self.block(fin.finalbody, fin.raisers))
        return self.block(fin.finalbody, out)

    # -- abrupt exits

    def run_finally(self, depth: int, d: list[Dangling]) -> list[Dangling]:
        """Lower a copy of the ``finally`` body of ``self.frames[depth]`` after ``d``."""
        saved = self.frames
        self.frames = saved[:depth]
        try:
            return self.block(saved[depth].finalbody, d)
        finally:
            self.frames = saved

    def jump(self, d: list[Dangling], kind: str, label: str | None) -> None:
        """``break``/``continue``: run enclosing ``finally`` bodies, then jump."""
        for depth in range(len(self.frames) - 1, -1, -1):
            frame = self.frames[depth]
            if frame.kind == "finally":
                d = self.run_finally(depth, d)
                continue
            if frame.kind == "handlers":
                continue
            if label is not None and frame.label != label:
                continue
            if kind == "continue" and frame.kind != "loop":
                continue
            if kind == "break" and label is None and frame.kind == "label":
                continue
            (frame.breaks if kind == "break" else frame.continues).extend(d)
            return
        self.exits.extend(d)  # a stray break/continue: treat as leaving the function

    def leave(self, d: list[Dangling]) -> None:
        """``return``: run every enclosing ``finally`` body, then exit."""
        for depth in range(len(self.frames) - 1, -1, -1):
            if self.frames[depth].kind == "finally":
                d = self.run_finally(depth, d)
        self.exits.extend(d)

    def throw(self, d: list[Dangling]) -> None:
        """``raise``: to the nearest handlers or exceptional ``finally``, else out."""
        for frame in reversed(self.frames):
            if frame.kind in ("handlers", "finally"):
                frame.raisers.extend(d)
                return
        self.exits.extend(d)


def build(body: list[ir.Stmt]) -> CFG:
    """Build the CFG of one function body."""
    b = _Builder()
    entry = b.node()
    end = b.block(body, [(entry, None, True)])
    exit_ = b.node()
    b.connect(end + b.exits, exit_)
    return CFG(b.nodes, entry, exit_)
