"""PCM16 helpers: the Realtime default input format is 24 kHz mono little-endian int16."""

from __future__ import annotations

import base64
import math
import struct

SAMPLE_RATE = 24_000
"""Samples per second of the default ``pcm16`` audio format."""

BYTES_PER_MS = SAMPLE_RATE * 2 // 1000
"""Bytes of pcm16 audio per millisecond (48)."""

SPEECH_RMS = 500.0
"""Root-mean-square amplitude above which the emulator's VAD hears speech."""


def duration_ms(pcm: bytes) -> float:
    """The duration of ``pcm`` in milliseconds."""
    return len(pcm) / BYTES_PER_MS


def rms(pcm: bytes) -> float:
    """The root-mean-square amplitude of pcm16 samples (0 for no samples)."""
    count = len(pcm) // 2
    if count == 0:
        return 0.0
    samples = struct.unpack(f"<{count}h", pcm[: count * 2])
    return math.sqrt(sum(s * s for s in samples) / count)


def silence(ms: float) -> bytes:
    """``ms`` milliseconds of pcm16 silence."""
    return bytes(int(ms) * BYTES_PER_MS)


def tone(ms: float, *, hz: float = 440.0, amplitude: int = 8000) -> bytes:
    """``ms`` milliseconds of a sine tone, loud enough to count as speech."""
    count = int(ms) * SAMPLE_RATE // 1000
    step = 2 * math.pi * hz / SAMPLE_RATE
    return struct.pack(f"<{count}h", *(int(amplitude * math.sin(i * step)) for i in range(count)))


def encode(pcm: bytes) -> str:
    """Base64 text for an ``input_audio_buffer.append`` / audio delta payload."""
    return base64.b64encode(pcm).decode("ascii")
