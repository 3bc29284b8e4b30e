"""Emission detection: which calls send ``response.create``, and what other calls mean.

Works on IR values only, so one implementation serves both languages. A call is
classified as one of :class:`CallKind`; an emission records how it was recognised
and where the event was built when that is elsewhere (a literal assigned to a
variable, a builder method's return value).
"""

from __future__ import annotations

import copy
import enum
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rtlint import ir
from rtlint.analysis.guards import AMBIENT, GuardClassifier
from rtlint.analysis.summaries import ClassSummary, ExternalView, FunctionSummary, Guard
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


@dataclass(unsafe_hash=True, slots=True)
class CreateEvent:
    """A value that is a ``response.create`` event; ``span`` is where it was built."""

    span: ir.Span
    out_of_band: bool


@dataclass(unsafe_hash=True, slots=True)
class Emission:
    call: ir.VCall
    how: str
    """literal | variable | builder | sdk | string-event | constructor | helper-name | json"""
    event: CreateEvent | None
    out_of_band: bool


@dataclass(unsafe_hash=True, slots=True)
class CallInfo:
    kind: CallKind
    emission: Emission | None = None
    target: int | None = None
    """For LOCAL calls: the index of the called function."""


OTHER = CallInfo(CallKind.OTHER)
ASSUMED = ir.Span(-1, -1, 0, 0, 0, 0)
"""Where a parameter assumed to hold a ``response.create`` event (for summaries) was built."""
_ASSUMED_EVENT = ir.VObject((("type", ir.VStr(CREATE, ASSUMED)),), False, ASSUMED)
_ANNOTATION = re.compile(
    rb"(?:\b|#)([A-Za-z_]\w*+)\s*+[?!]?\s*(?::\s*+([A-Z][\w.]*+)|(?::[^=;\n]*)?=\s*+"
    rb"(?:await\s+)?(?:new\s+)?([A-Z][\w.]*+)\s*\()"
)
"""``name: Type`` or ``name = Type(...)`` (parameters, attributes, class fields): the type
of a receiver, declared or constructed. The quantifiers are possessive (giving back a
character could not make a match: the next part cannot start with it), which spares the
backtracking through every word of the file."""


def walk_effects(body: list[ir.Stmt]) -> Iterator[ir.Effect]:
    """Every effect of a structured body (not of nested functions)."""
    return iter(_walked(body)[2])


def walk_stmts(body: list[ir.Stmt]) -> Iterator[ir.Stmt]:
    """Every statement of a structured body, nested ones included, in source order."""
    return iter(_walked(body)[1])


_WALKS: dict[int, tuple[list[ir.Stmt], list[ir.Stmt], list[ir.Effect]]] = {}
"""Bodies walked, by identity: the analyses walk each function's body many times. The
body is kept with its walk, so an identity is never confused with a later body's."""


def forget_walks() -> None:
    """Drop the remembered walks (after a file: its bodies are not walked again)."""
    _WALKS.clear()


def _walked(body: list[ir.Stmt]) -> tuple[list[ir.Stmt], list[ir.Stmt], list[ir.Effect]]:
    known = _WALKS.get(id(body))
    if known is not None and known[0] is body:
        return known
    stmts: list[ir.Stmt] = []
    stack = body[::-1]
    while stack:
        stmt = stack.pop()
        stmts.append(stmt)
        nested = _NESTED.get(type(stmt))
        if nested is not None:
            for inner in reversed(nested(stmt)):
                stack.extend(reversed(inner))
    effects: list[ir.Effect] = []
    for stmt in stmts:
        kind = type(stmt)
        if kind is ir.Effects:
            effects += stmt.effects  # type: ignore[union-attr]
        elif kind is ir.If or kind is ir.Switch or kind is ir.Return or kind is ir.Raise:
            effects += stmt.prelude  # type: ignore[union-attr]
        elif kind is ir.Loop:
            effects += stmt.prelude  # type: ignore[union-attr]
            effects += stmt.update  # type: ignore[union-attr]
    if len(_WALKS) >= _MAX_WALKS:  # a caller that never forgets still has a bound
        _WALKS.clear()
    walked = _WALKS[id(body)] = (body, stmts, effects)
    return walked


_MAX_WALKS = 100_000


_NESTED: dict[type, Callable[[Any], list[list[ir.Stmt]]]] = {
    ir.If: lambda s: [s.then, s.orelse],
    ir.Loop: lambda s: [s.body, s.orelse],
    ir.Try: lambda s: [s.body, *s.handlers, s.orelse, s.finalbody],
    ir.Switch: lambda s: [c.body for c in s.cases],
    ir.Labeled: lambda s: [s.body],
}
"""The statement lists nested in a compound statement, in source order."""


