"""The TypeScript/JavaScript frontend: lowers a tree-sitter tree into :mod:`rtlint.ir`.

One recursive pass over the tree. Expressions are lowered by :meth:`_Lowerer.expr`,
which returns the expression's :data:`~rtlint.ir.Value` and appends the effects it
performs (calls, assignments, awaits, closures) to a list in evaluation order.
Statements are lowered by :meth:`_Lowerer.stmt` into structured IR statements.
Every function-like node becomes its own :class:`~rtlint.ir.Function`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser

from rtlint.frontends import ParseError
from rtlint.ir import (
    Assign,
    Await,
    Break,
    Call,
    CAnd,
    Case,
    CAtom,
    CCompare,
    CConst,
    Closure,
    CNot,
    CompareOp,
    Cond,
    Continue,
    COr,
    Effect,
    Effects,
    Function,
    FunctionKind,
    If,
    Labeled,
    Loop,
    Module,
    Path,
    Raise,
    Return,
    Span,
    Stmt,
    Switch,
    Try,
    Value,
    VCall,
    VChoice,
    VCond,
    VConst,
    VFunc,
    VName,
    VObject,
    VOther,
    VSeq,
    VStr,
)
from rtlint.source import LineIndex

__all__ = ["lower"]

MAX_DEPTH = 200
"""Nesting beyond this many expression/statement levels degrades to ``VOther``."""

_LANGUAGES: dict[bool, Language] = {}
_LOCAL = threading.local()
"""Per-thread parsers (a tree-sitter ``Parser`` must not be shared between threads)."""


def _parser(tsx: bool) -> Parser:
    """The cached parser for the typescript (or tsx) grammar."""
    parsers: dict[bool, Parser] | None = getattr(_LOCAL, "parsers", None)
    if parsers is None:
        parsers = _LOCAL.parsers = {}
    parser = parsers.get(tsx)
    if parser is None:
        language = _LANGUAGES.get(tsx)
        if language is None:
            raw = (
                tree_sitter_typescript.language_tsx()
                if tsx
                else tree_sitter_typescript.language_typescript()
            )
            language = _LANGUAGES[tsx] = Language(raw)
        parser = parsers[tsx] = Parser(language)
    return parser


# --------------------------------------------------------------------------- node kinds

_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
_TRANSPARENT = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
        "instantiation_expression",
    }
)
_PATHLIKE = frozenset({"identifier", "this", "super", "member_expression", "subscript_expression"})
_CALLS = frozenset({"call_expression", "new_expression"})
_PATTERNS = frozenset({"object_pattern", "array_pattern", "assignment_pattern"})
_NOT_EXPR = frozenset(
    {
        "comment",
        "html_comment",
        "type_annotation",
        "type_arguments",
        "type_parameters",
        "type_predicate_annotation",
        "asserts_annotation",
        "implements_clause",
        "predefined_type",
        "type_identifier",
        "property_identifier",
        "private_property_identifier",
        "statement_identifier",
        "accessibility_modifier",
        "override_modifier",
        "optional_chain",
        "regex_pattern",
        "regex_flags",
        "string_fragment",
        "escape_sequence",
        "jsx_text",
        "html_character_reference",
        "hash_bang_line",
    }
)
_DECL_ONLY = frozenset(
    {
        "import_statement",
        "type_alias_declaration",
        "interface_declaration",
        "enum_declaration",
        "ambient_declaration",
        "function_signature",
        "import_alias",
    }
)
_COMPARE: dict[str, CompareOp] = {
    "==": "==",
    "===": "==",
    "!=": "!=",
    "!==": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
_COND_OPS = frozenset({"&&", "||", *_COMPARE})
_LOGICAL_ASSIGN = frozenset({"||=", "&&=", "??="})
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".JS", ".MJS", ".CJS")

# --------------------------------------------------------------------------- literals

_ESCAPE = re.compile(
    r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\r\n|.)", re.S
)
_SIMPLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\n": "",
    "\r": "",
    "\r\n": "",
    "\u2028": "",
    "\u2029": "",
}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    esc = match.group(1)
    head = esc[0]
    if head == "u":
        code = int(esc[2:-1] if esc[1] == "{" else esc[1:], 16)
        return chr(code) if code <= 0x10FFFF else ""
    if head == "x":
        return chr(int(esc[1:], 16))
    if head in "01234567":
        return chr(int(esc, 8))
    return _SIMPLE_ESCAPES.get(esc, esc)


def _unescape(raw: str) -> str:
    """Resolve JavaScript string escapes (joining surrogate pairs)."""
    if "\\" not in raw:
        return raw
    text = _ESCAPE.sub(_escape, raw)
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _number(text: str) -> int | float | None:
    """The value of a JavaScript numeric literal, or None if it cannot be read."""
    text = text.replace("_", "")
    if text.endswith("n"):
        text = text[:-1]
    try:
        return int(text, 0)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None


def _is_private(name: str) -> bool:
    """``#name`` or a leading underscore that is not a dunder."""
    if name.startswith("#"):
        return True
    return name.startswith("_") and not (
        len(name) > 4 and name.startswith("__") and name.endswith("__")
    )


def _plain_return(stmts: list[Stmt]) -> Value | None:
    """The value when ``stmts`` is one ``Return`` of a value without effects."""
    if len(stmts) != 1:
        return None
    ret = stmts[0]
    return ret.value if isinstance(ret, Return) and not ret.prelude else None


# --------------------------------------------------------------------------- tree helpers


def _first(node: Node) -> Node | None:
    """The first named child that is not a comment."""
    for child in node.named_children:
        if child.type != "comment":
            return child
    return None


def _inner(node: Node) -> Node | None:
    """The wrapped expression of a transparent wrapper (parens, casts, ``!``)."""
    for child in node.named_children:
        if child.type != "comment" and child.type != "type_arguments":
            return child
    return None


