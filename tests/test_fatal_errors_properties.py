"""Generated ``error`` handlers: RT010's CFG analysis against a direct interpreter.

Hypothesis builds handler bodies out of ``raise``, ``return``, a closing call, logging
and ``if``/``else`` on the error's code (``==``, ``!=``, ``in``, against recoverable
and other codes) or on the adapter's own flags. The interpreter runs the body for each
recoverable code, choosing every flag test freely. Two oracles:

* *exact*: the code is fixed for the run, so tests of it agree with each other;
* *per edge*: a test of the code may go a way if some recoverable code goes that way
  (what a path-insensitive analysis can know).

RT010 must report exactly when every path is fatal per edge, and that must imply it is
fatal exactly (no false alarm).
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtlint.engine import Settings, check_source
from rtlint.registry import by_selector

RECOVERABLE = ("conversation_already_has_active_response", "response_cancel_not_active")
CODES = (*RECOVERABLE, "invalid_api_key", "rate_limit_exceeded")
SETTINGS = Settings(rules=tuple(by_selector("RT010")))


@dataclass(frozen=True)
class Check:
    kind: str  # "eq" | "ne" | "in" | "flag"
    codes: tuple[str, ...] = ()
    flag: int = 0


@dataclass(frozen=True)
class If:
    test: Check
    then: tuple[object, ...]
    orelse: tuple[object, ...]


ENDS = ("raise", "close")


def _tests() -> st.SearchStrategy[Check]:
    code = st.sampled_from(CODES)
    return st.one_of(
        st.builds(lambda c: Check("eq", (c,)), code),
        st.builds(lambda c: Check("ne", (c,)), code),
        st.builds(lambda cs: Check("in", tuple(cs)), st.lists(code, min_size=1, max_size=2)),
        st.builds(lambda f: Check("flag", flag=f), st.integers(0, 1)),
    )


def _bodies() -> st.SearchStrategy[tuple[object, ...]]:
    leaf = st.sampled_from(("raise", "return", "log", "close"))
    stmt = st.recursive(
        leaf,
        lambda inner: st.builds(
            If,
            _tests(),
            st.lists(inner, max_size=3).map(tuple),
            st.lists(inner, max_size=3).map(tuple),
        ),
        max_leaves=8,
    )
    return st.lists(stmt, min_size=1, max_size=4).map(tuple)


# ------------------------------------------------------------------------ interpreter


def _holds(test: Check, code: str) -> bool:
    if test.kind == "eq":
        return code == test.codes[0]
    if test.kind == "ne":
        return code != test.codes[0]
    return code in test.codes


def _ways(test: Check, code: str | None) -> list[bool]:
    """The outcomes a test can have: for a fixed code, or (None) per edge."""
    if test.kind == "flag":
        return [True, False]
    if code is not None:
        return [_holds(test, code)]
    ways = {_holds(test, c) for c in RECOVERABLE}
    if test.kind == "in":
        ways.add(False)  # the analysis does not know that a set may hold every code
    return sorted(ways)


def _outcomes(body: tuple[object, ...], code: str | None) -> set[str]:
    """How each path through ``body`` leaves it: ``fatal``, ``return`` or ``end``."""
    if not body:
        return {"end"}
    first, rest = body[0], body[1:]
    if first in ENDS:
        return {"fatal"}
    if first == "return":
        return {"return"}
    if first == "log":
        return _outcomes(rest, code)
    assert isinstance(first, If)
    found: set[str] = set()
    for way in _ways(first.test, code):
        branch = _outcomes(first.then if way else first.orelse, code)
        if "end" in branch:
            branch = (branch - {"end"}) | _outcomes(rest, code)
        found |= branch
    return found


# ------------------------------------------------------------------------ rendering


def _cond(test: Check) -> str:
    if test.kind == "flag":
        return f"self._flag{test.flag}"
    if test.kind == "in":
        return f"code in ({', '.join(repr(c) for c in test.codes)},)"
    return f"code {'==' if test.kind == 'eq' else '!='} {test.codes[0]!r}"


def _render(body: tuple[object, ...], depth: int) -> list[str]:
    pad = "    " * depth
    if not body:
        return [pad + "pass"]
    lines: list[str] = []
    for s in body:
        if s == "raise":
            lines.append(pad + 'raise RuntimeError("fatal")')
        elif s == "return":
            lines.append(pad + "return")
        elif s == "log":
            lines.append(pad + 'log.debug("error")')
        elif s == "close":
            lines.append(pad + "await self.ws.close()")
        else:
            assert isinstance(s, If)
            lines.append(pad + f"if {_cond(s.test)}:")
            lines += _render(s.then, depth + 1)
            lines.append(pad + "else:")
            lines += _render(s.orelse, depth + 1)
    return lines


def _source(body: tuple[object, ...]) -> str:
    return "\n".join([
        "import logging", "", "log = logging.getLogger()", "", "",
        "class Adapter:",
        "    async def request_response(self):",
        "        await self.ws.send('{\"type\": \"response.create\"}')",
        "",
        "    async def _receive(self, event):",
        '        if event["type"] == "error":',
        '            code = event["error"].get("code")',
        *_render(body, 3),
        "",
    ])  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bodies())
def test_rt010_reports_exactly_the_handlers_fatal_on_every_recoverable_path(
    body: tuple[object, ...],
) -> None:
    source = _source(body)
    result = check_source("handler.py", source.encode(), SETTINGS)
    assert result.error is None and result.parsed, source
    reported = any(d.code == "RT010" for d in result.diagnostics)
    per_edge = _outcomes(body, None) == {"fatal"}
    exact = all(_outcomes(body, code) == {"fatal"} for code in RECOVERABLE)
    assert reported == per_edge, source
    assert not per_edge or exact, source


def test_the_generator_reaches_both_verdicts() -> None:
    fatal = ("raise",)
    branch = (If(Check("eq", ("invalid_api_key",)), ("return",), ()), "close")
    quiet = (If(Check("in", RECOVERABLE), ("return",), ()), "raise")
    assert _outcomes(fatal, None) == {"fatal"}
    assert _outcomes(branch, None) == {"fatal"}
    assert _outcomes(quiet, None) == {"fatal", "return"}
    for body, want in ((fatal, True), (branch, True), (quiet, False)):
        found = check_source("h.py", _source(body).encode(), SETTINGS).diagnostics
        assert any(d.code == "RT010" for d in found) is want, _source(body)
