"""Differential fix testing: run a generated adapter and its fixed version against the emulator.

A generated :func:`adapter` class (Python) has one of the deferral mechanisms the fixer
builds on (a request entry; active and pending flags flushed on ``response.done``, inline
or by a ``_flush()`` method that sends only when a request is pending; an active flag
alone), a greeting on ``session.created``, and two request sites (a user text turn
and a tool result), each guarded or not. Every ``response.create`` carries an
``event_id`` naming its site, so a rejection names the site that caused it.

:func:`drive` runs one class on one random schedule of user turns, tool results,
server-VAD turns and barge-ins against the real emulator on loopback, and returns
what happened on the wire. :func:`compare` runs the original and the fixed class on
the same schedule and checks the fixed one: no rejection, every requested turn
answered, and every event other than ``response.create`` sent as the original sent it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from rtlint.engine import Settings, check_source
from rtlint.fixer import fix_source
from rtlint.registry import all_rules
from rtlint.runtime import Emulator, EmulatorConfig, TurnDetection, audio
from rtlint.runtime.events import ACTIVE_RESPONSE, Event, error_code

SETTINGS = Settings(rules=all_rules())
MECHANISMS = ("helper", "flags", "flush-method")
HELD_BACK = "active-only"
"""A class with only an active flag: the deferral the fix would add is a new field that the
class does not reset when a session starts (an RT007 finding), so the fixer holds it back."""
LATE = "late"
"""Active and pending flags flushed on ``response.done``, the guards in place, but the active
flag set only when ``response.created`` arrives (RT003): no send reserves the slot."""
STEP = 5.0
"""Upper bound, in seconds, of any single wait."""

# --------------------------------------------------------------------------- generated classes

_HEAD = """import json


class Adapter:
    def __init__(self, ws):
        self.ws = ws
        self.turns = 0
        self._response_active = False
{pending_init}
    async def _send(self, event):
        await self.ws.send(json.dumps(event))
"""

_HELPER = """
    async def _request_response(self):
        if self._response_active:
            self._response_pending = True
            return
        self._response_active = True
        await self._send({"type": "response.create", "event_id": "flush"})
"""

_FLUSH_METHOD = """
    async def _flush(self):
        if self._response_pending and not self._response_active:
            self._response_pending = False
            self._response_active = True
            await self._send({"type": "response.create", "event_id": "flush"})
"""

_PRIVATE_HELPER = """
    async def _create_response(self):
        await self._send({"type": "response.create", "event_id": "helper"})
"""

_GUARD = """        if self._response_active:
            self._response_pending = True
            return
        self._response_active = True
"""

_SITE = """
    async def {name}(self, {params}):
        await self._send({item})
{guard}        await self._send({{"type": "response.create", "event_id": "{site}"}}){after}
"""

_ITEMS = {
    "text": ("send_text", "text", '{"type": "conversation.item.create", "item": {"type": '
             '"message", "role": "user", "content": [{"type": "input_text", "text": text}]}}'),
    "tool": ("send_tool_result", "call_id, output", '{"type": "conversation.item.create", "item": '
             '{"type": "function_call_output", "call_id": call_id, "output": output}}'),
}  # fmt: skip

_ON_EVENT = """
    async def on_event(self, event):
        kind = event["type"]
        if kind == "session.created":  # a fresh session: nothing active, nothing pending
            self._response_pending = False
            self._response_active = False
            self._response_active = True
            await self._send({{"type": "response.create", "event_id": "greeting"}})
        elif kind == "response.created":
            self._response_active = True
        elif kind == "response.done":
            self._response_active = False
{flush}"""

_FLUSHES = {
    "helper": """            if self._response_pending:
                self._response_pending = False
                await self._request_response()
""",
    "flags": """            if self._response_pending:
                self._response_pending = False
                self._response_active = True
                await self._send({"type": "response.create", "event_id": "flush"})
""",
    "flush-method": """            await self._flush()
