"""Every annotated fixture under tests/fixtures/<language>/<RULE>/ is a test case.

A line that must be flagged ends with ``# expect: RT001`` (``// expect: RT001``);
no other line may be flagged. Adding a case is adding a file.

A directory under ``<language>/<RULE>/multi/`` is one multi-file case: its files are
checked together as one project (imports, base classes and helpers across files), and
each file's ``expect`` lines are compared. Adding such a case is adding a directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rtlint.engine import Settings, check_files
from rtlint.frontends import SUFFIXES
from rtlint.registry import by_selector
from tests.expectations import expected, explain, reported

FIXTURES = Path(__file__).parent / "fixtures"


def _cases() -> list[Path]:
    return sorted(
        p
        for p in FIXTURES.glob("*/*/**/*")
        if p.is_file() and p.suffix in SUFFIXES and "multi" not in p.relative_to(FIXTURES).parts
    )


def _projects() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*/*/multi/*") if p.is_dir())


def _rule_of(path: Path) -> str:
    return path.relative_to(FIXTURES).parts[1]


@pytest.mark.parametrize("path", _cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path) -> None:
    code = _rule_of(path)
    rules = by_selector(code)
    assert rules, f"fixture directory names unknown rule {code}"
    source = path.read_bytes()
    result = check_files([path], Settings(rules=tuple(rules)), jobs=1)[0]
    assert result.error is None, result.error
    text = source.decode("utf-8")
    syntax = [d for d in result.diagnostics if d.code == "E999"]
    assert not syntax, f"fixture does not parse: {syntax[0].message} at line {syntax[0].span.line}"
    want, got = expected(text, code), reported(result.diagnostics, code)
    assert want == got, f"{path.name}:\n{explain(text, want, got)}"


@pytest.mark.parametrize("case", _projects(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_multi_file_fixture(case: Path) -> None:
    code = _rule_of(case)
    files = sorted(p for p in case.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
    results = check_files(files, Settings(rules=tuple(by_selector(code))), jobs=1)
    problems = []
    for path, result in zip(files, results, strict=True):
        assert result.error is None, result.error
        text = path.read_text()
        want, got = expected(text, code), reported(result.diagnostics, code)
        if want != got:
            problems.append(f"{path.name}:\n{explain(text, want, got)}")
    assert not problems, "\n".join(problems)


def test_multi_file_cases_cover_both_languages() -> None:
    languages = {p.relative_to(FIXTURES).parts[0] for p in _projects()}
    assert languages == {"python", "typescript"}


def test_fixture_families_cover_both_languages() -> None:
    families: dict[str, set[str]] = {}
    for path in _cases():
        families.setdefault(_rule_of(path), set()).add(path.relative_to(FIXTURES).parts[0])
    assert families, "no fixtures found"
    for code, languages in families.items():
        assert languages == {"python", "typescript"}, f"{code} lacks fixtures for a language"
