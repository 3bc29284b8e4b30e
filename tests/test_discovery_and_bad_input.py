"""Which files are checked; bad input gets one line naming the file, never a traceback."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rtlint.engine import MAX_FILE_BYTES
from tests.cli import concise, rtlint, write

UNGUARDED = """import json


async def f(ws):
    await ws.send(json.dumps({"type": "response.create"}))
"""
UNGUARDED_TS = """export function f(ws: WebSocket) {
  ws.send(JSON.stringify({ type: "response.create" }));
}
"""


def test_walk_skips_vendor_and_build_dirs_and_gitignored_paths(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/a.py": UNGUARDED,
        "src/node_modules/lib/x.js": UNGUARDED_TS,
        "dist/bundle.js": UNGUARDED_TS,
        "generated/g.py": UNGUARDED,
        ".gitignore": "generated/\n",
        "venvlike/pyvenv.cfg": "",
        "venvlike/lib/y.py": UNGUARDED,
        "web/app.tsx": UNGUARDED_TS,
        "notes.txt": "response.create",
    })  # fmt: skip
    code, lines, _ = concise(tmp_path)
    assert code == 1
    assert sorted(line.split(":")[0] for line in lines) == ["src/a.py", "web/app.tsx"]


def test_minified_and_bundled_scripts_are_skipped_unless_named(tmp_path: Path) -> None:
    write(tmp_path, {
        "web/app.ts": UNGUARDED_TS,
        "web/app.min.js": UNGUARDED_TS,
        "web/lib.min.mjs": UNGUARDED_TS,
        "web/vendor.bundle.js": UNGUARDED_TS,
        "web/main.3f2a.chunk.js": UNGUARDED_TS,
        "web/minimal.js": UNGUARDED_TS,
    })  # fmt: skip
    _, lines, _ = concise(tmp_path)
    assert sorted(line.split(":")[0] for line in lines) == ["web/app.ts", "web/minimal.js"]
    assert concise(tmp_path, "web/app.min.js")[0] == 1
    assert concise(tmp_path, "--force-exclude", "web/app.min.js")[1] == []


def test_a_directory_named_on_purpose_is_checked_even_if_excluded(tmp_path: Path) -> None:
    write(tmp_path, {"dist/bundle.js": UNGUARDED_TS, "dist/node_modules/m.js": UNGUARDED_TS})
    code, lines, _ = concise(tmp_path, "dist")
    assert code == 1 and [line.split(":")[0] for line in lines] == ["dist/bundle.js"]


def test_nothing_to_check_says_why(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/dist/bundle.js": UNGUARDED_TS})
    code, lines, stderr = concise(tmp_path, "pkg")
    assert code == 0 and not lines
    assert "no files to check" in stderr and "`dist`" in stderr


def test_explicit_files_are_checked_and_force_exclude_applies_excludes(tmp_path: Path) -> None:
    write(tmp_path, {"build/gen.py": UNGUARDED})
    assert concise(tmp_path, "build/gen.py")[0] == 1
    code, lines, _ = concise(tmp_path, "--force-exclude", "build/gen.py")
    assert code == 0 and not lines


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = concise(tmp_path, "nowhere.py")
    assert code == 2 and "nowhere.py: no such file or directory" in stderr


def test_syntax_error_is_a_finding_and_other_files_are_still_checked(tmp_path: Path) -> None:
    write(tmp_path, {
        "bad.py": "def f(:\n    'response.create'\n",
        "bad.ts": "const x = { type: 'response.create' ;\n",
        "good.py": UNGUARDED,
    })  # fmt: skip
    code, lines, stderr = concise(tmp_path)
    assert code == 1, stderr
    assert any(line.startswith("bad.py:1:") and "E999 syntax error" in line for line in lines)
    assert any(line.startswith("bad.ts:") and "E999 syntax error" in line for line in lines)
    assert any(line.startswith("good.py:5:") for line in lines)
    assert "Traceback" not in stderr


def test_undecodable_empty_and_huge_files(tmp_path: Path) -> None:
    (tmp_path / "latin.ts").write_bytes(b"// caf\xe9\nsend('response.create')\n")
    (tmp_path / "empty.py").write_bytes(b"")
    with (tmp_path / "huge.py").open("wb") as big:
        big.truncate(MAX_FILE_BYTES + 1)
    code, _, stderr = concise(tmp_path)
    assert code == 2
    assert "latin.ts: cannot decode as UTF-8 at line 1, byte 7 of the line" in stderr
    assert "huge.py: skipped: larger than 8 MiB" in stderr
    assert "empty.py" not in stderr and "Traceback" not in stderr


def test_symlink_loops_and_dangling_links_do_not_hang_or_fail(tmp_path: Path) -> None:
    write(tmp_path, {"src/a.py": UNGUARDED})
    os.symlink(tmp_path / "src", tmp_path / "src" / "loop")
    os.symlink(tmp_path / "missing.py", tmp_path / "src" / "dangling.py")
    code, lines, stderr = concise(tmp_path)
    assert code == 1 and [line.split(":")[0] for line in lines] == ["src/a.py"], stderr


def _drop_permission_override() -> None:
    """In the child before ``exec``: without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH even root
    obeys permission bits, so ``chmod 0`` makes a real unreadable path (tests run as root)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


