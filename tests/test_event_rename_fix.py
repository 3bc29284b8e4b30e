"""RT005's fixes: a misspelled event renamed, a ``response.cancelled`` branch turned into
the ``response.done`` branch with a status check, and where neither is mechanical."""

from __future__ import annotations

import textwrap

from rtlint.diagnostics import Fix, Safety
from rtlint.engine import Settings, check_source
from rtlint.fixer import apply_edits
from rtlint.registry import by_selector

SETTINGS = Settings(rules=tuple(by_selector("RT005")))

PY = """
import json


class Adapter:
    async def request_response(self):
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def _receive(self, event):
        kind = event["type"]
        if kind == "response.output_audio.delta":
            self.play(event)
        elif kind == "response.cancelled":
            self.flush()
"""


def _fixes(source: str, path: str = "a.py") -> list[Fix | None]:
    result = check_source(path, textwrap.dedent(source).encode(), SETTINGS)
    return [d.fix for d in result.diagnostics if d.code == "RT005"]


def _applied(source: str, fix: Fix) -> str:
    return apply_edits(textwrap.dedent(source).encode(), list(fix.edits), "utf-8").decode()


def test_a_cancelled_branch_reads_the_status_through_the_local_holding_the_type() -> None:
    [fix] = _fixes(PY)
    assert fix is not None and fix.safety is Safety.SAFE
    assert (
        'elif kind == "response.done" and event["response"]["status"] == "cancelled":'
        in _applied(PY, fix)
    )


def test_a_cancelled_branch_beside_a_done_branch_is_a_suggestion_to_merge() -> None:
    source = PY.replace(
        '        elif kind == "response.cancelled":',
        '        elif kind == "response.done":\n            self.done()\n'
        '        elif kind == "response.cancelled":',
    )
    [fix] = _fixes(source)
    assert fix is not None and fix.safety is Safety.DISPLAY_ONLY
    merged = _applied(source, fix)
    assert "response.cancelled" not in merged
    assert (
        '        elif kind == "response.done":\n            self.done()\n'
        '            if event["response"]["status"] == "cancelled":\n'
        "                self.flush()\n"
    ) in merged
    one_line = source.replace(
        'elif kind == "response.done":\n            self.done()',
        'elif kind == "response.done": self.done()',
    )
    assert _fixes(one_line) == [None]


def test_a_cancelled_name_among_others_is_parenthesised_as_one_test() -> None:
    source = PY.replace('kind == "response.cancelled"', 'kind == "response.cancelled" or self.x')
    [fix] = _fixes(source)
    assert fix is not None
    assert '(kind == "response.done" and event["response"]["status"] == "cancelled") or' in (
        _applied(source, fix)
    )


def test_a_misspelling_is_renamed_safely_unless_the_real_name_is_handled_too() -> None:
    misspelled = PY.replace('"response.cancelled"', "'response.output_audio_transcript_delta'")
    [fix] = _fixes(misspelled)
    assert fix is not None and fix.safety is Safety.SAFE
    assert "'response.output_audio_transcript.delta'" in _applied(misspelled, fix)
    both = misspelled.replace(
        '"response.output_audio.delta"', '"response.output_audio_transcript.delta"'
    )
    [fix] = _fixes(both)
    assert fix is not None and fix.safety is Safety.DISPLAY_ONLY


def test_a_misspelled_client_event_is_renamed_unsafely() -> None:
    extra = '        await self.ws.send(json.dumps({"type": "conversation.item_create"}'
    source = PY.replace('{"type": "response.create"}', '{"type": "response.create"}))\n' + extra)
    fixes = [f for f in _fixes(source) if f is not None and "conversation.item" in f.title]
    assert [f.safety for f in fixes] == [Safety.UNSAFE]


def test_a_typescript_switch_case_is_not_rewritten_but_an_if_chain_is_unsafely() -> None:
    switch = """
    class A {
      request(): void { this.ws.send(JSON.stringify({ type: "response.create" })); }
      receive(event: { type: string }): void {
        switch (event.type) {
          case "response.cancelled":
            this.flush();
            break;
        }
      }
    }
    """
    assert _fixes(switch, "a.ts") == [None]
    chain = switch.replace(
        'switch (event.type) {\n          case "response.cancelled":\n            this.flush();\n'
        "            break;\n        }",
        'if (event.type === "response.cancelled") this.flush();',
    )
    [fix] = _fixes(chain, "a.ts")
    assert fix is not None and fix.safety is Safety.UNSAFE
    assert 'event.type === "response.done" && event.response?.status === "cancelled"' in (
        _applied(chain, fix)
    )


def test_a_misspelled_listener_and_switch_case_are_renamed_safely() -> None:
    source = """
    class A {
      start(): void {
        this.ws.on("response.output_audio_transcript_delta", (e) => this.caption(e));
      }
      request(): void { this.ws.send(JSON.stringify({ type: "response.create" })); }
      receive(event: { type: string }): void {
        switch (event.type) {
          case "response.output_text_delta":
            this.print(event);
            break;
        }
      }
    }
    """
    fixes = _fixes(source, "a.ts")
    assert [f.safety if f else None for f in fixes] == [Safety.SAFE, Safety.SAFE]
    fixed = source
    for fix in fixes:
        assert fix is not None
        fixed = _applied(fixed, fix)
    assert '"response.output_audio_transcript.delta"' in fixed
    assert 'case "response.output_text.delta":' in fixed


MATCH = """
import json


class Adapter:
    async def request_response(self):
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def _receive(self, event):
        match event["type"]:
            case "response.output_audio.delta":
                self.play(event)
            case "response.cancelled":
                self.flush()
"""


def test_a_cancelled_case_of_a_match_gets_the_status_as_its_guard() -> None:
    [fix] = _fixes(MATCH)
    assert fix is not None and fix.safety is Safety.SAFE
    fixed = _applied(MATCH, fix)
    assert 'case "response.done" if event["response"]["status"] == "cancelled":' in fixed
    compile(fixed, "a.py", "exec")
    assert not _fixes(fixed)  # nothing left to say


def test_a_cancelled_name_in_an_or_pattern_has_no_fix() -> None:
    shared = MATCH.replace('case "response.cancelled":', 'case "response.cancelled" | "x":')
    assert _fixes(shared) == [None]  # the other name shares the case: no guard fits both
