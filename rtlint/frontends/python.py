"""Python frontend: CPython's own syntax trees (:mod:`ast`) lowered into the IR (:mod:`rtlint.ir`).

The analyses need structure and positions, which :mod:`ast` gives several times faster
than a concrete syntax tree; the fixer, which must keep formatting and comments, parses
with libcst on its own (:mod:`rtlint.fixes.python_edits`).
"""

from __future__ import annotations

import ast
import bisect
import codecs
import re
import sys
import tokenize
import warnings
from collections.abc import Callable, Container, Sequence
from io import BytesIO

from rtlint import ir
from rtlint.frontends import ParseError
from rtlint.source import LineIndex

_COMPARE_OPS: dict[type[ast.cmpop], ir.CompareOp] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TRY = (ast.Try, *((ast.TryStar,) if sys.version_info >= (3, 11) else ()))


def is_private(name: str) -> bool:
    """A leading underscore that is not a dunder."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def bom_length(source: bytes) -> int:
    """Parsers see the decoded text, which has no BOM; file offsets count it."""
    return len(codecs.BOM_UTF8) if source.startswith(codecs.BOM_UTF8) else 0


def lower(path: str, source: bytes, tree: ast.Module | None = None) -> ir.Module:
    """Lower ``source`` (parsed here unless its ``tree`` is given); :class:`ParseError` when
    it does not parse."""
    return _Lowerer(path, source).module(tree if tree is not None else parse(source))


def parse(source: bytes) -> ast.Module:
    """``source`` as CPython parses it; :class:`ParseError` when it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like are not ours to say
            return ast.parse(source)
    except SyntaxError as error:
        raise _syntax_error(source, error) from None
    except ValueError as error:  # null bytes, on some versions
        raise _syntax_error(source, SyntaxError(str(error))) from None


def _syntax_error(source: bytes, error: SyntaxError) -> ParseError:
    """Where the file does not parse. A file that only a newer Python parses says so."""
    message = f"syntax error: {error.msg}"
    null = source.find(b"\x00")
    if null >= 0 and not error.lineno:
        line = source.count(b"\n", 0, null) + 1
        return ParseError(message, line, null - source.rfind(b"\n", 0, null))
    try:
        import libcst

        libcst.parse_module(source)
    except Exception:  # the file is wrong for every Python
        pass
    else:
        version = ".".join(map(str, sys.version_info[:2]))
        message += f" (valid in a newer Python; run rtlint with it: this is {version})"
    return ParseError(message, error.lineno or 1, error.offset or 1)


def code_text(source: bytes, tree: ast.Module, exact: bool = True) -> bytes:
    """``source`` with its docstrings (strings that stand as statements) and its comment
    lines blanked out: the text a rule can look at. A comment line is blanked only where no
    statement or statement header spans its line (a line there may be inside a string).
    With ``exact=False`` every comment line is blanked: cheaper (no statement header is
    looked at), and a word left in that text is left in the exact one too."""
    offset = _Offsets(source, LineIndex(source))
    text = bytearray(source)
    spanned = bytearray(len(offset.starts) + 2)
    """Per line (from 1): might an expression, and so a string, reach it?"""
    bodies: list[list[ast.stmt]] = [tree.body]
    while bodies:
        for stmt in bodies.pop():
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            ):
                start = offset(stmt.lineno, stmt.col_offset)
                end = offset(stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0)
                text[start:end] = _blanked(text[start:end])
                continue
            nested = _nested_bodies(stmt)
            bodies += nested
            if not exact:
                continue
            lines = _header_lines(stmt) if nested else [(stmt.lineno, stmt.end_lineno)]
            for first, last in lines:
                last = min(last or first, len(spanned) - 1)
                spanned[first : last + 1] = b"\x01" * (last + 1 - first)
    for comment in _COMMENT_LINE.finditer(b"\n" + source):  # (a line break in front)
        start, end = comment.start(1) - 1, comment.end(1) - 1
        if not exact or not spanned[bisect.bisect_right(offset.starts, start)]:
            text[start:end] = _blanked(text[start:end])
    return bytes(text)


_COMMENT_LINE = re.compile(rb"[\n\r]([ \t\f]*#[^\r\n]*)")
"""A line that holds only a comment (from the line break before it: a literal first is
found far faster than a line start)."""


