"""What a fix must prove about the code it rewrites, decided on the CFG of a function.

* :func:`is_request_entry`: calling the method sends or defers exactly one
  ``response.create`` in every state, and does nothing else.
* :func:`guarded_by_own_tests`: its sends check the state themselves, whatever the caller.
* :func:`proven_busy`: a send runs only where the code has just seen a response active.
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
from rtlint.analysis.guards import AMBIENT, NOBODY, GuardClassifier

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
        inside = any(c.span.contains(effect.call.span) for c in emissions)
        return {} if inside or _logs(effect.call) else None
    return None  # a closure: code that runs later


def _logs(call: ir.VCall) -> bool:
    """``logger.debug(…)``, ``self._log.info(…)``, ``print(…)``; not a method of the class
    (``self.log(…)`` may do anything)."""
    callee = call.callee
    if len(callee) == 2 and callee[0] in ("self", "this"):
        return False
    names = [p for p in callee if p not in ("self", "this")]
    return bool(names) and names[0] in _LOGGERS


def _truthy(v: ir.Value) -> bool:
    return isinstance(v, ir.VConst) and bool(v.value)


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


def written_after(
    fn: ir.Function,
    call: ir.VCall,
    target: ir.Path,
    writes: Callable[[ir.VCall], bool] = lambda c: False,
) -> bool:
    """Some path from ``call`` to the end of ``fn`` assigns ``target``.

    ``writes`` says whether a call assigns it (a method of the class that does).
    """
    after = effects_after(fn, lambda e: _calls(e, call))
    if after is None:
        return True
    return any(
        (isinstance(e, ir.Assign) and e.target == target)
        or (isinstance(e, ir.Call) and writes(e.call))
        for e in after
    )


def effects_after(
    fn: ir.Function, anchor: Callable[[ir.Effect], bool]
) -> Iterator[ir.Effect] | None:
    """Every effect on some path from the ``anchor`` effect to the end of ``fn``.

    None when no effect of ``fn`` is the anchor.
    """
    graph = cfgs.build(fn.body)
    for node in graph.nodes:
        at = next((i for i, e in enumerate(node.effects) if anchor(e)), None)
        if at is not None:
            return _reachable(graph, node, at)
    return None


def _reachable(graph: cfgs.CFG, start: cfgs.Node, at: int) -> Iterator[ir.Effect]:
    yield from start.effects[at + 1 :]
    seen: set[int] = set()
    work = deque(e.target for e in start.succs)
    while work:
        n = work.popleft()
        if n in seen:
            continue
        seen.add(n)
        yield from graph.nodes[n].effects
        work.extend(e.target for e in graph.nodes[n].succs)


def _calls(effect: ir.Effect, call: ir.VCall) -> bool:
    return isinstance(effect, ir.Call) and effect.call is call


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


def guarded_by_own_tests(
    fn: ir.Function, emissions: list[ir.VCall], guards: GuardClassifier
) -> bool:
    """Every send in ``fn`` follows a test of its own proving no response is active.

    Unlike the analysis, nothing is assumed on entry: a greeting that is compliant only
    because it runs on ``session.created`` sends unguarded when called from elsewhere.
    """
    graph = cfgs.build(fn.body)
    sends = {id(c) for c in emissions}

    def transfer(node: cfgs.Node, fact: Fact) -> Fact:
        return NOBODY if any(_sends(e, sends) for e in node.effects) else fact

    facts = solve(graph, NOBODY, guards.proves_idle, transfer)
    return all(
        fact is not None and AMBIENT in fact
        for node, fact in zip(graph.nodes, facts, strict=True)
        if any(_sends(e, sends) for e in node.effects)
    )


def proven_busy(
    fn: ir.Function, call: ir.VCall, guards: GuardClassifier, is_state: Callable[[ir.Path], bool]
) -> bool:
    """On every path to ``call`` a test showed a response active (and nothing changed since).

    Wrapping such a send in ``if <active>: defer`` makes it dead code: the code's
    polarity is wrong, which only its author can put right.
    """
    graph = cfgs.build(fn.body)

    def busy(test: cfgs.Test, value: bool) -> Fact:
        return guards.proves_idle(test, not value)

    def transfer(node: cfgs.Node, fact: Fact) -> Fact:
        changes = any(isinstance(e, ir.Assign) and is_state(e.target) for e in node.effects)
        return NOBODY if changes else fact

    facts = solve(graph, NOBODY, busy, transfer)
    for node, fact in zip(graph.nodes, facts, strict=True):
        if fact is not None and any(_calls(e, call) for e in node.effects):
            return AMBIENT in fact
    return False


def _sends(effect: ir.Effect, sends: set[int]) -> bool:
    return isinstance(effect, ir.Call) and id(effect.call) in sends
