"""A fix's safety is proven from the code: each case is a way a labelled-safe fix went wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rtlint.diagnostics import Fix, Safety
from rtlint.engine import Settings, check_source
from rtlint.fixer import fix_source
from rtlint.registry import all_rules

SETTINGS = Settings(rules=all_rules())

HEAD = """
import json


class Adapter:
    def __init__(self, ws):
        self._ws = ws
        self._response_active = False
        self._response_pending = False

    async def _send(self, event):
        await self._ws.send(json.dumps(event))

    async def on_event(self, event):
        if event["type"] == "response.created":
            self._response_active = True
        elif event["type"] == "response.done":
            self._response_active = False
            await self._flush()
"""


def _source(body: str, head: str = HEAD) -> bytes:
    return (textwrap.dedent(head) + textwrap.indent(textwrap.dedent(body), "    ")).encode()


def _fixes(path: str, source: bytes) -> list[tuple[Safety, str]]:
    result = check_source(path, source, SETTINGS)
    return [(d.fix.safety, d.fix.title) for d in result.diagnostics if d.fix is not None]


def _fixed(path: str, source: bytes, unsafe: bool = False) -> str:
    result = fix_source(path, source, SETTINGS, unsafe=unsafe)
    assert result.error is None, result.error
    return result.fixed.decode()


def _method(text: str, name: str) -> str:
    """The text of one method, up to the next ``def``."""
    start = text.index(f"def {name}(")
    end = text.find("\n    async def ", start + 1)
    end2 = text.find("\n    def ", start + 1)
    ends = [e for e in (end, end2) if e != -1]
    return text[start : min(ends) if ends else len(text)]


FLUSH = """
async def _flush(self):
    if self._response_pending and not self._response_active:
        self._response_pending = False
        self._response_active = True
        await self._send({"type": "response.create"})

async def greet(self):
    await self._send({"type": "response.create"})
"""


def test_a_flush_that_sends_only_when_a_request_is_pending_is_not_a_route() -> None:
    source = _source(FLUSH)
    fixed = _method(_fixed("a.py", source), "greet")
    assert "_flush()" not in fixed  # the greeting would vanish
    assert "self._response_pending = True" in fixed  # the class's own flags: deferred, not lost
    assert 'await self._send({"type": "response.create"})' in fixed


PURE = """
async def _request_response(self):
    if self._response_active:
        self._response_pending = True
        return
    self._response_active = True
    await self._send({"type": "response.create"})

async def _flush(self):
    if self._response_pending:
        self._response_pending = False
        await self._request_response()

async def greet(self):
    await self._send({"type": "response.create"})
"""


def test_a_pure_request_entry_is_a_safe_route() -> None:
    source = _source(PURE)
    route = "Route the request through `_request_response()`"
    assert _fixes("a.py", source) == [(Safety.SAFE, route)]
    assert "await self._request_response()" in _method(_fixed("a.py", source), "greet")


IMPURE = {
    "commits the audio buffer": """
        async def _respond(self):
            await self._send({"type": "input_audio_buffer.commit"})
            if self._response_active:
                self._response_pending = True
                return
            self._response_active = True
            await self._send({"type": "response.create"})
    """,
    "updates the session and closes": """
        async def _finish(self):
            if self._response_active:
                self._response_pending = True
                return
            self._response_active = True
            await self._send({"type": "session.update", "session": {"instructions": "bye"}})
            await self._send({"type": "response.create"})
            await self._ws.close()
    """,
    "may send two": """
        async def _twice(self):
            if self._response_active:
                self._response_pending = True
                return
            self._response_active = True
            await self._send({"type": "response.create"})
            if self._response_pending:
                await self._send({"type": "response.create"})
    """,
}


def test_methods_with_other_effects_are_not_routes() -> None:
    for why, helper in IMPURE.items():
        body = textwrap.dedent(helper) + textwrap.dedent(
            """
            async def _flush(self):
                pass

            async def greet(self):
                await self._send({"type": "response.create"})
            """
        )
        fixed = _method(_fixed("a.py", _source(body)), "greet")
        assert not any(f"{name}()" in fixed for name in ("_respond", "_finish", "_twice")), why


ONLY_ON_CREATED = """
import json


class Adapter:
    def __init__(self, ws):
        self.ws = ws
        self._response_active = False

    async def send_text(self, text):
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def on_event(self, event):
        if event["type"] == "response.created":
            self._response_active = True
        elif event["type"] == "response.done":
            self._response_active = False
"""


def test_no_reservation_in_a_class_that_only_sets_the_flag_on_response_created() -> None:
    """No reservation is invented; and a deferral alone would leave the slot open until
    `response.created` (an RT003 finding the original lacks): the fix is display-only, so
    nothing is advertised that the fixer would hold back."""
    result = fix_source("a.py", ONLY_ON_CREATED.encode(), SETTINGS, unsafe=True)
    fixed = result.fixed.decode()
    assert result.applied == 0 and not result.notes, result.notes
    [finding] = result.remaining
    assert finding.fix is not None and finding.fix.safety is Safety.DISPLAY_ONLY
    assert _method(fixed, "send_text").count("self._response_active = True") == 0
    assert _method(fixed, "on_event").count("self._response_active = True") == 1
    assert [d.code for d in result.remaining] == ["RT001"]


RESERVING = """
async def on_audio_committed(self, item):
    if self._response_active:
        self._response_pending = True
        return
    self._response_active = True
    await self._send({"type": "response.create"})

