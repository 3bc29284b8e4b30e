"""``rtlint trace LOG --html/--svg``: a self-contained timeline with every event and finding."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtlint.runtime.events import ACTIVE_RESPONSE
from rtlint.runtime.timeline import render_html, render_svg, slot_states
from rtlint.runtime.trace import check_records
from rtlint.runtime.wirelog import WireRecord, parse_wire_log
from tests.cli import rtlint

SVG = "{http://www.w3.org/2000/svg}"

DEFAULT = {"conversation_id": "conv_1"}
LOG: list[tuple[str, dict[str, Any]]] = [
    ("received", {"type": "session.created"}),
    ("sent", {"type": "response.create"}),
    ("received", {"type": "response.created", "response": {"id": "r1", **DEFAULT}}),
    ("sent", {"type": "response.create", "event_id": "e2"}),  # TR001: r1 is active
    ("received", {"type": "error", "error": {"code": ACTIVE_RESPONSE, "event_id": "e2"}}),
    ("received", {"type": "response.done", "response": {"id": "r1", **DEFAULT}}),
    ("sent", {"type": "response.create", "note": '<b>&"quoted"</b> 🎤'}),
]


LOG_TEXT = [json.dumps({"t": 0, "dir": d, "event": e}) for d, e in LOG]


def _write_log(path: Path, entries: list[tuple[str, dict[str, Any]]]) -> Path:
    lines = [json.dumps({"t": i / 10, "dir": d, "event": e}) for i, (d, e) in enumerate(entries)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _marks(svg: ET.Element) -> list[ET.Element]:
    return [c for c in svg.iter(f"{SVG}circle") if "event" in c.get("class", "").split()]


def test_html_and_svg_hold_every_event_and_the_violation_in_red(tmp_path: Path) -> None:
    log = _write_log(tmp_path / "wire.jsonl", LOG)
    run = rtlint("trace", str(log), "--html", "t.html", "--svg", "t.svg", cwd=tmp_path)
    assert run.exit_code == 1, run.output  # the drawing does not change the verdict
    assert "TR001" in run.stdout

    svg = ET.fromstring((tmp_path / "t.svg").read_text(encoding="utf-8"))
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    html = ET.fromstring(page.split("\n", 1)[1])  # well-formed: the parser accepts all of it
    [embedded] = html.iter(f"{SVG}svg")
    for drawing in (svg, embedded):
        marks = _marks(drawing)
        assert [m.get("data-line") for m in marks] == [str(n) for n in range(1, len(LOG) + 1)]
        titles = [m.findtext(f"{SVG}title") or "" for m in marks]
        for (direction, event), mark, title in zip(LOG, marks, titles, strict=True):
            assert direction in mark.get("class", "")
            assert json.dumps(event, indent=2, ensure_ascii=False) in title  # payload on hover
        [flagged] = [m for m in marks if "flagged" in m.get("class", "")]
        assert flagged.get("data-line") == "4"
        assert "TR001 response.create sent while r1" in (flagged.findtext(f"{SVG}title") or "")
        states = [
            r.get("class") for r in drawing.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None
        ]
        assert states == [f"slot {s}" for s in slot_states(parse_wire_log(LOG_TEXT))]
        listed = [t.text for t in drawing.iter(f"{SVG}text") if t.get("class") == "finding-text"]
        expected = check_records(parse_wire_log(LOG_TEXT))
        assert listed == [f"line {f.line}: {f.code} {f.message}" for f in expected]
    for text in (page, (tmp_path / "t.svg").read_text()):
        assert not re.search(r"(src|href)=|<script|@import|url\(", text), "self-contained"


def test_slot_states_follow_the_clients_view() -> None:
    states = slot_states(parse_wire_log(LOG_TEXT))
    assert states == ["idle", "requested", "active", "active", "active", "idle", "requested"]


def test_an_unwritable_target_is_a_one_line_error(tmp_path: Path) -> None:
    log = _write_log(tmp_path / "wire.jsonl", LOG[:2])
    run = rtlint("trace", str(log), "--svg", str(tmp_path / "missing" / "t.svg"), cwd=tmp_path)
    assert run.exit_code == 2
    assert re.fullmatch(r"rtlint: error: \S+t\.svg: cannot write: .+\n", run.stderr)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["sent", "received"]),
            st.text(),
            st.dictionaries(st.text(), _values, max_size=3),
            st.floats(0, 1e6),
        ),
        max_size=12,
    ),
    st.text(),
)
def test_any_log_draws_as_well_formed_svg_and_html(
    entries: list[tuple[str, str, dict[str, Any], float]], title: str
) -> None:
    records = [
        WireRecord(t, "sent" if d == "sent" else "received", {**extra, "type": kind}, n)
        for n, (d, kind, extra, t) in enumerate(entries, 1)
    ]
    findings = check_records(records)
    svg = ET.fromstring(render_svg(records, findings, title))
    assert len(_marks(svg)) == len(records)
    html = ET.fromstring(render_html(records, findings, title).split("\n", 1)[1])
    assert len(_marks(next(html.iter(f"{SVG}svg")))) == len(records)


def test_readme_command(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^rtlint trace (\S+) --html (\S+)", readme, re.M)
    assert command, "the README shows how to draw a wire log"
    _write_log(tmp_path / command.group(1), LOG)
    run = rtlint("trace", command.group(1), "--html", command.group(2), cwd=tmp_path)
    assert run.exit_code == 1
    drawn = (tmp_path / command.group(2)).read_text(encoding="utf-8")
    assert len(_marks(ET.fromstring(drawn.split("\n", 1)[1]))) == len(LOG)


BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(BROWSER is None, reason="no headless browser (chromium) installed")
def test_a_headless_browser_renders_every_mark(tmp_path: Path) -> None:
    log = _write_log(tmp_path / "wire.jsonl", LOG)
    rtlint("trace", str(log), "--html", "t.html", cwd=tmp_path)
    page = (tmp_path / "t.html").as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]
    dom = subprocess.run(
        [str(BROWSER), *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120
    ).stdout
    assert len(re.findall(r'<circle class="event ', dom)) == len(LOG), dom[-2000:]
    assert dom.count('class="event sent flagged"') == 1
