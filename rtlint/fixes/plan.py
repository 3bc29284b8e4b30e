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

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis, Unguarded, registered_handlers
from rtlint.analysis.emissions import CallKind, walk_effects, walk_stmts
from rtlint.analysis.guards import GuardClassifier, flag_name
from rtlint.analysis.lifecycle import LifecycleModel, build
from rtlint.diagnostics import Safety
from rtlint.fixes.proofs import (
    effects_after,
    guarded_by_own_tests,
    is_request_entry,
    proven_busy,
    receiver_in_scope,
    reserves_before,
    written_after,
)
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
    module: ir.Module,
    analysis: ModuleAnalysis,
    finding: Unguarded,
    vocab: Vocabulary,
    lifecycle: LifecycleModel | None = None,
) -> Plan | None:
    """The best plan for ``finding``; None when its statement cannot be edited alone.

    A finding reached through a private helper is planned in the helper: its guard makes
    every caller compliant.
    """
    fn = finding.function
    call = finding.emission.call
    located = _statement_of(fn.body, call)
    if located is None:
        return None
    stmt, ends = located
    cls = analysis.index.class_of(fn)
    methods = analysis.index.members(cls) if cls is not None else []
    base = _suggestion(module, fn, stmt.span, ends)
    if cls is None:
        return base
    active = _active_flag(methods, analysis, vocab)
    registered = registered_handlers(analysis.index)
    flushed = _flushed_flags(methods, analysis, vocab, active, registered)
    if active is not None and _reserved_by_callers(fn, methods, active):
        return dataclasses.replace(
            base, active=active, deferred=(active[0], _new_deferred_name(active[-1]))
        )
    helper = _request_entry(methods, analysis, fn, vocab, active, flushed)
    awaitable = helper is not None and (
        not helper.is_async or fn.is_async or module.language == "typescript"
    )
    if helper is not None and awaitable and _payload_free(finding, analysis, fn):
        return Plan("call-helper", Safety.SAFE, stmt.span, fn, ends, helper=helper)
    if active is None:
        return base
    reserve = _reserves(methods, analysis, active, finding)
    deferred = _deferred_flag(methods, flushed, vocab, active)
    suggest = Plan(
        "suggest", Safety.DISPLAY_ONLY, stmt.span, fn, ends, active=active,
        deferred=deferred or (active[0], _new_deferred_name(active[-1])), reserve=reserve,
    )  # fmt: skip
    if _wrap_would_mislead(fn, stmt, call, analysis, vocab, registered):
        return suggest
    if deferred is not None:
        if _deferral_wiped(fn, call, deferred, methods):
            return suggest  # the path overwrites the deferral before it is flushed
        # A deferred request is flushed by the class's own code, with its own event: options
        # this event carries (instructions, modalities) would not survive. Say so: unsafe.
        safety = Safety.SAFE if _payload_free(finding, analysis, fn) else Safety.UNSAFE
        return Plan(
            "wrap", safety, stmt.span, fn, ends, active=active, deferred=deferred, reserve=reserve
        )
    if _routes_requests(methods, analysis):
        return suggest  # the class queues its requests: a second deferral would double-send
    model = lifecycle or build(module, analysis)
    if not reserve and _set_on_created(model, fn, active):
        # The flag is set only when `response.created` arrives: a deferral alone would let a
        # second request through until then (RT003), and the fixer never adds a finding.
        # RT003's own fix cannot come first (its finding needs the guard this fix adds), and
        # one pass making both would reserve without the rollback: a suggestion it stays.
        return suggest
    flush = _done_handler(methods, vocab, active)
    if flush is not None and _sends_after(flush, analysis):
        flush = None  # the handler already sends there: a second flush would double-send
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
        return suggest
    return Plan(
        "wrap", Safety.UNSAFE, stmt.span, fn, ends, active=active,
        deferred=suggest.deferred, reserve=reserve,
        new_deferred=True, flush=flush, init_after=init,
    )  # fmt: skip


