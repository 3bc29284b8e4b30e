"""Guard classification: which branch of a test proves "no response is active".

A proof is owned: state read through ``self``/``this``, a module or closure
variable, or an incoming event's type is *ambient* (:data:`AMBIENT`) and covers
every send in the function; state read through a parameter ``p`` covers only
sends whose receiver is ``p`` (``p.is_response_active()`` guards
``p.transport.send(...)``, but not ``self.ws.send(...)``).
"""

from __future__ import annotations

from collections.abc import Callable

from rtlint import ir
from rtlint.vocabulary import Vocabulary, norm

AMBIENT = "*"
"""The owner of state that belongs to the adapter itself (or to the event stream)."""

Owners = frozenset[str]
NOBODY: Owners = frozenset()
EVERYONE: Owners = frozenset({AMBIENT})

Resolver = Callable[[ir.Path], "ir.Value | None"]
"""Looks up the single value a local variable was assigned (for ``busy = self._active``)."""
Predicates = Callable[[ir.VCall], "str | None"]
"""Judges a call by its callee's body: ``"idle"``/``"active"`` predicate, or None."""


def owner_of(path: ir.Path, params: tuple[str, ...]) -> str:
    """Who a piece of state belongs to: ambient, or the parameter it is read through."""
    root = path[0] if path else ""
    if root in ("self", "this") or root not in params:
        return AMBIENT
    return f"param:{root}"


