"""Event names, error codes and small payload predicates shared by the runtime side.

The emulator, the reference adapter and the wire-log checker all need the same
protocol facts (``PROTOCOL.md`` in this package, §1.1-1.4): the GA event names and their beta
spellings, the error codes of the active-response family, and how to tell a
default-conversation response from an out-of-band one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

Event = dict[str, Any]
"""One protocol event, as decoded from JSON."""

ACTIVE_RESPONSE = "conversation_already_has_active_response"
"""``error.code`` when a default-conversation ``response.create`` meets an active response."""

CANCEL_NOT_ACTIVE = "response_cancel_not_active"
"""``error.code`` when ``response.cancel`` finds nothing to cancel."""

COMMIT_EMPTY = "input_audio_buffer_commit_empty"
"""``error.code`` when ``input_audio_buffer.commit`` holds under 100 ms of audio."""

MIN_COMMIT_MS = 100.0
"""The least audio, in milliseconds, that ``input_audio_buffer.commit`` accepts."""

# Beta-era payloads carry ``code: null``; these message prefixes identify them.
_BETA_MESSAGES = {
    "Conversation already has an active response": ACTIVE_RESPONSE,
    "Cancellation failed: no active response": CANCEL_NOT_ACTIVE,
    "Error committing input audio buffer": COMMIT_EMPTY,
}

GA_TO_BETA: dict[str, str | None] = {
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "conversation.item.added": "conversation.item.created",
    "conversation.item.done": None,  # no beta counterpart: not sent in the beta dialect
}
"""Server-event renames GA → beta (``None``: the event does not exist in beta)."""

BETA_TO_GA = {beta: ga for ga, beta in GA_TO_BETA.items() if beta is not None}
BETA_TO_GA["transcription_session.update"] = "session.update"
BETA_TO_GA["transcription_session.updated"] = "session.updated"


def decode_event(message: str | bytes) -> Event | None:
    """A WebSocket message as an event: a JSON object with a string ``type``, else ``None``."""
    try:
        event = json.loads(message)
    except (ValueError, UnicodeDecodeError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("type"), str) else None


def canonical(event_type: str) -> str:
    """The GA name of an event type given in either dialect."""
    return BETA_TO_GA.get(event_type, event_type)


def event_type(event: Mapping[str, Any]) -> str:
    """The canonical (GA) type of ``event``, or ``""`` when it has none."""
    value = event.get("type")
    return canonical(value) if isinstance(value, str) else ""


def error_code(event: Mapping[str, Any]) -> str | None:
    """The code of an ``error`` event, inferred from the message for beta payloads."""
    error = event.get("error")
    if not isinstance(error, Mapping):
        return None
    code = error.get("code")
    if isinstance(code, str):
        return code
    message = error.get("message")
    if isinstance(message, str):
        for prefix, inferred in _BETA_MESSAGES.items():
            if message.startswith(prefix):
                return inferred
    return None


def error_event_id(event: Mapping[str, Any]) -> str | None:
    """The client ``event_id`` an ``error`` event names as its cause, if any."""
    error = event.get("error")
    value = error.get("event_id") if isinstance(error, Mapping) else None
    return value if isinstance(value, str) else None


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty mapping."""
    return value if isinstance(value, Mapping) else {}


def requests_out_of_band(create: Mapping[str, Any]) -> bool:
    """Whether a ``response.create`` event asks for an out-of-band response."""
    return mapping(create.get("response")).get("conversation") == "none"


def is_default_response(response: Mapping[str, Any]) -> bool:
    """Whether a response object (of ``response.created``/``.done``) is in the default conversation.

    Out-of-band responses carry ``conversation_id: null``; a payload without the
    field is taken to be a default-conversation response.
    """
    return not ("conversation_id" in response and response["conversation_id"] is None)


def is_user_turn(item: Mapping[str, Any]) -> bool:
    """Whether a conversation item asks the model for an answer (user message, tool output)."""
    kind = item.get("type")
    return (kind == "message" and item.get("role") == "user") or kind == "function_call_output"