@functools.lru_cache(maxsize=16)
def _annotations(source: bytes) -> dict[str, str]:
    """:meth:`ModuleIndex.annotations` of a file, remembered: the indexes of the analyses,
    their copies for summaries and the project index ask again and again."""
    seen: dict[str, set[str]] = {}
    for match in _ANNOTATION.finditer(source):
        name = match.group(1).decode()
        kind = (match.group(2) or match.group(3)).decode()
        seen.setdefault(name, set()).add(kind)
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}


class ModuleIndex:
    """Per-file lookups shared by the analyses: scopes, local values, call targets."""

    def __init__(
        self, module: ir.Module, vocab: Vocabulary, view: ExternalView | None = None
    ) -> None:
        self.module = module
        self.vocab = vocab
        self.view = view if view is not None else ExternalView()
        self.assumed: tuple[int, str] | None = None
        """(function, parameter) assumed to hold a ``response.create`` event."""
        self._param_memo: dict[tuple[int, str], str | None] = {}
        self._predicate_memo: dict[int, Guard | None] = {}
        self._classified: dict[int, CallInfo] = {}
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
        self._held: dict[tuple[str, ir.Path], str | None] = {}
        self._local_classes: frozenset[str] | None = None
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
        """Values assigned to ``path`` in ``fn`` or, for plain names, an enclosing function;
        names of event-type constants (also from other files) have their string value."""
        if self.assumed is not None and self.assumed == (fn.index, path[0]) and len(path) == 1:
            return [_ASSUMED_EVENT]
        cur: ir.Function | None = fn
        while cur is not None:
            found = self.envs[cur.index].get(path)
            if found:
                return found
            if path[0] in ("self", "this") or path[0] in cur.params:
                return []
            cur = self.functions[cur.parent] if cur.parent is not None else None
        constant = self.view.constants.get(path)
        return [ir.VStr(constant, fn.span)] if constant is not None else []

    def string_value(self, v: ir.Value, fn: ir.Function) -> str | None:
        """The string ``v`` holds: a literal, or a constant's (``EventType.RESPONSE_CREATE``)."""
        if isinstance(v, ir.VStr):
            return v.value
        if isinstance(v, ir.VName):
            values = self.lookup(fn, v.path)
            if len(values) == 1 and isinstance(values[0], ir.VStr):
                return values[0].value
        return None

    def assuming(self, index: int, param: str) -> ModuleIndex:
        """A copy that treats parameter ``param`` of function ``index`` as a create event."""
        other = copy.copy(self)
        other.assumed = (index, param)
        other._classified = {}
        other._builder_memo = {}
        other._dispatch_memo = {}
        return other

    # -- the rest of the project

    def external(self, call: ir.VCall, fn: ir.Function) -> FunctionSummary | None:
        """The summary of a function defined elsewhere (another file, an SDK) that ``call``
        calls: imported by name, inherited, or a method of the receiver's known type."""
        callee = call.callee
        if not callee:
            return None
        found = self.view.functions.get(callee)
        if found is not None:
            return found
        if len(callee) == 2 and callee[0] in ("self", "this"):
            cls = self.class_of(fn)
            if cls is not None:
                return self.view.inherited.get(cls, {}).get(callee[1])
            return None
        if len(callee) >= 2:
            known = self.receiver_type(callee[:-1], fn)
            if known is not None:
                method = known.method(callee[-1])
                return method if method is not None else FunctionSummary()
        return None

    def receiver_type(self, path: ir.Path, fn: ir.Function) -> ClassSummary | None:
        """The known class of the object at ``path``: constructed (``self.rt = Client()``,
        ``await Client.connect()``) or declared (``client: Client``)."""
        if not self.view.classes:
            return None
        if path[0] in ("self", "this") and len(path) == 2:
            cls = self.class_of(fn)
            members = self.members(cls) if cls is not None else []
            values = [v for f in members for v in self.envs[f.index].get(path, [])]
        else:
            values = self.lookup(fn, path) if len(path) == 1 else []
        for value in values:
            if isinstance(value, ir.VName) and len(value.path) == 1:
                declared = self.annotations().get(value.path[0])
                if declared in self.view.classes:
                    return self.view.classes[declared]
            while isinstance(value, ir.VCall) and value.callee:
                for cut in (len(value.callee), len(value.callee) - 1):
                    name = ".".join(value.callee[:cut])
                    if name in self.view.classes:
                        return self.view.classes[name]
                break
        declared = self.annotations().get(path[-1])
        return self.view.classes.get(declared) if declared is not None else None

    def annotations(self) -> dict[str, str]:
        """Declared types by name, where one name has one type in the file."""
        return _annotations(self.module.source)

    def predicate(self, call: ir.VCall, fn: ir.Function) -> Guard | None:
        """A predicate whose *body* reads the active state: idle (True means no response
        is active) or active, here or in another file."""
        target = self.target(call, fn)
        if target is None:
            summary = self.external(call, fn)
            return summary.guard if summary is not None else None
        if target in self._predicate_memo:
            return self._predicate_memo[target]
        self._predicate_memo[target] = None
        callee = self.functions[target]
        guards = GuardClassifier(
            self.vocab,
            callee.params,
            lambda p: self.single_value(callee, p),
            lambda c: self.predicate(c, callee),
        )
        result = _predicate_kind(callee.body, guards)
        self._predicate_memo[target] = result
        return result

    def param_effect(self, target: int, param: str) -> str | None:
        """What the function at ``target`` does with a create event passed as ``param``:
        ``"emit"`` (sends it unguarded), ``"defer"`` (only under a guard, or queues it)."""
        key = (target, param)
        if key not in self._param_memo:
            from rtlint.analysis.active_state import param_effect

            self._param_memo[key] = None  # recursion guard
            self._param_memo[key] = param_effect(self, target, param)
        return self._param_memo[key]

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
        if len(callee) == 3 and callee[0] in ("self", "this"):
            held = self.attribute_class(callee[:2], fn)
            return self.methods.get((held, callee[2])) if held is not None else None
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

    def attribute_class(self, path: ir.Path, fn: ir.Function) -> str | None:
        """The class of this file that ``self.<attr>`` holds: the one its class constructs
        into it (``self.service = Service(ws)``, ``this.service = new Service(ws)``)."""
        cls = self.class_of(fn)
        if cls is None:
            return None
        if (cls, path) not in self._held:
            if self._local_classes is None:
                self._local_classes = frozenset(name for name, _ in self.methods)
            local = self._local_classes
            held = {
                value.callee[-1]
                for f in self.members(cls)
                for value in self.envs[f.index].get(path, [])
                if isinstance(value, ir.VCall) and value.callee and value.callee[-1] in local
            }
            self._held[(cls, path)] = held.pop() if len(held) == 1 else None
        return self._held[(cls, path)]

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
            if v.callee[-1][:1].isupper() and self._wraps_create_type(v, fn):
                return CreateEvent(v.span, False)
            target = self.target(v, fn)
            if target is not None:
                built = self.builds_create(target, depth + 1)
                if built is not None:
                    return built
                when = self.builds_when(target)
                if when is not None and self._argument_is_create(v, fn, target, when):
                    return CreateEvent(v.span, False)
                return None
            summary = self.external(v, fn)
            if summary is not None:
                if summary.builds or (
                    summary.builds_when is not None
                    and self.string_value(
                        _argument(v, summary.params, summary.builds_when) or ir.VOther(v.span), fn
                    )
                    == CREATE
                ):
                    return CreateEvent(v.span, summary.out_of_band)
                return None
            if v.callee[-1][:1].isupper():
                # A wrapper object carrying the event: RawMessage(message={"type": ...}).
                for arg in (*v.args, *(value for _, value in v.kwargs)):
                    found = self.create_event(arg, fn, depth + 1)
                    if found is not None:
                        return found
        return None

    def _wraps_create_type(self, call: ir.VCall, fn: ir.Function) -> bool:
        """An event wrapper constructed with the create type as a ``*type`` field or as
        an argument, often an enum member defined elsewhere:
        ``RealtimeEvent(service_type=SendEvents.RESPONSE_CREATE)``."""
        typed = [v for k, v in call.kwargs if norm(k).endswith("type")]
        return any(self.string_value(v, fn) == CREATE for v in (*typed, *call.args))

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

    def builds_when(self, index: int) -> str | None:
        """The parameter whose value is the ``type`` of the event the function returns
        (``return {"type": event_type, **fields}``): it builds a create for that value."""
        fn = self.functions[index]
        for value in self.returns[index]:
            t: ir.Value | None = None
            if isinstance(value, ir.VObject):
                t = value.get("type")
            elif isinstance(value, ir.VCall):
                t = value.kwarg("type")
            if isinstance(t, ir.VName) and len(t.path) == 1 and t.path[0] in fn.params:
                return t.path[0]
        return None

    def _argument_is_create(self, call: ir.VCall, fn: ir.Function, target: int, param: str) -> bool:
        arg = _argument(call, own_params(self.functions[target]), param)
        return arg is not None and self.string_value(arg, fn) == CREATE

    def dispatches_on_type(self, index: int) -> bool:
        """Does the function inspect a parameter's ``type`` for ``response.create``?

        Such a generic ``sendEvent(event)`` routes creates (typically to a sequencer).
        """
        if index not in self._dispatch_memo:
            fn = self.functions[index]
            self._dispatch_memo[index] = any(
                _tests_create_type(c, fn.params) for c in conds(fn.body)
            )
        return self._dispatch_memo[index]

    # -- calls

    def classify(self, call: ir.VCall, fn: ir.Function) -> CallInfo:
        """What a call means for the active-response state (asked once per call: the
        analyses and the lifecycle model ask for the same calls)."""
        known = self._classified.get(id(call))
        if known is None:
            known = self._classified[id(call)] = self._classify(call, fn)
        return known

    def _classify(self, call: ir.VCall, fn: ir.Function) -> CallInfo:
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
        summary = self.external(call, fn) if target is None else None
        found = self._event_argument(call, fn)
        if found is not None:
            arg, how, built = found
            emitted = CallInfo(CallKind.EMIT, Emission(call, how, built, built.out_of_band))
            if self._routes_by_type(call, fn, target, summary):
                return CallInfo(CallKind.ROUTED)
            effect = self._argument_effect(call, arg, target, summary)
            if effect is not None:  # the helper's body (here or elsewhere) wins over its name
                return emitted if effect == "emit" else CallInfo(CallKind.ROUTED)
            if last in self.vocab.queue_methods or self._routes(last):
                return CallInfo(CallKind.ROUTED)
            return emitted
        if (
            call.args
            and self.string_value(call.args[0], fn) == CREATE
            and any(w in last for w in self.vocab.send_words)
        ):
            oob = any(
                isinstance(a, ir.VObject) and _out_of_band(a.get("response")) for a in call.args
            )
            return CallInfo(CallKind.EMIT, Emission(call, "string-event", None, oob))
        waits = last in self.vocab.clear_calls or self._waits_until_idle(call, last)
        if target is not None and not (waits and len(callee) == 3):
            return CallInfo(CallKind.LOCAL, target=target)  # a held object's waits stay waits
        if waits:
            return CallInfo(CallKind.CLEAR)
        if summary is not None:
            if summary.fresh:
                return CallInfo(CallKind.FRESH)
            if summary.emits:
                return CallInfo(CallKind.EMIT, Emission(call, "helper", None, False))
            if summary.defers:
                return CallInfo(CallKind.ROUTED)
            return OTHER  # a known function that does not send a response
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

    def _argument_effect(
        self, call: ir.VCall, arg: ir.Value, target: int | None, summary: FunctionSummary | None
    ) -> str | None:
        """What the called helper (here or elsewhere) does with the event it is given:
        ``"emit"`` (sends it unguarded), ``"defer"`` (a deferral helper), None: unknown."""
        if target is not None:
            param = _parameter_of(call, arg, own_params(self.functions[target]))
            return self.param_effect(target, param) if param is not None else None
        if summary is not None:
            param = _parameter_of(call, arg, summary.params)
            if param in summary.sends:
                return "emit"
            if param in summary.defers_params:
                return "defer"
        return None

    def _routes_by_type(
        self,
        call: ir.VCall,
        fn: ir.Function,
        target: int | None,
        summary: FunctionSummary | None = None,
    ) -> bool:
        """A generic ``sendEvent(event)`` that routes creates: its definition here or in
        another file, or every override (in this file or in subclasses elsewhere) when the
        method is abstract in the caller's class."""
        if target is not None and not _abstract(self.functions[target]):
            return self.dispatches_on_type(target)
        if summary is not None and summary.dispatches:
            return True
        if len(call.callee) == 2 and call.callee[0] in ("self", "this"):
            overrides = [
                i
                for i in self.methods_named.get(call.callee[1], [])
                if not _abstract(self.functions[i])
            ]
            cls = self.class_of(fn)
            elsewhere = self.view.overrides.get(cls, {}).get(call.callee[1], []) if cls else []
            if not overrides and not elsewhere:
                return False
            return all(self.dispatches_on_type(i) for i in overrides) and all(
                s.dispatches or s.defers_params for s in elsewhere
            )
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

    def _event_argument(
        self, call: ir.VCall, fn: ir.Function
    ) -> tuple[ir.Value, str, CreateEvent] | None:
        for arg in (*call.args, *(v for _, v in call.kwargs)):
            if isinstance(arg, ir.VSeq) and not self._passes_batches(call):
                continue
            found = self.create_event(arg, fn)
            if found is not None:
                return arg, _how(arg, found), found
        return None


