"""The Python frontend's fast paths give what libcst's general machinery gives."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper

from rtlint.frontends.python import children, positions

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


@pytest.mark.parametrize("source", [*(p.read_bytes() for p in FIXTURES[:40]), NON_ASCII])
def test_positions_are_libcsts_byte_spans(source: bytes) -> None:
    module = cst.parse_module(source)
    want = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider)
    assert positions(module, source.isascii()) == dict(want)
