"""Checking many files: prefiltered in this process, analysed in workers, results in order."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rtlint import engine
from rtlint.engine import Settings, check_files
from rtlint.registry import all_rules

FIXTURES = Path(__file__).parent / "fixtures"


def _tree(root: Path) -> list[Path]:
    """Fixtures of both languages interleaved with files the prefilter skips."""
    paths: list[Path] = []
    for i, fixture in enumerate(sorted(FIXTURES.glob("*/RT001/*.*"))[::8]):
        quiet = root / f"quiet{i}.py"
        quiet.write_text(f"def f{i}():\n    return {i}\n", encoding="utf-8")
        copy = root / fixture.name
        shutil.copyfile(fixture, copy)
        paths += [quiet, copy]
    return paths


def test_workers_give_the_results_of_one_process_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _tree(tmp_path)
    settings = Settings(rules=all_rules())
    alone = check_files(paths, settings, jobs=1)
    monkeypatch.setattr(engine, "POOL_MIN_BYTES", 0)
    pooled = check_files(paths, settings, jobs=2)
    assert [r.path for r in pooled] == [str(p) for p in paths]
    assert pooled == alone
    assert any(r.diagnostics for r in alone)
    assert all(r.skipped for r in alone if Path(r.path).name.startswith("quiet"))


MULTI = FIXTURES / "python" / "RT001" / "multi"


@pytest.mark.parametrize("cached", [False, True])
def test_reading_in_workers_gives_the_results_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    """Workers that read, prefilter and scan the skipped files for the plan (many files)
    give what one process gives: the same findings, the same files joining the run."""
    paths = _tree(tmp_path)
    shutil.copytree(MULTI, tmp_path / "multi")  # files that join through what others define
    paths += sorted((tmp_path / "multi").rglob("*.py"))
    cache = str(tmp_path / "cache") if cached else None
    settings = Settings(rules=all_rules(), cache_dir=cache)
    monkeypatch.setattr(engine, "PLAN_CACHE_MIN_BYTES", 0)
    alone = check_files(paths, settings, jobs=1)
    monkeypatch.setattr(engine, "FRONT_POOL_MIN_FILES", 0)
    monkeypatch.setattr(engine, "POOL_MIN_BYTES", 0)
    for _ in range(2 if cached else 1):  # with a cache: made, then read back
        pooled = check_files(paths, Settings(rules=all_rules(), cache_dir=cache), jobs=2)
        assert [r.path for r in pooled] == [str(p) for p in paths]
        assert pooled == alone
    assert sum(len(r.diagnostics) for r in alone if "/multi/" in r.path) > 1


def test_timings_name_every_stage_rule_and_the_slowest_files(tmp_path: Path) -> None:
    _tree(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "rtlint", "check", "--no-cache", "--timings", "-q", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    lines = run.stderr.splitlines()
    stages = [line.split()[0] for line in lines[1:8]]
    assert stages == ["discover", "read", "prefilter", "project", "parse", "analyse", "report"]
    assert any(line.startswith("RT001 ") for line in lines)
    slowest = lines[lines.index(next(x for x in lines if x.startswith("slowest files"))) + 1 :]
    named = [line for line in slowest if line.strip().endswith((".py", ".ts", ".tsx"))]
    assert len(named) == 5
    assert not any("quiet" in line for line in named)
