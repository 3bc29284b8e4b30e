"""The runtime side: a Realtime protocol emulator, a reference adapter, a wire-log checker.

The names below load on first use, so that ``rtlint check`` (which reads only the trace
codes' pages from here) does not import ``asyncio`` and ``websockets``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rtlint.runtime.adapter import RealtimeAdapter, ResponseState
    from rtlint.runtime.emulator import Emulator, EmulatorConfig, TurnDetection
    from rtlint.runtime.trace import Finding, check_records
    from rtlint.runtime.wirelog import WireLogError, WireLogWriter, WireRecord, read_wire_log

_HOMES = {
    "RealtimeAdapter": "adapter",
    "ResponseState": "adapter",
    "Emulator": "emulator",
    "EmulatorConfig": "emulator",
    "TurnDetection": "emulator",
    "Finding": "trace",
    "check_records": "trace",
    "WireLogError": "wirelog",
    "WireLogWriter": "wirelog",
    "WireRecord": "wirelog",
    "read_wire_log": "wirelog",
}

__all__ = [
    "Emulator",
    "EmulatorConfig",
    "Finding",
    "RealtimeAdapter",
    "ResponseState",
    "TurnDetection",
    "WireLogError",
    "WireLogWriter",
    "WireRecord",
    "check_records",
    "read_wire_log",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"rtlint.runtime.{_HOMES[name]}"), name)
