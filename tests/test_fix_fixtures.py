"""Fix fixtures: ``fix/name.ext`` beside the expected ``fix/name.ext.fixed``, found automatically.

A fixture whose first lines say ``fixture: unsafe-fixes`` is fixed with unsafe
fixes allowed. Each case checks: the output is exactly the ``.fixed`` file, it
parses, it re-checks clean, and fixing it again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rtlint.engine import SYNTAX_ERROR, Settings, check_source
from rtlint.fixer import fix_source
from rtlint.frontends import SUFFIXES
from rtlint.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
SETTINGS = Settings(rules=all_rules())


def _cases() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*/fix/*") if p.suffix in SUFFIXES and p.is_file())


@pytest.mark.parametrize("path", _cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fix(path: Path) -> None:
    source = path.read_bytes()
    unsafe = b"fixture: unsafe-fixes" in source[:400]
    expected = path.with_name(path.name + ".fixed")
    assert expected.exists(), f"{expected.name} is missing"
    result = fix_source(str(path), source, SETTINGS, unsafe=unsafe)
    assert result.error is None and not result.notes, (result.error, result.notes)
    assert result.applied > 0, "the fixture must exercise a fix"
    assert result.fixed == expected.read_bytes(), (
        f"{path.name}: output differs from {expected.name}"
    )
    recheck = check_source(str(path), result.fixed, SETTINGS)
    assert not [d for d in recheck.diagnostics if d.code == SYNTAX_ERROR]
    assert not recheck.diagnostics, [f"{d.span.line}: {d.message}" for d in recheck.diagnostics]
    again = fix_source(str(path), result.fixed, SETTINGS, unsafe=unsafe)
    assert again.fixed == result.fixed and again.applied == 0


def test_every_language_has_fix_fixtures() -> None:
    languages = {p.relative_to(FIXTURES).parts[0] for p in _cases()}
    assert languages == {"python", "typescript"}
