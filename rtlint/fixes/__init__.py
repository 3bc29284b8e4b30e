"""Fixes for RT001: choose a plan from the code's own idiom, then realise it per language."""

from __future__ import annotations

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis, Unguarded
from rtlint.analysis.lifecycle import LifecycleModel
from rtlint.diagnostics import Fix
from rtlint.fixes.plan import plan
from rtlint.vocabulary import Vocabulary


def fix_for(
    module: ir.Module,
    analysis: ModuleAnalysis,
    finding: Unguarded,
    vocab: Vocabulary,
    edits: bool = True,
    lifecycle: LifecycleModel | None = None,
) -> Fix | None:
    """The fix for one unguarded emission, or None when there is no statement to rewrite.

    Without ``edits`` only the plan is made (cheap, from the IR): the fix says it is
    available and how safe it is, with no edits. ``lifecycle``: the module's model, when
    the caller has it already (it is built otherwise).
    """
    chosen = plan(module, analysis, finding, vocab, lifecycle)
    if chosen is None:
        return None
    if not edits:
        return Fix((), chosen.safety, chosen.title)
    if module.language == "python":
        from rtlint.fixes import python_edits

        return python_edits.build(module.source, chosen)
    from rtlint.fixes import typescript_edits

    return typescript_edits.build(module.path, module.source, chosen)
