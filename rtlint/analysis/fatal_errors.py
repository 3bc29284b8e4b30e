"""Does an ``error`` handler end the session on every path a recoverable error can take?

Solved on the handler's CFG with the must-analysis: a path is *fatal* when it raises
(``raise``/``throw`` that no handler inside the code catches), or calls something that
tears the connection down (``close()``, ``disconnect()``, ``process.exit()``, or a local
function that is fatal on every path itself). A branch on the error's ``code`` against
codes that are not recoverable (``code == "invalid_api_key"``) cannot be taken by a
recoverable error: the analysis does not follow it. Every other test (on the message,
the ``event_id``, a lookup set, the adapter's own state) may go either way, so a
handler with an early ``return`` or a quiet branch for some errors is not fatal.

The same question asked for the other codes tells whether an error that rejects our
create for another reason (not a response already active) ends the session.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from rtlint import ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.dataflow import Fact, solve
from rtlint.analysis.emissions import ModuleIndex, walk_stmts
from rtlint.vocabulary import norm

RECOVERABLE = frozenset({"conversation_already_has_active_response", "response_cancel_not_active"})
FATAL_CALLS = frozenset(
    norm(n) for n in ("close", "aclose", "disconnect", "terminate", "shutdown", "abort",
                      "exit", "kill", "destroy", "fail", "panic")
)  # fmt: skip
_RAISE = ("<raise>",)
_FATAL: Fact = frozenset({"fatal"})
_NONE: Fact = frozenset()
_DEPTH = 2
Errors = Literal["recoverable", "other"]


def fatal_on_every_path(
    body: list[ir.Stmt],
    fn: ir.Function,
    index: ModuleIndex,
    depth: int = 0,
    errors: Errors = "recoverable",
) -> ir.Span | None:
    """The first raise or closing call of ``body`` when every path an error with a
    recoverable code (``errors="other"``: with any other code) can take through it ends
    there; None when some such path carries on."""
    every, sites = _solve(body, fn, index, depth, errors)
    return min(sites, key=lambda s: s.start_byte) if every and sites else None


def may_end_session(body: list[ir.Stmt], fn: ir.Function, index: ModuleIndex) -> bool:
    """Some path an error with a code other than the recoverable ones can take through
    ``body`` ends the session."""
    return bool(_solve(body, fn, index, 0, "other")[1])


def _solve(
    body: list[ir.Stmt], fn: ir.Function, index: ModuleIndex, depth: int, errors: Errors
) -> tuple[bool, list[ir.Span]]:
    """(every path ``errors`` can take ends the session, the ends such paths reach)."""
    marked = _mark_raises(body, leaves=_in_loop(fn, body))
    graph = cfgs.build(marked)
    sites: list[ir.Span] = []

    def fatal(node: cfgs.Node, fact: Fact) -> Fact:
        for e in node.effects:
            if isinstance(e, ir.Call) and _ends_session(e.call, fn, index, depth, errors):
                if "fatal" not in fact:  # not only on a branch no recoverable error takes
                    sites.append(e.call.span)
                return _FATAL
        return fact

    def edge(test: cfgs.Test, value: bool) -> Fact:
        return _FATAL if not _may_pass(test, value, errors == "recoverable") else _NONE

    facts = solve(graph, _NONE, edge, fatal)
    end = facts[graph.exit]
    return end is not None and "fatal" in end, sites


def _ends_session(
    call: ir.VCall, fn: ir.Function, index: ModuleIndex, depth: int, errors: Errors
) -> bool:
    if call.callee == _RAISE:
        return True
    if call.callee and norm(call.callee[-1]) in FATAL_CALLS:
        return True
    if depth >= _DEPTH:
        return False
    target = index.target(call, fn)
    if target is None or target == fn.index:
        return False
    callee = index.module.functions[target]
    return fatal_on_every_path(callee.body, callee, index, depth + 1, errors) is not None


def _may_pass(test: cfgs.Test, value: bool, recoverable: bool) -> bool:
    """Can an error with a recoverable code (else: with another code) take this edge?
    Only a comparison of the ``code`` with literal codes says no."""
    if not isinstance(test, ir.CCompare):
        return True
    left, right = test.left, test.right
    if _is_code(right):
        left, right = right, left
    if not _is_code(left):
        return True
    items = right.items if isinstance(right, ir.VSeq) else (right,)
    if not items or not all(isinstance(i, ir.VStr) for i in items):
        return True
    matching = [isinstance(i, ir.VStr) and (i.value in RECOVERABLE) == recoverable for i in items]
    if any(matching):
        return True
    equal = test.op in ("==", "===", "is", "in")
    unequal = test.op in ("!=", "!==", "is not", "not in")
    return not ((equal and value) or (unequal and not value))


def _is_code(v: ir.Value) -> bool:
    """``error.code``, ``event["error"]["code"]``, ``code``, ``error.get("code")``."""
    if isinstance(v, ir.VName):
        return norm(v.path[-1]) == "code"
    if isinstance(v, ir.VCall) and v.callee and norm(v.callee[-1]) == "get" and v.args:
        first = v.args[0]
        return isinstance(first, ir.VStr) and first.value == "code"
    return False


def _in_loop(fn: ir.Function, body: list[ir.Stmt]) -> bool:
    """``body`` is a branch inside a loop of ``fn`` (a receive loop's dispatch)."""
    if not body or body is fn.body:
        return False
    return any(
        isinstance(loop, ir.Loop) and any(s is body[0] for s in walk_stmts(loop.body))
        for loop in walk_stmts(fn.body)
    )


def _mark_raises(body: list[ir.Stmt], caught: bool = False, leaves: bool = False) -> list[ir.Stmt]:
    """``body`` with each ``raise`` that leaves it made a marked ``return``; with ``leaves``
    (a branch of a receive loop) each ``return`` too: it stops reading events."""
    out: list[ir.Stmt] = []
    for s in body:
        ends = isinstance(s, ir.Raise) and not caught
        if ends or (leaves and isinstance(s, ir.Return)):
            assert isinstance(s, ir.Raise | ir.Return)
            marker = ir.Call(ir.VCall(_RAISE, (), (), s.span))
            out += [ir.Effects([*s.prelude, marker], s.span), ir.Return(s.span)]
            continue
        if isinstance(s, ir.If):
            s = dataclasses.replace(
                s,
                then=_mark_raises(s.then, caught, leaves),
                orelse=_mark_raises(s.orelse, caught, leaves),
            )
        elif isinstance(s, ir.Loop):
            s = dataclasses.replace(
                s,
                body=_mark_raises(s.body, caught, leaves),
                orelse=_mark_raises(s.orelse, caught, leaves),
            )
        elif isinstance(s, ir.Try):
            s = dataclasses.replace(
                s,
                body=_mark_raises(s.body, caught or bool(s.handlers), leaves),
                handlers=[_mark_raises(h, caught, leaves) for h in s.handlers],
                orelse=_mark_raises(s.orelse, caught, leaves),
                finalbody=_mark_raises(s.finalbody, caught, leaves),
            )
        elif isinstance(s, ir.Switch):
            s = dataclasses.replace(
                s, cases=[dataclasses.replace(c, body=_mark_raises(c.body, caught, leaves))
                          for c in s.cases],
            )  # fmt: skip
        elif isinstance(s, ir.Labeled):
            s = dataclasses.replace(s, body=_mark_raises(s.body, caught, leaves))
        out.append(s)
    return out
