"""Which ``response.create`` emissions can run while a response is active.

For every function of a module: build its CFG, classify its calls, and solve the
must-fact "no response is active here" (per owner, see :mod:`.guards`):

* generated on a branch edge whose test proves it, by clearing the active state
  (``self._response_active = False``), by opening a fresh connection, and on entry
  to handlers that run only on a fresh connection or after ``response.done``;
* killed by an emission and by a call to a function of this file that may emit.

A fresh connection proves it only until something can start a response: our own
create, or input audio (server VAD) unless the module turns VAD off. Proofs from a
check or a clear (:data:`CHECKED`) survive audio. A local coroutine started without
being awaited (``create_task(self._loop())``, an un-awaited promise) runs later, for
the whole session: the freshness does not cover its call site (a check does), and
starting it does not end the caller's fact.

Reserving the slot (``self._response_active = True``) right before the send keeps
the fact: it is the reservation the send belongs to. ``await`` keeps it too
(another task could run there; see the rule's known limitations).

Across functions of the file: a function whose emissions are all guarded is a
deferral helper; a private helper whose call sites are all guarded is guarded
in its callers; otherwise the unguarded call chain is reported with the emission.
"""

from __future__ import annotations

import re
import weakref
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
    conds,
    own_params,
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
from rtlint.analysis.occasions import CLOSE_EVENTS, CLOSE_NAMES
from rtlint.analysis.summaries import ExternalView
from rtlint.vocabulary import Vocabulary, norm

CHECKED = "checked"
"""Marks a fact proven by a check or a clear, not only by a fresh connection."""
PROVEN: Fact = EVERYONE | {CHECKED}
_VAD_OFF = re.compile(rb"""turn_detection["']?\s*[:=]\s*(?:None|null)\b""")
_RUNS_NOW = frozenset({"run", "rununtilcomplete"})
"""Calls that run the coroutine handed to them before returning (``asyncio.run``)."""


@dataclass(unsafe_hash=True, slots=True)
class Site:
    """An emission, or a call to a function of this file that may emit, with its fact."""

    function: int
    emission: Emission | None
    target: int | None
    guarded: bool
    call: ir.VCall | None = None
    """For a call site: the call."""
    spawned: bool = False
    """For a call site: the call only starts the function (a task, a timer)."""


@dataclass(unsafe_hash=True, slots=True)
class Unguarded:
    """An emission that can run while a response is active."""

    function: ir.Function
    emission: Emission
    chain: tuple[str, ...] = ()
    """For a private helper: the call chain (function names) that reaches it unguarded."""
    call: ir.VCall | None = None
    """Set when this finding is a call of a function of this file that sends ``emission``
    without a check of its own (the obligation moves to its callers, as with Clang's
    ``REQUIRES``): the call, made here without a guard."""
    callee: ir.Function | None = None


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
    entries = [_entry_fact(fn, vocab, handled.get(fn.index)) for fn in fns]
    fresh = not _fresh_session_creates(fns, infos, emits, entries, vocab)
    audio_starts = _VAD_OFF.search(module.source) is None
    for fn in fns:
        ends = ends_responses(fn, entries[fn.index], handled.get(fn.index))
        result.sites.append(
            _solve_function(
                fn,
                index,
                infos[fn.index],
                emits,
                vocab,
                entries[fn.index],
                fresh,
                audio_starts,
                clears_prove_idle=ends,
            )
        )
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
    """Functions registered by reference as an event's handler, with the event (computed
    once per module: the fix planning asks for every finding).

    ``ws.on("response.done", self._flush)`` and handler tables such as
    ``{"response.done": self._on_done}`` name the event a method runs for.
    """
    found = _REGISTERED.get(index)
    if found is None:
        found = _REGISTERED[index] = _registered_handlers(index)
    return found


_REGISTERED: weakref.WeakKeyDictionary[ModuleIndex, dict[int, str]] = weakref.WeakKeyDictionary()


def _registered_handlers(index: ModuleIndex) -> dict[int, str]:
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
    events = [e for e in (fn.callback_event, registered) if e is not None]
    if name in vocab.terminal_handlers or any(e in vocab.terminal_events for e in events):
        return PROVEN
    if name in vocab.fresh_handlers or any(e in vocab.fresh_events for e in events):
        return EVERYONE
    return NOBODY


