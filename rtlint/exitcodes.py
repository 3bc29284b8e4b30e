"""Process exit codes, shared by every command (ruff's convention)."""

SUCCESS = 0
"""No findings (or all of them fixed)."""

FINDINGS = 1
"""At least one finding was reported."""

ERROR = 2
"""Usage error, unreadable path, bad configuration or internal error."""