def _unwrap(node: Node) -> Node:
    """Strip parentheses, ``as``/``satisfies``/``<T>`` casts, ``!`` and ``f<T>``."""
    while node.type in _TRANSPARENT:
        inner = _inner(node)
        if inner is None:
            break
        node = inner
    return node


def _operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


def _is_async(node: Node) -> bool:
    """Whether a function-like node carries the ``async`` modifier."""
    for child in node.children:
        kind = child.type
        if kind == "async":
            return True
        if child.is_named and kind not in ("decorator", "accessibility_modifier", "comment"):
            return False
    return False


def _has_private_modifier(node: Node) -> bool:
    for child in node.named_children:
        if child.type == "accessibility_modifier":
            return child.text == b"private"
    return False


def _errors(root: Node) -> list[Node]:
    """The ERROR and MISSING nodes that are real syntax errors, in document order.

    Text in JSX that the grammar rejects but TypeScript accepts (a bare ``&``, as in
    ``<h4>Version & Project</h4>``) parses as an ERROR node among a JSX element's
    children: that is not an error."""
    found: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing or (node.is_error and not _jsx_text(node)):
            found.append(node)
        elif node.has_error:
            stack.extend(reversed(node.children))
    return found


def _jsx_text(node: Node) -> bool:
    """An ERROR node that is JSX text: a child of a JSX element, holding no tag or braces."""
    parent = node.parent
    if parent is None or parent.type != "jsx_element" or node.text is None:
        return False
    return not any(c in node.text for c in b"<>{}") and not any(c.is_missing for c in node.children)


def _syntax_error(node: Node, source: bytes, index: LineIndex) -> ParseError:
    line, column = index.position(node.start_byte)
    if node.is_missing:
        return ParseError(f"syntax error: missing `{node.type}`", line, column)
    text = source[node.start_byte : node.end_byte].decode("utf-8", "replace").strip()
    text = text.split("\n", 1)[0].strip()
    if not text:
        return ParseError("syntax error: unexpected end of input", line, column)
    if len(text) > 40:
        text = text[:40] + "…"
    return ParseError(f"syntax error: unexpected `{text}`", line, column)


# --------------------------------------------------------------------------- lowering

ExprHandler = Callable[["_Lowerer", Node, list[Effect]], Value]
StmtHandler = Callable[["_Lowerer", Node, list[Stmt]], None]


