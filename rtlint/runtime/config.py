"""The emulator's knobs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rtlint.runtime.events import Event


@dataclass(frozen=True)
class TurnDetection:
    """Server VAD settings (``turn_detection`` of the session)."""

    create_response: bool = True
    """Start a response when a speech turn ends."""
    interrupt_response: bool = True
    """Cancel the active default-conversation response when speech starts."""
    silence_duration_ms: float = 200.0
    """Silence that ends a speech turn."""

    def as_json(self) -> Event:
        """The ``turn_detection`` object as the session reports it."""
        return {"type": "server_vad", **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, value: object) -> TurnDetection | None:
        """Read a ``turn_detection`` object (``null`` turns server VAD off)."""
        if not isinstance(value, Mapping):
            return None
        defaults = cls()
        return cls(
            create_response=bool(value.get("create_response", defaults.create_response)),
            interrupt_response=bool(value.get("interrupt_response", defaults.interrupt_response)),
            silence_duration_ms=float(
                value.get("silence_duration_ms", defaults.silence_duration_ms)
            ),
        )


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulator streams, times and fails. Times are in seconds unless named ``_ms``."""

    deltas: int = 5
    """Audio (or text) deltas streamed per response."""
    delta_interval: float = 0.02
    """Pause before each delta: the pacing of a response."""
    latency: float = 0.0
    """Delay added to every server event before it is written (one-way latency)."""
    turn_detection: TurnDetection | None = None
    """Initial server VAD (``None``: off until a ``session.update`` turns it on)."""
    drop_after_events: int | None = None
    """Abort the connection after this many server events."""
    drop_mid_response: bool = False
    """Abort the connection halfway through a response's deltas."""
    drops: int = 1
    """How many connections the drop knobs may abort in total (later ones are spared)."""
    dialect: Literal["ga", "beta"] = "ga"
    """Server event names to emit (client events are accepted in both spellings)."""
