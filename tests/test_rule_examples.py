"""Each rule's documented examples run as tests: valid ones stay silent, invalid ones flag."""

from __future__ import annotations

import pytest

from rtlint.engine import Settings, check_source
from rtlint.registry import all_rules
from rtlint.rule import Example, Rule
from tests.expectations import expected, explain, reported

CASES = [
    pytest.param(rule, example, kind, id=f"{rule.code}-{kind}-{i}")
    for rule in all_rules()
    for kind, examples in (("valid", rule.valid), ("invalid", rule.invalid))
    for i, example in enumerate(examples)
]


@pytest.mark.parametrize(("rule", "example", "kind"), CASES)
def test_example(rule: type[Rule], example: Example, kind: str) -> None:
    source = example.source
    result = check_source(example.filename, source.encode(), Settings(rules=all_rules()))
    assert not [d for d in result.diagnostics if d.code == "E999"], "example does not parse"
    want, got = expected(source, rule.code), reported(result.diagnostics, rule.code)
    if kind == "valid":
        assert not want, "a valid example must not carry expect markers"
    else:
        assert want, "an invalid example must mark the lines it expects flagged"
    assert want == got, explain(source, want, got)


def test_rules_are_complete() -> None:
    rules = all_rules()
    assert rules
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for rule in rules:
        doc = rule.documentation()
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert section in doc, f"{rule.code} documentation lacks {section}"
        languages = {e.language for e in (*rule.valid, *rule.invalid)}
        assert languages == set(rule.languages), f"{rule.code} examples miss a language"
