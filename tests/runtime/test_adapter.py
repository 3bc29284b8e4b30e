"""The reference adapter against the emulator: concurrency, VAD races, cancels, drops.

Across every scenario: every requested turn is answered and ``rtlint trace`` finds
no violation in the adapter's wire log; without server VAD there is no protocol
error at all; with server VAD every race error is recovered.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from rtlint.runtime import (
    Emulator,
    EmulatorConfig,
    RealtimeAdapter,
    ResponseState,
    TurnDetection,
    WireLogWriter,
    audio,
)
from rtlint.runtime.events import ACTIVE_RESPONSE, Event
from rtlint.runtime.wirelog import read_wire_log
from tests.runtime.scenario import STEP, error_codes, received, run, sent, settle, trace


def assert_clean(path: Path, *, errors: bool = False) -> None:
    """No violation, no unanswered turn, no unrecovered race; no error unless ``errors``."""
    findings = trace(path)
    assert [f for f in findings if f.fails] == [], findings
    if not errors:
        assert findings == []
        assert error_codes(read_wire_log(path)) == []


def state(adapter: RealtimeAdapter) -> ResponseState:
    """The adapter's state, read afresh (it changes across awaits)."""
    return adapter.state


async def next_event(adapter: RealtimeAdapter, kind: str) -> Event:
    """Consume the adapter's events up to the first of type ``kind``."""

    async def find() -> Event:
        async for event in adapter.events():
            if event["type"] == kind:
                return event
        raise AssertionError(f"connection ended before {kind}")

    return await asyncio.wait_for(find(), STEP)


def test_concurrent_text_and_audio_turns_while_responses_stream(tmp_path: Path) -> None:
    log_path, emu_path = tmp_path / "adapter.jsonl", tmp_path / "emu.jsonl"

    async def speak(adapter: RealtimeAdapter, ms: int) -> None:
        await adapter.append_audio(audio.tone(ms))
        await adapter.commit_audio()

    async def scenario() -> None:
        config = EmulatorConfig(deltas=4, delta_interval=0.005)
        async with Emulator(config, wire_log=emu_path) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    for round_ in range(4):
                        turns = [adapter.send_text(f"text {round_}.{i}") for i in range(8)]
                        turns += [speak(adapter, 60 + 20 * i) for i in range(4)]
                        await asyncio.gather(*turns)
                        await asyncio.sleep(0.01 * round_)  # land in different phases of a response
                    await settle(adapter)
                    assert state(adapter) is ResponseState.IDLE

    run(scenario())
    assert_clean(log_path)
    assert_clean(emu_path)  # no server-started responses: the server's view agrees
    records = read_wire_log(log_path)
    creates = sent(records, "response.create")
    assert 1 < len(creates) < 4 * 12, "requests made during a response are coalesced"
    assert len(received(records, "response.done")) == len(creates)


def test_requests_during_a_response_become_one_response(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=20, delta_interval=0.01)) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    await adapter.send_text("first")
                    await next_event(adapter, "response.created")
                    await asyncio.gather(*(adapter.send_text(f"meanwhile {i}") for i in range(5)))
                    await adapter.request_response()
                    await settle(adapter)

    run(scenario())
    assert_clean(log_path)  # no TR003: the second response covers all five items
    kinds = [r.event["type"] for r in read_wire_log(log_path)]
    assert kinds.count("response.create") == 2
    assert kinds.index("response.create", kinds.index("response.done")) > kinds.index(
        "response.done"
    )


def test_server_vad_races_are_recovered(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        vad = TurnDetection(silence_duration_ms=60)
        config = EmulatorConfig(deltas=3, delta_interval=0.01, latency=0.03, turn_detection=vad)
        async with Emulator(config) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    assert not await adapter.commit_audio(), "the server commits with VAD on"
                    for round_ in range(3):
                        # The user stops speaking (the server starts a response) while
                        # text typed meanwhile asks for one: the server's news is in flight.
                        await adapter.append_audio(audio.tone(100))
                        await adapter.append_audio(audio.silence(100))
                        await asyncio.gather(
                            *(adapter.send_text(f"typed {round_}.{i}") for i in range(3))
                        )
                        await asyncio.sleep(0.04)
                    await settle(adapter)

    run(scenario())
    records = read_wire_log(log_path)
    codes = error_codes(records)
    assert codes and set(codes) == {ACTIVE_RESPONSE}, "the scenario must produce real races"
    races = [f for f in trace(log_path) if f.category == "race"]
    assert len(races) == len(codes) and all(f.recovered for f in races)
    assert_clean(log_path, errors=True)
    # Each rejected create is re-sent after the response that blocked it is done.
    for rejection in received(records, "error"):
        index = next(i for i, r in enumerate(records) if r.event is rejection)
        later = [r.event["type"] for r in records[index:]]
        assert "response.create" in later[later.index("response.done") :]


def test_cancel_mid_response_then_a_new_request(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=30, delta_interval=0.01)) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    assert not await adapter.cancel_response(), "nothing active yet"
                    await adapter.send_text("tell me a long story")
                    assert state(adapter) is ResponseState.REQUESTED  # reserved on send
                    assert not await adapter.cancel_response(), "not active until response.created"
                    await next_event(adapter, "response.output_audio.delta")
                    assert state(adapter) is ResponseState.ACTIVE
                    assert await adapter.cancel_response()
                    await adapter.send_text("something shorter")  # deferred until response.done
                    done = await next_event(adapter, "response.done")
                    assert done["response"]["status"] == "cancelled"
                    await settle(adapter)

    run(scenario())
    assert_clean(log_path)
    records = read_wire_log(log_path)
    statuses = [e["response"]["status"] for e in received(records, "response.done")]
    assert statuses == ["cancelled", "completed"]
    kinds = [r.event["type"] for r in records]
    cancelled_done = kinds.index("response.done")
    assert kinds.count("response.create") == 2
    assert kinds.index("response.create", kinds.index("response.create") + 1) > cancelled_done


