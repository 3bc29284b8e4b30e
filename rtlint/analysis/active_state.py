"""Which ``response.create`` emissions can run while a response is active.

For every function of a module: build its CFG, classify its calls, and solve the
must-fact "no response is active here" (per owner, see :mod:`.guards`):

* generated on a branch edge whose test proves it, by clearing the active state
  (``self._response_active = False``), by opening a fresh connection, and on entry
  to handlers that run only on a fresh connection or after ``response.done``;
* killed by an emission and by a call to a function of this file that may emit.

Reserving the slot (``self._response_active = True``) right before the send keeps
the fact: it is the reservation the send belongs to. ``await`` keeps it too
(another task could run there; see the rule's known limitations).

Across functions of the file: a function whose emissions are all guarded is a
deferral helper; a private helper whose call sites are all guarded is guarded
in its callers; otherwise the unguarded call chain is reported with the emission.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from rtlint import ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.dataflow import Fact, solve
from rtlint.analysis.emissions import (
    ASSUMED,
    CallInfo,
    CallKind,
    Emission,
    ModuleIndex,
    walk_effects,
    walk_stmts,
)
from rtlint.analysis.guards import (
    AMBIENT,
    EVERYONE,
    NOBODY,
    GuardClassifier,
    flag_name,
    owner_of,
)
from rtlint.analysis.summaries import ExternalView
from rtlint.vocabulary import Vocabulary, norm


@dataclass(frozen=True)
class Site:
    """An emission, or a call to a function of this file that may emit, with its fact."""

    function: int
    emission: Emission | None
    target: int | None
    guarded: bool


@dataclass(frozen=True)
class Unguarded:
    """An emission that can run while a response is active."""

    function: ir.Function
    emission: Emission
    chain: tuple[str, ...] = ()
    """For a private helper: the call chain (function names) that reaches it unguarded."""


@dataclass
class ModuleAnalysis:
    index: ModuleIndex
    sites: list[list[Site]] = field(default_factory=list)
    unguarded: list[Unguarded] = field(default_factory=list)
    emissions: list[tuple[ir.Function, Emission]] = field(default_factory=list)


def analyze(
    module: ir.Module, vocab: Vocabulary, view: ExternalView | None = None
) -> ModuleAnalysis:
    """Run the active-state analysis on every function of ``module``; ``view`` is what
    the rest of the project says about the names it uses."""
    learned = learned_flags(module, vocab)
    if learned:
        vocab = vocab.extend(active_flags=learned)
    index = ModuleIndex(module, vocab, view)
    fns = module.functions
    infos: list[dict[int, CallInfo]] = []
    for fn in fns:
        table: dict[int, CallInfo] = {}
        for effect in walk_effects(fn.body):
            if isinstance(effect, ir.Call):
                table[id(effect)] = index.classify(effect.call, fn)
        infos.append(table)
    emits = _may_emit(fns, infos)
    result = ModuleAnalysis(index)
    handled = registered_handlers(index)
    for fn in fns:
        entry = _entry_fact(fn, vocab, handled.get(fn.index))
        result.sites.append(_solve_function(fn, index, infos[fn.index], emits, vocab, entry))
    for fn_sites in result.sites:
        for site in fn_sites:
            if site.emission is not None:
                result.emissions.append((fns[site.function], site.emission))
    result.unguarded = list(_report(fns, result.sites))
    return result


def learned_flags(module: ir.Module, vocab: Vocabulary) -> frozenset[str]:
    """Fields the code itself treats as the active-response state, whatever their names.

    A field set (to anything but False/None) where ``response.created`` is handled and
    cleared (to False/None) where ``response.done`` is handled tracks exactly the active
    response: ``self._busy``, ``this.speakingTurn``, ``self._current``.
    """
    set_on: set[str] = set()
    cleared_on: set[str] = set()
    for fn in module.functions:
        for body, event in _event_handlers(fn, vocab):
            for effect in walk_effects(body):
                if not isinstance(effect, ir.Assign) or len(effect.target) < 2:
                    continue
                name = flag_name(effect.target)
                falsy = isinstance(effect.value, ir.VConst) and not effect.value.value
                if event == "response.created" and not falsy:
                    set_on.add(name)
                elif event in vocab.terminal_events and falsy:
                    cleared_on.add(name)
    return frozenset(set_on & cleared_on) - vocab.active_flags


def _event_handlers(fn: ir.Function, vocab: Vocabulary) -> Iterator[tuple[list[ir.Stmt], str]]:
    """(code, event) for the branches and handlers of ``fn`` that handle one incoming event."""
    wanted = {"response.created", *vocab.terminal_events}
    if fn.callback_event is not None and fn.callback_event in wanted:
        yield fn.body, fn.callback_event
    name = norm(fn.name)
    for event in wanted:
        if name.endswith(norm(event)):
            yield fn.body, event
    for stmt in walk_stmts(fn.body):
        if isinstance(stmt, ir.If):
            found = _compared_event(stmt.cond, wanted)
            if found is not None:
                yield stmt.then, found
        elif isinstance(stmt, ir.Switch):
            for case in stmt.cases:
                found = _compared_event(case.test, wanted) if case.test is not None else None
                if found is not None:
                    yield case.body, found


def _compared_event(cond: ir.Cond, wanted: set[str]) -> str | None:
    if isinstance(cond, ir.CCompare) and cond.op == "==":
        for side in (cond.left, cond.right):
            if isinstance(side, ir.VStr) and side.value in wanted:
                return side.value
    return None


def _may_emit(fns: list[ir.Function], infos: list[dict[int, CallInfo]]) -> list[bool]:
    """Which functions may send ``response.create`` when called (transitively)."""
    emits = [
        any(i.kind is CallKind.EMIT and i.emission and not i.emission.out_of_band
            for i in table.values())
        for table in infos
    ]  # fmt: skip
    changed = True
    while changed:
        changed = False
        for fn, table in zip(fns, infos, strict=True):
            if emits[fn.index]:
                continue
            if any(i.kind is CallKind.LOCAL and i.target is not None and emits[i.target]
                   for i in table.values()):  # fmt: skip
                emits[fn.index] = changed = True
    return emits


def registered_handlers(index: ModuleIndex) -> dict[int, str]:
    """Functions registered by reference as an event's handler, with the event.

    ``ws.on("response.done", self._flush)`` and handler tables such as
    ``{"response.done": self._on_done}`` name the event a method runs for.
    """
    found: dict[int, str] = {}
    for fn in index.functions:
        for effect in walk_effects(fn.body):
            if isinstance(effect, ir.Call):
                call = effect.call
                if len(call.args) >= 2 and isinstance(call.args[0], ir.VStr):
                    for arg in call.args[1:]:
                        _register(index, fn, arg, call.args[0].value, found)
                tables = (*call.args, *(v for _, v in call.kwargs))
            elif isinstance(effect, ir.Assign):
                tables = (effect.value,)
            else:
                continue
            for table in tables:
                if isinstance(table, ir.VObject):
                    for event, handler in table.entries:
                        _register(index, fn, handler, event, found)
    return found


def _register(
    index: ModuleIndex, fn: ir.Function, handler: ir.Value, event: str, found: dict[int, str]
) -> None:
    if isinstance(handler, ir.VName) and "." in event:
        target = index.target(ir.VCall(handler.path, (), (), handler.span), fn)
        if target is not None:
            found.setdefault(target, event)


def _entry_fact(fn: ir.Function, vocab: Vocabulary, registered: str | None = None) -> Fact:
    """Handlers that run only on a fresh connection or after ``response.done`` start idle."""
    name = norm(fn.name)
    if name in vocab.fresh_handlers or name in vocab.terminal_handlers:
        return EVERYONE
    for event in (fn.callback_event, registered):
        if event is not None and (event in vocab.fresh_events or event in vocab.terminal_events):
            return EVERYONE
    return NOBODY


def _clears(assign: ir.Assign, vocab: Vocabulary) -> bool:
    """``active = False/None`` or ``state = IDLE``: the active response has ended."""
    name = flag_name(assign.target)
    v = assign.value
    if vocab.is_active_flag(name):
        return isinstance(v, ir.VConst) and not v.value
    if name in vocab.state_fields or ("response" in name and "state" in name):
        if isinstance(v, ir.VStr):
            return norm(v.value) in vocab.idle_states
        if isinstance(v, ir.VName):
            return norm(v.path[-1]) in vocab.idle_states
    return False


def _solve_function(
    fn: ir.Function,
    index: ModuleIndex,
    infos: dict[int, CallInfo],
    emits: list[bool],
    vocab: Vocabulary,
    entry: Fact,
) -> list[Site]:
    graph = cfgs.build(fn.body)
    guards = GuardClassifier(
        vocab, fn.params, lambda p: index.single_value(fn, p), lambda c: index.predicate(c, fn)
    )
    sites: dict[int, Site] = {}

    def record_site(effect: ir.Call, site: Site) -> None:
        # A `finally` body is lowered once per way out: guarded only if every copy is.
        old = sites.get(id(effect))
        if old is None or (old.guarded and not site.guarded):
            sites[id(effect)] = site

    def step(node: cfgs.Node, fact: Fact, record: bool) -> Fact:
        for effect in node.effects:
            if isinstance(effect, ir.Assign):
                if _clears(effect, vocab):
                    fact = fact | {owner_of(effect.target, fn.params)}
                continue
            if not isinstance(effect, ir.Call):
                continue
            info = infos.get(id(effect), CallInfo(CallKind.OTHER))
            if info.kind is CallKind.EMIT and info.emission is not None:
                if record:
                    guarded = info.emission.out_of_band or _covers(fact, effect.call, fn)
                    record_site(effect, Site(fn.index, info.emission, None, guarded))
                if not info.emission.out_of_band:
                    fact = NOBODY
            elif info.kind is CallKind.LOCAL and info.target is not None and emits[info.target]:
                if record:
                    guarded = _covers(fact, effect.call, fn)
                    record_site(effect, Site(fn.index, None, info.target, guarded))
                fact = NOBODY
            elif info.kind in (CallKind.FRESH, CallKind.CLEAR):
                fact = fact | EVERYONE
        return fact

    facts = solve(
        graph,
        entry,
        guards.proves_idle,
        lambda node, fact: step(node, fact, record=False),
    )
    for node, fact in zip(graph.nodes, facts, strict=True):
        if fact is not None:
            step(node, fact, record=True)
    return sorted(sites.values(), key=_site_order)


def param_effect(index: ModuleIndex, target: int, param: str) -> str | None:
    """Solve the function at ``target`` assuming ``param`` holds a create event:
    ``"emit"`` when some send of it is unguarded, ``"defer"`` when every send is guarded
    or it goes to a sequencer, None when it is not sent here (an outgoing queue, a store)."""
    assumed = index.assuming(target, param)
    fn = index.functions[target]
    infos = {
        id(e): assumed.classify(e.call, fn) for e in walk_effects(fn.body) if isinstance(e, ir.Call)
    }
    no_local_emits = [False] * len(index.functions)
    sites = _solve_function(
        fn, assumed, infos, no_local_emits, index.vocab, _entry_fact(fn, index.vocab)
    )
    sends = [
        s for s in sites if s.emission and s.emission.event and s.emission.event.span == ASSUMED
    ]
    if any(not s.guarded for s in sends):
        return "emit"
    # Handed to a sequencer (not merely put on an outgoing queue, which sends it anyway).
    routed = any(
        infos[id(e)].kind is CallKind.ROUTED
        and norm(e.call.callee[-1] if e.call.callee else "") not in index.vocab.queue_methods
        for e in walk_effects(fn.body)
        if isinstance(e, ir.Call)
        and any(isinstance(a, ir.VName) and a.path == (param,) for a in e.call.args)
    )
    return "defer" if sends or routed else None


def _site_order(site: Site) -> int:
    return site.emission.call.span.start_byte if site.emission else -1


def _covers(fact: Fact, call: ir.VCall, fn: ir.Function) -> bool:
    if AMBIENT in fact:
        return True
    root = call.callee[0] if call.callee else ""
    return root in fn.params and f"param:{root}" in fact


def _report(fns: list[ir.Function], sites: list[list[Site]]) -> Iterator[Unguarded]:
    callers: dict[int, list[Site]] = {}
    for fn_sites in sites:
        for site in fn_sites:
            if site.target is not None:
                callers.setdefault(site.target, []).append(site)

    def helper(fn: ir.Function) -> bool:
        return fn.private and fn.kind in ("method", "function")

    def chains(index: int, seen: frozenset[int]) -> list[tuple[str, ...]]:
        """Unguarded call chains into the private helper ``index`` (empty: all guarded)."""
        fn = fns[index]
        calls = callers.get(index, [])
        if not calls:
            return [(fn.name,)]  # no caller here: reached from outside the file
        found: list[tuple[str, ...]] = []
        for call in calls:
            if call.guarded:
                continue
            caller = fns[call.function]
            if helper(caller) and caller.index not in seen:
                found += [(*c, fn.name) for c in chains(caller.index, seen | {caller.index})]
            else:
                found.append((caller.name or "<anonymous>", fn.name))
        return found

    for fn_sites in sites:
        for site in fn_sites:
            if site.emission is None or site.guarded:
                continue
            fn = fns[site.function]
            if not helper(fn):
                yield Unguarded(fn, site.emission)
                continue
            found = chains(fn.index, frozenset({fn.index}))
            if found:
                yield Unguarded(fn, site.emission, found[0])
