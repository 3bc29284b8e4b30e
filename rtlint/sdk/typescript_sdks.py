"""JavaScript/TypeScript realtime client libraries (read from their published sources)."""

from __future__ import annotations

from rtlint.sdk import SdkClass

TYPESCRIPT: tuple[SdkClass, ...] = (
    # openai-realtime-api: createResponse() sends `response.create` unconditionally;
    # sendUserMessageContent() adds an item and then calls it.
    SdkClass(
        "openai-realtime-api",
        ">=1.0,<=1.0.8",
        ("openai-realtime-api",),
        "RealtimeClient",
        emits=("createResponse", "sendUserMessageContent"),
        fresh=("connect",),
    ),
    # @openai/agents-realtime: requestResponse() sends at once; sendMessage() triggers it
    # unless {triggerResponse: false}.
    SdkClass(
        "@openai/agents-realtime",
        ">=0.1,<=0.20",
        ("@openai/agents-realtime", "@openai/agents/realtime"),
        "OpenAIRealtimeWebSocket",
        emits=("requestResponse", "sendMessage"),
        fresh=("connect",),
    ),
    SdkClass(
        "@openai/agents-realtime",
        ">=0.1,<=0.20",
        ("@openai/agents-realtime", "@openai/agents/realtime"),
        "OpenAIRealtimeWebRTC",
        emits=("requestResponse", "sendMessage"),
        fresh=("connect",),
    ),
    SdkClass(
        "@openai/agents-realtime",
        ">=0.1,<=0.20",
        ("@openai/agents-realtime", "@openai/agents/realtime"),
        "RealtimeSession",
        emits=("sendMessage",),
        fresh=("connect",),
    ),
    # @livekit/agents-plugin-openai: generateReply() creates the response at once.
    SdkClass(
        "@livekit/agents-plugin-openai",
        ">=1.0,<=1.9.0",
        ("@livekit/agents-plugin-openai",),
        "RealtimeSession",
        emits=("generateReply",),
    ),
    # openai (node): the chat-completion client sends no realtime events.
    SdkClass("openai", ">=4.0,<=6.49", ("openai",), "OpenAI"),
    SdkClass("openai", ">=4.0,<=6.49", ("openai",), "default"),
)
