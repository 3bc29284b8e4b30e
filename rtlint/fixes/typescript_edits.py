"""Realise a fix :class:`~rtlint.fixes.plan.Plan` in TypeScript/JavaScript source.

Edits are made on tree-sitter byte ranges and written in the file's own style:
its indentation unit, its line endings, and semicolons only if the statement
being fixed has one. A statement holding a multi-line template literal is not
re-indented (that would change the string): such a fix is not offered.
"""

from __future__ import annotations

from pathlib import PurePath

from tree_sitter import Node

from rtlint import ir
from rtlint.diagnostics import Edit, Fix
from rtlint.fixes.plan import Plan
from rtlint.frontends import TSX_SUFFIXES
from rtlint.frontends.typescript import _parser as parser_for

_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration"})
_BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default", "class_body"})


def _member(path: ir.Path) -> str:
    return ".".join(("this", *path[1:])) if path[0] == "self" else ".".join(path)


class _Style:
    def __init__(self, source: bytes, stmt: Node) -> None:
        self.source = source
        self.newline = "\r\n" if b"\r\n" in source else "\n"
        line_start = source.rfind(b"\n", 0, stmt.start_byte) + 1
        self.indent = source[line_start : stmt.start_byte].decode()
        self.unit = _unit(source, stmt, self.indent)
        self.semi = ";" if source[stmt.end_byte - 1 : stmt.end_byte] == b";" else ""

    def lines(self, *lines: str, depth: int = 0) -> str:
        """Lines joined for insertion at the statement's position (first line not indented)."""
        pad = self.indent + self.unit * depth
        return (self.newline + pad).join(lines)


def _unit(source: bytes, stmt: Node, indent: str) -> str:
    block = stmt.parent
    while block is not None and block.type not in _BLOCKS:
        block = block.parent
    if block is not None and block.type != "program":
        start = source.rfind(b"\n", 0, block.start_byte) + 1
        outer = source[start : block.start_byte]
        outer_indent = outer[: len(outer) - len(outer.lstrip())].decode()
        if indent.startswith(outer_indent) and len(indent) > len(outer_indent):
            return indent[len(outer_indent) :]
    return "\t" if indent.startswith("\t") else "  "


def _statement(root: Node, span: ir.Span) -> Node | None:
    """The statement at ``span`` when it stands in a block (not as a brace-less ``if`` body)."""
    node = root.descendant_for_byte_range(span.start_byte, span.end_byte)
    while node is not None and not (
        node.type in _STATEMENTS and node.parent is not None and node.parent.type in _BLOCKS
    ):
        node = node.parent
    return node if node is not None and node.start_byte == span.start_byte else None


def _code_end(stmt: Node) -> int:
    """Where the statement's code ends (a comment the grammar folded into it excluded)."""
    code = [c for c in stmt.children if c.type != "comment"]
    return code[-1].end_byte if code else stmt.end_byte


def _with_trailing_comment(stmt: Node) -> int:
    """Where the statement ends, counting a comment that follows it on the same line."""
    after = stmt.next_sibling
    if after is not None and after.type == "comment" and after.start_point[0] == stmt.end_point[0]:
        return after.end_byte
    return stmt.end_byte


def _multiline_template(node: Node) -> bool:
    if node.type == "template_string" and node.start_point[0] != node.end_point[0]:
        return True
    return any(_multiline_template(c) for c in node.children)


def _reindent(text: str, style: _Style, extra: str) -> str:
    """Continuation lines of a statement moved ``extra`` deeper."""
    lines = text.split("\n")
    return "\n".join([lines[0], *(extra + line if line.strip() else line for line in lines[1:])])


def _parse(path: str, source: bytes) -> Node:
    tsx = PurePath(path).suffix.lower() in TSX_SUFFIXES
    tree = parser_for(tsx).parse(source)
    if tree.root_node.has_error and not tsx:
        tree = parser_for(True).parse(source)  # JSX in a .js file, as the frontend does
    return tree.root_node


def rewritable(root: Node, source: bytes, span: ir.Span) -> tuple[Node, _Style, int] | None:
    """The statement at ``span``, its style and where it ends (its trailing comment
    included); None when it cannot be rewritten alone (a multi-line template, or it does
    not start its line)."""
    stmt = _statement(root, span)
    if stmt is None or _multiline_template(stmt):
        return None
    style = _Style(source, stmt)
    if style.indent.strip():
        return None  # the statement does not start its line
    return stmt, style, _with_trailing_comment(stmt)


