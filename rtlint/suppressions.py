"""Inline suppressions, read from real comment tokens, and the RT100 findings about them.

Grammar (one for every language; a comment segment starting with ``rtlint:``,
``rtlint-`` or ``rtlint …ignore`` must match it, or it is reported as malformed)::

    rtlint: ignore[RULE, …] -- reason          rtlint-ignore RULE, … -- reason
    rtlint: file-ignore[RULE, …] -- reason     rtlint-file-ignore RULE, … -- reason

At the end of a line a directive covers the statement on that line (all of it,
however many lines it spans); on a line of its own, the statement on the next
line. A comment may hold several segments, each after its own ``#`` (``//``),
so other tools' pragmas can share the line.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import PurePath

from rtlint.diagnostics import Diagnostic, Edit, Fix, Safety
from rtlint.frontends import PYTHON_SUFFIXES, TSX_SUFFIXES
from rtlint.registry import all_rules
from rtlint.rule import Rule
from rtlint.source import LineIndex

_NAME = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
_LIST = rf"{_NAME}(?:[ \t]*,[ \t]*{_NAME})*"
DIRECTIVE = re.compile(
    rf"[ \t]*rtlint(?::[ \t]*(?P<kind>file-ignore|ignore)[ \t]*\[[ \t]*(?P<names>{_LIST})[ \t]*\]"
    rf"|-(?P<dash_kind>file-ignore|ignore)[ \t]+(?P<dash_names>{_LIST}))"
    r"(?:[ \t]*--[ \t]*(?P<reason>\S.*?))?\s*",
    re.S,
)
UNUSED_SUPPRESSION = "RT100"
"""The rule that reports unused and malformed suppressions (``rules/rt100_…``)."""
TRIGGER = re.compile(r"[ \t]*rtlint(?:[ \t]*[:-]|[ \t]+[\w-]*ignore)")
"""A segment that starts like this is meant as a directive and must parse."""


@dataclass
class Directive:
    """One parsed directive; byte offsets are into the file."""

    file_wide: bool
    names: list[tuple[str, int, int]]
    """Rule codes or names as written, with their byte ranges."""
    names_span: tuple[int, int]
    span: tuple[int, int]
    """The directive text, from its comment marker."""
    removal: tuple[int, int]
    """What to delete when no name is used."""
    statement: int | None = None
    used: set[str] = field(default_factory=set)


@dataclass
class Comments:
    """What the suppression pass needs from one file."""

    directives: list[Directive] = field(default_factory=list)
    malformed: list[tuple[int, int]] = field(default_factory=list)
    statement_of_row: dict[int, int] = field(default_factory=dict)

    def statement(self, row: int) -> int:
        """An id for the statement on 1-based ``row`` (a row outside statements is its own)."""
        return self.statement_of_row.get(row, -row)


@dataclass(frozen=True)
class _Comment:
    start: int
    end: int
    row: int
    end_row: int
    own_line: bool
    text: str
    marker: str


def apply_suppressions(
    path: str, source: bytes, diagnostics: Sequence[Diagnostic], rules: Sequence[type[Rule]]
) -> list[Diagnostic]:
    """``diagnostics`` minus the suppressed ones, plus RT100 findings when RT100 is selected."""
    comments = scan(path, source)
    if not comments.directives and not comments.malformed:
        return list(diagnostics)
    codes = _codes()
    kept = _suppress(diagnostics, comments, codes)
    enabled = {r.code for r in rules}
    if UNUSED_SUPPRESSION in enabled:
        index = LineIndex(source)
        found = list(_unused(path, comments, codes, enabled, index))
        kept += _suppress(found, comments, codes)
    return sorted(kept, key=lambda d: d.sort_key)


def _suppress(
    diagnostics: Sequence[Diagnostic], comments: Comments, codes: dict[str, str]
) -> list[Diagnostic]:
    kept = []
    for d in diagnostics:
        statement = comments.statement(d.span.line)
        hits = [
            (directive, name)
            for directive in comments.directives
            if directive.file_wide or directive.statement == statement
            for name, _, _ in directive.names
            if codes.get(name) == d.code
        ]
        for directive, name in hits:
            directive.used.add(name)
        if not hits:
            kept.append(d)
    return kept


def _unused(
    path: str, comments: Comments, codes: dict[str, str], enabled: set[str], index: LineIndex
) -> Iterator[Diagnostic]:
    rule = next(r for r in all_rules() if r.code == UNUSED_SUPPRESSION)
    for start, end in comments.malformed:
        message = (
            "Malformed suppression: write `rtlint: ignore[RULE, ...]` or `rtlint-ignore RULE, ...` "
            "(optionally followed by `-- reason`)"
        )
        yield Diagnostic(
            rule.code, rule.name, message, path, index.span(start, end), url=rule.url()
        )
    for directive in comments.directives:
        problems, seen = [], set()
        for name, start, end in directive.names:
            code = codes.get(name)
            if code is None:
                problems.append((name, start, end, "is not a rule"))
            elif code != rule.code and (
                code in seen or (code in enabled and name not in directive.used)
            ):
                where = "in this file" if directive.file_wide else "here"
                problems.append((name, start, end, f"suppresses nothing {where}"))
            seen.add(code or name)
        if not problems:
            continue
        parts = dict.fromkeys(f"`{n}` {why}" for n, _, _, why in problems)
        message = "Unused suppression: " + "; ".join(parts)
        fix = _removal(directive, {(s, e) for _, s, e, _ in problems})
        span = index.span(*directive.span)
        yield Diagnostic(
            rule.code, rule.name, message, path, span, rule.fix_title, fix, url=rule.url()
        )


def _removal(directive: Directive, unused: set[tuple[int, int]]) -> Fix:
    keep = [name for name, start, end in directive.names if (start, end) not in unused]
    if not keep:
        start, end = directive.removal
        return Fix((Edit(start, end, ""),), Safety.SAFE, "Remove the suppression comment")
    start, end = directive.names_span
    listed = ", ".join(f"`{n}`" for n, s, e in directive.names if (s, e) in unused)
    return Fix((Edit(start, end, ", ".join(keep)),), Safety.SAFE, f"Remove {listed}")


@cache
def _codes() -> dict[str, str]:
    """Rule code or name, exactly as it must be written → code."""
    return {key: r.code for r in all_rules() for key in (r.code, r.name)}


# --------------------------------------------------------------------------- scanning


def scan(path: str, source: bytes) -> Comments:
    """Directives and statement rows of ``source`` (Python by tokens, others by tree-sitter)."""
    suffix = PurePath(path).suffix.lower()
    if suffix in PYTHON_SUFFIXES:
        comments, rows = _python_comments(source)
    else:
        comments, rows = _typescript_comments(source, tsx=suffix in TSX_SUFFIXES)
    result = Comments(statement_of_row=rows)
    own_rows = {r for c in comments if c.own_line for r in range(c.row, c.end_row + 1)}
    index = LineIndex(source)
    for comment in comments:
        if "rtlint" in comment.text:
            _parse(comment, result, own_rows, lambda c: _whole_comment(c, source, index))
    return result


def _parse(
    comment: _Comment,
    result: Comments,
    own_rows: set[int],
    whole: Callable[[_Comment], tuple[int, int]],
) -> None:
    text, marker = comment.text, comment.marker
    body_end = len(text) - 2 if marker == "/*" else len(text)
    starts = [0] if marker == "/*" else [m.start() for m in re.finditer(re.escape(marker), text)]
    for i, seg_start in enumerate(starts):
        seg_end = starts[i + 1] if i + 1 < len(starts) else body_end
        body = text[seg_start + len(marker) : seg_end]
        if not TRIGGER.match(body):
            continue

        def at(char: int, base: int = seg_start + len(marker)) -> int:
            return comment.start + len(text[: base + char].encode())

        match = DIRECTIVE.fullmatch(body)
        visible_end = at(len(body.rstrip()))
        if match is None:
            result.malformed.append((at(0, seg_start), visible_end))
            continue
        group = "names" if match.group("names") else "dash_names"
        names = [
            (m.group(), at(match.start(group) + m.start()), at(match.start(group) + m.end()))
            for m in re.finditer(_NAME, match.group(group))
        ]
        if len(starts) == 1:
            removal = whole(comment)
        elif i + 1 < len(starts):
            removal = (at(0, seg_start), at(0, starts[i + 1]))
        else:
            removal = (comment.start + len(text[:seg_start].rstrip().encode()), comment.end)
        directive = Directive(
            file_wide=(match.group("kind") or match.group("dash_kind")) == "file-ignore",
            names=names,
            names_span=(at(match.start(group)), at(match.end(group))),
            span=(at(0, seg_start), visible_end),
            removal=removal,
        )
        if not directive.file_wide:
            directive.statement = result.statement(_covered_row(comment, own_rows))
        result.directives.append(directive)


def _covered_row(comment: _Comment, own_rows: set[int]) -> int:
    """The row whose statement a directive covers: its own, or the next one's below."""
    if not comment.own_line:
        return comment.row
    row = comment.end_row + 1
    while row in own_rows:
        row += 1
    return row


