"""Inline suppressions: every form, strict parsing, RT100 for unused, unknown and malformed ones."""

from __future__ import annotations

import textwrap

import pytest

from rtlint.diagnostics import Diagnostic, Safety
from rtlint.engine import Settings, check_source
from rtlint.registry import all_rules, by_selector
from rtlint.selection import select_rules

ALL = Settings(rules=select_rules())  # the default selection: preview rules stay off
SEND_PY = 'await self.ws.send(json.dumps({"type": "response.create"}))'
SEND_TS = 'this.ws.send(JSON.stringify({ type: "response.create" }));'
WRAPPED_PY = ("await self.ws.send(", '    json.dumps({"type": "response.create"}),', ")")
WRAPPED_TS = ("this.ws.send(JSON.stringify({", '  type: "response.create",', "}));")


def _lines(*lines: str) -> str:
    return "\n".join(lines)


def _py(body: str) -> str:
    """``body`` as the method of an adapter class (each line indented into it)."""
    lines = textwrap.dedent(body).strip("\n").splitlines()
    inner = "\n".join(f"        {line}" if line else "" for line in lines)
    return f"import json\n\n\nclass Adapter:\n    async def send(self):\n{inner}\n"


def _ts(body: str) -> str:
    lines = textwrap.dedent(body).strip("\n").splitlines()
    inner = "\n".join(f"    {line}" if line else "" for line in lines)
    return f"class Adapter {{\n  send(): void {{\n{inner}\n  }}\n}}\n"


def _check(source: str, name: str = "adapter.py", settings: Settings = ALL) -> list[Diagnostic]:
    return check_source(name, source.encode(), settings).diagnostics


def _codes(source: str, name: str = "adapter.py") -> list[tuple[int, str]]:
    return [(d.span.line, d.code) for d in _check(source, name)]


def _fixed(source: str, name: str = "adapter.py") -> str:
    """``source`` with every RT100 fix applied."""
    data = source.encode()
    edits = sorted(
        (e for d in _check(source, name) if d.code == "RT100" and d.fix for e in d.fix.edits),
        key=lambda e: e.start,
        reverse=True,
    )
    for e in edits:
        data = data[: e.start] + e.content.encode() + data[e.end :]
    return data.decode()


def test_unsuppressed_send_is_reported() -> None:
    assert _codes(_py(SEND_PY)) == [(6, "RT001")]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{SEND_PY}  # rtlint: ignore[RT001]", id="trailing"),
        pytest.param(f"{SEND_PY}  # rtlint: ignore[RT001] -- greeting, sent once", id="reason"),
        pytest.param(f"{SEND_PY}  # rtlint:ignore[ RT001 ]", id="lenient-whitespace"),
        pytest.param(f"{SEND_PY}  # rtlint-ignore RT001 -- eslint spelling", id="dash-form"),
        pytest.param(f"{SEND_PY}  # rtlint: ignore[unguarded-response-create]", id="by-name"),
        pytest.param(f"{SEND_PY}  # noqa: E501  # rtlint: ignore[RT001]", id="after-other-pragma"),
        pytest.param(f"{SEND_PY}  # rtlint: ignore[RT001]  # noqa: E501", id="before-other-pragma"),
        pytest.param(f"# rtlint: ignore[RT001] -- reason\n{SEND_PY}", id="own-line-above"),
        pytest.param(
            f"# rtlint: ignore[RT001]\n# a comment between\n{SEND_PY}", id="above-comments"
        ),
        pytest.param(
            _lines(WRAPPED_PY[0] + "  # rtlint: ignore[RT001]", *WRAPPED_PY[1:]),
            id="multi-line-first-line",
        ),
        pytest.param(
            _lines(*WRAPPED_PY[:2], WRAPPED_PY[2] + "  # rtlint: ignore[RT001]"),
            id="multi-line-last-line",
        ),
        pytest.param(
            _lines("# rtlint: ignore[RT001]", *WRAPPED_PY), id="multi-line-own-line-above"
        ),
        pytest.param(
            _lines(WRAPPED_PY[0], "    # rtlint: ignore[RT001]", *WRAPPED_PY[1:]),
            id="multi-line-inside",
        ),
    ],
)
def test_python_suppression_forms(body: str) -> None:
    assert _codes(_py(body)) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{SEND_TS} // rtlint-ignore RT001", id="trailing"),
        pytest.param(f"{SEND_TS} // rtlint-ignore RT001 -- greeting", id="reason"),
        pytest.param(f"{SEND_TS} // rtlint: ignore[RT001]", id="bracket-form"),
        pytest.param(
            f"{SEND_TS} /* rtlint-ignore unguarded-response-create */", id="block-by-name"
        ),
        pytest.param(f"/* rtlint: ignore[RT001] */ {SEND_TS}", id="block-before-code"),
        pytest.param(f"// rtlint-ignore RT001 -- reason\n{SEND_TS}", id="own-line-above"),
        pytest.param(
            f"{SEND_TS} // eslint-disable-line no-x // rtlint-ignore RT001", id="after-eslint"
        ),
        pytest.param(
            _lines(*WRAPPED_TS[:2], WRAPPED_TS[2] + " // rtlint-ignore RT001"),
            id="multi-line-last-line",
        ),
        pytest.param(_lines("// rtlint-ignore RT001", *WRAPPED_TS), id="multi-line-own-line-above"),
    ],
)
def test_typescript_suppression_forms(body: str) -> None:
    assert _codes(_ts(body), "adapter.ts") == []


