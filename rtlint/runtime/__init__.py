"""The runtime side: a Realtime protocol emulator, a reference adapter, a wire-log checker."""

from rtlint.runtime.adapter import RealtimeAdapter, ResponseState
from rtlint.runtime.emulator import Emulator, EmulatorConfig, TurnDetection
from rtlint.runtime.trace import Finding, check_records
from rtlint.runtime.wirelog import WireLogError, WireLogWriter, WireRecord, read_wire_log

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
