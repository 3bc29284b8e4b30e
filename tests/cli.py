"""Run the ``rtlint`` command in-process from a given working directory."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from rtlint.cli import main


def rtlint(
    *args: str, cwd: Path, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> Result:
    """Invoke ``rtlint ARGS`` in ``cwd``; exceptions propagate (a traceback is a bug)."""
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)
    finally:
        os.chdir(previous)


def write(root: Path, files: Mapping[str, str]) -> Path:
    """Create ``files`` (relative path → text) under ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def concise(cwd: Path, *args: str) -> tuple[int, list[str], str]:
    """``rtlint check --output-format concise ARGS`` in ``cwd``: exit code, findings, stderr."""
    result = rtlint("check", "--output-format", "concise", *args, cwd=cwd)
    found = [line for line in result.stdout.splitlines() if re.search(r":\d+:\d+: ", line)]
    return result.exit_code, found, result.stderr
