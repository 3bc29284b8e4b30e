"""Choosing how to fix an unguarded ``response.create``, from what the code already has.

Language-neutral: reads the IR and the active-state analysis, and returns a
:class:`Plan` that a language's editor (:mod:`.python_edits`, :mod:`.typescript_edits`)
turns into text edits. The strategies, best first:

1. ``call-helper`` (safe): the class already has a deferral helper — a method
   that takes no arguments and whose own sends are all guarded. The unguarded
   statement becomes a call to it.
2. ``wrap`` (safe): the class has an active-state flag and a deferred-request
   flag that is flushed where responses end. The statement is wrapped as
   ``if <active>: <deferred> = True`` / ``else: <statement>`` — or, when the
   statement ends the function, as an early ``return`` before it. Unsafe when
   the event carries options (``response: {...}``): a deferred request is sent
   later by the class's flush, without them.
3. ``wrap`` with ``new_deferred`` (unsafe): only the active-state flag exists.
   The same wrap, plus the new deferred flag's initialisation and its flush in
   the ``response.done`` handler, when that handler is found unambiguously.
4. ``suggest`` (display-only): nothing to build on; the compliant pattern is
   shown with the conventional names.
"""

from __future__ import annotations

from dataclasses import dataclass

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis, Unguarded
from rtlint.analysis.emissions import walk_effects, walk_stmts
from rtlint.analysis.guards import GuardClassifier, flag_name
from rtlint.diagnostics import Safety
from rtlint.vocabulary import Vocabulary, norm

DEFERRED_WORDS = ("pending", "deferred", "requested", "queued", "wanted", "needed", "waiting")


@dataclass(frozen=True)
class Flush:
    """Where to flush a new deferred flag: right after the statement that clears the state."""

    after: ir.Span
    """The statement (an assignment clearing the active state) to insert after."""
    function: ir.Function


@dataclass(frozen=True)
class Plan:
    strategy: str  # "call-helper" | "wrap" | "suggest"
    safety: Safety
    statement: ir.Span
    """The statement that sends the event (the edit's target)."""
    function: ir.Function
    ends_function: bool
    """The statement is the last one of the function body: an early return is possible."""
    helper: ir.Function | None = None
    active: ir.Path = ("self", "_response_active")
    deferred: ir.Path = ("self", "_response_requested")
    reserve: bool = False
    """The class reserves the slot (sets the active flag) right before sending."""
    new_deferred: bool = False
    flush: Flush | None = None
    init_after: ir.Span | None = None
    """Where the active flag is initialised (to initialise a new deferred flag beside it)."""

    @property
    def title(self) -> str:
        if self.strategy == "call-helper" and self.helper is not None:
            return f"Route the request through `{self.helper.name}()`"
        return f"Defer the request while `{'.'.join(self.active[1:])}` is set"


def plan(
    module: ir.Module, analysis: ModuleAnalysis, finding: Unguarded, vocab: Vocabulary
) -> Plan | None:
    """The best plan for ``finding``; None when its statement cannot be edited alone."""
    fn = finding.function
    located = _statement_of(fn.body, finding.emission.call)
    if located is None:
        return None
    stmt, ends = located
    if finding.chain:
        return None  # the fix belongs in the caller; the finding names it
    cls = analysis.index.class_of(fn)
    methods = analysis.index.members(cls) if cls is not None else []
    base = Plan("suggest", Safety.DISPLAY_ONLY, stmt.span, fn, ends)
    if cls is None:
        return base
    helper = _deferral_helper(methods, analysis, fn)
    awaitable = helper is not None and (
        not helper.is_async or fn.is_async or module.language == "typescript"
    )
    if helper is not None and awaitable and _payload_free(finding, analysis, fn):
        return Plan("call-helper", Safety.SAFE, stmt.span, fn, ends, helper=helper)
    active = _active_flag(methods, analysis, vocab)
    if active is None:
        return base
    reserve = any(
        isinstance(e, ir.Assign) and e.target == active and _is_true(e.value)
        for m in methods
        for e in walk_effects(m.body)
    )
    deferred = _deferred_flag(methods, vocab, active)
    if deferred is not None:
        # A deferred request is flushed by the class's own code, with its own event: options
        # this event carries (instructions, modalities) would not survive. Say so: unsafe.
        safety = Safety.SAFE if _payload_free(finding, analysis, fn) else Safety.UNSAFE
        return Plan(
            "wrap", safety, stmt.span, fn, ends, active=active, deferred=deferred, reserve=reserve
        )
    flush = _done_handler(methods, vocab, active)
    init = _initialisation(methods, active)
    copyable = finding.emission.how in ("literal", "sdk", "string-event", "json")
    awaits = any(
        isinstance(e, ir.Await) or (isinstance(e, ir.Call) and e.awaited) for e in stmt.effects
    )
    awaits_ok = flush is not None and (flush.function.is_async or not awaits)
    if (
        flush is None
        or not copyable
        or not awaits_ok
        or (init is None and module.language == "python")
    ):
        return Plan(
            "suggest", Safety.DISPLAY_ONLY, stmt.span, fn, ends, active=active, reserve=reserve
        )
    return Plan(
        "wrap", Safety.UNSAFE, stmt.span, fn, ends, active=active,
        deferred=(active[0], _new_deferred_name(active[-1])), reserve=reserve,
        new_deferred=True, flush=flush, init_after=init,
    )  # fmt: skip


