"""Baselines: write today's findings, report only new ones, count the ones that are gone."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli import concise, rtlint, write

ADAPTER = """\
import json


class Adapter:
    async def send_text(self, text):
        await self.ws.send(json.dumps({"type": "conversation.item.create"}))
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def commit(self):
        await self.ws.send(json.dumps({"type": "input_audio_buffer.commit"}))
        await self.ws.send(json.dumps({"type": "response.create"}))
"""

NEW_METHOD = """
    async def greet(self):
        await self.ws.send(json.dumps({"type": "response.create"}))
"""


def _concise(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    return concise(tmp_path, "--no-cache", *args, ".")


def test_round_trip_edits_elsewhere_stay_baselined_new_findings_are_reported(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"adapter.py": ADAPTER})
    code, found, _ = _concise(tmp_path)
    assert code == 1 and len(found) == 2

    code, found, err = _concise(tmp_path, "--write-baseline", "rtlint-baseline.json")
    assert (code, found) == (0, []), err
    assert "baseline of 2 findings written" in err
    entries = json.loads((tmp_path / "rtlint-baseline.json").read_text())["findings"]
    assert {(e["path"], e["code"]) for e in entries} == {("adapter.py", "RT001")}

    # Edit elsewhere: lines move, the indentation of unrelated code changes.
    moved = "# a header comment\n\n\n" + ADAPTER.replace("text):", "text, voice=None):")
    (tmp_path / "adapter.py").write_text(moved)
    code, found, err = _concise(tmp_path, "--baseline", "rtlint-baseline.json")
    assert (code, found) == (0, []), err
    assert "2 baselined findings not reported" in err

    # A new finding, even one on a line identical to a baselined one, is reported.
    (tmp_path / "adapter.py").write_text(moved + NEW_METHOD)
    code, found, err = _concise(tmp_path, "--baseline", "rtlint-baseline.json")
    assert code == 1
    assert [f.split(": ", 1)[0] for f in found] == [f"adapter.py:{moved.count(chr(10)) + 3}:15"]


def test_fixed_findings_are_counted_as_gone(tmp_path: Path) -> None:
    write(tmp_path, {"adapter.py": ADAPTER, "other.py": ADAPTER})
    _concise(tmp_path, "--write-baseline", "base.json")
    fixed = ADAPTER.replace(
        '        await self.ws.send(json.dumps({"type": "response.create"}))\n', "", 1
    )
    (tmp_path / "adapter.py").write_text(fixed)
    code, found, err = _concise(tmp_path, "--baseline", "base.json")
    assert (code, found) == (0, [])
    assert "3 baselined findings not reported; 1 is gone" in err
    assert "--write-baseline base.json" in err
    # Files that were not checked this time do not count as gone.
    run = rtlint("check", "--no-cache", "--baseline", "base.json", "other.py", cwd=tmp_path)
    assert run.exit_code == 0 and "gone" not in run.stderr


def test_baseline_from_the_configuration_is_relative_to_it(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/adapter.py": ADAPTER, "pkg/rtlint.toml": 'baseline = "base.json"\n'})
    rtlint("check", "--no-cache", "--write-baseline", "pkg/base.json", ".", cwd=tmp_path)
    code, found, err = _concise(tmp_path / "pkg")
    assert (code, found) == (0, []), err
    code, found, err = _concise(tmp_path)
    assert (code, found) == (0, []), err
    config = rtlint("config", "pkg", cwd=tmp_path)
    assert f'baseline = "{tmp_path / "pkg" / "base.json"}"' in config.stdout


def test_bad_baselines_are_one_line_errors(tmp_path: Path) -> None:
    write(tmp_path, {"adapter.py": ADAPTER, "bad.json": "{not json", "old.json": "[]"})
    for name, expected in (
        ("missing.json", "missing.json: cannot read the baseline: No such file or directory"),
        ("bad.json", "bad.json: not a baseline file:"),
        ("old.json", "old.json: not a version 1 rtlint baseline"),
    ):
        run = rtlint("check", "--no-cache", "--baseline", name, ".", cwd=tmp_path)
        assert run.exit_code == 2
        assert run.stderr.startswith(f"rtlint: error: {expected}"), run.stderr
        assert len(run.stderr.splitlines()) == 1
    write(tmp_path, {"rtlint.toml": "baseline = 3\n"})
    run = rtlint("check", "--no-cache", ".", cwd=tmp_path)
    assert run.exit_code == 2
    assert "rtlint.toml: baseline: expected a path (a string), got an integer" in run.stderr


def test_syntax_errors_are_never_baselined(tmp_path: Path) -> None:
    write(tmp_path, {"broken.py": 'def f(:\n    send({"type": "response.create"})\n'})
    code, found, _ = _concise(tmp_path, "--write-baseline", "base.json")
    assert code == 1 and [f.split(": ")[1][:4] for f in found] == ["E999"]
    assert json.loads((tmp_path / "base.json").read_text())["findings"] == []


def test_readme_commands(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Baseline\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block
    commands = [line.split("#")[0].split() for line in block.group(1).splitlines()]
    write(tmp_path, {"adapter.py": ADAPTER})
    for command in commands:
        assert command[0] == "rtlint"
        run = rtlint(*command[1:], "--no-cache", cwd=tmp_path)
        assert run.exit_code == 0, run.stdout + run.stderr
    (tmp_path / "adapter.py").write_text(ADAPTER + NEW_METHOD)
    assert rtlint(*commands[1][1:], "--no-cache", cwd=tmp_path).exit_code == 1
    config = re.search(r'`(baseline = "[^"]+")`', section)
    assert config
    write(tmp_path, {"rtlint.toml": config.group(1) + "\n", "adapter.py": ADAPTER})
    assert rtlint("check", "--no-cache", ".", cwd=tmp_path).exit_code == 0
