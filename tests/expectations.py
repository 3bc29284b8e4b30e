"""Reading the inline expectations of annotated sources (fixtures and rule examples)."""

from __future__ import annotations

import re
from collections import Counter

from rtlint.diagnostics import Diagnostic

EXPECT = re.compile(r"(?:#|//)\s*expect:\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def expected(source: str, code: str) -> Counter[int]:
    """Line numbers (with multiplicity) marked ``expect: CODE``."""
    found: Counter[int] = Counter()
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for c in match.group("codes").split(","):
                if c.strip() == code:
                    found[number] += 1
    return found


def reported(diagnostics: list[Diagnostic], code: str) -> Counter[int]:
    return Counter(d.span.line for d in diagnostics if d.code == code)


def explain(source: str, want: Counter[int], got: Counter[int]) -> str:
    """A readable account of the lines where expectation and result differ."""
    lines = source.splitlines()
    out = []
    for n in sorted(set(want) | set(got)):
        if want[n] != got[n]:
            kind = "missed" if want[n] > got[n] else "unexpected"
            out.append(f"  line {n} ({kind}): {lines[n - 1].strip()}")
    return "\n".join(out)
