"""Output formats (snapshots of the rendered text), schemas, several outputs in one run, exit codes.

Snapshots live in ``tests/snapshots/``; after an intended change, regenerate them with
``RTLINT_UPDATE_SNAPSHOTS=1 pytest tests/test_outputs.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from rtlint import __version__
from rtlint.cli import _use_color
from rtlint.reporters import FORMATS
from tests.cli import rtlint, write

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "snapshots"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
JSON_SCHEMA = ROOT / "schemas" / "json-output.schema.json"

PROJECT = {
    "adapter.py": """\
import json


class Adapter:
    async def send_text(self, text):
        await self.ws.send(json.dumps({"type": "conversation.item.create"}))
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def greet(self):
        await self.ws.send(json.dumps({"type": "response.create"}))  # rtlint: ignore[RT001] -- once

    async def commit(self):
        if self._response_active:
            return
        await self.ws.send(json.dumps({"type": "response.create"}))  # rtlint: ignore[RT001]
""",
    "web/client.ts": """\
export class Client {
  onToolResult(output: string): void {
    const event = { type: "response.create" };
    this.ws.send(JSON.stringify(event));
  }
}
""",
    "clean.py": "print('no sends here')\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write(tmp_path / "project", PROJECT)


def _normalize(text: str, root: Path) -> str:
    text = text.replace(root.as_uri(), "file://<root>").replace(str(root), "<root>")
    return text.replace(f'"version": "{__version__}"', '"version": "<version>"')


def _compare(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("RTLINT_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with RTLINT_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the snapshot"


def _sarif_snapshot(text: str) -> str:
    """SARIF with each rule's documentation elided (its page has its own test)."""
    data = json.loads(text)
    for rule in data["runs"][0]["tool"]["driver"]["rules"]:
        rule["help"] = {"text": "<rule page>", "markdown": "<rule page>"}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_output_format_snapshot(project: Path, fmt: str) -> None:
    result = rtlint("check", "--output-format", fmt, cwd=project)
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    text = _normalize(result.stdout, project)
    _compare(f"check.{fmt}.txt", _sarif_snapshot(text) if fmt == "sarif" else text)