async def _flush(self):
    if self._response_pending:
        self._response_pending = False
        self._response_active = True
        await self._send({"type": "response.create"})

async def send_text(self, text):
    await self._send({"type": "response.create"})
    self.log(text)

def log(self, text):
    print(text)
"""


def test_a_reservation_where_the_class_reserves_at_its_other_sends() -> None:
    fixed = _method(_fixed("a.py", _source(RESERVING)), "send_text")
    assert "self._response_active = True" in fixed


FLUSH_AND_SEND = """
async def _flush(self):
    if self._response_pending:
        self._response_pending = False
        self._response_active = True
        await self._send({"type": "response.create"})

async def send_text(self, text):
    await self._send({"type": "conversation.item.create", "item": {"text": text}})
    await self._send({"type": "response.create"})
"""
"""A flush and a sender; the two cases below add what wipes the deferral out."""
WIPED = FLUSH_AND_SEND + "    self._response_pending = False\n"


def test_no_deferral_that_a_later_write_on_the_same_path_wipes_out() -> None:
    source = _source(WIPED)
    fixes = _fixes("a.py", source)
    assert fixes and all(safety is Safety.DISPLAY_ONLY for safety, _ in fixes), fixes
    assert _fixed("a.py", source, unsafe=True) == source.decode()


FREE_PY = """
import json


async def send_text(ws, text):
    await ws.send(json.dumps({"type": "conversation.item.create", "item": {"text": text}}))
    await ws.send(json.dumps({"type": "response.create"}))
"""

FREE_TS = """
export function sendText(ws: WebSocket, text: string): void {
  ws.send(JSON.stringify({ type: "conversation.item.create", item: { text } }));
  ws.send(JSON.stringify({ type: "response.create" }));
}
"""

METHOD_TS = """
export class Adapter {
  constructor(private readonly ws: WebSocket) {}

  sendText(text: string): void {
    this.ws.send(JSON.stringify({ type: "response.create" }));
  }
}
"""


def _suggestion(path: str, source: str) -> str:
    result = check_source(path, source.encode(), SETTINGS)
    (diagnostic,) = result.diagnostics
    assert diagnostic.fix is not None and diagnostic.fix.safety is Safety.DISPLAY_ONLY
    return "".join(e.content for e in diagnostic.fix.edits)


def test_suggestions_use_the_functions_own_receiver_and_the_files_naming() -> None:
    free_py = _suggestion("a.py", FREE_PY)
    assert "self" not in free_py and "response_active" in free_py
    free_ts = _suggestion("a.ts", FREE_TS)
    assert "this" not in free_ts and "responseActive" in free_ts and "_response" not in free_ts
    method_ts = _suggestion("a.ts", METHOD_TS)
    assert "this.responseActive" in method_ts and "_response" not in method_ts


# --------------------------------------------------------------------------- annotated fixtures

FIXTURES = Path(__file__).parent / "fixtures"


def _fix_on(relative: str, line: int) -> Fix | None:
    """The fix offered for the finding on ``line`` of a detection fixture."""
    path = FIXTURES / relative
    result = check_source(str(path), path.read_bytes(), SETTINGS)
    (found,) = [d for d in result.diagnostics if d.span.line == line]
    return found.fix


def _applied(fix: Fix | None) -> bool:
    return fix is not None and fix.safety is not Safety.DISPLAY_ONLY


def test_a_greeting_that_is_compliant_only_on_session_created_is_not_a_route() -> None:
    fix = _fix_on("typescript/RT001/handler-registered-by-reference.ts", 24)
    assert fix is None or "this.greet()" not in "".join(e.content for e in fix.edits)


def test_a_deferral_flushed_only_on_playback_is_not_a_route() -> None:
    for line in (19, 25, 31):
        fix = _fix_on("python/RT001/trap_speaking_and_playback_flags.py", line)
        assert not _applied(fix), line


def test_no_wrap_where_the_code_has_just_seen_a_response_active() -> None:
    """``if active: send`` wrapped in ``if active: defer else send``: dead code, not a fix."""
    for line in (21, 27, 32):
        assert not _applied(_fix_on("typescript/RT001/trap-wrong-polarity.ts", line)), line
    assert not _applied(_fix_on("python/RT001/guard_negative_flag_else_defers.py", 42))


def test_no_deferral_inside_response_done_handling() -> None:
    """There the response has ended: a deferral would wait for a response.done that never comes."""
    fix = _fix_on("typescript/RT001/switch-fallthrough-into-done-unguarded.ts", 29)
    assert not _applied(fix)


def test_a_class_that_queues_its_requests_gets_no_second_deferral() -> None:
    assert not _applied(_fix_on("python/RT001/queue_pushes_are_deferral.py", 42))


def test_no_new_flush_before_a_send_the_done_handler_already_makes() -> None:
    assert not _applied(_fix_on("python/RT001/private_helper_without_callers.py", 15))


def test_no_flush_spliced_outside_a_brace_less_if() -> None:
    for line in (27, 31, 35):
        assert not _applied(_fix_on("typescript/RT001/string-event-api.ts", line)), line


NESTED_FLUSH = """
import json