def test_response_done_clears_the_slot_whatever_the_status(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=5, delta_interval=0.005)) as url:
            with WireLogWriter(log_path) as log:
                short = {"max_output_tokens": 2}
                async with RealtimeAdapter(url, response=short, wire_log=log) as adapter:
                    await adapter.send_text("one")
                    await adapter.send_text("two")
                    await settle(adapter)

    run(scenario())
    assert_clean(log_path)
    statuses = [e["response"]["status"] for e in received(read_wire_log(log_path), "response.done")]
    assert statuses == ["incomplete", "incomplete"]


def test_connection_dropped_mid_response_then_reconnect(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        config = EmulatorConfig(deltas=6, delta_interval=0.01, drop_mid_response=True, drops=1)
        async with Emulator(config) as url:
            with WireLogWriter(log_path) as log:
                adapter = RealtimeAdapter(url, wire_log=log)
                await adapter.connect()
                await adapter.send_text("first")
                await next_event(adapter, "response.created")
                await adapter.send_text("while streaming")  # pending: lost with the connection
                assert not adapter.idle
                names = [e["type"] async for e in adapter.events()]  # ends with the connection
                assert "response.done" not in names
                assert not adapter.connected
                assert state(adapter) is ResponseState.IDLE and adapter.idle
                with pytest.raises(ConnectionError):
                    await adapter.request_response()
                await adapter.connect()
                await adapter.send_text("again")
                await settle(adapter)
                await adapter.close()
                assert state(adapter) is ResponseState.CLOSING

    run(scenario())
    assert_clean(log_path)
    records = read_wire_log(log_path)
    assert len(received(records, "session.created")) == 2


def test_out_of_band_responses_do_not_touch_the_slot(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"
    response = {"conversation": "none", "output_modalities": ["text"], "max_output_tokens": 1}
    oob: Event = {"type": "response.create", "response": response}

    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=40, delta_interval=0.01)) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    await adapter.send_event(oob)
                    await next_event(adapter, "response.done")
                    assert state(adapter) is ResponseState.IDLE
                    await adapter.send_text("hello")
                    await next_event(adapter, "response.created")
                    assert state(adapter) is ResponseState.ACTIVE
                    await adapter.send_event(oob)  # runs alongside ours, ends long before it
                    await next_event(adapter, "response.created")
                    assert state(adapter) is ResponseState.ACTIVE
                    done = await next_event(adapter, "response.done")
                    assert done["response"]["conversation_id"] is None
                    assert state(adapter) is ResponseState.ACTIVE
                    await adapter.send_text("deferred")  # ours is still active
                    await settle(adapter)

    run(scenario())
    assert_clean(log_path)
    records = read_wire_log(log_path)
    assert (
        len([e for e in sent(records, "response.create") if "conversation" not in e["response"]])
        == 2
    )


def test_send_event_refuses_to_bypass_the_slot() -> None:
    async def scenario() -> None:
        async with (
            Emulator(EmulatorConfig(deltas=1, delta_interval=0.0)) as url,
            RealtimeAdapter(url) as adapter,
        ):
            with pytest.raises(ValueError, match="request_response"):
                await adapter.send_event({"type": "response.create"})
            with pytest.raises(ValueError, match="cancel_response"):
                await adapter.send_event({"type": "response.cancel"})
            assert state(adapter) is ResponseState.IDLE

    run(scenario())


def test_short_audio_is_not_committed(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=1, delta_interval=0.0)) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    await adapter.append_audio(audio.tone(50))
                    assert not await adapter.commit_audio()
                    await adapter.append_audio(audio.tone(50))
                    assert await adapter.commit_audio()
                    assert not await adapter.commit_audio()
                    await settle(adapter)

    run(scenario())
    assert_clean(log_path)
    assert len(sent(read_wire_log(log_path), "input_audio_buffer.commit")) == 1


def test_session_config_is_applied_before_connect_returns() -> None:
    async def scenario() -> None:
        vad = TurnDetection()
        session = {"type": "realtime", "audio": {"input": {"turn_detection": vad.as_json()}}}
        async with Emulator() as url, RealtimeAdapter(url, session=session) as adapter:
            await adapter.append_audio(audio.tone(200))
            assert not await adapter.commit_audio(), "server VAD is on"

    run(scenario())


def test_beta_dialect_server(tmp_path: Path) -> None:
    log_path = tmp_path / "adapter.jsonl"

    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=2, delta_interval=0.005, dialect="beta")) as url:
            with WireLogWriter(log_path) as log:
                async with RealtimeAdapter(url, wire_log=log) as adapter:
                    await asyncio.gather(*(adapter.send_text(f"hi {i}") for i in range(5)))
                    await settle(adapter)

    run(scenario())
    assert_clean(log_path)
    assert received(read_wire_log(log_path), "conversation.item.added")  # spelled .created
