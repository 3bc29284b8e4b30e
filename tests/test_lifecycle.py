"""The lifecycle model (fields, roles, paths, transitions) and `rtlint lifecycle`."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from rtlint.analysis.lifecycle import Adapter, LifecycleModel
from rtlint.frontends import lower
from rtlint.rule import Context
from rtlint.vocabulary import DEFAULT
from tests.cli import rtlint

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).parent / "snapshots" / "lifecycle.reference_adapter.mmd"


def model(source: str, filename: str = "adapter.py") -> LifecycleModel:
    text = textwrap.dedent(source).lstrip("\n")
    return Context(lower(filename, text.encode()), DEFAULT).lifecycle


def only(m: LifecycleModel) -> Adapter:
    assert len(m.adapters) == 1, [a.name for a in m.adapters]
    return m.adapters[0]


PY_ADAPTER = """
    import json

    class Bridge:
        async def connect(self):
            self._reset()
            self.ws = await open_socket()

        def _reset(self):
            self._response_active = False
            self._response_requested = False

        async def request_response(self):
            if self._response_active:
                self._response_requested = True
                return
            self._response_active = True
            await self.ws.send(json.dumps({"type": "response.create"}))

        async def _receive(self, event):
            match event["type"]:
                case "response.created":
                    self._response_active = True
                case "response.done":
                    if event["response"]["status"] == "completed":
                        self._response_active = False
                    if self._response_requested:
                        self._response_requested = False
                        await self.request_response()