def _set_on_created(model: LifecycleModel, fn: ir.Function, active: ir.Path) -> bool:
    """Does ``fn``'s class set ``active`` where ``response.created`` is handled?"""
    for adapter in model.adapters:
        if fn.index in adapter.functions:
            return any(
                w.action == "set" and w.field.rsplit(".", 1)[-1] == active[-1]
                for path in adapter.paths_of("event", "response.created")
                for w in path.writes
            )
    return False


def _suggestion(module: ir.Module, fn: ir.Function, span: ir.Span, ends: bool) -> Plan:
    """The display-only pattern, in the function's own receiver and the file's naming style."""
    names = (
        ("responseActive", "responseRequested")
        if module.language == "typescript"
        else ("_response_active", "_response_requested")
    )
    active: ir.Path
    deferred: ir.Path
    if receiver_in_scope(fn, module.functions, module.language):
        active, deferred = ("self", names[0]), ("self", names[1])
    else:
        active, deferred = (names[0].lstrip("_"),), (names[1].lstrip("_"),)
    return Plan("suggest", Safety.DISPLAY_ONLY, span, fn, ends, active=active, deferred=deferred)


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


def _request_entry(
    methods: list[ir.Function],
    analysis: ModuleAnalysis,
    fn: ir.Function,
    vocab: Vocabulary,
    active: ir.Path | None,
    flushed: set[ir.Path],
) -> ir.Function | None:
    """A method without arguments that only requests or defers one response (see :mod:`.proofs`).

    Its sends must check the state themselves, and what it defers must be flushed where
    responses end.
    """
    for m in methods:
        if m is fn or m.kind != "method" or len([p for p in m.params if p != "self"]) > 0:
            continue
        sites = [s.emission for s in analysis.sites[m.index] if s.emission is not None]
        calls = [e.call for e in sites]
        if (
            sites
            and not any(e.out_of_band for e in sites)
            and guarded_by_own_tests(m, calls, _guards(m, analysis, vocab))
            and is_request_entry(
                m, calls, flushed, lambda path: path == active or _is_state(path, vocab=vocab)
            )
        ):
            return m
    return None


def _guards(fn: ir.Function, analysis: ModuleAnalysis, vocab: Vocabulary) -> GuardClassifier:
    return GuardClassifier(vocab, fn.params, lambda p: analysis.index.single_value(fn, p))


def _wrap_would_mislead(
    fn: ir.Function,
    stmt: ir.Effects,
    call: ir.VCall,
    analysis: ModuleAnalysis,
    vocab: Vocabulary,
    registered: dict[int, str],
) -> bool:
    """A wrap there would be dead code, or defer a request that nothing flushes later.

    Where the code has just seen a response active, ``if <active>:`` is always taken (the
    test's polarity is wrong). In ``response.done`` handling the response has ended: a
    deferral there waits for a ``response.done`` that may never come.
    """
    if proven_busy(
        fn, call, _guards(fn, analysis, vocab), functools.partial(_is_state, vocab=vocab)
    ):
        return True
    return any(
        any(s is stmt for s in walk_stmts(body)) for body in _terminal_code(fn, vocab, registered)
    )


def _reserved_by_callers(fn: ir.Function, methods: list[ir.Function], active: ir.Path) -> bool:
    """A caller of ``fn`` reserves the slot before the call: ``if <active>`` in ``fn`` would
    always defer its request, and the reserved slot would never be used."""
    return any(
        reserves_before(m, e.call, active)
        for m in methods
        for e in walk_effects(m.body)
        if isinstance(e, ir.Call) and _local_target(e.call, methods) is fn
    )