def _blanked(text: bytearray) -> bytes:
    """``text`` as spaces, its line breaks kept (and so every position)."""
    return bytes(text).translate(_SPACES)


_SPACES = bytes(byte if byte in b"\r\n" else 32 for byte in range(256))


_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _nested_bodies(stmt: ast.AST) -> list[list[ast.stmt]]:
    """The statement lists of a compound statement (those of its handlers and cases too)."""
    found: list[list[ast.stmt]] = []
    for name in _BODIES:
        for item in getattr(stmt, name, None) or ():
            if isinstance(item, ast.stmt):
                found.append(getattr(stmt, name))
                break
            found.append(item.body)  # an except handler or a match case
    return found


def _header_lines(node: ast.AST) -> list[tuple[int, int | None]]:
    """The lines of the expressions in a compound statement's header (decorators,
    conditions, bases, patterns, ...), and in those of its handlers and cases."""
    found: list[tuple[int, int | None]] = []
    for name, value in ast.iter_fields(node):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.stmt) or not isinstance(item, ast.AST):
                continue
            if isinstance(item, ast.expr | ast.pattern | ast.arg | ast.keyword):
                found.append((item.lineno, item.end_lineno))
            elif name not in _BODIES or isinstance(item, ast.excepthandler | ast.match_case):
                found += _header_lines(item)  # arguments, with-items, handlers, cases
    return found


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_LINE_BREAK = re.compile(rb"\r\n?|\n")
_KEYWORDS = re.compile(rb"(?:async(?:\s|\\)+)?(?:def|class)(?:\s|\\)+")


class _Offsets:
    """Byte offsets in the file of the (line, UTF-8 column) positions :mod:`ast` gives."""

    def __init__(self, source: bytes, lines: LineIndex) -> None:
        if b"\r" in source:  # the tokenizer ends lines at a lone CR too
            self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(source))]
        else:
            self.starts = lines.starts
        self.shift = bom_length(source)
        self.encoding: str | None = None
        if not source.isascii() and any(_CODING.match(x) for x in source.split(b"\n", 2)[:2]):
            encoding = tokenize.detect_encoding(BytesIO(source).readline)[0]
            if codecs.lookup(encoding).name != "utf-8":
                self.encoding = encoding
                self.source = source

    def __call__(self, line: int, column: int) -> int:
        start = self.starts[line - 1] if line <= len(self.starts) else self.starts[-1]
        if self.encoding is not None:  # the column counts UTF-8 bytes of the decoded line
            end = self.starts[line] if line < len(self.starts) else len(self.source)
            text = self.source[start:end].decode(self.encoding, errors="replace")
            chars = text.encode("utf-8")[:column].decode("utf-8", errors="ignore")
            return start + len(chars.encode(self.encoding, errors="replace"))
        return start + column + (self.shift if line == 1 else 0)


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def _plain_lines(source: bytes, offset: _Offsets) -> Container[int]:
    """The lines of ``source`` without a byte outside ASCII (all of them, usually)."""
    if offset.encoding is not None or (b"\r" in source and _LONE_CR.search(source)):
        return ()
    if source.isascii():
        return _Everything()
    starts = offset.starts
    wide = {bisect.bisect_right(starts, m.start()) for m in _NON_ASCII.finditer(source)}
    return frozenset(range(1, len(starts) + 1)) - wide


_LONE_CR = re.compile(rb"\r(?!\n)")
_NON_ASCII = re.compile(rb"[\x80-\xff]+")


