"""`rtlint check` on an unchanged tree replays its last answer; any change runs the check."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rtlint import replay

UNGUARDED = 'async def reply(ws):\n    await ws.send({"type": "response.create"})\n'
BLOCKED = (
    "import sys; sys.modules['rtlint.cli'] = None; from rtlint.replay import main\n"
    "try:\n    main()\nexcept ImportError:\n    sys.exit(99)"
)
"""``rtlint`` that cannot load the checker (exit 99 when it tries): it only answers by
replaying a record."""
NOT_REPLAYED = 99


def _run(project: Path, *args: str, blocked: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", BLOCKED] if blocked else [sys.executable, "-m", "rtlint"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RTLINT_")}
    env["RTLINT_CACHE_DIR"] = str(project.parent / "cache")  # a run leaves the tree as it was
    return subprocess.run(
        [*command, "check", "--output-format", "concise", *args, "."],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose files are older than the racy window, checked once."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "src" / "agent.py").write_text(UNGUARDED)
    time.sleep(replay.RACY_SECONDS + 0.1)
    first = _run(root)
    assert first.returncode == 1 and "RT001" in first.stdout
    return root


def test_an_unchanged_tree_is_answered_without_loading_the_checker(project: Path) -> None:
    first = _run(project)
    again = _run(project, blocked=True)
    assert (again.returncode, again.stdout, again.stderr) == (1, first.stdout, first.stderr)
    assert list((project.parent / "cache" / replay.RUNS).iterdir())


def test_a_record_lists_the_most_recently_changed_first(project: Path) -> None:
    import marshal

    (record,) = (project.parent / "cache" / replay.RUNS).iterdir()
    statuses = marshal.loads(record.read_bytes())[0]
    times = [max(s[0], s[1]) if s else 0 for _, s in statuses]
    assert times == sorted(times, reverse=True)  # a replay stops at the first change
    files = [path for path, _ in statuses if path.endswith(".py")]
    assert Path(files[0]).parts[-2:] == ("src", "agent.py")  # the checked file: the newest


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_checked(project: Path) -> None:
    source = project / "src" / "agent.py"
    before = source.stat()
    source.write_text(UNGUARDED.replace("response.create", "response.cancel"))  # same size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size
    assert _run(project, blocked=True).returncode == NOT_REPLAYED
    rerun = _run(project)
    assert "RT001" not in rerun.stdout


def test_a_new_file_a_new_configuration_or_other_arguments_are_checked(project: Path) -> None:
    (project / "src" / "helper.py").write_text(UNGUARDED)
    assert _run(project, blocked=True).returncode == NOT_REPLAYED
    assert _run(project).stdout.count("RT001") == 2
    time.sleep(replay.RACY_SECONDS + 0.1)
    _run(project)
    assert _run(project, blocked=True).returncode == 1  # replayed: recorded again
    (project / "pyproject.toml").write_text('[tool.rtlint]\nignore = ["RT001"]\n')
    assert _run(project, blocked=True).returncode == NOT_REPLAYED
    assert _run(project, "--select", "RT002", blocked=True).returncode == NOT_REPLAYED


def test_runs_that_write_read_input_or_skip_the_cache_are_never_replayed(project: Path) -> None:
    for args in (("--no-cache",), ("--diff",), ("--output-file", "json=out.json")):
        _run(project, *args)
        assert _run(project, *args, blocked=True).returncode == NOT_REPLAYED, args


def test_a_file_changed_just_before_the_run_leaves_no_record(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "agent.py").write_text(UNGUARDED)
    assert _run(root).returncode == 1
    assert _run(root, blocked=True).returncode == NOT_REPLAYED


def test_a_configuration_above_a_checked_path_outside_the_working_directory_counts(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "repo" / "src").mkdir(parents=True)
    (elsewhere / "repo" / "src" / "agent.py").write_text(UNGUARDED)
    here = tmp_path / "project"
    (here / ".git").mkdir(parents=True)
    time.sleep(replay.RACY_SECONDS + 0.1)
    target = str(elsewhere / "repo" / "src")
    assert _run(here, target).returncode == 1
    assert _run(here, target, blocked=True).returncode == 1  # replayed
    (elsewhere / "repo" / "pyproject.toml").write_text('[tool.rtlint]\nignore = ["RT001"]\n')
    assert _run(here, target, blocked=True).returncode == NOT_REPLAYED
    assert _run(here, target).returncode == 0
