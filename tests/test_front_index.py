"""With a cache, a file whose status (size, times, inode) is unchanged since the last run
is not read and scanned again; any change to it, or a change too recent to judge, is."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from rtlint import engine, replay
from rtlint.engine import Settings, check_files
from rtlint.registry import all_rules

UNGUARDED = 'async def reply(ws):\n    await ws.send({"type": "response.create"})\n'
PLAIN = "def add(a, b):\n    return a + b\n"


def _runner(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], tuple[list[str], list[str]]]:
    """A checker of ``tree`` with a cache: each call gives the findings and the names of the
    files the run read."""
    settings = Settings(all_rules(), cache_dir=str(tree.parent / "cache"))
    read: list[str] = []
    original = engine.read_source

    def reading(path: Path) -> bytes | str:
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(engine, "read_source", reading)
    read_bytes = Path.read_bytes

    def reading_bytes(path: Path) -> bytes:  # how a cached view's files are checked
        if path.is_relative_to(tree):
            read.append(path.name)
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", reading_bytes)

    def run() -> tuple[list[str], list[str]]:
        read.clear()
        results = check_files(sorted(tree.iterdir()), settings, jobs=1)
        found = [f"{Path(r.path).name}:{d.code}" for r in results for d in r.diagnostics]
        return found, sorted(read)

    return run


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    root.mkdir()
    (root / "agent.py").write_text(UNGUARDED)
    for n in range(3):
        (root / f"util{n}.py").write_text(PLAIN)
    return root


@pytest.fixture(autouse=True)
def _plan_cached_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PLAN_CACHE_MIN_BYTES", 0)  # as in a large tree


def test_unchanged_files_are_not_read_again(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay, "RACY_SECONDS", 0.0)
    run = _runner(tree, monkeypatch)
    every = ["agent.py", "util0.py", "util1.py", "util2.py"]
    assert run() == (["agent.py:RT001"], every)
    assert run() == (["agent.py:RT001"], ["agent.py"])  # its bytes are analysed: it is read
    (tree / "agent.py").write_text(UNGUARDED + "# edited\n")  # it defines what it did
    assert run() == (["agent.py:RT001"], ["agent.py"])
    (tree / "util2.py").write_text(UNGUARDED)
    found, read = run()  # (a new plan reads the skipped files for what agent.py defines)
    assert found == ["agent.py:RT001", "util2.py:RT001"] and "util2.py" in read
    assert run() == (["agent.py:RT001", "util2.py:RT001"], ["agent.py", "util2.py"])


def test_an_edit_that_keeps_size_and_modification_time_is_seen(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replay, "RACY_SECONDS", 0.0)
    run = _runner(tree, monkeypatch)
    run()
    target = tree / "util0.py"
    before = target.stat()
    target.write_text(PLAIN.replace("a + b", "b + a"))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))  # the change time moves
    assert target.stat().st_size == before.st_size
    assert "util0.py" in run()[1]
    assert run()[1] == ["agent.py"]


def test_files_changed_just_before_a_run_are_read_again(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _runner(tree, monkeypatch)  # the files were written just now: too recent to judge
    run()
    assert run()[1] == ["agent.py", "util0.py", "util1.py", "util2.py"]


def test_the_files_a_cached_view_was_made_from_are_not_read_while_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_project_index import CALLER, HELPER_DEFERS, HELPER_SENDS

    monkeypatch.setattr(replay, "RACY_SECONDS", 0.0)
    root = tmp_path / "src"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "helpers.py").write_text(HELPER_SENDS)
    (root / "app.py").write_text(CALLER)
    run = _runner(root, monkeypatch)
    assert run()[0] == ["app.py:RT001"]
    assert run() == (["app.py:RT001"], ["app.py"])  # helpers.py: known unchanged
    (root / "helpers.py").write_text(HELPER_DEFERS)
    assert run()[0] == []  # the cached result of app.py no longer holds
