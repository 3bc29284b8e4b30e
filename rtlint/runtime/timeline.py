"""A wire log drawn as a timeline: one self-contained SVG (or HTML page holding it).

Events are placed left to right in log order, evenly spaced so none hides another,
with their times on the axis: sent events on the client lane, received ones on the
server lane. Below them a band shows the response slot as the client saw it
(idle, requested, active). Hovering a mark shows the event's line, time and payload
(SVG ``<title>``: no script, no network). Events the trace checker flagged are red,
with the finding's message, and the findings are listed under the drawing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Literal

from rtlint.runtime.events import (
    ACTIVE_RESPONSE,
    error_code,
    event_type,
    is_default_response,
    mapping,
    requests_out_of_band,
)
from rtlint.runtime.trace import Finding
from rtlint.runtime.wirelog import WireRecord

SlotState = Literal["idle", "requested", "active"]

STEP, LEFT, RIGHT = 16, 90, 40
CLIENT_Y, SERVER_Y, SLOT_Y, AXIS_Y, LEGEND_Y, FINDINGS_Y = 40, 80, 110, 150, 165, 205
PAYLOAD_LIMIT = 2000
STYLE = """
svg.rtlint-timeline { font: 12px sans-serif; background: #fff; }
.lane { stroke: #999; }
.event.sent { fill: #2b6cb0; }
.event.received { fill: #2f855a; }
.event.flagged { fill: #e53e3e; stroke: #9b2c2c; stroke-width: 2; }
.finding-line { stroke: #e53e3e; stroke-dasharray: 4 3; }
.finding-text { fill: #c53030; }
.idle { fill: #edf2f7; stroke: #cbd5e0; } .requested { fill: #f6e05e; } .active { fill: #63b3ed; }
"""


def slot_states(records: Sequence[WireRecord]) -> list[SlotState]:
    """The response slot as the client saw it after each record."""
    states: list[SlotState] = []
    active: str | None = None
    requested = 0
    for record in records:
        kind, event = event_type(record.event), record.event
        if kind == "session.created":
            active, requested = None, 0
        elif record.dir == "sent" and kind == "response.create":
            requested += not requests_out_of_band(event)
        elif kind == "response.created" and is_default_response(mapping(event.get("response"))):
            active, requested = str(mapping(event.get("response")).get("id")), max(requested - 1, 0)
        elif kind == "response.done" and str(mapping(event.get("response")).get("id")) == active:
            active = None
        elif kind == "error" and error_code(event) == ACTIVE_RESPONSE:
            requested = max(requested - 1, 0)
        states.append("active" if active else "requested" if requested else "idle")
    return states


def render_svg(records: Sequence[WireRecord], findings: Sequence[Finding], title: str) -> str:
    """The timeline as a standalone SVG document."""
    flagged: dict[int, list[Finding]] = {}
    for finding in findings:
        flagged.setdefault(finding.line, []).append(finding)
    width = max(600, LEFT + STEP * len(records) + RIGHT)
    height = FINDINGS_Y + 18 * len(findings) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rtlint-timeline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{_text(title)}</title>",
        f"<style>{STYLE}</style>",
        f'<text x="4" y="16" font-weight="bold">{_text(title)}</text>',
    ]
    for label, y in (("client sent", CLIENT_Y), ("server sent", SERVER_Y)):
        parts.append(f'<text x="4" y="{y + 4}">{label}</text>')
        parts.append(f'<line class="lane" x1="{LEFT}" y1="{y}" x2="{width - RIGHT}" y2="{y}"/>')
    parts.append(f'<text x="4" y="{SLOT_Y + 12}">response slot</text>')
    parts += _slot_band(records)
    ticks = max(4, len(records) // 40)
    for index, record in enumerate(records):
        x = LEFT + STEP * index + STEP // 2
        line = record.line or index + 1
        parts += _mark(x, line, record, flagged.get(line, []))
        if index % ticks == 0:
            parts.append(f'<text x="{x}" y="{AXIS_Y}" text-anchor="middle">{record.t:.2f}s</text>')
    for number, state in enumerate(("idle", "requested", "active")):
        x = LEFT + 90 * number
        parts.append(
            f'<rect class="slot-key {state}" x="{x}" y="{LEGEND_Y}" width="12" height="12"/>'
        )
        parts.append(f'<text x="{x + 16}" y="{LEGEND_Y + 10}">{state}</text>')
    for number, finding in enumerate(findings):
        parts.append(
            f'<text class="finding-text" x="4" y="{FINDINGS_Y + 18 * number}">'
            f"{_text(_describe(finding))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def render_html(records: Sequence[WireRecord], findings: Sequence[Finding], title: str) -> str:
    """The timeline in a self-contained HTML page (well-formed XML too)."""
    failing = sum(f.fails for f in findings)
    summary = f"{len(records)} events, {len(findings)} findings ({failing} failing)"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{_text(title)}</title>\n"
        "<style>body { font: 14px sans-serif; margin: 1em; } "
        ".scroll { overflow-x: auto; }</style>\n"
        "</head>\n<body>\n"
        f"<h1>{_text(title)}</h1>\n<p>{_text(summary)}; hover a mark for its payload.</p>\n"
        f'<div class="scroll">\n{render_svg(records, findings, title)}</div>\n'
        "</body>\n</html>\n"
    )


def _text(value: str) -> str:
    """``value`` escaped for XML text, with characters XML cannot hold replaced."""
    kept = "".join(
        "\ufffd" if (c < " " and c not in "\n\t") or c in "\ufffe\uffff" else c for c in value
    )
    return escape(kept.encode("utf-8", "replace").decode("utf-8"))


def _describe(finding: Finding) -> str:
    kind = ""
    if finding.category == "race":
        kind = " (race, recovered)" if finding.recovered else " (race, not recovered)"
    return f"line {finding.line}: {finding.code} {finding.message}{kind}"


def _slot_band(records: Sequence[WireRecord]) -> list[str]:
    parts = []
    for index, state in enumerate(slot_states(records)):
        x = LEFT + STEP * index + STEP // 2
        end = x + STEP if index + 1 < len(records) else x + STEP // 2
        parts.append(
            f'<rect class="slot {state}" x="{x}" y="{SLOT_Y}" width="{end - x}" height="16">'
            f"<title>{state} after line {records[index].line or index + 1}</title></rect>"
        )
    return parts


def _mark(x: int, line: int, record: WireRecord, findings: list[Finding]) -> list[str]:
    y = CLIENT_Y if record.dir == "sent" else SERVER_Y
    payload = json.dumps(record.event, indent=2, ensure_ascii=False)
    if len(payload) > PAYLOAD_LIMIT:
        payload = payload[:PAYLOAD_LIMIT] + "\n…"
    header = f"line {line}, t={record.t:.3f}s, {record.dir}: {event_type(record.event)}"
    notes = "".join(f"\n{_describe(f)}" for f in findings)
    flagged = " flagged" if findings else ""
    parts = []
    if findings:
        parts.append(
            f'<line class="finding-line" x1="{x}" y1="{CLIENT_Y - 14}" x2="{x}" '
            f'y2="{SLOT_Y + 16}"><title>{_text(notes.strip())}</title></line>'
        )
    parts.append(
        f'<circle class="event {record.dir}{flagged}" data-line="{line}" cx="{x}" cy="{y}" r="5">'
        f"<title>{_text(header + notes)}\n{_text(payload)}</title></circle>"
    )
    return parts
