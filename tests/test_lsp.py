"""``rtlint server`` end to end: a real LSP client (pygls) talks to it over stdio."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from rtlint import lsp as lsp_command
from rtlint.cli import main
from rtlint.lsp.language_server import Positions
from rtlint.source import LineIndex
from tests.cli import write

T = TypeVar("T")
FIX_ALL = "source.fixAll.rtlint"

ROUTED = """\
import json


class Adapter:
    def __init__(self, ws):
        self._ws = ws
        self._response_active = False
        self._response_requested = False

    async def _send(self, event):
        await self._ws.send(json.dumps(event))

    async def _request_response(self):
        if self._response_active:
            self._response_requested = True
            return
        self._response_active = True
        await self._send({"type": "response.create"})

    async def send_text(self, text):
        await self._send({"type": "conversation.item.create", "item": {"text": text}})
        await self._send({"type": "response.create"})

    async def on_event(self, event):
        if event["type"] == "response.done":
            self._response_active = False
            if self._response_requested:
                self._response_requested = False
                await self._request_response()
"""

FLAG_ONLY = """\
import json


class Adapter:
    def __init__(self, ws):
        self.ws = ws
        self._response_active = False

    async def send_text(self, text):
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def on_event(self, event):
        if event["type"] == "response.done":
            self._response_active = False
"""


class Session:
    """A client connected to ``rtlint server`` with the diagnostics it received, per URI."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.published: dict[str, asyncio.Queue[lsp.PublishDiagnosticsParams]] = {}

    def queue(self, uri: str) -> asyncio.Queue[lsp.PublishDiagnosticsParams]:
        return self.published.setdefault(uri, asyncio.Queue())

    async def diagnostics(self, uri: str) -> list[lsp.Diagnostic]:
        return list((await asyncio.wait_for(self.queue(uri).get(), 20)).diagnostics)

    def open(self, path: Path, text: str) -> str:
        uri = path.as_uri()
        item = lsp.TextDocumentItem(uri, "python", 1, text)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(item))
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        document = lsp.VersionedTextDocumentIdentifier(version=version, uri=uri)
        change = lsp.TextDocumentContentChangeWholeDocument(text)
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(document, [change]))

    async def actions(
        self, uri: str, diagnostic: lsp.Diagnostic, only: list[str] | None = None
    ) -> list[lsp.CodeAction]:
        context = lsp.CodeActionContext([diagnostic], only=only)
        params = lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), diagnostic.range, context)
        found = await self.client.text_document_code_action_async(params)
        return [a for a in found or [] if isinstance(a, lsp.CodeAction)]


@asynccontextmanager
async def server(
    cwd: Path, options: dict[str, Any] | None = None, encodings: list[str] | None = None
) -> AsyncIterator[Session]:
    client = LanguageClient("rtlint-tests", "1")
    session = Session(client)

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
    def published(params: lsp.PublishDiagnosticsParams) -> None:
        session.queue(params.uri).put_nowait(params)

    await client.start_io(sys.executable, "-m", "rtlint", "server", cwd=str(cwd))
    init = lsp.InitializeParams(
        capabilities=lsp.ClientCapabilities(
            general=lsp.GeneralClientCapabilities(position_encodings=encodings)
        ),
        root_uri=cwd.as_uri(),
        initialization_options=options,
    )
    result = await asyncio.wait_for(client.initialize_async(init), 20)
    assert result.server_info is not None and result.server_info.name == "rtlint"
    client.initialized(lsp.InitializedParams())
    try:
        yield session
    finally:
        await asyncio.wait_for(client.shutdown_async(None), 20)
        client.exit(None)
        await client.stop()  # type: ignore[no-untyped-call]


def run(test: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(test(), 60))