def _fresh_session_creates(
    fns: list[ir.Function],
    infos: list[dict[int, CallInfo]],
    emits: list[bool],
    entries: list[Fact],
    vocab: Vocabulary,
) -> bool:
    """Does code that runs on a fresh session (an ``open``/``session.created`` handler or
    branch) create a response? Then a fresh ``connect()`` proves nothing: it may greet too."""

    def creates(effects: Iterator[ir.Effect], table: dict[int, CallInfo]) -> bool:
        for effect in effects:
            info = table.get(id(effect)) if isinstance(effect, ir.Call) else None
            if info is None:
                continue
            if info.kind is CallKind.EMIT and info.emission and not info.emission.out_of_band:
                return True
            if info.kind is CallKind.LOCAL and info.target is not None and emits[info.target]:
                return True
        return False

    wanted = set(vocab.fresh_events)
    for fn, table, entry in zip(fns, infos, entries, strict=True):
        if entry == EVERYONE and creates(walk_effects(fn.body), table):
            return True
        for stmt in walk_stmts(fn.body):
            branches: list[tuple[ir.Cond | None, list[ir.Stmt]]] = []
            if isinstance(stmt, ir.If):
                branches = [(stmt.cond, stmt.then)]
            elif isinstance(stmt, ir.Switch):
                branches = [(case.test, case.body) for case in stmt.cases]
            for cond, body in branches:
                tests_fresh = cond is not None and _compared_event(cond, wanted) is not None
                if tests_fresh and creates(walk_effects(body), table):
                    return True
    return False


def _checked(owners: Fact) -> Fact:
    """A proof by a check or a clear: it survives input audio."""
    return owners | {CHECKED} if AMBIENT in owners else owners


def _spawned_calls(fn: ir.Function, index: ModuleIndex) -> set[int]:
    """Calls of local coroutines in ``fn`` that are started, not awaited: they run later.

    ``create_task(self._loop())``, ``ensure_future(...)``, an un-awaited promise
    (``this.loop()``, ``this.loop().catch(...)``); a coroutine handed to an awaited
    call (``await gather(self._a())``) or to ``asyncio.run`` runs now.
    """
    now: set[ir.Span] = set()
    calls: list[ir.Call] = []
    for effect in walk_effects(fn.body):
        if not isinstance(effect, ir.Call):
            continue
        calls.append(effect)
        outer = effect.call
        if effect.awaited or (outer.callee and norm(outer.callee[-1]) in _RUNS_NOW):
            now.update(_nested_call_spans(outer))
    spawned: set[int] = set()
    for effect in calls:
        if effect.awaited or effect.call.span in now:
            continue
        target = index.target(effect.call, fn)
        if target is not None and _starts_later(index.functions[target], index.module.language):
            spawned.add(id(effect))
    return spawned


def _starts_later(fn: ir.Function, language: str) -> bool:
    """Does calling ``fn`` without awaiting it defer its sends?

    A Python coroutine runs nothing until it is scheduled. A JavaScript async function
    runs synchronously up to its first ``await``: it defers only when an ``await`` or
    a loop (a receive loop) comes before anything else that calls out.
    """
    if not fn.is_async:
        return False
    return language == "python" or bool(_awaits_first(fn.body))


def _awaits_first(body: list[ir.Stmt]) -> bool | None:
    """True: an await or a loop comes first; False: a call does; None: neither (yet)."""
    for stmt in body:
        if isinstance(stmt, ir.Loop):
            return True
        if isinstance(stmt, ir.Try):
            found = _awaits_first(stmt.body)
            if found is not None:
                return found
            continue
        if not isinstance(stmt, ir.Effects):
            return False
        for effect in stmt.effects:
            if isinstance(effect, ir.Await) or (isinstance(effect, ir.Call) and effect.awaited):
                return True
            if isinstance(effect, ir.Call):
                return False
    return None


def _nested_call_spans(call: ir.VCall) -> Iterator[ir.Span]:
    """Spans of the calls among ``call``'s arguments (also in lists) and its receiver."""
    stack: list[ir.Value] = [*call.args, *(v for _, v in call.kwargs)]
    if call.receiver is not None:
        stack.append(call.receiver)
    while stack:
        v = stack.pop()
        if isinstance(v, ir.VCall):
            yield v.span
            stack.extend(v.args)
            if v.receiver is not None:
                stack.append(v.receiver)
        elif isinstance(v, ir.VSeq):
            stack.extend(v.items)


def _sends_audio(call: ir.VCall, fn: ir.Function, index: ModuleIndex) -> bool:
    """Streams input audio: ``input_audio_buffer.append`` (event or SDK method)."""
    vocab = index.vocab
    if call.callee and norm("_".join(call.callee[-2:])) in vocab.audio_calls:
        return True
    args = (*call.args, *(v for _, v in call.kwargs))
    return any(index.carries_event(a, fn, e) for a in args for e in vocab.audio_events)


def ends_responses(fn: ir.Function, entry: Fact, registered: str | None = None) -> bool:
    """Is ``fn`` a place where clearing the active state means the response ended?

    A terminal or fresh-connection handler, a close/disconnect path, an ``error`` handler,
    or a private helper (its callers are judged instead). Anywhere else a clear is forced
    (after a timeout, at turn start): it proves nothing, and RT011 reports it.
    """
    if fn.private or entry == EVERYONE or norm(fn.name) in CLOSE_NAMES:
        return True
    events = {fn.callback_event, registered}
    return bool(events & (CLOSE_EVENTS | {"error"}))


_ENDED = "ended"
"""A fact token: this path handles ``response.done``, ``error`` or a fresh connection, so
a clear here is not forced."""


