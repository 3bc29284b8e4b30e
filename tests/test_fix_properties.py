"""Generated adapters: ``--fix --unsafe-fixes`` leaves no RT001, parses, and touches only the sends.

Each generated class has one of the deferral mechanisms the fixer builds on (a
deferral helper; active + deferred flags flushed on ``response.done``; only an
active flag and a ``response.done`` handler) and a mix of guarded and unguarded
send sites, with and without payloads and with code after the send.
"""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from rtlint.engine import SYNTAX_ERROR, Settings, check_source
from rtlint.fixer import fix_source
from rtlint.registry import all_rules

SETTINGS = Settings(rules=all_rules())

HEADER = """import json


class Adapter:
    def __init__(self, ws):
        self.ws = ws
        self._response_active = False
{extra_init}
    async def _send(self, event):
        await self.ws.send(json.dumps(event))
"""

HELPER = """
    async def _request_response(self):
        if self._response_active:
            self._response_pending = True
            return
        self._response_active = True
        await self._send({"type": "response.create"})
"""

DONE_WITH_FLUSH = """
    async def on_event(self, event):
        if event["type"] == "response.done":
            self._response_active = False
            if self._response_pending:
                self._response_pending = False
                await self._send({"type": "response.create"})
"""

DONE_PLAIN = """
    async def on_event(self, event):
        if event["type"] == "response.done":
            self._response_active = False
"""

SEND = '        await self._send({{"type": "response.create"{payload}}})'
GUARD = """        if self._response_active:
            self._response_pending = True
            return
"""


@st.composite
def adapters(draw: st.DrawFn) -> tuple[str, set[str]]:
    """Source of a generated adapter, and the exact text of its unguarded send lines."""
    mechanism = draw(st.sampled_from(["helper", "flags", "active-only"]))
    parts = [
        HEADER.format(
            extra_init="        self._response_pending = False\n"
            if mechanism != "active-only"
            else ""
        )
    ]
    if mechanism == "helper":
        parts.append(HELPER)
    unguarded: set[str] = set()
    for i in range(draw(st.integers(1, 5))):
        guarded = mechanism != "active-only" and draw(st.booleans())
        payload = draw(st.sampled_from(["", f', "response": {{"instructions": "turn {i}"}}']))
        trailing = draw(st.booleans())
        body = [f"\n    async def turn_{i}(self, text):", f"        self.log(text, {i})"]
        send = SEND.format(payload=payload)
        if guarded:
            body.append(GUARD.rstrip("\n"))
        else:
            unguarded.add(send.strip())
        body.append(send)
        if trailing:
            body.append(f'        self.log("sent", {i})')
        parts.append("\n".join(body) + "\n")
    parts.append(DONE_PLAIN if mechanism == "active-only" else DONE_WITH_FLUSH)
    parts.append("\n    def log(self, *args):\n        print(*args)\n")
    return "".join(parts), unguarded


@settings(max_examples=60, deadline=None)
@given(adapters())
def test_fix_round_trip(case: tuple[str, set[str]]) -> None:
    source, unguarded = case
    result = fix_source("adapter.py", source.encode(), SETTINGS, unsafe=True)
    assert result.error is None and not result.notes, (result.error, result.notes)
    fixed = result.fixed.decode()
    recheck = check_source("adapter.py", result.fixed, SETTINGS)
    assert not [d for d in recheck.diagnostics if d.code == SYNTAX_ERROR], fixed
    assert not recheck.diagnostics, fixed
    # Only the unguarded send lines may change; everything else stays, byte for byte, in order.
    before, after = source.splitlines(), fixed.splitlines()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if op in ("replace", "delete"):
            touched = {line.strip() for line in before[i1:i2]}
            assert touched <= unguarded, f"changed lines that are not unguarded sends: {touched}"
    assert all(line.strip() in unguarded or line in after for line in before)
    again = fix_source("adapter.py", result.fixed, SETTINGS, unsafe=True)
    assert again.fixed == result.fixed
