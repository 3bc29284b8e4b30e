"""The Realtime API's event names, per direction and dialect (see ``rtlint.runtime``'s notes, §1.1).

Taken from the ``Literal`` event types of openai-python: ``openai.types.beta.realtime``
(beta) and ``openai.types.realtime`` (GA, translation sessions included).
"""

from __future__ import annotations

from typing import Literal

Direction = Literal["client", "server"]

_BOTH_CLIENT = frozenset({
    "session.update", "input_audio_buffer.append", "input_audio_buffer.commit",
    "input_audio_buffer.clear", "conversation.item.create", "conversation.item.delete",
    "conversation.item.retrieve", "conversation.item.truncate", "response.create",
    "response.cancel", "output_audio_buffer.clear",
})  # fmt: skip
_BOTH_SERVER = frozenset({
    "error", "session.created", "session.updated", "conversation.created",
    "conversation.item.created", "conversation.item.deleted", "conversation.item.retrieved",
    "conversation.item.truncated", "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.failed", "input_audio_buffer.cleared",
    "input_audio_buffer.committed", "input_audio_buffer.speech_started",
    "input_audio_buffer.speech_stopped", "output_audio_buffer.cleared",
    "output_audio_buffer.started", "output_audio_buffer.stopped", "rate_limits.updated",
    "response.created", "response.done", "response.output_item.added",
    "response.output_item.done", "response.content_part.added", "response.content_part.done",
    "response.function_call_arguments.delta", "response.function_call_arguments.done",
})  # fmt: skip
BETA_CLIENT = _BOTH_CLIENT | {"transcription_session.update"}
BETA_SERVER = _BOTH_SERVER | {
    "response.text.delta", "response.text.done", "response.audio.delta", "response.audio.done",
    "response.audio_transcript.delta", "response.audio_transcript.done",
    "transcription_session.updated",
}  # fmt: skip
GA_CLIENT = _BOTH_CLIENT | {"session.close", "session.input_audio_buffer.append"}
GA_SERVER = _BOTH_SERVER | {
    "response.output_text.delta", "response.output_text.done", "response.output_audio.delta",
    "response.output_audio.done", "response.output_audio_transcript.delta",
    "response.output_audio_transcript.done", "conversation.item.added", "conversation.item.done",
    "conversation.item.input_audio_transcription.segment", "input_audio_buffer.timeout_triggered",
    "input_audio_buffer.dtmf_event_received", "mcp_list_tools.completed", "mcp_list_tools.failed",
    "mcp_list_tools.in_progress", "response.mcp_call.completed", "response.mcp_call.failed",
    "response.mcp_call.in_progress", "response.mcp_call_arguments.delta",
    "response.mcp_call_arguments.done", "session.closed", "session.input_transcript.delta",
    "session.output_audio.delta", "session.output_transcript.delta",
}  # fmt: skip

CLIENT = BETA_CLIENT | GA_CLIENT
SERVER = BETA_SERVER | GA_SERVER

NAMESPACES = frozenset(name.split(".")[0] for name in CLIENT | SERVER if "." in name)
"""First segments of Realtime event names: other dotted strings are not judged."""


REALTIME_ONLY = frozenset(
    name for name in CLIENT | SERVER
    if name.split(".")[0] in ("input_audio_buffer", "output_audio_buffer", "session",
                              "conversation", "rate_limits", "transcription_session")
) | {"response.done", "response.cancel", "response.cancelled"}  # fmt: skip
"""Names no other OpenAI API uses (the Responses API streams `response.created` too)."""


RESPONSES_ONLY = frozenset({
    "response.completed", "response.in_progress", "response.queued", "response.incomplete",
    "response.failed", "response.output_text.annotation.added", "response.inject",
})  # fmt: skip
"""Names of the Responses API's streams (and its WebSocket mode), never of Realtime."""


def is_realtime_shaped(name: str) -> bool:
    """A dotted name in a Realtime namespace (``response.…``, ``input_audio_buffer.…``)."""
    head, dot, rest = name.partition(".")
    return bool(dot and rest) and head in NAMESPACES and name == name.strip().lower()


def dialect(name: str, direction: Direction) -> str | None:
    """``"GA and beta"``, ``"GA"``, ``"beta"`` or None (not a ``direction`` event)."""
    beta, ga = (BETA_SERVER, GA_SERVER) if direction == "server" else (BETA_CLIENT, GA_CLIENT)
    if name in beta and name in ga:
        return "GA and beta"
    if name in ga:
        return "GA"
    if name in beta:
        return "beta"
    return None


LIFECYCLE_TOKENS = (
    "response.create",
    "response.created",
    "response.done",
    "response.cancel",
    "response.cancelled",
)
"""The words a file must hold for the lifecycle rules to judge it (the prefilter): an
adapter that sends, cancels or handles responses names at least one of them."""
