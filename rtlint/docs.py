"""Rule pages (and trace codes' pages): what ``rtlint rule`` prints, ``docs/rules/<CODE>.md`` holds.

``python -m rtlint.docs`` rewrites ``docs/rules/`` from the rule modules;
``python -m rtlint.docs --check`` exits 1 when the committed pages differ.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rtlint import registry
from rtlint.rule import Rule
from rtlint.runtime import trace_codes
from rtlint.runtime.trace_codes import TraceCode

LANGUAGE_NAMES = {"python": "Python", "typescript": "TypeScript"}
DOCS_DIR = Path(__file__).resolve().parent.parent / "docs" / "rules"

Documented = type[Rule] | TraceCode
"""A source rule, or a code ``rtlint trace`` reports: both have a page."""


def all_documented() -> list[Documented]:
    """Every code with a page: the rules, then the trace codes."""
    return [*registry.all_rules(), *trace_codes.TRACE_CODES]


def by_selector(selector: str) -> list[Documented]:
    """Codes matching a code, a code prefix or a name."""
    return [*registry.by_selector(selector), *trace_codes.by_selector(selector)]


def page(rule: Documented) -> str:
    """The rule's page, in Markdown."""
    if rule.languages:
        found_in = "Languages: " + ", ".join(LANGUAGE_NAMES[lang] for lang in rule.languages)
    else:
        found_in = "Found in: wire logs, by `rtlint trace`"
    return (
        f"# {rule.name} ({rule.code})\n\n"
        f"{rule.summary}.\n\n"
        f"Severity: {rule.severity} · {found_in}\n\n"
        f"{rule.documentation()}\n"
    )


def as_json(rule: Documented) -> dict[str, Any]:
    """The rule's metadata and page as a JSON object (``rtlint rule --output-format json``)."""
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "severity": rule.severity,
        "languages": list(rule.languages),
        "fix_title": rule.fix_title,
        "url": rule.url(),
        "explanation": page(rule),
    }


def expected_pages() -> dict[str, str]:
    """File name → content of every page ``docs/rules/`` must hold."""
    return {f"{rule.code}.md": page(rule) for rule in all_documented()}


def stale(directory: Path = DOCS_DIR) -> list[str]:
    """Pages that are missing, differ, or belong to no rule."""
    want = expected_pages()
    have = {p.name for p in directory.glob("*.md")} if directory.is_dir() else set()
    differ = [
        n
        for n, text in want.items()
        if not (directory / n).is_file() or (directory / n).read_text(encoding="utf-8") != text
    ]
    return sorted({*differ, *(have - set(want))})


def write(directory: Path = DOCS_DIR) -> list[str]:
    """Rewrite the pages; the names of those that changed."""
    changed = stale(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in expected_pages().items():
        (directory / name).write_text(text, encoding="utf-8")
    for extra in set(changed) - set(expected_pages()):
        (directory / extra).unlink()
    return changed


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        changed = stale()
        for name in changed:
            print(f"docs/rules/{name} is out of date: run `python -m rtlint.docs`", file=sys.stderr)
        return 1 if changed else 0
    if argv:
        print("usage: python -m rtlint.docs [--check]", file=sys.stderr)
        return 2
    for name in write():
        print(f"wrote docs/rules/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