class _Lowerer:
    """Lowers one parsed file; ``cur`` is the index of the function being lowered."""

    def __init__(self, source: bytes, index: LineIndex) -> None:
        self.src = source
        self.index = index
        self.functions: list[Function] = []
        self.strings: set[str] = set()
        self.cur = 0
        self.depth = 0
        self.ascii = source.isascii()
        self.ascii_rows: list[bool] = (
            [] if self.ascii else [line.isascii() for line in source.split(b"\n")]
        )

    # ------------------------------------------------------------------ basics

    def span(self, node: Node) -> Span:
        """The span of ``node`` (character columns, as :meth:`LineIndex.span`)."""
        start, end = node.start_point, node.end_point
        if self.ascii:
            return Span(
                node.start_byte,
                node.end_byte,
                start[0] + 1,
                start[1] + 1,
                end[0] + 1,
                end[1] + 1,
            )
        rows = self.ascii_rows
        if rows[start[0]]:
            line, column = start[0] + 1, start[1] + 1
        else:
            line, column = self.index.position(node.start_byte)
        if rows[end[0]]:
            end_line, end_column = end[0] + 1, end[1] + 1
        else:
            end_line, end_column = self.index.position(node.end_byte)
        return Span(node.start_byte, node.end_byte, line, column, end_line, end_column)

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def string_value(self, node: Node) -> str | None:
        """The value of a string literal or substitution-free template (recorded)."""
        kind = node.type
        if kind == "string":
            value = _unescape(self.text(node)[1:-1])
        elif kind == "template_string":
            for child in node.named_children:
                if child.type == "template_substitution":
                    return None
            value = _unescape(self.text(node)[1:-1])
        else:
            return None
        self.strings.add(value)
        return value

    def scan_strings(self, node: Node) -> None:
        """Record the string literals of a subtree that is otherwise skipped."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current.type in ("string", "template_string"):
                self.string_value(current)
            else:
                stack.extend(current.named_children)

    def key(self, node: Node, out: list[Effect]) -> str | None:
        """A property name: identifier, string, number or constant computed key."""
        kind = node.type
        if kind in ("property_identifier", "private_property_identifier", "identifier"):
            return self.text(node)
        if kind == "string":
            return self.string_value(node)
        if kind == "number":
            number = _number(self.text(node))
            return str(number) if isinstance(number, int) else self.text(node)
        if kind == "computed_property_name":
            inner = _first(node)
            if inner is None:
                return None
            inner = _unwrap(inner)
            value = self.string_value(inner)
            if value is None:
                self.expr(inner, out)
            return value
        return None

    # ------------------------------------------------------------------ functions

    def function(
        self,
        node: Node,
        name: str,
        name_node: Node | None,
        kind: FunctionKind,
        class_name: str | None = None,
        private: bool = False,
    ) -> tuple[int, Span]:
        """Lower a function-like node into a new :class:`Function`; its index and span."""
        index = len(self.functions)
        span = self.span(node)
        name_span = span if name_node is None or name_node == node else self.span(name_node)
        fn = Function(
            index=index,
            name=name,
            kind=kind,
            params=(),
            body=[],
            span=span,
            name_span=name_span,
            parent=self.cur,
            class_name=class_name,
            private=private or _is_private(name),
            is_async=_is_async(node),
        )
        self.functions.append(fn)
        saved = self.cur
        self.cur = index
        self.depth += 2
        prelude: list[Effect] = []
        fn.params = self.params(node, prelude)
        body: list[Stmt] = []
        if prelude:
            params = node.child_by_field_name("parameters")
            body.append(Effects(prelude, self.span(params) if params is not None else span))
        body_node = node.child_by_field_name("body")
        if body_node is not None:
            if body_node.type == "statement_block":
                for child in body_node.named_children:
                    self.stmt(child, body)
            else:
                self.returns(body_node, self.span(body_node), body)
        fn.body = body
        self.depth -= 2
        self.cur = saved
        return index, span

    def params(self, node: Node, out: list[Effect]) -> tuple[str, ...]:
        """Identifier parameter names; default values are lowered into ``out``."""
        params = node.child_by_field_name("parameters")
        if params is None:
            single = node.child_by_field_name("parameter")
            if single is not None and single.type == "identifier":
                return (self.text(single),)
            return ()
        names: list[str] = []
        for param in params.named_children:
            kind = param.type
            if kind == "identifier":
                names.append(self.text(param))
                continue
            if kind not in ("required_parameter", "optional_parameter"):
                continue
            pattern = param.child_by_field_name("pattern")
            default = param.child_by_field_name("value")
            name = ""
            if pattern is not None:
                pkind = pattern.type
                if pkind == "identifier":
                    name = self.text(pattern)
                    names.append(name)
                elif pkind == "rest_pattern":
                    inner = _first(pattern)
                    if inner is not None and inner.type == "identifier":
                        names.append(self.text(inner))
                    elif inner is not None:
                        self.expr(inner, out)
                elif pkind != "this":
                    self.expr(pattern, out)
            if default is not None:
                self.named_value(default, name, pattern, out)
        return tuple(names)

    def returns(self, node: Node, span: Span, acc: list[Stmt]) -> None:
        """``return node`` (also an arrow's expression body).

        A ternary or short-circuit whose arms have effects becomes an ``If`` whose
        arms each return, so the effects are conditional; otherwise it is one
        ``Return`` of the whole value.
        """
        if self.depth > MAX_DEPTH:
            acc.append(Return(span, VOther(self.span(node))))
            return
        self.depth += 1
        bare = _unwrap(node)
        kind = bare.type
        left = right = None
        op = ""
        if kind == "binary_expression":
            op = _operator(bare)
            left = bare.child_by_field_name("left")
            right = bare.child_by_field_name("right")
        prelude: list[Effect] = []
        cond: Cond
        if kind == "ternary_expression":
            test = bare.child_by_field_name("condition")
            cond = self.cond(test, prelude) if test is not None else CConst(True)
            then: list[Stmt] = []
            orelse: list[Stmt] = []
            for field, arm in (("consequence", then), ("alternative", orelse)):
                branch = bare.child_by_field_name(field)
                if branch is not None:
                    self.returns(branch, span, arm)
            if _plain_return(then) is not None and _plain_return(orelse) is not None:
                acc.append(Return(span, VOther(self.span(bare)), prelude))
            else:
                acc.append(If(cond, then, orelse, self.span(bare), prelude))
        elif op in ("&&", "||", "??") and left is not None and right is not None:
            # Every arm returns the whole value (predicate summaries read it); the
            # right operand's effects happen only in the arm that evaluates it.
            rest: list[Effect] = []
            whole: Value
            if op == "??":
                self.expr(left, prelude)
                cond = CAtom(VOther(self.span(left)))
                self.expr(right, rest)
                whole = VOther(self.span(bare))
            else:
                cond = self.cond(left, prelude)
                right_cond = self.cond(right, rest)
                both = CAnd(cond, right_cond) if op == "&&" else COr(cond, right_cond)
                whole = VCond(both, self.span(bare))
            if not rest:
                acc.append(Return(span, whole, prelude))
            else:
                evaluated: list[Stmt] = [Return(span, whole, rest)]
                short: list[Stmt] = [Return(span, whole)]
                if op == "&&":
                    acc.append(If(cond, evaluated, short, self.span(bare), prelude))
                else:
                    acc.append(If(cond, short, evaluated, self.span(bare), prelude))
        else:
            value = self.expr(node, prelude)
            acc.append(Return(span, value, prelude))
        self.depth -= 1

    def closure(
        self, node: Node, out: list[Effect], name: str = "", name_node: Node | None = None
    ) -> VFunc:
        """A function value created here: a new Function plus a Closure effect."""
        own = node.child_by_field_name("name")
        if own is not None:
            name, name_node = self.text(own), own
        kind: FunctionKind = "lambda" if node.type == "arrow_function" else "function"
        index, span = self.function(node, name, name_node, kind)
        out.append(Closure(index, span))
        return VFunc(index, span)

    def named_value(
        self, node: Node, name: str, name_node: Node | None, out: list[Effect]
    ) -> Value:
        """Lower a value assigned to ``name`` (names anonymous functions and classes)."""
        if name:
            bare = _unwrap(node)
            kind = bare.type
            if kind in _FUNCTIONS:
                return self.closure(bare, out, name, name_node)
            if kind == "class":
                self.lower_class(bare, name, out)
                return VOther(self.span(node))
        return self.expr(node, out)

    def lower_class(self, node: Node, name: str, out: list[Effect]) -> list[Stmt]:
        """Lower a class's methods as Functions.

        Decorators, ``extends`` expressions and non-function field initializers are
        lowered into ``out``; static blocks are returned as statements.
        """
        own = node.child_by_field_name("name")
        class_name = self.text(own) if own is not None else name
        static_stmts: list[Stmt] = []
        for child in node.named_children:
            kind = child.type
            if kind == "decorator" or kind == "class_heritage":
                self.expr(child, out)
            elif kind == "class_body":
                for member in child.named_children:
                    self.class_member(member, class_name, out, static_stmts)
        return static_stmts

    def class_member(
        self, member: Node, class_name: str, out: list[Effect], static_stmts: list[Stmt]
    ) -> None:
        kind = member.type
        if kind == "method_definition":
            key = member.child_by_field_name("name")
            name = (self.key(key, out) or "") if key is not None else ""
            self.function(member, name, key, "method", class_name, _has_private_modifier(member))
        elif kind == "public_field_definition":
            key = member.child_by_field_name("name")
            name = (self.key(key, out) or "") if key is not None else ""
            for decorator in member.children_by_field_name("decorator"):
                self.expr(decorator, out)
            value = member.child_by_field_name("value")
            if value is None:
                return
            bare = _unwrap(value)
            if bare.type in _FUNCTIONS:
                self.function(bare, name, key, "method", class_name, _has_private_modifier(member))
            else:
                lowered = self.named_value(value, name, key, out)
                if name:  # a field initializer: `Class.name` (or `this.name`) holds it
                    out.append(Assign((class_name, name), lowered, self.span(member)))
        elif kind == "class_static_block":
            body = member.child_by_field_name("body")
            if body is not None:
                self.stmt(body, static_stmts)
        elif kind == "decorator":
            self.expr(member, out)

    # ------------------------------------------------------------------ expressions

    def expr(self, node: Node, out: list[Effect]) -> Value:
        """Lower an expression: append its effects to ``out`` and return its value."""
        if self.depth > MAX_DEPTH:
            return VOther(self.span(node))
        handler = _EXPR.get(node.type)
        self.depth += 1
        value = handler(self, node, out) if handler is not None else self.generic(node, out)
        self.depth -= 1
        return value

    def generic(self, node: Node, out: list[Effect]) -> Value:
        """Any other node: lower its children for effects; the value is opaque."""
        for child in node.named_children:
            if child.type not in _NOT_EXPR:
                self.expr(child, out)
        return VOther(self.span(node))

    def other(self, node: Node, out: list[Effect]) -> Value:
        return VOther(self.span(node))

    def identifier(self, node: Node, out: list[Effect]) -> Value:
        return VName((self.text(node),), self.span(node))

    def this(self, node: Node, out: list[Effect]) -> Value:
        return VName(("self",), self.span(node))

    def super_(self, node: Node, out: list[Effect]) -> Value:
        return VName(("super",), self.span(node))

    def true(self, node: Node, out: list[Effect]) -> Value:
        return VConst(True, self.span(node))

    def false(self, node: Node, out: list[Effect]) -> Value:
        return VConst(False, self.span(node))

    def null(self, node: Node, out: list[Effect]) -> Value:
        return VConst(None, self.span(node))

    def number(self, node: Node, out: list[Effect]) -> Value:
        value = _number(self.text(node))
        if value is None:
            return VOther(self.span(node))
        return VConst(value, self.span(node))

    def string(self, node: Node, out: list[Effect]) -> Value:
        value = self.string_value(node)
        if value is None:  # a template with substitutions
            for child in node.named_children:
                if child.type == "template_substitution":
                    for inner in child.named_children:
                        if inner.type != "comment":
                            self.expr(inner, out)
            return VOther(self.span(node))
        return VStr(value, self.span(node))

    def transparent(self, node: Node, out: list[Effect]) -> Value:
        inner = _inner(node)
        if inner is None:
            return VOther(self.span(node))
        return self.expr(inner, out)

    def member(self, node: Node, out: list[Effect]) -> Value:
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if obj is None or prop is None:
            return self.generic(node, out)
        value = self.expr(obj, out)
        if isinstance(value, VName) and _unwrap(obj).type in _PATHLIKE:
            return VName((*value.path, self.text(prop)), self.span(node))
        return VOther(self.span(node))

    def subscript(self, node: Node, out: list[Effect]) -> Value:
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        if obj is None or index is None:
            return self.generic(node, out)
        value = self.expr(obj, out)
        key = self.string_value(_unwrap(index))
        if key is None:
            self.expr(index, out)
            return VOther(self.span(node))
        if isinstance(value, VName) and _unwrap(obj).type in _PATHLIKE:
            return VName((*value.path, key), self.span(node))
        return VOther(self.span(node))

    def callee(self, node: Node, out: list[Effect]) -> tuple[Path, Value | None]:
        """The callee path of a call, and the receiver value when it is not a path."""
        bare = _unwrap(node)
        kind = bare.type
        if kind == "identifier":
            return (self.text(bare),), None
        if kind == "this":
            return ("self",), None
        if kind == "super":
            return ("super",), None
        if kind == "import":
            return ("import",), None
        if kind == "member_expression" or kind == "subscript_expression":
            obj = bare.child_by_field_name("object")
            if obj is not None:
                receiver = self.expr(obj, out)
                if kind == "member_expression":
                    prop = bare.child_by_field_name("property")
                    name = self.text(prop) if prop is not None else None
                else:
                    index = bare.child_by_field_name("index")
                    name = self.string_value(_unwrap(index)) if index is not None else None
                    if name is None and index is not None:
                        self.expr(index, out)
                if name is None:
                    return (), receiver
                if isinstance(receiver, VName) and _unwrap(obj).type in _PATHLIKE:
                    return (*receiver.path, name), None
                return ("<expr>", name), receiver
        return (), self.expr(bare, out)

    def call(self, node: Node, out: list[Effect], awaited: bool = False) -> VCall:
        """A call or ``new``: callee, then arguments, then the call itself."""
        is_new = node.type == "new_expression"
        fn = node.child_by_field_name("constructor" if is_new else "function")
        if fn is not None:
            callee, receiver = self.callee(fn, out)
        else:
            callee, receiver = (), None
        args: tuple[Value, ...] = ()
        args_node = node.child_by_field_name("arguments")
        if args_node is not None:
            if args_node.type == "arguments":
                lowered: list[Value] = []
                for child in args_node.named_children:
                    if child.type != "comment":
                        lowered.append(self.expr(child, out))
                args = tuple(lowered)
            else:  # a tagged template
                self.expr(args_node, out)
        call = VCall(callee, args, (), self.span(node), receiver)
        for arg in args:
            func: Value | None = arg
            if isinstance(arg, VCall) and arg.callee == ("<expr>", "bind"):
                func = arg.receiver  # ``function () {…}.bind(this)``
            if isinstance(func, VFunc):
                fn_ir = self.functions[func.index]
                fn_ir.callback_of = callee
                fn_ir.callback_event = args[0].value if isinstance(args[0], VStr) else None
        out.append(Call(call, awaited))
        return call

    def await_(self, node: Node, out: list[Effect]) -> Value:
        inner = _first(node)
        if inner is None:
            out.append(Await(self.span(node)))
            return VOther(self.span(node))
        bare = _unwrap(inner)
        if bare.type in _CALLS:
            return self.call(bare, out, awaited=True)
        value = self.expr(inner, out)
        out.append(Await(self.span(node)))
        return value

    def yield_(self, node: Node, out: list[Effect]) -> Value:
        inner = _first(node)
        if inner is not None:
            self.expr(inner, out)
        out.append(Await(self.span(node)))
        return VOther(self.span(node))

    def object(self, node: Node, out: list[Effect]) -> Value:
        entries: list[tuple[str, Value]] = []
        spread = False
        for child in node.named_children:
            kind = child.type
            if kind == "pair":
                key_node = child.child_by_field_name("key")
                value_node = child.child_by_field_name("value")
                key = self.key(key_node, out) if key_node is not None else None
                if value_node is not None:
                    value = self.named_value(value_node, key or "", key_node, out)
                    if key is not None:
                        entries.append((key, value))
            elif kind == "shorthand_property_identifier":
                name = self.text(child)
                entries.append((name, VName((name,), self.span(child))))
            elif kind == "spread_element":
                spread = True
                self.generic(child, out)
            elif kind == "method_definition":
                key_node = child.child_by_field_name("name")
                key = self.key(key_node, out) if key_node is not None else None
                index, span = self.function(child, key or "", key_node, "method")
                out.append(Closure(index, span))
            elif kind != "comment":
                self.expr(child, out)
        return VObject(tuple(entries), spread, self.span(node))

    def array(self, node: Node, out: list[Effect]) -> Value:
        items: list[Value] = []
        for child in node.named_children:
            if child.type != "comment":
                items.append(self.expr(child, out))
        return VSeq(tuple(items), self.span(node))

    def spread(self, node: Node, out: list[Effect]) -> Value:
        return self.generic(node, out)

    def function_expr(self, node: Node, out: list[Effect]) -> Value:
        return self.closure(node, out)

    def class_expr(self, node: Node, out: list[Effect]) -> Value:
        self.lower_class(node, "", out)
        return VOther(self.span(node))

    def unary(self, node: Node, out: list[Effect]) -> Value:
        arg = node.child_by_field_name("argument")
        if arg is None:
            return self.generic(node, out)
        if _operator(node) == "!":
            return VCond(CNot(self.cond(arg, out)), self.span(node))
        self.expr(arg, out)
        return VOther(self.span(node))

    def binary(self, node: Node, out: list[Effect]) -> Value:
        if _operator(node) in _COND_OPS:
            return VCond(self.cond(node, out), self.span(node))
        if _operator(node) == "??":
            sides = [node.child_by_field_name(f) for f in ("left", "right")]
            options = tuple(self.expr(side, out) for side in sides if side is not None)
            return VChoice(options, self.span(node))
        # Arithmetic chains (``a + b + c + …``) nest to the left: walk them iteratively.
        rights: list[Node] = []
        left: Node | None = node
        while (
            left is not None
            and left.type == "binary_expression"
            and _operator(left) not in _COND_OPS
        ):
            right = left.child_by_field_name("right")
            if right is not None:
                rights.append(right)
            left = left.child_by_field_name("left")
        if left is not None:
            self.expr(left, out)
        for right in reversed(rights):
            self.expr(right, out)
        return VOther(self.span(node))

    def ternary(self, node: Node, out: list[Effect]) -> Value:
        test = node.child_by_field_name("condition")
        if test is not None:
            self.cond(test, out)
        options: list[Value] = []
        for field in ("consequence", "alternative"):
            branch = node.child_by_field_name(field)
            if branch is not None:
                options.append(self.expr(branch, out))
        return VChoice(tuple(options), self.span(node))

    def sequence(self, node: Node, out: list[Effect]) -> Value:
        value: Value = VOther(self.span(node))
        for child in node.named_children:
            if child.type != "comment":
                value = self.expr(child, out)
        return value

    def target(self, node: Node, out: list[Effect]) -> tuple[Path | None, Node | None]:
        """An assignment target's path (None if not a path) and its name node."""
        bare = _unwrap(node)
        kind = bare.type
        if kind == "identifier":
            return (self.text(bare),), bare
        if kind == "member_expression" or kind == "subscript_expression":
            value = self.expr(bare, out)
            name_node = bare.child_by_field_name(
                "property" if kind == "member_expression" else "index"
            )
            return (value.path if isinstance(value, VName) else None), name_node
        self.expr(bare, out)  # destructuring: defaults may hold calls or functions
        return None, None

    def assignment(self, node: Node, out: list[Effect]) -> Value:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return self.generic(node, out)
        path, name_node = self.target(left, out)
        value = self.named_value(right, path[-1] if path else "", name_node, out)
        if path is not None:
            out.append(Assign(path, value, self.span(node)))
        return value

    def augmented(self, node: Node, out: list[Effect]) -> Value:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return self.generic(node, out)
        path, name_node = self.target(left, out)
        value: Value
        if _operator(node) in _LOGICAL_ASSIGN:
            value = self.named_value(right, path[-1] if path else "", name_node, out)
        else:
            self.expr(right, out)
            value = VOther(self.span(node))
        if path is not None:
            out.append(Assign(path, value, self.span(node)))
        return value

    def update(self, node: Node, out: list[Effect]) -> Value:
        arg = node.child_by_field_name("argument")
        value = VOther(self.span(node))
        if arg is not None:
            path, _ = self.target(arg, out)
            if path is not None:
                out.append(Assign(path, value, value.span))
        return value

    def jsx_attribute(self, node: Node, out: list[Effect]) -> Value:
        name = ""
        name_node: Node | None = None
        for child in node.named_children:
            kind = child.type
            if name_node is None and kind in ("property_identifier", "jsx_namespace_name"):
                name_node = child
                name = self.text(child)
            elif kind == "jsx_expression":
                inner = _first(child)
                if inner is not None:
                    self.named_value(inner, name, name_node, out)
            elif kind == "string":  # JSX attribute strings have no escapes
                self.strings.add(self.text(child)[1:-1])
            elif kind != "comment":
                self.expr(child, out)
        return VOther(self.span(node))

    # ------------------------------------------------------------------ conditions

    def cond(self, node: Node, out: list[Effect]) -> Cond:
        """Lower a test into a :data:`Cond`, appending its effects to ``out``."""
        if self.depth > MAX_DEPTH:
            return CAtom(VOther(self.span(node)))
        self.depth += 1
        result = self._cond(_unwrap(node), out)
        self.depth -= 1
        return result

    def _cond(self, node: Node, out: list[Effect]) -> Cond:
        kind = node.type
        if kind == "unary_expression" and _operator(node) == "!":
            arg = node.child_by_field_name("argument")
            if arg is not None:
                return CNot(self.cond(arg, out))
        elif kind == "binary_expression":
            op = _operator(node)
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if left is not None and right is not None:
                if op == "&&":
                    return CAnd(self.cond(left, out), self.cond(right, out))
                if op == "||":
                    return COr(self.cond(left, out), self.cond(right, out))
                compare = _COMPARE.get(op)
                if compare is not None:
                    return CCompare(self.expr(left, out), compare, self.expr(right, out))
                if op in ("instanceof", "in", "??"):
                    self.expr(left, out)
                    self.expr(right, out)
                    return CAtom(VOther(self.span(node)))
        elif kind == "true":
            return CConst(True)
        elif kind == "false":
            return CConst(False)
        return CAtom(self.expr(node, out))

    # ------------------------------------------------------------------ statements

    def stmt(self, node: Node, acc: list[Stmt]) -> None:
        """Lower one statement, appending the resulting IR statements to ``acc``."""
        if self.depth > MAX_DEPTH:
            return
        handler = _STMT.get(node.type)
        self.depth += 1
        if handler is not None:
            handler(self, node, acc)
        else:
            out: list[Effect] = []
            self.expr(node, out)
            if out:
                acc.append(Effects(out, self.span(node)))
        self.depth -= 1

    def expr_stmt(self, node: Node, acc: list[Stmt]) -> None:
        """An expression used as a statement: short-circuits and ternaries become Ifs."""
        if self.depth > MAX_DEPTH:
            return
        self.depth += 1
        bare = _unwrap(node)
        kind = bare.type
        if kind == "binary_expression" and _operator(bare) in ("&&", "||", "??"):
            self.short_circuit(bare, acc)
        elif kind == "ternary_expression":
            test = bare.child_by_field_name("condition")
            prelude: list[Effect] = []
            cond = self.cond(test, prelude) if test is not None else CAtom(VOther(self.span(bare)))
            then: list[Stmt] = []
            orelse: list[Stmt] = []
            consequence = bare.child_by_field_name("consequence")
            alternative = bare.child_by_field_name("alternative")
            if consequence is not None:
                self.expr_stmt(consequence, then)
            if alternative is not None:
                self.expr_stmt(alternative, orelse)
            acc.append(If(cond, then, orelse, self.span(bare), prelude))
        elif kind == "sequence_expression":
            for child in bare.named_children:
                if child.type != "comment":
                    self.expr_stmt(child, acc)
        elif kind == "internal_module":
            self.s_namespace(bare, acc)
        else:
            out: list[Effect] = []
            self.expr(bare, out)
            if out:
                acc.append(Effects(out, self.span(node)))
        self.depth -= 1

    def short_circuit(self, node: Node, acc: list[Stmt]) -> None:
        op = _operator(node)
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return
        prelude: list[Effect] = []
        branch: list[Stmt] = []
        if op == "??":
            self.expr(left, prelude)
            cond: Cond = CAtom(VOther(self.span(left)))
        else:
            cond = self.cond(left, prelude)
        self.expr_stmt(right, branch)
        if op == "&&":
            acc.append(If(cond, branch, [], self.span(node), prelude))
        else:
            acc.append(If(cond, [], branch, self.span(node), prelude))

    def s_expression(self, node: Node, acc: list[Stmt]) -> None:
        inner = _first(node)
        if inner is not None:
            self.expr_stmt(inner, acc)

    def declaration(self, node: Node) -> list[Effect]:
        """The effects of ``const``/``let``/``var`` declarators, with their Assigns."""
        out: list[Effect] = []
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            value = declarator.child_by_field_name("value")
            if name is not None and name.type == "identifier":
                if value is not None:
                    text = self.text(name)
                    lowered = self.named_value(value, text, name, out)
                    out.append(Assign((text,), lowered, self.span(declarator)))
                continue
            if value is not None:
                self.expr(value, out)
            if name is not None:
                self.expr(name, out)
        return out

    def s_declaration(self, node: Node, acc: list[Stmt]) -> None:
        effects = self.declaration(node)
        if effects:
            acc.append(Effects(effects, self.span(node)))

    def s_block(self, node: Node, acc: list[Stmt]) -> None:
        for child in node.named_children:
            self.stmt(child, acc)

    def s_nothing(self, node: Node, acc: list[Stmt]) -> None:
        return None

    def s_strings(self, node: Node, acc: list[Stmt]) -> None:
        self.scan_strings(node)

    def s_if(self, node: Node, acc: list[Stmt]) -> None:
        test = node.child_by_field_name("condition")
        prelude: list[Effect] = []
        cond = self.cond(test, prelude) if test is not None else CConst(True)
        then: list[Stmt] = []
        consequence = node.child_by_field_name("consequence")
        if consequence is not None:
            self.stmt(consequence, then)
        orelse: list[Stmt] = []
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            for child in alternative.named_children:
                self.stmt(child, orelse)
        acc.append(If(cond, then, orelse, self.span(node), prelude))

    def body_of(self, node: Node) -> list[Stmt]:
        body: list[Stmt] = []
        child = node.child_by_field_name("body")
        if child is not None:
            self.stmt(child, body)
        return body

    def s_while(self, node: Node, acc: list[Stmt], label: str | None = None) -> None:
        # The test runs before the first iteration and after each one.
        test = node.child_by_field_name("condition")
        effects: list[Effect] = []
        cond = self.cond(test, effects) if test is not None else CConst(True)
        body = self.body_of(node)
        acc.append(
            Loop(cond, body, self.span(node), label=label, prelude=effects, update=list(effects))
        )

    def s_do(self, node: Node, acc: list[Stmt], label: str | None = None) -> None:
        body = self.body_of(node)
        test = node.child_by_field_name("condition")
        effects: list[Effect] = []
        cond = self.cond(test, effects) if test is not None else CConst(True)
        acc.append(Loop(cond, body, self.span(node), test_first=False, label=label, update=effects))

    def s_for(self, node: Node, acc: list[Stmt], label: str | None = None) -> None:
        prelude: list[Effect] = []
        init = node.child_by_field_name("initializer")
        if init is not None:
            kind = init.type
            if kind in ("lexical_declaration", "variable_declaration"):
                prelude.extend(self.declaration(init))
            elif kind == "expression_statement":
                inner = _first(init)
                if inner is not None:
                    self.expr(inner, prelude)
            elif kind != "empty_statement":
                self.expr(init, prelude)
        test = node.child_by_field_name("condition")
        if test is not None and test.type in ("expression_statement", "empty_statement"):
            test = _first(test)
        test_effects: list[Effect] = []
        cond = self.cond(test, test_effects) if test is not None else CConst(True)
        update: list[Effect] = []
        increment = node.child_by_field_name("increment")
        if increment is not None:
            self.expr(increment, update)
        body = self.body_of(node)
        prelude.extend(test_effects)
        update.extend(test_effects)
        acc.append(Loop(cond, body, self.span(node), label=label, prelude=prelude, update=update))

    def s_for_in(self, node: Node, acc: list[Stmt], label: str | None = None) -> None:
        prelude: list[Effect] = []
        right = node.child_by_field_name("right")
        if right is not None:
            self.expr(right, prelude)
        left = node.child_by_field_name("left")
        if left is not None and left.type in _PATTERNS:
            self.expr(left, [])  # only for functions in destructuring defaults
        body = self.body_of(node)
        update: list[Effect] = []
        for child in node.children:
            if child.type == "await":  # ``for await``: each step awaits
                prelude.append(Await(self.span(node)))
                update.append(Await(self.span(node)))
                break
            if child.type == "(":
                break
        acc.append(Loop(None, body, self.span(node), label=label, prelude=prelude, update=update))

    def s_labeled(self, node: Node, acc: list[Stmt]) -> None:
        label_node = node.child_by_field_name("label")
        body = node.child_by_field_name("body")
        if label_node is None or body is None:
            return
        label = self.text(label_node)
        kind = body.type
        if kind == "while_statement":
            self.s_while(body, acc, label)
        elif kind == "do_statement":
            self.s_do(body, acc, label)
        elif kind == "for_statement":
            self.s_for(body, acc, label)
        elif kind == "for_in_statement":
            self.s_for_in(body, acc, label)
        elif kind == "switch_statement":
            self.s_switch(body, acc, label)
        else:
            inner: list[Stmt] = []
            self.stmt(body, inner)
            acc.append(Labeled(label, inner, self.span(node)))

    def s_break(self, node: Node, acc: list[Stmt]) -> None:
        label = node.child_by_field_name("label")
        acc.append(Break(self.span(node), self.text(label) if label is not None else None))

    def s_continue(self, node: Node, acc: list[Stmt]) -> None:
        label = node.child_by_field_name("label")
        acc.append(Continue(self.span(node), self.text(label) if label is not None else None))

    def s_return(self, node: Node, acc: list[Stmt]) -> None:
        inner = _first(node)
        if inner is None:
            acc.append(Return(self.span(node)))
            return
        self.returns(inner, self.span(node), acc)

    def s_throw(self, node: Node, acc: list[Stmt]) -> None:
        prelude: list[Effect] = []
        inner = _first(node)
        if inner is not None:
            self.expr(inner, prelude)
        acc.append(Raise(self.span(node), prelude))

    def s_try(self, node: Node, acc: list[Stmt]) -> None:
        body = self.body_of(node)
        handlers: list[list[Stmt]] = []
        handler = node.child_by_field_name("handler")
        if handler is not None:
            handlers.append(self.body_of(handler))
        finalizer = node.child_by_field_name("finalizer")
        finalbody = self.body_of(finalizer) if finalizer is not None else []
        acc.append(Try(body, handlers, [], finalbody, self.span(node)))

    def s_switch(self, node: Node, acc: list[Stmt], label: str | None = None) -> None:
        prelude: list[Effect] = []
        value = node.child_by_field_name("value")
        subject = self.expr(value, prelude) if value is not None else VOther(self.span(node))
        cases: list[Case] = []
        body = node.child_by_field_name("body")
        for case in body.named_children if body is not None else ():
            kind = case.type
            if kind not in ("switch_case", "switch_default"):
                continue
            test: Cond | None = None
            if kind == "switch_case":
                case_value = case.child_by_field_name("value")
                if case_value is not None:
                    test = CCompare(subject, "==", self.expr(case_value, prelude))
            stmts: list[Stmt] = []
            for child in case.children_by_field_name("body"):
                self.stmt(child, stmts)
            cases.append(Case(test, stmts, self.span(case)))
        acc.append(Switch(cases, True, self.span(node), prelude, label))

    def s_function(self, node: Node, acc: list[Stmt]) -> None:
        name = node.child_by_field_name("name")
        text = self.text(name) if name is not None else ""
        index, span = self.function(node, text, name, "function")
        acc.append(Effects([Closure(index, span)], span))

    def s_class(self, node: Node, acc: list[Stmt]) -> None:
        out: list[Effect] = []
        static_stmts = self.lower_class(node, "", out)
        if out:
            acc.append(Effects(out, self.span(node)))
        acc.extend(static_stmts)

    def s_export(self, node: Node, acc: list[Stmt]) -> None:
        declaration = node.child_by_field_name("declaration")
        if declaration is not None:
            self.stmt(declaration, acc)
        value = node.child_by_field_name("value")
        if value is not None:
            self.expr_stmt(value, acc)
        source = node.child_by_field_name("source")
        if source is not None:
            self.string_value(source)

    def s_namespace(self, node: Node, acc: list[Stmt]) -> None:
        """``namespace N { … }`` / ``module N { … }``: the body runs in place."""
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body, acc)

    def s_with(self, node: Node, acc: list[Stmt]) -> None:
        obj = node.child_by_field_name("object")
        if obj is not None:
            out: list[Effect] = []
            self.expr(obj, out)
            if out:
                acc.append(Effects(out, self.span(obj)))
        body = node.child_by_field_name("body")
        if body is not None:
            self.stmt(body, acc)