"""


def test_fields_get_their_roles_and_paths_their_transitions() -> None:
    a = only(model(PY_ADAPTER))
    assert a.name == "Bridge"
    assert {n: f.role for n, f in a.fields.items()} == {
        "._response_active": "active",
        "._response_requested": "deferred",
    }
    connect = a.paths_of("connect")[0]
    # the reset happens in a helper: the connect path sees it, on every way through it
    assert ("._response_active", "clear") in connect.certain
    assert ("._response_requested", "clear") in connect.certain
    done = a.paths_of("event", "response.done")[0]
    assert done.may("._response_active", "clear")
    assert ("._response_active", "clear") not in done.certain  # only when completed
    assert [w.field for w in done.status_clears] == ["._response_active"]
    assert done.emits and "._response_requested" in done.reads
    created = a.paths_of("event", "response.created")[0]
    assert [(w.field, w.action) for w in created.writes] == [("._response_active", "set")]
    # the send reserves; the flush calls request_response(), which reserves inside
    assert [s.reserved for s in a.sends] == [True, False]


def test_typescript_closures_hold_state_in_variables() -> None:
    a = only(
        model(
            """
            export function createSession(ws: WebSocket) {
              let responseActive = false;
              ws.on("response.done", () => {
                responseActive = false;
              });
              ws.on("close", () => {
                responseActive = false;
              });
              return {
                respond() {
                  if (responseActive) return;
                  responseActive = true;
                  ws.send(JSON.stringify({ type: "response.create" }));
                },
              };
            }
            """,
            "session.ts",
        )
    )
    assert a.name == "createSession"
    assert list(a.fields) == ["responseActive"]
    assert a.paths_of("event", "response.done")[0].may("responseActive", "clear")
    assert a.paths_of("close", "close")[0].may("responseActive", "clear")
    assert a.sends and all(s.reserved for s in a.sends)


def test_an_early_return_on_a_clear_flag_counts_as_cleared() -> None:
    a = only(
        model(
            """
            class A:
                async def respond(self):
                    if self._current_response_id is None:
                        self._current_response_id = "pending"
                        await self.ws.send('{"type": "response.create"}')

                def _on_response_done(self, event):
                    if self._current_response_id is None:
                        return
                    self._current_response_id = None
            """
        )
    )
    done = a.paths_of("event", "response.done")[0]
    assert ("._current_response_id", "clear") in done.certain


def test_code_of_other_apis_has_no_adapter() -> None:
    m = model(
        """
        class Stream:
            async def consume(self, stream):
                async for event in stream:
                    if event.type == "response.completed":
                        self._response_active = False
        """
    )
    assert m.adapters == []


def test_lifecycle_text_names_fields_paths_and_transitions() -> None:
    result = rtlint("lifecycle", "rtlint/runtime/adapter.py", cwd=ROOT)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "rtlint/runtime/adapter.py: RealtimeAdapter" in out
    assert "_state: active" in out
    assert "send `_flush`" in out and "sends response.create" in out
    assert "ACTIVE -> IDLE on response.done" in out
    assert "defect" not in out


def test_reference_adapter_diagram_matches_the_expected_one() -> None:
    result = rtlint("lifecycle", "--format", "mermaid", "rtlint/runtime/adapter.py", cwd=ROOT)
    assert result.exit_code == 0, result.output
    assert result.stdout == SNAPSHOT.read_text(encoding="utf-8")
    check_mermaid(result.stdout)


def test_defects_are_drawn_in_red(tmp_path: Path) -> None:
    fixture = ROOT / "tests/fixtures/python/RT004/not_cleared_on_close.py"
    result = rtlint("lifecycle", "--format", "mermaid", str(fixture), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    check_mermaid(result.stdout)
    found = re.search(r'state "RT004 line 10" as (a1_defect\d+)', result.stdout)
    assert found, result.stdout
    assert f"a1_Active --> {found[1]} : active-state-not-cleared" in result.stdout
    assert f"class {found[1]} defect" in result.stdout
    assert "classDef defect fill:#fdd,stroke:#c00" in result.stdout


def test_lifecycle_reports_unparsable_files_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def f(:\n    response.done\n", encoding="utf-8")
    result = rtlint("lifecycle", "bad.py", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("rtlint: bad.py:1:")
    assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- Mermaid grammar

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_LINE = [
    re.compile(rf'^state "[^"\n]+" as {_ID}( \{{)?$'),
    re.compile(rf"^(\[\*\]|{_ID}) --> ({_ID}|\[\*\])( : [^:\n]+)?$"),
    re.compile(rf"^{_ID} : [^\n]+$"),
    re.compile(rf"^class {_ID} {_ID}$"),
    re.compile(rf"^classDef {_ID} [a-z-]+:[^ ]+$"),
    re.compile(r"^\}$"),
]


def check_mermaid(text: str) -> None:
    """A small grammar of the stateDiagram-v2 subset rtlint writes: the header, state
    declarations (composite ones balanced), transitions between declared states,
    descriptions, class assignments and a classDef for every class used."""
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    declared: set[str] = set()
    depth = 0
    classes: set[str] = set()
    defined: set[str] = set()
    for raw in lines[1:]:
        line = raw.strip()
        assert any(p.match(line) for p in _LINE), f"not Mermaid stateDiagram-v2: {line!r}"
        if line.startswith("state "):
            declared.add(line.split(" as ")[1].split()[0])
            depth += line.endswith("{")
        elif line == "}":
            depth -= 1
            assert depth >= 0
        elif " --> " in line:
            source, rest = line.split(" --> ")
            target = rest.split(" : ")[0]
            for state in (source, target):
                assert state == "[*]" or state in declared, f"undeclared state {state}"
        elif line.startswith("classDef "):
            defined.add(line.split()[1])
        elif line.startswith("class "):
            assert line.split()[1] in declared
            classes.add(line.split()[2])
    assert depth == 0, "unbalanced composite states"
    assert classes <= defined, f"classes without classDef: {classes - defined}"


def test_the_grammar_check_rejects_what_mermaid_would() -> None:
    for broken in (
        "stateDiagram-v2\n    a1_IDLE --> a1_ACTIVE : go\n",  # undeclared states
        'stateDiagram-v2\n    state "A" as a1 {\n',  # unbalanced
        "stateDiagram-v2\n    state A: B: C\n",
    ):
        with pytest.raises(AssertionError):
            check_mermaid(broken)


def test_text_output_of_a_lifecycle_finding_points_to_the_diagram(tmp_path: Path) -> None:
    fixture = ROOT / "tests/fixtures/python/RT004/not_cleared_on_close.py"
    result = rtlint("check", "--isolated", "--no-cache", "--preview", str(fixture), cwd=tmp_path)
    assert result.exit_code == 1
    assert f"`rtlint lifecycle {fixture}` draws the state machine" in result.stdout


def test_a_write_to_a_part_of_a_field_is_not_a_write_of_the_field() -> None:
    """``self._response.reason = None`` leaves ``_response`` as it was: no proof (RT003's
    fix, the lifecycle view) may take it for a clear of the slot; a ref's content is the
    ref's state."""
    from rtlint.analysis.lifecycle import field_of

    assert field_of(("self", "_response", "reason")) is None
    assert field_of(("self", "_response")) == "._response"
    assert field_of(("this", "responseActive", "current")) == ".responseActive"
    assert field_of(("busy",)) == "busy"
