"""Process time to check each file named (best of N runs), for bench/run.py.

python bench/kiloline.py N FILE...   # prints: FILE LINES SECONDS
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rtlint.engine import Settings, check_source
from rtlint.registry import all_rules


def seconds(path: str, source: bytes, settings: Settings) -> float:
    start = time.process_time()
    check_source(path, source, settings)
    return time.process_time() - start


def main() -> None:
    settings = Settings(rules=all_rules(), edits=False)
    repeat = int(sys.argv[1])
    for path in sys.argv[2:]:
        source = Path(path).read_bytes()
        best = min(seconds(path, source, settings) for _ in range(repeat))
        print(path, source.count(b"\n"), best)


if __name__ == "__main__":
    main()
