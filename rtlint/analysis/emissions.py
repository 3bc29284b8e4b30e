"""Emission detection: which calls send ``response.create``, and what other calls mean.

Works on IR values only, so one implementation serves both languages. A call is
classified as one of :class:`CallKind`; an emission records how it was recognised
and where the event was built when that is elsewhere (a literal assigned to a
variable, a builder method's return value).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

from rtlint import ir
from rtlint.analysis.guards import GuardClassifier
from rtlint.vocabulary import Vocabulary, norm

CREATE = "response.create"
_JSON_CREATE = re.compile(r"""["']type["']\s*:\s*["']response\.create["']""")
_JSON_OOB = re.compile(r"""["']conversation["']\s*:\s*["']none["']""")
_RESPONSES_API_KEYS = frozenset({"model", "input", "previous_response_id", "store"})
_RESPONSES_ENDPOINT = re.compile(r"^(?:[a-z]+://\S*?)?/(?:v1/)?responses/?(?:\?|$)")
"""A Responses API endpoint: ``/responses``, ``wss://host/v1/responses?…``."""
_RESPONSES_WS_IMPORT = re.compile(
    rb"^[ \t]*(?:from\s|import\s|\})[^\n]*responses[./_-]?(?:ws|websocket|socket)\b",
    re.IGNORECASE | re.MULTILINE,
)
"""An import of a Responses WebSocket client (``ResponsesWS``, ``…/responses/ws``)."""
_CONVERSION_PREFIX = re.compile(r"^_*(?:to|from)(?!_?[tT]hread)(?:_|[A-Z])")
"""``to_wire``, ``toWireEvent``, ``from_dict``: a conversion, not a send
(``asyncio.to_thread(ws.send, event)`` runs the send)."""
_REALTIME_ONLY_MARKERS = (
    "response.done", "realtime", "input_audio_buffer", "session.update", "conversation.item",
    "response.output_audio", "response.audio_transcript",
)  # fmt: skip
"""Strings that only Realtime API code mentions (the Responses API has `response.create` too,
and `response.audio.delta`/`.done`)."""


class CallKind(enum.Enum):
    OTHER = "other"
    EMIT = "emit"
    """Sends ``response.create``."""
    ROUTED = "routed"
    """Hands a response request to a sequencer/queue: compliant."""
    LOCAL = "local"
    """Calls a function defined in this file."""
    FRESH = "fresh"
    """Opens a fresh connection: no response can be active after it."""
    CLEAR = "clear"
    """Records that the active response ended."""


@dataclass(frozen=True)
class CreateEvent:
    """A value that is a ``response.create`` event; ``span`` is where it was built."""

    span: ir.Span
    out_of_band: bool


@dataclass(frozen=True)
class Emission:
    call: ir.VCall
    how: str
    """literal | variable | builder | sdk | string-event | constructor | helper-name | json"""
    event: CreateEvent | None
    out_of_band: bool


@dataclass(frozen=True)
class CallInfo:
    kind: CallKind
    emission: Emission | None = None
    target: int | None = None
    """For LOCAL calls: the index of the called function."""


OTHER = CallInfo(CallKind.OTHER)


def walk_effects(body: list[ir.Stmt]) -> Iterator[ir.Effect]:
    """Every effect of a structured body (not of nested functions)."""
    for stmt in walk_stmts(body):
        if isinstance(stmt, ir.Effects):
            yield from stmt.effects
        elif isinstance(stmt, ir.If | ir.Switch | ir.Return | ir.Raise):
            yield from stmt.prelude
        elif isinstance(stmt, ir.Loop):
            yield from stmt.prelude
            yield from stmt.update