def apply(text: str, edits: Sequence[lsp.TextEdit]) -> str:
    """Apply LSP text edits (ASCII text: UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(p: lsp.Position) -> int:
        return starts[p.line] + p.character if p.line < len(lines) else len(text)

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def test_diagnostic_from_the_buffer_then_quick_fix_then_it_goes(tmp_path: Path) -> None:
    write(tmp_path, {"adapter.py": "# nothing on disk yet\n"})

    async def scenario() -> None:
        async with server(tmp_path) as s:
            uri = s.open(tmp_path / "adapter.py", ROUTED)
            [diagnostic] = await s.diagnostics(uri)
            assert (diagnostic.code, diagnostic.source) == ("RT001", "rtlint")
            assert diagnostic.range.start == lsp.Position(21, 14)

            hover = await s.client.text_document_hover_async(
                lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(21, 20))
            )
            assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
            assert "RT001" in hover.contents.value
            assert "unguarded-response-create" in hover.contents.value

            actions = await s.actions(uri, diagnostic)
            [quick] = [a for a in actions if a.kind == lsp.CodeActionKind.QuickFix]
            assert "(safe fix, RT001)" in quick.title
            assert [a.kind for a in actions] == [
                lsp.CodeActionKind.QuickFix,
                "source.fixAll.rtlint",
            ]
            assert quick.edit is not None and quick.edit.changes is not None
            fixed = apply(ROUTED, quick.edit.changes[uri])
            assert "await self._request_response()" in fixed.splitlines()[21]

            s.change(uri, 2, fixed)
            assert await s.diagnostics(uri) == []

    run(scenario)


def test_unsafe_fixes_only_when_asked_and_fix_all(tmp_path: Path) -> None:
    write(tmp_path, {"adapter.py": FLAG_ONLY})

    async def scenario(
        options: dict[str, Any] | None,
    ) -> tuple[list[lsp.CodeAction], list[lsp.CodeAction]]:
        async with server(tmp_path, options) as s:
            uri = s.open(tmp_path / "adapter.py", FLAG_ONLY)
            [diagnostic] = await s.diagnostics(uri)
            actions = await s.actions(uri, diagnostic)
            fix_all = await s.actions(uri, diagnostic, only=["source.fixAll"])
            for action in fix_all:
                assert action.edit is not None and action.edit.changes is not None
                s.change(uri, 2, apply(FLAG_ONLY, action.edit.changes[uri]))
                assert await s.diagnostics(uri) == []
            return actions, fix_all

    assert run(lambda: scenario(None)) == ([], [])
    actions, fix_all = run(lambda: scenario({"unsafeFixes": True}))
    assert [a.kind for a in actions] == [lsp.CodeActionKind.QuickFix, FIX_ALL]
    assert [a.kind for a in fix_all] == [FIX_ALL]
    assert "(unsafe fix, RT001)" in actions[0].title


def test_the_project_configuration_applies_and_changes_are_debounced(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"pyproject.toml": '[tool.rtlint.per-file-ignores]\n"legacy/**" = ["RT001"]\n'},
    )

    async def scenario() -> None:
        async with server(tmp_path) as s:
            legacy = s.open(tmp_path / "legacy" / "adapter.py", ROUTED)
            assert await s.diagnostics(legacy) == []
            uri = s.open(tmp_path / "adapter.py", "x = 1\n")
            assert await s.diagnostics(uri) == []
            for version in range(2, 7):  # typing: one check once the buffer is quiet
                s.change(uri, version, ROUTED[: 200 * version])
            s.change(uri, 7, ROUTED)
            [diagnostic] = await s.diagnostics(uri)
            assert diagnostic.code == "RT001"
            await asyncio.sleep(0.5)
            assert s.queue(uri).empty(), "intermediate buffers were not checked"

    run(scenario)


def test_positions_count_code_units_of_the_negotiated_encoding() -> None:
    source = "x = '🎤é'; y\n".encode()
    y = source.index(b"y")
    for encoding, column in (("utf-16", 11), ("utf-8", 14), ("utf-32", 10)):
        assert Positions(LineIndex(source), encoding).at(y) == lsp.Position(0, column)


def test_a_client_that_prefers_utf8_gets_byte_columns(tmp_path: Path) -> None:
    send = 'await self._send({"type": "response.create"})'
    text = ROUTED.replace(
        f"        {send}\n\n    async def on_event",
        f"        {send[:-2]}, 'é': 1}})\n\n    async def on_event",
    )
    assert text != ROUTED

    async def scenario(encoding: str) -> lsp.Range:
        async with server(tmp_path, encodings=[encoding, "utf-16"]) as s:
            [diagnostic] = await s.diagnostics(s.open(tmp_path / "a.py", text))
            return diagnostic.range

    utf8, utf16 = run(lambda: scenario("utf-8")), run(lambda: scenario("utf-16"))
    assert utf8.start == utf16.start
    assert utf8.end.character == utf16.end.character + 1  # é is two bytes, one UTF-16 unit


def test_readme_editor_snippets_start_the_server() -> None:
    """Each snippet parses and runs exactly `rtlint server`, the command tested above."""
    import tomllib

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Editors\n", 1)[1].split("\n## ", 1)[0]
    blocks = dict(re.findall(r"```(\w+)\n(.*?)```", section, re.S))
    vscode = json.loads(blocks["json"])
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == [
        "rtlint",
        "server",
    ]
    assert "source.fixAll.rtlint" in vscode["editor.codeActionsOnSave"]
    assert 'cmd = { "rtlint", "server" }' in blocks["lua"]
    helix = tomllib.loads(blocks["toml"])
    assert helix["language-server"]["rtlint"] == {"command": "rtlint", "args": ["server"]}
    assert all("rtlint" in language["language-servers"] for language in helix["language"])
    assert main.get_command(click.Context(main), "server") is lsp_command.server


def test_syntax_errors_and_bad_configuration_are_reported_not_fatal(tmp_path: Path) -> None:
    write(tmp_path, {"bad/rtlint.toml": "selcet = []\n"})

    async def scenario() -> None:
        async with server(tmp_path) as s:
            messages: asyncio.Queue[lsp.ShowMessageParams] = asyncio.Queue()

            @s.client.feature(lsp.WINDOW_SHOW_MESSAGE)  # type: ignore[untyped-decorator]
            def shown(params: lsp.ShowMessageParams) -> None:
                messages.put_nowait(params)

            broken = s.open(
                tmp_path / "broken.py", 'def f(:\n    send({"type": "response.create"})\n'
            )
            [diagnostic] = await s.diagnostics(broken)
            assert (diagnostic.code, diagnostic.severity) == ("E999", lsp.DiagnosticSeverity.Error)
            configured = s.open(tmp_path / "bad" / "adapter.py", ROUTED)
            assert await s.diagnostics(configured) == []
            shown_message = await asyncio.wait_for(messages.get(), 20)
            assert shown_message.type == lsp.MessageType.Error
            assert (
                "rtlint.toml: selcet: unknown key (did you mean `select`?)" in shown_message.message
            )
            s.change(broken, 2, ROUTED)  # the server is still serving
            assert [d.code for d in await s.diagnostics(broken)] == ["RT001"]

    run(scenario)