def _deferral_wiped(
    fn: ir.Function, call: ir.VCall, deferred: ir.Path, methods: list[ir.Function]
) -> bool:
    """Is ``deferred`` written again after ``call`` on some path: in ``fn``, or in a method
    of the class after its call of ``fn`` (a deferral there would be lost)?"""
    writer = _writer_of(deferred, methods)
    return written_after(fn, call, deferred, writer) or any(
        written_after(m, e.call, deferred, writer)
        for m in methods
        for e in walk_effects(m.body)
        if isinstance(e, ir.Call) and _local_target(e.call, methods) is fn
    )


def _flags_tested(cond: ir.Cond, active: ir.Path | None, vocab: Vocabulary) -> set[ir.Path]:
    """What ``cond`` tests besides the active state and other response state."""
    return {p for p in _names_in(cond) if p != active and not _is_state(p, vocab=vocab)}


def _sends_alone(
    body: list[ir.Stmt],
    fn: ir.Function,
    analysis: ModuleAnalysis,
    active: ir.Path | None,
    vocab: Vocabulary,
) -> bool:
    """Does ``body`` send on a path that tests nothing else but the response state? A send
    under ``if <another flag>:`` needs that flag too: it does not count."""
    for stmt in body:
        if isinstance(stmt, ir.Effects) and any(
            isinstance(e, ir.Call) and _may_send(e.call, fn, analysis) for e in stmt.effects
        ):
            return True
        if (
            isinstance(stmt, ir.If)
            and not _flags_tested(stmt.cond, active, vocab)
            and _sends_alone(stmt.then, fn, analysis, active, vocab)
        ):
            return True
    return False


def _terminal_code(
    fn: ir.Function, vocab: Vocabulary, registered: dict[int, str]
) -> list[list[ir.Stmt]]:
    """The parts of ``fn`` that run when a response ends (its body, branches, cases)."""
    name = norm(fn.name)
    if (
        name in vocab.terminal_handlers
        or any(name.endswith(norm(event)) for event in vocab.terminal_events)
        or fn.callback_event in vocab.terminal_events
        or registered.get(fn.index) in vocab.terminal_events
    ):
        return [fn.body]
    found: list[list[ir.Stmt]] = []
    for stmt in walk_stmts(fn.body):
        if isinstance(stmt, ir.If) and _compares_event(stmt.cond, vocab.terminal_events):
            found.append(stmt.then)
        elif isinstance(stmt, ir.Switch):
            found += [
                case.body for case in stmt.cases
                if case.test is not None and _mentions_event(case.test, vocab.terminal_events)
            ]  # fmt: skip
    return found


def _compares_event(cond: ir.Cond, events: frozenset[str]) -> bool:
    """``type == "response.done"`` (possibly and-ed with more tests)."""
    if isinstance(cond, ir.CCompare) and cond.op == "==":
        return _mentions_event(cond, events)
    if isinstance(cond, ir.CAnd):
        return _compares_event(cond.left, events) or _compares_event(cond.right, events)
    return False


def _flushed_flags(
    methods: list[ir.Function],
    analysis: ModuleAnalysis,
    vocab: Vocabulary,
    active: ir.Path | None,
    registered: dict[int, str],
) -> set[ir.Path]:
    """Flags that, set alone, make the class send when a response ends.

    Where responses end (and in the methods that code calls unconditionally), an ``if``
    that tests the flag alone (or with the idle state) and sends: ``if self._pending:
    await self._request_response()``. An ``if`` nested in another test flushes only
    when that test holds too: not counted.
    """
    bodies = [(m, body) for m in methods for body in _terminal_code(m, vocab, registered)]
    seen: set[int] = set()
    flags: set[ir.Path] = set()
    while bodies:
        fn, body = bodies.pop()
        for stmt in body:
            if isinstance(stmt, ir.If):
                tested = _flags_tested(stmt.cond, active, vocab)
                if len(tested) == 1 and _sends_alone(stmt.then, fn, analysis, active, vocab):
                    flags |= tested
            elif isinstance(stmt, ir.Effects):
                for effect in stmt.effects:
                    target = (
                        _local_target(effect.call, methods) if isinstance(effect, ir.Call) else None
                    )
                    if target is not None and target.index not in seen:
                        seen.add(target.index)
                        bodies.append((target, target.body))
    return {p for p in flags if p[0] == "self"}