def _statement_of(body: list[ir.Stmt], call: ir.VCall) -> tuple[ir.Effects, bool] | None:
    """The ``Effects`` statement whose last call is ``call``; and whether it ends ``body``."""
    for stmt in walk_stmts(body):
        if isinstance(stmt, ir.Effects) and stmt.effects:
            calls = [e for e in stmt.effects if isinstance(e, ir.Call)]
            if (
                calls
                and calls[-1].call is call
                and not any(isinstance(e, ir.Assign | ir.Closure) for e in stmt.effects)
            ):
                return stmt, bool(body) and body[-1] is stmt
    return None


def _deferral_helper(
    methods: list[ir.Function], analysis: ModuleAnalysis, fn: ir.Function
) -> ir.Function | None:
    for m in methods:
        if m is fn or m.kind != "method" or len([p for p in m.params if p != "self"]) > 0:
            continue
        sites = [s for s in analysis.sites[m.index] if s.emission is not None]
        if (
            sites
            and all(s.guarded for s in sites)
            and not any(s.emission and s.emission.out_of_band for s in sites)
        ):
            return m
    return None


def _payload_free(finding: Unguarded, analysis: ModuleAnalysis, fn: ir.Function) -> bool:
    """The event carries nothing but its type: routing it through a helper loses nothing."""
    event = finding.emission.event
    if event is None:
        return (
            finding.emission.how == "sdk"
            and not finding.emission.call.args
            and not (finding.emission.call.kwargs)
        )
    for arg in (*finding.emission.call.args, *(v for _, v in finding.emission.call.kwargs)):
        found = _literal(arg, analysis, fn)
        if found is not None:
            return {k for k, _ in found.entries} <= {"type", "event_id"} and not found.spread
    return False


def _literal(v: ir.Value, analysis: ModuleAnalysis, fn: ir.Function) -> ir.VObject | None:
    if isinstance(v, ir.VObject):
        return v
    if isinstance(v, ir.VCall):
        for arg in v.args:
            found = _literal(arg, analysis, fn)
            if found is not None:
                return found
    if isinstance(v, ir.VName):
        values = analysis.index.lookup(fn, v.path)
        if len(values) == 1:
            return _literal(values[0], analysis, fn)
    return None


def _active_flag(
    methods: list[ir.Function], analysis: ModuleAnalysis, vocab: Vocabulary
) -> ir.Path | None:
    """The ``self``/``this`` attribute the class tests as its active-response flag."""
    counts: dict[ir.Path, int] = {}
    for m in methods:
        for effect in walk_effects(m.body):
            if (
                isinstance(effect, ir.Assign)
                and len(effect.target) == 2
                and effect.target[0] == "self"
                and vocab.is_active_flag(flag_name(effect.target))
            ):
                counts[effect.target] = counts.get(effect.target, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda p: counts[p])


