"""``response.cancel`` sends, and what each path knows when it reaches one.

Two facts are solved on the CFG of each function that sends a cancel:

* *a response is proven active* (for RT008): generated on the branch edge whose test
  says the active state is set (``if self._response_active:``), the mirror of the
  guard classifier's "no response is active";
* *no cancel is pending* (for RT009): removed by a cancel, restored by waiting for the
  cancelled response's end (an ``await`` of something that waits or is done, a call
  that records the end of the response), so a ``response.create`` reached without it
  follows a cancel on some path.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from functools import partial

from rtlint import ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.dataflow import Fact, solve
from rtlint.analysis.emissions import CallInfo, CallKind, ModuleIndex, walk_effects
from rtlint.analysis.guards import GuardClassifier, _reads_event_type, flag_name
from rtlint.vocabulary import Vocabulary, norm

CANCEL = "response.cancel"
BENIGN_CANCEL = "response_cancel_not_active"
"""The error code of a cancel that found nothing to cancel."""
_CANCEL_CALLS = frozenset({"cancelresponse", "responsecancel", "sendresponsecancel"})
_JSON = re.compile(r"""["']type["']\s*:\s*["']response\.cancel["']""")
_WAITS = ("wait", "done", "finished", "ended", "idle", "complete")
_ACTIVE = "active"
_CLEAN = "no-cancel"


@dataclass(unsafe_hash=True, slots=True)
class Cancel:
    """A ``response.cancel`` send and whether an active-response check dominates it."""

    function: int
    span: ir.Span
    guarded: bool


@dataclass(unsafe_hash=True, slots=True)
class CreateAfterCancel:
    """A ``response.create`` that can follow a ``response.cancel`` with no wait between."""

    function: int
    create: ir.Span
    cancel: ir.Span


def sends_cancel(call: ir.VCall, vocab: Vocabulary) -> bool:
    """Does ``call`` send ``response.cancel`` (an event literal, a name, an SDK method)?"""
    if call.callee:
        last = norm(call.callee[-1])
        if last in vocab.json_wrappers or last in vocab.not_sends:
            return False
        if last in _CANCEL_CALLS or call.callee[-2:] == ("response", "cancel"):
            return True
        if last in vocab.queue_methods:
            return False
    for arg in call.args:
        if (
            isinstance(arg, ir.VStr)
            and call.callee
            and (arg.value == CANCEL or _JSON.search(arg.value))
        ):
            return any(w in norm(call.callee[-1]) for w in ("send", "emit", "event"))
        if _is_cancel_event(arg):
            return True
    return False


def _is_cancel_event(v: ir.Value) -> bool:
    if isinstance(v, ir.VObject):
        kind = v.get("type")
        return isinstance(kind, ir.VStr) and kind.value == CANCEL
    if isinstance(v, ir.VCall):
        return any(_is_cancel_event(a) for a in v.args)
    return False


def analyse(
    fn: ir.Function, index: ModuleIndex, vocab: Vocabulary
) -> tuple[list[Cancel], list[CreateAfterCancel]]:
    """The cancels of ``fn`` (guarded or not) and the creates that may follow one."""
    if norm(fn.name) in _CANCEL_CALLS or norm(fn.name) == "cancel":
        return [], []  # the cancel API itself: its callers decide when to call it
    calls = {
        id(e)
        for e in walk_effects(fn.body)
        if isinstance(e, ir.Call)
        and index.target(e.call, fn) is None  # a local helper's sends are judged in its body
        and sends_cancel(e.call, vocab)
    }
    cancelling = may_cancel(index, vocab)
    through_helpers = {
        id(e)
        for e in walk_effects(fn.body)
        if isinstance(e, ir.Call)
        and id(e) not in calls
        and (
            _cancels(e, fn, index, vocab)
            or ((target := index.target(e.call, fn)) is not None and cancelling[target])
        )
    }
    """Cancels sent through local functions (``self._send({"type": "response.cancel"})``,
    ``self.cancel_response()``): they end the "no cancel pending" fact (RT009); whether
    they are guarded is judged in those functions (RT008)."""
    if not calls and not through_helpers:
        return [], []
    guards = GuardClassifier(vocab, fn.params, partial(index.single_value, fn))
    graph = cfgs.build(fn.body)
    cancels: dict[int, Cancel] = {}
    creates: dict[int, CreateAfterCancel] = {}
    last_cancel: dict[int, ir.Span] = {}

    def edge(test: cfgs.Test, value: bool) -> Fact:
        proven = guards.proves_idle(test, not value) or _created(test, value)
        proven = proven or _is_the_active_one(test, value, vocab)
        return frozenset({_ACTIVE}) if proven else frozenset()

    def step(node: cfgs.Node, fact: Fact, record: bool = False) -> Fact:
        for effect in node.effects:
            if isinstance(effect, ir.Call) and effect.awaited and _waits(effect):
                fact = fact | {_CLEAN}
            if not isinstance(effect, ir.Call):
                continue
            if id(effect) in through_helpers:
                last_cancel[node.id] = effect.call.span
                fact = fact - {_CLEAN}
                continue
            if id(effect) in calls:
                if record:
                    old = cancels.get(id(effect))
                    guarded = _ACTIVE in fact and (old is None or old.guarded)
                    cancels[id(effect)] = Cancel(fn.index, effect.call.span, guarded)
                last_cancel[node.id] = effect.call.span
                fact = fact - {_CLEAN}
                continue
            info = index.classify(effect.call, fn)
            if info.kind is CallKind.CLEAR:
                fact = fact | {_CLEAN}
            elif record and _CLEAN not in fact and last_cancel and _creates(info):
                cancel = min(last_cancel.values())
                creates[id(effect)] = CreateAfterCancel(fn.index, effect.call.span, cancel)
        return fact

    facts = solve(graph, frozenset({_CLEAN}), edge, step)
    for node, fact in zip(graph.nodes, facts, strict=True):
        if fact is not None:
            step(node, fact, record=True)
    return list(cancels.values()), list(creates.values())


