"""A Python file whose rule words stand only in comments and docstrings is treated like a
file the prefilter skips: analysed only when what it imports matters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtlint.engine import Settings, check_files
from rtlint.frontends.python import code_text
from rtlint.registry import all_rules

FIXTURE = Path(__file__).parent / "fixtures/python/RT001/multi/event_named_only_in_docs"
MENTIONS = '''"""Module doc: response.create"""
import x  # response.create after code
# response.create on a line of its own
PROMPT = """
# response.create in a string
"""


def f(
    a,
    # response.create between parameters
    b="""
# response.create in a default
""",
):
    """Function doc: response.create"""
    # response.create in a body
    if a:
        # response.create before a nested body
        pass
    return {
        # response.create in an expression
        "k": 1,
    }
'''


def _kept(source: bytes) -> list[str]:
    """The lines of the code text that still name the event."""
    text = code_text(source, ast.parse(source)).decode("utf-8")
    return [line.strip() for line in text.splitlines() if "response.create" in line]


def test_docstrings_and_comment_lines_go_strings_and_comments_in_expressions_stay() -> None:
    assert _kept(MENTIONS.encode()) == [
        "import x  # response.create after code",
        "# response.create in a string",
        "# response.create in a default",
        "# response.create in an expression",
    ]


@settings(deadline=None)
@given(
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
    st.sampled_from([b"", b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n"]),
    st.text(alphabet="a\xe9\u20ac ", max_size=6),
)
def test_the_code_text_keeps_every_position(newline: bytes, head: bytes, words: str) -> None:
    encoding = "latin-1" if b"latin-1" in head else "utf-8"
    words = words.encode(encoding, "ignore").decode(encoding)
    text = MENTIONS.replace("Module doc", f"Module doc {words}").replace(
        '"k": 1', f'"k": "{words}"'
    )
    source = head + text.encode(encoding).replace(b"\n", newline)
    blanked = code_text(source, ast.parse(source))
    assert len(blanked) == len(source)
    pairs = zip(blanked, source, strict=True)
    assert all(a == b or (a == ord(" ") and b not in b"\r\n") for a, b in pairs)
    assert blanked.count(b"response.create") == 4
    assert blanked.find(b'"k": "') == source.find(b'"k": "')


def test_a_file_naming_the_event_only_in_its_docs_is_analysed_only_when_its_imports_matter() -> (
    None
):
    files = sorted(FIXTURE.glob("*.py"))
    results = {Path(r.path).name: r for r in check_files(files, Settings(all_rules()), jobs=1)}
    assert results["notes.py"].skipped and not results["notes.py"].diagnostics
    assert not results["bot.py"].skipped  # its factory makes the event: it is analysed
    assert [d.code for d in results["bot.py"].diagnostics] == ["RT001"]


def test_a_file_naming_the_event_only_in_a_comment_still_reports_a_syntax_error(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("# sends response.create\ndef f(:\n    pass\n")
    (result,) = check_files([broken], Settings(all_rules()), jobs=1)
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("E999", 2)]


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parent / "fixtures" / "python").rglob("*.py")), ids=str
)
def test_the_rough_code_text_blanks_all_the_exact_one_does(path: Path) -> None:
    source = path.read_bytes()
    tree = ast.parse(source)
    exact, rough = code_text(source, tree), code_text(source, tree, exact=False)
    assert len(rough) == len(source)
    assert all(r == e or r == ord(" ") for r, e in zip(rough, exact, strict=True))
