"""The emulator spoken to by a bare client: lifecycle, errors, VAD, dialects, faults."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from rtlint.runtime import Emulator, EmulatorConfig, TurnDetection, WireLogWriter, audio
from rtlint.runtime.events import ACTIVE_RESPONSE, CANCEL_NOT_ACTIVE, COMMIT_EMPTY, error_code
from rtlint.runtime.wirelog import read_wire_log
from tests.runtime.scenario import STEP, RawClient, run, trace, types

FAST = EmulatorConfig(deltas=3, delta_interval=0.005)


def user_text(text: str) -> dict[str, object]:
    content = [{"type": "input_text", "text": text}]
    return {
        "type": "conversation.item.create",
        "item": {"type": "message", "role": "user", "content": content},
    }


def test_only_loopback_addresses_are_served() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="0.0.0.0")
    with pytest.raises(ValueError, match="loopback"):
        Emulator(host="example.com")


def test_session_lifecycle_items_and_a_completed_response(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with Emulator(FAST, wire_log=tmp_path / "emu.jsonl") as url, RawClient(url) as client:
            assert url.startswith("ws://127.0.0.1:")
            [hello] = await client.until("session.created")
            assert hello["session"]["audio"]["input"]["turn_detection"] is None
            await client.send(
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "output_modalities": ["text"]},
                }
            )
            [updated] = await client.until("session.updated")
            assert updated["session"]["output_modalities"] == ["text"]
            await client.send(user_text("hello"))
            assert types(await client.until("conversation.item.done")) == [
                "conversation.item.added",
                "conversation.item.done",
            ]
            await client.send({"type": "response.create", "response": {"metadata": {"k": "v"}}})
            events = await client.until("response.done")
            assert events[0]["type"] == "response.created"
            assert events[0]["response"]["metadata"] == {"k": "v"}
            assert types(events).count("response.output_text.delta") == FAST.deltas
            assert events[-1]["response"]["status"] == "completed"
            assert (
                events[-1]["response"]["conversation_id"]
                == events[0]["response"]["conversation_id"]
            )

    run(scenario())
    records = read_wire_log(tmp_path / "emu.jsonl")
    assert records[0].dir == "received" and records[0].event["type"] == "session.created"
    assert [r.event["type"] for r in records if r.dir == "sent"] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]
    assert trace(tmp_path / "emu.jsonl") == []


def test_create_while_active_is_rejected_and_the_active_response_carries_on() -> None:
    async def scenario() -> None:
        config = EmulatorConfig(deltas=4, delta_interval=0.01)
        async with Emulator(config) as url, RawClient(url) as client:
            await client.until("session.created")
            await client.send({"type": "response.create"})
            [first] = await client.until("response.created")
            await client.send({"type": "response.create", "event_id": "second"})
            events = await client.until("response.done")
            [rejection] = [e for e in events if e["type"] == "error"]
            assert error_code(rejection) == ACTIVE_RESPONSE
            assert rejection["error"]["event_id"] == "second"
            active = first["response"]["id"]
            assert rejection["error"]["message"].startswith(
                f"Conversation already has an active response in progress: {active}."
            )
            assert "response.created" not in types(events)
            assert events[-1]["response"]["id"] == first["response"]["id"]
            assert events[-1]["response"]["status"] == "completed"
            assert types(events).count("response.output_audio.delta") == config.deltas

    run(scenario())


def test_out_of_band_responses_run_alongside() -> None:
    async def scenario() -> None:
        async with (
            Emulator(EmulatorConfig(deltas=3, delta_interval=0.01)) as url,
            RawClient(url) as client,
        ):
            await client.until("session.created")
            await client.send({"type": "response.create"})
            await client.until("response.created")
            await client.send({"type": "response.create", "response": {"conversation": "none"}})
            events = await client.until("response.done", count=2)
            assert "error" not in types(events)
            [oob] = [e["response"] for e in events if e["type"] == "response.created"]
            assert oob["conversation_id"] is None

    run(scenario())


def test_cancel_ends_with_response_done_cancelled_and_nothing_to_cancel_is_an_error() -> None:
    async def scenario() -> None:
        async with (
            Emulator(EmulatorConfig(deltas=50, delta_interval=0.01)) as url,
            RawClient(url) as client,
        ):
            await client.until("session.created")
            await client.send({"type": "response.cancel", "event_id": "early"})
            [error] = await client.until("error")
            assert (error_code(error), error["error"]["event_id"]) == (CANCEL_NOT_ACTIVE, "early")
            assert error["error"]["message"] == "Cancellation failed: no active response found"
            await client.send({"type": "response.create"})
            await client.until("response.output_audio.delta")
            await client.send({"type": "response.cancel"})
            events = await client.until("response.done")
            assert "response.cancelled" not in types(events)
            assert events[-1]["response"]["status"] == "cancelled"
            assert events[-1]["response"]["status_details"] == {
                "type": "cancelled",
                "reason": "client_cancelled",
            }
            assert types(events).count("response.output_audio.delta") < 10

    run(scenario())


def test_audio_buffer_commit_needs_100_ms() -> None:
    async def scenario() -> None:
        async with Emulator(FAST) as url, RawClient(url) as client:
            await client.until("session.created")
            await client.send(
                {"type": "input_audio_buffer.append", "audio": audio.encode(audio.tone(60))}
            )
            await client.send({"type": "input_audio_buffer.commit"})
            [error] = await client.until("error")
            assert error_code(error) == COMMIT_EMPTY
            assert "buffer only has 60.00ms of audio" in error["error"]["message"]
            await client.send(
                {"type": "input_audio_buffer.append", "audio": audio.encode(audio.tone(60))}
            )
            await client.send({"type": "input_audio_buffer.commit"})
            events = await client.until("conversation.item.done")
            assert types(events) == [
                "input_audio_buffer.committed",
                "conversation.item.added",
                "conversation.item.done",
            ]
            assert events[1]["item"]["role"] == "user"
            await client.send(
                {"type": "input_audio_buffer.append", "audio": audio.encode(audio.tone(200))}
            )
            await client.send({"type": "input_audio_buffer.clear"})
            await client.until("input_audio_buffer.cleared")
            await client.send({"type": "input_audio_buffer.commit"})
            assert error_code((await client.until("error"))[0]) == COMMIT_EMPTY

    run(scenario())


def test_server_vad_commits_responds_and_cancels_on_speech_start() -> None:
    async def scenario() -> None:
        vad = TurnDetection(silence_duration_ms=60)
        async with (
            Emulator(EmulatorConfig(deltas=40, delta_interval=0.01, turn_detection=vad)) as url,
            RawClient(url) as client,
        ):
            await client.until("session.created")
            await client.send(
                {"type": "input_audio_buffer.append", "audio": audio.encode(audio.tone(100))}
            )
            await client.send(
                {"type": "input_audio_buffer.append", "audio": audio.encode(audio.silence(100))}
            )
            events = await client.until("response.created")
            assert types(events)[:3] == [
                "input_audio_buffer.speech_started",
                "input_audio_buffer.speech_stopped",
                "input_audio_buffer.committed",
            ]
            assert events[-1]["response"]["metadata"] is None
            await client.send(
                {"type": "input_audio_buffer.append", "audio": audio.encode(audio.tone(50))}
            )
            events = await client.until("response.done")
            assert events[-1]["response"]["status_details"] == {
                "type": "cancelled",
                "reason": "turn_detected",
            }

    run(scenario())


def test_session_update_turns_server_vad_on_and_off() -> None:
    async def scenario() -> None:
        async with Emulator(FAST) as url, RawClient(url) as client:
            await client.until("session.created")
            turn = {"type": "server_vad", "silence_duration_ms": 50, "create_response": False}
            await client.send(
                {
                    "type": "session.update",
                    "session": {"type": "realtime", "audio": {"input": {"turn_detection": turn}}},
                }
            )
            [updated] = await client.until("session.updated")
            assert (
                updated["session"]["audio"]["input"]["turn_detection"]["create_response"] is False
            )
            await client.send(
                {
                    "type": "input_audio_buffer.append",
                    "audio": audio.encode(audio.tone(100) + audio.silence(100)),
                }
            )
            events = await client.until("conversation.item.done")
            assert "input_audio_buffer.committed" in types(events)
            await client.send(
                {"type": "session.update", "session": {"turn_detection": None}}
            )  # beta spelling
            [updated] = await client.until("session.updated")
            assert updated["session"]["audio"]["input"]["turn_detection"] is None

    run(scenario())


def test_beta_dialect_renames_server_events() -> None:
    async def scenario() -> None:
        async with (
            Emulator(EmulatorConfig(deltas=2, delta_interval=0.0, dialect="beta")) as url,
            RawClient(url) as client,
        ):
            [hello] = await client.until("session.created")
            assert hello["session"]["turn_detection"] is None
            await client.send(user_text("hi"))
            await client.send(
                {"type": "response.create", "response": {"modalities": ["audio", "text"]}}
            )
            names = types(await client.until("response.done"))
            assert "conversation.item.created" in names and "response.audio.delta" in names
            assert "response.audio_transcript.delta" in names
            assert not {
                "conversation.item.added",
                "conversation.item.done",
                "response.output_audio.delta",
            } & set(names)
            await client.send({"type": "transcription_session.update", "session": {}})
            await client.until("transcription_session.updated")

    run(scenario())


def test_bad_client_messages_get_errors() -> None:
    async def scenario() -> None:
        async with Emulator(FAST) as url, RawClient(url) as client:
            await client.until("session.created")
            await client.ws.send("{not json")
            assert error_code((await client.until("error"))[0]) == "invalid_json"
            await client.send({"type": "no.such.event", "event_id": "x"})
            [error] = await client.until("error")
            assert (error_code(error), error["error"]["event_id"]) == ("unknown_event", "x")
            await client.send({"type": "input_audio_buffer.append", "audio": "***"})
            assert error_code((await client.until("error"))[0]) == "invalid_value"

    run(scenario())


def test_latency_delays_every_server_event() -> None:
    async def scenario() -> None:
        async with Emulator(EmulatorConfig(deltas=0, latency=0.2)) as url, RawClient(url) as client:
            await client.until("session.created")
            start = time.monotonic()
            await client.send({"type": "response.create"})
            await client.until("response.created")
            assert time.monotonic() - start >= 0.19

    run(scenario())


def test_drop_after_events_aborts_only_as_many_connections_as_allowed() -> None:
    async def scenario() -> None:
        config = EmulatorConfig(deltas=3, delta_interval=0.0, drop_after_events=3, drops=1)
        async with Emulator(config) as url:
            async with RawClient(url) as client:
                await client.until("session.created")
                await client.send({"type": "response.create"})
                with pytest.raises(ConnectionClosed):
                    await client.until("response.done")
            async with RawClient(url) as client:  # the drop budget is spent
                await client.until("session.created")
                await client.send({"type": "response.create"})
                await client.until("response.done")

    run(scenario())


def test_drop_mid_response() -> None:
    async def scenario() -> None:
        async with (
            Emulator(EmulatorConfig(deltas=6, delta_interval=0.005, drop_mid_response=True)) as url,
            RawClient(url) as client,
        ):
            await client.until("session.created")
            await client.send({"type": "response.create"})
            seen: list[str] = []
            with pytest.raises(ConnectionClosed):
                while True:
                    seen.append((await client.recv())["type"])
            assert "response.output_audio.delta" in seen and "response.done" not in seen

    run(scenario())


def test_a_naive_client_gets_the_real_error_and_fails_the_trace(tmp_path: Path) -> None:
    """Sends ``response.create`` after every message, whatever is going on."""

    async def scenario() -> None:
        with WireLogWriter(tmp_path / "naive.jsonl") as log:
            async with (
                Emulator(
                    EmulatorConfig(deltas=5, delta_interval=0.01), wire_log=tmp_path / "emu.jsonl"
                ) as url,
                RawClient(url, log) as client,
            ):
                await client.until("session.created")
                await client.send(user_text("first"))
                await client.send({"type": "response.create"})
                await client.until("response.created")
                await client.send(user_text("second"))
                await client.send({"type": "response.create"})
                events = await client.until("response.done")
                assert [error_code(e) for e in events if e["type"] == "error"] == [ACTIVE_RESPONSE]
                await asyncio.sleep(0.05)  # nothing else comes: "second" is never answered

    run(scenario())
    for name in ("naive.jsonl", "emu.jsonl"):
        findings = trace(tmp_path / name)
        assert [f.code for f in findings] == ["TR001", "TR003"], name
        assert all(f.fails for f in findings)


def test_stopping_the_emulator_closes_its_connections() -> None:
    async def scenario() -> None:
        emulator = Emulator(FAST)
        url = await emulator.__aenter__()
        async with RawClient(url) as client:
            await client.until("session.created")
            await emulator.aclose()
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(client.ws.recv(), STEP)
        with pytest.raises(RuntimeError):
            _ = emulator.url

    run(scenario())


def test_concurrent_connections_are_told_apart_in_the_wire_log(tmp_path: Path) -> None:
    """Two correct clients at once: each waits for its own response.done, so no TR001."""

    async def client(url: str, text: str) -> None:
        async with RawClient(url) as c:
            await c.until("session.created")
            for _ in range(2):
                await c.send(user_text(text))
                await c.until("conversation.item.done")
                await c.send({"type": "response.create"})
                await c.until("response.done")

    async def scenario() -> None:
        async with Emulator(FAST, wire_log=tmp_path / "emu.jsonl") as url:
            await asyncio.gather(client(url, "one"), client(url, "two"))

    run(scenario())
    records = read_wire_log(tmp_path / "emu.jsonl")
    connections = {r.conn for r in records}
    assert len(connections) == 2 and None not in connections
    for conn in connections:
        mine = [r.event["type"] for r in records if r.conn == conn]
        assert mine[0] == "session.created" and mine.count("response.done") == 2
    assert trace(tmp_path / "emu.jsonl") == []