def _abstract(fn: ir.Function) -> bool:
    """A method with no body of its own (``...``, ``pass``, ``raise NotImplementedError``)."""
    return fn.kind == "method" and all(
        isinstance(s, ir.Raise) or (isinstance(s, ir.Effects) and not s.effects) for s in fn.body
    )


def own_params(fn: ir.Function) -> tuple[str, ...]:
    """The parameters a caller passes: without a method's ``self``/``cls``."""
    if fn.kind == "method" and fn.params[:1] in (("self",), ("cls",)):
        return fn.params[1:]
    return fn.params


def _parameter_of(call: ir.VCall, arg: ir.Value, params: tuple[str, ...]) -> str | None:
    """The parameter that ``arg`` of ``call`` binds to."""
    for position, value in enumerate(call.args):
        if value is arg:
            return params[position] if position < len(params) else None
    for name, value in call.kwargs:
        if value is arg:
            return name if name in params else None
    return None


def _argument(call: ir.VCall, params: tuple[str, ...], param: str) -> ir.Value | None:
    """The argument ``call`` passes for ``param``."""
    found = call.kwarg(param)
    if found is not None:
        return found
    position = params.index(param) if param in params else len(call.args)
    return call.args[position] if position < len(call.args) else None


def _predicate_kind(body: list[ir.Stmt], guards: GuardClassifier) -> Guard | None:
    """``idle`` when every way out returns False or proves (by its value or by the tests
    on its path) that no response is active; ``active`` likewise with True."""
    exits: list[tuple[ir.Value | None, bool]] = []  # (returned value, path proves idle)
    if not _exits(body, guards, False, exits):
        exits.append((None, False))  # falls off the end: returns None
    tests = [v for v, _ in exits if v is not None and not isinstance(v, ir.VConst)]
    if not tests or any(v is _UNKNOWN for v, _ in exits):
        return None
    for kind, truthy in (("idle", True), ("active", False)):
        if all(_exit_proves(v, proven, truthy, guards) for v, proven in exits):
            return "idle" if kind == "idle" else "active"
    return None