_EXPR: dict[str, ExprHandler] = {
    "identifier": _Lowerer.identifier,
    "shorthand_property_identifier": _Lowerer.identifier,
    "this": _Lowerer.this,
    "super": _Lowerer.super_,
    "true": _Lowerer.true,
    "false": _Lowerer.false,
    "null": _Lowerer.null,
    "undefined": _Lowerer.null,
    "number": _Lowerer.number,
    "string": _Lowerer.string,
    "template_string": _Lowerer.string,
    "regex": _Lowerer.other,
    "meta_property": _Lowerer.other,
    "member_expression": _Lowerer.member,
    "subscript_expression": _Lowerer.subscript,
    "call_expression": _Lowerer.call,
    "new_expression": _Lowerer.call,
    "await_expression": _Lowerer.await_,
    "yield_expression": _Lowerer.yield_,
    "object": _Lowerer.object,
    "array": _Lowerer.array,
    "spread_element": _Lowerer.spread,
    "arrow_function": _Lowerer.function_expr,
    "function_expression": _Lowerer.function_expr,
    "function": _Lowerer.function_expr,
    "generator_function": _Lowerer.function_expr,
    "class": _Lowerer.class_expr,
    "unary_expression": _Lowerer.unary,
    "binary_expression": _Lowerer.binary,
    "ternary_expression": _Lowerer.ternary,
    "sequence_expression": _Lowerer.sequence,
    "assignment_expression": _Lowerer.assignment,
    "augmented_assignment_expression": _Lowerer.augmented,
    "update_expression": _Lowerer.update,
    "jsx_attribute": _Lowerer.jsx_attribute,
    **dict.fromkeys(_TRANSPARENT, _Lowerer.transparent),
}

