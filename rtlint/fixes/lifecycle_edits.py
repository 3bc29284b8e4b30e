"""Fixes for the lifecycle rules: text insertions at the top of a function body."""

from __future__ import annotations

from rtlint import ir
from rtlint.analysis.lifecycle import Adapter, Field, LifecyclePath
from rtlint.diagnostics import Edit, Fix, Safety


def reset_at_start(
    module: ir.Module, adapter: Adapter, fld: Field, path: LifecyclePath, title: str
) -> Fix | None:
    """Insert ``<field> = <cleared value>`` as the first statement of ``path``'s function.

    Unsafe: it changes what the adapter does on connect (which is the point). None when the
    function's body starts on its header's line, or the value to reset to is unknown.
    """
    fn = module.functions[path.function]
    if path.label != fn.name or not fn.body:
        return None
    first = fn.body[0].span
    if first.line == fn.name_span.line:
        return None
    source = module.source
    start = source.rfind(b"\n", 0, first.start_byte) + 1
    indent = source[start : first.start_byte].decode("utf-8", "replace")
    if indent.strip():
        return None
    value = _cleared_value(module, fld)
    newline = "\r\n" if b"\r\n" in source else "\n"
    if module.language == "python":
        target = f"self.{fld.name[1:]}" if fld.name.startswith(".") else fld.name
        line = f"{indent}{target} = {value}{newline}"
    else:
        target = f"this.{fld.name[1:]}" if fld.name.startswith(".") else fld.name
        line = f"{indent}{target} = {value};{newline}"
    return Fix((Edit(start, start, line),), Safety.UNSAFE, title)


def _cleared_value(module: ir.Module, fld: Field) -> str:
    """The source text the adapter itself clears ``fld`` with (``False``, ``None``, ``0``)."""
    for w in sorted(fld.writes, key=lambda w: w.span):
        raw = w.raw
        if w.action == "clear" and isinstance(raw, ir.VConst):
            return module.source[raw.span.start_byte : raw.span.end_byte].decode("utf-8")
    return "False" if module.language == "python" else "false"