""",
    "active-only": "",
}


@dataclass(frozen=True)
class Shape:
    """The choices a generated adapter class is made of."""

    mechanism: str
    guarded: tuple[bool, bool]
    """Whether the text and the tool site check the state themselves."""
    trailing: tuple[bool, bool]
    """Whether code follows the send (the fix wraps instead of returning early)."""
    via_helper: bool = False
    """Unguarded sites call a private helper that sends (the fix goes into the helper)."""

    @classmethod
    def draw(cls, rng: random.Random) -> Shape:
        mechanism = rng.choice(MECHANISMS)
        text, tool = (rng.random() < 0.3 and mechanism != "active-only" for _ in range(2))
        trailing = (rng.random() < 0.5, rng.random() < 0.5)
        return cls(mechanism, (text, tool), trailing, rng.random() < 0.3)

    def send(self, site: str, guarded: bool) -> str:
        """The ``event_id`` a site's create carries (the helper's, when it calls the helper)."""
        return "helper" if self.via_helper and not guarded else site


def _unreserved(source: str) -> str:
    """``source`` without the reservations right before its sends (the ``late`` mechanism)."""
    lines = source.split("\n")
    reservations = ("self._response_active = True", "this.responseActive = true;")
    return "\n".join(
        line for i, line in enumerate(lines)
        if not (line.strip() in reservations and '"response.create"' in lines[i + 1])
    )  # fmt: skip


def adapter(shape: Shape) -> str:
    """The source of the adapter class ``shape`` describes."""
    if shape.mechanism == LATE:
        return _unreserved(adapter(dataclasses.replace(shape, mechanism="flags")))
    pending = shape.mechanism != "active-only"
    parts = [
        _HEAD.format(pending_init="        self._response_pending = False\n" if pending else "")
    ]
    if shape.mechanism == "helper":
        parts.append(_HELPER)
    elif shape.mechanism == "flush-method":
        parts.append(_FLUSH_METHOD)
    if shape.via_helper:
        parts.append(_PRIVATE_HELPER)
    for (site, (name, params, item)), guarded, trailing in zip(
        _ITEMS.items(), shape.guarded, shape.trailing, strict=True
    ):
        text = _SITE.format(
            name=name,
            params=params,
            item=item,
            site=site,
            guard=_GUARD if guarded else "",
            after="\n        self.turns += 1" if trailing else "",
        )
        if shape.send(site, guarded) == "helper":
            text = text.replace(
                f'await self._send({{"type": "response.create", "event_id": "{site}"}})',
                "await self._create_response()",
            )
        parts.append(text)
    parts.append(_ON_EVENT.format(flush=_FLUSHES[shape.mechanism]))
    return "".join(parts)


_TS_HEAD = """export class Adapter {
  ws;
  turns = 0;
  responseActive = false;
@PENDING@
  constructor(ws) {
    this.ws = ws;
  }

  send(event) {
    this.ws.send(JSON.stringify(event));
  }
"""

_TS_HELPER = """
  requestResponse() {
    if (this.responseActive) {
      this.responsePending = true;
      return;
    }
    this.responseActive = true;
    this.send({ type: "response.create", event_id: "flush" });
  }
"""

_TS_FLUSH_METHOD = """
  flush() {
    if (this.responsePending && !this.responseActive) {
      this.responsePending = false;
      this.responseActive = true;
      this.send({ type: "response.create", event_id: "flush" });
    }
  }
"""

_TS_PRIVATE_HELPER = """
  #createResponse() {
    this.send({ type: "response.create", event_id: "helper" });
  }
"""

_TS_GUARD = """    if (this.responseActive) {
      this.responsePending = true;
      return;
    }
    this.responseActive = true;
"""

_TS_SITES = {
    "text": ("sendText(text)", '{ type: "conversation.item.create", item: { type: "message", '
             'role: "user", content: [{ type: "input_text", text }] } }'),
    "tool": ("sendToolResult(callId, output)", '{ type: "conversation.item.create", item: '
             '{ type: "function_call_output", call_id: callId, output } }'),
}  # fmt: skip

_TS_ON_EVENT = """
  onEvent(event) {
    if (event.type === "session.created") {
      // a fresh session: nothing active, nothing pending
      this.responsePending = false;
      this.responseActive = false;
      this.responseActive = true;
      this.send({ type: "response.create", event_id: "greeting" });
    } else if (event.type === "response.created") {
      this.responseActive = true;
    } else if (event.type === "response.done") {
      this.responseActive = false;
@FLUSH@    }
  }
}
"""

_TS_FLUSHES = {
    "helper": """      if (this.responsePending) {
        this.responsePending = false;
        this.requestResponse();
      }
""",
    "flags": """      if (this.responsePending) {
        this.responsePending = false;
        this.responseActive = true;
        this.send({ type: "response.create", event_id: "flush" });
      }
