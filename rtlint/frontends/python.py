"""Python frontend: libcst syntax trees lowered into the IR (:mod:`rtlint.ir`)."""

from __future__ import annotations

import codecs
import dataclasses
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import cast

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata.span_provider import byte_length_in_utf8

from rtlint import ir
from rtlint.frontends import ParseError
from rtlint.source import LineIndex

_COMPARE_OPS: dict[type[cst.BaseCompOp], ir.CompareOp] = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.Is: "is",
    cst.IsNot: "is not",
    cst.In: "in",
    cst.NotIn: "not in",
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
}
_CONSTANTS: dict[str, bool | None] = {"True": True, "False": False, "None": None}


def is_private(name: str) -> bool:
    """A leading underscore that is not a dunder."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def bom_length(source: bytes) -> int:
    """libcst positions count from the decoded text, which has no BOM; file offsets do."""
    return len(codecs.BOM_UTF8) if source.startswith(codecs.BOM_UTF8) else 0


def lower(path: str, source: bytes) -> ir.Module:
    """Parse ``source`` with libcst and lower it; :class:`ParseError` when it does not parse."""
    body, spans = parse(source)
    # Positions count from the decoded text, which has no BOM.
    shift = bom_length(source)
    return _Lowerer(path, source, spans, shift).module(body)


Spans = dict[cst.CSTNode, tuple[int, int]]
"""Each node's byte span ``(start, end)`` in the file (BOM not counted)."""


def parse(source: bytes) -> tuple[Sequence[cst.BaseStatement], Spans]:
    """The module's statements and every node's byte span.

    A file is parsed one top-level definition at a time when it can be: libcst's cost per
    line grows with the size of what it parses, and the pieces are small. Splitting only
    at lines that start with ``def``, ``class`` or a decorator keeps the statements what
    they are; if a cut fell inside a string or brackets, its piece does not parse, and
    the file is parsed whole.
    """
    ascii_only = source.isascii()
    pieces = _pieces(source)
    if len(pieces) > 1:
        spans: Spans = {}
        body: list[cst.BaseStatement] = []
        try:
            for offset, piece in pieces:
                module = _parse_module(piece)
                body += module.body
                positions(module, ascii_only, offset, spans)
            return body, spans
        except Exception:  # the whole file says what is wrong, and where
            pass
    try:
        module = _parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise _syntax_error(source, exc) from None
    return module.body, positions(module, ascii_only)


_VALIDATE = cst.CSTNode.__post_init__


def _unvalidated(node: cst.CSTNode) -> None:
    pass


def _parse_module(source: bytes) -> cst.Module:
    """``cst.parse_module`` without validating each node it builds in Python (about a
    sixth of the parse): the parser builds valid nodes, and syntax errors are its own.
    libcst's ``CSTNode.__post_init__`` notes that parsing could skip it. Nodes built
    elsewhere (the fixer's) are still validated."""
    cst.CSTNode.__post_init__ = _unvalidated  # type: ignore[method-assign,assignment]
    try:
        return cst.parse_module(source)
    finally:
        cst.CSTNode.__post_init__ = _VALIDATE  # type: ignore[method-assign]


_TOP_LEVEL = re.compile(rb"^(?:@|def\b|async[ \t]+def\b|class\b)", re.MULTILINE)
_CODING = re.compile(rb"coding[:=]")


def _pieces(source: bytes) -> list[tuple[int, bytes]]:
    """(offset, text) of the file cut before each top-level definition (its decorators
    included); one piece when the file declares an encoding or starts with a BOM."""
    head = source.split(b"\n", 2)[:2]
    if source.startswith(codecs.BOM_UTF8) or any(_CODING.search(line) for line in head):
        return [(0, source)]
    cuts = [0]
    decorated = False
    for match in _TOP_LEVEL.finditer(source):
        if match.start() > 0 and not decorated:
            cuts.append(match.start())
        decorated = source[match.start()] == ord("@")
    cuts.append(len(source))
    return [(a, source[a:b]) for a, b in itertools.pairwise(cuts) if b > a]


