"""The wire-log format: writer, reader, and errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rtlint.runtime.wirelog import WireLogError, WireLogWriter, parse_wire_log, read_wire_log


def test_writer_and_reader_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with WireLogWriter(path) as log:
        log.write("received", {"type": "session.created"})
        log.write("sent", {"type": "response.create"})
    log.write("sent", {"type": "ignored.after.close"})
    records = read_wire_log(path)
    assert [(r.dir, r.event["type"], r.line) for r in records] == [
        ("received", "session.created", 1),
        ("sent", "response.create", 2),
    ]
    assert 0 <= records[0].t <= records[1].t
    assert set(json.loads(path.read_text().splitlines()[0])) == {"t", "dir", "event"}


def test_blank_lines_are_skipped_and_numbering_follows_the_file() -> None:
    lines = [
        '{"t": 0, "dir": "sent", "event": {"type": "a"}}',
        "",
        "  ",
        '{"t": 1.5, "dir": "received", "event": {"type": "b"}}',
    ]
    records = parse_wire_log(lines, "x.jsonl")
    assert [(r.line, r.t) for r in records] == [(1, 0.0), (4, 1.5)]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"dir": "sent", "event": {"type": "a"}}', '"t" must be a number'),
        ('{"t": true, "dir": "sent", "event": {"type": "a"}}', '"t" must be a number'),
        ('{"t": "0", "dir": "sent", "event": {"type": "a"}}', '"t" must be a number'),
        ('{"t": 0, "dir": "in", "event": {"type": "a"}}', '"dir" must be "sent" or "received"'),
        ('{"t": 0, "dir": "sent", "event": []}', '"event" must be a JSON object'),
        ('{"t": 0, "dir": "sent", "event": {"kind": "a"}}', 'no string "type"'),
        ('{"t": 0, "dir": "sent", "event": {"type": "a"}, "conn": 1}', '"conn" must be a string'),
    ],
)
def test_bad_lines_name_file_and_line(line: str, problem: str) -> None:
    good = '{"t": 0, "dir": "sent", "event": {"type": "a"}}'
    with pytest.raises(WireLogError) as caught:
        parse_wire_log([good, line], "trace.jsonl")
    assert str(caught.value).startswith("trace.jsonl:2: ")
    assert problem in str(caught.value)
    assert caught.value.line == 2


def test_unreadable_file_is_a_wire_log_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(WireLogError, match=r"missing\.jsonl: cannot read"):
        read_wire_log(missing)
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(WireLogError, match=r"binary\.jsonl: not UTF-8"):
        read_wire_log(binary)