""",
    "flush-method": "      this.flush();\n",
    "active-only": "",
}


def typescript_adapter(shape: Shape) -> str:
    """The TypeScript version of :func:`adapter` (plain JavaScript syntax, runnable by Node)."""
    if shape.mechanism == LATE:
        return _unreserved(typescript_adapter(dataclasses.replace(shape, mechanism="flags")))
    pending = "  responsePending = false;\n" if shape.mechanism != "active-only" else ""
    parts = [_TS_HEAD.replace("@PENDING@", pending)]
    parts.append({"helper": _TS_HELPER, "flush-method": _TS_FLUSH_METHOD}.get(shape.mechanism, ""))
    if shape.via_helper:
        parts.append(_TS_PRIVATE_HELPER)
    for (site, (signature, item)), guarded, trailing in zip(
        _TS_SITES.items(), shape.guarded, shape.trailing, strict=True
    ):
        send = (
            "this.#createResponse();"
            if shape.send(site, guarded) == "helper"
            else f'this.send({{ type: "response.create", event_id: "{site}" }});'
        )
        parts.append(
            f"\n  {signature} {{\n    this.send({item});\n"
            + (_TS_GUARD if guarded else "")
            + f"    {send}\n"
            + ("    this.turns += 1;\n" if trailing else "")
            + "  }\n"
        )
    parts.append(_TS_ON_EVENT.replace("@FLUSH@", _TS_FLUSHES[shape.mechanism]))
    return "".join(parts)


def fixed(source: str, path: str = "adapter.py") -> str:
    """``source`` after ``--fix --unsafe-fixes``; it must re-check clean."""
    result = fix_source(path, source.encode(), SETTINGS, unsafe=True)
    assert result.error is None and not result.notes, (result.error, result.notes)
    assert not result.remaining, [d.message for d in result.remaining]
    return result.fixed.decode()


def flagged_sites(source: str, path: str = "adapter.py") -> set[str]:
    """The ``event_id`` of every send rtlint reports in ``source``."""
    lines = source.splitlines()
    found = set()
    for d in check_source(path, source.encode(), SETTINGS).diagnostics:
        match = re.search(r'"?event_id"?: "(\w+)"', lines[d.span.line - 1])
        if match:
            found.add(match.group(1))
    return found


# --------------------------------------------------------------------------- schedules

Step = tuple[str, float]
"""(action, pause after it in seconds): ``text``, ``tool``, ``vad`` or ``barge``; ``quiet``
waits until nothing is active or pending."""


def schedule(rng: random.Random, length: int) -> list[Step]:
    """A random schedule: mostly request bursts, with server-VAD turns and barge-ins."""
    actions = ["text", "text", "tool", "tool", "vad", "barge"]
    pauses = [0.0, 0.0, 0.003, 0.01, 0.03, 0.06]
    return [(rng.choice(actions), rng.choice(pauses)) for _ in range(length)]


EMULATOR = EmulatorConfig(
    deltas=3, delta_interval=0.005, turn_detection=TurnDetection(silence_duration_ms=60.0)
)
SPEECH = audio.encode(audio.tone(120) + audio.silence(100))


@dataclass
class Run:
    """What one class did on one schedule (``clock`` orders sends and receipts)."""

    sent: list[tuple[int, Event]] = field(default_factory=list)
    received: list[tuple[int, Event]] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    """The clock when each user turn or tool result was requested."""
    clock: int = 0
    processed: int = 0
    """Received events the adapter has finished handling."""

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def rejections(self) -> list[str | None]:
        """The ``event_id`` of every ``response.create`` rejected for an active response."""
        return [
            (e.get("error") or {}).get("event_id")
            for _, e in self.received
            if e.get("type") == "error" and error_code(e) == ACTIVE_RESPONSE
        ]

    def unexplained_rejections(self, flagged: set[str]) -> list[str]:
        """Rejections that no flagged send accounts for.

        A rejected send is accounted for when it comes from a flagged site, or when a
        flagged site sent a create after the last ``response.created`` the class had seen:
        that create took the slot the (guarded) send believed free.
        """
        found = []
        for clock, event in self.received:
            if event.get("type") != "error" or error_code(event) != ACTIVE_RESPONSE:
                continue
            site = (event.get("error") or {}).get("event_id")
            if site in flagged:
                continue
            sent = [(t, e) for t, e in self.sent if t < clock and e.get("event_id") == site]
            at = sent[-1][0] if sent else clock
            seen = [t for t, e in self.received if t < at and e.get("type") == "response.created"]
            since = seen[-1] if seen else 0
            if not any(
                since < t < at and e.get("event_id") in flagged
                for t, e in self.sent
                if e.get("type") == "response.create"
            ):
                found.append(str(site))
        return found

    def lost(self) -> int:
        """Requested turns no response started after."""
        starts = [t for t, e in self.received if e.get("type") == "response.created"]
        return sum(1 for r in self.requests if not any(t > r for t in starts))

    def other_sends(self) -> list[str]:
        """Everything sent except ``response.create``, in order."""
        return [
            json.dumps(e, sort_keys=True) for _, e in self.sent if e["type"] != "response.create"
        ]


class _Recorder:
    """The adapter's socket: records each event it sends."""

    def __init__(self, ws: ClientConnection, run: Run) -> None:
        self._ws = ws
        self._run = run

    async def send(self, message: str) -> None:
        self._run.sent.append((self._run.tick(), json.loads(message)))
        await self._ws.send(message)


