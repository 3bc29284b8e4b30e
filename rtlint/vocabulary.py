"""The names that carry meaning for the analyses: data, not code.

Every table is a set of *normalized* names (:func:`norm`: lower case, letters and
digits only), so ``_response_active``, ``responseActive`` and ``#responseActive``
are one entry. Configuration extends or replaces these tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import cached_property, lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]")


@lru_cache(maxsize=65536)
def norm(name: str) -> str:
    """``_response_active`` / ``responseActive`` / ``#responseActive`` → ``responseactive``
    (remembered: the analyses normalize the same few names over and over)."""
    return _NON_ALNUM.sub("", name.lower())


def _names(*names: str) -> frozenset[str]:
    return frozenset(norm(n) for n in names)


@dataclass(frozen=True)
class Vocabulary:
    """What names mean. Fields are normalized name sets unless said otherwise."""

    active_flags: frozenset[str] = _names(
        "response_active", "is_response_active", "response_in_progress",
        "is_response_in_progress", "ongoing_response", "has_ongoing_response",
        "active_response", "has_active_response", "response_in_flight", "is_responding",
        "responding", "active_response_id", "current_response_id", "ongoing_response_id",
        "current_response", "response_ongoing", "is_generating_response", "running_responses",
        "active_responses", "ongoing_responses", "responses_in_flight", "in_flight_responses",
        "response_lock",
    )  # fmt: skip
    """Fields that are truthy (or not None) while a response is active."""

    idle_flags: frozenset[str] = _names(
        "response_idle", "can_create_response", "can_respond", "response_slot_free",
        "response_done", "response_finished", "response_completed", "idle", "no_active_response",
    )  # fmt: skip
    """Fields that are truthy when no response is active (also events: ``idle.is_set()``)."""

    active_predicates: frozenset[str] = _names(
        "is_response_active", "has_active_response", "is_responding", "response_in_progress",
        "is_response_in_progress", "has_ongoing_response", "response_active",
    )  # fmt: skip
    """Methods that return True while a response is active."""

    idle_predicates: frozenset[str] = _names(
        "can_create_response", "can_respond", "is_idle", "can_start_response",
        "can_send_response", "try_reserve_response", "try_acquire_response",
        "is_response_slot_free", "response_slot_free", "is_response_idle",
    )  # fmt: skip
    """Methods that return True when no response is active (or reserve the slot)."""

    state_fields: frozenset[str] = _names(
        "state", "status", "response_state", "response_status", "response_phase",
        "response_control", "slot", "response_slot",
    )  # fmt: skip
    """Fields holding a response state (enum member or string)."""

    unrelated_state_words: tuple[str, ...] = (
        "call", "assessment", "session", "connection", "conn", "socket", "turn", "vad",
        "dtmf", "audio", "playback", "player", "phase", "mic", "recording", "ws",
    )  # fmt: skip
    """Substrings of a state field's or enum's name that make it about something else."""

    idle_states: frozenset[str] = _names("idle", "free", "none")
    """State members meaning 'no response active'."""

    busy_states: frozenset[str] = _names(
        "responding", "active", "generating", "in_progress", "requested", "create_requested",
        "streaming", "busy", "creating", "response_active", "speaking_response",
    )  # fmt: skip
    """State members meaning 'a response is requested or active'."""

    emitter_helpers: frozenset[str] = _names(
        "create_response", "send_response_create", "response_create", "trigger_response",
        "request_response_now", "send_create_response", "create_realtime_response",
    )  # fmt: skip
    """Unseen functions whose call sends ``response.create``."""

    routing_prefixes: tuple[str, ...] = ("request", "enqueue", "schedule", "defer", "queue")
    """Unseen functions with these (normalized) name prefixes defer a response: compliant."""

    create_event_classes: frozenset[str] = _names(
        "ResponseCreateEvent", "ResponseCreateEventParam", "ClientEventResponseCreate",
        "RealtimeClientEventResponseCreate", "ResponseCreateMessage",
    )  # fmt: skip
    """Constructors that build a ``response.create`` event."""

    send_words: tuple[str, ...] = ("send", "emit", "dispatch", "publish", "write", "post")
    """Callee names containing these may send a string event (``send("response.create")``)."""

    bridge_words: tuple[str, ...] = ("forward", "invoke", "call", "relay", "rpc", "bridge", "batch")
    """Callee names containing these (or a send word) pass on a list of events they are given
    (``bridge.forward([item, create])``); other calls only store or show such a list."""

    not_sends: frozenset[str] = _names(
        "print", "log", "debug", "info", "warning", "warn", "error", "exception", "critical",
        "trace", "assert_equal", "assertEqual", "assert_called_with", "assert_called_once_with",
        "expect", "toBe", "toEqual", "toStrictEqual", "toHaveBeenCalledWith", "toMatchObject",
        "len", "str", "repr", "isinstance", "type", "deepcopy", "copy", "freeze", "keys",
        "values", "items", "get", "format", "assertIn", "is_equal_to", "equal", "deepEqual",
        "strictEqual", "has", "includes", "compare", "validate", "parse", "parametrize", "each",
    )  # fmt: skip
    """Calls that take an event without sending it (logging, assertions, inspection)."""

    conversion_words: tuple[str, ...] = (
        "convert", "serializ", "serialis", "encode", "decode", "marshal", "transform", "roundtrip",
    )  # fmt: skip
    """Substrings of a callee's name that make it a conversion or serialisation helper: handing
    it an event (without a send word in the name) is not sending it."""

    check_prefixes: tuple[str, ...] = ("assert", "expect", "verify", "check", "validate")
    """Name prefixes of assertion and checking helpers (test code): not sends."""

    queue_methods: frozenset[str] = _names(
        "append", "appendleft", "push", "put", "put_nowait", "unshift", "add", "insert",
        "extend", "set",
    )  # fmt: skip
    """Calls that store an event for later: deferral, not a send."""

    json_wrappers: frozenset[str] = _names(
        "dumps", "stringify", "json", "to_json", "toJSON", "model_dump_json", "model_dump",
        "dict", "encode", "serialize", "model_copy", "asdict", "Object.assign", "structuredClone",
    )  # fmt: skip
    """Calls whose result carries the event passed to them (serializers, copies)."""

    connect_calls: frozenset[str] = _names("connect", "reconnect", "_connect", "open_connection")
    """Calls that open a fresh connection: no response can be active right after."""

    fresh_events: frozenset[str] = frozenset(
        {"session.created", "open", "connect", "connected", "connection", "ready"}
    )
    """Event names (event-type comparisons and callback registrations) of a fresh connection."""

    audio_events: frozenset[str] = frozenset({"input_audio_buffer.append"})
    """Client events that stream input audio: with server VAD on, they may start a response."""

    audio_calls: frozenset[str] = _names("append_input_audio", "input_audio_buffer_append")
    """Calls that stream input audio (SDK methods)."""

    terminal_events: frozenset[str] = frozenset({"response.done"})
    """Event names after which the default conversation has no active response."""

    fresh_handlers: frozenset[str] = _names(
        "on_open", "onopen", "handle_open", "on_connect", "on_connected", "handle_connect",
        "on_session_created", "handle_session_created", "_on_session_created",
    )  # fmt: skip
    """Functions that run only on a fresh connection."""

    terminal_handlers: frozenset[str] = _names(
        "on_response_done", "handle_response_done", "response_done", "on_done",
        "handle_done", "mark_response_done",
    )  # fmt: skip
    """Functions that run when ``response.done`` arrives."""

    clear_calls: frozenset[str] = _names(
        "mark_response_done", "clear_active_response", "release_response", "reset_response_state",
        "wait_for_response_create_slot", "wait_for_response_slot", "wait_until_idle",
        "wait_for_idle", "acquire_response_slot", "wait_for_no_active_response",
    )  # fmt: skip
    """Calls after which no response is active: the active one ended, or a sequencer's wait
    for the response slot returned."""

    sdk_emitters: frozenset[str] = frozenset()
    """SDK methods that send ``response.create``: ``"module:Class.method"`` (:mod:`rtlint.sdk`)."""

    sdk_deferrers: frozenset[str] = frozenset()
    """SDK methods that request a response through the SDK's own sequencing."""

    sdk_fresh: frozenset[str] = frozenset()
    """SDK methods that open a fresh connection."""

    def extend(self, **tables: Iterable[str]) -> Vocabulary:
        """A copy with ``tables`` (field name → iterable of names) added to the defaults."""
        changes = {name: _merge(getattr(self, name), coerce(name, v)) for name, v in tables.items()}
        return replace(self, **changes)  # type: ignore[arg-type]

    def is_active_flag(self, name: str) -> bool:
        """A normalized field name that holds the active-response state.

        Entries that mention a response also match as a suffix, so a project's prefix
        (``_backend_running_responses``, ``voiceResponseActive``) is allowed.
        """
        return name in self.active_flags or name.endswith(self._response_flags)

    @cached_property
    def _response_flags(self) -> tuple[str, ...]:
        """The active flags that mention a response (they match as a suffix too)."""
        return tuple(flag for flag in self.active_flags if "response" in flag)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


EVENT_TABLES = frozenset(
    {
        "fresh_events",
        "terminal_events",
        "audio_events",
        "sdk_emitters",
        "sdk_deferrers",
        "sdk_fresh",
    }
)
"""Tables of wire event names and qualified SDK names: kept as written, not normalized."""


def coerce(name: str, values: Iterable[str]) -> frozenset[str] | tuple[str, ...]:
    """``values`` in the form the table ``name`` stores (normalized unless event names)."""
    items = [v if name in EVENT_TABLES else norm(v) for v in values]
    return tuple(items) if isinstance(getattr(DEFAULT, name), tuple) else frozenset(items)


def _merge(
    current: frozenset[str] | tuple[str, ...], extra: frozenset[str] | tuple[str, ...]
) -> frozenset[str] | tuple[str, ...]:
    if isinstance(current, frozenset):
        return current | frozenset(extra)
    return current + tuple(v for v in extra if v not in current)


DEFAULT = Vocabulary()
