"""Generated programs: the CFG analysis against an independent path-based oracle.

Hypothesis builds small async methods out of guards (in both polarities, with
``not``/``and``/``or``), look-alike tests, creates, forced clears, reservations, early
``return``/``raise``, ``if``/``else``, ``while``/``for`` loops with ``break``/
``continue``, and ``try``/``except``/``finally``. The oracle interprets that
program directly (not its CFG): it follows every path, choosing each test's
outcome freely, tracks whether "no response is active" has been proven on that
path (by a check or a clear, or only by a fresh connection, which input audio
ends), and records the states in which each create can be reached. Loops are run
to a fixed point over the (finite) set of states, so every path is covered. A
create must be reported exactly when some path reaches it unproven.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtlint.engine import Settings, check_source
from rtlint.registry import by_selector

# ----------------------------------------------------------------- program model


@dataclass(frozen=True)
class Atom:
    text: str
    idle_when: bool | None  # the outcome that proves no response is active; None: unrelated


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    left: object
    right: object


ATOMS = [
    Atom("self._response_active", False),
    Atom("self.is_response_active()", False),
    Atom("self._state is State.IDLE", True),
    Atom("self._session_ready", None),
    Atom("self.x", None),
]


@dataclass
class S:
    kind: str
    cond: object = None
    body: list[S] = field(default_factory=list)
    orelse: list[S] = field(default_factory=list)
    final: list[S] = field(default_factory=list)
    line: int = 0


def conds(depth: int = 2) -> st.SearchStrategy[object]:
    atoms = st.sampled_from(ATOMS)
    if depth == 0:
        return atoms
    sub = conds(depth - 1)
    return st.one_of(
        atoms,
        atoms,
        sub.map(Not),
        st.tuples(st.sampled_from(["and", "or"]), sub, sub).map(lambda t: BoolOp(*t)),
    )


SIMPLE = ["create", "create", "clear", "reserve", "log", "connect", "audio", "return", "raise"]


def blocks(depth: int, in_loop: bool) -> st.SearchStrategy[list[S]]:
    simple = st.sampled_from(SIMPLE + (["break", "continue"] if in_loop else [])).map(S)
    if depth == 0:
        return st.lists(simple, min_size=1, max_size=3)
    inner = blocks(depth - 1, in_loop)
    loop_body = blocks(depth - 1, True)
    compound = st.one_of(
        st.builds(lambda c, b, e: S("if", c, b, e), conds(), inner, st.one_of(st.just([]), inner)),
        st.builds(lambda c, b: S("while", c, b), st.one_of(conds(1), st.just(None)), loop_body),
        st.builds(lambda b: S("for", None, b), loop_body),
        st.builds(
            lambda b, h, f: S("try", None, b, h, f),
            inner,
            st.one_of(st.just([]), inner),
            st.one_of(st.just([]), inner),
        ).filter(lambda s: bool(s.orelse or s.final)),
    )
    return st.lists(st.one_of(simple, simple, compound), min_size=1, max_size=4)


# ----------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Syntax:
    """How one language spells the generated statements (``{c}`` stands for a condition;
    bodies start two levels deep, inside the class and the method)."""

    statements: dict[str, str]
    atoms: dict[str, str]
    negate: str
    ops: dict[str, str]
    blocks: dict[str, str]
    close: str | None
    unit: str
    header: tuple[str, ...]
    footer: tuple[str, ...]

    def cond(self, c: object) -> str:
        if isinstance(c, Atom):
            return f"({self.atoms[c.text]})"
        if isinstance(c, Not):
            return f"({self.negate}{self.cond(c.operand)})"
        assert isinstance(c, BoolOp)
        return f"({self.cond(c.left)} {self.ops[c.op]} {self.cond(c.right)})"

    def render(self, stmts: list[S], depth: int, out: list[str]) -> None:
        pad = self.unit * depth
        for s in stmts:
            if s.kind in self.statements:
                out.append(pad + self.statements[s.kind])
                s.line = len(out)
                continue
            kind = "while-true" if s.kind == "while" and s.cond is None else s.kind
            out.append(pad + self.blocks[kind].replace("{c}", self.cond(s.cond) if s.cond else ""))
            self.render(s.body, depth + 1, out)
            for part, body in (("else", s.orelse), ("finally", s.final)):
                if body:
                    label = "except" if part == "else" and s.kind == "try" else part
                    out.append(pad + self.blocks[label])
                    self.render(body, depth + 1, out)
            if self.close is not None:
                out.append(pad + self.close)

    def program(self, stmts: list[S]) -> str:
        out = list(self.header)
        self.render(stmts, 2, out)
        return "\n".join([*out, *self.footer]) + "\n"


PYTHON = Syntax(
    statements={
        "create": 'await self.ws.send(json.dumps({"type": "response.create"}))',
        "clear": "self._response_active = False",
        "reserve": "self._response_active = True",
        "log": "self.log()",
        "connect": "await self.reconnect()",
        "audio": 'await self.ws.send(json.dumps({"type": "input_audio_buffer.append"}))',
        "return": "return",
        "raise": "raise RuntimeError()",
        "break": "break",
        "continue": "continue",
    },
    atoms={a.text: a.text for a in ATOMS},
    negate="not ",
    ops={"and": "and", "or": "or"},
    blocks={
        "if": "if {c}:",
        "else": "else:",
        "while": "while {c}:",
        "while-true": "while True:",
        "for": "for item in self.items:",
        "try": "try:",
        "except": "except Exception:",
        "finally": "finally:",
    },
    close=None,
    unit="    ",
    header=("import json", "", "", "class Adapter:", "    async def handle(self):"),
    footer=(),
)
TYPESCRIPT = Syntax(
    statements={
        "create": 'this.ws.send(JSON.stringify({ type: "response.create" }));',
        "clear": "this.responseActive = false;",
        "reserve": "this.responseActive = true;",
        "log": "this.log();",
        "connect": "await this.reconnect();",
        "audio": 'this.ws.send(JSON.stringify({ type: "input_audio_buffer.append", audio: "" }));',
        "return": "return;",
        "raise": "throw new Error();",
        "break": "break;",
        "continue": "continue;",
    },
    atoms={
        "self._response_active": "this.responseActive",
        "self.is_response_active()": "this.isResponseActive()",
        "self._state is State.IDLE": "this.state === State.Idle",
        "self._session_ready": "this.sessionReady",
        "self.x": "this.x",
    },
    negate="!",
    ops={"and": "&&", "or": "||"},
    blocks={
        "if": "if {c} {",
        "else": "} else {",
        "while": "while {c} {",
        "while-true": "while (true) {",
        "for": "for (const item of this.items) {",
        "try": "try {",
        "except": "} catch (error) {",
        "finally": "} finally {",
    },
    close="}",
    unit="  ",
    header=("export class Adapter {", "  async handle(): Promise<void> {"),
    footer=("  }", "}"),
)


# ----------------------------------------------------------------- the oracle

UNPROVEN, FRESH, CHECKED = 0, 1, 2
"""Path states: nothing proven; idle only because the connection is fresh; idle by a check."""
Outcomes = dict[str, set[int]]  # completion kind -> path states


class Oracle:
    """Follows every path of the program; records the states each create is reached in."""

    def __init__(self) -> None:
        self.reached: defaultdict[int, set[int]] = defaultdict(set)

    def cond(self, c: object, states: set[int]) -> tuple[set[int], set[int]]:
        if not states:
            return set(), set()
        if isinstance(c, Atom):
            proven = {CHECKED}
            if c.idle_when is True:
                return proven, set(states)
            if c.idle_when is False:
                return set(states), proven
            return set(states), set(states)
        if isinstance(c, Not):
            t, f = self.cond(c.operand, states)
            return f, t
        assert isinstance(c, BoolOp)
        lt, lf = self.cond(c.left, states)
        if c.op == "and":
            rt, rf = self.cond(c.right, lt)
            return rt, lf | rf
        rt, rf = self.cond(c.right, lf)
        return lt | rt, rf

    @staticmethod
    def raises(c: object, states: set[int]) -> Outcomes:
        """A test that calls a predicate may raise, before any of its branches is taken.

        (The IR evaluates a test's calls ahead of the test: a documented approximation.)
        """
        return {"raise": set(states)} if c is not None and "()" in PYTHON.cond(c) else {}

    def block(self, stmts: list[S], states: set[int]) -> Outcomes:
        out: Outcomes = defaultdict(set)
        current = set(states)
        for s in stmts:
            if not current:
                break
            result = self.stmt(s, current)
            current = result.pop("normal", set())
            for kind, st_ in result.items():
                out[kind] |= st_
        out["normal"] |= current
        return out

    def stmt(self, s: S, states: set[int]) -> Outcomes:
        k = s.kind
        if k == "create":
            self.reached[s.line] |= states
            return {"normal": {UNPROVEN}, "raise": {UNPROVEN}}
        if k == "clear":
            # The generated method is public and handles no event: its clear is forced
            # (RT011) and proves nothing.
            return {"normal": set(states)}
        if k in ("connect", "audio"):
            # A call: it may raise, after its effect (the analysis's node granularity).
            changed = {max(x, FRESH) if k == "connect" else (UNPROVEN if x == FRESH else x)
                       for x in states}  # fmt: skip
            return {"normal": changed, "raise": changed}
        if k == "reserve":
            return {"normal": set(states)}
        if k == "log":
            return {"normal": set(states), "raise": set(states)}
        if k in ("return", "raise", "break", "continue"):
            return {k: set(states)}
        if k == "if":
            t, f = self.cond(s.cond, states)
            return merge(
                self.block(s.body, t), self.block(s.orelse, f), self.raises(s.cond, states)
            )
        if k in ("while", "for"):
            head = set(states)
            while True:
                if k == "for" or s.cond is None:
                    enter, leave = set(head), set(head) if k == "for" else set()
                else:
                    enter, leave = self.cond(s.cond, head)
                body = self.block(s.body, enter)
                new_head = head | body.get("normal", set()) | body.get("continue", set())
                if new_head == head:
                    break
                head = new_head
            out = {key: v for key, v in body.items() if key in ("return", "raise")}
            return merge(
                out, {"normal": leave | body.get("break", set())}, self.raises(s.cond, head)
            )
        assert k == "try"
        body = self.block(s.body, states)
        result: Outcomes = {key: v for key, v in body.items() if key != "raise"}
        if s.orelse:
            caught = body.get("raise", set())  # only what the body raises reaches `except`
            result = merge(result, self.block(s.orelse, caught), {"raise": caught})
        else:
            result = merge(result, {"raise": body.get("raise", set())})
        if not s.final:
            return result
        finished: Outcomes = {}
        for kind, st_ in result.items():
            if not st_:
                continue
            after = self.block(s.final, st_)
            normal = after.pop("normal", set())
            finished = merge(finished, after, {kind: normal})
        return finished


def merge(*outcomes: Outcomes) -> Outcomes:
    out: Outcomes = defaultdict(set)
    for o in outcomes:
        for k, v in o.items():
            out[k] |= v
    return dict(out)


# ----------------------------------------------------------------- the property

RT001 = tuple(by_selector("RT001"))


def _agree(stmts: list[S], source: str, filename: str) -> None:
    """Render first (it numbers the lines), then ask the oracle, then the analysis."""
    oracle = Oracle()
    oracle.block(stmts, {UNPROVEN})
    want = {line for line, states in oracle.reached.items() if UNPROVEN in states}
    result = check_source(filename, source.encode(), Settings(rules=RT001))
    assert not [d for d in result.diagnostics if d.code == "E999"], source
    got = {d.span.line for d in result.diagnostics}
    assert got == want, f"\n{source}\nexpected flagged lines {sorted(want)}, got {sorted(got)}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(3, in_loop=False))
def test_analysis_matches_every_path(stmts: list[S]) -> None:
    _agree(stmts, PYTHON.program(stmts), "generated.py")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks(3, in_loop=False))
def test_analysis_matches_every_path_in_typescript(stmts: list[S]) -> None:
    _agree(stmts, TYPESCRIPT.program(stmts), "generated.ts")


# ----------------------------------------------------------------- interprocedural mode
#
# A generated class with predicates (`return <cond>`), a parameter-aware builder, a send
# helper and a deferral helper guarded by a generated test, called with generated
# arguments; checked in one file and with the helpers in a base class in another file.
# The oracle inlines each call: a predicate guards iff its condition, when true, proves
# "no response is active"; the deferral helper defers iff its test, when false, does.


@dataclass(frozen=True)
class Step:
    predicate: int | None  # `if self._pred<i>():` around the call, or unguarded
    sink: str  # "_send" | "_defer"
    kind: str  # the event type passed
    built: bool  # through the builder or as a literal


def steps() -> st.SearchStrategy[list[Step]]:
    step = st.builds(
        Step,
        st.one_of(st.none(), st.integers(0, 2)),
        st.sampled_from(["_send", "_defer"]),
        st.sampled_from(["response.create", "session.update"]),
        st.booleans(),
    )
    return st.lists(step, min_size=1, max_size=5)


def _proves(c: object, outcome: bool) -> bool:
    t, f = Oracle().cond(c, {UNPROVEN})
    return (t if outcome else f) == {CHECKED}


def _helpers(preds: list[object], defer_test: object) -> list[str]:
    lines = []
    for i, c in enumerate(preds):
        lines += [f"    def _pred{i}(self):", f"        return {PYTHON.cond(c)}", ""]
    return [
        *lines,
        "    def _build(self, kind, **fields):",
        '        return {"type": kind, **fields}',
        "",
        "    async def _send(self, event):",
        "        await self.ws.send(json.dumps(event))",
        "",
        "    async def _defer(self, event):",
        f"        if {PYTHON.cond(defer_test)}:",
        "            self._pending = event",
        "            return",
        "        await self.ws.send(json.dumps(event))",
        "",
    ]


def _caller(program: list[Step], first_line: int) -> tuple[list[str], set[int]]:
    lines = ["    async def handle(self):"]
    calls: dict[int, Step] = {}
    for s in program:
        event = f'self._build("{s.kind}")' if s.built else f'{{"type": "{s.kind}"}}'
        call = f"await self.{s.sink}({event})"
        if s.predicate is None:
            lines.append(f"        {call}")
        else:
            lines += [f"        if self._pred{s.predicate}():", f"            {call}"]
        calls[first_line + len(lines) - 1] = s
    return lines, set(calls)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(conds(), min_size=3, max_size=3), conds(), steps(), st.booleans())
def test_interprocedural_analysis_matches_inlined_calls(
    preds: list[object], defer_test: object, program: list[Step], split: bool
) -> None:
    import tempfile
    from pathlib import Path

    from rtlint.engine import check_files

    defers = _proves(defer_test, False)
    helpers = _helpers(preds, defer_test)
    if split:  # the helpers live in a base class in another module
        base = ["import json", "", "", "class Base:", *helpers]
        head = ["from .base import Base", "", "", "class Adapter(Base):"]
    else:
        base, head = [], ["import json", "", "", "class Adapter:", *helpers]
    body, call_lines = _caller(program, len(head) + 1)
    source = "\n".join([*head, *body, ""])
    want = set()
    for line in sorted(call_lines):
        s = next(p for n, p in zip(sorted(call_lines), program, strict=True) if n == line)
        guarded = s.predicate is not None and _proves(preds[s.predicate], True)
        if s.kind == "response.create" and not guarded and not (s.sink == "_defer" and defers):
            want.add(line)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "__init__.py").write_text("")
        (root / "adapter.py").write_text(source)
        files = [root / "adapter.py"]
        if base:
            (root / "base.py").write_text("\n".join([*base, ""]))
            files.append(root / "base.py")
        results = check_files(files, Settings(rules=RT001), jobs=1)
    got = {d.span.line for d in results[0].diagnostics}
    shown = "\n".join(base) + "\n---\n" + source
    assert got == want, f"\n{shown}\nexpected flagged lines {sorted(want)}, got {sorted(got)}"