class Adapter:
    def __init__(self, ws):
        self._ws = ws
        self._response_active = False
        self._owed = False
        self._results_awaiting_response = False

    async def _send(self, event):
        await self._ws.send(json.dumps(event))

    async def on_user_stopped(self):
        await self._send({"type": "input_audio_buffer.commit"})
        await self._send({"type": "response.create"})

    async def on_event(self, event):
        if event["type"] == "response.done":
            self._response_active = False
            if self._owed:
                self._owed = False
                if self._results_awaiting_response:
                    self._response_active = True
                    await self._send({"type": "response.create"})
"""


def test_no_deferral_into_a_flag_flushed_only_when_another_one_is_set_too() -> None:
    """``_results_awaiting_response`` alone sends nothing on response.done: the turn is lost."""
    assert not any(
        safety is not Safety.DISPLAY_ONLY for safety, _ in _fixes("a.py", NESTED_FLUSH.encode())
    )


RESERVING_CALLER = """
import json


class Adapter:
    def __init__(self, ws):
        self._ws = ws
        self._response_active = False
        self._response_pending = False

    async def _create_response(self):
        await self._ws.send(json.dumps({"type": "response.create"}))

    async def on_audio_committed(self):
        if self._response_active:
            self._response_pending = True
            return
        self._response_active = True
        await self._create_response()

    async def send_text(self, text):
        await self._create_response()

    async def on_event(self, event):
        if event["type"] == "response.done":
            self._response_active = False
            if self._response_pending:
                self._response_pending = False
                self._response_active = True
                await self._ws.send(json.dumps({"type": "response.create"}))
"""


def test_no_guard_in_a_helper_whose_callers_reserve_the_slot_first() -> None:
    """There ``if active: defer`` would always defer: the reserved slot would never be used."""
    fixes = _fixes("a.py", RESERVING_CALLER.encode())
    assert fixes and all(safety is Safety.DISPLAY_ONLY for safety, _ in fixes), fixes


ENTRY_WITH_ELSE_AND_LOGGING = """
async def _request_response(self):
    if not self._response_active:
        logger.debug("creating a response")
        self._response_active = True
        await self._send({"type": "response.create"})
    else:
        self._response_pending = True

async def _flush(self):
    if self._response_pending:
        self._response_pending = False
        await self._request_response()

async def greet(self):
    await self._send({"type": "response.create"})
"""


def test_a_request_entry_may_branch_either_way_and_log() -> None:
    route = "Route the request through `_request_response()`"
    assert _fixes("a.py", _source(ENTRY_WITH_ELSE_AND_LOGGING)) == [(Safety.SAFE, route)]


WIPED_BY_A_CALL = """
async def _flush(self):
    if self._response_pending:
        self._response_pending = False
        self._response_active = True
        await self._send({"type": "response.create"})

def _end_turn(self):
    self._response_pending = False

async def send_text(self, text):
    await self._send({"type": "conversation.item.create", "item": {"text": text}})
    await self._send({"type": "response.create"})
    self._end_turn()
"""


def test_no_deferral_that_a_method_called_later_on_the_same_path_wipes_out() -> None:
    fixes = _fixes("a.py", _source(WIPED_BY_A_CALL))
    assert fixes and all(safety is Safety.DISPLAY_ONLY for safety, _ in fixes), fixes


def test_no_deferral_into_a_conventionally_named_flag_flushed_only_with_another() -> None:
    """The same trap with the flag named as a deferred request: its name proves nothing."""
    source = NESTED_FLUSH.replace("_owed", "_response_pending").encode()
    assert not any(safety is not Safety.DISPLAY_ONLY for safety, _ in _fixes("a.py", source))


ENTRY_CALLING_ITS_OWN_LOG = """
async def log(self, text):
    await self._ws.close()
""" + PURE.replace(
    "    self._response_active = True\n",
    '    await self.log("creating a response")\n    self._response_active = True\n',
    1,
)


def test_a_method_of_the_class_named_like_a_logger_is_not_logging() -> None:
    """``self.log`` closes the socket here: routing a send through the entry is not safe."""
    route = "Route the request through `_request_response()`"
    assert (Safety.SAFE, route) not in _fixes("a.py", _source(ENTRY_CALLING_ITS_OWN_LOG))


CALLER_CLEARS_THE_DEFERRAL = (
    FLUSH_AND_SEND
    + """
async def on_user_text(self, text):
    await self.send_text(text)
    self._response_pending = False
"""
)


def test_no_deferral_that_a_caller_wipes_right_after() -> None:
    """``on_user_text`` clears the flag ``send_text``'s deferral would set: the turn is lost."""
    fixes = _fixes("a.py", _source(CALLER_CLEARS_THE_DEFERRAL))
    assert fixes and all(safety is not Safety.SAFE for safety, _ in fixes)