class _SpanState(CodegenState):
    """A code generation pass that only counts: each node's byte span, no text.

    What ``ByteSpanPositionProvider`` computes (its ``SpanProvidingCodegenState``), as
    ``(start, end)`` pairs, without building the text, a ``CodeSpan`` per node or a
    generator per syntactic position."""

    def __init__(self, module: cst.Module, spans: Spans, ascii_only: bool, start: int) -> None:
        super().__init__(module.default_indent, module.default_newline)
        self.spans = spans
        self.position = start
        self.starts: list[int] = []
        self.measure: Callable[[str], int] = len if ascii_only else byte_length_in_utf8

    def add_indent_tokens(self) -> None:
        measure = self.measure
        for token in self.indent_tokens:
            self.position += measure(token)

    def add_token(self, value: str) -> None:
        self.position += self.measure(value)
        if not self.tokens:  # the module only asks whether there is one
            self.tokens.append(value)

    def pop_trailing_newline(self) -> None:
        pass  # no text is kept, and the spans are already counted

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.starts.append(self.position)

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop()
        if node not in self.spans:
            self.spans[node] = (start, self.position)

    def record_syntactic_position(  # type: ignore[override]  # a context manager all the same
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Syntactic:
        return _Syntactic(self, node, start_node, end_node)


class _Syntactic:
    """The span of a node without its parentheses, set once its tokens are counted."""

    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(
        self,
        state: _SpanState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node
        self.start = state.position

    def __enter__(self) -> None:
        pass

    def __exit__(self, *_: object) -> None:
        spans = self.state.spans
        start = spans[self.start_node][0] if self.start_node is not None else self.start
        end = spans[self.end_node][1] if self.end_node is not None else self.state.position
        spans[self.node] = (start, end)


def positions(
    module: cst.Module, ascii_only: bool, start: int = 0, spans: Spans | None = None
) -> Spans:
    """The byte span ``(start, end)`` of every node (``spans``, filled in): what
    ``ByteSpanPositionProvider`` gives, from one counting pass over the tree (for ASCII
    sources without encoding tokens to count their bytes). ``start`` is the offset of
    ``module`` in the file."""
    found: Spans = {} if spans is None else spans
    module._codegen(_SpanState(module, found, ascii_only, start))
    return found


def _syntax_error(source: bytes, exc: cst.ParserSyntaxError) -> ParseError:
    """Python's own parser places syntax errors better than libcst's; prefer its position."""
    try:
        compile(source, "<source>", "exec", dont_inherit=True)
    except SyntaxError as error:
        if error.lineno is not None:
            return ParseError(f"syntax error: {error.msg}", error.lineno, error.offset or 1)
    except (ValueError, UnicodeDecodeError):
        pass
    return ParseError(f"syntax error: {exc.message}", exc.raw_line, exc.raw_column + 1)


class _Lowerer:
    def __init__(
        self,
        path: str,
        source: bytes,
        positions: Spans,
        shift: int,
    ) -> None:
        self.path = path
        self.source = source
        self.lines = LineIndex(source)
        self.positions = positions
        self.shift = shift
        self.functions: list[ir.Function] = []
        self.strings: set[str] = set()
        self.lambdas: dict[int, int] = {}
        self.fn_stack: list[int] = []
        self.class_stack: list[str | None] = []

    # -- positions

    def span(self, node: cst.CSTNode) -> ir.Span:
        start, end = self.positions[node]
        return self.lines.span(start + self.shift, end + self.shift)

    # -- functions

    def module(self, body: Sequence[cst.BaseStatement]) -> ir.Module:
        whole = self.lines.span(0, len(self.source))
        top = ir.Function(0, "<module>", "module", (), [], whole, whole)
        self.functions.append(top)
        self.fn_stack.append(0)
        self.class_stack.append(None)
        top.body = self.block(body)
        return ir.Module(self.path, "python", self.source, self.functions, frozenset(self.strings))

    def new_function(
        self,
        node: cst.CSTNode,
        name: str,
        kind: ir.FunctionKind,
        params: cst.Parameters,
        name_node: cst.CSTNode,
        is_async: bool = False,
    ) -> ir.Function:
        names = [p.name.value for p in (*params.posonly_params, *params.params)]
        if isinstance(params.star_arg, cst.Param):
            names.append(params.star_arg.name.value)
        names += [p.name.value for p in params.kwonly_params]
        if params.star_kwarg is not None:
            names.append(params.star_kwarg.name.value)
        class_name = self.class_stack[-1]
        fn = ir.Function(
            index=len(self.functions),
            name=name,
            kind=kind,
            params=tuple(names),
            body=[],
            span=self.span(node),
            name_span=self.span(name_node),
            parent=self.fn_stack[-1],
            class_name=class_name,
            private=is_private(name),
            is_async=is_async,
        )
        self.functions.append(fn)
        return fn

    def function_def(self, node: cst.FunctionDef) -> ir.Effect:
        kind: ir.FunctionKind = "method" if self.class_stack[-1] is not None else "function"
        fn = self.new_function(
            node, node.name.value, kind, node.params, node.name, node.asynchronous is not None
        )
        self.fn_stack.append(fn.index)
        self.class_stack.append(None)
        fn.body = self.block(node.body)
        self.class_stack.pop()
        self.fn_stack.pop()
        return ir.Closure(fn.index, fn.span)

    def lambda_(self, node: cst.Lambda, name: str = "") -> int:
        known = self.lambdas.get(id(node))
        if known is not None:
            return known
        fn = self.new_function(node, name, "lambda", node.params, node)
        self.lambdas[id(node)] = fn.index
        self.fn_stack.append(fn.index)
        self.class_stack.append(None)
        fn.body = [self.returning(node.body, fn.span)]
        self.class_stack.pop()
        self.fn_stack.pop()
        return fn.index

    def class_def(self, node: cst.ClassDef, out: list[ir.Stmt]) -> None:
        """Lower the methods; class attributes become ``Class.name = value`` in ``out``."""
        self.class_stack.append(node.name.value)
        for stmt in _body(node.body):
            if isinstance(stmt, cst.FunctionDef):
                self.function_def(stmt)
            elif isinstance(stmt, cst.ClassDef):
                self.class_def(stmt, out)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self.class_attribute(node.name.value, small, out)
        self.class_stack.pop()

    def class_attribute(self, cls: str, node: cst.BaseSmallStatement, out: list[ir.Stmt]) -> None:
        targets: list[cst.BaseExpression] = []
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            targets = [node.target]
        value = getattr(node, "value", None)
        names = [t.value for t in targets if isinstance(t, cst.Name)]
        if names and isinstance(value, cst.BaseExpression):
            span = self.span(node)
            lowered = self.value(value)
            out.append(ir.Effects([ir.Assign((cls, n), lowered, span) for n in names], span))

    # -- statements

    def block(self, body: cst.BaseSuite | Sequence[cst.BaseStatement]) -> list[ir.Stmt]:
        stmts = _body(body) if isinstance(body, cst.BaseSuite) else body
        out: list[ir.Stmt] = []
        for stmt in stmts:
            self.statement(stmt, out)
        return out

    def statement(self, node: cst.BaseStatement, out: list[ir.Stmt]) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.small(small, out)
        elif isinstance(node, cst.If):
            out.append(self.if_(node))
        elif isinstance(node, cst.While):
            prelude = self.effects(node.test)
            out.append(
                ir.Loop(
                    self.cond(node.test),
                    self.block(node.body),
                    self.span(node),
                    orelse=self.block(node.orelse.body) if node.orelse else [],
                    prelude=prelude,
                    update=prelude,
                )
            )
        elif isinstance(node, cst.For):
            prelude = self.effects(node.iter)
            target = _path(node.target)
            body = self.block(node.body)
            if target is not None:
                body.insert(
                    0,
                    ir.Effects(
                        [
                            ir.Assign(
                                target, ir.VOther(self.span(node.target)), self.span(node.target)
                            )
                        ],
                        self.span(node.target),
                    ),
                )
            out.append(
                ir.Loop(
                    None,
                    body,
                    self.span(node),
                    orelse=self.block(node.orelse.body) if node.orelse else [],
                    prelude=prelude,
                )
            )
        elif isinstance(node, cst.Try | cst.TryStar):
            out.append(
                ir.Try(
                    self.block(node.body),
                    [self.block(h.body) for h in node.handlers],
                    self.block(node.orelse.body) if node.orelse else [],
                    self.block(node.finalbody.body) if node.finalbody else [],
                    self.span(node),
                )
            )
        elif isinstance(node, cst.With):
            effects: list[ir.Effect] = []
            for item in node.items:
                effects += self.effects(item.item)
                if item.asname is not None:
                    target = _path(item.asname.name)
                    if target is not None:
                        effects.append(ir.Assign(target, self.value(item.item), self.span(item)))
            if effects:
                out.append(ir.Effects(effects, self.span(node)))
            out.extend(self.block(node.body))
        elif isinstance(node, cst.FunctionDef):
            out.append(ir.Effects([self.function_def(node)], self.span(node)))
        elif isinstance(node, cst.ClassDef):
            self.class_def(node, out)
        elif isinstance(node, cst.Match):
            out.append(self.match(node))

    def if_(self, node: cst.If) -> ir.If:
        orelse: list[ir.Stmt] = []
        if isinstance(node.orelse, cst.If):
            orelse = [self.if_(node.orelse)]
        elif isinstance(node.orelse, cst.Else):
            orelse = self.block(node.orelse.body)
        return ir.If(
            self.cond(node.test),
            self.block(node.body),
            orelse,
            self.span(node),
            prelude=self.effects(node.test),
        )

    def match(self, node: cst.Match) -> ir.Switch:
        subject = self.value(node.subject)
        cases: list[ir.Case] = []
        for case in node.cases:
            test = self.pattern(subject, case.pattern)
            if case.guard is not None:
                guard = self.cond(case.guard)
                test = guard if test is None else ir.CAnd(test, guard)
            cases.append(ir.Case(test, self.block(case.body), self.span(case)))
        return ir.Switch(cases, False, self.span(node), prelude=self.effects(node.subject))

    def pattern(self, subject: ir.Value, pattern: cst.MatchPattern) -> ir.Cond | None:
        """The condition a ``case`` pattern tests; None for an irrefutable pattern."""
        if isinstance(pattern, cst.MatchAs) and pattern.pattern is None:
            return None
        if isinstance(pattern, cst.MatchAs) and pattern.pattern is not None:
            return self.pattern(subject, pattern.pattern)
        if isinstance(pattern, cst.MatchValue):
            return ir.CCompare(subject, "==", self.value(pattern.value))
        if isinstance(pattern, cst.MatchSingleton):
            return ir.CCompare(subject, "is", self.value(pattern.value))
        if isinstance(pattern, cst.MatchOr):
            conds = [self.pattern(subject, p.pattern) for p in pattern.patterns]
            if any(c is None for c in conds):
                return None
            result = cast("ir.Cond", conds[0])
            for c in conds[1:]:
                result = ir.COr(result, cast("ir.Cond", c))
            return result
        if isinstance(pattern, cst.MatchMapping) and isinstance(subject, ir.VName):
            result_m: ir.Cond | None = None
            for element in pattern.elements:
                key = self.value(element.key)
                if not isinstance(key, ir.VStr):
                    continue
                member = ir.VName((*subject.path, key.value), subject.span)
                c = self.pattern(member, element.pattern)
                if c is not None:
                    result_m = c if result_m is None else ir.CAnd(result_m, c)
            return result_m if result_m is not None else ir.CAtom(ir.VOther(self.span(pattern)))
        return ir.CAtom(ir.VOther(self.span(pattern)))

    def small(self, node: cst.BaseSmallStatement, out: list[ir.Stmt]) -> None:
        span = self.span(node)
        if isinstance(node, cst.Expr):
            out.append(self.expression_statement(node.value, span))
        elif isinstance(node, cst.Assign):
            effects = self.effects(node.value)
            value = self.value(node.value)
            for target in node.targets:
                path = _path(target.target)
                if path is not None:
                    effects.append(ir.Assign(path, value, span))
                else:
                    effects += self.effects(target.target)
            out.append(ir.Effects(effects, span))
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                effects = self.effects(node.value)
                path = _path(node.target)
                if path is not None:
                    effects.append(ir.Assign(path, self.value(node.value), span))
                out.append(ir.Effects(effects, span))
        elif isinstance(node, cst.AugAssign):
            effects = self.effects(node.value)
            path = _path(node.target)
            if path is not None:
                effects.append(ir.Assign(path, ir.VOther(span), span))
            out.append(ir.Effects(effects, span))
        elif isinstance(node, cst.Return):
            out.append(self.returning(node.value, span) if node.value else ir.Return(span))
        elif isinstance(node, cst.Raise):
            effects = self.effects(node.exc) if node.exc is not None else []
            out.append(ir.Raise(span, effects))
        elif isinstance(node, cst.Assert):
            out.append(
                ir.If(
                    self.cond(node.test),
                    [],
                    [ir.Raise(span)],
                    span,
                    prelude=self.effects(node.test),
                )
            )
        elif isinstance(node, cst.Break):
            out.append(ir.Break(span))
        elif isinstance(node, cst.Continue):
            out.append(ir.Continue(span))

    def expression_statement(self, expr: cst.BaseExpression, span: ir.Span) -> ir.Stmt:
        """An expression used as a statement; ``a and f()`` and ternaries branch."""
        return self.branching(expr, span, lambda e: ir.Effects(self.effects(e), span))

    def branching(
        self,
        expr: cst.BaseExpression,
        span: ir.Span,
        leaf: Callable[[cst.BaseExpression], ir.Stmt],
    ) -> ir.Stmt:
        """Lower the control flow of ``a and b``, ``a or b``, ``x if c else y`` (also under
        ``await``) into ``If`` statements; ``leaf`` lowers what is left."""
        inner = expr.expression if isinstance(expr, cst.Await) else expr
        if isinstance(inner, cst.BooleanOperation):
            then = [self.branching(inner.right, span, leaf)]
            if isinstance(inner.operator, cst.And):
                return ir.If(self.cond(inner.left), then, [], span, self.effects(inner.left))
            return ir.If(self.cond(inner.left), [], then, span, self.effects(inner.left))
        if isinstance(inner, cst.IfExp):
            return ir.If(
                self.cond(inner.test),
                [self.branching(inner.body, span, leaf)],
                [self.branching(inner.orelse, span, leaf)],
                span,
                self.effects(inner.test),
            )
        return leaf(expr)

    def returning(self, value: cst.BaseExpression, span: ir.Span) -> ir.Stmt:
        """``return x if c else f()``: one ``Return`` per branch; ``return a or b`` returns
        ``a`` when it is true (``a and b``: when it is false)."""
        if isinstance(value, cst.BooleanOperation):
            left = ir.Return(span, self.value(value.left))
            right = self.returning(value.right, span)
            if isinstance(value.operator, cst.And):
                return ir.If(self.cond(value.left), [right], [left], span, self.effects(value.left))
            return ir.If(self.cond(value.left), [left], [right], span, self.effects(value.left))
        return self.branching(
            value, span, lambda e: ir.Return(span, self.value(e), self.effects(e))
        )

    # -- expressions: effects

    def effects(self, expr: cst.CSTNode) -> list[ir.Effect]:
        """Every call, await and closure in ``expr``, in evaluation order."""
        out: list[ir.Effect] = []
        self._collect(expr, out, awaited=False)
        return out

    def _collect(self, node: cst.CSTNode, out: list[ir.Effect], awaited: bool) -> None:
        kind = type(node)  # libcst's node classes are final: the type says what isinstance says
        if kind is cst.Call:
            for child in children(node):
                self._collect(child, out, awaited=False)
            call = self.value(cast("cst.Call", node))
            if isinstance(call, ir.VCall):
                out.append(ir.Call(call, awaited))
                self._mark_callbacks(call)
            return
        if kind not in _SPECIAL_EFFECTS:
            for child in children(node):
                self._collect(child, out, awaited=False)
            return
        if isinstance(node, cst.Lambda):
            index = self.lambda_(node)
            out.append(ir.Closure(index, self.span(node)))
            return
        if isinstance(node, cst.Await):
            if isinstance(node.expression, cst.Call):
                self._collect(node.expression, out, awaited=True)
            else:
                self._collect(node.expression, out, awaited=False)
                out.append(ir.Await(self.span(node)))
            return
        if isinstance(node, cst.Yield):
            for child in children(node):
                self._collect(child, out, awaited=False)
            out.append(ir.Await(self.span(node)))
            return
        if isinstance(node, cst.NamedExpr):
            self._collect(node.value, out, awaited=False)
            path = _path(node.target)
            if path is not None:
                out.append(ir.Assign(path, self.value(node.value), self.span(node)))
            return

    def _mark_callbacks(self, call: ir.VCall) -> None:
        event = call.args[0].value if call.args and isinstance(call.args[0], ir.VStr) else None
        for arg in (*call.args, *(v for _, v in call.kwargs)):
            if isinstance(arg, ir.VFunc):
                fn = self.functions[arg.index]
                fn.callback_of = call.callee
                fn.callback_event = event

    # -- expressions: values

    def value(self, node: cst.BaseExpression) -> ir.Value:
        span = self.span(node)
        if isinstance(node, cst.Name):
            if node.value in _CONSTANTS:
                return ir.VConst(_CONSTANTS[node.value], span)
            return ir.VName((node.value,), span)
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            text = node.evaluated_value
            if isinstance(text, str):
                self.strings.add(text)
                return ir.VStr(text, span)
            return ir.VOther(span)
        if isinstance(node, cst.FormattedString):
            if all(isinstance(p, cst.FormattedStringText) for p in node.parts):
                text = "".join(cast("cst.FormattedStringText", p).value for p in node.parts)
                self.strings.add(text)
                return ir.VStr(text, span)
            return ir.VOther(span)
        if isinstance(node, cst.Integer | cst.Float):
            return ir.VConst(node.evaluated_value, span)
        if isinstance(node, cst.Attribute | cst.Subscript):
            path = _path(node)
            return ir.VName(path, span) if path is not None else ir.VOther(span)
        if isinstance(node, cst.Call):
            return self.call(node, span)
        if isinstance(node, cst.Dict):
            entries: list[tuple[str, ir.Value]] = []
            spread = False
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    spread = True
                    continue
                key = self.value(element.key)
                if isinstance(key, ir.VStr):
                    entries.append((key.value, self.value(element.value)))
            return ir.VObject(tuple(entries), spread, span)
        if isinstance(node, cst.List | cst.Tuple | cst.Set):
            return ir.VSeq(
                tuple(self.value(e.value) for e in node.elements if isinstance(e, cst.Element)),
                span,
            )
        if isinstance(node, cst.Await):
            return self.value(node.expression)
        if isinstance(node, cst.Lambda):
            return ir.VFunc(self.lambda_(node), span)
        if isinstance(node, cst.BooleanOperation | cst.Comparison) or (
            isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not)
        ):
            return ir.VCond(self.cond(node), span)
        if isinstance(node, cst.NamedExpr):
            return self.value(node.value)
        if isinstance(node, cst.IfExp):
            return ir.VChoice((self.value(node.body), self.value(node.orelse)), span)
        return ir.VOther(span)

    def call(self, node: cst.Call, span: ir.Span) -> ir.Value:
        callee = _path(node.func)
        receiver: ir.Value | None = None
        if callee is None:
            if isinstance(node.func, cst.Attribute):
                callee = ("<expr>", node.func.attr.value)
                receiver = self.value(node.func.value)
            else:
                callee = ()
        args: list[ir.Value] = []
        kwargs: list[tuple[str, ir.Value]] = []
        for arg in node.args:
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, self.value(arg.value)))
            elif not arg.star:
                args.append(self.value(arg.value))
        if callee == ("dict",) and not args:
            return ir.VObject(tuple(kwargs), any(a.star == "**" for a in node.args), span)
        return ir.VCall(callee, tuple(args), tuple(kwargs), span, receiver)

    # -- conditions

    def cond(self, node: cst.BaseExpression) -> ir.Cond:
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            return ir.CNot(self.cond(node.expression))
        if isinstance(node, cst.BooleanOperation):
            left, right = self.cond(node.left), self.cond(node.right)
            if isinstance(node.operator, cst.And):
                return ir.CAnd(left, right)
            return ir.COr(left, right)
        if isinstance(node, cst.Comparison):
            result: ir.Cond | None = None
            left_node = node.left
            for target in node.comparisons:
                op = _COMPARE_OPS.get(type(target.operator))
                part: ir.Cond
                if op is None:
                    part = ir.CAtom(ir.VOther(self.span(node)))
                else:
                    part = ir.CCompare(self.value(left_node), op, self.value(target.comparator))
                result = part if result is None else ir.CAnd(result, part)
                left_node = target.comparator
            assert result is not None
            return result
        if isinstance(node, cst.Name) and node.value in ("True", "False"):
            return ir.CConst(node.value == "True")
        if isinstance(node, cst.NamedExpr):
            return self.cond(node.value)
        return ir.CAtom(self.value(node))


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes of ``node``, in the order of ``node.children`` as far as calls, awaits,
    lambdas, yields and walrus targets go (that order is the order of effects), without the
    cost of ``children``, which rebuilds the node through a visitor."""
    if isinstance(node, cst.IfExp):  # the only node whose fields are not in source order
        return [node.body, node.test, node.orelse]
    out: list[cst.CSTNode] = []
    for name in _node_fields(type(node)):
        value: object = getattr(node, name)
        kind: type = type(value)
        if isinstance(value, tuple | list):
            items: tuple[object, ...] | list[object] = value
            out += [cast("cst.CSTNode", v) for v in items if _may_have_effects(type(v))]
        elif _may_have_effects(kind):
            out.append(cast("cst.CSTNode", value))
    return out


_SPECIAL_EFFECTS = frozenset({cst.Lambda, cst.Await, cst.Yield, cst.NamedExpr})
_NO_EFFECTS = (
    cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline,
    cst.Comment, cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
    cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Comma, cst.Dot, cst.Colon, cst.AssignEqual,
    cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp,
    cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis,
)  # fmt: skip
"""Nodes that contain no call, await, lambda, yield or walrus: not worth descending into."""


_EFFECTFUL: dict[type, bool] = {}


def _may_have_effects(cls: type) -> bool:
    known = _EFFECTFUL.get(cls)
    if known is None:
        known = _EFFECTFUL[cls] = issubclass(cls, cst.CSTNode) and not issubclass(cls, _NO_EFFECTS)
    return known


@functools.cache
def _node_fields(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _body(suite: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    if isinstance(suite, cst.IndentedBlock):
        return suite.body
    return [cst.SimpleStatementLine(body=cast("cst.SimpleStatementSuite", suite).body)]


def _path(node: cst.BaseExpression) -> ir.Path | None:
    """``self.a.b`` → ("self", "a", "b"); ``ev["type"]`` → ("ev", "type"); else None."""
    parts: list[str] = []
    while True:
        if isinstance(node, cst.Name):
            parts.append(node.value)
            return tuple(reversed(parts))
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
            continue
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            index = node.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                key = index.value.evaluated_value
                if isinstance(key, str):
                    parts.append(key)
                    node = node.value
                    continue
        return None