def test_file_ignore_covers_the_whole_file() -> None:
    source = _py(f"{SEND_PY}\n{SEND_PY}").replace(
        "import json", "# rtlint: file-ignore[RT001]\nimport json"
    )
    assert _codes(source) == []
    ts = "// rtlint-file-ignore RT001 -- generated code\n" + _ts(SEND_TS)
    assert _codes(ts, "adapter.ts") == []


def test_a_directive_covers_only_its_statement() -> None:
    source = _py(f"{SEND_PY}  # rtlint: ignore[RT001]\n{SEND_PY}")
    assert _codes(source) == [(7, "RT001")]


def test_own_line_directive_followed_by_a_blank_line_covers_nothing() -> None:
    source = _py(f"# rtlint: ignore[RT001]\n\n{SEND_PY}")
    assert _codes(source) == [(6, "RT100"), (8, "RT001")]


def test_a_wrong_code_suppresses_nothing_and_is_reported() -> None:
    source = _py(f"{SEND_PY}  # rtlint: ignore[RT01]")
    found = _check(source)
    assert [(d.code, d.message) for d in found] == [
        ("RT001", found[0].message),
        ("RT100", "Unused suppression: `RT01` is not a rule"),
    ]


@pytest.mark.parametrize(
    "comment",
    [
        "# rtlint ignore RT001",
        "# rtlint: ignore RT001",
        "# rtlint: ingore[RT001]",
        "# rtlint: ignore[]",
        "# rtlint: ignore",
        "# rtlint-ignore",
        "# rtlint: ignore[RT001] because it is fine",
        "# rtlint: ignore(RT001)",
    ],
)
def test_a_typo_is_never_a_blanket_ignore(comment: str) -> None:
    found = _check(_py(f"{SEND_PY}  {comment}"))
    assert [d.code for d in found] == ["RT001", "RT100"]
    assert found[1].message.startswith("Malformed suppression")
    assert found[1].fix is None


def test_prose_that_mentions_rtlint_is_not_a_directive() -> None:
    assert _codes(_py(f"# rtlint checks this adapter\n{SEND_PY}")) == [(7, "RT001")]


def test_unused_suppression_is_reported_with_a_fix_that_removes_it() -> None:
    guarded = "if self._response_active:\n    return\n"
    source = _py(f"{guarded}{SEND_PY}  # rtlint: ignore[RT001] -- stale")
    (finding,) = _check(source)
    assert (finding.code, finding.span.line, finding.span.column) == ("RT100", 8, 70)
    assert finding.message == "Unused suppression: `RT001` suppresses nothing here"
    assert finding.fix is not None and finding.fix.safety is Safety.SAFE
    assert _fixed(source) == _py(f"{guarded}{SEND_PY}")


def test_unused_own_line_suppression_fix_removes_the_line() -> None:
    guarded = "if self._response_active:\n    return\n"
    source = _py(f"{guarded}# rtlint: ignore[RT001]\n{SEND_PY}")
    assert _fixed(source) == _py(f"{guarded}{SEND_PY}")


def test_fix_keeps_the_used_names_and_other_pragmas() -> None:
    source = _py(f"{SEND_PY}  # rtlint: ignore[RT001, RT002] -- why  # noqa: E501")
    assert _codes(source) == [(6, "RT100")]
    assert _fixed(source) == _py(f"{SEND_PY}  # rtlint: ignore[RT001] -- why  # noqa: E501")
    guarded = "if self._response_active:\n    return\n"
    other = _py(f"{guarded}{SEND_PY}  # rtlint: ignore[RT001]  # noqa: E501")
    assert _fixed(other) == _py(f"{guarded}{SEND_PY}  # noqa: E501")


def test_typescript_unused_suppression_fix() -> None:
    guarded = "if (this.responseActive) return;\n"
    source = _ts(f"{guarded}{SEND_TS} // rtlint-ignore RT001")
    assert _codes(source, "adapter.ts") == [(4, "RT100")]
    assert _fixed(source, "adapter.ts") == _ts(f"{guarded}{SEND_TS}")


def test_unused_file_ignore_is_reported() -> None:
    source = "# rtlint: file-ignore[RT001]\nx = 1\n"
    (finding,) = _check(source)
    assert finding.message == "Unused suppression: `RT001` suppresses nothing in this file"
    assert _fixed(source) == "x = 1\n"


def test_rules_that_are_not_selected_are_not_reported_unused() -> None:
    source = "x = 1  # rtlint: ignore[RT001]\n"
    only_rt100 = Settings(rules=tuple(by_selector("RT100")))
    assert _check(source, settings=only_rt100) == []
    ignored_here = Settings(rules=all_rules(), per_file_ignores=(("*.py", frozenset({"RT001"})),))
    assert _check(source, settings=ignored_here) == []
    assert [d.code for d in _check(source)] == ["RT100"]


def test_rt100_itself_can_be_suppressed_and_deselected() -> None:
    source = "x = 1  # rtlint: ignore[RT001, RT100]\n"
    assert _check(source) == []
    only_rt001 = Settings(rules=tuple(by_selector("RT001")))
    assert _check("x = 1  # rtlint: ignore[RT01]\n", settings=only_rt001) == []


def test_files_without_findings_are_still_checked_for_stale_suppressions() -> None:
    """The prefilter skips analysis, not the suppression pass."""
    result = check_source("util.py", b"x = 1  # rtlint: ignore[RT001]\n", ALL)
    assert result.skipped and [d.code for d in result.diagnostics] == ["RT100"]


def test_files_that_do_not_parse_keep_only_the_syntax_error() -> None:
    source = _py(f"{SEND_PY}  # rtlint: ignore[RT001]") + "def broken(:\n"
    assert [d.code for d in _check(source)] == ["E999"]