def walk_stmts(body: list[ir.Stmt]) -> Iterator[ir.Stmt]:
    """Every statement of a structured body, nested ones included."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, ir.If):
            yield from walk_stmts(stmt.then)
            yield from walk_stmts(stmt.orelse)
        elif isinstance(stmt, ir.Loop):
            yield from walk_stmts(stmt.body)
            yield from walk_stmts(stmt.orelse)
        elif isinstance(stmt, ir.Try):
            yield from walk_stmts(stmt.body)
            for h in stmt.handlers:
                yield from walk_stmts(h)
            yield from walk_stmts(stmt.orelse)
            yield from walk_stmts(stmt.finalbody)
        elif isinstance(stmt, ir.Switch):
            for case in stmt.cases:
                yield from walk_stmts(case.body)
        elif isinstance(stmt, ir.Labeled):
            yield from walk_stmts(stmt.body)


class ModuleIndex:
    """Per-file lookups shared by the analyses: scopes, local values, call targets."""

    def __init__(self, module: ir.Module, vocab: Vocabulary) -> None:
        self.module = module
        self.vocab = vocab
        self.functions = module.functions
        self.envs: list[dict[ir.Path, list[ir.Value]]] = []
        self.returns: list[list[ir.Value]] = []
        for fn in self.functions:
            env: dict[ir.Path, list[ir.Value]] = {}
            for effect in walk_effects(fn.body):
                if isinstance(effect, ir.Assign):
                    env.setdefault(effect.target, []).append(effect.value)
            self.envs.append(env)
            self.returns.append(
                [s.value for s in walk_stmts(fn.body) if isinstance(s, ir.Return) and s.value]
            )
        self.methods: dict[tuple[str, str], int] = {}
        self.methods_named: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for fn in self.functions[1:]:
            if fn.kind == "method" and fn.class_name is not None:
                self.methods.setdefault((fn.class_name, fn.name), fn.index)
                self.methods_named.setdefault(fn.name, []).append(fn.index)
            elif fn.name:
                self.by_name.setdefault(fn.name, []).append(fn.index)
        text_hints = " ".join(module.strings).lower()
        connects = {
            e.call.callee[-2]
            for f in self.functions
            for e in walk_effects(f.body)
            if isinstance(e, ir.Call) and e.call.callee[-2:-1] and e.call.callee[-1] == "connect"
        }
        realtime_evidence = "realtime" in connects or any(
            m in text_hints for m in _REALTIME_ONLY_MARKERS
        )
        self.realtime = realtime_evidence or "response.create" in text_hints
        self.responses_api = not realtime_evidence and (
            "responses" in connects or _responses_signals(module)
        )
        self._builder_memo: dict[int, CreateEvent | None] = {}
        self._dispatch_memo: dict[int, bool] = {}
        self._members: dict[str, list[ir.Function]] | None = None

    # -- scopes

    def class_of(self, fn: ir.Function) -> str | None:
        """The class whose ``self``/``this`` is in scope in ``fn`` (closures see their method's)."""
        cur: ir.Function | None = fn
        while cur is not None:
            if cur.kind == "method" and cur.class_name is not None:
                return cur.class_name
            if cur.kind == "function" and cur.parent is not None and fn is not cur:
                return None  # a nested plain function rebinds `this` in JS; Python has no self
            cur = self.functions[cur.parent] if cur.parent is not None else None
        return None

    def members(self, cls: str) -> list[ir.Function]:
        """The functions, in file order, whose ``self``/``this`` is ``cls`` (:meth:`class_of`)."""
        if self._members is None:
            self._members = {}
            for fn in self.functions:
                owner = self.class_of(fn)
                if owner is not None:
                    self._members.setdefault(owner, []).append(fn)
        return self._members.get(cls, [])

    def lookup(self, fn: ir.Function, path: ir.Path) -> list[ir.Value]:
        """Values assigned to ``path`` in ``fn`` or, for plain names, an enclosing function."""
        cur: ir.Function | None = fn
        while cur is not None:
            found = self.envs[cur.index].get(path)
            if found:
                return found
            if path[0] in ("self", "this") or path[0] in cur.params:
                return []
            cur = self.functions[cur.parent] if cur.parent is not None else None
        return []

    def single_value(self, fn: ir.Function, path: ir.Path) -> ir.Value | None:
        """The value of a local assigned exactly once in ``fn`` (for guard aliases)."""
        values = self.envs[fn.index].get(path)
        return values[0] if values and len(values) == 1 else None

    def target(self, call: ir.VCall, fn: ir.Function) -> int | None:
        """The function in this file that ``call`` calls, when it can be told."""
        callee = call.callee
        if len(callee) == 2 and callee[0] in ("self", "this"):
            cls = self.class_of(fn)
            if cls is None:
                return None
            own = self.methods.get((cls, callee[1]))
            if own is not None:
                return own
            # Inherited from (or overridden in) another class of this file: one definition only.
            others = self.methods_named.get(callee[1], [])
            return others[0] if len(others) == 1 else None
        if len(callee) == 1:
            candidates = self.by_name.get(callee[0])
            if not candidates:
                return None
            scope = self._scope_chain(fn)
            best = [c for c in candidates if self.functions[c].parent in scope]
            if best:
                return max(best, key=lambda c: scope.index(self.functions[c].parent or 0) * -1)
            return None
        return None

    def _scope_chain(self, fn: ir.Function) -> list[int]:
        chain: list[int] = []
        cur: ir.Function | None = fn
        while cur is not None:
            chain.append(cur.index)
            cur = self.functions[cur.parent] if cur.parent is not None else None
        return chain

    # -- values

    def create_event(self, v: ir.Value, fn: ir.Function, depth: int = 0) -> CreateEvent | None:
        """Is ``v`` a Realtime ``response.create`` event (and where was it built)?"""
        if depth > 6:
            return None
        if isinstance(v, ir.VObject):
            t = v.get("type")
            if isinstance(t, ir.VName) and depth < 6:
                values = self.lookup(fn, t.path)
                t = values[0] if len(values) == 1 else t
            if not (isinstance(t, ir.VStr) and t.value == CREATE):
                return None
            if any(k in _RESPONSES_API_KEYS for k, _ in v.entries):
                return None
            return CreateEvent(v.span, _out_of_band(v.get("response")))
        if isinstance(v, ir.VStr):
            if _JSON_CREATE.search(v.value) and _is_json_object(v.value):
                return CreateEvent(v.span, bool(_JSON_OOB.search(v.value)))
            return None
        if isinstance(v, ir.VChoice):
            for option in v.options:
                found = self.create_event(option, fn, depth + 1)
                if found is not None:
                    return found
            return None
        if isinstance(v, ir.VCond):
            for atom in _atoms(v.cond):
                found = self.create_event(atom, fn, depth + 1)
                if found is not None:
                    return found
            return None
        if isinstance(v, ir.VName):
            if self._responses_fields(fn, v.path):
                return None  # `frame["input"] = ...` later: a Responses API request
            for value in self.lookup(fn, v.path) or self._class_attribute(fn, v.path):
                found = self.create_event(value, fn, depth + 1)
                if found is not None:
                    return found
            return self._built_by_fields(v.path, fn)
        if isinstance(v, ir.VSeq):
            # A batch handed to a bridge or RPC call: `forward([item_event, create_event])`.
            for item in v.items:
                found = self.create_event(item, fn, depth + 1)
                if found is not None:
                    return found
            return None
        if isinstance(v, ir.VCall) and v.callee:
            name = norm(v.callee[-1])
            typed = v.kwarg("type")
            if self._is_create_class(name) or (
                isinstance(typed, ir.VStr) and typed.value == CREATE
            ):
                oob = _out_of_band(v.kwarg("response")) or any(
                    isinstance(a, ir.VObject) and _out_of_band(a.get("response")) for a in v.args
                )
                return CreateEvent(v.span, oob)
            if name in self.vocab.json_wrappers or norm(".".join(v.callee)) in (
                self.vocab.json_wrappers
            ):
                for arg in v.args:
                    found = self.create_event(arg, fn, depth + 1)
                    if found is not None:
                        return found
                if v.receiver is not None:
                    return self.create_event(v.receiver, fn, depth + 1)
                if len(v.callee) > 1 and v.callee[-1] in ("model_copy", "copy"):
                    return self.create_event(ir.VName(v.callee[:-1], v.span), fn, depth + 1)
                return None
            target = self.target(v, fn)
            if target is not None:
                return self.builds_create(target, depth + 1)
            if v.callee[-1][:1].isupper():
                # A wrapper object carrying the event: RawMessage(message={"type": ...}).
                for arg in (*v.args, *(value for _, value in v.kwargs)):
                    found = self.create_event(arg, fn, depth + 1)
                    if found is not None:
                        return found
        return None

    def _class_attribute(self, fn: ir.Function, path: ir.Path) -> list[ir.Value]:
        """Values of a class attribute read through ``self``/``this`` (``self.REPLY_EVENT``),
        or of a field the class's constructor sets."""
        cls = self.class_of(fn) if len(path) == 2 and path[0] in ("self", "this") else None
        if cls is None:
            return []
        found = self.lookup(fn, (cls, path[1]))
        for ctor in ("__init__", "constructor"):
            index = self.methods.get((cls, ctor))
            if index is not None and index != fn.index:
                found = found + self.envs[index].get(path, [])
        return found

    def _responses_fields(self, fn: ir.Function, path: ir.Path) -> bool:
        """Are Responses-API fields (``input``, ``previous_response_id``) assigned to ``path``?"""
        return any(self.lookup(fn, (*path, key)) for key in _RESPONSES_API_KEYS)

    def _built_by_fields(self, path: ir.Path, fn: ir.Function) -> CreateEvent | None:
        """A frame built field by field: ``frame["type"] = "response.create"`` (``frame.type``)."""
        types = self.lookup(fn, (*path, "type"))
        built = [t for t in types if isinstance(t, ir.VStr) and t.value == CREATE]
        if not built:
            return None
        oob = any(_out_of_band(r) for r in self.lookup(fn, (*path, "response"))) or any(
            isinstance(c, ir.VStr) and c.value == "none"
            for c in self.lookup(fn, (*path, "response", "conversation"))
        )
        return CreateEvent(built[0].span, oob)

    def carries_event(self, v: ir.Value, fn: ir.Function, event: str, depth: int = 0) -> bool:
        """Is ``v`` (or what a serializer call wraps) a client event of type ``event``?"""
        if depth > 4:
            return False
        if isinstance(v, ir.VObject):
            t = v.get("type")
            return isinstance(t, ir.VStr) and t.value == event
        if isinstance(v, ir.VName):
            return any(self.carries_event(x, fn, event, depth + 1) for x in self.lookup(fn, v.path))
        if isinstance(v, ir.VCall) and v.callee and norm(v.callee[-1]) in self.vocab.json_wrappers:
            return any(self.carries_event(a, fn, event, depth + 1) for a in v.args)
        return False

    def _is_create_class(self, name: str) -> bool:
        """``ResponseCreateEvent``, also behind a prefix (``OpenAIResponseCreateEvent``)."""
        return any(name.endswith(c) for c in self.vocab.create_event_classes)

    def builds_create(self, index: int, depth: int = 0) -> CreateEvent | None:
        """Does the function at ``index`` return a ``response.create`` event?"""
        if index in self._builder_memo:
            return self._builder_memo[index]
        self._builder_memo[index] = None  # recursion guard
        fn = self.functions[index]
        result = None
        for value in self.returns[index]:
            result = self.create_event(value, fn, depth)
            if result is not None:
                break
        self._builder_memo[index] = result
        return result

    def dispatches_on_type(self, index: int) -> bool:
        """Does the function inspect a parameter's ``type`` for ``response.create``?

        Such a generic ``sendEvent(event)`` routes creates (typically to a sequencer).
        """
        if index not in self._dispatch_memo:
            fn = self.functions[index]
            self._dispatch_memo[index] = any(
                _tests_create_type(c, fn.params) for c in _conds(fn.body)
            )
        return self._dispatch_memo[index]

    # -- calls

    def classify(self, call: ir.VCall, fn: ir.Function) -> CallInfo:
        """What a call means for the active-response state."""
        callee = call.callee
        last = norm(callee[-1]) if callee else ""
        if self.responses_api:
            return OTHER
        if len(callee) >= 2 and callee[-2:] == ("response", "create"):
            if any(k in _RESPONSES_API_KEYS for k, _ in call.kwargs):
                return OTHER
            oob = _out_of_band(call.kwarg("response")) or any(
                isinstance(a, ir.VObject) and _out_of_band(a.get("response")) for a in call.args
            )
            return CallInfo(CallKind.EMIT, Emission(call, "sdk", None, oob))
        if last in self.vocab.not_sends or last in self.vocab.json_wrappers or _asserts(call):
            return OTHER
        if self._converts(callee):
            return OTHER
        if self._is_create_class(last) or (callee and callee[-1][:1].isupper()):
            return OTHER  # a constructor builds a value; the call that sends it is the emission
        if last in self.vocab.connect_calls:
            return CallInfo(CallKind.FRESH)
        target = self.target(call, fn)
        event = self._event_argument(call, fn)
        if event is not None:
            if last in self.vocab.queue_methods or self._routes(last):
                return CallInfo(CallKind.ROUTED)
            if self._routes_by_type(call, fn, target):
                return CallInfo(CallKind.ROUTED)
            how, built = event
            return CallInfo(CallKind.EMIT, Emission(call, how, built, built.out_of_band))
        if (
            call.args
            and isinstance(call.args[0], ir.VStr)
            and call.args[0].value == CREATE
            and any(w in last for w in self.vocab.send_words)
        ):
            oob = any(
                isinstance(a, ir.VObject) and _out_of_band(a.get("response")) for a in call.args
            )
            return CallInfo(CallKind.EMIT, Emission(call, "string-event", None, oob))
        if target is not None:
            return CallInfo(CallKind.LOCAL, target=target)
        if last in self.vocab.clear_calls or self._waits_until_idle(call, last):
            return CallInfo(CallKind.CLEAR)
        if self._routes(last) and "response" in last:
            return CallInfo(CallKind.ROUTED)
        if last in self.vocab.emitter_helpers and self.realtime:
            return CallInfo(CallKind.EMIT, Emission(call, "helper-name", None, False))
        return OTHER

    def _converts(self, callee: ir.Path) -> bool:
        """A conversion, serialisation or checking helper (``to_wire_event``, ``convertRawMessage``,
        ``verify_client_event``): an event handed to it is not sent."""
        raw = callee[-1] if callee else ""
        name = norm(raw)
        if not name or any(w in name for w in self.vocab.send_words):
            return False
        return (
            any(w in name for w in self.vocab.conversion_words)
            or name.startswith(self.vocab.check_prefixes)
            or _CONVERSION_PREFIX.match(raw) is not None
        )

    def _passes_batches(self, call: ir.VCall) -> bool:
        """A send, bridge or RPC call: a list of events handed to it goes on the wire."""
        name = norm(call.callee[-1]) if call.callee else ""
        return any(w in name for w in (*self.vocab.send_words, *self.vocab.bridge_words))

    def _routes_by_type(self, call: ir.VCall, fn: ir.Function, target: int | None) -> bool:
        """A generic ``sendEvent(event)`` that routes creates: its definition here, or every
        override in the file when the method is abstract in the caller's class."""
        if target is not None:
            return self.dispatches_on_type(target)
        if len(call.callee) == 2 and call.callee[0] in ("self", "this"):
            overrides = self.methods_named.get(call.callee[1], [])
            return bool(overrides) and all(self.dispatches_on_type(i) for i in overrides)
        return False

    def _waits_until_idle(self, call: ir.VCall, last: str) -> bool:
        """``await cond.wait_for(lambda: not self._response_active)``: idle once it returns."""
        if last == "wait" and len(call.callee) > 1:
            # `await self._response_done.wait()`: an event that is set when no response is active.
            return norm(call.callee[-2]) in self.vocab.idle_flags
        if last not in ("waitfor", "waituntil", "until"):
            return False
        for arg in call.args:
            if not isinstance(arg, ir.VFunc):
                continue
            waiter = self.functions[arg.index]
            for stmt in waiter.body:
                if isinstance(stmt, ir.Return) and isinstance(stmt.value, ir.VCond | ir.VName):
                    cond = (
                        stmt.value.cond
                        if isinstance(stmt.value, ir.VCond)
                        else ir.CAtom(stmt.value)
                    )
                    classifier = GuardClassifier(self.vocab, waiter.params, lambda _: None)
                    if classifier.proves_idle(cond, True):
                        return True
        return False

    def _routes(self, name: str) -> bool:
        return any(name.startswith(p) for p in self.vocab.routing_prefixes)

    def _event_argument(self, call: ir.VCall, fn: ir.Function) -> tuple[str, CreateEvent] | None:
        for arg in (*call.args, *(v for _, v in call.kwargs)):
            if isinstance(arg, ir.VSeq) and not self._passes_batches(call):
                continue
            found = self.create_event(arg, fn)
            if found is not None:
                return _how(arg, found), found
        return None


def _responses_signals(module: ir.Module) -> bool:
    """Does the module talk to the Responses API: its endpoint, or a Responses WebSocket client?"""
    return (
        b"/v1/responses" in module.source
        or any(_RESPONSES_ENDPOINT.search(s) for s in module.strings)
        or _RESPONSES_WS_IMPORT.search(module.source) is not None
    )


def _asserts(call: ir.VCall) -> bool:
    """Test assertions: ``assert…(...)``, ``expect(x).toEqual(...)``, ``self.assertIn(...)``."""
    last = call.callee[-1] if call.callee else ""
    if last.startswith("assert") or call.callee[:1] in (("expect",), ("assert",)):
        return True
    receiver = call.receiver
    while isinstance(receiver, ir.VCall):
        if receiver.callee[:1] in (("expect",), ("assert",)):
            return True
        receiver = receiver.receiver
    return False


def _how(arg: ir.Value, event: CreateEvent) -> str:
    if isinstance(arg, ir.VObject):
        return "literal"
    if isinstance(arg, ir.VStr):
        return "json"
    if isinstance(arg, ir.VName):
        return "variable"
    if isinstance(arg, ir.VCall) and event.span == arg.span:
        return "constructor"
    if isinstance(arg, ir.VCall) and arg.args and event.span == arg.args[0].span:
        return "literal"
    return "builder" if isinstance(arg, ir.VCall) else "literal"


def _is_json_object(text: str) -> bool:
    """Serialized JSON (perhaps templated), not prose that quotes an event."""
    text = text.strip()
    return text.startswith("{") and text.endswith("}")


def _out_of_band(v: ir.Value | None) -> bool:
    if isinstance(v, ir.VObject):
        conversation = v.get("conversation")
        return isinstance(conversation, ir.VStr) and conversation.value == "none"
    return False


def _atoms(cond: ir.Cond) -> Iterator[ir.Value]:
    """The operand values of a boolean expression (``a or {...}`` has ``a`` and ``{...}``)."""
    if isinstance(cond, ir.CNot):
        yield from _atoms(cond.operand)
    elif isinstance(cond, ir.CAnd | ir.COr):
        yield from _atoms(cond.left)
        yield from _atoms(cond.right)
    elif isinstance(cond, ir.CAtom):
        yield cond.value


def _conds(body: list[ir.Stmt]) -> Iterator[ir.Cond]:
    for stmt in walk_stmts(body):
        if isinstance(stmt, ir.If):
            yield stmt.cond
        elif isinstance(stmt, ir.Switch):
            yield from (c.test for c in stmt.cases if c.test is not None)


def _tests_create_type(cond: ir.Cond, params: tuple[str, ...]) -> bool:
    if isinstance(cond, ir.CNot):
        return _tests_create_type(cond.operand, params)
    if isinstance(cond, ir.CAnd | ir.COr):
        return _tests_create_type(cond.left, params) or _tests_create_type(cond.right, params)
    if isinstance(cond, ir.CCompare):
        sides = (cond.left, cond.right)
        has_create = any(isinstance(s, ir.VStr) and s.value == CREATE for s in sides)
        reads_param = any(
            isinstance(s, ir.VName) and s.path[0] in params and s.path[-1] == "type" for s in sides
        )
        return has_create and reads_param
    return False
