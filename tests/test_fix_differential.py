"""Fixes proven by running them: generated adapters, original vs fixed, against the emulator.

A fixed seed and a small budget (one schedule per deferral mechanism and language, and
one whose sends go through a private helper);
``bench/fix_differential.py`` runs the same comparison on many more shapes and schedules.
The TypeScript classes run in Node with the ``ws`` package (the ``node_modules`` fixture,
or installed once into the user's cache); without Node those tests are skipped.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from rtlint.fixer import fix_source
from tests.differential import (
    HELD_BACK,
    LATE,
    MECHANISMS,
    SETTINGS,
    Outcome,
    Shape,
    adapter,
    compare,
    compare_typescript,
    schedule,
)
from tests.runtime.scenario import run

SEED = 20261130


def _check(outcome: Outcome) -> None:
    assert outcome.flagged == ({"helper"} if outcome.shape.via_helper else {"text", "tool"})
    assert outcome.problems() == []
    # The schedule reaches the unguarded sends while a response is active: the original is
    # rejected there (and only there), so the comparison is not vacuous.
    assert outcome.before.rejections()
    assert not outcome.after.rejections()


CASES = [(m, False) for m in MECHANISMS] + [("flags", True)]
"""(mechanism, sends through a private helper): one case per mechanism, and a helper case."""


def _draw(mechanism: str, via_helper: bool, language: str) -> tuple[Shape, random.Random]:
    rng = random.Random(f"{SEED}-{mechanism}-{via_helper}-{language}")
    trailing = (rng.random() < 0.5, rng.random() < 0.5)
    return Shape(mechanism, (False, False), trailing, via_helper), rng


@pytest.mark.parametrize(("mechanism", "via_helper"), CASES)
def test_fixed_python_adapter_is_never_rejected_loses_no_turn_and_sends_the_same_items(
    mechanism: str, via_helper: bool
) -> None:
    shape, rng = _draw(mechanism, via_helper, "python")
    _check(run(compare(shape, schedule(rng, 6)), timeout=30.0))


def test_a_deferral_that_would_leave_the_slot_open_is_held_back() -> None:
    shape, _ = _draw(HELD_BACK, False, "python")
    source = adapter(shape)
    result = fix_source("adapter.py", source.encode(), SETTINGS, unsafe=True)
    assert result.applied == 0 and result.fixed == source.encode(), result.notes
    assert result.notes and {d.code for d in result.remaining} == {"RT001"}


@pytest.mark.parametrize(("mechanism", "via_helper"), CASES)
def test_fixed_typescript_adapter_is_never_rejected_loses_no_turn_and_sends_the_same_items(
    mechanism: str, via_helper: bool, node_modules: Path, tmp_path: Path
) -> None:
    shape, rng = _draw(mechanism, via_helper, "typescript")
    _check(run(compare_typescript(shape, schedule(rng, 6), tmp_path, node_modules), timeout=30.0))


def _check_reservation(outcome: Outcome) -> None:
    """RT003's fix: the original loses the race between a send and its ``response.created``
    (two requests pass the guard), the fixed class never does, and loses no turn."""
    assert outcome.before.rejections()
    assert not outcome.after.rejections()
    assert not outcome.after.lost()
    assert outcome.after.other_sends() == outcome.before.other_sends()


def _late(language: str) -> tuple[Shape, list[tuple[str, float]]]:
    rng = random.Random(f"{SEED}-{LATE}-{language}")
    burst = [("quiet", 0.0), ("text", 0.0), ("tool", 0.0)]  # two requests, nothing active
    steps = [*burst, *schedule(rng, 5)]
    return Shape(LATE, (True, True), (rng.random() < 0.5, rng.random() < 0.5)), steps


def test_reserving_at_the_send_ends_the_late_flag_race_in_python() -> None:
    shape, steps = _late("python")
    _check_reservation(run(compare(shape, steps), timeout=30.0))


def test_reserving_at_the_send_ends_the_late_flag_race_in_typescript(
    node_modules: Path, tmp_path: Path
) -> None:
    shape, steps = _late("typescript")
    _check_reservation(run(compare_typescript(shape, steps, tmp_path, node_modules), timeout=30.0))
