"""The Python frontend's fast paths give what libcst's general machinery gives."""

from __future__ import annotations

import contextlib
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given
from hypothesis import strategies as st
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

from rtlint import ir
from rtlint.frontends import ParseError
from rtlint.frontends.python import _Lowerer, _pieces, bom_length, children, lower, positions
from rtlint.source import LineIndex

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "python").rglob("*.py"))
EFFECTS = (cst.Call, cst.Await, cst.Lambda, cst.Yield, cst.NamedExpr)
NON_ASCII = b'# caf\xc3\xa9\nclass A:\n    def f(self):\n        send({"type": "r\xc3\xa9"}); g()\n'


def _in_expressions(module: cst.Module) -> list[cst.CSTNode]:
    """The nodes the lowering walks for effects: expressions and everything inside them."""
    found: list[cst.CSTNode] = []
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    while stack:
        node, inside = stack.pop()
        inside = inside or isinstance(node, cst.BaseExpression)
        if inside:
            found.append(node)
        stack.extend((child, inside) for child in node.children)
    return found


CONDITIONAL = b"x = f() if g() else h()\nsend(a() if (b := c()) else [d() for e in i() if j()])\n"


@pytest.mark.parametrize("source", [CONDITIONAL, *(p.read_bytes() for p in FIXTURES)])
def test_children_keep_the_order_of_effects(source: bytes) -> None:
    nodes = _in_expressions(cst.parse_module(source))
    memo: dict[int, bool] = {}

    def effectful(node: cst.CSTNode) -> bool:
        if id(node) not in memo:
            memo[id(node)] = isinstance(node, EFFECTS) or any(map(effectful, node.children))
        return memo[id(node)]

    for node in nodes:
        want = [id(c) for c in node.children if effectful(c)]
        assert [id(c) for c in children(node) if effectful(c)] == want, type(node).__name__


EDGES = [b"", b"\n", b"x = 1", b"# a comment", b"if (a):\n\tf( (b) )\n", b"\xef\xbb\xbfx = 1\n"]


@pytest.mark.parametrize("source", [*(p.read_bytes() for p in FIXTURES), NON_ASCII, *EDGES])
def test_positions_are_libcsts_byte_spans(source: bytes) -> None:
    module = cst.parse_module(source)
    want = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
    spans = {node: (span.start, span.start + span.length) for node, span in want.items()}
    assert positions(module, source.isascii()) == spans


def _lowered_whole(source: bytes) -> ir.Module:
    module = cst.parse_module(source)
    spans = positions(module, source.isascii())
    return _Lowerer("m.py", source, spans, bom_length(source)).module(module.body)


TRICKY = [
    b'"""Docs.\n\ndef not_a_cut():\n    pass\n"""\ndef f():\n    send({"type": "x"})\n',
    b"x = (a\n@ b)\ndef f():\n    g()\n",
    b"@dec(\n    1,\n)\n\n# note\n@other\nclass A:\n    def m(self):\n        pass\n",
    b"class A:\n    pass\n# trailing comment\n\nasync  def f():\n    await g()\n",
    b"if x:\n    def f():\n        pass\ndef f():\n    h()\nclass B: pass",
    b"# -*- coding: latin-1 -*-\ndef f():\n    g('\xe9')\ndef h(): pass\n",
    NON_ASCII + b"def second():\n    return 'caf\xc3\xa9'\n",
]


@pytest.mark.parametrize("source", [*TRICKY, *(p.read_bytes() for p in FIXTURES)])
def test_parsing_in_pieces_lowers_what_the_whole_file_lowers(source: bytes) -> None:
    if b"coding: latin-1" not in source:
        assert len(_pieces(source)) > 1 or source.count(b"\ndef ") == 0
    pieced = lower("m.py", source)
    whole = _lowered_whole(source)
    assert pieced.functions == whole.functions
    assert pieced.strings == whole.strings


def test_a_file_that_does_not_parse_reports_the_whole_files_error() -> None:
    source = b"def f():\n    pass\ndef g(:\n    pass\n"
    with pytest.raises(ParseError) as error:
        lower("m.py", source)
    assert error.value.line == 3


@pytest.mark.parametrize("source", [b"x = 1\n", b"def f(:\n    pass\n"])
def test_nodes_built_after_parsing_are_validated(source: bytes) -> None:
    with contextlib.suppress(ParseError):
        lower("m.py", source)
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleString("no quotes")


@given(st.text(alphabet=st.sampled_from("ab\n é€"), max_size=40), st.data())
def test_line_index_columns_count_characters(text: str, data: st.DataObject) -> None:
    source = text.encode()
    offset = data.draw(st.integers(0, len(source)))
    line = source.count(b"\n", 0, offset) + 1
    start = source.rfind(b"\n", 0, offset) + 1
    column = len(source[start:offset].decode("utf-8", errors="replace")) + 1
    assert LineIndex(source).position(offset) == (line, column)
