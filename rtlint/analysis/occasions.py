"""Names of the occasions a response ends without ``response.done``: connect and close.

Functions with these (normalized) names, and callbacks registered for these events,
run when a connection opens or closes; no response survives either.
"""

from __future__ import annotations

from rtlint.vocabulary import norm

CONNECT_NAMES = frozenset(
    norm(n) for n in ("connect", "reconnect", "_connect", "_reconnect", "open", "start",
                      "on_open", "onopen", "handle_open", "on_connect", "on_connected",
                      "handle_connect", "_on_connect", "_on_open")
)  # fmt: skip
CLOSE_NAMES = frozenset(
    norm(n) for n in ("close", "aclose", "_close", "disconnect", "_disconnect", "shutdown",
                      "stop", "on_close", "onclose", "handle_close", "_on_close",
                      "on_disconnect", "on_disconnected", "handle_disconnect", "__aexit__",
                      "cleanup", "teardown", "_cleanup", "_teardown")
)  # fmt: skip
CLOSE_EVENTS = frozenset({"close", "closed", "disconnect", "disconnected", "session.closed"})
