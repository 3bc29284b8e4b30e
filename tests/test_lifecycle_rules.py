"""The lifecycle rules together: preview selection, the reference code stays clean, and an
adapter with every defect yields one finding per defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtlint.engine import Settings, check_source
from rtlint.fixer import fix_source
from rtlint.registry import all_rules
from rtlint.selection import Selection, select_rules
from tests.cli import rtlint, write
from tests.expectations import expected, explain, reported

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ("rtlint/runtime/adapter.py", "examples/typescript/realtime_adapter.ts")


def test_reference_code_is_clean_under_every_rule_preview_included() -> None:
    for name in REFERENCE:
        path = ROOT / name
        result = check_source(str(path), path.read_bytes(), Settings(rules=all_rules()))
        assert result.error is None
        assert [(d.code, d.span.line, d.message) for d in result.diagnostics] == []


def test_preview_rules_need_preview_or_an_exact_selector() -> None:
    preview = [r for r in all_rules() if r.preview]
    assert preview, "no preview rule to select"
    rule = preview[0]
    assert rule not in select_rules()
    assert rule not in select_rules(Selection(select=("RT",)))
    assert rule in select_rules(Selection(preview=True))
    assert rule in select_rules(Selection(select=(rule.code,)))
    assert rule in select_rules(Selection(extend_select=(rule.name,)))
    assert rule not in select_rules(Selection(preview=True), Selection(preview=False))
    stable = [r for r in all_rules() if not r.preview]
    assert list(select_rules()) == stable


def test_preview_flag_and_config_key(tmp_path: Path) -> None:
    rule = next(r for r in all_rules() if r.preview)
    write(tmp_path, {"rtlint.toml": "preview = true\n"})
    assert f'"{rule.code}"' in rtlint("config", cwd=tmp_path).stdout.splitlines()[5]
    write(tmp_path, {"rtlint.toml": 'preview = "yes"\n'})
    bad = rtlint("config", cwd=tmp_path)
    assert bad.exit_code == 2
    assert "preview: expected true or false" in bad.stderr


@pytest.mark.parametrize("name", ["all_defects.py", "all_defects.ts"])
def test_an_adapter_with_every_defect_yields_one_finding_per_defect(name: str) -> None:
    path = Path(__file__).parent / "fixtures" / "lifecycle" / name
    source = path.read_bytes()
    result = check_source(str(path), source, Settings(rules=all_rules()))
    assert result.error is None
    text = source.decode("utf-8")
    codes = {r.code for r in all_rules()}
    for code in sorted(codes):
        want, got = expected(text, code), reported(result.diagnostics, code)
        assert want == got, f"{code}:\n{explain(text, want, got)}"
    lifecycle = {d.code for d in result.diagnostics} - {"RT001"}
    assert lifecycle == {f"RT0{n:02d}" for n in range(2, 12)}


FIXABLE = """\
import json


class Adapter:
    def __init__(self, ws):
        self.ws = ws
        self._response_active = False
{connect}
    async def send_text(self, text):
        await self.ws.send(json.dumps({{"type": "conversation.item.create", "item": text}}))
        await self.ws.send(json.dumps({{"type": "response.create"}}))

    async def _receive(self, event):
        if event["type"] == "response.created":
            self._response_active = True
        elif event["type"] == "response.done":
            self._response_active = False
"""
CONNECT = """
    async def connect(self):
        self._response_active = False
        self.ws = await open_socket()
"""


def test_a_fix_may_not_add_a_finding_of_a_rule_that_is_not_selected() -> None:
    only_rt001 = Settings(rules=tuple(r for r in all_rules() if r.code == "RT001"))
    # No late set on `response.created` (the deferral alone would then be an RT003 finding,
    # and RT001's fix is only a suggestion there).
    late_set = (
        'if event["type"] == "response.created":\n'
        "            self._response_active = True\n"
        "        elif"
    )
    # The deferral RT001's fix adds is not reset where the class connects: RT007.
    blocked = fix_source(
        "a.py", FIXABLE.format(connect=CONNECT).replace(late_set, "if").encode(), only_rt001, True
    )
    assert not blocked.changed
    assert "fixes left out: they would add findings of other rules" in blocked.notes
    # With nothing to reset on connect, the same fix adds nothing: it is applied.
    source = FIXABLE.format(connect="").replace(late_set, "if")
    assert source != FIXABLE.format(connect="")
    applied = fix_source("a.py", source.encode(), only_rt001, True)
    assert applied.changed and applied.applied == 1
