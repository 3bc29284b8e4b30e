"""The Python fix editor's fast path (regenerate one top-level statement) gives the bytes a
transformation of the whole module gives."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from rtlint.fixes.python_edits import _parsed, _Replacer

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "python").rglob("*.py"))


def _guarded(line: cst.SimpleStatementLine) -> cst.BaseStatement:
    return cst.If(
        test=cst.Name("busy"),
        body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])]),
        orelse=cst.Else(cst.IndentedBlock([line.with_changes(leading_lines=[])])),
        leading_lines=line.leading_lines,
    )


def _doubled(line: cst.SimpleStatementLine) -> cst.FlattenSentinel[cst.BaseStatement]:
    return cst.FlattenSentinel([line, line.with_changes(leading_lines=[])])


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_splicing_one_statement_equals_transforming_the_module(path: Path) -> None:
    source = path.read_bytes()
    module, lines, tops = _parsed(source)
    assert tops is not None or not module.has_trailing_newline
    for start, line in list(lines.items())[:40]:
        for replace in (_guarded, _doubled):
            whole = module.visit(_Replacer(line, replace)).bytes
            if tops is not None:
                assert tops.spliced(module, line, start, replace) == whole