def _cancels(effect: ir.Call, fn: ir.Function, index: ModuleIndex, vocab: Vocabulary) -> bool:
    """Does this call send ``response.cancel`` itself? A call of a local function counts only
    when it hands over the cancel event (``self._send({"type": "response.cancel"})``): a
    local ``cancel_response()`` sends its own, judged in its body."""
    if not sends_cancel(effect.call, vocab):
        return False
    return index.target(effect.call, fn) is None or any(
        _is_cancel_event(a) or (isinstance(a, ir.VStr) and a.value == CANCEL)
        for a in effect.call.args
    )


_MAY_CANCEL: weakref.WeakKeyDictionary[ModuleIndex, list[bool]] = weakref.WeakKeyDictionary()


def may_cancel(index: ModuleIndex, vocab: Vocabulary) -> list[bool]:
    """For each function of the module: can a call of it send ``response.cancel``
    (itself, or through the local functions it calls)?"""
    if index not in _MAY_CANCEL:
        fns = index.functions
        calls = [[e for e in walk_effects(f.body) if isinstance(e, ir.Call)] for f in fns]
        found = [any(_cancels(e, f, index, vocab) for e in calls[f.index]) for f in fns]
        changed = True
        while changed:
            changed = False
            for f in fns:
                if not found[f.index] and any(
                    (t := index.target(e.call, f)) is not None and found[t] for e in calls[f.index]
                ):
                    found[f.index] = changed = True
        _MAY_CANCEL[index] = found
    return _MAY_CANCEL[index]


def _is_the_active_one(test: cfgs.Test, value: bool, vocab: Vocabulary) -> bool:
    """``this.activeResponseId === responseId``: the active id equals a given id."""
    if not isinstance(test, ir.CCompare) or value != (test.op in ("==", "is")):
        return False
    names = [v for v in (test.left, test.right) if isinstance(v, ir.VName)]
    return len(names) == 2 and any(vocab.is_active_flag(flag_name(v.path)) for v in names)


def _created(test: cfgs.Test, value: bool) -> bool:
    """The branch handling ``response.created``: a response has just started."""
    if not isinstance(test, ir.CCompare) or test.op not in ("==", "!="):
        return False
    holds = value == (test.op == "==")
    sides = (test.left, test.right)
    return (
        holds
        and any(isinstance(v, ir.VStr) and v.value == "response.created" for v in sides)
        and any(_reads_event_type(v) for v in sides)
    )


def _creates(info: CallInfo) -> bool:
    return (
        info.kind is CallKind.EMIT and info.emission is not None and not info.emission.out_of_band
    )


def _waits(effect: ir.Call) -> bool:
    """An awaited call of something that waits for a response's end."""
    words = [norm(p) for p in effect.call.callee]
    words += [norm(p) for a in effect.call.args if isinstance(a, ir.VCall) for p in a.callee]
    return any(w in word for word in words for w in _WAITS)
