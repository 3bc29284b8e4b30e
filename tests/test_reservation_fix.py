"""RT003's fix (reserve at the send, rolled back if it raises): how safe it is follows from
what the CFG proves about each send."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rtlint.diagnostics import Safety
from rtlint.engine import Settings, check_source
from rtlint.fixer import fix_source
from rtlint.registry import all_rules

SETTINGS = Settings(rules=all_rules())

ON_EVENT = """
    async def on_event(self, event):
        kind = event["type"]
        if kind == "response.created":
            self._response_active = True
        elif kind == "response.done":
            self._response_active = False
            if self._response_owed:
                self._response_owed = False
                await self.request()
        elif kind == "error":
            self._response_active = False
"""

SEND = """
    async def _send(self, event):
        await self.ws.send(json.dumps(event))
"""

GUARDED = """
    async def request(self):
        if self._response_active:
            self._response_owed = True
            return
        await self._send({"type": "response.create"})
"""


def _source(*parts: str) -> bytes:
    body = "".join(textwrap.indent(textwrap.dedent(p), "    ") for p in parts)
    return f"import json\n\n\nclass Adapter:\n{body}".encode()


def _rt003_safety(source: bytes) -> Safety | None:
    found = [d for d in check_source("a.py", source, SETTINGS).diagnostics if d.code == "RT003"]
    assert len(found) == 1, [(d.code, d.message) for d in found]
    fix = found[0].fix
    return None if fix is None else fix.safety


def test_a_guarded_send_through_a_wrapper_that_always_sends_is_safe_with_an_error_clear() -> None:
    source = _source(SEND, GUARDED, ON_EVENT)
    assert _rt003_safety(source) is Safety.SAFE
    result = fix_source("a.py", source, SETTINGS)
    assert result.applied == 1 and not result.remaining, result.remaining
    assert "self._response_active = True\n        try:\n            await self._send(" in (
        result.fixed.decode()
    )


def test_without_an_error_handler_that_clears_a_rejected_create_keeps_the_slot_unsafe() -> None:
    no_error = _source(SEND, GUARDED, ON_EVENT.split('        elif kind == "error"')[0])
    assert _rt003_safety(no_error) is Safety.UNSAFE
    assert fix_source("a.py", no_error, SETTINGS).applied == 0
    assert fix_source("a.py", no_error, SETTINGS, unsafe=True).applied == 1


def test_a_send_not_proven_idle_before_it_makes_the_rollback_unsafe() -> None:
    # An await between the guard and the send: another task may reserve in between, and
    # the rollback would clear its reservation.
    unproven = GUARDED.replace(
        '        await self._send({"type": "response.create"})',
        '        await self.log_turn()\n        await self._send({"type": "response.create"})',
    )
    log = "\nasync def log_turn(self):\n    pass\n"
    assert _rt003_safety(_source(SEND, unproven, log, ON_EVENT)) is Safety.UNSAFE


@pytest.mark.parametrize(
    "wrapper",
    [
        # the wrapper may return without sending: the reservation would never be released
        "\nasync def _send(self, event):\n    if self.ws is None:\n        return\n"
        "    await self.ws.send(json.dumps(event))\n",
        # the wrapper hands the event to a helper that may drop it (seen in a real service)
        "\nasync def _send(self, event):\n    message = event.model_dump()\n"
        "    if isinstance(event, dict):\n        log.debug(message)\n"
        "    await self._ws_send(message)\n"
        "\nasync def _ws_send(self, message):\n    if self.ws:\n"
        "        await self.ws.send(json.dumps(message))\n",
        # the wrapper swallows a failed send: nothing raises, nothing rolls back
        "\nasync def _send(self, event):\n    try:\n        await self.ws.send(json.dumps(event))\n"
        "    except OSError:\n        pass\n",
    ],
)
def test_a_send_that_may_not_go_out_makes_the_fix_a_suggestion(wrapper: str) -> None:
    source = _source(wrapper, GUARDED, ON_EVENT)
    assert _rt003_safety(source) is Safety.DISPLAY_ONLY
    assert fix_source("a.py", source, SETTINGS, unsafe=True).applied == 0


def test_a_send_inside_a_larger_statement_is_a_suggestion() -> None:
    inline = GUARDED.replace(
        '        await self._send({"type": "response.create"})',
        '        sent = await self._send({"type": "response.create"}) or self.log()',
    )
    assert _rt003_safety(_source(SEND, inline, ON_EVENT)) is Safety.DISPLAY_ONLY


def test_an_id_written_from_the_event_has_no_value_to_reserve_with() -> None:
    source = _source(SEND, GUARDED, ON_EVENT).replace(
        b"self._response_active = True", b'self._response_active = event["response"]["id"]'
    )
    assert _rt003_safety(source) is None


def test_an_error_handler_that_keeps_the_reservation_blocks_the_fix() -> None:
    # Reserving would make the logging-only error handler an RT004 finding (a rejected
    # create keeps the slot): the fixer leaves the file as it is.
    logs = ON_EVENT.replace(
        'elif kind == "error":\n            self._response_active = False',
        'elif kind == "error":\n            print(event)',
    )
    source = _source(SEND, GUARDED, logs)
    assert source != _source(SEND, GUARDED, ON_EVENT)
    assert _rt003_safety(source) is Safety.UNSAFE
    result = fix_source("a.py", source, SETTINGS, unsafe=True)
    assert result.applied == 0 and result.fixed == source, result.notes


def test_a_value_made_from_the_event_and_sent_by_a_local_helper_is_followed() -> None:
    wrapper = (
        "\nasync def _send(self, event):\n    message = event.copy()\n"
        "    await self._ws_send(message)\n"
        "\nasync def _ws_send(self, message):\n    await self.ws.send(json.dumps(message))\n"
    )
    assert _rt003_safety(_source(wrapper, GUARDED, ON_EVENT)) is Safety.SAFE


def test_typescript_is_proved_the_same_way() -> None:
    fixture = Path(__file__).parent / "fixtures/typescript/RT003/fix/reserve_at_send.ts"
    unsafe = fixture.read_text()
    safe = unsafe.replace(
        '      case "session.created":',
        '      case "error":\n        this.responseActive = false;\n        break;\n'
        '      case "session.created":',
    )
    assert safe != unsafe
    for text, want in ((unsafe, Safety.UNSAFE), (safe, Safety.SAFE)):
        found = check_source("a.ts", text.encode(), SETTINGS).diagnostics
        assert [d.fix.safety for d in found if d.code == "RT003" and d.fix] == [want]
