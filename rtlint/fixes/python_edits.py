"""Realise a fix :class:`~rtlint.fixes.plan.Plan` in Python source with libcst.

Each change is a libcst transformation of the top-level statement that holds it;
because libcst round-trips source byte for byte, the edit is exactly the region that
changed, and comments and formatting elsewhere are untouched.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import libcst as cst
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

from rtlint import ir
from rtlint.diagnostics import Edit, Fix
from rtlint.fixes.plan import Plan
from rtlint.frontends.python import bom_length

Replace = Callable[
    [cst.SimpleStatementLine], cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]
]


def _dotted(path: ir.Path) -> str:
    return ".".join(path)


def _parse(source: bytes) -> tuple[cst.Module, dict[int, cst.SimpleStatementLine]]:
    """The module, and its one-statement lines by the byte offset of their statement."""
    return _parsed(source)[:2]


@functools.lru_cache(maxsize=4)
def _parsed(source: bytes) -> tuple[cst.Module, dict[int, cst.SimpleStatementLine], _Tops | None]:
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(ByteSpanPositionProvider)
    lines = {
        positions[node.body[0]].start: node
        for node in positions
        if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1
    }
    return module, lines, _Tops.of(module, [positions[s].start for s in module.body])


@dataclass(frozen=True)
class _Tops:
    """The module's text cut at its top-level statements, so that an edit inside one of
    them regenerates that statement only (a whole-module pass per fix is quadratic)."""

    code: str
    bounds: list[tuple[int, int]]
    """(start, end) of each top-level statement in ``code``, its leading lines included."""
    starts: list[int]
    """The byte offset of each top-level statement itself (as ``_parse`` keys lines)."""

    @staticmethod
    def of(module: cst.Module, starts: list[int]) -> _Tops | None:
        """None when the statements' own code does not add up to the module's."""
        code = module.code
        at = len("".join(module.code_for_node(h) for h in module.header))
        bounds = []
        for stmt in module.body:
            text = module.code_for_node(stmt)
            if not code.startswith(text, at):
                return None
            bounds.append((at, at + len(text)))
            at += len(text)
        return _Tops(code, bounds, starts)

    def spliced(self, module: cst.Module, target: cst.SimpleStatementLine, start: int,
                replace: Replace) -> bytes:  # fmt: skip
        """The module's bytes with ``target`` (whose statement starts at byte ``start``)
        replaced as ``replace`` says."""
        index = bisect.bisect_right(self.starts, start) - 1
        new = module.body[index].visit(_Replacer(target, replace))
        nodes = new.nodes if isinstance(new, cst.FlattenSentinel) else [new]
        text = "".join(module.code_for_node(cast("cst.CSTNode", n)) for n in nodes)
        begin, end = self.bounds[index]
        return (self.code[:begin] + text + self.code[end:]).encode(module.encoding)


def build(source: bytes, plan: Plan) -> Fix | None:
    """The fix for ``plan``; None when the statement cannot be rewritten safely."""
    module, _ = _parse(source)
    config = module.config_for_parsing
    active, deferred = _dotted(plan.active), _dotted(plan.deferred)

    def stmt(code: str) -> cst.BaseStatement:
        return cst.parse_statement(code + module.default_newline, config)

    reserve: list[cst.BaseStatement] = [stmt(f"{active} = True")] if plan.reserve else []

    if plan.strategy == "call-helper" and plan.helper is not None:
        call = f"self.{plan.helper.name}()"
        code = f"await {call}" if plan.helper.is_async else call

        def replace(
            line: cst.SimpleStatementLine,
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            return line.with_changes(body=[cst.Expr(cst.parse_expression(code, config))])

    else:

        def replace(
            line: cst.SimpleStatementLine,
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            sent = line.with_changes(leading_lines=[])
            defer = stmt(f"{deferred} = True")
            if plan.ends_function:
                guard = cst.If(
                    test=cst.parse_expression(active, config),
                    body=cst.IndentedBlock([defer, stmt("return")]),
                    leading_lines=line.leading_lines,
                )
                return cst.FlattenSentinel([guard, *reserve, sent])
            return cst.If(
                test=cst.parse_expression(active, config),
                body=cst.IndentedBlock([defer]),
                orelse=cst.Else(cst.IndentedBlock([*reserve, sent])),
                leading_lines=line.leading_lines,
            )

    edits: list[Edit] = []
    main = _edit(source, module, plan.statement, replace)
    if main is None:
        return None
    edits.append(main)
    if plan.new_deferred and plan.flush is not None and plan.init_after is not None:
        original = _line_at(source, plan.statement)
        if original is None:
            return None
        copy = original.with_changes(leading_lines=[], trailing_whitespace=cst.TrailingWhitespace())
        flush = cst.If(
            test=cst.parse_expression(deferred, config),
            body=cst.IndentedBlock([stmt(f"{deferred} = False"), *reserve, copy]),
        )
        init = _edit(
            source,
            module,
            plan.init_after,
            lambda line: cst.FlattenSentinel([line, stmt(f"{deferred} = False")]),
        )
        after = _edit(
            source, module, plan.flush.after, lambda line: cst.FlattenSentinel([line, flush])
        )
        if init is None or after is None:
            return None
        edits += [init, after]
    return Fix(tuple(sorted(edits, key=lambda e: e.start)), plan.safety, plan.title)


def _line_at(source: bytes, span: ir.Span) -> cst.SimpleStatementLine | None:
    """The one-statement line whose statement starts where ``span`` does."""
    return _parse(source)[1].get(span.start_byte - bom_length(source))


class _Replacer(cst.CSTTransformer):
    def __init__(self, target: cst.SimpleStatementLine, replace: Replace) -> None:
        self.target = target
        self.replace = replace

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
        return self.replace(updated) if original is self.target else updated


def _edit(source: bytes, module: cst.Module, span: ir.Span, replace: Replace) -> Edit | None:
    """The minimal edit that replaces the statement line at ``span`` as ``replace`` says."""
    target = _line_at(source, span)
    if target is None:
        return None
    tops = _parsed(source)[2]
    if tops is not None:
        before = tops.code.encode(module.encoding)  # module.bytes, without generating it
        after = tops.spliced(module, target, span.start_byte - bom_length(source), replace)
    else:
        new = module.visit(_Replacer(target, replace))
        before, after = module.bytes, new.bytes
    start = _common_prefix(before, after)
    end_trim = _common_prefix(before[start:][::-1], after[start:][::-1])
    # Whole lines: readable diffs, and never a split multi-byte character.
    start = before.rfind(b"\n", 0, start) + 1
    end = len(before) - end_trim
    newline = before.find(b"\n", end)
    grow = (newline + 1 if newline != -1 else len(before)) - end
    end_trim -= min(grow, end_trim)
    encoding = "utf-8" if module.encoding == "utf-8-sig" else module.encoding  # keep a BOM as text
    content = after[start : len(after) - end_trim].decode(encoding)
    return Edit(start, len(before) - end_trim, content)


def _common_prefix(a: bytes, b: bytes) -> int:
    """The length of the longest common prefix (a binary search of slice comparisons)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low