def _may_send(call: ir.VCall, fn: ir.Function, analysis: ModuleAnalysis) -> bool:
    """``call`` sends ``response.create``, itself or through a function of the file that may."""
    info = analysis.index.classify(call, fn)
    if info.kind is CallKind.EMIT:
        return info.emission is not None and not info.emission.out_of_band
    return (
        info.kind is CallKind.LOCAL
        and info.target is not None
        and bool(analysis.sites[info.target])
    )


def _writer_of(field: ir.Path, methods: list[ir.Function]) -> Callable[[ir.VCall], bool]:
    """Whether a call runs a method of the class that assigns ``field`` (directly or through
    the methods it calls)."""
    writers = {
        m.index for m in methods
        if any(isinstance(e, ir.Assign) and e.target == field for e in walk_effects(m.body))
    }  # fmt: skip
    grew = True
    while grew:
        grew = False
        for m in methods:
            if m.index not in writers and any(
                isinstance(e, ir.Call)
                and (t := _local_target(e.call, methods)) is not None
                and t.index in writers
                for e in walk_effects(m.body)
            ):
                writers.add(m.index)
                grew = True

    def writes(call: ir.VCall) -> bool:
        target = _local_target(call, methods)
        return target is not None and target.index in writers

    return writes


def _local_target(call: ir.VCall, methods: list[ir.Function]) -> ir.Function | None:
    """The method of the class that ``self.name()`` calls."""
    if len(call.callee) == 2 and call.callee[0] == "self":
        return next((m for m in methods if m.name == call.callee[1]), None)
    return None


def _sends_after(flush: Flush, analysis: ModuleAnalysis) -> bool:
    """Code after the flush point may send ``response.create`` (itself or through a method)."""
    span = flush.after
    after = effects_after(
        flush.function,
        lambda e: isinstance(e, ir.Assign) and span.start_byte <= e.span.start_byte < span.end_byte,
    )
    if after is None:
        return True
    return any(
        isinstance(e, ir.Call) and _may_send(e.call, flush.function, analysis) for e in after
    )


def _routes_requests(methods: list[ir.Function], analysis: ModuleAnalysis) -> bool:
    """The class hands response requests to a queue or sequencer somewhere."""
    return any(
        analysis.index.classify(e.call, m).kind is CallKind.ROUTED
        for m in methods
        for e in walk_effects(m.body)
        if isinstance(e, ir.Call)
    )


def _is_state(path: ir.Path, *, vocab: Vocabulary) -> bool:
    """A field that records the response state (the slot a request entry reserves)."""
    name = flag_name(path)
    return vocab.is_active_flag(name) or name in vocab.state_fields


def _reserves(
    methods: list[ir.Function], analysis: ModuleAnalysis, active: ir.Path, finding: Unguarded
) -> bool:
    """The class sets ``active`` right before its other sends (so a fix must too)."""
    return any(
        site.emission is not None
        and site.emission is not finding.emission
        and reserves_before(m, site.emission.call, active)
        for m in methods
        for site in analysis.sites[m.index]
    )


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
    methods: list[ir.Function], flushed: set[ir.Path], vocab: Vocabulary, active: ir.Path
) -> ir.Path | None:
    """A request flag (``_response_pending``…) the class flushes where responses end."""
    flags = {
        e.target for m in methods for e in walk_effects(m.body)
        if isinstance(e, ir.Assign) and isinstance(e.value, ir.VConst)
    }  # fmt: skip
    for path in sorted(flushed & flags):
        name = norm(path[-1])
        deferred_like = any(w in name for w in DEFERRED_WORDS) and not vocab.is_active_flag(name)
        if path != active and len(path) == 2 and deferred_like:
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


def _is_false(v: ir.Value) -> bool:
    return isinstance(v, ir.VConst) and v.value in (False, None)
