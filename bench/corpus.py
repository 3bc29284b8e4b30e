"""The real-code corpus: realtime packages fetched from PyPI and npm, unpacked once.

Pinned versions, so that runs on different days measure the same code. Downloads go to
``~/.cache/rtlint-bench`` (or ``$RTLINT_BENCH_CACHE``) and are reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

WHEELS = (
    "pipecat-ai==1.14.0",
    "livekit-agents==1.8.9",
    "livekit-plugins-openai==1.8.9",
    "openai-agents==0.24.0",
    "openai==3.57.0",
)
TARBALLS = (
    "@openai/agents-realtime@0.20.0",
    "@openai/agents-openai@0.20.0",
    "@openai/agents@0.20.0",
    "openai@6.49.0",
    "@livekit/agents-plugin-openai@1.9.0",
    "openai-realtime-api@1.0.8",
)


def fetch() -> Path:
    """The unpacked packages (downloaded on first use)."""
    cache = Path(os.environ.get("RTLINT_BENCH_CACHE") or Path.home() / ".cache" / "rtlint-bench")
    src, downloads = cache / "src", cache / "downloads"
    if src.is_dir() and any(src.iterdir()):
        return src
    downloads.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(downloads)]
    subprocess.run([*pip, *WHEELS], check=True)
    subprocess.run(["npm", "pack", "--silent", *TARBALLS], cwd=downloads, check=True)
    for archive in sorted(downloads.iterdir()):
        target = src / archive.name.removesuffix(".whl").removesuffix(".tgz")
        target.mkdir(parents=True, exist_ok=True)
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as wheel:
                wheel.extractall(target)
        elif archive.suffix == ".tgz":
            with tarfile.open(archive) as tarball:
                tarball.extractall(target, filter="data")
    return src
