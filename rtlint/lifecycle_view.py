"""``rtlint lifecycle PATH``: the response state machine the lifecycle rules judged.

Per adapter: its response-state fields and their roles, and for every path (server
event, connect, close, send, flush) what it does to them. ``--format mermaid`` draws
the active state as a Mermaid ``stateDiagram-v2``: one composite state per adapter,
the states of its active field (``Idle``/``Active`` for a flag, the members for a
state enum), edges labelled with the event or method that takes them, and each
lifecycle finding as a red state.

An edge's source states come from a small analysis on the CFG of the function that
writes the field: the states the field may hold there, narrowed by the branches
taken on the way (``if self._state is not State.IDLE: return``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import click

from rtlint import exitcodes, ir
from rtlint.analysis import cfg as cfgs
from rtlint.analysis.dataflow import solve
from rtlint.analysis.lifecycle import Adapter, Field, LifecyclePath, Write, field_of, shown
from rtlint.diagnostics import Diagnostic
from rtlint.discovery import discover
from rtlint.engine import read_source
from rtlint.frontends import ParseError, lower
from rtlint.project import Project
from rtlint.registry import all_rules
from rtlint.rule import Context
from rtlint.vocabulary import Vocabulary, norm

IDLE, ACTIVE = "Idle", "Active"
LIFECYCLE_CODES = frozenset({f"RT0{n:02d}" for n in range(2, 12)})
"""The rules that judge the lifecycle model (RT002-RT011)."""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


@dataclass
class Machine:
    """The drawable state machine of one adapter's active field."""

    adapter: Adapter
    field: Field | None
    states: list[str]
    initial: str | None
    edges: list[Edge]
    defects: list[Diagnostic]


# --------------------------------------------------------------------------- model → machine


def machine(adapter: Adapter, module: ir.Module, vocab: Vocabulary,
            findings: list[Diagnostic]) -> Machine:  # fmt: skip
    """The state machine of ``adapter``'s (first) active field."""
    actives = adapter.role("active")
    fld = actives[0] if actives else None
    defects = [d for d in findings if _inside(d, adapter, module)]
    if fld is None:
        return Machine(adapter, None, [], None, [], defects)
    written = [w for p in adapter.paths for w in p.writes if w.field == fld.name]
    states = _states([*fld.writes, *written])
    edges: list[Edge] = []
    sources: dict[int, dict[int, set[str]]] = {}
    for path in adapter.paths:
        for w in path.writes:
            if w.field != fld.name:
                continue
            if w.function not in sources:
                sources[w.function] = _sources(module.functions[w.function], fld.name, states)
            before = sources[w.function].get(w.span.start_byte, set(states))
            for target in _targets(w, states):
                for source in sorted(before):
                    if source != target:
                        edges.append(Edge(source, target, path.label))
    initial = _initial(fld, module, states, vocab)
    unique = list(dict.fromkeys(edges))
    return Machine(adapter, fld, states, initial, unique, defects)


def _inside(d: Diagnostic, adapter: Adapter, module: ir.Module) -> bool:
    return any(
        module.functions[i].span.start_byte <= d.span.start_byte < module.functions[i].span.end_byte
        for i in adapter.functions if i != 0
    )  # fmt: skip


def _member(value: ir.Value | None) -> list[str]:
    if isinstance(value, ir.VChoice):
        return [m for option in value.options for m in _member(option)]
    if isinstance(value, ir.VStr):
        return [value.value]
    if isinstance(value, ir.VName) and len(value.path) > 1:
        return [value.path[-1]]
    return []


def _states(writes: list[Write]) -> list[str]:
    """The members a state enum is written with, in source order; else Idle/Active."""
    found = [m for w in sorted(writes, key=lambda w: w.span) for m in _member(w.raw)]
    return list(dict.fromkeys(found)) or [IDLE, ACTIVE]


def _targets(w: Write, states: list[str]) -> list[str]:
    if states == [IDLE, ACTIVE]:
        if w.action == "other":
            return []
        return [ACTIVE if w.action == "set" else IDLE]
    members = _member(w.raw)
    return [m for m in members if m in states]