class GuardClassifier:
    """Judges conditions of one function against a :class:`Vocabulary`."""

    def __init__(
        self,
        vocab: Vocabulary,
        params: tuple[str, ...],
        resolve: Resolver,
        predicate: Predicates | None = None,
    ) -> None:
        self.vocab = vocab
        self.params = params
        self.resolve = resolve
        self.predicate = predicate

    def proves_idle(self, cond: ir.Cond, value: bool, depth: int = 0) -> Owners:
        """The owners for which ``cond`` having ``value`` proves no response is active."""
        if depth > 8:
            return NOBODY
        if isinstance(cond, ir.CNot):
            return self.proves_idle(cond.operand, not value, depth + 1)
        if isinstance(cond, ir.CAnd | ir.COr):
            left = self.proves_idle(cond.left, value, depth + 1)
            right = self.proves_idle(cond.right, value, depth + 1)
            # `a and b` true: both hold; `a or b` false: both fail. Otherwise either may.
            both = value == isinstance(cond, ir.CAnd)
            return left | right if both else left & right
        if isinstance(cond, ir.CConst):
            return NOBODY
        if isinstance(cond, ir.CCompare):
            return self._compare(cond, value, depth)
        return self._truthy(cond.value, value, depth)

    # -- atoms

    def _truthy(self, v: ir.Value, value: bool, depth: int) -> Owners:
        """``if v:`` — a flag, a predicate call, or a local copy of either."""
        if isinstance(v, ir.VCond):
            return self.proves_idle(v.cond, value, depth + 1)
        if isinstance(v, ir.VName):
            alias = self._alias(v)
            if alias is not None:
                return self._truthy(alias, value, depth + 1)
            name = flag_name(v.path)
            if self.vocab.is_active_flag(name):
                return self._own(v.path) if not value else NOBODY
            if name in self.vocab.idle_flags:
                return self._own(v.path) if value else NOBODY
            return NOBODY
        if isinstance(v, ir.VCall) and len(v.callee) > 1 and norm(v.callee[-1]) in _STATE_READS:
            # `self._response_in_progress.is_set()`, `self._lock.locked()`: the object's state.
            return self._truthy(ir.VName(v.callee[:-1], v.span), value, depth + 1)
        if isinstance(v, ir.VCall) and v.callee:
            name = norm(v.callee[-1])
            if name in self.vocab.active_predicates:
                return self._own(v.callee) if not value else NOBODY
            if name in self.vocab.idle_predicates:
                return self._own(v.callee) if value else NOBODY
            kind = self.predicate(v) if self.predicate is not None else None
            if kind is not None:
                return self._own(v.callee) if value == (kind == "idle") else NOBODY
        return NOBODY

    def _compare(self, c: ir.CCompare, value: bool, depth: int) -> Owners:
        left, right, op = self._unalias(c.left), self._unalias(c.right), c.op
        if isinstance(left, ir.VConst | ir.VStr) and not isinstance(right, ir.VConst | ir.VStr):
            left, right = right, left
        negated = op in ("!=", "is not", "not in")
        holds = value != negated  # does the positive relation (==, is, in) hold on this edge?
        if isinstance(right, ir.VStr) and _reads_event_type(left):
            event = right.value
            if holds and (event in self.vocab.terminal_events or event in self.vocab.fresh_events):
                return EVERYONE
            return NOBODY
        if op in ("==", "!=", "is", "is not") and isinstance(right, ir.VConst):
            # `flag == True`, `flag is False`, `active_id is None` ...
            if right.value is None or isinstance(right.value, bool):
                truthy_on_edge = holds == bool(right.value)
                return self._truthy(left, truthy_on_edge, depth + 1)
            return NOBODY
        members: tuple[ir.Value, ...]
        if op in ("in", "not in") and isinstance(right, ir.VSeq):
            members = right.items
        elif op in ("==", "!=", "is", "is not"):
            members = (right,)
        else:
            return NOBODY
        return self._state(left, members, holds)

    def _state(self, left: ir.Value, members: tuple[ir.Value, ...], holds: bool) -> Owners:
        """``state == State.IDLE`` / ``state != "responding"`` / ``state in (IDLE, ...)``."""
        if not isinstance(left, ir.VName) or not self._is_state_field(left.path[-1]):
            return NOBODY
        words: list[str] = []
        for m in members:
            if isinstance(m, ir.VStr):
                words.append(norm(m.value))
            elif isinstance(m, ir.VName):
                if len(m.path) > 1 and self._unrelated(m.path[-2]):
                    return NOBODY
                words.append(norm(m.path[-1]))
            else:
                return NOBODY
        if not words:
            return NOBODY
        if holds and all(w in self.vocab.idle_states for w in words):
            return self._own(left.path)
        if not holds and len(words) == 1 and words[0] in self.vocab.busy_states:
            return self._own(left.path)
        return NOBODY

    def _is_state_field(self, name: str) -> bool:
        n = norm(name)
        if n in self.vocab.state_fields:
            return True
        return "response" in n and any(w in n for w in ("state", "status", "phase"))

    def _unrelated(self, name: str) -> bool:
        n = norm(name)
        return "response" not in n and any(w in n for w in self.vocab.unrelated_state_words)

    # -- helpers

    def _own(self, path: ir.Path) -> Owners:
        return frozenset({owner_of(path, self.params)})

    def _alias(self, v: ir.VName) -> ir.Value | None:
        if len(v.path) != 1:
            return None
        found = self.resolve(v.path)
        return found if isinstance(found, ir.VName | ir.VCall | ir.VCond) else None

    def _unalias(self, v: ir.Value) -> ir.Value:
        if isinstance(v, ir.VName):
            alias = self._alias(v)
            if isinstance(alias, ir.VName | ir.VCall):
                return alias
        return v


_STATE_READS = frozenset({"isset", "locked", "get", "getvalue"})
"""Calls that read the state of the object they are called on (events, locks, signals)."""


def flag_name(path: ir.Path) -> str:
    """The normalized name of a flag; a React/Vue ref's ``.current``/``.value`` is skipped."""
    if len(path) > 1 and path[-1] in ("current", "value"):
        name = norm(path[-2])
        return name[:-3] if name.endswith("ref") else name
    return norm(path[-1])


def _reads_event_type(v: ir.Value) -> bool:
    """``event["type"]``, ``event.type``, ``msg.get("type")``, ``event_type``."""
    if isinstance(v, ir.VName):
        last = norm(v.path[-1])
        return last in ("type", "eventtype", "msgtype", "messagetype", "kind", "etype", "t")
    if isinstance(v, ir.VCall) and v.callee and v.callee[-1] == "get" and v.args:
        first = v.args[0]
        return isinstance(first, ir.VStr) and first.value == "type"
    return False
