"""Fixes for RT001: choose a plan from the code's own idiom, then realise it per language."""

from __future__ import annotations

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis, Unguarded
from rtlint.diagnostics import Fix
from rtlint.fixes.plan import plan
from rtlint.vocabulary import Vocabulary


def fix_for(
    module: ir.Module, analysis: ModuleAnalysis, finding: Unguarded, vocab: Vocabulary
) -> Fix | None:
    """The fix for one unguarded emission, or None when there is no statement to rewrite."""
    chosen = plan(module, analysis, finding, vocab)
    if chosen is None:
        return None
    if module.language == "python":
        from rtlint.fixes import python_edits

        return python_edits.build(module.source, chosen)
    from rtlint.fixes import typescript_edits

    return typescript_edits.build(module.path, module.source, chosen)
