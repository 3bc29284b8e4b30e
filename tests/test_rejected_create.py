"""RT004 on a reservation that the ``error`` handler never gives back: what it says, and
which handlers are left alone."""

from __future__ import annotations

from pathlib import Path

from rtlint.engine import Settings, check_source
from rtlint.registry import by_selector

FIXTURES = Path(__file__).parent / "fixtures"
SETTINGS = Settings(rules=tuple(by_selector("RT004")))


def _findings(path: Path) -> list[tuple[int, str, list[int]]]:
    result = check_source(str(path), path.read_bytes(), SETTINGS)
    return [(d.span.line, d.message, [r.span.line for r in d.related]) for d in result.diagnostics]


def test_the_message_names_the_field_the_error_event_and_the_missing_clear() -> None:
    for name in (
        "python/RT004/error_keeps_reservation.py",
        "typescript/RT004/error_keeps_reservation.ts",
    ):
        [(line, message, related)] = _findings(FIXTURES / name)
        field = "_response_active" if name.endswith(".py") else "responseActive"
        assert f"`{field}` is reserved here when `response.create` is sent" in message
        assert "the `error` handler" in message and "never clears it" in message
        assert "conversation_already_has_active_response" in message
        text = (FIXTURES / name).read_text().splitlines()
        assert "error" in text[related[0] - 1], "related: the error handler"
        assert "= true" in text[line - 1].lower()


def test_a_handler_that_ends_the_session_for_other_errors_is_left_alone(tmp_path: Path) -> None:
    source = (FIXTURES / "python/RT004/error_keeps_reservation.py").read_text()
    ending = source.replace(
        'log.warning("realtime error: %s", event["error"]["message"])',
        'if event["error"].get("code") != "conversation_already_has_active_response":\n'
        "                await self.ws.close()",
    )
    assert ending != source
    path = tmp_path / "a.py"
    path.write_text(ending)
    assert _findings(path) == []
