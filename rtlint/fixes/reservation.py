"""RT003's fix: reserve the active slot at each send, rolled back if the send raises.

For every ``response.create`` the adapter sends itself, the fix writes the value the
``response.created`` handler writes right before the send statement, and wraps the
statement so that an exception puts the cleared value back::

    self._response_active = True
    try:
        await self._send({"type": "response.create"})
    except BaseException:
        self._response_active = False
        raise

The set on ``response.created`` stays (it confirms the reservation). How safe the fix
is follows from what can be proved on each send's CFG:

* **reached only where it sends** (else the fix is a suggestion, never applied): the
  send statement does nothing but send, and the call is the transport itself or a local
  wrapper that passes its event to a call on every path (no handler that could swallow
  a failure). A reservation without a send would keep the slot taken for good.
* **the rollback restores what was there** and nothing else reads the slot (else
  unsafe): on every path to the send a test or a write showed the slot clear, with no
  ``await`` or local call in between, so "cleared" is the previous value; an ``error``
  handler clears the slot (a create the server rejects never gets its
  ``response.created``/``response.done``); and only the create guards read the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rtlint import ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.active_state import ModuleAnalysis
from rtlint.analysis.dataflow import Fact, solve
from rtlint.analysis.emissions import ModuleIndex, walk_effects, walk_stmts
from rtlint.analysis.lifecycle import Adapter, Field, Write, field_of
from rtlint.diagnostics import Edit, Fix, Safety
from rtlint.vocabulary import norm

_IDLE: Fact = frozenset({"idle"})
_NONE: Fact = frozenset()


@dataclass(frozen=True)
class Site:
    """One send to reserve at: its statement, and what was proved about it."""

    function: ir.Function
    statement: ir.Effects
    call: ir.VCall
    reaches_send: bool
    idle_before: bool


def reserve_at_sends(
    module: ir.Module, analysis: ModuleAnalysis, adapter: Adapter, fld: Field, created: Write,
    title: str, edits: bool = True,
) -> Fix | None:  # fmt: skip
    """The fix for ``fld`` set late at ``created``; None when it cannot be written.

    Without ``edits`` the fix only says it is available and how safe it is."""
    source = module.source
    reserve = _assignment(source, created)
    clear = next(
        (c for w in fld.writes if w.action == "clear" and (c := _assignment(source, w))), None
    )
    if reserve is None or clear is None or reserve[0] != clear[0]:
        return None
    target = reserve[0]
    if module.language == "python" and not target.startswith("self."):
        return None  # a module variable would need `global`
    sites = list(_sites(module, analysis, adapter, fld))
    if not sites:
        return None
    made: list[Edit] = []
    for site in sites if edits else ():
        edit = _edit(module, site, target, reserve[1], clear[1])
        if edit is None:
            return None
        made.append(edit)
    if not all(s.reaches_send for s in sites):
        safety = Safety.DISPLAY_ONLY
    elif all(s.idle_before for s in sites) and _rollback_is_complete(adapter, fld):
        safety = Safety.SAFE
    else:
        safety = Safety.UNSAFE
    return Fix(tuple(sorted(made, key=lambda e: e.start)), safety, title)


def _rollback_is_complete(adapter: Adapter, fld: Field) -> bool:
    """An ``error`` handler clears the slot, and only the create guards read it."""
    errors = adapter.paths_of("event", "error")
    if not any(p.may(fld.name, "clear") for p in errors):
        return False
    return all(p.emits for p in adapter.paths if fld.name in p.tests and p.kind != "flush")


def _assignment(source: bytes, w: Write) -> tuple[str, str] | None:
    """(target, value) source text of a write ``target = constant`` (or an enum member)."""
    raw = w.raw
    if raw is None:
        return None
    member = isinstance(raw, ir.VName) and len(raw.path) > 1 and raw.path[0][:1].isupper()
    if not isinstance(raw, ir.VConst | ir.VStr) and not member:
        return None  # a value from the event (an id) exists only once the response does
    text = source[w.span.start_byte : raw.span.start_byte].decode("utf-8", "replace")
    target, eq, rest = text.rpartition("=")
    if not eq or rest.strip() or not target.strip() or "\n" in text:
        return None
    value = source[raw.span.start_byte : raw.span.end_byte].decode("utf-8", "replace")
    return target.strip(), value


def _sites(
    module: ir.Module, analysis: ModuleAnalysis, adapter: Adapter, fld: Field
) -> Iterator[Site]:
    """Every ``response.create`` the adapter's own functions send, with its proofs."""
    members = set(adapter.functions)
    fns = module.functions
    for fn, emission in analysis.emissions:
        if fn.index not in members or emission.out_of_band:
            continue
        call = emission.call
        stmt = _statement_of(fn, call)
        if stmt is None:
            continue
        only_sends = all(_inside(e, call) for e in stmt.effects)
        target = analysis.index.target(call, fn)
        reaches = only_sends and (target is None or _always_forwards(fns[target], analysis.index))
        written = _writers(analysis, fn, fld)
        yield Site(fn, stmt, call, reaches, _idle_before(fn, call, fld.name, written))