def _initial(fld: Field, module: ir.Module, states: list[str], vocab: Vocabulary) -> str | None:
    for w in sorted(fld.writes, key=lambda w: w.span):
        fn = module.functions[w.function]
        if fn.name in ("__init__", "constructor") or fn.kind == "module":
            targets = _targets(w, states)
            if targets:
                return targets[0]
    return IDLE if IDLE in states else next((s for s in states if norm(s) in vocab.idle_states),
                                            None)  # fmt: skip


def _sources(fn: ir.Function, name: str, states: list[str]) -> dict[int, set[str]]:
    """For each write of ``name`` in ``fn``: the states the field may hold just before it."""
    everything = frozenset(states)
    enum = states != [IDLE, ACTIVE]

    def excluded_by(test: cfgs.Test, value: bool) -> frozenset[str]:
        possible = _narrow(test, value, name, states, enum)
        return frozenset() if possible is None else everything - possible

    found: dict[int, set[str]] = {}

    def step(node: cfgs.Node, fact: frozenset[str], record: bool = False) -> frozenset[str]:
        for effect in node.effects:
            if isinstance(effect, ir.Assign) and field_of(effect.target) == name:
                if record:
                    found.setdefault(effect.span.start_byte, set()).update(everything - fact)
                members = _member(effect.value) if enum else []
                if members:
                    fact = everything - frozenset(m for m in members if m in everything)
                elif not enum and isinstance(effect.value, ir.VConst):
                    fact = everything - {ACTIVE if effect.value.value else IDLE}
                else:
                    fact = frozenset()
        return fact

    graph = cfgs.build(fn.body)
    facts = solve(graph, frozenset(), excluded_by, step)
    for node, fact in zip(graph.nodes, facts, strict=True):
        if fact is not None:
            step(node, fact, record=True)
    return found


def _narrow(
    test: cfgs.Test, value: bool, name: str, states: list[str], enum: bool
) -> frozenset[str] | None:
    """The states ``name`` may hold when ``test`` has ``value`` (None: not about it)."""
    if isinstance(test, ir.CAtom):
        v = test.value
        if not enum and isinstance(v, ir.VName) and field_of(v.path) == name:
            return frozenset({ACTIVE if value else IDLE})
        return None
    left, right = test.left, test.right
    if isinstance(left, ir.VStr | ir.VConst | ir.VSeq):
        left, right = right, left
    if not isinstance(left, ir.VName) or field_of(left.path) != name:
        return None
    holds = value != (test.op in ("!=", "is not", "not in"))
    if not enum:
        if isinstance(right, ir.VConst) and right.value is None:
            return frozenset({IDLE if holds else ACTIVE})
        return None
    items = right.items if isinstance(right, ir.VSeq) else (right,)
    members = frozenset(m for item in items for m in _member(item) if m in states)
    if not members:
        return None
    return members if holds else frozenset(states) - members


# --------------------------------------------------------------------------- rendering


def render_text(machines: list[Machine], module: ir.Module) -> str:
    out: list[str] = []
    for m in machines:
        a = m.adapter
        out.append(f"{module.path}: {a.name}")
        out.append("  fields:")
        for f in a.fields.values():
            values = sorted({w.value for w in f.writes})
            out.append(f"    {shown(f.name)}: {f.role} (written: {', '.join(values)})")
        out.append("  paths:")
        for p in sorted(a.paths, key=lambda p: (p.span.line, p.kind, p.label)):
            out.append(f"    {p.kind} `{p.label}` (line {p.span.line}): {_effects(p)}")
        if m.edges:
            out.append(f"  transitions of {shown(m.field.name) if m.field else '?'}:")
            for e in m.edges:
                out.append(f"    {e.source} -> {e.target} on {e.label}")
        for d in m.defects:
            out.append(f"  defect {d.code} (line {d.span.line}): {d.message}")
    return "\n".join(out) + ("\n" if out else "")


