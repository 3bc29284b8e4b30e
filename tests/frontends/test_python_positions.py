"""The Python frontend's positions: every span names the text it stands for, whatever the
encoding, the line endings or the characters before it on its line."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtlint import ir
from rtlint.frontends import ParseError
from rtlint.frontends.python import children, lower
from rtlint.source import LineIndex

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "python").rglob("*.py"))
NON_ASCII = b'# caf\xc3\xa9\nclass A:\n    def f(self):\n        send({"type": "r\xc3\xa9"}); g()\n'


def _values(node: object) -> Iterator[ir.Value]:
    """Every value in a lowered statement, condition or value, nested ones included."""
    if isinstance(node, ir.VStr | ir.VConst | ir.VName | ir.VFunc | ir.VOther):
        yield node
    elif isinstance(node, ir.VCall):
        yield node
        for part in (*node.args, *(v for _, v in node.kwargs), node.receiver):
            yield from _values(part)
    elif isinstance(node, ir.VObject):
        yield node
        for _, v in node.entries:
            yield from _values(v)
    elif isinstance(node, ir.VSeq | ir.VChoice):
        yield node
        for v in node.items if isinstance(node, ir.VSeq) else node.options:
            yield from _values(v)
    elif isinstance(node, ir.VCond):
        yield node
        yield from _values(node.cond)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _values(item)
    elif node is not None and hasattr(node, "__dataclass_fields__"):
        for name in node.__dataclass_fields__:
            yield from _values(getattr(node, name))


def _check_spans(source: bytes) -> int:
    """Assert that names, strings, calls and function names sit where their spans say;
    the number of spans checked."""
    module = lower("m.py", source)
    checked = 0
    for fn in module.functions[1:]:
        name = source[fn.name_span.start_byte : fn.name_span.end_byte]
        if fn.kind != "lambda":
            assert name.decode() == fn.name
            checked += 1
    for value in _values([fn.body for fn in module.functions]):
        text = source[value.span.start_byte : value.span.end_byte].decode("utf-8", "replace")
        if isinstance(value, ir.VStr) and text[:1] in "'\"" and text[-1:] in "'\"":
            assert ast.literal_eval(text) == value.value
        elif isinstance(value, ir.VName) and all(p.isidentifier() for p in value.path):
            if "[" not in text:
                assert "".join(text.split()) == ".".join(value.path)
        elif isinstance(value, ir.VCall) and value.callee and value.callee[0] != "<expr>":
            assert text.startswith(value.callee[0]) and text.endswith(")")
        else:
            continue
        checked += 1
    return checked


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_spans_name_their_text_in_every_fixture(path: Path) -> None:
    assert _check_spans(path.read_bytes()) > 0


SNIPPET = (
    'class Adapter:\n    def go(self, ev):\n        self.ws.send({"type": "response.create"})\n'
    '        if self.busy and ev["type"] == "x": f(\n            a, b="\\u00e9")\n'
    "    async  def  later(self): await g(lambda: h())\n"
)


SEND = b'self.ws.send({"type": "response.create"})'


@settings(deadline=None)  # a loaded machine must not fail it
@given(
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n"]),
    st.text(alphabet="a\xe9\u20ac\U0001f600 ", max_size=6),
)
def test_spans_hold_under_any_line_ending_and_encoding(
    newline: bytes, head: bytes, comment: str
) -> None:
    encoding = "latin-1" if b"latin-1" in head else "utf-8"
    if encoding == "latin-1":
        comment = comment.encode("latin-1", "ignore").decode("latin-1")
    text = f"# {comment}\n" + SNIPPET.replace(
        "        if", f"        x = '{comment}'; y = 1\n        if"
    )
    source = head + text.encode(encoding).replace(b"\n", newline)
    if encoding != "utf-8":
        module = lower("m.py", source)  # columns count bytes of the file's own encoding
        call = next(v for v in _values(module.functions[1].body) if isinstance(v, ir.VCall))
        assert source[call.span.start_byte : call.span.end_byte] == SEND
    else:
        assert _check_spans(source) >= 8


def test_children_are_in_source_order() -> None:
    source = b"x = f() if g() else h()\nsend(a() if (b := c()) else [d() for e in i() if j()])\n"
    source += b"k(*l(), key=m(), **n())\no = {p(): q(), **r()}\n"
    tree = ast.parse(source)
    for node in ast.walk(tree):
        starts = [
            (c.lineno, c.col_offset)
            for c in children(node)
            if isinstance(c, ast.expr | ast.keyword | ast.stmt)
        ]
        assert starts == sorted(starts), ast.dump(node)[:80]


def test_a_file_that_does_not_parse_names_the_line() -> None:
    with pytest.raises(ParseError) as error:
        lower("m.py", b"def f():\n    pass\ndef g(:\n    pass\n")
    assert error.value.line == 3
    assert "newer Python" not in error.value.message


def test_a_null_byte_is_a_parse_error_at_its_place() -> None:
    with pytest.raises(ParseError) as error:
        lower("m.py", b"x = 1\ny = '\x00'\n")
    assert (error.value.line, error.value.column) == (2, 6)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="this Python parses type aliases")
def test_syntax_of_a_newer_python_says_so() -> None:
    with pytest.raises(ParseError) as error:
        lower("m.py", b"type Handler = int\n")
    assert "newer Python" in error.value.message


@given(st.text(alphabet=st.sampled_from("ab\n é€"), max_size=40), st.data())
def test_line_index_columns_count_characters(text: str, data: st.DataObject) -> None:
    source = text.encode()
    offset = data.draw(st.integers(0, len(source)))
    line = source.count(b"\n", 0, offset) + 1
    start = source.rfind(b"\n", 0, offset) + 1
    column = len(source[start:offset].decode("utf-8", errors="replace")) + 1
    assert LineIndex(source).position(offset) == (line, column)