def build(path: str, source: bytes, plan: Plan) -> Fix | None:
    """The fix for ``plan``; None when the statement cannot be rewritten safely."""
    root = _parse(path, source)
    found = rewritable(root, source, plan.statement)
    if found is None:
        return None
    stmt, style, end = found
    text = source[stmt.start_byte : end].decode()
    semi = style.semi
    active, deferred = _member(plan.active), _member(plan.deferred)
    reserve = [f"{active} = true{semi}"] if plan.reserve else []
    edits: list[Edit] = []
    if plan.strategy == "call-helper" and plan.helper is not None:
        call = f"this.{plan.helper.name}()"
        if plan.helper.is_async and plan.function.is_async:
            call = f"await {call}"
        edits.append(Edit(stmt.start_byte, stmt.end_byte, call + semi))
    elif plan.ends_function:
        guard = style.lines(
            f"if ({active}) {{",
            f"{style.unit}{deferred} = true{semi}",
            f"{style.unit}return{semi}",
            "}",
            *reserve,
            "",
        )
        edits.append(Edit(stmt.start_byte, stmt.start_byte, guard))
    else:
        moved = _reindent(text, style, style.unit)
        body = style.lines(
            f"if ({active}) {{", f"{style.unit}{deferred} = true{semi}", "} else {",
            *(style.unit + r for r in reserve), style.unit + moved, "}",
        )  # fmt: skip
        edits.append(Edit(stmt.start_byte, end, body))
    if plan.new_deferred:
        bare = source[stmt.start_byte : _code_end(stmt)].decode()
        extra = _unsafe_edits(source, root, plan, stmt, style, bare)
        if extra is None:
            return None
        edits += extra
    return Fix(tuple(sorted(edits, key=lambda e: e.start)), plan.safety, plan.title)


def _unsafe_edits(
    source: bytes, root: Node, plan: Plan, stmt: Node, style: _Style, text: str
) -> list[Edit] | None:
    """Initialise the new deferred flag and flush it where the active flag is cleared."""
    if plan.flush is None:
        return None
    semi = style.semi
    active, deferred = _member(plan.active), _member(plan.deferred)
    init = _field(root, plan.active[-1], source)
    edits: list[Edit] = []
    if init is not None:
        end = _field_end(init)
        line = source[init.start_byte : end].decode()
        name = plan.deferred[-1]
        new = line.replace(plan.active[-1], name, 1)
        new = new[: new.index(name) + len(name)] + _field_tail(line)
        indent = _Style(source, init)
        edits.append(Edit(end, end, indent.newline + indent.indent + new))
    elif plan.init_after is not None:
        ctor = _statement(root, plan.init_after)
        if ctor is None:
            return None
        s = _Style(source, ctor)
        edits.append(
            Edit(ctor.end_byte, ctor.end_byte, s.newline + s.indent + f"{deferred} = false{s.semi}")
        )
    else:
        return None
    clear = _statement(root, plan.flush.after)
    if clear is None:
        return None
    at = _Style(source, clear)
    copy = _reindent_to(text, style.indent, at.indent + at.unit * 2)
    reserve = [f"{at.unit}{active} = true{semi}"] if plan.reserve else []
    flush = at.lines(
        "",
        f"if ({deferred}) {{",
        f"{at.unit}{deferred} = false{semi}",
        *reserve,
        f"{at.unit}{copy}",
        "}",
    )
    edits.append(Edit(clear.end_byte, clear.end_byte, flush))
    return edits


def _reindent_to(text: str, old: str, new: str) -> str:
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        out.append(new + line[len(old) :] if line.startswith(old) else line)
    return "\n".join(out)


def _field(root: Node, name: str, source: bytes) -> Node | None:
    """The class field declaring ``name`` (``private responseActive = false;``)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("public_field_definition", "field_definition"):
            prop = node.child_by_field_name("name") or node.child_by_field_name("property")
            if prop is not None and source[prop.start_byte : prop.end_byte].decode() == name:
                return node
        stack.extend(node.children)
    return None


def _field_end(field: Node) -> int:
    """Where a class field ends, its ``;`` included (the grammar leaves it outside the field)."""
    after = field.next_sibling
    if after is not None and after.type == ";" and after.start_byte == field.end_byte:
        return after.end_byte
    return field.end_byte


def _field_tail(line: str) -> str:
    """``: boolean = false;`` with the value reset to false."""
    semi = ";" if line.rstrip().endswith(";") else ""
    typed = ": boolean" if ": boolean" in line else ""
    return f"{typed} = false{semi}"