class _Lowerer:
    def __init__(self, path: str, source: bytes) -> None:
        self.path = path
        self.source = source
        self.lines = LineIndex(source)
        self.offset = _Offsets(source, self.lines)
        self.plain: Container[int] = _plain_lines(source, self.offset)
        """The lines where a column counts bytes and characters alike and the parser's line
        numbers are the file's: their positions need no search and no decoding."""
        self.functions: list[ir.Function] = []
        self.strings: set[str] = set()
        self.lambdas: dict[int, int] = {}
        self.values: dict[int, tuple[ast.expr, ir.Value]] = {}
        """Each expression's value, made once: a call's arguments are asked for again by
        every call around it and by the statement (the node is kept: its id stays its own)."""
        self.fn_stack: list[int] = []
        self.class_stack: list[str | None] = []

    # -- positions

    def span(self, node: ast.AST) -> ir.Span:
        line, column = node.lineno, node.col_offset  # type: ignore[attr-defined]
        end_line, end_column = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        if line in self.plain and end_line in self.plain:
            starts = self.offset.starts
            start, end = starts[line - 1] + column, starts[end_line - 1] + end_column
            return ir.Span(start, end, line, column + 1, end_line, end_column + 1)
        return self.lines.span(self.offset(line, column), self.offset(end_line, end_column))

    def between(self, first: ast.AST, last: ast.AST) -> ir.Span:
        """From the start of ``first`` to the end of ``last``."""
        start = self.offset(first.lineno, first.col_offset)  # type: ignore[attr-defined]
        end = self.offset(last.end_lineno, last.end_col_offset)  # type: ignore[attr-defined]
        return self.lines.span(start, end)

    def name_span(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> ir.Span:
        """Where the name of a ``def`` or ``class`` is (:mod:`ast` does not say)."""
        start = self.offset(node.lineno, node.col_offset)
        name = node.name.encode()
        found = _KEYWORDS.match(self.source, start)
        if found is None or not self.source.startswith(name, found.end()):
            return self.lines.span(start, start)
        return self.lines.span(found.end(), found.end() + len(name))

    # -- functions

    def module(self, tree: ast.Module) -> ir.Module:
        whole = self.lines.span(0, len(self.source))
        top = ir.Function(0, "<module>", "module", (), [], whole, whole)
        self.functions.append(top)
        self.fn_stack.append(0)
        self.class_stack.append(None)
        top.body = self.block(tree.body)
        return ir.Module(self.path, "python", self.source, self.functions, frozenset(self.strings))

    def new_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        name: str,
        kind: ir.FunctionKind,
        name_span: ir.Span,
        is_async: bool = False,
    ) -> ir.Function:
        params = node.args
        names = [p.arg for p in (*params.posonlyargs, *params.args)]
        if params.vararg is not None:
            names.append(params.vararg.arg)
        names += [p.arg for p in params.kwonlyargs]
        if params.kwarg is not None:
            names.append(params.kwarg.arg)
        fn = ir.Function(
            index=len(self.functions),
            name=name,
            kind=kind,
            params=tuple(names),
            body=[],
            span=self.span(node),
            name_span=name_span,
            parent=self.fn_stack[-1],
            class_name=self.class_stack[-1],
            private=is_private(name),
            is_async=is_async,
        )
        self.functions.append(fn)
        return fn

    def function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ir.Effect:
        kind: ir.FunctionKind = "method" if self.class_stack[-1] is not None else "function"
        is_async = isinstance(node, ast.AsyncFunctionDef)
        fn = self.new_function(node, node.name, kind, self.name_span(node), is_async)
        self.fn_stack.append(fn.index)
        self.class_stack.append(None)
        fn.body = self.block(node.body)
        self.class_stack.pop()
        self.fn_stack.pop()
        return ir.Closure(fn.index, fn.span)

    def lambda_(self, node: ast.Lambda) -> int:
        known = self.lambdas.get(id(node))
        if known is not None:
            return known
        fn = self.new_function(node, "", "lambda", self.span(node))
        self.lambdas[id(node)] = fn.index
        self.fn_stack.append(fn.index)
        self.class_stack.append(None)
        fn.body = [self.returning(node.body, fn.span)]
        self.class_stack.pop()
        self.fn_stack.pop()
        return fn.index

    def class_def(self, node: ast.ClassDef, out: list[ir.Stmt]) -> None:
        """Lower the methods; class attributes become ``Class.name = value`` in ``out``."""
        self.class_stack.append(node.name)
        for stmt in node.body:
            if isinstance(stmt, _FUNCTIONS):
                self.function_def(stmt)
            elif isinstance(stmt, ast.ClassDef):
                self.class_def(stmt, out)
            elif isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if names:
                    span = self.span(stmt)
                    value = self.value(stmt.value)
                    assigns: list[ir.Effect] = [
                        ir.Assign((node.name, n), value, span) for n in names
                    ]
                    out.append(ir.Effects(assigns, span))
        self.class_stack.pop()

    # -- statements

    def block(self, body: Sequence[ast.stmt]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for stmt in body:
            self.statement(stmt, out)
        return out

    def statement(self, node: ast.stmt, out: list[ir.Stmt]) -> None:
        kind = type(node)
        if kind is ast.Expr:
            out.append(self.expression_statement(node.value, self.span(node)))  # type: ignore[attr-defined]
        elif isinstance(node, ast.Assign):
            span = self.span(node)
            effects = self.effects(node.value)
            value = self.value(node.value)
            for target in node.targets:
                path = _path(target)
                if path is not None:
                    effects.append(ir.Assign(path, value, span))
                else:
                    effects += self.effects(target)
            out.append(ir.Effects(effects, span))
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                span = self.span(node)
                effects = self.effects(node.value)
                path = _path(node.target)
                if path is not None:
                    effects.append(ir.Assign(path, self.value(node.value), span))
                out.append(ir.Effects(effects, span))
        elif isinstance(node, ast.AugAssign):
            span = self.span(node)
            effects = self.effects(node.value)
            path = _path(node.target)
            if path is not None:
                effects.append(ir.Assign(path, ir.VOther(span), span))
            out.append(ir.Effects(effects, span))
        elif isinstance(node, ast.Return):
            span = self.span(node)
            out.append(self.returning(node.value, span) if node.value else ir.Return(span))
        elif isinstance(node, ast.If):
            out.append(self.if_(node))
        elif isinstance(node, _FUNCTIONS):
            out.append(ir.Effects([self.function_def(node)], self.span(node)))
        elif isinstance(node, ast.ClassDef):
            self.class_def(node, out)
        elif isinstance(node, ast.Raise):
            effects = self.effects(node.exc) if node.exc is not None else []
            out.append(ir.Raise(self.span(node), effects))
        elif isinstance(node, ast.Assert):
            span = self.span(node)
            cond, prelude = self.cond(node.test), self.effects(node.test)
            out.append(ir.If(cond, [], [ir.Raise(span)], span, prelude=prelude))
        elif isinstance(node, ast.Break):
            out.append(ir.Break(self.span(node)))
        elif isinstance(node, ast.Continue):
            out.append(ir.Continue(self.span(node)))
        else:
            self.compound(node, out)

    def compound(self, node: ast.stmt, out: list[ir.Stmt]) -> None:
        """Loops, ``try``, ``with`` and ``match``."""
        if isinstance(node, ast.While):
            prelude = self.effects(node.test)
            body = self.block(node.body)
            orelse = self.block(node.orelse)
            loop = ir.Loop(self.cond(node.test), body, self.span(node), orelse, prelude=prelude)
            loop.update = prelude
            out.append(loop)
        elif isinstance(node, ast.For | ast.AsyncFor):
            prelude = self.effects(node.iter)
            target = _path(node.target)
            body = self.block(node.body)
            if target is not None:
                at = self.span(node.target)
                body.insert(0, ir.Effects([ir.Assign(target, ir.VOther(at), at)], at))
            orelse = self.block(node.orelse)
            out.append(ir.Loop(None, body, self.span(node), orelse, prelude=prelude))
        elif isinstance(node, _TRY):
            out.append(
                ir.Try(
                    self.block(node.body),
                    [self.block(h.body) for h in node.handlers],
                    self.block(node.orelse),
                    self.block(node.finalbody),
                    self.span(node),
                )
            )
        elif isinstance(node, ast.With | ast.AsyncWith):
            effects: list[ir.Effect] = []
            for item in node.items:
                effects += self.effects(item.context_expr)
                if item.optional_vars is not None:
                    target = _path(item.optional_vars)
                    if target is not None:
                        at = self.between(item.context_expr, item.optional_vars)
                        effects.append(ir.Assign(target, self.value(item.context_expr), at))
            if effects:
                out.append(ir.Effects(effects, self.span(node)))
            out.extend(self.block(node.body))
        elif isinstance(node, ast.Match):
            out.append(self.match(node))

    def if_(self, node: ast.If) -> ir.If:
        orelse = self.block(node.orelse)  # first: functions are numbered in this order
        cond, body = self.cond(node.test), self.block(node.body)
        return ir.If(cond, body, orelse, self.span(node), prelude=self.effects(node.test))

    def match(self, node: ast.Match) -> ir.Switch:
        subject = self.value(node.subject)
        cases: list[ir.Case] = []
        for case in node.cases:
            test = self.pattern(subject, case.pattern)
            if case.guard is not None:
                guard = self.cond(case.guard)
                test = guard if test is None else ir.CAnd(test, guard)
            cases.append(ir.Case(test, self.block(case.body), self.case_span(case)))
        return ir.Switch(cases, False, self.span(node), prelude=self.effects(node.subject))

    def case_span(self, case: ast.match_case) -> ir.Span:
        """From ``case`` to the end of its body (:mod:`ast` gives cases no position)."""
        start = self.offset(case.pattern.lineno, case.pattern.col_offset)
        keyword = self.source.rfind(b"case", 0, start)
        end = self.span(case.body[-1]).end_byte
        return self.lines.span(keyword if keyword >= 0 else start, end)

    def pattern(self, subject: ir.Value, pattern: ast.pattern) -> ir.Cond | None:
        """The condition a ``case`` pattern tests; None for an irrefutable pattern."""
        if isinstance(pattern, ast.MatchAs):
            return None if pattern.pattern is None else self.pattern(subject, pattern.pattern)
        if isinstance(pattern, ast.MatchValue):
            return ir.CCompare(subject, "==", self.value(pattern.value))
        if isinstance(pattern, ast.MatchSingleton):
            return ir.CCompare(subject, "is", ir.VConst(pattern.value, self.span(pattern)))
        if isinstance(pattern, ast.MatchOr):
            conds = [self.pattern(subject, p) for p in pattern.patterns]
            result: ir.Cond | None = None
            for c in conds:
                if c is None:
                    return None
                result = c if result is None else ir.COr(result, c)
            return result
        if isinstance(pattern, ast.MatchMapping) and isinstance(subject, ir.VName):
            found: ir.Cond | None = None
            for key_node, value_pattern in zip(pattern.keys, pattern.patterns, strict=True):
                key = self.value(key_node)
                if not isinstance(key, ir.VStr):
                    continue
                member = ir.VName((*subject.path, key.value), subject.span)
                c = self.pattern(member, value_pattern)
                if c is not None:
                    found = c if found is None else ir.CAnd(found, c)
            return found if found is not None else ir.CAtom(ir.VOther(self.span(pattern)))
        return ir.CAtom(ir.VOther(self.span(pattern)))

    def expression_statement(self, expr: ast.expr, span: ir.Span) -> ir.Stmt:
        """An expression used as a statement; ``a and f()`` and ternaries branch."""
        return self.branching(expr, span, lambda e: ir.Effects(self.effects(e), span))

    def branching(
        self, expr: ast.expr, span: ir.Span, leaf: Callable[[ast.expr], ir.Stmt]
    ) -> ir.Stmt:
        """Lower the control flow of ``a and b``, ``a or b``, ``x if c else y`` (also under
        ``await``) into ``If`` statements; ``leaf`` lowers what is left."""
        inner = expr.value if isinstance(expr, ast.Await) else expr
        if isinstance(inner, ast.BoolOp):
            left, right = _split(inner)
            then = [self.branching(right, span, leaf)]
            if isinstance(inner.op, ast.And):
                return ir.If(self.cond(left), then, [], span, self.effects(left))
            return ir.If(self.cond(left), [], then, span, self.effects(left))
        if isinstance(inner, ast.IfExp):
            return ir.If(
                self.cond(inner.test),
                [self.branching(inner.body, span, leaf)],
                [self.branching(inner.orelse, span, leaf)],
                span,
                self.effects(inner.test),
            )
        return leaf(expr)

    def returning(self, value: ast.expr, span: ir.Span) -> ir.Stmt:
        """``return x if c else f()``: one ``Return`` per branch; ``return a or b`` returns
        ``a`` when it is true (``a and b``: when it is false)."""
        if isinstance(value, ast.BoolOp):
            left_node, right_node = _split(value)
            left = ir.Return(span, self.value(left_node))
            right = self.returning(right_node, span)
            prelude = self.effects(left_node)
            if isinstance(value.op, ast.And):
                return ir.If(self.cond(left_node), [right], [left], span, prelude)
            return ir.If(self.cond(left_node), [left], [right], span, prelude)
        return self.branching(
            value, span, lambda e: ir.Return(span, self.value(e), self.effects(e))
        )

    # -- expressions: effects

    def effects(self, expr: ast.AST) -> list[ir.Effect]:
        """Every call, await and closure in ``expr``, in evaluation order."""
        out: list[ir.Effect] = []
        self._collect(expr, out, awaited=False)
        return out

    def _collect(self, node: ast.AST, out: list[ir.Effect], awaited: bool) -> None:
        kind = type(node)
        if kind is ast.Call:
            for child in children(node):
                self._collect(child, out, awaited=False)
            call = self.value(node)  # type: ignore[arg-type]
            if isinstance(call, ir.VCall):
                out.append(ir.Call(call, awaited))
                self._mark_callbacks(call)
        elif kind in _LEAVES:
            return
        elif kind is ast.Lambda:
            index = self.lambda_(node)  # type: ignore[arg-type]
            out.append(ir.Closure(index, self.span(node)))
        elif kind is ast.Await:
            inner: ast.expr = node.value  # type: ignore[attr-defined]
            if type(inner) is ast.Call:
                self._collect(inner, out, awaited=True)
            else:
                self._collect(inner, out, awaited=False)
                out.append(ir.Await(self.span(node)))
        elif kind is ast.Yield or kind is ast.YieldFrom:
            for child in children(node):
                self._collect(child, out, awaited=False)
            out.append(ir.Await(self.span(node)))
        elif kind is ast.NamedExpr:
            self._collect(node.value, out, awaited=False)  # type: ignore[attr-defined]
            path = _path(node.target)  # type: ignore[attr-defined]
            if path is not None:
                value = self.value(node.value)  # type: ignore[attr-defined]
                out.append(ir.Assign(path, value, self.span(node)))
        else:
            for child in children(node):
                self._collect(child, out, awaited=False)

    def _mark_callbacks(self, call: ir.VCall) -> None:
        event = call.args[0].value if call.args and isinstance(call.args[0], ir.VStr) else None
        for arg in (*call.args, *(v for _, v in call.kwargs)):
            if isinstance(arg, ir.VFunc):
                fn = self.functions[arg.index]
                fn.callback_of = call.callee
                fn.callback_event = event

    # -- expressions: values

    def value(self, node: ast.expr) -> ir.Value:
        known = self.values.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        found = self._value(node)
        self.values[id(node)] = (node, found)
        return found

    def _value(self, node: ast.expr) -> ir.Value:
        span = self.span(node)
        kind = type(node)
        if kind is ast.Name:
            return ir.VName((node.id,), span)  # type: ignore[attr-defined]
        if kind is ast.Constant:
            constant = node.value  # type: ignore[attr-defined]
            if isinstance(constant, str):
                self.strings.add(constant)
                return ir.VStr(constant, span)
            if constant is None or isinstance(constant, bool | int | float):
                return ir.VConst(constant, span)
            return ir.VOther(span)
        if kind is ast.Attribute or kind is ast.Subscript:
            path = _path(node)
            return ir.VName(path, span) if path is not None else ir.VOther(span)
        if kind is ast.Call:
            return self.call(node, span)  # type: ignore[arg-type]
        if isinstance(node, ast.JoinedStr):
            if all(isinstance(p, ast.Constant) for p in node.values):
                text = "".join(p.value for p in node.values)  # type: ignore[attr-defined]
                self.strings.add(text)
                return ir.VStr(text, span)
            return ir.VOther(span)
        if isinstance(node, ast.Dict):
            entries: list[tuple[str, ir.Value]] = []
            spread = False
            for key_node, value_node in zip(node.keys, node.values, strict=True):
                if key_node is None:
                    spread = True
                    continue
                key = self.value(key_node)
                if isinstance(key, ir.VStr):
                    entries.append((key.value, self.value(value_node)))
            return ir.VObject(tuple(entries), spread, span)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            items = tuple(self.value(e) for e in node.elts if not isinstance(e, ast.Starred))
            return ir.VSeq(items, span)
        if isinstance(node, ast.Await):
            return self.value(node.value)
        if isinstance(node, ast.Lambda):
            return ir.VFunc(self.lambda_(node), span)
        if isinstance(node, ast.BoolOp | ast.Compare) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
        ):
            return ir.VCond(self.cond(node), span)
        if isinstance(node, ast.NamedExpr):
            return self.value(node.value)
        if isinstance(node, ast.IfExp):
            return ir.VChoice((self.value(node.body), self.value(node.orelse)), span)
        return ir.VOther(span)

    def call(self, node: ast.Call, span: ir.Span) -> ir.Value:
        callee = _path(node.func)
        receiver: ir.Value | None = None
        if callee is None:
            if isinstance(node.func, ast.Attribute):
                callee = ("<expr>", node.func.attr)
                receiver = self.value(node.func.value)
            else:
                callee = ()
        args = tuple(self.value(a) for a in node.args if not isinstance(a, ast.Starred))
        kwargs = tuple((k.arg, self.value(k.value)) for k in node.keywords if k.arg is not None)
        if callee == ("dict",) and not args:
            spread = any(k.arg is None for k in node.keywords)
            return ir.VObject(kwargs, spread, span)
        return ir.VCall(callee, args, kwargs, span, receiver)

    # -- conditions

    def cond(self, node: ast.expr) -> ir.Cond:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ir.CNot(self.cond(node.operand))
        if isinstance(node, ast.BoolOp):
            left, right = _split(node)
            if isinstance(node.op, ast.And):
                return ir.CAnd(self.cond(left), self.cond(right))
            return ir.COr(self.cond(left), self.cond(right))
        if isinstance(node, ast.Compare):
            result: ir.Cond | None = None
            left_node = node.left
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                part = ir.CCompare(
                    self.value(left_node), _COMPARE_OPS[type(op)], self.value(right_node)
                )
                result = part if result is None else ir.CAnd(result, part)
                left_node = right_node
            assert result is not None
            return result
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            return ir.CConst(node.value)
        if isinstance(node, ast.NamedExpr):
            return self.cond(node.value)
        return ir.CAtom(self.value(node))


