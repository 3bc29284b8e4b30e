"""Fixes proven by running them: generated adapters, original vs fixed, against the emulator.

A fixed seed and a small budget (one schedule per deferral mechanism); ``bench/fix_differential.py``
runs the same comparison on many more shapes and schedules.
"""

from __future__ import annotations

import random

import pytest

from tests.differential import MECHANISMS, Outcome, Shape, compare, schedule
from tests.runtime.scenario import run

SEED = 20261130


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_fixed_adapter_gets_no_rejection_loses_no_turn_and_sends_the_same_items(
    mechanism: str,
) -> None:
    rng = random.Random(f"{SEED}-{mechanism}")
    shape = Shape(mechanism, (False, False), (rng.random() < 0.5, rng.random() < 0.5))
    outcome: Outcome = run(compare(shape, schedule(rng, 8)), timeout=30.0)
    assert outcome.flagged == {"text", "tool"}
    assert outcome.problems() == []
    # The schedule reaches the unguarded sends while a response is active: the original is
    # rejected there (and only there), so the comparison is not vacuous.
    assert outcome.before.rejections()
    assert not outcome.after.rejections()
