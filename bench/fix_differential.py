"""Run generated adapters and their ``--fix --unsafe-fixes`` versions against the emulator.

    python bench/fix_differential.py                  # 60 seconds, Python adapters
    python bench/fix_differential.py --seconds 300 --seed 7
    python bench/fix_differential.py --language typescript --node-modules DIR  # needs Node + ws

Each round draws an adapter shape (deferral mechanism, guarded and unguarded sites) and
a schedule of user turns, tool results, server-VAD turns and barge-ins, runs the original
and the fixed class on it (see ``tests/differential.py``) and reports schedules tried,
``conversation_already_has_active_response`` rejections before and after the fix, turns
lost before and after (after must be zero), and any other discrepancy. Exit 1 if any.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.conftest import node_cache
from tests.differential import Outcome, Shape, Step, compare, compare_typescript, schedule


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--language", choices=["python", "typescript"], default="python")
    parser.add_argument(
        "--node-modules",
        type=Path,
        default=node_cache() / "node_modules",
        help="a node_modules directory holding the ws package (TypeScript only)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="rtlint-differential-"))

    async def one(shape: Shape, steps: list[Step]) -> Outcome:
        if args.language == "python":
            return await compare(shape, steps)
        return await compare_typescript(shape, steps, workdir, args.node_modules)

    rng = random.Random(args.seed)
    totals: Counter[str] = Counter()
    problems: list[str] = []
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        shape = Shape.draw(rng)
        steps = schedule(rng, rng.randint(4, 12))
        outcome = asyncio.run(asyncio.wait_for(one(shape, steps), 60))
        totals["schedules"] += 1
        totals[f"shape {shape.mechanism}{' via helper' if shape.via_helper else ''}"] += 1
        totals["rejections before"] += len(outcome.before.rejections())
        totals["rejections after"] += len(outcome.after.rejections())
        totals["turns lost before"] += outcome.before.lost()
        totals["turns lost after"] += outcome.after.lost()
        totals["turns requested"] += len(outcome.after.requests)
        problems += [f"{shape} {steps}: {p}" for p in outcome.problems()]
    for key in sorted(totals):
        print(f"{key:>22}: {totals[key]}")
    print(f"{'language':>22}: {args.language}")
    print(f"{'problems':>22}: {len(problems)}")
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