def _split(node: ast.BoolOp) -> tuple[ast.expr, ast.expr]:
    """``a and b and c`` as ``(a and b)`` and ``c``: a chain is nested to the left."""
    *rest, right = node.values
    if len(rest) == 1:
        return rest[0], right
    left = ast.BoolOp(node.op, rest)
    first, last = rest[0], rest[-1]
    left.lineno, left.col_offset = first.lineno, first.col_offset
    left.end_lineno, left.end_col_offset = last.end_lineno, last.end_col_offset
    return left, right


_LEAVES = frozenset({ast.Name, ast.Constant, ast.Pass, ast.Load, ast.Store, ast.Del})
"""Nodes that hold no call, await, lambda, yield or walrus."""


def children(node: ast.AST) -> list[ast.AST]:
    """The child nodes of ``node`` in source order (the order of its effects)."""
    kind = type(node)
    if kind is ast.IfExp:  # written body, test, else
        return [node.body, node.test, node.orelse]  # type: ignore[attr-defined]
    if kind is ast.Dict:  # keys and values are kept apart
        pairs = zip(node.keys, node.values, strict=True)  # type: ignore[attr-defined]
        return [x for k, v in pairs for x in (k, v) if x is not None]
    if kind is ast.Call:  # a keyword may come before a starred argument
        parts: list[ast.AST] = [*node.args, *node.keywords]  # type: ignore[attr-defined]
        parts.sort(key=lambda a: (a.lineno, a.col_offset))  # type: ignore[attr-defined]
        return [node.func, *parts]  # type: ignore[attr-defined]
    return list(ast.iter_child_nodes(node))


def _path(node: ast.expr) -> ir.Path | None:
    """``self.a.b`` → ("self", "a", "b"); ``ev["type"]`` → ("ev", "type"); else None."""
    parts: list[str] = []
    while True:
        kind = type(node)
        if kind is ast.Name:
            parts.append(node.id)  # type: ignore[attr-defined]
            return tuple(reversed(parts))
        if kind is ast.Attribute:
            parts.append(node.attr)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
            continue
        if kind is ast.Subscript:
            index = node.slice  # type: ignore[attr-defined]
            if type(index) is ast.Constant and isinstance(index.value, str):
                parts.append(index.value)
                node = node.value  # type: ignore[attr-defined]
                continue
        return None