def _whole_comment(comment: _Comment, source: bytes, index: LineIndex) -> tuple[int, int]:
    """The comment with the blanks before it, or its whole line when it stands alone."""
    line_start = index.line_start(comment.row)
    line_end = source.find(b"\n", comment.end)
    line_end = len(source) if line_end == -1 else line_end
    before, after = source[line_start : comment.start], source[comment.end : line_end]
    if not before.strip() and not after.strip():
        return line_start, min(line_end + 1, len(source))
    return line_start + len(before.rstrip()), comment.end


# --------------------------------------------------------------------------- Python


def _python_comments(source: bytes) -> tuple[list[_Comment], dict[int, int]]:
    """Comments and logical-line rows, from :mod:`tokenize` (the file may not tokenize fully)."""
    index = LineIndex(source)
    comments: list[_Comment] = []
    rows: dict[int, int] = {}
    first: int | None = None
    logical = 0
    skip = {tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
    try:
        for tok in tokenize.tokenize(io.BytesIO(source).readline):
            if tok.type == tokenize.COMMENT:
                row, col = tok.start
                start = index.offset(row, col + 1)
                end = start + len(tok.string.encode())
                own = not tok.line[:col].strip()
                comments.append(_Comment(start, end, row, row, own, tok.string, "#"))
            elif tok.type == tokenize.NEWLINE:
                if first is not None:
                    rows.update(dict.fromkeys(range(first, tok.start[0] + 1), logical))
                    logical, first = logical + 1, None
            elif tok.type not in skip and first is None:
                first = tok.start[0]
    except (tokenize.TokenError, SyntaxError):
        pass
    return comments, rows


# --------------------------------------------------------------------------- TypeScript


@cache
def _parser(tsx: bool) -> object:
    import tree_sitter_typescript
    from tree_sitter import Language, Parser

    raw = (
        tree_sitter_typescript.language_tsx()
        if tsx
        else tree_sitter_typescript.language_typescript()
    )
    return Parser(Language(raw))


_STATEMENT_KINDS = frozenset({"method_definition", "public_field_definition", "field_definition"})


def _is_statement(kind: str) -> bool:
    return kind.endswith(("_statement", "_declaration")) or kind in _STATEMENT_KINDS


def _typescript_comments(source: bytes, tsx: bool) -> tuple[list[_Comment], dict[int, int]]:
    """Comment nodes and statement rows (inner statements own their rows), from tree-sitter."""
    from tree_sitter import Parser

    parser = _parser(tsx)
    assert isinstance(parser, Parser)
    tree = parser.parse(source)
    comments: list[_Comment] = []
    rows: dict[int, int] = {}
    stack = [tree.root_node]
    statement = 0
    while stack:
        node = stack.pop()
        if node.type == "comment":
            start, end = node.start_byte, node.end_byte
            line_start = source.rfind(b"\n", 0, start) + 1
            line_end = source.find(b"\n", end)
            after = source[end:] if line_end == -1 else source[end:line_end]
            own = not source[line_start:start].strip() and not after.strip()
            text = source[start:end].decode("utf-8", errors="replace")
            marker = "/*" if text.startswith("/*") else "//"
            row, end_row = node.start_point[0] + 1, node.end_point[0] + 1
            comments.append(_Comment(start, end, row, end_row, own, text, marker))
            continue
        if _is_statement(node.type):
            rows.update(
                dict.fromkeys(range(node.start_point[0] + 1, node.end_point[0] + 2), statement)
            )
            statement += 1
        stack.extend(reversed(node.children))
    return comments, rows
