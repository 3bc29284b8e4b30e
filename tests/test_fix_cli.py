"""``rtlint check --fix`` / ``--diff`` / ``--unsafe-fixes`` / ``--show-fixes`` on real files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.cli import rtlint

FIX = Path(__file__).parent / "fixtures" / "python" / "RT001" / "fix"
SAFE = (FIX / "route_through_helper.py").read_bytes()
CRLF = (FIX / "crlf_line_endings.py").read_bytes()
BOM_TABS = (FIX / "bom_and_tabs.py").read_bytes()


def _copy(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_fix_applies_safe_fixes_and_reports_what_remains(tmp_path: Path) -> None:
    safe = _copy(tmp_path, "safe.py", SAFE)
    unsafe = _copy(tmp_path, "unsafe.py", CRLF)
    result = rtlint("check", "--fix", ".", cwd=tmp_path)
    assert result.exit_code == 1  # the unsafe fix was held back: a finding remains
    assert safe.read_bytes() == (FIX / "route_through_helper.py.fixed").read_bytes()
    assert unsafe.read_bytes() == CRLF
    assert "Found 3 problems (2 fixed, 1 remaining; 2 files checked)" in result.stdout
    assert "1 unsafe fix can be applied with `--fix --unsafe-fixes`" in result.stdout


def test_unsafe_fixes_keep_crlf_bom_tabs_and_the_file_mode(tmp_path: Path) -> None:
    crlf = _copy(tmp_path, "crlf.py", CRLF)
    bom = _copy(tmp_path, "bom.py", BOM_TABS)
    os.chmod(crlf, 0o640)
    result = rtlint("check", "--fix", "--unsafe-fixes", "--show-fixes", ".", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout
    assert crlf.read_bytes() == (FIX / "crlf_line_endings.py.fixed").read_bytes()
    assert b"\r\n" in crlf.read_bytes() and b"\n" not in crlf.read_bytes().replace(b"\r\n", b"")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert bom.read_bytes() == (FIX / "bom_and_tabs.py.fixed").read_bytes()
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o640
    assert "crlf.py: 1 fix applied" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bom.py", "crlf.py"]  # no temp files


def test_diff_prints_the_change_and_writes_nothing(tmp_path: Path) -> None:
    path = _copy(tmp_path, "safe.py", SAFE)
    result = rtlint("check", "--diff", "safe.py", cwd=tmp_path)
    assert result.exit_code == 1
    assert (
        '-        await self._send({"type": "response.create"})  # expect: RT001' in result.stdout
    )
    assert "+        await self._request_response()  # expect: RT001" in result.stdout
    assert path.read_bytes() == SAFE
    clean = rtlint("check", "--diff", "safe.py", cwd=tmp_path, env={})
    assert clean.exit_code == 1
    path.write_bytes((FIX / "route_through_helper.py.fixed").read_bytes())
    assert rtlint("check", "--diff", "safe.py", cwd=tmp_path).exit_code == 0


def test_read_only_file_is_left_untouched_with_a_clear_error(tmp_path: Path) -> None:
    path = _copy(tmp_path, "safe.py", SAFE)
    os.chmod(path, 0o444)
    result = rtlint("check", "--fix", "safe.py", cwd=tmp_path)
    assert result.exit_code == 2
    assert "safe.py: cannot write the fixes: the file is read-only" in result.stderr
    assert path.read_bytes() == SAFE
    assert "Traceback" not in result.stderr
    # the fixes were not written, so the findings they would have resolved are still there
    found = SAFE.count(b"expect: RT001")
    assert f"Found {found} problems in 1 file (1 file checked, 1 error)" in result.stdout


def test_file_that_does_not_parse_is_skipped_and_untouched(tmp_path: Path) -> None:
    broken = SAFE.replace(b"async def send_text(self, text):", b"async def send_text(self, text:")
    path = _copy(tmp_path, "broken.py", broken)
    result = rtlint("check", "--fix", "broken.py", cwd=tmp_path)
    assert result.exit_code == 1
    assert "E999" in result.stdout
    assert "broken.py: warning: not fixed: the file does not parse" in result.stderr
    assert path.read_bytes() == broken


def test_stdin_fix_writes_the_fixed_source_to_stdout(tmp_path: Path) -> None:
    result = rtlint("check", "--fix", "--stdin-filename", "adapter.py", cwd=tmp_path, stdin=SAFE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (FIX / "route_through_helper.py.fixed").read_bytes()
    assert "All checks passed!" in result.stderr or "2 fixed" in result.stderr


def test_a_suggestion_says_where_its_edit_is_shown_and_it_is_there(tmp_path: Path) -> None:
    import json

    path = _copy(
        tmp_path, "f.py", b'async def f(ws):\n    await ws.send({"type": "response.create"})\n'
    )
    text = rtlint("check", "f.py", cwd=tmp_path).stdout
    assert "(suggestion only, never applied: its edit is in the JSON and SARIF output)" in text
    assert "--diff" not in text
    assert rtlint("check", "--diff", "f.py", cwd=tmp_path).stdout == ""  # never applied
    (finding,) = json.loads(rtlint("check", "--output-format", "json", "f.py", cwd=tmp_path).stdout)
    assert finding["fix"]["applicability"] == "display-only" and finding["fix"]["edits"]
    sarif = json.loads(rtlint("check", "--output-format", "sarif", "f.py", cwd=tmp_path).stdout)
    (result,) = sarif["runs"][0]["results"]
    assert result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert path.read_bytes().count(b"response.create") == 1


def test_fixes_keep_the_files_owner_and_group(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only a privileged process can give a file to someone else")
    path = _copy(tmp_path, "safe.py", SAFE)
    os.chown(path, 12345, 23456)
    result = rtlint("check", "--fix", "safe.py", cwd=tmp_path)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert path.read_bytes() == (FIX / "route_through_helper.py.fixed").read_bytes()
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 23456)
