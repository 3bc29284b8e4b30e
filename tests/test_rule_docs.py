"""`rtlint rule` prints the pages `docs/rules/` holds, and those pages match the rule modules."""

from __future__ import annotations

import json
from pathlib import Path

from rtlint.docs import DOCS_DIR, page, stale
from rtlint.registry import all_rules
from tests.cli import rtlint


def test_committed_rule_pages_match_the_rule_modules() -> None:
    assert DOCS_DIR.is_dir()
    assert stale() == [], "docs/rules/ is out of date: run `python -m rtlint.docs`"


def test_rule_command_prints_the_committed_page(tmp_path: Path) -> None:
    for rule in all_rules():
        by_code = rtlint("rule", rule.code, cwd=tmp_path)
        assert by_code.exit_code == 0
        assert by_code.stdout == (DOCS_DIR / f"{rule.code}.md").read_text(encoding="utf-8")
        assert rtlint("rule", rule.name, cwd=tmp_path).stdout == by_code.stdout
    everything = rtlint("rule", "--all", cwd=tmp_path).stdout
    assert everything == "\n".join(page(r) for r in all_rules())


def test_rule_command_json(tmp_path: Path) -> None:
    one = json.loads(rtlint("rule", "RT001", "--output-format", "json", cwd=tmp_path).stdout)
    assert one["code"] == "RT001" and one["explanation"] == page(all_rules()[0])
    assert set(one) == {
        "code",
        "name",
        "summary",
        "severity",
        "languages",
        "fix_title",
        "url",
        "explanation",
    }
    every = json.loads(rtlint("rule", "--all", "--output-format", "json", cwd=tmp_path).stdout)
    assert [r["code"] for r in every] == [r.code for r in all_rules()]


def test_rule_command_errors(tmp_path: Path) -> None:
    unknown = rtlint("rule", "RT999", cwd=tmp_path)
    assert (unknown.exit_code, unknown.stderr) == (2, "rtlint: error: unknown rule `RT999`\n")
    assert rtlint("rule", cwd=tmp_path).exit_code == 2


def test_stale_reports_missing_changed_and_orphaned_pages(tmp_path: Path) -> None:
    (tmp_path / "RT001.md").write_text("old\n", encoding="utf-8")
    (tmp_path / "RT777.md").write_text("gone\n", encoding="utf-8")
    pages = sorted(f"{r.code}.md" for r in all_rules())
    assert stale(tmp_path) == sorted({*pages, "RT777.md"})
