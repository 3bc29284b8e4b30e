"""Behavioural tests of the Python frontend's lowering into the IR."""

from __future__ import annotations

import pytest

from rtlint import ir
from rtlint.frontends import ParseError, lower


def _module(code: str) -> ir.Module:
    return lower("example.py", code.encode())


def _first_stmt(code: str, fn: int = 1) -> ir.Stmt:
    return _module(code).functions[fn].body[0]


def test_functions_methods_lambdas_and_their_parents() -> None:
    module = _module(
        "class A:\n"
        "    async def _send(self, event, *rest, key=None):\n"
        "        def inner():\n"
        "            return lambda x: x\n"
        "        return inner\n"
    )
    names = [(f.name, f.kind, f.parent, f.class_name, f.private) for f in module.functions]
    assert names == [
        ("<module>", "module", None, None, False),
        ("_send", "method", 0, "A", True),
        ("inner", "function", 1, None, False),
        ("", "lambda", 2, None, False),
    ]
    assert module.functions[1].params == ("self", "event", "rest", "key")
    assert module.functions[1].is_async


def test_send_of_a_dict_literal_through_json_dumps() -> None:
    stmt = _first_stmt(
        "async def f(self):\n"
        "    await self.ws.send(json.dumps({'type': 'response.create', **extra}))\n"
    )
    assert isinstance(stmt, ir.Effects)
    dumps, send = stmt.effects
    assert isinstance(dumps, ir.Call) and dumps.call.callee == ("json", "dumps")
    assert isinstance(send, ir.Call) and send.call.callee == ("self", "ws", "send") and send.awaited
    literal = dumps.call.args[0]
    assert isinstance(literal, ir.VObject) and literal.spread
    assert literal.get("type") == ir.VStr("response.create", literal.entries[0][1].span)


def test_dict_call_subscript_paths_and_constants() -> None:
    stmt = _first_stmt(
        "def f(ev):\n    x = dict(type='response.create', n=None) if ev['type'] else ev.a\n"
    )
    assert isinstance(stmt, ir.Effects)
    assign = stmt.effects[-1]
    assert isinstance(assign, ir.Assign) and assign.target == ("x",)
    cond = _first_stmt("def f(ev):\n    if ev['type'] == 'response.done': pass\n")
    assert isinstance(cond, ir.If) and isinstance(cond.cond, ir.CCompare)
    assert cond.cond.left == ir.VName(("ev", "type"), cond.cond.left.span)


def test_short_circuit_and_negation_in_conditions() -> None:
    stmt = _first_stmt(
        "def f(self):\n    if not self.a and (self.b or x.is_idle()):\n        pass\n"
    )
    assert isinstance(stmt, ir.If)
    cond = stmt.cond
    assert isinstance(cond, ir.CAnd) and isinstance(cond.left, ir.CNot)
    assert isinstance(cond.right, ir.COr)
    assert [type(e) for e in stmt.prelude] == [ir.Call]


def test_expression_statements_with_control_flow_branch() -> None:
    stmt = _first_stmt("async def f(self):\n    self.busy or await self.send(e)\n")
    assert isinstance(stmt, ir.If) and stmt.then == [] and len(stmt.orelse) == 1
    ret = _first_stmt("def f(self):\n    return self.send(e) if not self.busy else None\n")
    assert isinstance(ret, ir.If) and isinstance(ret.then[0], ir.Return)


def test_match_cases_compare_the_subject() -> None:
    stmt = _first_stmt(
        "def f(ev):\n"
        "    match ev['type']:\n"
        "        case 'response.done' | 'error':\n"
        "            pass\n"
        "        case {'type': 'x'}:\n"
        "            pass\n"
        "        case _:\n"
        "            pass\n"
    )
    assert isinstance(stmt, ir.Switch) and not stmt.fallthrough
    first, mapping, default = stmt.cases
    assert isinstance(first.test, ir.COr)
    assert isinstance(mapping.test, ir.CCompare) and default.test is None


def test_loops_try_assert_and_walrus() -> None:
    body = (
        _module(
            "def f(self):\n"
            "    while True:\n"
            "        break\n"
            "    for x in self.items:\n"
            "        continue\n"
            "    else:\n"
            "        pass\n"
            "    try:\n"
            "        pass\n"
            "    except* ValueError:\n"
            "        raise\n"
            "    finally:\n"
            "        pass\n"
            "    assert not self.busy\n"
            "    if (b := self.busy):\n"
            "        pass\n"
        )
        .functions[1]
        .body
    )
    loop, for_loop, try_, assert_, walrus = body
    assert isinstance(loop, ir.Loop) and loop.cond == ir.CConst(True)
    assert isinstance(for_loop, ir.Loop) and for_loop.cond is None and for_loop.orelse == []
    assert isinstance(try_, ir.Try) and len(try_.handlers) == 1 and try_.finalbody == []
    assert isinstance(assert_, ir.If) and isinstance(assert_.orelse[0], ir.Raise)
    assert isinstance(walrus, ir.If) and isinstance(walrus.prelude[0], ir.Assign)


def test_unary_operators_are_values_not_conditions() -> None:
    stmt = _first_stmt("def f(x):\n    return -x if x else ~x\n")
    assert isinstance(stmt, ir.If)
    ret = stmt.then[0]
    assert isinstance(ret, ir.Return) and isinstance(ret.value, ir.VOther)


def test_callbacks_know_what_they_were_passed_to() -> None:
    module = _module("ws.on('open', lambda e: greet())\nloop.call_soon(lambda: 1)\n")
    on_open, soon = module.functions[1:]
    assert on_open.callback_of == ("ws", "on") and on_open.callback_event == "open"
    assert soon.callback_of == ("loop", "call_soon") and soon.callback_event is None


def test_spans_are_bytes_and_character_columns() -> None:
    source = "x = 'é'\nsend('response.create')\n"
    module = _module(source)
    stmt = module.functions[0].body[1]
    assert isinstance(stmt, ir.Effects)
    call = stmt.effects[0]
    assert isinstance(call, ir.Call)
    span = call.call.span
    assert (span.line, span.column) == (2, 1)
    assert source.encode()[span.start_byte : span.end_byte] == b"send('response.create')"


def test_bom_keeps_byte_offsets_of_the_file() -> None:
    source = b"\xef\xbb\xbfsend('x')\n"
    stmt = lower("b.py", source).functions[0].body[0]
    assert isinstance(stmt, ir.Effects)
    call = stmt.effects[0]
    assert isinstance(call, ir.Call)
    assert source[call.call.span.start_byte : call.call.span.end_byte] == b"send('x')"


def test_syntax_error_names_the_position() -> None:
    with pytest.raises(ParseError) as error:
        lower("bad.py", b"def f(:\n    pass\n")
    assert error.value.line == 1
    assert error.value.message.startswith("syntax error")


def test_class_attributes_are_assignments_to_the_class() -> None:
    module = _module(
        "class A:\n"
        "    EVENT = {'type': 'response.create'}\n"
        "    LIMIT: int = 3\n"
        "    label: str\n"
        "    def m(self):\n"
        "        pass\n"
    )
    top = module.functions[0].body
    effects = [e for s in top if isinstance(s, ir.Effects) for e in s.effects]
    targets = [e.target for e in effects if isinstance(e, ir.Assign)]
    assert targets == [("A", "EVENT"), ("A", "LIMIT")]
    assert module.functions[1].class_name == "A"