async def _until(test: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not test():
            await asyncio.sleep(0.002)

    await asyncio.wait_for(poll(), STEP)


class Harness:
    """Runs one adapter class on a connection and records its :class:`Run`."""

    def __init__(self) -> None:
        self.run = Run()
        self.last_event = 0.0
        """Loop time of the last event received."""

    async def start(self, url: str) -> None:
        raise NotImplementedError

    async def request(self, action: str, i: int) -> None:
        """Start a user turn (``text``) or a tool result (``tool``); do not wait for it."""
        raise NotImplementedError

    async def append(self, event: str) -> None:
        """Send audio through the adapter's socket."""
        raise NotImplementedError

    def settled(self) -> bool:
        """Every request made so far has run."""
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError


class InProcess(Harness):
    """A Python adapter class, run in this event loop."""

    def __init__(self, source: str) -> None:
        super().__init__()
        namespace: dict[str, Any] = {}
        exec(compile(source, "adapter.py", "exec"), namespace)
        self._cls = namespace["Adapter"]
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self, url: str) -> None:
        self._ws = await connect(url, open_timeout=STEP)
        self._instance = self._cls(_Recorder(self._ws, self.run))
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        async for message in self._ws:
            event = json.loads(message)
            self.run.received.append((self.run.tick(), event))
            self.last_event = loop.time()
            await self._instance.on_event(event)
            self.run.processed += 1

    async def request(self, action: str, i: int) -> None:
        self.run.requests.append(self.run.clock)
        if action == "text":
            coro = self._instance.send_text(f"turn {i}")
        else:
            coro = self._instance.send_tool_result(f"call_{i}", f"result {i}")
        self._tasks.append(asyncio.create_task(coro))
        await asyncio.sleep(0)

    async def append(self, event: str) -> None:
        await _Recorder(self._ws, self.run).send(event)

    def settled(self) -> bool:
        return all(t.done() for t in self._tasks)

    async def stop(self) -> None:
        self._reader.cancel()
        await self._ws.close()
        for task in self._tasks:
            task.result()  # an adapter that raised fails the run


RUNNER = Path(__file__).with_name("differential_runner.mjs")


class InNode(Harness):
    """A TypeScript adapter class in plain JavaScript syntax, run by ``differential_runner.mjs``.

    ``node_modules`` is a directory holding the ``ws`` package.
    """

    def __init__(self, source: str, workdir: Path, node_modules: Path) -> None:
        super().__init__()
        self._module = workdir / f"adapter-{id(self)}.mjs"
        self._module.write_text(source, encoding="utf-8")
        self._node_modules = node_modules
        self._commands = 0
        self._done = 0

    async def start(self, url: str) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            "node", str(RUNNER), str(self._module), url,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "RTLINT_NODE_MODULES": str(self._node_modules)},
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._proc.stdout is not None
        loop = asyncio.get_running_loop()
        run = self.run
        async for line in self._proc.stdout:
            record = json.loads(line)
            if "sent" in record:
                run.clock = record["clock"]
                run.sent.append((run.clock, record["sent"]))
            elif "received" in record:
                run.clock = record["clock"]
                run.received.append((run.clock, record["received"]))
                self.last_event = loop.time()
            elif "processed" in record:
                run.processed += 1
            elif "request" in record:
                run.requests.append(record["request"])
            elif "done" in record:
                self._done += 1

    async def _command(self, command: dict[str, Any]) -> None:
        assert self._proc.stdin is not None
        self._commands += 1
        self._proc.stdin.write((json.dumps(command) + "\n").encode())
        await self._proc.stdin.drain()

    async def request(self, action: str, i: int) -> None:
        await self._command({"do": action, "i": i})

    async def append(self, event: str) -> None:
        await self._command({"do": "append", "event": event})
        await _until(self.settled)

    def settled(self) -> bool:
        return self._done == self._commands

    async def stop(self) -> None:
        await self._command({"do": "close"})
        assert self._proc.stderr is not None
        await asyncio.wait_for(self._reader, STEP)
        stderr = await self._proc.stderr.read()
        assert await self._proc.wait() == 0 and not stderr, stderr.decode()


