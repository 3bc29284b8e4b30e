"""rtlint: find `response.create` sends that can race an active realtime response."""

__version__ = "0.1.0"
