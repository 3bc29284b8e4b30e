"""What a fix must prove about the code it rewrites, decided on the CFG of a function.

* :func:`is_request_entry`: calling the method sends or defers exactly one
  ``response.create`` in every state, and does nothing else.
* :func:`reserves_before`: the slot is reserved (active flag set) on every path to a send.
* :func:`written_after`: some path from a statement to the function's exit writes a field
  (an inserted deferral there would be wiped out before it is flushed).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator

from rtlint import ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.dataflow import Fact, solve

_NOTHING, _DEFERRED, _SENT, _WRONG = "nothing", "deferred", "sent", "wrong"
_LOGGERS = frozenset({"print", "logger", "log", "logging", "console", "_logger", "_log", "debug"})


def is_request_entry(
    fn: ir.Function,
    emissions: list[ir.VCall],
    deferred: set[ir.Path],
    is_state: Callable[[ir.Path], bool],
) -> bool:
    """All ``fn`` does is request or defer one response, on every path.

    ``emissions`` are its ``response.create`` sends; ``deferred`` the fields the class
    flushes. Allowed besides them: assigning the response state (``is_state``) or locals,
    awaits and logging.
    """
    if not emissions:
        return False
    graph = cfgs.build(fn.body)
    sends = {id(c) for c in emissions}
    outcomes: list[set[str] | None] = [None] * len(graph.nodes)
    outcomes[graph.entry] = {_NOTHING}
    work = deque([graph.entry])
    while work:
        n = work.popleft()
        state = set(outcomes[n] or ())
        for effect in graph.nodes[n].effects:
            step = _step(effect, sends, emissions, deferred, is_state)
            if step is None:
                return False
            state = {step.get(s, s) for s in state}
        for edge in graph.nodes[n].succs:
            old = outcomes[edge.target]
            new = state if old is None else old | state
            if new != old:
                outcomes[edge.target] = new
                work.append(edge.target)
    final = outcomes[graph.exit]
    return final is not None and final <= {_DEFERRED, _SENT}


def _step(
    effect: ir.Effect,
    sends: set[int],
    emissions: list[ir.VCall],
    deferred: set[ir.Path],
    is_state: Callable[[ir.Path], bool],
) -> dict[str, str] | None:
    """How ``effect`` moves the outcome; None when it is something a request entry never does."""
    if isinstance(effect, ir.Await):
        return {}
    if isinstance(effect, ir.Assign):
        if effect.target in deferred and _truthy(effect.value):
            return {_NOTHING: _DEFERRED, _SENT: _WRONG}
        if is_state(effect.target) or len(effect.target) == 1:
            return {}
        return None
    if isinstance(effect, ir.Call):
        if id(effect.call) in sends:
            return {_NOTHING: _SENT, _DEFERRED: _WRONG, _SENT: _WRONG}
        inside = any(_within(effect.call.span, c.span) for c in emissions)
        return {} if inside or _logs(effect.call) else None
    return None  # a closure: code that runs later


def _logs(call: ir.VCall) -> bool:
    names = [p for p in call.callee if p != "self"]
    return bool(names) and names[0] in _LOGGERS


def _truthy(v: ir.Value) -> bool:
    return isinstance(v, ir.VConst) and bool(v.value)


def _within(inner: ir.Span, outer: ir.Span) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def reserves_before(fn: ir.Function, call: ir.VCall, active: ir.Path) -> bool:
    """On every path to ``call`` the active flag is set true after it was last cleared."""
    graph = cfgs.build(fn.body)
    reserved: Fact = frozenset({"reserved"})

    def through(effects: list[ir.Effect], fact: Fact, stop: ir.VCall | None = None) -> Fact:
        for e in effects:
            if isinstance(e, ir.Call) and e.call is stop:
                break
            if isinstance(e, ir.Assign) and e.target == active:
                fact = reserved if _truthy(e.value) else frozenset()
        return fact

    facts = solve(graph, frozenset(), lambda t, v: frozenset(), lambda n, f: through(n.effects, f))
    for node, fact in zip(graph.nodes, facts, strict=True):
        if fact is not None and any(_calls(e, call) for e in node.effects):
            return "reserved" in through(node.effects, fact, call)
    return False


def written_after(fn: ir.Function, call: ir.VCall, target: ir.Path) -> bool:
    """Some path from ``call`` to the end of ``fn`` assigns ``target``."""
    graph = cfgs.build(fn.body)
    start = next((n for n in graph.nodes if any(_calls(e, call) for e in n.effects)), None)
    if start is None:
        return True  # cannot tell: assume the worst
    after = start.effects[next(i for i, e in enumerate(start.effects) if _calls(e, call)) + 1 :]
    if _assigns(after, target):
        return True
    seen: set[int] = set()
    work = deque(e.target for e in start.succs)
    while work:
        n = work.popleft()
        if n in seen:
            continue
        seen.add(n)
        if _assigns(graph.nodes[n].effects, target):
            return True
        work.extend(e.target for e in graph.nodes[n].succs)
    return False


def _calls(effect: ir.Effect, call: ir.VCall) -> bool:
    return isinstance(effect, ir.Call) and effect.call is call


def _assigns(effects: list[ir.Effect], target: ir.Path) -> bool:
    return any(isinstance(e, ir.Assign) and e.target == target for e in effects)


def receiver_in_scope(fn: ir.Function, functions: list[ir.Function], language: str) -> bool:
    """``self``/``this`` exists in ``fn``: a method, or a closure that sees its method's."""
    for f in _scopes(fn, functions):
        if f.kind == "method":
            return True
        if f.kind == "module" or (language == "typescript" and f.kind != "lambda"):
            return False
    return False


def _scopes(fn: ir.Function, functions: list[ir.Function]) -> Iterator[ir.Function]:
    current: ir.Function | None = fn
    while current is not None:
        yield current
        current = functions[current.parent] if current.parent is not None else None
