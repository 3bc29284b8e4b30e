"""The result cache: a warm run gives the same findings; content, settings or code changes miss."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

from rtlint import cache
from rtlint.engine import Settings, check_file
from rtlint.registry import all_rules
from tests.cli import rtlint

UNGUARDED = """import json


async def f(ws):
    await ws.send(json.dumps({"type": "response.create"}))
"""


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.pickle"))


def test_warm_run_reuses_results_and_changes_invalidate(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text(UNGUARDED)
    (tmp_path / "quiet.py").write_text("x = 1\n")
    settings = Settings(rules=all_rules(), cache_dir=str(tmp_path / "cache"))
    cold = check_file(source, settings)
    entries = _entries(tmp_path / "cache")
    assert len(entries) == 1  # files the prefilter skips are not worth an entry
    check_file(tmp_path / "quiet.py", settings)
    assert len(_entries(tmp_path / "cache")) == 1
    # A planted entry proves the warm run reads the cache instead of analysing again.
    planted = replace(cold, diagnostics=cold.diagnostics * 2)
    entries[0].write_bytes(pickle.dumps(planted))
    assert check_file(source, settings).diagnostics == cold.diagnostics * 2
    source.write_text(UNGUARDED + "\n")
    assert check_file(source, settings).diagnostics == cold.diagnostics
    other = replace(settings, rules=tuple(r for r in all_rules() if r.code != "RT001"))
    assert check_file(source, other).diagnostics == []


def test_corrupt_entries_are_misses(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text(UNGUARDED)
    settings = Settings(rules=all_rules(), cache_dir=str(tmp_path / "cache"))
    cold = check_file(source, settings)
    for entry in _entries(tmp_path / "cache"):
        entry.write_bytes(b"not a pickle")
    assert check_file(source, settings).diagnostics == cold.diagnostics


def test_cli_cache_options(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(UNGUARDED)
    first = rtlint("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert (tmp_path / cache.DIRECTORY / ".gitignore").read_text().endswith("*\n")
    second = rtlint("check", "--output-format", "concise", ".", cwd=tmp_path)
    assert first.stdout == second.stdout and second.exit_code == 1
    other = tmp_path / "elsewhere"
    rtlint("check", "--cache-dir", str(other), ".", cwd=tmp_path)
    assert _entries(other)
    (tmp_path / "b.py").write_text(UNGUARDED)
    rtlint("check", "--no-cache", "b.py", cwd=tmp_path)
    assert len(_entries(tmp_path / cache.DIRECTORY)) == 1