def _statement_of(fn: ir.Function, call: ir.VCall) -> ir.Effects | None:
    for stmt in walk_stmts(fn.body):
        if isinstance(stmt, ir.Effects) and any(
            isinstance(e, ir.Call) and e.call is call for e in stmt.effects
        ):
            return stmt
    return None


def _inside(effect: ir.Effect, call: ir.VCall) -> bool:
    """The effect is the call, a call within it (evaluating its argument), or its await."""
    outer, inner = call.span, call.span
    if isinstance(effect, ir.Await):
        outer = effect.span  # the await of the send itself
    elif isinstance(effect, ir.Call):
        inner = effect.call.span
    else:
        return False
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def _always_forwards(wrapper: ir.Function, index: ModuleIndex, depth: int = 0) -> bool:
    """Every way through ``wrapper`` hands its first parameter (or a value made from it)
    to a sending call (a local one forwarding it the same way), and no handler inside it
    can swallow the failure of that call."""
    params = [p for p in wrapper.params if p not in ("self", "this", "cls")]
    if not params or any(isinstance(s, ir.Try) and s.handlers for s in walk_stmts(wrapper.body)):
        return False
    carried = _carriers(wrapper, params[0])
    graph = cfgs.build(wrapper.body)

    def forwards(node: cfgs.Node, fact: Fact) -> Fact:
        for e in node.effects:
            if isinstance(e, ir.Call) and _sends(e.call) and _mentions(e.call, carried):
                target = index.target(e.call, wrapper)
                inner = None if target is None else index.functions[target]
                if inner is None or (depth < 3 and _always_forwards(inner, index, depth + 1)):
                    return frozenset({"sent"})
        return fact

    facts = solve(graph, _NONE, lambda _t, _v: _NONE, forwards)
    end = facts[graph.exit]
    return end is not None and "sent" in end


_SEND_WORDS = ("send", "emit", "write", "publish", "dispatch", "post")


def _sends(call: ir.VCall) -> bool:
    return bool(call.callee) and any(w in norm(call.callee[-1]) for w in _SEND_WORDS)


def _carriers(fn: ir.Function, param: str) -> set[str]:
    """``param`` and the locals assigned from it (``message = event.model_dump()``)."""
    names = {param}
    for _ in range(3):
        for e in walk_effects(fn.body):
            if isinstance(e, ir.Assign) and len(e.target) == 1 and _mentions(e.value, names):
                names.add(e.target[0])
    return names


def _mentions(value: ir.Value, names: set[str]) -> bool:
    if isinstance(value, ir.VName):
        return value.path[:1] in {(n,) for n in names}
    if isinstance(value, ir.VCall):
        parts: list[ir.Value] = [*value.args, *(v for _, v in value.kwargs)]
        if value.receiver is not None:
            parts.append(value.receiver)
        return value.callee[:1] in {(n,) for n in names} or any(_mentions(p, names) for p in parts)
    if isinstance(value, ir.VSeq):
        return any(_mentions(i, names) for i in value.items)
    if isinstance(value, ir.VObject):
        return any(_mentions(v, names) for _, v in value.entries)
    return False


def _writers(analysis: ModuleAnalysis, fn: ir.Function, fld: Field) -> Callable[[ir.Effect], bool]:
    """Does an effect possibly change the slot, or let other code run (``await``, a call of
    this file's code)?"""
    name = fld.name

    def changes(effect: ir.Effect) -> bool:
        if isinstance(effect, ir.Await):
            return True
        if isinstance(effect, ir.Call):
            return effect.awaited or analysis.index.target(effect.call, fn) is not None
        if isinstance(effect, ir.Assign):
            return field_of(effect.target) == name
        return False

    return changes