def test_sarif_validates_against_the_official_schema(project: Path) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"the SARIF schema is not at {SARIF_SCHEMA} (shared/ beside the checkout)")
    result = rtlint("check", "--output-format", "sarif", cwd=project)
    sarif = json.loads(result.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(
        r["helpUri"].endswith(f"docs/rules/{r['id']}.md") and r["help"]["text"] for r in rules
    )
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["RT001", "RT100", "RT001"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert "fixes" in results[1], "RT100's removal is a SARIF fix"
    assert results[2]["relatedLocations"][0]["message"]["text"]


def test_sarif_fingerprints_are_stable_when_lines_move(project: Path) -> None:
    def prints() -> list[str]:
        sarif = json.loads(rtlint("check", "--output-format", "sarif", cwd=project).stdout)
        return [r["partialFingerprints"]["rtlint/v1"] for r in sarif["runs"][0]["results"]]

    before = prints()
    assert len(set(before)) == len(before)
    adapter = project / "adapter.py"
    adapter.write_text(
        "# a new first line\n\n" + adapter.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert prints() == before


@pytest.mark.parametrize("fmt", ["json", "json-lines"])
def test_json_output_validates_against_the_repository_schema(project: Path, fmt: str) -> None:
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    out = rtlint("check", "--output-format", fmt, cwd=project).stdout
    findings: list[Any] = (
        json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    )
    assert len(findings) == 3
    jsonschema.validate(findings, schema)


def test_several_outputs_in_one_run(project: Path) -> None:
    result = rtlint(
        "check", "--output-file", "sarif=reports/rtlint.sarif", "--output-file", "json=out.json",
        "--output-file", "junit=reports/junit.xml", cwd=project,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Found 3 problems in 2 files (3 files checked)\n" in result.stdout, "text too"
    for fmt, name in (
        ("sarif", "reports/rtlint.sarif"),
        ("json", "out.json"),
        ("junit", "reports/junit.xml"),
    ):
        alone = rtlint("check", "--output-format", fmt, cwd=project).stdout
        assert (project / name).read_text(encoding="utf-8") == alone


def test_bad_output_file_is_a_usage_error(project: Path) -> None:
    result = rtlint("check", "--output-file", "yaml=out.yaml", cwd=project)
    assert result.exit_code == 2
    assert "expected FORMAT=PATH with FORMAT one of text, concise, json" in result.stderr
    (project / "blocker").write_text("")
    result = rtlint("check", "--output-file", "json=blocker/out.json", cwd=project)
    assert result.exit_code == 2
    assert result.stderr.startswith("rtlint: error: --output-file blocker/out.json: cannot write")


def test_statistics(project: Path) -> None:
    result = rtlint("check", "--statistics", cwd=project)
    assert result.exit_code == 1
    _compare("check.statistics.txt", result.stdout)
    data = json.loads(
        rtlint("check", "--statistics", "--output-format", "json", cwd=project).stdout
    )
    assert data == [
        {"code": "RT001", "name": "unguarded-response-create", "count": 2, "fixable": False},
        {"code": "RT100", "name": "unused-suppression", "count": 1, "fixable": True},
    ]


def test_quiet_prints_findings_only(project: Path) -> None:
    result = rtlint("check", "--quiet", "--output-format", "concise", cwd=project)
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 3 and "Found" not in result.stdout
    clean = rtlint("check", "-q", "clean.py", cwd=project)
    assert (clean.exit_code, clean.stdout) == (0, "")


def test_colour(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    always = rtlint("check", "--color", "always", cwd=project).stdout
    assert ansi.search(always)
    assert ansi.sub("", always) == rtlint("check", cwd=project).stdout
    assert not ansi.search(rtlint("check", "--color", "never", cwd=project).stdout)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color("auto")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _use_color("auto") and _use_color("always")


def test_exit_codes(project: Path) -> None:
    assert rtlint("check", "clean.py", cwd=project).exit_code == 0
    assert rtlint("check", cwd=project).exit_code == 1
    assert rtlint("check", "--exit-zero", cwd=project).exit_code == 0
    (project / "broken.py").write_text('def f(:\n    send({"type": "response.create"})\n')
    broken = rtlint("check", "--output-format", "concise", "broken.py", cwd=project)
    assert broken.exit_code == 1 and ": E999 " in broken.stdout
    missing = rtlint("check", "clean.py", "missing.py", "--exit-zero", cwd=project)
    assert missing.exit_code == 2
    assert missing.stderr == "rtlint: error: missing.py: no such file or directory\n"
    (project / "latin1.ts").write_bytes(b'send({"type": "response.create"}); // caf\xe9\n')
    undecodable = rtlint("check", "latin1.ts", cwd=project)
    assert undecodable.exit_code == 2
    assert (
        undecodable.stderr
        == "rtlint: error: latin1.ts: cannot decode as UTF-8 at line 1, byte 42 of the line\n"
    )
    assert rtlint("check", "--output-format", "xml", cwd=project).exit_code == 2


def test_stdin(project: Path) -> None:
    source = (project / "adapter.py").read_bytes()
    result = rtlint(
        "check",
        "--output-format",
        "concise",
        "--stdin-filename",
        "src/new.py",
        stdin=source,
        cwd=project,
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        "src/new.py:7:15: RT001 `response.create` can be sent while a response is active: "
        "no active-response check guards this send",
        "src/new.py:15:70: RT100 Unused suppression: `RT001` suppresses nothing here",
    ]
    assert result.stdout.endswith("(1 file checked)\n")
    write(
        project,
        {"rtlint.toml": 'extend-exclude = ["vendor"]\n[per-file-ignores]\n"src/*" = ["RT001"]\n'},
    )
    ignored = rtlint(
        "check",
        "-q",
        "--output-format",
        "concise",
        "--stdin-filename",
        "src/new.py",
        stdin=source,
        cwd=project,
    )
    assert (ignored.exit_code, ignored.stdout) == (0, ""), "RT001 is off there, and so never unused"
    excluded = rtlint(
        "check", "--force-exclude", "--stdin-filename", "vendor/x.py", stdin=source, cwd=project
    )
    assert excluded.exit_code == 0
    for args, message in (
        (
            ("--stdin-filename", "notes.txt"),
            "--stdin-filename notes.txt: not a file type rtlint checks",
        ),
        (
            ("--stdin-filename", "a.py", "other.py"),
            "--stdin-filename checks standard input: pass no PATHS",
        ),
        (("-",), "reading standard input needs --stdin-filename PATH"),
    ):
        bad = rtlint("check", *args, stdin=source, cwd=project)
        assert bad.exit_code == 2 and message in bad.stderr, bad.stderr


def test_code_frames_cut_long_lines_around_the_finding(tmp_path: Path) -> None:
    filler = "var a=" + "1+" * 30000 + "1;"
    bundle = f'{filler}ws.send(JSON.stringify({{type:"response.create"}}));{filler}\n'
    write(tmp_path, {"bundle.js": bundle, "short.js": bundle.replace(filler, "x();")})
    result = rtlint("check", "bundle.js", cwd=tmp_path)
    assert result.exit_code == 1
    frame = [line for line in result.stdout.splitlines() if line.startswith(("1 |", "  |"))]
    assert max(len(line) for line in result.stdout.splitlines()) < 200
    source, carets = frame[1], frame[2]
    assert source.startswith("1 | …") and source.endswith("…")
    column = carets.index("^")
    assert source[column:].startswith('ws.send(JSON.stringify({type:"response.create"}))')
    assert carets[column:].startswith("^" * 10)
    short = rtlint("check", "short.js", cwd=tmp_path).stdout
    assert '1 | x();ws.send(JSON.stringify({type:"response.create"}));x();' in short