def _handles(test: cfgs.Test, value: bool, events: set[str]) -> Fact:
    taken = isinstance(test, ir.CCompare) and value == (test.op == "==")
    return frozenset({_ENDED}) if taken and _compared_event(test, events) else NOBODY


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
    fresh: bool = True,
    audio_starts: bool = True,
    clears_prove_idle: bool = True,
) -> list[Site]:
    """Solve one function. ``fresh``: a fresh connection proves no response is active;
    ``audio_starts``: input audio may start a response (server VAD is on)."""
    graph = cfgs.build(fn.body)
    guards = GuardClassifier(
        vocab, fn.params, lambda p: index.single_value(fn, p), lambda c: index.predicate(c, fn)
    )
    sites: dict[int, Site] = {}
    spawned = _spawned_calls(fn, index)
    audio = {
        id(e)
        for e in walk_effects(fn.body)
        if audio_starts and isinstance(e, ir.Call) and _sends_audio(e.call, fn, index)
    }

    def record_site(effect: ir.Call, site: Site) -> None:
        # A `finally` body is lowered once per way out: guarded only if every copy is.
        old = sites.get(id(effect))
        if old is None or (old.guarded and not site.guarded):
            sites[id(effect)] = site

    def step(node: cfgs.Node, fact: Fact, record: bool) -> Fact:
        for effect in node.effects:
            if isinstance(effect, ir.Assign):
                if (clears_prove_idle or _ENDED in fact) and _clears(effect, vocab):
                    fact = fact | _checked(frozenset({owner_of(effect.target, fn.params)}))
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
                later = id(effect) in spawned
                if record:
                    # Code that runs later keeps a check's proof, not the freshness.
                    seen = fact if CHECKED in fact or not later else fact - EVERYONE
                    guarded = _covers(seen, effect.call, fn)
                    record_site(
                        effect, Site(fn.index, None, info.target, guarded, effect.call, later)
                    )
                if not later:
                    fact = NOBODY
            elif info.kind is CallKind.FRESH and fresh:
                fact = fact | EVERYONE
            elif info.kind is CallKind.CLEAR:
                fact = fact | PROVEN
            elif CHECKED not in fact and id(effect) in audio:
                fact = fact - EVERYONE
        return fact

    ending = {"error", *vocab.terminal_events, *vocab.fresh_events}

    def edge_gen(test: cfgs.Test, value: bool) -> Fact:
        return _checked(guards.proves_idle(test, value)) | _handles(test, value, ending)

    facts = solve(
        graph,
        entry,
        edge_gen,
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


def _branches_on_arguments(fn: ir.Function) -> bool:
    """Does ``fn`` tell apart what it is given (``match event:``, ``if kind == "x"``,
    ``event.type !== …``)? Then what it sends depends on the argument, and a call of it
    is judged by the argument it passes, not as a send."""
    params = set(own_params(fn))
    return bool(params) and any(_compares_argument(cond, params) for cond in conds(fn.body))


def _compares_argument(cond: ir.Cond, params: set[str]) -> bool:
    if isinstance(cond, ir.CNot):
        return _compares_argument(cond.operand, params)
    if isinstance(cond, ir.CAnd | ir.COr):
        return _compares_argument(cond.left, params) or _compares_argument(cond.right, params)
    if isinstance(cond, ir.CCompare):
        sides = (cond.left, cond.right)
        argument = any(isinstance(v, ir.VName) and v.path[0] in params for v in sides)
        # `kind is not None`, `count > 0`: whether an option was given, not which event.
        return argument and not any(isinstance(v, ir.VConst) for v in sides)
    return False


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

    def reached(fn: ir.Function) -> tuple[str, ...] | None:
        """How ``fn``'s unguarded code is reached: () from outside the file or by an
        entry point, a chain for a private helper, None when every caller guards it."""
        if not helper(fn):
            return ()
        found = chains(fn.index, frozenset({fn.index}))
        return found[0] if found else None

    # The first unguarded emission each function can make, directly or through calls.
    sends: dict[int, Emission] = {}
    changed = True
    while changed:
        changed = False
        for fn_sites in sites:
            for site in fn_sites:
                if site.guarded or site.function in sends:
                    continue
                target = site.target if site.target is not None else -1
                emission = site.emission or sends.get(target)
                if emission is not None:
                    sends[site.function] = emission
                    changed = True

    for fn_sites in sites:
        for site in fn_sites:
            if site.guarded:
                continue
            fn = fns[site.function]
            chain = reached(fn)
            if chain is None:
                continue
            if site.emission is not None:
                yield Unguarded(fn, site.emission, chain)
            elif (
                site.target is not None
                and site.call is not None
                and site.target in sends
                and not site.spawned
                and not _branches_on_arguments(fns[site.target])
                and not helper(fns[site.target])
                and not (helper(fn) and callers.get(fn.index))
            ):
                # A public function that sends unguarded puts the check on its callers
                # (a private one is judged through them: the chain is in its finding).
                yield Unguarded(fn, sends[site.target], chain, site.call, fns[site.target])