_UNKNOWN = ir.VOther(ASSUMED)


def _exit_proves(v: ir.Value | None, proven: bool, truthy: bool, guards: GuardClassifier) -> bool:
    """Does returning ``v`` with the result ``truthy`` (idle) / falsy (active) prove idle?"""
    if proven:
        return True
    if v is None or isinstance(v, ir.VConst):
        return bool(v.value if v is not None else None) != truthy
    cond = v.cond if isinstance(v, ir.VCond) else ir.CAtom(v)
    return AMBIENT in guards.proves_idle(cond, truthy)


def _known(body: list[ir.Stmt], cond: ir.Cond, truth: bool) -> list[ir.Stmt]:
    """``return a`` on the branch where the test ``a`` has ``truth``: return that constant."""
    if len(body) == 1 and isinstance(body[0], ir.Return) and body[0].value is not None:
        ret, v = body[0], body[0].value
        if (v.cond if isinstance(v, ir.VCond) else ir.CAtom(v)) == cond:
            return [ir.Return(ret.span, ir.VConst(truth, ret.span))]
    return body


def _exits(
    body: list[ir.Stmt],
    guards: GuardClassifier,
    proven: bool,
    out: list[tuple[ir.Value | None, bool]],
) -> bool:
    """Collect the returns of straight-line and branching code; True when ``body`` always
    leaves (by ``return``/``raise``). Loops and handlers make the result unknown."""
    for stmt in body:
        if isinstance(stmt, ir.Return):
            out.append((stmt.value, proven))
            return True
        if isinstance(stmt, ir.Raise):
            return True
        if isinstance(stmt, ir.If):
            on_true = proven or AMBIENT in guards.proves_idle(stmt.cond, True)
            on_false = proven or AMBIENT in guards.proves_idle(stmt.cond, False)
            then_leaves = _exits(_known(stmt.then, stmt.cond, True), guards, on_true, out)
            else_leaves = _exits(_known(stmt.orelse, stmt.cond, False), guards, on_false, out)
            if then_leaves and else_leaves:
                return True
            if then_leaves:
                proven = on_false
            elif else_leaves:
                proven = on_true
        elif not isinstance(stmt, ir.Effects) and any(
            isinstance(s, ir.Return) for s in walk_stmts([stmt])
        ):
            out.append((_UNKNOWN, False))
    return False


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


def conds(body: list[ir.Stmt]) -> Iterator[ir.Cond]:
    """The conditions of the ``if`` statements and ``switch`` cases in ``body``."""
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
