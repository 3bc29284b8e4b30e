"""Benchmark rtlint against a baseline revision, side by side.

    python bench/run.py                 # working tree vs HEAD
    python bench/run.py --baseline REV  # working tree vs REV
    python bench/run.py --repeat 5

It builds a corpus in a temporary directory (real Python files from the installed
packages, which mostly never mention a response, plus copies of the annotated
adapter fixtures), runs ``python -m rtlint check`` from the baseline's source and
from this checkout on each scenario, and prints the best wall time of each with
the ratio (baseline / current: above 1 means this checkout is faster).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(base: Path) -> dict[str, Path]:
    """Scenario name → directory to check."""
    site = Path(sysconfig.get_paths()["purelib"])
    quiet = base / "quiet"
    for i, path in enumerate(sorted(site.glob("*/**/*.py"))[:3000]):
        target = quiet / f"m{i // 200}" / f"f{i}.py"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    scenarios = {"3000 library files": quiet}
    for language, suffix in (("python", "*.py"), ("typescript", "*.ts")):
        adapters = base / f"adapters-{language}"
        fixtures = sorted((ROOT / "tests" / "fixtures" / language / "RT001").glob(suffix))
        for copy in range(4):
            for path in fixtures:
                target = adapters / f"c{copy}" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
        scenarios[f"{4 * len(fixtures)} {language} adapters"] = adapters
    return scenarios


def checkout(rev: str, into: Path) -> Path:
    """The source of ``rev``, importable as ``rtlint`` (rules linked in as ``rtlint.rules``)."""
    archive = into / "src.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=out, check=True)
    source = into / "src"
    with tarfile.open(archive) as tar:
        tar.extractall(source, filter="data")
    link = source / "rtlint" / "rules"
    if not link.exists():
        link.symlink_to(source / "rules", target_is_directory=True)
    return source


def working_tree(into: Path) -> Path:
    source = into / "current"
    shutil.copytree(
        ROOT / "rtlint", source / "rtlint", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(
        ROOT / "rules", source / "rtlint" / "rules", ignore=shutil.ignore_patterns("__pycache__")
    )
    return source


def _command(source: Path, env: dict[str, str], warm: bool) -> list[str]:
    """Cold runs pass ``--no-cache`` where the revision knows it (older ones have no cache)."""
    command = [sys.executable, "-m", "rtlint", "check", "--output-format", "concise"]
    help_text = subprocess.run(
        [*command[:4], "--help"], env=env, cwd=source, capture_output=True, text=True
    ).stdout
    return command + (["--no-cache"] if "--no-cache" in help_text and not warm else [])


def timed(source: Path, target: Path, repeat: int, warm: bool = False) -> float:
    env = {**os.environ, "PYTHONPATH": str(source)}
    command = _command(source, env, warm)
    best = float("inf")
    if warm:
        subprocess.run([*command, str(target)], env=env, cwd=target, capture_output=True)
    for _ in range(repeat):
        start = time.perf_counter()
        run = subprocess.run(
            [*command, str(target)], env=env, cwd=target, capture_output=True, text=True
        )
        best = min(best, time.perf_counter() - start)
        if run.returncode not in (0, 1):
            sys.exit(f"rtlint failed on {target} from {source}:\n{run.stderr}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rtlint-bench-") as tmp:
        base = Path(tmp)
        scenarios = corpus(base / "corpus")
        baseline = checkout(args.baseline, base)
        current = working_tree(base)
        print(f"{'scenario':<28} {args.baseline:>12} {'current':>12} {'ratio':>8}")
        for name, target in scenarios.items():
            old = timed(baseline, target, args.repeat)
            new = timed(current, target, args.repeat)
            print(f"{name:<28} {old:>11.2f}s {new:>11.2f}s {old / new:>7.2f}x")
        for name, target in list(scenarios.items())[1:]:
            old = timed(baseline, target, args.repeat, warm=True)
            new = timed(current, target, args.repeat, warm=True)
            print(f"{name + ', warm':<28} {old:>11.2f}s {new:>11.2f}s {old / new:>7.2f}x")


if __name__ == "__main__":
    main()
