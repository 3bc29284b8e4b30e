"""Discovery's fast glob matching answers exactly what pathspec answers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rtlint.discovery import DEFAULT_EXCLUDE, DEFAULT_INCLUDE, matcher, spec

NAMES = ["a", "b.py", "node_modules", "x.ts", "build", ".venv", "dist"]
PATTERNS = st.sampled_from(
    [*NAMES, "*.py", "*.ts", "*py", "build/", "a/b", "/a", "**/x.ts", "?uild", "b*", "*", "# c",
     "", "!a", "a/**", "[ab].py", "dist/*.ts", "node_modules  "]
)  # fmt: skip
PATHS = st.lists(st.sampled_from([*NAMES, "c", "a.py.ts"]), min_size=1, max_size=4).map("/".join)


@given(st.lists(PATTERNS, max_size=5).map(tuple), PATHS, st.booleans())
def test_matcher_agrees_with_pathspec(patterns: tuple[str, ...], path: str, is_dir: bool) -> None:
    rel = path + "/" if is_dir else path
    assert matcher(patterns)(rel) == spec(patterns).match_file(rel)


@given(PATHS, st.booleans())
def test_default_globs_agree_with_pathspec(path: str, is_dir: bool) -> None:
    rel = path + "/" if is_dir else path
    for patterns in (DEFAULT_EXCLUDE, DEFAULT_INCLUDE):
        assert matcher(patterns)(rel) == spec(patterns).match_file(rel)
