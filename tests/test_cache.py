"""The result cache: a warm run gives the same findings; content, settings or code changes miss."""

from __future__ import annotations

import os
import pickle
import time
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


def test_the_cache_lives_at_the_project_root_not_the_working_directory(tmp_path: Path) -> None:
    for marker in ("pyproject.toml", ".git"):
        root = tmp_path / marker.strip(".")
        (root / "src" / "deep").mkdir(parents=True)
        if marker == ".git":
            (root / marker).mkdir()
        else:
            (root / marker).write_text("")
        (root / "src" / "deep" / "a.py").write_text(UNGUARDED)
        result = rtlint("check", "a.py", cwd=root / "src" / "deep", env={"RTLINT_CACHE_DIR": ""})
        assert result.exit_code == 1
        assert _entries(root / cache.DIRECTORY), marker
        assert not (root / "src" / "deep" / cache.DIRECTORY).exists()
        assert cache.project_root(root / "src" / "deep") == root


def test_prune_drops_old_entries_then_the_least_recently_used(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    settings = Settings(rules=all_rules(), cache_dir=str(directory))
    for i in range(4):
        (tmp_path / f"m{i}.py").write_text(UNGUARDED + f"x = {i}\n")
        check_file(tmp_path / f"m{i}.py", settings)
    entries = _entries(directory)
    now = time.time()
    for age_days, entry in zip((40, 3, 2, 1), entries, strict=True):
        os.utime(entry, (now - age_days * 86400, now - age_days * 86400))
    size = entries[1].stat().st_size
    assert cache.prune(str(directory), max_bytes=2 * size + size // 2) == 2
    assert _entries(directory) == entries[2:]  # the 40-day-old one, then the oldest used
    assert cache.prune(str(directory), max_bytes=0) == 0  # pruned less than a day ago
    assert cache.prune(str(directory), max_bytes=0, every=0) == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "x.pickle").write_bytes(b"")
    assert cache.prune(str(tmp_path / "mine"), max_age_days=0, every=0) == 0  # not a cache


def test_clean_removes_the_cache_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text(UNGUARDED)
    env = {"RTLINT_CACHE_DIR": ""}
    rtlint("check", "a.py", cwd=tmp_path, env=env)
    assert (tmp_path / cache.DIRECTORY).is_dir()
    result = rtlint("clean", cwd=tmp_path / "sub", env=env)
    assert result.exit_code == 0 and result.stdout == f"Removed {tmp_path / cache.DIRECTORY}\n"
    assert not (tmp_path / cache.DIRECTORY).exists() and (tmp_path / "a.py").exists()
    assert rtlint("clean", cwd=tmp_path, env=env).stdout.startswith("No cache at ")
    refused = rtlint("clean", "--cache-dir", "sub", cwd=tmp_path, env=env)
    assert refused.exit_code == 2 and "not a cache rtlint created" in refused.stderr
    assert (tmp_path / "sub").is_dir()