_STMT: dict[str, StmtHandler] = {
    "expression_statement": _Lowerer.s_expression,
    "lexical_declaration": _Lowerer.s_declaration,
    "variable_declaration": _Lowerer.s_declaration,
    "statement_block": _Lowerer.s_block,
    "if_statement": _Lowerer.s_if,
    "while_statement": _Lowerer.s_while,
    "do_statement": _Lowerer.s_do,
    "for_statement": _Lowerer.s_for,
    "for_in_statement": _Lowerer.s_for_in,
    "labeled_statement": _Lowerer.s_labeled,
    "break_statement": _Lowerer.s_break,
    "continue_statement": _Lowerer.s_continue,
    "return_statement": _Lowerer.s_return,
    "throw_statement": _Lowerer.s_throw,
    "try_statement": _Lowerer.s_try,
    "switch_statement": _Lowerer.s_switch,
    "function_declaration": _Lowerer.s_function,
    "generator_function_declaration": _Lowerer.s_function,
    "class_declaration": _Lowerer.s_class,
    "abstract_class_declaration": _Lowerer.s_class,
    "export_statement": _Lowerer.s_export,
    "with_statement": _Lowerer.s_with,
    "internal_module": _Lowerer.s_namespace,
    "module": _Lowerer.s_namespace,
    "empty_statement": _Lowerer.s_nothing,
    "debugger_statement": _Lowerer.s_nothing,
    "comment": _Lowerer.s_nothing,
    "html_comment": _Lowerer.s_nothing,
    "hash_bang_line": _Lowerer.s_nothing,
    **dict.fromkeys(_DECL_ONLY, _Lowerer.s_strings),
}