def _deferred_flag(
    methods: list[ir.Function], vocab: Vocabulary, active: ir.Path
) -> ir.Path | None:
    """A request flag (``_response_pending``…) that the class assigns and tests where it flushes."""
    set_true: set[ir.Path] = set()
    tested: set[ir.Path] = set()
    for m in methods:
        for effect in walk_effects(m.body):
            if isinstance(effect, ir.Assign) and isinstance(effect.value, ir.VConst):
                set_true.add(effect.target)
        for stmt in walk_stmts(m.body):
            if isinstance(stmt, ir.If):
                tested |= _names_in(stmt.cond)
    for path in sorted(set_true & tested):
        name = norm(path[-1])
        deferred_like = any(w in name for w in DEFERRED_WORDS) and not vocab.is_active_flag(name)
        if path != active and path[0] == "self" and len(path) == 2 and deferred_like:
            return path
    return None


def _done_handler(methods: list[ir.Function], vocab: Vocabulary, active: ir.Path) -> Flush | None:
    """The single place that clears ``active`` where responses end: the new flush goes there."""
    found: list[Flush] = []
    for m in methods:
        for stmt in walk_stmts(m.body):
            if (
                isinstance(stmt, ir.Effects)
                and any(
                    isinstance(e, ir.Assign) and e.target == active and _is_false(e.value)
                    for e in stmt.effects
                )
                and _ends_responses(m, stmt, vocab)
            ):
                found.append(Flush(stmt.span, m))
    return found[0] if len(found) == 1 else None


def _ends_responses(m: ir.Function, stmt: ir.Effects, vocab: Vocabulary) -> bool:
    if norm(m.name) in vocab.terminal_handlers or m.callback_event in vocab.terminal_events:
        return True
    guards = GuardClassifier(vocab, m.params, lambda p: None)
    for outer in walk_stmts(m.body):
        if (
            isinstance(outer, ir.If)
            and _contains(outer.then, stmt)
            and _mentions_event(outer.cond, vocab.terminal_events)
            and guards.proves_idle(outer.cond, True)
        ):
            return True
        if isinstance(outer, ir.Switch) and any(
            case.test is not None
            and _contains(case.body, stmt)
            and _mentions_event(case.test, vocab.terminal_events)
            for case in outer.cases
        ):
            return True
    return False


def _mentions_event(cond: ir.Cond, events: frozenset[str]) -> bool:
    if isinstance(cond, ir.CCompare):
        return any(isinstance(s, ir.VStr) and s.value in events for s in (cond.left, cond.right))
    if isinstance(cond, ir.CAnd | ir.COr):
        return _mentions_event(cond.left, events) or _mentions_event(cond.right, events)
    return False


def _contains(body: list[ir.Stmt], target: ir.Stmt) -> bool:
    return any(s is target for s in walk_stmts(body))


def _initialisation(methods: list[ir.Function], active: ir.Path) -> ir.Span | None:
    """Where the constructor (or class field) first sets the active flag."""
    for m in methods:
        if m.name in ("__init__", "constructor"):
            for stmt in walk_stmts(m.body):
                if isinstance(stmt, ir.Effects) and any(
                    isinstance(e, ir.Assign) and e.target == active for e in stmt.effects
                ):
                    return stmt.span
    return None


def _new_deferred_name(active_name: str) -> str:
    """``_response_active`` → ``_response_requested``; ``responseActive`` → the camel case."""
    prefix = "#" if active_name.startswith("#") else ""
    bare = active_name.lstrip("#")
    lead = "_" * (len(bare) - len(bare.lstrip("_")))
    return (
        f"{prefix}{lead}response_requested"
        if "_" in bare.strip("_") or bare.islower()
        else (f"{prefix}{lead}responseRequested")
    )


def _names_in(cond: ir.Cond) -> set[ir.Path]:
    if isinstance(cond, ir.CNot):
        return _names_in(cond.operand)
    if isinstance(cond, ir.CAnd | ir.COr):
        return _names_in(cond.left) | _names_in(cond.right)
    if isinstance(cond, ir.CAtom) and isinstance(cond.value, ir.VName):
        return {cond.value.path}
    if isinstance(cond, ir.CCompare):
        return {s.path for s in (cond.left, cond.right) if isinstance(s, ir.VName)}
    return set()


def _is_true(v: ir.Value) -> bool:
    return isinstance(v, ir.VConst) and v.value is True


def _is_false(v: ir.Value) -> bool:
    return isinstance(v, ir.VConst) and v.value in (False, None)
