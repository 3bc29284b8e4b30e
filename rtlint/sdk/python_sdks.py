"""Python realtime client libraries (read from their published sources)."""

from __future__ import annotations

from rtlint.sdk import SdkClass

PYTHON: tuple[SdkClass, ...] = (
    # openai: `client.realtime.connect()` opens the connection; `connection.response.create()`
    # is recognised by its path. The chat-completion clients send no realtime events.
    SdkClass("openai", ">=1.0,<=3.57", ("openai",), "OpenAI"),
    SdkClass("openai", ">=1.0,<=3.57", ("openai",), "AsyncOpenAI"),
    SdkClass("openai", ">=1.0,<=3.57", ("openai",), "AzureOpenAI"),
    SdkClass("openai", ">=1.0,<=3.57", ("openai",), "AsyncAzureOpenAI"),
    # livekit-agents: the realtime session sends `response.create` at once (and fails a
    # second one while a generation is active); AgentSession schedules speech itself.
    SdkClass(
        "livekit-agents",
        ">=1.0,<=1.8.9",
        ("livekit.agents.llm", "livekit.agents.llm.realtime"),
        "RealtimeSession",
        emits=("generate_reply",),
    ),
    SdkClass(
        "livekit-plugins-openai",
        ">=1.0,<=1.8.9",
        ("livekit.plugins.openai.realtime", "livekit.plugins.openai.realtime.realtime_model"),
        "RealtimeSession",
        emits=("generate_reply",),
    ),
    SdkClass(
        "livekit-agents",
        ">=1.0,<=1.8.9",
        ("livekit.agents", "livekit.agents.voice"),
        "AgentSession",
        defers=("generate_reply", "say"),
    ),
    # openai-agents: the model sequences response.create itself (pending create, versions).
    SdkClass(
        "openai-agents",
        ">=0.2,<=0.24",
        ("agents.realtime", "agents.realtime.session"),
        "RealtimeSession",
        defers=("send_message",),
        fresh=("enter",),
    ),
    SdkClass(
        "openai-agents",
        ">=0.2,<=0.24",
        ("agents.realtime", "agents.realtime.openai_realtime"),
        "OpenAIRealtimeWebSocketModel",
        defers=("send_event",),
        fresh=("connect",),
    ),
)
