"""RT005's fixes: rename a misspelled event, or turn a ``response.cancelled`` handler into
the ``response.done`` branch with a status check.

* A misspelling with one real name it stands for (the separators differ) is renamed in
  place. Safe when the name is a plain string literal compared with the incoming type
  (``==``, a ``case``, ``.on("…", handler)``) and no handler of the real name exists
  (two would both run, or the second be dead); a client event's type is renamed unsafely
  (what is sent changes).
* ``kind == "response.cancelled"`` becomes ``kind == "response.done" and
  event["response"]["status"] == "cancelled"`` (a ``match`` case gets the status as its
  guard). Safe in Python; unsafe in TypeScript, where the event's declared type may lack
  ``response``. When the same ``if``/``elif`` chain already has a ``response.done``
  branch, a suggestion moves the body there under the status check; a ``switch`` case,
  a listener or one of several names has no fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis
from rtlint.analysis.emissions import walk_stmts
from rtlint.analysis.lifecycle import Adapter, EventRef
from rtlint.diagnostics import Edit, Fix, Safety

DONE = "response.done"


@dataclass(frozen=True)
class _Found:
    """The comparison that names the event, and the dispatch it is part of."""

    compare: ir.CCompare
    whole: bool
    """The comparison is the entire condition (no parentheses needed around a rewrite)."""
    owner: ir.If | ir.Switch
    siblings: list[ir.Cond]
    """The other conditions of the same dispatch (its ``elif``s or cases)."""
    links: list[ir.If]
    """The ``if``/``elif`` chain the comparison heads a branch of (empty for a ``switch``)."""


def rename(module: ir.Module, adapter: Adapter, ref: EventRef, spelled: str) -> Fix | None:
    """Rename a misspelled event name to ``spelled``."""
    quote = _plain_literal(module.source, ref)
    if quote is None:
        return None
    edit = Edit(ref.span.start_byte, ref.span.end_byte, f"{quote}{spelled}{quote}")
    title = f"Rename to `{spelled}`"
    if ref.direction == "client":
        return Fix((edit,), Safety.UNSAFE, title)
    handled = {e.name for e in adapter.events if e.direction == "server"}
    handled |= {p.label for p in adapter.paths}
    safety = Safety.DISPLAY_ONLY if spelled in handled else Safety.SAFE
    return Fix((edit,), safety, title)


def cancelled_to_done(module: ir.Module, analysis: ModuleAnalysis, ref: EventRef) -> Fix | None:
    """Turn the ``response.cancelled`` branch at ``ref`` into ``response.done`` + status."""
    fn = module.functions[ref.function]
    found = _comparison(fn, ref)
    if found is None:
        return None
    quote = _plain_literal(module.source, ref)
    status = _status_of(module, analysis, fn, found.compare.left)
    if quote is None or status is None or found.compare.op not in ("==", "===", "is"):
        return None
    if any(_names(c, DONE) for c in found.siblings):
        return _merge(module, found, status, quote)
    title = 'Handle `response.done` with `status == "cancelled"` instead'
    done, cancelled = f"{quote}{DONE}{quote}", f"{quote}cancelled{quote}"
    source = module.source
    if isinstance(found.owner, ir.Switch):
        if found.owner.fallthrough or not found.whole:
            return None  # a `switch` case cannot carry a condition; an or-pattern shares it
        end = ref.span.end_byte
        colon = source.find(b":", end)
        if colon == -1 or source[end:colon].strip():
            return None
        guard = f"{done} if {status} == {cancelled}"
        return Fix((Edit(ref.span.start_byte, end, guard),), Safety.SAFE, title)
    left = found.compare.left.span
    subject = source[left.start_byte : left.end_byte].decode("utf-8", "replace")
    if module.language == "python":
        text = f"{subject} == {done} and {status} == {cancelled}"
        safety = Safety.SAFE
    else:
        text = f"{subject} === {done} && {status} === {cancelled}"
        safety = Safety.UNSAFE
    if not found.whole:
        text = f"({text})"
    return Fix((Edit(left.start_byte, ref.span.end_byte, text),), safety, title)


def _merge(module: ir.Module, found: _Found, status: str, quote: str) -> Fix | None:
    """A suggestion: move the branch's body into the ``response.done`` branch of the same
    chain, under a status check (only its author knows how the two should combine)."""
    owner, source = found.owner, module.source
    done = next((link for link in found.links if _names(link.cond, DONE)), None)
    if not isinstance(owner, ir.If) or done is None or not owner.then or not done.then:
        return None
    if not found.whole or found.links[0] is owner:
        return None  # the chain's head: removing it would orphan the `elif`s after it
    python = module.language == "python"
    head = _line_start(source, owner.span.start_byte)
    first, last = (
        _line_start(source, owner.then[0].span.start_byte),
        _line_end(source, owner.then[-1].span.end_byte),
    )
    if first <= head or _line_start(source, done.then[0].span.start_byte) <= _line_start(
        source, done.span.start_byte
    ):
        return None  # a body shares its condition's line
    body = source[first:last].decode("utf-8", "replace")
    unit = _indent(source, first)[len(_indent(source, head)) :]
    if not unit:
        return None
    at = _line_end(source, done.then[-1].span.end_byte)
    pad = _indent(source, _line_start(source, done.then[0].span.start_byte))
    inner = _indent(source, first)
    moved = "".join(
        pad + unit + line[len(inner) :] if line.startswith(inner) else line
        for line in body.splitlines(True)
    )
    cancelled = f"{quote}cancelled{quote}"
    if python:
        insert = f"{pad}if {status} == {cancelled}:\n{moved}"
        remove = (head, last)
    else:
        close = source.find(b"}", last)
        before = source.rfind(b"else", 0, owner.span.start_byte)
        brace = source.rfind(b"}", 0, before)
        if close == -1 or before == -1 or brace == -1 or source[brace + 1 : before].strip():
            return None
        insert = f"{pad}if ({status} === {cancelled}) {{\n{moved}{pad}}}\n"
        remove = (brace + 1, close + 1)
    title = 'Merge into the `response.done` branch, under `status == "cancelled"`'
    edits = (Edit(at, at, insert), Edit(remove[0], remove[1], ""))
    return Fix(tuple(sorted(edits, key=lambda e: e.start)), Safety.DISPLAY_ONLY, title)


def _line_start(source: bytes, at: int) -> int:
    return source.rfind(b"\n", 0, at) + 1


def _line_end(source: bytes, at: int) -> int:
    end = source.find(b"\n", at)
    return len(source) if end == -1 else end + 1


def _indent(source: bytes, start: int) -> str:
    line = source[start : _line_end(source, start)].decode("utf-8", "replace")
    return line[: len(line) - len(line.lstrip())]


def _plain_literal(source: bytes, ref: EventRef) -> str | None:
    """The quote of a plain string literal spelling ``ref``'s name (no prefix, no escape)."""
    text = source[ref.span.start_byte : ref.span.end_byte].decode("utf-8", "replace")
    quote = text[:1]
    if quote in ('"', "'") and text == f"{quote}{ref.name}{quote}":
        return quote
    return None