def _idle_before(
    fn: ir.Function, call: ir.VCall, name: str, changes: Callable[[ir.Effect], bool]
) -> bool:
    """On every path to ``call`` a test or a write showed the slot clear, and nothing that
    could change it ran since."""
    graph = cfgs.build(fn.body)

    def edge(test: cfgs.Test, value: bool) -> Fact:
        return _IDLE if _shows_clear(test, value, name) else _NONE

    def through(node: cfgs.Node, fact: Fact, stop: ir.VCall | None = None) -> Fact:
        for e in node.effects:
            if isinstance(e, ir.Call) and e.call is stop:
                break
            if isinstance(e, ir.Assign) and field_of(e.target) == name:
                fact = _IDLE if _clears(e.value) else _NONE
            elif changes(e) and not (stop is not None and _inside(e, stop)):
                fact = _NONE
        return fact

    facts = solve(graph, _NONE, edge, through)
    for node, fact in zip(graph.nodes, facts, strict=True):
        if fact is not None and any(
            isinstance(e, ir.Call) and e.call is call for e in node.effects
        ):
            return "idle" in through(node, fact, call)
    return False


def _clears(value: ir.Value) -> bool:
    return isinstance(value, ir.VConst) and not value.value


def _shows_clear(test: cfgs.Test, value: bool, name: str) -> bool:
    """``if self._x: …`` taken false, ``if self._x is None``/``== False`` taken true."""
    if isinstance(test, ir.CAtom):
        return not value and isinstance(test.value, ir.VName) and field_of(test.value.path) == name
    left, right = test.left, test.right
    if not (isinstance(left, ir.VName) and field_of(left.path) == name):
        return False
    if not (isinstance(right, ir.VConst) and not right.value):
        return False
    positive = test.op in ("==", "===", "is")
    negative = test.op in ("!=", "!==", "is not")
    return (positive and value) or (negative and not value)


# --------------------------------------------------------------------------- edits


def _edit(module: ir.Module, site: Site, target: str, value: str, cleared: str) -> Edit | None:
    if module.language == "python":
        return _python_edit(module.source, site.statement.span, target, value, cleared)
    return _typescript_edit(module.path, module.source, site.statement.span, target, value, cleared)


def _python_edit(
    source: bytes, span: ir.Span, target: str, value: str, cleared: str
) -> Edit | None:
    import libcst as cst

    from rtlint.fixes.python_edits import _edit as replace_line
    from rtlint.fixes.python_edits import _parse

    module, _ = _parse(source)
    config = module.config_for_parsing

    def stmt(code: str) -> cst.SimpleStatementLine:
        parsed = cst.parse_statement(code + module.default_newline, config)
        assert isinstance(parsed, cst.SimpleStatementLine)
        return parsed

    def replace(
        line: cst.SimpleStatementLine,
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        rollback = cst.ExceptHandler(
            body=cst.IndentedBlock([stmt(f"{target} = {cleared}"), stmt("raise")]),
            type=cst.Name("BaseException"),
        )
        guarded = cst.Try(
            body=cst.IndentedBlock([line.with_changes(leading_lines=[])]), handlers=[rollback]
        )
        reserve = stmt(f"{target} = {value}").with_changes(leading_lines=line.leading_lines)
        return cst.FlattenSentinel([reserve, guarded])

    return replace_line(source, module, span, replace)


def _typescript_edit(
    path: str, source: bytes, span: ir.Span, target: str, value: str, cleared: str
) -> Edit | None:
    from rtlint.fixes.typescript_edits import _parse, _reindent, rewritable

    found = rewritable(_parse(path, source), source, span)
    if found is None:
        return None
    stmt, style, end = found
    moved = _reindent(source[stmt.start_byte : end].decode(), style, style.unit)
    semi, unit = style.semi, style.unit
    text = style.lines(
        f"{target} = {value}{semi}", "try {", unit + moved, "} catch (error) {",
        f"{unit}{target} = {cleared}{semi}", f"{unit}throw error{semi}", "}",
    )  # fmt: skip
    return Edit(stmt.start_byte, end, text)
