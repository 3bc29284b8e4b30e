"""Benchmark rtlint side by side with a baseline revision and with other tools (not a test).

    python bench/run.py                  # working tree vs HEAD, everything
    python bench/run.py --baseline REV   # working tree vs REV
    python bench/run.py --quick          # no 4x growth row

Needs ``pip install -e '.[bench]'`` (ast-grep and ruff), ``grep`` and GNU ``time``. It prints:

1. the real-code corpus (the source files of the packages under ``--corpus``: pipecat,
   livekit-agents and its OpenAI plugin, openai-agents for Python and JS, openai for
   Python and Node), cold (``--no-cache``), warm (the tree unchanged: the recorded answer
   is replayed), warm with one file touched (its modification time changed) and warm with
   one file edited (a line added to a file that sends ``response.create``),
   against the floor of reading every
   byte once (``grep -r``), ``ruff check --select E,F --no-cache`` and ``ast-grep scan``
   with an equivalent pattern rule (bench/ast-grep/), as wall time, peak memory of the
   largest process and the ratio rtlint / tool;
2. whether the findings equal the baseline's, on the corpus and on the test fixtures;
3. growth: the corpus at 0.25x, 1x and 4x (copies), wall time and peak memory;
4. the cost per 1,000 lines of files that need analysis: generated adapter modules
   (bench/generate.py) in Python and TypeScript at 1k, 5k and 20k lines, in one process;
5. 5,000 file names on one command line with ``--force-exclude`` (the pre-commit shape)
   against a directory walk.

Wall times are the best of ``--repeat`` runs; the cold runs of rtlint, its baseline and the
other tools take turns, round after round, so that load which comes and goes falls on
all of them. The machine's other load makes absolute numbers noisy: compare the rows of
one run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import corpus as corpus_packages  # bench/corpus.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SUFFIXES = {".py", ".pyi", ".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx", ".jsx"}
SKIPPED = {"node_modules", "__pycache__", ".git", "build", "dist-types"}


@dataclass
class Run:
    wall: float
    peak_mb: float
    stdout: str


def measure(command: list[str], cwd: Path, repeat: int, env: dict[str, str] | None = None) -> Run:
    """Best wall time of ``repeat`` runs; peak RSS of the largest process, from GNU time
    (``wait4`` in this process would count the pages of this process at the fork)."""
    walls, peaks, stdout = [], [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        run = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *command],
            cwd=cwd, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        walls.append(time.perf_counter() - start)
        if run.returncode not in (0, 1):  # 1: findings; anything else failed, not finished fast
            sys.exit(f"{' '.join(command)} exited {run.returncode}:\n{run.stderr[-2000:]}")
        peaks.append(int(run.stderr.strip().splitlines()[-1]) / 1024)
        stdout = run.stdout
    return Run(min(walls), max(peaks), stdout)


def interleaved(
    commands: dict[str, tuple[list[str], dict[str, str] | None]], cwd: Path, repeat: int
) -> dict[str, Run]:
    """Each command once per round, ``repeat`` rounds, the best wall of each: load that
    comes and goes during the measurement falls on every tool alike."""
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (command, env) in commands.items():
            runs[name].append(measure(command, cwd, 1, env))
    return {
        name: Run(min(r.wall for r in found), max(r.peak_mb for r in found), found[-1].stdout)
        for name, found in runs.items()
    }


def real_corpus(source: Path, into: Path) -> Path:
    """The source files of the unpacked packages under ``source`` (no caches, no tests)."""
    for path in sorted(source.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file() and not SKIPPED & set(path.parts):
            target = into / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return into


def scaled(corpus: Path, factor: float, into: Path) -> Path:
    """A quarter of the files (every fourth), or ``factor`` whole copies."""
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    if factor < 1:
        for path in files[:: round(1 / factor)]:
            target = into / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return into
    for copy in range(int(factor)):
        shutil.copytree(corpus, into / f"copy{copy}")
    return into


def lines_in(tree: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in tree.rglob("*") if p.is_file())


def checkout(rev: str, into: Path) -> Path:
    """The source of ``rev``, importable as ``rtlint`` (rules linked in as ``rtlint.rules``)."""
    archive = into / "src.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=out, check=True)
    source = into / "baseline"
    with tarfile.open(archive) as tar:
        tar.extractall(source, filter="data")
    link = source / "rtlint" / "rules"
    if not link.exists():
        link.symlink_to(source / "rules", target_is_directory=True)
    return source


def working_tree(into: Path) -> Path:
    source = into / "current"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "rtlint", source / "rtlint", ignore=ignore)
    shutil.copytree(ROOT / "rules", source / "rtlint" / "rules", ignore=ignore)
    return source


class Rtlint:
    """``python -m rtlint check`` from one source tree, byte-compiled first as ``pip
    install`` leaves it (with ``PYTHONDONTWRITEBYTECODE`` set, every run would compile
    rtlint again: a tenth of a second that no installed copy pays)."""

    def __init__(self, source: Path, cache: Path) -> None:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(source)], check=True)
        self.env = {**os.environ, "PYTHONPATH": str(source)}
        self.cache = cache

    def command(self, *args: str, warm: bool = False) -> list[str]:
        base = [sys.executable, "-m", "rtlint", "check", "--output-format", "concise", "-q"]
        return [*base, *(["--cache-dir", str(self.cache)] if warm else ["--no-cache"]), *args]

    def run(self, target: Path, repeat: int, warm: bool = False, *names: str) -> Run:
        if warm:
            command = self.command(str(target), warm=True)  # the same cwd: the key has the root
            subprocess.run(command, cwd=target, env=self.env, capture_output=True)
        command = self.command(*(names or (str(target),)), warm=warm)
        return measure(command, target, repeat, self.env)

    def touched(self, target: Path, repeat: int) -> Run:
        """A warm run after one file's modification time changed (its content did not):
        the tree is no longer the recorded one, so every file goes through the result
        cache. Best of ``repeat``."""
        some = next(p for p in sorted(target.rglob("*.py")) if p.is_file())
        runs = []
        for _ in range(repeat):
            os.utime(some)
            runs.append(measure(self.command(str(target), warm=True), target, 1, self.env))
        return min(runs, key=lambda r: r.wall)

    def edited(self, target: Path, repeat: int) -> Run:
        """A warm run after a line was added to one file that sends ``response.create`` (the
        edit-and-check loop): that file is analysed again, the others' results are
        cached. Best of ``repeat``; the file is restored after."""
        some = next(p for p in sorted(target.rglob("*.py")) if b"response.create" in p.read_bytes())
        original = some.read_bytes()
        runs = []
        try:
            for n in range(repeat):
                some.write_bytes(original + f"\n# edit {n}\n".encode())
                runs.append(measure(self.command(str(target), warm=True), target, 1, self.env))
        finally:
            some.write_bytes(original)
        return min(runs, key=lambda r: r.wall)


def tools(target: Path) -> dict[str, list[str]]:
    return {
        "grep -r (read every byte)": ["grep", "-r", "-c", "response.create", "."],
        "ruff check --select E,F": [
            str(BIN / "ruff"), "check", "--select", "E,F", "--no-cache", "--exit-zero", "-q", ".",
        ],
        "ast-grep scan": [
            str(BIN / "ast-grep"), "scan", "-c", str(ROOT / "bench" / "ast-grep" / "sgconfig.yml"),
            ".",
        ],
    }  # fmt: skip


def row(name: str, run: Run, reference: Run | None = None) -> str:
    ratio = f"{reference.wall / run.wall:>8.2f}x" if reference else f"{'':>9}"
    return f"{name:<34} {run.wall:>8.2f}s {run.peak_mb:>8.0f} MB {ratio}"


def per_kiloline(source: Path, base: Path, repeat: int) -> str:
    """ms per 1,000 lines (process time, best of ``repeat``) for generated modules."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import adapter_module

    files = []
    for lines in (1000, 5000, 20000):
        for language, suffix in (("python", "py"), ("typescript", "ts")):
            path = base / f"adapters{lines}.{suffix}"
            path.write_text(adapter_module(lines, language), encoding="utf-8")
            files.append(str(path))
    env = {**os.environ, "PYTHONPATH": str(source)}
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "kiloline.py"), str(repeat), *files],
        env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    cost: dict[tuple[str, int], float] = {}
    for line in out.splitlines():
        name, count, seconds = line.rsplit(" ", 2)
        lines = int(Path(name).stem.removeprefix("adapters"))
        cost[(Path(name).suffix, lines)] = float(seconds) / int(count) * 1e6
    text = [f"{'lines':>8} {'python ms/kl':>14} {'typescript ms/kl':>18} {'py / ts':>8}"]
    for lines in (1000, 5000, 20000):
        py, ts = cost[(".py", lines)], cost[(".ts", lines)]
        text.append(f"{lines:>8} {py:>14.1f} {ts:>18.1f} {py / ts:>7.2f}x")
    return "\n".join(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument(
        "--corpus", type=Path, help="unpacked packages [default: fetched by bench/corpus.py]"
    )
    parser.add_argument("--quick", action="store_true", help="skip the 4x tree")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rtlint-bench-") as tmp:
        base = Path(tmp)
        corpus = real_corpus(args.corpus or corpus_packages.fetch(), base / "corpus")
        current = Rtlint(working_tree(base), base / "cache-current")
        baseline = Rtlint(checkout(args.baseline, base), base / "cache-baseline")
        files = sum(1 for p in corpus.rglob("*") if p.is_file())
        print(f"real-code corpus: {files} files, {lines_in(corpus):,} lines\n")
        print(f"{'tool':<34} {'wall':>9} {'peak':>11} {'rtlint / tool':>9}")
        cold_runs = interleaved(
            {
                "current": (current.command(str(corpus)), current.env),
                "baseline": (baseline.command(str(corpus)), baseline.env),
                **{name: (command, None) for name, command in tools(corpus).items()},
            },
            corpus,
            args.repeat,
        )
        cold, old = cold_runs.pop("current"), cold_runs.pop("baseline")
        warm = current.run(corpus, args.repeat, warm=True)
        touched = current.touched(corpus, args.repeat)
        edited = current.edited(corpus, args.repeat)
        print(row("rtlint check (cold, --no-cache)", cold))
        print(row("rtlint check (warm, tree unchanged)", warm))
        print(row("rtlint check (warm, one file touched)", touched))
        print(row("rtlint check (warm, one file edited)", edited))
        for name, run in cold_runs.items():
            print(row(name, run, cold))
        print(row(f"rtlint {args.baseline} (cold)", old, cold))
        grep, ruff, sg = cold_runs.values()
        print(
            f"\ntargets: cold <= 1.0x ast-grep: {cold.wall / sg.wall:.2f}x; "
            f"cold <= 3x ruff: {cold.wall / ruff.wall:.2f}x; "
            f"warm <= 1.5x grep -r: {warm.wall / grep.wall:.2f}x "
            f"(one file touched: {touched.wall / grep.wall:.2f}x)"
        )

        print("\nfindings identical to the baseline:")
        fixtures = ROOT / "tests" / "fixtures"
        for name, target in (("real-code corpus", corpus), ("test fixtures", fixtures)):
            new = current.run(target, 1).stdout
            was = old.stdout if target == corpus else baseline.run(target, 1).stdout
            verdict = "yes" if new == was else "NO"
            print(f"  {name:<20} {verdict} ({new.count(chr(10))} findings)")

        print("\ngrowth (cold):")
        print(f"{'tree':<10} {'lines':>11} {'wall':>9} {'peak':>11} {'us/line':>8}")
        for factor in (0.25, 1, *(() if args.quick else (4,))):
            tree = corpus if factor == 1 else scaled(corpus, factor, base / f"x{factor}")
            run = cold if factor == 1 else current.run(tree, args.repeat)
            count = lines_in(tree)
            print(
                f"{factor:<10} {count:>11,} {run.wall:>8.2f}s {run.peak_mb:>8.0f} MB "
                f"{run.wall / count * 1e6:>8.2f}"
            )
            if factor != 1:
                shutil.rmtree(tree, ignore_errors=True)

        print("\nfiles that need analysis, one process:")
        print(per_kiloline(working_tree(base / "kl"), base, max(args.repeat, 2)))

        names = [str(p.relative_to(corpus)) for p in sorted(corpus.rglob("*")) if p.is_file()]
        names = names[:5000]
        listed = current.run(corpus, args.repeat, False, "--force-exclude", *names)
        print(
            f"\n{len(names)} file names on one command line: {listed.wall:.2f}s "
            f"({listed.wall / len(names) * 1e3:.2f} ms/file); directory walk of {files}: "
            f"{cold.wall:.2f}s ({cold.wall / files * 1e3:.2f} ms/file)"
        )


if __name__ == "__main__":
    main()