async def drive(harness: Harness, steps: list[Step]) -> Run:
    """Run ``harness``'s class on ``steps`` against a fresh emulator."""
    run = harness.run
    loop = asyncio.get_running_loop()

    def created_after(mark: int) -> int:
        """Responses started after ``mark`` that the adapter has handled."""
        return sum(
            1 for i, (t, e) in enumerate(run.received)
            if t > mark and i < run.processed and e["type"] == "response.created"
        )  # fmt: skip

    async def started(mark: int, count: int) -> None:
        await _until(lambda: created_after(mark) >= count)

    def open_responses() -> int:
        kinds = [e["type"] for _, e in run.received]
        return kinds.count("response.created") - kinds.count("response.done")

    async def quiet() -> None:
        """Every request run, no response open, nothing received for a while."""
        while True:
            await _until(lambda: harness.settled() and open_responses() == 0)
            await asyncio.sleep(0.04)
            if loop.time() - harness.last_event >= 0.04 and open_responses() == 0:
                return

    async with Emulator(EMULATOR) as url:
        await harness.start(url)
        try:
            await _until(lambda: run.processed > 0)  # session.created handled
            for i, (action, pause) in enumerate(steps):
                if action in ("vad", "barge", "quiet"):
                    await quiet()
                mark = run.clock
                if action == "quiet":
                    continue
                if action == "vad":
                    await harness.append(_append())
                    await started(mark, 1)
                elif action == "barge":
                    await harness.request("text", i)
                    await started(mark, 1)
                    await asyncio.sleep(pause)
                    await harness.append(_append())
                    await started(mark, 2)
                else:
                    await harness.request(action, i)
                    await asyncio.sleep(pause)
            await quiet()
        finally:
            await harness.stop()
    return run


def _append() -> str:
    return json.dumps({"type": "input_audio_buffer.append", "audio": SPEECH})


# --------------------------------------------------------------------------- comparison


@dataclass
class Outcome:
    """One schedule run on the original and on the fixed class."""

    shape: Shape
    flagged: set[str]
    before: Run
    after: Run

    def problems(self) -> list[str]:
        """What the fixed class did wrong, or the original did that rtlint did not predict."""
        found = []
        if self.after.rejections():
            found.append(f"fixed class rejected: {self.after.rejections()}")
        if self.after.lost():
            found.append(f"fixed class lost {self.after.lost()} turn(s)")
        if self.after.other_sends() != self.before.other_sends():
            found.append("fixed class sent other events differently")
        unexplained = self.before.unexplained_rejections(self.flagged)
        if unexplained:
            found.append(f"original rejected where rtlint predicted none: {unexplained}")
        return found


async def compare(shape: Shape, steps: list[Step]) -> Outcome:
    """Drive the original and the fixed Python class of ``shape`` on the same schedule."""
    source = adapter(shape)
    before = await drive(InProcess(source), steps)
    after = await drive(InProcess(fixed(source)), steps)
    return Outcome(shape, flagged_sites(source), before, after)


async def compare_typescript(
    shape: Shape, steps: list[Step], workdir: Path, node_modules: Path
) -> Outcome:
    """Drive the original and the fixed TypeScript class of ``shape`` in Node."""
    source = typescript_adapter(shape)
    after_source = fixed(source, "adapter.ts")
    before = await drive(InNode(source, workdir, node_modules), steps)
    after = await drive(InNode(after_source, workdir, node_modules), steps)
    return Outcome(shape, flagged_sites(source, "adapter.ts"), before, after)
