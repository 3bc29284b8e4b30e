"""The lifecycle model: each adapter's response state machine, as its code defines it.

An *adapter* is a class, a TypeScript closure (a function whose nested callbacks share
its variables) or a module holding response state in variables. For each one:

* **fields** and their roles: the *active* state (a flag, an id, a state enum, an
  ``asyncio.Event``; the names :mod:`.guards` knows plus those learned by
  :func:`.active_state.learned_flags`) and the *deferred* request (``_response_requested``,
  ``pendingResponse``);
* **paths**: the code that runs for one server event (``if``/``elif`` and ``match``/
  ``switch`` on the incoming type, ``.on("…", handler)``, handler tables, ``on_<event>``
  naming), on connect/reconnect, on close/disconnect (``finally`` of a receive loop
  included), and the functions that send ``response.create``;
* **transitions**: what each path does to each field. Writes made by local functions a
  path calls count for the path (arguments substituted for parameters), so
  ``self._reset(State.IDLE)`` in ``close()`` clears the state. A write that happens on
  every path through the path's code (a must-analysis on its CFG) is *certain*.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, cast

from rtlint import ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.active_state import ModuleAnalysis, registered_handlers
from rtlint.analysis.dataflow import solve
from rtlint.analysis.emissions import CallKind, walk_effects, walk_stmts
from rtlint.analysis.event_names import REALTIME_ONLY, RESPONSES_ONLY, is_realtime_shaped
from rtlint.analysis.guards import _reads_event_type
from rtlint.analysis.occasions import CLOSE_EVENTS, CLOSE_NAMES, CONNECT_NAMES
from rtlint.vocabulary import Vocabulary, norm

Role = Literal["active", "deferred"]
Action = Literal["set", "clear", "other"]
PathKind = Literal["event", "connect", "close", "send", "flush"]

DEFERRED_WORDS = ("pending", "requested", "deferred", "queued", "wanted", "needed")
DEFERRED_SUBJECTS = ("response", "create", "reply", "generation")
STATUS_WORDS = frozenset({"completed", "cancelled", "failed", "incomplete"})


@dataclass(unsafe_hash=True, slots=True)
class Write:
    """An assignment (or ``.set()``/``.clear()``) of a field, where it is written."""

    field: str
    action: Action
    span: ir.Span
    function: int
    value: str
    """The written value as the diagram shows it (``True``, ``IDLE``)."""
    raw: ir.Value | None = dataclasses.field(default=None, compare=False)
    """The written value (a call's argument when written through a parameter)."""


@dataclass(unsafe_hash=True, slots=True)
class EventRef:
    """An event name the code handles (``server``) or sends (``client``)."""

    name: str
    direction: Literal["client", "server"]
    span: ir.Span
    function: int


@dataclass
class LifecyclePath:
    """Code that runs on one occasion: an event, a connect, a close, a send."""

    kind: PathKind
    label: str
    """The event name, or the function's name (``finally`` of ``_read``)."""
    function: int
    body: list[ir.Stmt]
    span: ir.Span
    writes: list[Write] = field(default_factory=list)
    """Every write this path may make (through local calls too)."""
    certain: frozenset[tuple[str, Action]] = frozenset()
    """(field, action) that happen on every way through the path."""
    reads: frozenset[str] = frozenset()
    """Fields the path tests in a condition (in the local functions it calls too)."""
    tests: frozenset[str] = frozenset()
    """Fields the path's own code tests."""
    emits: bool = False
    """The path may send ``response.create`` (directly or through a local call)."""
    status_clears: list[Write] = field(default_factory=list)
    """Clears made only in a branch on the response's status (``status == "completed"``)."""

    def may(self, name: str, action: Action) -> list[Write]:
        return [w for w in self.writes if w.field == name and w.action == action]


@dataclass(unsafe_hash=True, slots=True)
class Send:
    """A ``response.create`` send (or a call that may send one) of the adapter."""

    span: ir.Span
    function: int
    reserved: bool
    """On every path to it a response-state field was set first (the slot is reserved)."""
    fields: frozenset[str] = frozenset()
    """The fields set on every path to it (the reservation)."""


@dataclass
class Field:
    name: str
    role: Role
    writes: list[Write] = field(default_factory=list)


@dataclass
class Adapter:
    """One class, closure or module with response state."""

    name: str
    functions: list[int]
    fields: dict[str, Field] = field(default_factory=dict)
    paths: list[LifecyclePath] = field(default_factory=list)
    events: list[EventRef] = field(default_factory=list)
    sends: list[Send] = field(default_factory=list)

    @property
    def realtime(self) -> bool:
        """The adapter speaks the Realtime protocol: it names an event only Realtime has."""
        return (
            bool(self.sends)
            or any(e.name in REALTIME_ONLY for e in self.events)
            or any(p.label in REALTIME_ONLY for p in self.paths)
        )

    def paths_of(self, kind: PathKind, label: str | None = None) -> list[LifecyclePath]:
        return [p for p in self.paths if p.kind == kind and (label is None or p.label == label)]

    def role(self, role: Role) -> list[Field]:
        return [f for f in self.fields.values() if f.role == role]


@dataclass
class LifecycleModel:
    adapters: list[Adapter]


# --------------------------------------------------------------------------- building


def build(module: ir.Module, active: ModuleAnalysis) -> LifecycleModel:
    """The lifecycle model of every adapter in ``module`` (with the vocabulary the
    active-state analysis used: the flags it learned included)."""
    return _Builder(module, active.index.vocab, active).run()


def field_of(path: ir.Path) -> str | None:
    """The state a write to ``path`` writes: ``self._x`` → ``._x`` (a member; ``self._x.current``
    and ``.value``, a ref's content, too), ``busy`` → ``busy`` (a variable); None for anything
    else (``self._x.reason = None`` writes a part of ``_x``, not ``_x``)."""
    if len(path) == 2 and path[0] in ("self", "this"):
        return "." + path[1]
    if len(path) == 3 and path[0] in ("self", "this") and path[2] in ("current", "value"):
        return "." + path[1]
    if len(path) == 1:
        return path[0]
    return None


class _Builder:
    def __init__(self, module: ir.Module, vocab: Vocabulary, active: ModuleAnalysis) -> None:
        self.module = module
        self.fns = module.functions
        self.parents = {f.parent for f in self.fns}
        self.vocab = vocab
        self.index = active.index
        self.emitting = {fn.index for fn, _ in active.emissions}
        self.registered = registered_handlers(self.index)
        self._summaries: dict[int, tuple[list[Write], frozenset[tuple[str, Action]]]] = {}
        self._busy: set[int] = set()
        self._emits: dict[int, bool] = {}
        self.closures: set[str] = set()
        self._dispatchers: dict[int, bool] = {}
        self._direct: dict[int, list[Write]] = {}
        self._roles: dict[str, Role | Literal["none"]] = {}
        self._creates: dict[int, bool] = {}

    def run(self) -> LifecycleModel:
        if not self.realtime_file():
            return LifecycleModel([])  # no adapter of it can be Realtime code
        groups: dict[str, list[int]] = {"<module>": [0]}
        for fn in self.fns[1:]:
            groups.setdefault(self.owner(fn), []).append(fn.index)
        adapters = []
        for name, members in groups.items():
            adapter = self.adapter(name, members)
            if adapter is not None:
                adapters.append(adapter)
        return LifecycleModel(adapters)

    def realtime_file(self) -> bool:
        """Can the file hold Realtime code: it names a Realtime-only event, or it does not
        speak the Responses API (whose WebSocket mode sends a create too)?"""
        strings = self.module.strings
        return bool(strings & REALTIME_ONLY) or not strings & RESPONSES_ONLY

    def owner(self, fn: ir.Function) -> str:
        cls = self.index.class_of(fn)
        if cls is not None:
            return cls
        top = fn
        while top.parent not in (None, 0):
            top = self.fns[top.parent]
        nested = top.index in self.parents
        if self.module.language == "typescript" and nested and top.kind != "method":
            self.closures.add(top.name or "<anonymous>")
            return top.name or "<anonymous>"
        return "<module>"

    # -- one adapter

    def adapter(self, name: str, members: list[int]) -> Adapter | None:
        """The adapter of ``members`` when it has response state and speaks Realtime. Its
        paths are only analysed (the costly part) once that is known."""
        adapter = Adapter(name, members)
        for i in members:
            fn = self.fns[i]
            for w in self.direct_writes(fn):
                role = self.role_of(w.field)
                if role != "none" and self.owned(w.field, name, members):
                    adapter.fields.setdefault(w.field, Field(w.field, role))
        for i in members:
            for w in self.direct_writes(self.fns[i]):
                if w.field in adapter.fields:
                    adapter.fields[w.field].writes.append(w)
        for f in adapter.role("deferred"):  # a flag or a counter, not a future or a task
            if not any(w.action == "set" and w.value != "…" for w in f.writes):
                del adapter.fields[f.name]
        for i in members:
            adapter.paths += self.paths_of(self.fns[i])
            adapter.events += self.event_refs(self.fns[i])
        for i in members:
            adapter.sends += self.sends(self.fns[i], adapter)
        deferred = {f.name for f in adapter.role("deferred")}
        # A flush path is labelled with its function's name: one in REALTIME_ONLY could
        # make the adapter Realtime code, so then the paths are analysed first.
        flush_names = {self.fns[i].name or "<anonymous>" for i in members} if deferred else set()
        if not flush_names & REALTIME_ONLY and not (
            (adapter.fields or adapter.events or adapter.sends) and adapter.realtime
        ):
            return None
        for path in adapter.paths:
            self.fill(path, adapter)
        for i in members if deferred else ():
            fn = self.fns[i]
            flush = LifecyclePath("flush", fn.name or "<anonymous>", i, fn.body, fn.name_span)
            self.fill(flush, adapter)
            if flush.emits and flush.tests & deferred:
                adapter.paths.append(flush)
        if (adapter.fields or adapter.events or adapter.sends) and adapter.realtime:
            return adapter
        return None

    def sends(self, fn: ir.Function, adapter: Adapter) -> list[Send]:
        """Each send in ``fn``, and whether a state field was set on every path before it."""
        calls = (e.call for e in walk_effects(fn.body) if isinstance(e, ir.Call))
        if not any(self.sends_create(call, fn) for call in calls):
            return []  # nothing to place on the CFG
        graph = cfgs.build(fn.body)
        found: dict[int, Send] = {}

        def step(node: cfgs.Node, fact: frozenset[str], record: bool = False) -> frozenset[str]:
            for effect in node.effects:
                w = self.write_of(effect, fn, {})
                if w is not None and w.field in adapter.fields:
                    fact = fact | {w.field} if w.action == "set" else fact - {w.field}
                elif record and isinstance(effect, ir.Call) and self.sends_create(effect.call, fn):
                    old = found.get(id(effect))
                    fields = fact if old is None else fact & old.fields
                    reserved = bool(fact) and (old is None or old.reserved)
                    found[id(effect)] = Send(effect.call.span, fn.index, reserved, fields)
            return fact

        facts = solve(graph, frozenset(), lambda _t, _v: frozenset(), step)
        for node, fact in zip(graph.nodes, facts, strict=True):
            if fact is not None:
                step(node, fact, record=True)
        return list(found.values())

    def sends_create(self, call: ir.VCall, fn: ir.Function) -> bool:
        known = self._creates.get(id(call))
        if known is None:
            known = self._creates[id(call)] = self._sends_create(call, fn)
        return known

    def _sends_create(self, call: ir.VCall, fn: ir.Function) -> bool:
        info = self.index.classify(call, fn)
        if info.kind is CallKind.EMIT:
            return info.emission is not None and not info.emission.out_of_band
        t = self.index.target(call, fn)
        return t is not None and self.may_emit(t)

    def role_of(self, name: str) -> Role | Literal["none"]:
        role = self._roles.get(name)
        if role is None:
            role = self._roles[name] = self._role_of(name)
        return role

    def _role_of(self, name: str) -> Role | Literal["none"]:
        n = norm(name)
        if self.vocab.is_active_flag(n) or n in self.vocab.idle_flags:
            return "active"
        if n in self.vocab.state_fields or ("response" in n and ("state" in n or "status" in n)):
            return "active"
        if any(w in n for w in DEFERRED_WORDS) and any(s in n for s in DEFERRED_SUBJECTS):
            return "deferred"
        return "none"

    def owned(self, name: str, owner: str, members: list[int]) -> bool:
        """A bare variable is state of a closure or module: written at its top and elsewhere."""
        if name.startswith("."):
            return True
        if owner not in self.closures and owner != "<module>":
            return False  # a class keeps its state in fields; bare names are locals
        writers = {w.function for i in members for w in self.direct_writes(self.fns[i])
                   if w.field == name}  # fmt: skip
        return len(writers) >= 2 and min(members) in writers

    # -- writes

    def classify(self, name: str, value: ir.Value) -> tuple[Action, str]:
        role = self.role_of(name)
        if isinstance(value, ir.VChoice):
            actions = {self.classify(name, o)[0] for o in value.options}
            return ("clear" if "clear" in actions else "other"), "…"
        if isinstance(value, ir.VConst):
            shown = repr(value.value)
            if norm(name) in self.vocab.idle_flags:
                return ("clear" if value.value else "set"), shown
            if role == "deferred" and isinstance(value.value, int | float) and value.value:
                return "set", shown
            return ("set" if value.value else "clear"), shown
        if role == "deferred":
            return "set", "…"
        member = None
        if isinstance(value, ir.VStr):
            member = value.value
        elif isinstance(value, ir.VName) and len(value.path) > 1:
            member = value.path[-1]
        if member is not None:
            m = norm(member)
            if m in self.vocab.idle_states:
                return "clear", member
            if m in self.vocab.busy_states or norm(name).endswith("id"):
                return "set", member
            if self.vocab.is_active_flag(norm(name)):
                return "set", member
            return "other", member
        if isinstance(value, ir.VSeq | ir.VObject):
            return "other", "…"
        return "set", "…"

    def direct_writes(self, fn: ir.Function) -> list[Write]:
        """The writes ``fn``'s own code makes (computed once per function)."""
        found = self._direct.get(fn.index)
        if found is None:
            effects = walk_effects(fn.body)
            found = [w for e in effects if (w := self.write_of(e, fn, {})) is not None]
            self._direct[fn.index] = found
        return found

    def write_of(
        self, effect: ir.Effect, fn: ir.Function, args: dict[str, ir.Value]
    ) -> Write | None:
        if isinstance(effect, ir.Assign):
            name = field_of(effect.target)
            if name is None or name in fn.params:
                return None
            value = effect.value
            if isinstance(value, ir.VName) and len(value.path) == 1 and value.path[0] in args:
                value = args[value.path[0]]
            action, shown = self.classify(name, value)
            return Write(name, action, effect.span, fn.index, shown, value)
        if isinstance(effect, ir.Call) and len(effect.call.callee) >= 2:
            callee = effect.call.callee
            name = field_of(callee[:-1])
            verb = callee[-1]
            if name is None or verb not in ("set", "clear") or effect.call.args:
                return None  # `event.set()`, not `map.set(key, value)`
            idle = norm(name) in self.vocab.idle_flags
            did: Action = "set" if (verb == "set") != idle else "clear"
            return Write(name, did, effect.call.span, fn.index, f".{verb}()")
        return None

    def summary(
        self, index: int, args: dict[str, ir.Value], depth: int = 0
    ) -> tuple[list[Write], frozenset[tuple[str, Action]]]:
        """(every write, the writes made on every path) of calling function ``index``."""
        key = index
        if not args and key in self._summaries:
            return self._summaries[key]
        if index in self._busy or depth > 6:
            return [], frozenset()
        self._busy.add(index)
        fn = self.fns[index]
        result = self.analyse(fn.body, fn, args, depth)
        self._busy.discard(index)
        if not args:
            self._summaries[key] = result
        return result

    def analyse(
        self, body: list[ir.Stmt], fn: ir.Function, args: dict[str, ir.Value], depth: int = 0
    ) -> tuple[list[Write], frozenset[tuple[str, Action]]]:
        """Writes of ``body`` (local calls followed) and the (field, action) made on every path."""
        graph = cfgs.build(body)
        writes: list[Write] = []

        def step(node: cfgs.Node, fact: frozenset[str]) -> frozenset[str]:
            out = set(fact)
            for effect in node.effects:
                found: list[Write] = []
                certain: frozenset[tuple[str, Action]] = frozenset()
                w = self.write_of(effect, fn, args)
                if w is not None:
                    found, certain = [w], frozenset({(w.field, w.action)})
                elif isinstance(effect, ir.Call):
                    target = self.index.target(effect.call, fn)
                    if target is not None and not self.dispatcher(target):
                        found, certain = self.summary(
                            target, self.bind(target, effect.call), depth + 1
                        )
                out |= {_key(f, a) for f, a in certain}
                if found and not writes_seen.get(node.id):
                    writes.extend(found)
            writes_seen[node.id] = True
            return frozenset(out)

        def edge(test: cfgs.Test, value: bool) -> frozenset[str]:
            name = self.falsy_on_edge(test, value)
            return frozenset({_key(name, "clear")}) if name is not None else frozenset()

        writes_seen: dict[int, bool] = {}
        facts = solve(graph, frozenset(), edge, step)
        end = facts[graph.exit] or frozenset()
        unique = list({(w.field, w.action, w.span, w.value): w for w in writes}.values())
        return unique, frozenset(_unkey(k) for k in end)

    def dispatcher(self, index: int) -> bool:
        """Does the function branch on an incoming event's type? Its branches are paths of
        their own, so a call to it (``self._receive(first)``) is not followed."""
        if index not in self._dispatchers:
            self._dispatchers[index] = any(
                next(_compared_events(c), None) is not None for c in _conds(self.fns[index].body)
            )
        return self._dispatchers[index]

    def falsy_on_edge(self, test: cfgs.Test, value: bool) -> str | None:
        """The field a branch proves already clear: ``if not self._x: return``."""
        if isinstance(test, ir.CAtom) and isinstance(test.value, ir.VName) and not value:
            return field_of(test.value.path)
        if isinstance(test, ir.CCompare) and isinstance(test.right, ir.VConst):
            left = test.left
            if test.right.value is None and isinstance(left, ir.VName):
                holds = value != (test.op in ("!=", "is not"))
                return field_of(left.path) if holds else None
        return None

    def bind(self, target: int, call: ir.VCall) -> dict[str, ir.Value]:
        params = [p for p in self.fns[target].params if p not in ("self", "this", "cls")]
        return {p: a for p, a in zip(params, call.args, strict=False)}

    def may_emit(self, index: int, seen: frozenset[int] = frozenset()) -> bool:
        if index in self._emits:
            return self._emits[index]
        found = index in self.emitting
        if not found and index not in seen:
            fn = self.fns[index]
            for effect in walk_effects(fn.body):
                if isinstance(effect, ir.Call):
                    t = self.index.target(effect.call, fn)
                    if t is not None and self.may_emit(t, seen | {index}):
                        found = True
                        break
        if not seen:
            self._emits[index] = found
        return found

    def body_emits(self, body: list[ir.Stmt], fn: ir.Function) -> bool:
        for effect in walk_effects(body):
            if not isinstance(effect, ir.Call):
                continue
            info = self.index.classify(effect.call, fn)
            if info.kind is CallKind.EMIT and info.emission and not info.emission.out_of_band:
                return True
            t = self.index.target(effect.call, fn)
            if t is not None and self.may_emit(t):
                return True
        return False

    # -- paths

    def paths_of(self, fn: ir.Function) -> Iterator[LifecyclePath]:
        name = norm(fn.name)
        for event in (fn.callback_event, self.registered.get(fn.index)):
            if event is None:
                continue
            if event in CLOSE_EVENTS:
                yield LifecyclePath("close", event, fn.index, fn.body, fn.name_span)
            elif event in self.vocab.fresh_events:
                yield LifecyclePath("connect", event, fn.index, fn.body, fn.name_span)
            else:
                yield LifecyclePath("event", event, fn.index, fn.body, fn.name_span)
        if fn.callback_event is None and fn.index not in self.registered:
            named = self.named_event(name)
            if named is not None:
                yield LifecyclePath("event", named, fn.index, fn.body, fn.name_span)
        via = norm(fn.callback_of[-1]) if fn.callback_of else ""
        if name in CONNECT_NAMES or (fn.kind == "lambda" and "connect" in via):
            yield LifecyclePath("connect", fn.name or "<callback>", fn.index, fn.body, fn.name_span)
        if name in CLOSE_NAMES:
            yield LifecyclePath("close", fn.name, fn.index, fn.body, fn.name_span)
        if fn.index in self.emitting:
            yield LifecyclePath("send", fn.name or "<anonymous>", fn.index, fn.body, fn.name_span)
        loops = any(isinstance(s, ir.Loop) for s in walk_stmts(fn.body))
        for stmt in walk_stmts(fn.body):
            if isinstance(stmt, ir.If):
                for event, span in _compared_events(stmt.cond):
                    kind: PathKind = "connect" if event in self.vocab.fresh_events else "event"
                    yield LifecyclePath(kind, event, fn.index, stmt.then, span)
            elif isinstance(stmt, ir.Switch):
                for case in stmt.cases:
                    if case.test is not None:
                        for event, span in _compared_events(case.test):
                            yield LifecyclePath("event", event, fn.index, case.body, span)
            elif isinstance(stmt, ir.Try) and stmt.finalbody and loops:
                yield LifecyclePath("close", f"finally of {fn.name}", fn.index, stmt.finalbody,
                                    stmt.span)  # fmt: skip

    def named_event(self, name: str) -> str | None:
        """``on_response_done`` / ``handleResponseCreated`` → the event name."""
        for prefix in ("on", "handle", "handler", "onserver", "handleserver"):
            if name.startswith(prefix):
                rest = name[len(prefix) :]
                for event in ("response.done", "response.created", "response.cancelled"):
                    if rest == norm(event):
                        return event
                if rest in ("errorevent", "servererror", "realtimeerror"):
                    return "error"
        if name in self.vocab.terminal_handlers:
            return "response.done"
        return None

    def fill(self, path: LifecyclePath, adapter: Adapter) -> None:
        fn = self.fns[path.function]
        writes, certain = self.analyse(path.body, fn, {})
        path.writes = [w for w in writes if w.field in adapter.fields]
        path.certain = frozenset((f, a) for f, a in certain if f in adapter.fields)
        path.reads = frozenset(self.reads(path.body, fn, adapter, 0))
        path.tests = frozenset(self.reads(path.body, fn, adapter, _DEPTH))
        path.emits = self.body_emits(path.body, fn)
        path.status_clears = [w for w in self.status_writes(path.body, fn)
                              if w.action == "clear" and w.field in adapter.fields]  # fmt: skip

    def reads(
        self, body: list[ir.Stmt], fn: ir.Function, adapter: Adapter, depth: int
    ) -> Iterator[str]:
        for cond in _conds(body):
            for v in _values(cond):
                if isinstance(v, ir.VName | ir.VCall):
                    path = v.path if isinstance(v, ir.VName) else v.callee
                    for cut in (path, path[:-1]):
                        name = field_of(cut) if cut else None
                        if name in adapter.fields:
                            yield name
        if depth < _DEPTH:
            for effect in walk_effects(body):
                if isinstance(effect, ir.Call):
                    t = self.index.target(effect.call, fn)
                    if t is not None and t != fn.index:
                        yield from self.reads(self.fns[t].body, self.fns[t], adapter, depth + 1)

    def status_writes(self, body: list[ir.Stmt], fn: ir.Function) -> Iterator[Write]:
        """Writes in the branches of an ``if`` on the response's status (calls followed)."""
        for stmt in walk_stmts(body):
            if isinstance(stmt, ir.If) and _tests_status(stmt.cond):
                yield from self.analyse(stmt.then, fn, {})[0]
                yield from self.analyse(stmt.orelse, fn, {})[0]

    # -- event names

    def event_refs(self, fn: ir.Function) -> Iterator[EventRef]:
        for stmt in walk_stmts(fn.body):
            conds: list[ir.Cond] = []
            if isinstance(stmt, ir.If):
                conds = [stmt.cond]
            elif isinstance(stmt, ir.Switch):
                conds = [c.test for c in stmt.cases if c.test is not None]
            for cond in conds:
                for event, span in _compared_events(cond):
                    if is_realtime_shaped(event):
                        yield EventRef(event, "server", span, fn.index)
        for effect in walk_effects(fn.body):
            if not isinstance(effect, ir.Call):
                continue
            call = effect.call
            last = norm(call.callee[-1]) if call.callee else ""
            if last in _LISTEN and call.args and isinstance(call.args[0], ir.VStr):
                name = call.args[0].value
                if is_realtime_shaped(name) and len(call.args) >= 2:
                    yield EventRef(name, "server", call.args[0].span, fn.index)
            for arg in call.args:
                if isinstance(arg, ir.VObject):
                    kind = arg.get("type")
                    if isinstance(kind, ir.VStr) and is_realtime_shaped(kind.value):
                        yield EventRef(kind.value, "client", kind.span, fn.index)


_DEPTH = 3
"""How deep reads are followed into called functions."""
_LISTEN = frozenset({"on", "once", "addlistener", "addeventlistener", "off", "prependlistener"})


def _key(name: str, action: Action) -> str:
    """A (field, action) pair as a dataflow fact (facts are strings)."""
    return f"{name} {action}"


def _unkey(key: str) -> tuple[str, Action]:
    name, _, action = key.rpartition(" ")
    return name, cast(Action, action)


def _compared_events(cond: ir.Cond) -> Iterator[tuple[str, ir.Span]]:
    """Event names ``cond`` compares the incoming type with (``==``, ``in``, ``or``)."""
    if isinstance(cond, ir.COr):
        yield from _compared_events(cond.left)
        yield from _compared_events(cond.right)
        return
    if not isinstance(cond, ir.CCompare) or cond.op not in ("==", "is", "in"):
        return
    left, right = cond.left, cond.right
    if isinstance(left, ir.VStr | ir.VSeq):
        left, right = right, left
    if not _reads_event_type(left):
        return
    items = right.items if isinstance(right, ir.VSeq) else (right,)
    for item in items:
        if isinstance(item, ir.VStr):
            yield item.value, item.span


def _conds(body: list[ir.Stmt]) -> Iterator[ir.Cond]:
    for stmt in walk_stmts(body):
        if isinstance(stmt, ir.Switch):
            tests = [case.test for case in stmt.cases]
        elif isinstance(stmt, ir.If | ir.Loop):
            tests = [stmt.cond]
        else:
            continue
        yield from (t for t in tests if t is not None)


def _values(cond: ir.Cond) -> Iterator[ir.Value]:
    if isinstance(cond, ir.CNot):
        yield from _values(cond.operand)
    elif isinstance(cond, ir.CAnd | ir.COr):
        yield from _values(cond.left)
        yield from _values(cond.right)
    elif isinstance(cond, ir.CCompare):
        yield from _expand(cond.left)
        yield from _expand(cond.right)
    elif isinstance(cond, ir.CAtom):
        yield from _expand(cond.value)


def _expand(v: ir.Value) -> Iterator[ir.Value]:
    yield v
    if isinstance(v, ir.VCond):
        yield from _values(v.cond)
    elif isinstance(v, ir.VSeq | ir.VChoice):
        for item in v.items if isinstance(v, ir.VSeq) else v.options:
            yield from _expand(item)
    elif isinstance(v, ir.VCall):
        for a in v.args:
            yield from _expand(a)


# --------------------------------------------------------------------------- queries


def shown(name: str) -> str:
    """A field as messages spell it: ``._response_active`` → ``_response_active``."""
    return name.lstrip(".")


def terminal_paths(adapter: Adapter, vocab: Vocabulary) -> list[LifecyclePath]:
    """The paths that run when a response ends (``response.done``)."""
    return [p for p in adapter.paths if p.kind == "event" and p.label in vocab.terminal_events]


def where(path: LifecyclePath) -> str:
    """``response.done, line 12`` / ``close, line 40``."""
    return f"`{path.label}`, line {path.span.line}"


def _tests_status(cond: ir.Cond) -> bool:
    for v in _values(cond):
        if isinstance(v, ir.VName) and norm(v.path[-1]) == "status":
            return True
        if isinstance(v, ir.VStr) and v.value in STATUS_WORDS:
            return True
    return False
