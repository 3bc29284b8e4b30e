"""The prefilter built from the tokens rules declare: it never skips a file with a finding."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtlint.engine import _run_rules
from rtlint.prefilter import Identifiers, Scan, fold, scan_for
from rtlint.registry import all_rules, by_selector
from rtlint.rule import Rule
from rtlint.vocabulary import DEFAULT
from tests.expectations import EXPECT
from tests.test_fixtures import FIXTURES, _cases


def _passes(source: bytes, vocab: object = DEFAULT, code: str | None = None) -> bool:
    rules = tuple(r for r in all_rules() if code is None or r.code == code)
    scan = scan_for(rules, vocab)
    assert scan is not None
    return scan(source)


@pytest.mark.parametrize("path", _cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixture_with_a_finding_passes(path: Path) -> None:
    source = path.read_bytes()
    rules = tuple(by_selector(path.relative_to(FIXTURES).parts[1]))
    found = _run_rules(str(path), source, rules, DEFAULT, edits=False).diagnostics  # unfiltered
    if EXPECT.search(source.decode()) or found:
        assert _passes(source), f"{path.name} has findings but the prefilter skips it"


def test_every_rule_example_with_a_finding_passes() -> None:
    for rule in all_rules():
        for example in rule.invalid:
            assert _passes(example.source.encode()), f"{rule.code}: {example.source}"


@pytest.mark.parametrize(
    "text",
    [
        'await ws.send(json.dumps({"type": "response.create"}))',
        "await conn.response.create()",
        "await self._send_response_create()",
        "this.createResponse();",
        "client.send(new OpenAIResponseCreateEvent());",
        "RESPONSE_CREATE = 'x'",
    ],
)
def test_tokens_pass(text: str) -> None:
    assert _passes(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        'if event["type"] == "response.created": pass',
        "from openai.types import ResponseCreatedEvent",
        "type RoleCreateResponse = { id: string };",
        "def recreate_response_cache(): pass",
        "response_create_params = {}",
    ],
)
def test_longer_words_do_not_pass(text: str) -> None:
    """RT001's whole-word token: `response.created` is not `response.create` (the lifecycle
    rules name `response.created` on purpose: they judge its handler)."""
    assert not _passes(text.encode(), code="RT001")


def test_configured_vocabulary_words_pass() -> None:
    text = b"self.fire_reply()\nsend(ReplyStartMsg())"
    assert not _passes(text)
    assert _passes(text, DEFAULT.extend(emitter_helpers=["fire_reply"]))
    assert _passes(text, DEFAULT.extend(create_event_classes=["StartMsg"]))


def test_a_rule_without_tokens_sees_every_file() -> None:
    class Everywhere(Rule):
        code = "RT999"
        name = "everywhere"
        summary = "looks at every file"

    class Nowhere(Rule):
        code = "RT998"
        name = "nowhere"
        summary = "needs no analysis"
        tokens: ClassVar[tuple[str, ...] | None] = ()

    assert scan_for((*all_rules(), Everywhere), DEFAULT) is None
    nothing = scan_for((Nowhere,), DEFAULT)
    assert nothing is not None and not nothing(b"response.create")


TOKENS = ["response.create", "send_response_create", "create_response"]
ENDINGS = ["ResponseCreateEvent"]
PIECES = [*TOKENS, *ENDINGS, "Open", "AI", "_", "x", "d", " ", ".", "\n", "response", "create"]


def _reference(text: bytes) -> bool:
    """The same question as one regular expression over the whole folded text."""
    words = "|".join(re.escape(fold(w.encode()).decode()) for w in TOKENS)
    endings = "|".join(re.escape(fold(e.encode()).decode()) for e in ENDINGS)
    pattern = rf"((?<![a-z0-9])({words})|({endings}))(?![a-z0-9])"
    return re.search(pattern.encode(), fold(text)) is not None


@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_scan_agrees_with_one_regular_expression(pieces: list[str]) -> None:
    text = "".join(pieces).encode()
    assert Scan(TOKENS, ENDINGS)(text) == _reference(text)


def test_identifiers_match_whole_exact_names_only() -> None:
    found = Identifiers(["SendEvents", "build_event"])
    assert found(b"from .events import SendEvents\n")
    assert found(b"x = build_event('response.create')")
    assert not found(b"from .events import SendEventsV2, sendevents, MySendEvents")
    assert not found(b"rebuild_events()")
    assert not found(b"$build_event")
    assert not Identifiers([])(b"anything")


def test_a_typescript_declaration_file_is_not_analysed(tmp_path: Path) -> None:
    from rtlint.engine import Settings, check_files, check_source

    declared = 'export declare function send(event: { type: "response.create" }): void;\n'
    code = (
        "export function send(ws: WebSocket) {\n"
        '  ws.send(JSON.stringify({ type: "response.create" }));\n'
        "}\n"
    )
    for name, text in (("api.d.ts", declared), ("api.d.mts", declared), ("api.ts", code)):
        (tmp_path / name).write_text(text)
    results = check_files(sorted(tmp_path.iterdir()), Settings(all_rules()), jobs=1)
    assert {Path(r.path).name: r.skipped for r in results} == {
        "api.d.mts": True,
        "api.d.ts": True,
        "api.ts": False,
    }
    assert [Path(r.path).name for r in results if r.diagnostics] == ["api.ts"]
    assert check_source("api.d.ts", declared.encode(), Settings(all_rules())).skipped  # stdin
