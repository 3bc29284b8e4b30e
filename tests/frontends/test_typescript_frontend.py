"""Behavioural tests of the TypeScript/JavaScript frontend's lowering into the IR."""

from __future__ import annotations

import pytest

from rtlint import frontends
from rtlint.frontends import ParseError, typescript
from rtlint.ir import (
    Assign,
    Await,
    Break,
    Call,
    CAnd,
    CAtom,
    CCompare,
    CConst,
    Closure,
    CNot,
    Continue,
    COr,
    Effect,
    Effects,
    Function,
    If,
    Labeled,
    Loop,
    Module,
    Raise,
    Return,
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


def lower(src: str, *, tsx: bool = False, path: str = "x.ts") -> Module:
    return typescript.lower(path, src.encode(), tsx=tsx)


def body(src: str, *, tsx: bool = False) -> list[Stmt]:
    return lower(src, tsx=tsx).functions[0].body


def effects(stmt: Stmt) -> list[Effect]:
    assert isinstance(stmt, Effects), stmt
    return list(stmt.effects)


def calls(stmt: Stmt) -> list[VCall]:
    return [e.call for e in effects(stmt) if isinstance(e, Call)]


def value_of(src: str) -> Value:
    """The value assigned by ``const v = <src>;``."""
    (stmt,) = body(f"const v = {src};")
    assign = effects(stmt)[-1]
    assert isinstance(assign, Assign) and assign.target == ("v",)
    return assign.value


def fn(module: Module, name: str) -> Function:
    (found,) = [f for f in module.functions if f.name == name]
    return found


# --------------------------------------------------------------------------- functions


def test_module_function_is_first() -> None:
    module = lower("f();")
    top = module.functions[0]
    assert (top.index, top.name, top.kind, top.params, top.parent) == (
        0,
        "<module>",
        "module",
        (),
        None,
    )
    assert module.language == "typescript"
    assert module.path == "x.ts"


def test_function_list_kinds_names_parents_and_flags() -> None:
    module = lower(
        """
function outer(a: number, b = 1, { c }: Opts, ...rest: string[]) {
  const inner = async () => {};
  return function () {};
}
class Session {
  #ws: WebSocket | null = null;
  private onDone = () => { this.finish(); };
  constructor(private readonly url: string) {}
  async start(this: Session, x) {}
  private stop() {}
  _reset() {}
  #secret() {}
  get state() { return 1; }
}
const obj = { handle() {}, onMessage: (e) => e, named: function inner2() {} };
"""
    )
    summary = [(f.index, f.name, f.kind, f.parent, f.class_name) for f in module.functions]
    assert summary == [
        (0, "<module>", "module", None, None),
        (1, "outer", "function", 0, None),
        (2, "inner", "lambda", 1, None),
        (3, "", "function", 1, None),
        (4, "onDone", "method", 0, "Session"),
        (5, "constructor", "method", 0, "Session"),
        (6, "start", "method", 0, "Session"),
        (7, "stop", "method", 0, "Session"),
        (8, "_reset", "method", 0, "Session"),
        (9, "#secret", "method", 0, "Session"),
        (10, "state", "method", 0, "Session"),
        (11, "handle", "method", 0, None),
        (12, "onMessage", "lambda", 0, None),
        (13, "inner2", "function", 0, None),
    ]
    assert all(f.index == i for i, f in enumerate(module.functions))
    private = {f.name for f in module.functions if f.private}
    assert private == {"onDone", "stop", "_reset", "#secret"}
    assert fn(module, "outer").params == ("a", "b", "rest")
    assert fn(module, "start").params == ("x",)
    assert fn(module, "start").is_async and fn(module, "inner").is_async
    assert fn(module, "constructor").params == ("url",)
    assert fn(module, "onMessage").params == ("e",)


def test_function_spans_and_name_spans() -> None:
    src = "const handler = () => go();\nfunction named() {}\nsetTimeout(() => {}, 1);"
    module = lower(src)
    handler = fn(module, "handler")
    assert (handler.name_span.line, handler.name_span.column) == (1, 7)
    assert src.encode()[handler.span.start_byte : handler.span.end_byte] == b"() => go()"
    named = fn(module, "named")
    assert (named.name_span.line, named.name_span.column) == (2, 10)
    anon = module.functions[3]
    assert anon.name == "" and anon.name_span == anon.span


def test_function_declaration_emits_closure() -> None:
    module = lower("function f() { g(); }")
    (stmt,) = module.functions[0].body
    assert effects(stmt) == [Closure(1, module.functions[1].span)]
    (inner,) = module.functions[1].body
    assert [c.callee for c in calls(inner)] == [("g",)]


def test_nested_calls_belong_to_the_nested_function() -> None:
    module = lower("run(() => { send(1); });")
    (stmt,) = module.functions[0].body
    assert [type(e).__name__ for e in effects(stmt)] == ["Closure", "Call"]
    assert [c.callee for c in calls(stmt)] == [("run",)]
    (ret,) = module.functions[1].body
    assert isinstance(ret, Effects)
    assert [c.callee for c in calls(ret)] == [("send",)]


def test_assignment_names_anonymous_functions() -> None:
    module = lower(
        """
this.handler = function () {};
ws.onopen = () => {};
obj["onclose"] = () => {};
let cb: Handler = async () => {};
"""
    )
    assert [(f.name, f.kind) for f in module.functions[1:]] == [
        ("handler", "function"),
        ("onopen", "lambda"),
        ("onclose", "lambda"),
        ("cb", "lambda"),
    ]
    assign = effects(module.functions[0].body[0])[-1]
    assert isinstance(assign, Assign)
    assert assign == Assign(("self", "handler"), VFunc(1, module.functions[1].span), assign.span)


def test_class_inside_function_has_that_parent() -> None:
    module = lower("function make() { class Inner { run() {} } return new Inner(); }")
    run = fn(module, "run")
    assert run.parent == 1 and run.class_name == "Inner"
    anon = lower("const C = class { m() {} };")
    assert fn(anon, "m").class_name == "C"
    assert fn(lower("export default class { m() {} }"), "m").class_name == ""


# --------------------------------------------------------------------------- paths and values


def test_private_field_path() -> None:
    (stmt,) = body("this.#ws.send(data);")
    (call,) = calls(stmt)
    assert call.callee == ("self", "#ws", "send")
    assert call.args == (VName(("data",), call.args[0].span),)


def test_transparent_wrappers_in_paths() -> None:
    for src in (
        "a?.b?.send(x);",
        "a!.b.send(x);",
        "(a as any).b.send(x);",
        "(<Foo>a).b.send(x);",
        "(a satisfies Foo).b.send(x);",
        "((a)).b.send(x);",
        'a["b"].send(x);',
        "a['b']?.send(x);",
        "a[`b`].send(x);",
    ):
        (stmt,) = body(src)
        assert [c.callee for c in calls(stmt)] == [("a", "b", "send")], src


def test_const_object_literal() -> None:
    value = value_of("{ type: 'response.create', n: 1, ok: true, none: null } as const")
    assert isinstance(value, VObject)
    assert not value.spread
    assert value.get("type") == VStr("response.create", value.entries[0][1].span)
    assert [(k, type(v).__name__) for k, v in value.entries] == [
        ("type", "VStr"),
        ("n", "VConst"),
        ("ok", "VConst"),
        ("none", "VConst"),
    ]


def test_object_keys_spread_shorthand_and_methods() -> None:
    module = lower("const v = { ...base, type, 'quoted': 1, 2: x, [dyn]: 3, ['k']: 4, m() {} };")
    assign = effects(module.functions[0].body[0])[-1]
    assert isinstance(assign, Assign)
    value = assign.value
    assert isinstance(value, VObject)
    assert value.spread
    assert [k for k, _ in value.entries] == ["type", "quoted", "2", "k"]
    assert value.get("type") == VName(("type",), value.entries[0][1].span)
    assert fn(module, "m").kind == "method"
    assert any(isinstance(e, Closure) for e in effects(module.functions[0].body[0]))


def test_string_literals_and_templates() -> None:
    assert isinstance(value_of("`plain ${'x'}`"), VOther)
    template = value_of("`response.create`")
    assert isinstance(template, VStr) and template.value == "response.create"
    escaped = value_of(r"'a\n\t\x41\u0042\u{1F600}\'\\'")
    assert isinstance(escaped, VStr) and escaped.value == "a\n\tAB\U0001f600'\\"
    pair = value_of(r'"\uD83D\uDE00"')
    assert isinstance(pair, VStr) and pair.value == "\U0001f600"


def test_constants() -> None:
    for src, expected in [
        ("1", 1),
        ("1.5", 1.5),
        ("0x1F", 31),
        ("1_000", 1000),
        ("10n", 10),
        ("true", True),
        ("false", False),
        ("null", None),
        ("undefined", None),
    ]:
        value = value_of(src)
        assert isinstance(value, VConst) and value.value == expected, src


def test_value_kinds() -> None:
    assert isinstance(value_of("[a, 'b', ...c]"), VSeq)
    choice = value_of("a ?? b")
    assert isinstance(choice, VChoice) and [type(o) for o in choice.options] == [VName, VName]
    ternary = value_of("a ? 'x' : c")
    assert isinstance(ternary, VChoice) and isinstance(ternary.options[0], VStr)
    assert isinstance(value_of("a + b"), VOther)
    assert isinstance(value_of("() => 1"), VFunc)
    awaited = value_of("await p")
    assert isinstance(awaited, VName) and awaited.path == ("p",)
    negated = value_of("!this.idle")
    assert isinstance(negated, VCond) and isinstance(negated.cond, CNot)
    compare = value_of("state === 'open'")
    assert isinstance(compare, VCond) and isinstance(compare.cond, CCompare)
    assert compare.cond.op == "=="
    either = value_of("a || b")
    assert isinstance(either, VCond) and isinstance(either.cond, COr)


def test_non_path_receiver() -> None:
    (stmt,) = body("getWs().send(x);")
    inner, outer = calls(stmt)
    assert inner.callee == ("getWs",)
    assert outer.callee == ("<expr>", "send")
    assert outer.receiver == inner
    module = lower("async function f() { (await p).send(x); }")
    (inner_stmt,) = module.functions[1].body
    kinds = effects(inner_stmt)
    assert isinstance(kinds[0], Await)
    (call,) = calls(inner_stmt)
    assert call.callee == ("<expr>", "send")
    assert call.receiver == VName(("p",), call.receiver.span)  # type: ignore[union-attr]
    (stmt,) = body("fetch(u).then(r => r.json());")
    assert calls(stmt)[-1].callee == ("<expr>", "then")
    assert isinstance(value_of("f().x"), VOther)
    assert isinstance(value_of("a[k].x"), VOther)


def test_new_expression_and_call_order() -> None:
    (stmt,) = body("outer(inner(1), new WebSocket(url, ['p']));")
    assert [c.callee for c in calls(stmt)] == [("inner",), ("WebSocket",), ("outer",)]
    outer = calls(stmt)[-1]
    assert outer.kwargs == ()
    assert isinstance(outer.args[0], VCall) and outer.args[0].callee == ("inner",)


# --------------------------------------------------------------------------- callbacks


def test_callbacks_record_callee_and_event() -> None:
    module = lower(
        """
setTimeout(() => tick(), 100);
this.ws.on("open", () => {});
el.addEventListener('message', async function (e) {});
useEffect(() => {}, []);
promise.then((r) => r);
fetch(u).then(function (r) {});
ws.on("close", function () {}.bind(this));
"""
    )
    got = [(f.callback_of, f.callback_event) for f in module.functions[1:]]
    assert got == [
        (("setTimeout",), None),
        (("self", "ws", "on"), "open"),
        (("el", "addEventListener"), "message"),
        (("useEffect",), None),
        (("promise", "then"), None),
        (("<expr>", "then"), None),
        (("ws", "on"), "close"),
    ]
    first = module.functions[0].body[0]
    closure, call = effects(first)
    assert isinstance(closure, Closure) and closure.index == 1
    assert isinstance(call, Call) and call.call.args[0] == VFunc(1, closure.span)


def test_assigned_function_is_not_a_callback() -> None:
    module = lower("const f = () => {}; g(f);")
    assert module.functions[1].callback_of is None


# --------------------------------------------------------------------------- effects


def test_await_marks_the_awaited_call() -> None:
    module = lower("async function f() { await this.ws.send(a(x)); await sleep; yield_(); }")
    first, second, _ = module.functions[1].body
    assert [(c.call.callee, c.awaited) for c in effects(first) if isinstance(c, Call)] == [
        (("a",), False),
        (("self", "ws", "send"), True),
    ]
    assert [type(e).__name__ for e in effects(second)] == ["Await"]


def test_yield_is_an_await() -> None:
    module = lower("function* g() { yield produce(); }")
    (stmt,) = module.functions[1].body
    assert [type(e).__name__ for e in effects(stmt)] == ["Call", "Await"]


def test_declarations_and_assignments() -> None:
    stmts = body(
        """
const x = make(), y: number = 2;
let [a, b] = pair();
this.state = 'idle';
count += 1;
flag ||= true;
i++;
getObj().field = 1;
"""
    )
    first = effects(stmts[0])
    assert [type(e).__name__ for e in first] == ["Call", "Assign", "Assign"]
    assert first[1] == Assign(("x",), calls(stmts[0])[0], first[1].span)  # type: ignore[union-attr]
    assert [type(e).__name__ for e in effects(stmts[1])] == ["Call"]
    state = effects(stmts[2])[0]
    assert isinstance(state, Assign) and state.target == ("self", "state")
    assert isinstance(state.value, VStr) and state.value.value == "idle"
    count = effects(stmts[3])[0]
    assert isinstance(count, Assign) and count.target == ("count",)
    assert isinstance(count.value, VOther)
    flag = effects(stmts[4])[0]
    assert isinstance(flag, Assign) and isinstance(flag.value, VConst)
    inc = effects(stmts[5])[0]
    assert isinstance(inc, Assign) and inc.target == ("i",)
    assert [type(e).__name__ for e in effects(stmts[6])] == ["Call"]


def test_effect_free_statements_are_dropped() -> None:
    assert body("x; 'use strict'; ;") == []
    assert body("import { a } from 'b'; type T = 'literal'; interface I {}") == []


# --------------------------------------------------------------------------- control flow


def test_if_not_call_guard() -> None:
    (stmt,) = body("if (!this.isResponseActive()) { this.ws.send(evt); } else { queue(); }")
    assert isinstance(stmt, If)
    assert isinstance(stmt.cond, CNot)
    atom = stmt.cond.operand
    assert isinstance(atom, CAtom) and isinstance(atom.value, VCall)
    assert atom.value.callee == ("self", "isResponseActive")
    assert [c.call.callee for c in stmt.prelude if isinstance(c, Call)] == [
        ("self", "isResponseActive")
    ]
    assert [c.callee for c in calls(stmt.then[0])] == [("self", "ws", "send")]
    assert [c.callee for c in calls(stmt.orelse[0])] == [("queue",)]


def test_else_if_chain_and_conditions() -> None:
    (stmt,) = body("if (a && (b || !c)) f(); else if (x !== 'y') g(); else if (true) h();")
    assert isinstance(stmt, If)
    assert isinstance(stmt.cond, CAnd) and isinstance(stmt.cond.right, COr)
    assert isinstance(stmt.cond.right.right, CNot)
    (elif_,) = stmt.orelse
    assert isinstance(elif_, If) and isinstance(elif_.cond, CCompare)
    assert elif_.cond.op == "!="
    (last,) = elif_.orelse
    assert isinstance(last, If) and last.cond == CConst(True)


def test_condition_special_operators() -> None:
    for src in ("a ?? b", "a instanceof B", "'k' in o"):
        (stmt,) = body(f"if ({src}) f();")
        assert isinstance(stmt, If) and isinstance(stmt.cond, CAtom), src
        assert isinstance(stmt.cond.value, VOther)
    (stmt,) = body("if (n >= limit()) f();")
    assert isinstance(stmt, If) and isinstance(stmt.cond, CCompare) and stmt.cond.op == ">="
    assert len(stmt.prelude) == 1


def test_short_circuit_statements_become_ifs() -> None:
    and_, or_, ternary, nullish = body("a && b(); ok || fail(); c ? f() : g(); x ?? init();")
    assert isinstance(and_, If) and and_.cond == CAtom(VName(("a",), and_.cond.value.span))  # type: ignore[union-attr]
    assert [c.callee for c in calls(and_.then[0])] == [("b",)] and and_.orelse == []
    assert isinstance(or_, If) and or_.then == []
    assert [c.callee for c in calls(or_.orelse[0])] == [("fail",)]
    assert isinstance(ternary, If)
    assert [c.callee for c in calls(ternary.then[0])] == [("f",)]
    assert [c.callee for c in calls(ternary.orelse[0])] == [("g",)]
    assert isinstance(nullish, If) and nullish.then == []


def test_arrow_expression_body() -> None:
    module = lower("const a = () => send(x); const b = () => ready && send(y);")
    (ret,) = module.functions[1].body
    assert isinstance(ret, Return) and isinstance(ret.value, VCall)
    assert [c.call.callee for c in ret.prelude if isinstance(c, Call)] == [("send",)]
    (guard,) = module.functions[2].body
    assert isinstance(guard, If) and isinstance(guard.cond, CAtom)
    (sent,) = guard.then
    assert isinstance(sent, Return) and [type(e).__name__ for e in sent.prelude] == ["Call"]
    assert guard.orelse == [Return(sent.span, sent.value)]


def test_return_of_conditional_effects_branches() -> None:
    module = lower(
        """
function a() { return !active ? (send(), true) : false; }
function b() { return !this.busy && this.ready(); }
function c() { return x === 1 || y; }
function d() { return flag ? 1 : 2; }
"""
    )
    (ternary,) = module.functions[1].body
    assert isinstance(ternary, If) and isinstance(ternary.cond, CNot)
    (then,) = ternary.then
    assert isinstance(then, Return) and then.value == VConst(True, then.value.span)  # type: ignore[union-attr]
    assert [c.call.callee for c in then.prelude if isinstance(c, Call)] == [("send",)]
    assert isinstance(ternary.orelse[0], Return) and not ternary.orelse[0].prelude
    # Both arms of a split short-circuit return the whole condition.
    (guarded,) = module.functions[2].body
    assert isinstance(guarded, If)
    values = [r.value for r in (*guarded.then, *guarded.orelse) if isinstance(r, Return)]
    assert len(values) == 2 and values[0] == values[1]
    assert isinstance(values[0], VCond) and isinstance(values[0].cond, CAnd)
    (plain,) = module.functions[3].body
    assert isinstance(plain, Return) and isinstance(plain.value, VCond)
    assert isinstance(plain.value.cond, COr)
    (opaque,) = module.functions[4].body
    assert isinstance(opaque, Return) and isinstance(opaque.value, VOther)


def test_switch() -> None:
    (stmt,) = body(
        """
switch (event.type) {
  case 'response.done': done(); break;
  case "error":
  case KIND: fail();
  default: other();
}
"""
    )
    assert isinstance(stmt, Switch) and stmt.fallthrough
    assert len(stmt.cases) == 4
    first = stmt.cases[0]
    assert isinstance(first.test, CCompare) and first.test.op == "=="
    assert first.test.left == VName(("event", "type"), first.test.left.span)
    assert isinstance(first.test.right, VStr) and first.test.right.value == "response.done"
    assert isinstance(first.body[-1], Break)
    assert stmt.cases[1].body == []
    assert stmt.cases[3].test is None


def test_loops() -> None:
    forever, counted, while_, do_, for_of = body(
        """
for (;;) { break; }
for (let i = start(); i < n; i++) { step(i); }
while (!done()) { continue; }
do { poll(); } while (pending);
for (const m of messages()) { handle(m); }
"""
    )
    assert isinstance(forever, Loop) and forever.cond == CConst(True)
    assert isinstance(forever.body[0], Break)
    assert isinstance(counted, Loop) and isinstance(counted.cond, CCompare)
    assert [type(e).__name__ for e in counted.prelude] == ["Call", "Assign"]
    assert [type(e).__name__ for e in counted.update] == ["Assign"]
    assert isinstance(while_, Loop) and isinstance(while_.cond, CNot) and while_.test_first
    assert isinstance(while_.body[0], Continue)
    # The test runs before the first iteration and again after each one.
    assert [c.call.callee for c in while_.prelude if isinstance(c, Call)] == [("done",)]
    assert [c.call.callee for c in while_.update if isinstance(c, Call)] == [("done",)]
    assert isinstance(do_, Loop) and not do_.test_first
    assert isinstance(for_of, Loop) and for_of.cond is None
    assert [c.call.callee for c in for_of.prelude if isinstance(c, Call)] == [("messages",)]


def test_for_await_awaits_each_step() -> None:
    module = lower("async function f() { for await (const c of stream) use(c); }")
    (loop,) = module.functions[1].body
    assert isinstance(loop, Loop)
    assert any(isinstance(e, Await) for e in loop.prelude)
    assert any(isinstance(e, Await) for e in loop.update)


def test_labels() -> None:
    loop, block, switch = body(
        """
outer: for (const a of xs) { inner: while (x) { continue outer; break inner; } }
blk: { if (x) break blk; f(); }
sw: switch (k) { case 1: break sw; }
"""
    )
    assert isinstance(loop, Loop) and loop.label == "outer"
    inner = loop.body[0]
    assert isinstance(inner, Loop) and inner.label == "inner"
    assert isinstance(inner.body[0], Continue) and inner.body[0].label == "outer"
    assert isinstance(inner.body[1], Break) and inner.body[1].label == "inner"
    assert isinstance(block, Labeled) and block.label == "blk"
    assert isinstance(block.body[0], If)
    assert isinstance(switch, Switch) and switch.label == "sw"


def test_try_catch_finally_return_throw() -> None:
    module = lower(
        """
function f() {
  try { risky(); return compute(); }
  catch (e) { throw new Error(msg(e)); }
  finally { cleanup(); }
}
try { a(); } catch { b(); }
"""
    )
    (try_,) = module.functions[1].body
    assert isinstance(try_, Try)
    ret = try_.body[1]
    assert isinstance(ret, Return) and isinstance(ret.value, VCall)
    assert [c.call.callee for c in ret.prelude if isinstance(c, Call)] == [("compute",)]
    (raise_,) = try_.handlers[0]
    assert isinstance(raise_, Raise)
    assert [c.call.callee for c in raise_.prelude if isinstance(c, Call)] == [
        ("msg",),
        ("Error",),
    ]
    assert [c.callee for c in calls(try_.finalbody[0])] == [("cleanup",)]
    (plain,) = module.functions[0].body[1:]
    assert isinstance(plain, Try) and len(plain.handlers) == 1 and plain.finalbody == []


def test_namespace_bodies_run_in_place() -> None:
    stmts = body("namespace N { setup(); }\nexport namespace M { if (x) go(); }")
    assert [c.callee for c in calls(stmts[0])] == [("setup",)]
    assert isinstance(stmts[1], If)


def test_exports_and_declarations() -> None:
    module = lower(
        """
export const send = (x) => ws.send(x);
export default function App() { go(); }
export { a } from './mod';
declare const env: Record<string, string>;
enum Kind { A = 'kind.a' }
"""
    )
    assert [f.name for f in module.functions[1:]] == ["send", "App"]
    assert {"./mod", "kind.a"} <= module.strings


# --------------------------------------------------------------------------- JSX


def test_tsx_jsx_handlers() -> None:
    module = lower(
        """
export function Panel({ send }: Props) {
  return (
    <div className="panel" onClick={() => send({ type: "response.create" })}>
      {items.map((i) => <Item key={i} onSelect={() => pick(i)} />)}
    </div>
  );
}
""",
        tsx=True,
        path="x.tsx",
    )
    names = [(f.name, f.parent) for f in module.functions[1:]]
    assert names == [("Panel", 0), ("onClick", 1), ("", 1), ("onSelect", 3)]
    click = fn(module, "onClick")
    (ret,) = click.body
    assert isinstance(ret, Return) and isinstance(ret.value, VCall)
    assert ret.value.callee == ("send",)
    assert fn(module, "").callback_of == ("items", "map")
    assert {"panel", "response.create"} <= module.strings


def test_js_with_jsx_falls_back_to_tsx_grammar() -> None:
    module = frontends.lower("App.js", b"const el = <button onClick={() => go()} />;")
    assert fn(module, "onClick").kind == "lambda"


# --------------------------------------------------------------------------- strings, errors, spans


def test_module_strings() -> None:
    module = lower(
        """
import OpenAI from "openai";
const url = `wss://api.openai.com/v1/realtime`;
type Ev = 'session.update';
send({ type: "response.create" });
"""
    )
    assert module.strings == frozenset(
        {"openai", "wss://api.openai.com/v1/realtime", "session.update", "response.create"}
    )


@pytest.mark.parametrize(
    ("src", "line", "column", "fragment"),
    [
        ("const a = 1;\nconst b = ;\n", 2, 9, "unexpected"),
        ("if (x { y() }", 1, 6, "missing `)`"),
        ('let s = "é";\nfoo(1 2);', 2, 7, "unexpected `2`"),
    ],
)
def test_syntax_error(src: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        lower(src)
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.message.startswith("syntax error: ")
    assert fragment in info.value.message


def test_jsx_in_ts_is_a_syntax_error() -> None:
    with pytest.raises(ParseError):
        lower("const x = <div>a</div>;")


def test_character_columns_after_non_ascii() -> None:
    src = "// héllo wörld 🎉\nconst s = 'ünïcode'; send(s);\n"
    (stmt,) = body(src)[1:]
    (call,) = calls(stmt)
    assert (call.span.line, call.span.column) == (2, 22)
    assert call.span == LineIndex(src.encode()).span(call.span.start_byte, call.span.end_byte)


def test_bom_keeps_byte_offsets() -> None:
    src = "\ufefff();"
    (stmt,) = body(src)
    (call,) = calls(stmt)
    assert call.span.start_byte == 3
    assert (call.span.line, call.span.column) == (1, 2)


def test_spans_match_line_index() -> None:
    src = "function f() {\n  if (a) {\n    g(b.c, 'x');\n  }\n}\n"
    module = lower(src)
    index = LineIndex(src.encode())
    (if_,) = module.functions[1].body
    assert isinstance(if_, If)
    (call,) = calls(if_.then[0])
    assert call.span == index.span(call.span.start_byte, call.span.end_byte)
    assert (call.span.line, call.span.column, call.span.end_line, call.span.end_column) == (
        3,
        5,
        3,
        16,
    )


def test_deep_nesting_degrades_instead_of_crashing() -> None:
    deep = "f(" * 2000 + ")" * 2000 + ";"
    (stmt,) = body(deep)
    assert calls(stmt)
    lower("const f = " + "() => " * 1000 + "g();")
    lower("{" * 1500 + "g();" + "}" * 1500)
    concat = body("x = " + " + ".join(["'a'"] * 5000) + " + last();")
    assert [c.callee for c in calls(concat[0])] == [("last",)]


def test_parsers_are_cached() -> None:
    assert typescript._parser(False) is typescript._parser(False)
    assert typescript._parser(True) is not typescript._parser(False)


def test_class_fields_are_assignments_to_the_class() -> None:
    module = lower(
        "class A { static EVENT = { type: 'response.create' }; private n = 1; label!: string;"
        " run = () => {}; m() {} }"
    )
    top = [e for s in module.functions[0].body if isinstance(s, Effects) for e in s.effects]
    assert [e.target for e in top if isinstance(e, Assign)] == [("A", "EVENT"), ("A", "n")]
    assert fn(module, "run").class_name == "A"