def _effects(p: LifecyclePath) -> str:
    parts = [f"sets {shown(w.field)} = {w.value}" for w in
             sorted(p.writes, key=lambda w: (w.field, w.span, w.value))]  # fmt: skip
    if p.reads:
        parts.append("tests " + ", ".join(sorted(shown(r) for r in p.reads)))
    if p.emits:
        parts.append("sends response.create")
    return "; ".join(dict.fromkeys(parts)) or "no response state"


_UNSAFE = re.compile(r"[^0-9A-Za-z_.()=, -]")


def _label(text: str) -> str:
    return _UNSAFE.sub("", text.replace("`", "")).strip()


def render_mermaid(machines: list[Machine]) -> str:
    lines = ["stateDiagram-v2"]
    defects = False
    for i, m in enumerate(machines, start=1):
        if m.field is None and not m.defects:
            continue
        prefix = f"a{i}"
        title = _label(m.adapter.name) + (f" ({_label(shown(m.field.name))})" if m.field else "")
        lines.append(f'    state "{title}" as {prefix} {{')
        for s in m.states:
            lines.append(f'        state "{_label(s)}" as {prefix}_{_ident(s)}')
        if m.initial is not None:
            lines.append(f"        [*] --> {prefix}_{_ident(m.initial)}")
        for e in m.edges:
            lines.append(
                f"        {prefix}_{_ident(e.source)} --> {prefix}_{_ident(e.target)} : "
                f"{_label(e.label)}"
            )
        anchor = _anchor(m)
        for j, d in enumerate(m.defects, start=1):
            defects = True
            ident = f"{prefix}_defect{j}"
            lines.append(f'        state "{d.code} line {d.span.line}" as {ident}')
            lines.append(f"        {ident} : {_label(d.message)[:120]}")
            if anchor is not None:
                lines.append(f"        {prefix}_{_ident(anchor)} --> {ident} : {d.name}")
            lines.append(f"        class {ident} defect")
        lines.append("    }")
    if defects:
        lines.append("    classDef defect fill:#fdd,stroke:#c00,color:#900")
    return "\n".join(lines) + "\n"


def _anchor(m: Machine) -> str | None:
    if ACTIVE in m.states:
        return ACTIVE
    return next((s for s in m.states if s != m.initial), m.initial)


def _ident(name: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", name)


# --------------------------------------------------------------------------- command


def machines_for(path: str, source: bytes, vocab: Vocabulary) -> tuple[ir.Module, list[Machine]]:
    """Lower ``source`` and build the machines of its adapters, with their findings."""
    module = lower(path, source)
    ctx = Context(module, vocab, edits=False)
    findings = [d for r in all_rules() if r.code in LIFECYCLE_CODES for d in r().check(ctx)]
    findings.sort(key=lambda d: d.sort_key)
    return module, [machine(a, module, vocab, findings) for a in ctx.lifecycle.adapters]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "mermaid"]),
    default="text",
    show_default=True,
    help="A listing of fields, paths and transitions, or a Mermaid stateDiagram-v2.",
)
def lifecycle(paths: tuple[str, ...], output_format: str) -> None:
    """Show each adapter's response state machine as the lifecycle rules (RT002-RT011) see it."""
    project = Project()
    found = discover(paths, project.filter_for, False)
    for where, message in found.errors:
        click.echo(f"rtlint: {where}: {message}", err=True)
    everything: list[Machine] = []
    texts: list[str] = []
    failed = bool(found.errors)
    for file in found.files:
        source = read_source(file)
        if isinstance(source, str):
            click.echo(f"rtlint: {file}: {source}", err=True)
            failed = True
            continue
        vocab = project.settings_for(file).vocab
        try:
            module, machines = machines_for(str(file), source, vocab)
        except ParseError as exc:
            click.echo(f"rtlint: {file}:{exc.line}:{exc.column}: {exc.message}", err=True)
            failed = True
            continue
        everything += machines
        texts.append(render_text(machines, module))
    if output_format == "mermaid":
        click.echo(render_mermaid(everything), nl=False)
    else:
        click.echo("".join(texts), nl=False)
    sys.exit(exitcodes.ERROR if failed else exitcodes.SUCCESS)