PR_CAPBSET_DROP = 24


def _rtlint_unprivileged(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``rtlint ARGS`` in a real process that cannot read what permission bits forbid."""
    command = [sys.executable, "-m", "rtlint", *args]
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, preexec_fn=_drop_permission_override
    )


def test_unreadable_directory_is_named_and_the_rest_is_checked(tmp_path: Path) -> None:
    write(tmp_path, {"locked/a.py": UNGUARDED, "open/b.py": UNGUARDED})
    os.chmod(tmp_path / "locked", 0)
    try:
        for args in ((), ("locked", "open")):
            run = _rtlint_unprivileged(tmp_path, "check", "--output-format", "concise", *args)
            assert run.returncode == 2, run.stderr
            assert run.stderr == "rtlint: error: locked: Permission denied\n"
            assert run.stdout.startswith("open/b.py:5:11: RT001 ")
            assert "(1 file checked, 1 error)" in run.stdout
    finally:
        os.chmod(tmp_path / "locked", 0o755)


def test_unreadable_file_named_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    write(tmp_path, {"locked.py": UNGUARDED, "b.py": UNGUARDED})
    os.chmod(tmp_path / "locked.py", 0)
    run = _rtlint_unprivileged(tmp_path, "check", "--output-format", "concise", "locked.py", "b.py")
    assert run.returncode == 2
    assert run.stderr == "rtlint: error: locked.py: cannot read: Permission denied\n"
    assert run.stdout.startswith("b.py:5:11: RT001 ")


@pytest.mark.parametrize("make", ["missing", "loop", "undecodable"])
def test_the_summary_never_says_all_passed_when_a_path_failed(tmp_path: Path, make: str) -> None:
    write(tmp_path, {"good.py": "x = 1\n"})
    if make == "loop":
        os.symlink("bad.py", tmp_path / "bad.py")
    elif make == "undecodable":
        (tmp_path / "bad.ts").write_bytes(b"// caf\xe9\nsend('response.create')\n")
    name = "bad.ts" if make == "undecodable" else "bad.py"
    result = rtlint("check", "good.py", name, cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rtlint: error: {name}: ") and result.stderr.count("\n") == 1
    assert "All checks passed!" not in result.stdout
    assert result.stdout == "No problems found (1 file checked, 1 error)\n"


def test_usage_errors_are_one_line_in_rtlint_style(tmp_path: Path) -> None:
    for args in (
        ("check", "--output-format", "bogus"),
        ("check", "--jobs", "0"),
        ("check", "--output-file", "nonsense"),
        ("check", "--no-such-option"),
        ("no-such-command",),
        ("config", "nowhere"),
        ("rule",),
    ):
        result = rtlint(*args, cwd=tmp_path)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("rtlint: error: "), (args, result.stderr)
        assert result.stderr.count("\n") == 1, (args, result.stderr)
        assert "Usage:" not in result.stderr and not result.stdout
    assert (
        "rtlint: error: nowhere: no such file or directory"
        in rtlint("config", "nowhere", cwd=tmp_path).stderr
    )


def test_thousands_of_paths_in_one_process(tmp_path: Path) -> None:
    names = [f"m{i}.py" for i in range(2000)]
    for name in names:
        (tmp_path / name).write_text("x = 1\n")
    (tmp_path / "z.py").write_text(UNGUARDED)
    code, lines, _ = concise(tmp_path, *names, "z.py")
    assert code == 1 and lines == [f"z.py:5:11: RT001 {lines[0].split(' RT001 ')[1]}"]


def test_a_rule_that_crashes_names_the_file_and_the_run_goes_on() -> None:
    from collections.abc import Iterator

    from rtlint.diagnostics import Diagnostic
    from rtlint.engine import Settings, check_source
    from rtlint.rule import Context, Rule

    class Broken(Rule):
        code, name, summary = "RT999", "broken", "always crashes"

        def check(self, ctx: Context) -> Iterator[Diagnostic]:
            raise KeyError("boom")

    result = check_source("a.py", UNGUARDED.encode(), Settings(rules=(Broken,)))
    assert result.error == "internal error (KeyError: 'boom'); please report it"
    assert result.diagnostics == []


def test_syntax_errors_are_a_rule_that_can_be_selected_and_ignored(tmp_path: Path) -> None:
    import json

    write(tmp_path, {"bad.py": "def f(:\n    'response.create'\n", "good.py": UNGUARDED})
    assert any(": E999 " in line for line in concise(tmp_path)[1])
    for args in (("--ignore", "E999"), ("--ignore", "syntax-error"), ("--select", "RT001")):
        code, lines, stderr = concise(tmp_path, *args)
        assert code == 1 and [line.split(":")[0] for line in lines] == ["good.py"], stderr
    code, lines, _ = concise(tmp_path, "--select", "E999")
    assert code == 1 and [line.split(":")[0] for line in lines] == ["bad.py"]
    write(tmp_path, {"pyproject.toml": '[tool.rtlint.per-file-ignores]\n"bad.py" = ["E999"]\n'})
    assert [line.split(":")[0] for line in concise(tmp_path)[1]] == ["good.py"]
    fixed = rtlint("check", "--fix", "--isolated", "--ignore", "E999", "bad.py", cwd=tmp_path)
    assert fixed.exit_code == 0 and "not fixed: the file does not parse" in fixed.stderr
    assert (tmp_path / "bad.py").read_text() == "def f(:\n    'response.create'\n"
    sarif = json.loads(rtlint("check", "--output-format", "sarif", cwd=tmp_path).stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert "E999" in [r["id"] for r in rules]
    assert rtlint("rule", "E999", cwd=tmp_path).stdout.startswith("# syntax-error (E999)")


def test_a_file_that_partly_parses_is_analysed_where_it_is_sound(tmp_path: Path) -> None:
    broken = """export function broken(ws: WebSocket) {
  const x = { type: "response.create" ;
}

export function sound(ws: WebSocket) {
  ws.send(JSON.stringify({ type: "response.create" }));
}
"""
    write(tmp_path, {"mixed.ts": broken})
    code, lines, _ = concise(tmp_path)
    assert code == 1
    assert [line.split(" ")[:2] for line in lines] == [
        ["mixed.ts:2:38:", "E999"],
        ["mixed.ts:6:3:", "RT001"],
    ]
    fixed = rtlint("check", "--fix", "--unsafe-fixes", "mixed.ts", cwd=tmp_path)
    assert "not fixed: the file does not parse" in fixed.stderr
    assert (tmp_path / "mixed.ts").read_text() == broken


def test_jsx_text_the_grammar_rejects_but_typescript_accepts_is_not_e999(tmp_path: Path) -> None:
    page = (
        'export const Title = () => <h4>API Version & Project</h4>;\nws.send("response.create");\n'
    )
    write(tmp_path, {"title.tsx": page, "title.jsx": page, "legacy.js": page})
    code, lines, stderr = concise(tmp_path)
    assert code == 1, stderr
    assert sorted(line.split(" ")[:2] for line in lines) == [
        ["legacy.js:2:1:", "RT001"],
        ["title.jsx:2:1:", "RT001"],
        ["title.tsx:2:1:", "RT001"],
    ]
