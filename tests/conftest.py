"""Shared fixtures: the npm packages the TypeScript runs need."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE = shutil.which("node")
NPM = shutil.which("npm")
PACKAGES = {"typescript": "5.9.3", "ws": "8.23.0"}


def node_cache() -> Path:
    """Where the npm packages are installed (``RTLINT_NODE_CACHE`` moves it)."""
    digest = hashlib.sha256(json.dumps(PACKAGES, sort_keys=True).encode()).hexdigest()[:12]
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rtlint"
    return Path(os.environ.get("RTLINT_NODE_CACHE") or default / f"node-{digest}")


def _installed(cache: Path) -> bool:
    return all((cache / "node_modules" / name / "package.json").is_file() for name in PACKAGES)


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """``typescript`` and ``ws`` from npm, installed once (under a lock, for xdist); the
    tests that need them are skipped only where Node.js is missing."""
    if NODE is None or NPM is None:
        pytest.skip("Node.js (node and npm) is not installed")
    cache = node_cache()
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed(cache):
            manifest = {"private": True, "dependencies": PACKAGES}
            (cache / "package.json").write_text(json.dumps(manifest, indent=2))
            install = subprocess.run(
                [str(NPM), "install", "--no-audit", "--no-fund", "--ignore-scripts"],
                cwd=cache,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert install.returncode == 0 and _installed(cache), (
                f"npm install of {PACKAGES} into {cache} failed:\n{install.stderr}"
            )
    return cache / "node_modules"
