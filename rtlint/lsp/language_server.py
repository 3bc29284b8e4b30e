"""The language server behind ``rtlint server`` (pygls, over stdio).

It checks the unsaved buffer of each open Python or TypeScript/JavaScript document
with the project's configuration (the nearest configuration file of the document's
path, read afresh on each check), on open and, debounced, on change; offers each
fix as a quick fix labelled safe or unsafe (unsafe ones only with ``--unsafe-fixes``
or the initialization option ``{"unsafeFixes": true}``), all of them as
``source.fixAll.rtlint``, and the rule's summary on hover. Checking and fixing are
the engine's :func:`~rtlint.engine.check_source` and the fixer's
:func:`~rtlint.fixer.fix_source`; this module only translates to LSP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from rtlint import __version__
from rtlint.config import ConfigError, Resolver
from rtlint.diagnostics import Diagnostic, Edit, Safety
from rtlint.engine import SYNTAX_ERROR, check_source
from rtlint.fixer import fix_source
from rtlint.frontends import SUFFIXES
from rtlint.project import Project
from rtlint.registry import by_selector
from rtlint.source import LineIndex

FIX_ALL = "source.fixAll.rtlint"
WARNING = lsp.DiagnosticSeverity.Warning
DEBOUNCE = 0.25
"""Seconds of quiet after a change before the buffer is checked."""


@dataclass
class _Checked:
    """The last check of one document: the text it was run on and its findings."""

    source: bytes
    diagnostics: list[Diagnostic]


class RtlintServer(LanguageServer):
    """The server's state: the last check per document and the pending debounced checks."""

    def __init__(self) -> None:
        super().__init__(
            "rtlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full
        )
        self.unsafe_fixes = False
        self.checked: dict[str, _Checked] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}


def _path(uri: str) -> Path | None:
    path = to_fs_path(uri)
    if path is None or Path(path).suffix.lower() not in SUFFIXES:
        return None
    return Path(path)


@dataclass(frozen=True)
class Positions:
    """Byte offsets of one source as LSP positions, in the negotiated position encoding."""

    index: LineIndex
    encoding: str = lsp.PositionEncodingKind.Utf16

    def at(self, offset: int) -> lsp.Position:
        """0-based line and column in code units of :attr:`encoding` (UTF-8, -16 or -32)."""
        line, _ = self.index.position(offset)
        prefix = self.index.source[self.index.line_start(line) : offset]
        if self.encoding == lsp.PositionEncodingKind.Utf8:
            return lsp.Position(line - 1, len(prefix))
        text = prefix.decode("utf-8", errors="replace")
        if self.encoding == lsp.PositionEncodingKind.Utf32:
            return lsp.Position(line - 1, len(text))
        return lsp.Position(line - 1, len(text.encode("utf-16-le")) // 2)

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.at(start), self.at(end))

    def edits(self, edits: Sequence[Edit]) -> list[lsp.TextEdit]:
        return [lsp.TextEdit(self.range(e.start, e.end), e.content) for e in edits]

    def diagnostic(self, d: Diagnostic) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=self.range(d.span.start_byte, d.span.end_byte),
            message=d.message,
            severity=lsp.DiagnosticSeverity.Error if d.code == SYNTAX_ERROR else WARNING,
            code=d.code,
            code_description=lsp.CodeDescription(href=d.url) if d.url else None,
            source="rtlint",
        )


def _positions(server: RtlintServer, source: bytes) -> Positions:
    encoding = server.workspace.position_encoding or lsp.PositionEncodingKind.Utf16
    return Positions(LineIndex(source), str(encoding))


def _project_for(server: RtlintServer, path: Path) -> Project | None:
    try:
        project = Project(Resolver())
        if project.filter_for(path.parent).excluded(path):
            return None
        project.settings_for(path)
    except ConfigError as exc:
        server.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"rtlint: {exc}"))
        return None
    return project


