"""The real pre-commit runs this checkout's hooks (``pre-commit try-repo``) in a temporary repo.

``try-repo`` builds the hook environment from the repository (``pip install .``, which
needs PyPI or a warm pip cache) in a throw-away store, about ten seconds per run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import write

ROOT = Path(__file__).resolve().parent.parent
JUNK = (
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
)
ENV = dict(
    os.environ,
    GIT_AUTHOR_NAME="rtlint tests",
    GIT_AUTHOR_EMAIL="tests@rtlint.invalid",
    GIT_COMMITTER_NAME="rtlint tests",
    GIT_COMMITTER_EMAIL="tests@rtlint.invalid",
    GIT_CONFIG_GLOBAL=os.devnull,
)

UNGUARDED = """\
import json


class Adapter:
    async def send_text(self, text):
        await self.ws.send(json.dumps({"type": "conversation.item.create"}))
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def request_response(self):
        if self._response_active:
            self._response_pending = True
            return
        self._response_active = True
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def on_response_done(self):
        self._response_active = False
        if self._response_pending:
            self._response_pending = False
            await self.request_response()
"""

GUARDED = """\
class Adapter {
  commit(): void {
    if (this.isResponseActive()) return;
    this.ws.send(JSON.stringify({ type: "response.create" }));
  }
}
"""

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=ENV, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of this checkout (``try-repo`` on a dirty tree misses untracked files)."""
    repo = tmp_path_factory.mktemp("hooks") / "rtlint"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(*JUNK))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "rtlint under test")
    return repo


def _try_repo(
    hook_repo: Path, project: Path, hook: str, *files: str
) -> subprocess.CompletedProcess[str]:
    if not (project / ".git").exists():
        _git(project, "init", "-q")
    _git(project, "add", "-A")
    command = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(hook_repo),
        hook,
        "--files",
        *files,
    ]
    return subprocess.run(
        command, cwd=project, env=ENV, capture_output=True, text=True, timeout=600
    )


def test_rtlint_hook_fails_on_an_unguarded_send_and_passes_a_guarded_one(
    hook_repo: Path, tmp_path: Path
) -> None:
    project = write(tmp_path, {"adapter.py": UNGUARDED, "web/client.ts": GUARDED})
    failed = _try_repo(hook_repo, project, "rtlint", "adapter.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "rtlint...." in failed.stdout and "Failed" in failed.stdout
    assert (
        "adapter.py:7:15: RT001 [*] `response.create` can be sent while a response is active"
        in failed.stdout
    )
    passed = _try_repo(hook_repo, project, "rtlint", "web/client.ts")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_rtlint_fix_hook_rewrites_the_unguarded_send(hook_repo: Path, tmp_path: Path) -> None:
    project = write(tmp_path, {"adapter.py": UNGUARDED})
    result = _try_repo(hook_repo, project, "rtlint-fix", "adapter.py")
    assert "files were modified by this hook" in result.stdout, result.stdout + result.stderr
    fixed = (project / "adapter.py").read_text(encoding="utf-8")
    assert fixed != UNGUARDED and "await self.request_response()" in fixed


def test_hooks_run_on_every_suffix_rtlint_checks(hook_repo: Path, tmp_path: Path) -> None:
    """pre-commit gives `.mts`/`.cts` no type tag, so the hooks match on file names."""
    unguarded = GUARDED.replace("    if (this.isResponseActive()) return;\n", "")
    project = write(tmp_path, {"client.mts": unguarded, "server.cts": unguarded})
    failed = _try_repo(hook_repo, project, "rtlint", "client.mts", "server.cts")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "client.mts:3:" in failed.stdout and "server.cts:3:" in failed.stdout, failed.stdout


def test_hook_file_patterns_cover_every_suffix() -> None:
    import re

    from rtlint.frontends import SUFFIXES

    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "types" not in text  # pre-commit's type tags miss .mts/.cts
    patterns = re.findall(r"^  files: (.+)$", text, re.MULTILINE)
    assert len(patterns) == text.count("- id:") == 2
    for pattern in map(re.compile, patterns):
        for suffix in SUFFIXES:
            assert pattern.search(f"src/module{suffix}"), (pattern, suffix)
            assert pattern.search(f"src/MODULE{suffix.upper()}"), (pattern, suffix)
        assert not pattern.search("notes.txt") and not pattern.search("x.py.orig")