def _comparison(fn: ir.Function, ref: EventRef) -> _Found | None:
    for stmt in walk_stmts(fn.body):
        if isinstance(stmt, ir.If):
            hit = _find(stmt.cond, ref.span)
            if hit is not None:
                links = _chain(fn, stmt)
                return _Found(hit, hit is stmt.cond, stmt, [i.cond for i in links], links)
        elif isinstance(stmt, ir.Switch):
            tests = [c.test for c in stmt.cases if c.test is not None]
            for test in tests:
                hit = _find(test, ref.span)
                if hit is not None:
                    return _Found(hit, hit is test, stmt, tests, [])
    return None


def _chain(fn: ir.Function, target: ir.If) -> list[ir.If]:
    """The ``if``/``elif`` chain ``target`` belongs to."""
    for stmt in walk_stmts(fn.body):
        if isinstance(stmt, ir.If):
            links = list(_links(stmt))
            if any(link is target for link in links):
                return links
    return [target]


def _links(stmt: ir.If) -> Iterator[ir.If]:
    yield stmt
    if len(stmt.orelse) == 1 and isinstance(stmt.orelse[0], ir.If):
        yield from _links(stmt.orelse[0])


def _find(cond: ir.Cond, span: ir.Span) -> ir.CCompare | None:
    if isinstance(cond, ir.CCompare):
        right = cond.right
        return cond if isinstance(right, ir.VStr) and right.span == span else None
    if isinstance(cond, ir.COr | ir.CAnd):
        return _find(cond.left, span) or _find(cond.right, span)
    if isinstance(cond, ir.CNot):
        return _find(cond.operand, span)
    return None


def _names(cond: ir.Cond, name: str) -> bool:
    if isinstance(cond, ir.CCompare):
        items = cond.right.items if isinstance(cond.right, ir.VSeq) else (cond.right,)
        return any(isinstance(i, ir.VStr) and i.value == name for i in items)
    if isinstance(cond, ir.COr | ir.CAnd):
        return _names(cond.left, name) or _names(cond.right, name)
    if isinstance(cond, ir.CNot):
        return _names(cond.operand, name)
    return False


def _status_of(
    module: ir.Module, analysis: ModuleAnalysis, fn: ir.Function, left: ir.Value
) -> str | None:
    """``event["response"]["status"]`` for ``event["type"]`` (or a local holding it)."""
    if isinstance(left, ir.VName) and len(left.path) == 1:
        value = analysis.index.single_value(fn, left.path)
        if value is None:
            return None
        left = value
    if not isinstance(left, ir.VName):
        return None
    text = module.source[left.span.start_byte : left.span.end_byte].decode("utf-8", "replace")
    for quote in ('"', "'"):
        key = f"[{quote}type{quote}]"
        if text.endswith(key):
            return f"{text[: -len(key)]}[{quote}response{quote}][{quote}status{quote}]"
    if text.endswith(".type") and text[:-5].isidentifier():
        base = text[:-5]
        return (
            f"{base}.response?.status" if module.language != "python" else f"{base}.response.status"
        )
    return None