def check_document(server: RtlintServer, uri: str) -> None:
    """Check the buffer of ``uri`` as it is now and publish the findings."""
    document = server.workspace.get_text_document(uri)
    path = _path(uri)
    project = _project_for(server, path) if path is not None else None
    diagnostics: list[lsp.Diagnostic] = []
    if path is not None and project is not None:
        source = document.source.encode("utf-8")
        result = check_source(str(path), source, project.settings_for(path))
        server.checked[uri] = _Checked(source, result.diagnostics)
        positions = _positions(server, source)
        diagnostics = [positions.diagnostic(d) for d in result.diagnostics]
    else:
        server.checked.pop(uri, None)
    server.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri, diagnostics, version=document.version)
    )


def _debounced(server: RtlintServer, uri: str) -> None:
    previous = server.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()

    async def later() -> None:
        await asyncio.sleep(DEBOUNCE)
        server.pending.pop(uri, None)
        check_document(server, uri)

    server.pending[uri] = asyncio.ensure_future(later())


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _quick_fixes(server: RtlintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    checked = server.checked.get(params.text_document.uri)
    if checked is None:
        return []
    positions = _positions(server, checked.source)
    allowed = {Safety.SAFE, Safety.UNSAFE} if server.unsafe_fixes else {Safety.SAFE}
    actions = []
    for d in checked.diagnostics:
        diagnostic = positions.diagnostic(d)
        if d.fix is None or d.fix.safety not in allowed:
            continue
        if not _overlaps(diagnostic.range, params.range):
            continue
        edit = {params.text_document.uri: positions.edits(d.fix.edits)}
        actions.append(
            lsp.CodeAction(
                title=f"{d.fix.title} ({d.fix.safety.value} fix, {d.code})",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                edit=lsp.WorkspaceEdit(changes=edit),
                is_preferred=d.fix.safety is Safety.SAFE,
            )
        )
    return actions


def _fix_all(server: RtlintServer, uri: str) -> list[lsp.CodeAction]:
    checked, path = server.checked.get(uri), _path(uri)
    project = _project_for(server, path) if path is not None else None
    if checked is None or path is None or project is None:
        return []
    settings = project.settings_for(path)
    fixed = fix_source(str(path), checked.source, settings, server.unsafe_fixes)
    if not fixed.changed:
        return []
    whole = Edit(0, len(checked.source), fixed.fixed.decode("utf-8"))
    edit = {uri: _positions(server, checked.source).edits([whole])}
    safety = "safe and unsafe" if server.unsafe_fixes else "safe"
    return [
        lsp.CodeAction(
            title=f"rtlint: apply all {safety} fixes ({fixed.applied})",
            kind=FIX_ALL,
            edit=lsp.WorkspaceEdit(changes=edit),
        )
    ]


def _wants(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a code action of ``kind`` is among those the client asked for."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def create_server(unsafe_fixes: bool = False) -> RtlintServer:
    """A server with every feature registered (not yet started)."""
    server = RtlintServer()
    server.unsafe_fixes = unsafe_fixes

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: RtlintServer, params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and options.get("unsafeFixes") is True:
            ls.unsafe_fixes = True

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RtlintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        check_document(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RtlintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        _debounced(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: RtlintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        _debounced(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RtlintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        pending = ls.pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL]),
    )
    def code_action(ls: RtlintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        only = params.context.only
        actions = []
        if _wants(only, lsp.CodeActionKind.QuickFix):
            actions += _quick_fixes(ls, params)
        asked = only is not None and _wants(only, FIX_ALL)
        if asked or (only is None and actions):  # unasked: offered beside the quick fixes
            actions += _fix_all(ls, params.text_document.uri)
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: RtlintServer, params: lsp.HoverParams) -> lsp.Hover | None:
        checked = ls.checked.get(params.text_document.uri)
        if checked is None:
            return None
        positions = _positions(ls, checked.source)
        here = lsp.Range(params.position, params.position)
        parts = []
        for d in checked.diagnostics:
            if not _overlaps(positions.diagnostic(d).range, here):
                continue
            rules = by_selector(d.code)
            summary = rules[0].summary if rules else d.message
            link = f"\n\n[{d.code} documentation]({d.url})" if d.url else ""
            parts.append(f"**rtlint {d.code}** `{d.name}`: {summary}{link}")
        if not parts:
            return None
        return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, "\n\n---\n\n".join(parts)))

    return server