def lower(path: str, source: bytes, *, tsx: bool = False) -> Module:
    """Lower a TypeScript/JavaScript (``tsx``: TSX/JSX) file into a :class:`Module`.

    Raises :class:`ParseError` at the first real syntax error; its ``partial`` module
    holds what is sound: every function that contains a syntax error is left empty.
    """
    root = _parser(tsx).parse(source).root_node
    index = LineIndex(source)
    errors = _errors(root) if root.has_error else []
    if errors and not tsx and path.endswith(_JS_SUFFIXES):
        jsx_root = _parser(True).parse(source).root_node  # JSX in a .js file
        if not _errors(jsx_root):
            root, errors = jsx_root, []
    module = _lower_tree(path, source, index, root)
    if not errors:
        return module
    broken = [e.start_byte for e in errors]
    for function in module.functions:
        if any(function.span.start_byte <= b <= function.span.end_byte for b in broken):
            function.body = []
    error = _syntax_error(errors[0], source, index)
    error.partial = module
    raise error


def _lower_tree(path: str, source: bytes, index: LineIndex, root: Node) -> Module:
    lowerer = _Lowerer(source, index)
    span = lowerer.span(root)
    module = Function(0, "<module>", "module", (), [], span, span, None)
    lowerer.functions.append(module)
    body: list[Stmt] = []
    for child in root.named_children:
        lowerer.stmt(child, body)
    module.body = body
    return Module(
        path=path,
        language="typescript",
        source=source,
        functions=lowerer.functions,
        strings=frozenset(lowerer.strings),
    )
