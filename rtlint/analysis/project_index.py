"""The project model: what each file of a run can learn from the others and the SDKs.

A run is planned from cheap text scans (:class:`Planner`; for many files the scans run in
the worker processes too): which files the prefilter skipped join the analysis, the
subclasses among the analysed files, and for each analysed file a digest of the files it
imports transitively (part of its cache key).

Each worker process keeps one :class:`ProjectIndex` per run (:func:`view_for`) and builds
it lazily, only for what the files it analyses use:

* a text scan of a file (:mod:`.imports`): imports, class bases, create constants;
* for the files they import (and the subclasses of their classes), an analysis that
  yields :class:`~.summaries.FunctionSummary` s, only for the names used and only for
  files that can define anything relevant. A file's summaries are computed with its own
  view of the files it imports; an import cycle is cut;
* the SDK tables (:mod:`rtlint.sdk`) for imports of realtime client libraries that are
  not in the tree: a file in the tree always wins over a table.

:meth:`ProjectIndex.view` gives a file the :class:`~.summaries.ExternalView` of the names
it uses; the engine passes it to the file's analysis.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis
from rtlint.analysis.emissions import own_params, walk_effects
from rtlint.analysis.imports import (
    CREATE_BYTES,
    Import,
    absolute,
    is_python,
    resolve,
    resolve_cache_clear,
    scan_bases,
    scan_constants,
    scan_imports,
    starts_word,
)
from rtlint.analysis.summaries import ClassSummary, ExternalView, FunctionSummary
from rtlint.prefilter import Identifiers, Scan, fold
from rtlint.sdk import SdkTables, load_tables
from rtlint.vocabulary import Vocabulary

_MAX_DEPTH = 8
_MAX_MODEL_DEPTH = 1
_MAX_DEPENDENCY_BYTES = 64 * 1024
"""Larger files (bundles, generated code) are not analysed for their summaries."""
_SMALL_FILE_BYTES = 24 * 1024


class FileModel:
    """A defining file, lowered and analysed once; its functions are summarized on demand
    (only the names other files use cost a summary)."""

    def __init__(self, analysis: ModuleAnalysis | None) -> None:
        self.analysis = analysis
        self.functions: dict[str, int] = {}
        self.classes: dict[str, dict[str, int]] = {}
        self._summaries: dict[int, FunctionSummary] = {}
        self._unguarded: dict[int, bool] = {}
        if analysis is None:
            return
        for fn in analysis.index.functions[1:]:
            if fn.parent not in (0, None) or not fn.name:
                continue  # nested functions are not visible to other files
            if fn.kind == "method" and fn.class_name is not None:
                self.classes.setdefault(fn.class_name, {}).setdefault(fn.name, fn.index)
            elif fn.kind == "function":
                self.functions.setdefault(fn.name, fn.index)
        for fn_sites in analysis.sites:
            for site in fn_sites:
                if site.emission is not None and not site.emission.out_of_band:
                    before = self._unguarded.get(site.function, False)
                    self._unguarded[site.function] = before or not site.guarded

    def methods(self, cls: str) -> dict[str, FunctionSummary]:
        return {name: self.summary(i) for name, i in self.classes.get(cls, {}).items()}

    def summary(self, at: int) -> FunctionSummary:
        if at not in self._summaries:
            self._summaries[at] = self._summarize(at)
        return self._summaries[at]

    def _summarize(self, at: int) -> FunctionSummary:
        assert self.analysis is not None
        index = self.analysis.index
        fn = index.functions[at]
        params = own_params(fn)
        sends: set[str] = set()
        defers: set[str] = set()
        for param in params:
            effect = index.param_effect(at, param) if _passes(fn, param) else None
            if effect == "emit":
                sends.add(param)
            elif effect == "defer":
                defers.add(param)
        built = index.builds_create(at)
        return FunctionSummary(
            params=params,
            emits=self._unguarded.get(at) is True,
            defers=self._unguarded.get(at) is False,
            builds=built is not None,
            out_of_band=built is not None and built.out_of_band,
            builds_when=index.builds_when(at) if built is None else None,
            sends=frozenset(sends),
            defers_params=frozenset(defers),
            guard=index.predicate(_self_call(fn), fn) if not params else None,
            dispatches=index.dispatches_on_type(at),
        )


class _Scan:
    """A file's text and what cheap scans find in it (each scan run once, when asked)."""

    def __init__(self, path: Path, source: bytes) -> None:
        self.path = str(path)
        self.source = source
        self._self_calls: frozenset[str] | None = None
        self._definitions: frozenset[str] | None = None

    @cached_property
    def imports(self) -> list[Import]:
        return scan_imports(self.path, self.source)

    @cached_property
    def bases(self) -> dict[str, tuple[str, ...]]:
        return scan_bases(self.path, self.source)

    @cached_property
    def constants(self) -> dict[tuple[str, ...], str]:
        return scan_constants(self.source)

    @cached_property
    def digest(self) -> str:
        return content_digest(self.source)

    @cached_property
    def may_define(self) -> bool:
        """Can the file define anything but inert functions (see :meth:`ProjectIndex.model`)?"""
        return _may_define_summaries(self.source)

    def defines_class(self, name: str) -> bool:
        """Does the file define a class ``name`` (a word after ``class`` and a space)?"""
        return name.encode() in self._class_names

    @cached_property
    def _class_names(self) -> frozenset[bytes]:
        source = self.source
        found = set()
        at = source.find(b"class")
        while at >= 0:
            match = _AFTER_CLASS.match(source, at + 5)
            if match is not None:
                found.add(match.group(1))
            at = source.find(b"class", at + 5)
        return frozenset(found)

    @cached_property
    def _definition_starts(self) -> list[tuple[int, str]]:
        pattern = _PY_DEFINITION if is_python(self.path) else _DEFINITION
        lines = b"\n" + self.source  # each match starts at the newline before its line
        return [(m.start(), m.group(1).decode()) for m in pattern.finditer(lines)]

    def may_matter(self, name: str, state: Scan) -> bool:
        """Can a definition of ``name`` here send, build, queue or test a response, by its
        text (up to the next definition)? True when no definition is recognised."""
        starts = self._definition_starts
        found = False
        for i, (at, defined) in enumerate(starts):
            if defined == name:
                found = True
                end = starts[i + 1][0] if i + 1 < len(starts) else len(self.source)
                small = len(self.source) <= _SMALL_FILE_BYTES
                if _region_matters(self.source[at:end], state, small):
                    return True
        return not found

    def callable_name(self, name: str) -> bool:
        """May ``name`` be defined (or called) as a function here? A cheap filter."""
        return any(
            after[:1] in (b"(", b"<") or re.match(rb"=\s*(?:async\s*)?\(", after) is not None
            for _, after in _occurrences(self.source, name)
        )

    def method_calls(self) -> frozenset[str]:
        """Names called as methods of some object (``x.name(``) that may matter."""
        return _relevant(_METHOD_CALL.findall(self.source))

    def definitions(self) -> frozenset[str]:
        """Names of functions and methods the file defines (a cheap approximation)."""
        if self._definitions is None:
            self._definitions = frozenset(name for _, name in self._definition_starts)
        return self._definitions

    @cached_property
    def _abstract(self) -> frozenset[str]:
        source = self.source
        if b"abstract" not in source:
            return frozenset()
        found = {m.group(1) for m in _ABSTRACT_METHOD.finditer(source)}
        for match in _ABSTRACT_MEMBER.finditer(source):
            if starts_word(source, match.start()):  # ``abstract`` as a word of its own
                found.add(match.group(1))
        return frozenset(name.decode() for name in found)

    def abstract_methods(self) -> frozenset[str]:
        """Methods declared abstract (``@abstractmethod``, ``abstract name(``)."""
        return self._abstract

    def self_calls(self) -> frozenset[str]:
        """Methods the file calls on ``self``/``this``."""
        if self._self_calls is None:
            found = set()
            for match in _SELF_CALL.finditer(self.source):
                name = match.group(1).decode()
                before = self.source[max(0, match.start() - 8) : match.start()].rstrip(b" \t(")
                if _RELEVANT.search(name) or _TESTED.search(before) is not None:
                    found.add(name)  # a call in a test is a predicate, whatever its name
            self._self_calls = frozenset(found)
        return self._self_calls


class ProjectIndex:
    """Lazily scanned files, summaries computed on demand and memoized."""

    def __init__(
        self, vocab: Vocabulary, files: Iterable[Path] = (), sdk: SdkTables | None = None
    ) -> None:
        self.vocab = vocab
        self.sdk = sdk if sdk is not None else load_tables(vocab)
        self._scans: dict[Path, _Scan | None] = {}
        self._models: dict[Path, FileModel] = {}
        self._subclasses: dict[str, list[tuple[Path, str]]] = {}
        self._depth = 0
        self._state = Scan(
            (), (*vocab.active_flags, *vocab.active_predicates, *vocab.idle_predicates)
        )
        """Names of the active-response state (a definition that reads one may guard)."""
        self._reading: list[set[Path]] = []
        """The files read by each view or model being built (innermost last)."""
        self._model_reads: dict[Path, set[Path]] = {}
        """How many defining files are being analysed, one for the next (see :meth:`model`)."""
        for path in files:
            scan = self._scan(path)
            if scan is not None:
                for cls, bases in scan.bases.items():
                    for base in bases:
                        self._subclasses.setdefault(base.split(".")[-1], []).append((path, cls))

    # -- scanning

    def _scan(self, path: Path, source: bytes | None = None) -> _Scan | None:
        path = absolute(path)
        for reads in self._reading:
            reads.add(path)
        if path not in self._scans:
            try:
                data = source if source is not None else path.read_bytes()
            except OSError:
                self._scans[path] = None
                return None
            self._scans[path] = _Scan(path, data)
        return self._scans[path]

    def reading(self, path: Path, source: bytes) -> tuple[ExternalView, tuple[Use, ...]]:
        """``path``'s view and the files it was made from, with their content digests
        (a cached result is valid while they are unchanged: :func:`unchanged`)."""
        self._reading.append(set())
        try:
            view = self.view(path, source)
        finally:
            reads = self._reading.pop()
        reads.discard(absolute(path))
        return view, tuple(sorted((str(p), self._digest(p)) for p in reads))

    def _digest(self, path: Path) -> str:
        scan = self._scans.get(path)
        return scan.digest if scan is not None else ""

    # -- models of defining files

    def model(self, path: Path) -> FileModel:
        """``path`` lowered and analysed with its own view (once; import cycles are cut).
        A file analysed for another's view sees only the constants of the files it
        imports, not their summaries (a helper of a helper in a third file is rare, and
        following every import of a package made the cost grow with the whole package)."""
        path = absolute(path)
        if path not in self._models:
            self._models[path] = FileModel(None)  # cuts import cycles
            self._reading.append(set())
            try:
                scan = self._scan(path)
                if scan is not None and scan.may_define:
                    self._models[path] = FileModel(self._analyse(path, scan))
            finally:
                self._model_reads[path] = self._reading.pop()
        for reads in self._reading:
            reads |= self._model_reads.get(path, set())
        return self._models[path]

    def _analyse(self, path: Path, scan: _Scan) -> ModuleAnalysis | None:
        from rtlint.analysis.active_state import analyze
        from rtlint.frontends import ParseError, lower

        self._depth += 1
        try:
            module = lower(str(path), scan.source)
            return analyze(module, self.vocab, self.view(path, scan.source))
        except (ParseError, ValueError, UnicodeDecodeError, RecursionError, SyntaxError):
            return None
        finally:
            self._depth -= 1

    # -- names

    def symbol(
        self, path: Path, name: str, depth: int = 0, wanted: frozenset[str] = frozenset()
    ) -> object | None:
        """What ``name`` is in the file ``path``: a FunctionSummary, a ClassSummary, a
        constants container (dict of member → value) or a string constant."""
        scan = self._scan(path)
        if scan is None or depth > _MAX_DEPTH:
            return None
        members = {k[1]: v for k, v in scan.constants.items() if len(k) == 2 and k[0] == name}
        if members:
            return members
        if (name,) in scan.constants:
            return scan.constants[(name,)]
        deep = self._depth >= _MAX_MODEL_DEPTH  # only constants from here on
        if not deep and scan.defines_class(name):
            return self.class_summary(path, name, depth, wanted)
        if (
            not deep
            and scan.may_define
            and scan.callable_name(name)
            and scan.may_matter(name, self._state)
        ):
            model = self.model(path)
            if name in model.functions:
                return model.summary(model.functions[name])
        for imp in scan.imports:  # re-exported
            if imp.alias == name and imp.name is not None:
                target = resolve(path, imp.module)
                if target is not None:
                    return self.symbol(target, imp.name, depth + 1, wanted)
                return self.sdk.lookup(imp.module, imp.name)
        return None

    def class_summary(
        self, path: Path, name: str, depth: int = 0, wanted: frozenset[str] = frozenset()
    ) -> ClassSummary | None:
        """A class's own and inherited methods named in ``wanted`` (the methods its users
        call: only the files that can define one of them are analysed)."""
        scan = self._scan(path)
        if scan is None or depth > _MAX_DEPTH:
            return None
        methods = dict(self._inherited(path, scan, name, depth, wanted))
        if (
            wanted
            and scan.may_define
            and any(scan.may_matter(m, self._state) for m in wanted & scan.definitions())
        ):
            own = self.model(path).methods(name)
            methods.update((m, summary) for m, summary in own.items() if m in wanted)
        for method in wanted & scan.abstract_methods() if wanted else ():
            emitting = self._emitting_override(name, method)
            if emitting is not None and not methods.get(method, FunctionSummary()).emits:
                methods[method] = emitting
        return ClassSummary(name, tuple(sorted(methods.items())))

    def _emitting_override(self, cls: str, method: str) -> FunctionSummary | None:
        """A receiver typed by ``cls`` may hold any of its subclasses: the summary of an
        implementation of ``method`` in one of them that sends with no check of its own."""
        if self._depth >= _MAX_MODEL_DEPTH:
            return None
        for sub_path, sub in self._subclasses.get(cls, []):
            sub_scan = self._scan(sub_path)
            if (
                sub_scan is None
                or CREATE_BYTES not in sub_scan.source  # it cannot send one itself
                or len(sub_scan.source) > _MAX_DEPENDENCY_BYTES
                or not sub_scan.may_matter(method, self._state)
            ):
                continue
            model = self.model(sub_path)
            at = model.classes.get(sub, {}).get(method)
            if at is not None and model.summary(at).emits:
                return model.summary(at)
        return None

    def _inherited(
        self, path: Path, scan: _Scan, name: str, depth: int, wanted: frozenset[str]
    ) -> dict[str, FunctionSummary]:
        methods: dict[str, FunctionSummary] = {}
        for base in reversed(scan.bases.get(name, ())):
            found = self._resolve_name(path, scan, base, depth + 1, wanted)
            if isinstance(found, ClassSummary):
                methods.update(found.methods)
        return methods

    def _resolve_name(
        self, path: Path, scan: _Scan, dotted: str, depth: int, wanted: frozenset[str]
    ) -> object | None:
        head, _, rest = dotted.partition(".")
        if head in scan.bases and not rest:
            return self.class_summary(path, head, depth, wanted)
        for imp in scan.imports:
            if imp.alias != head:
                continue
            target = resolve(path, imp.module)
            name = imp.name if imp.name is not None else rest
            if target is None:
                return self.sdk.lookup(imp.module, name)
            return self.symbol(target, name, depth, wanted)
        return None

    # -- a file's view

    def view(self, path: Path, source: bytes | None = None) -> ExternalView:
        """The names ``path`` uses that the rest of the project (or an SDK) defines, and
        the methods its classes inherit or subclasses implement."""
        path = absolute(path)
        scan = self._scan(path, source)
        view = ExternalView()
        if scan is None:
            return view
        view.constants.update(scan.constants)
        called = scan.method_calls()
        for imp in scan.imports:
            target = resolve(path, imp.module)
            if imp.name is None:
                if target is None:
                    for member, known in self.sdk.members(imp.module):
                        _bind(view, (imp.alias, member), known)
                continue
            if target is not None:
                typed = _used_as_type(scan.source, imp.alias)
                found = self.symbol(target, imp.name, 0, called if typed else frozenset())
            else:
                found = self.sdk.lookup(imp.module, imp.name)
            if found is not None:
                _bind(view, (imp.alias,), found)
        if self._depth >= _MAX_MODEL_DEPTH:
            return view
        related = [(c, b) for c, b in scan.bases.items() if b or c in self._subclasses]
        if not related:  # the scans below cost more than the rest of a view
            return view
        inheritable = scan.self_calls() - scan.definitions()
        called = inheritable | scan.abstract_methods()  # what only a subclass can define
        for cls, bases in related:
            inherited = self._inherited(path, scan, cls, 0, inheritable) if bases else {}
            if inherited:
                view.inherited[cls] = inherited
            for sub_path, sub in self._subclasses.get(cls, []) if called else ():
                sub_scan = self._scan(sub_path)
                if sub_path == path or sub_scan is None:
                    continue
                if len(sub_scan.source) > _MAX_DEPENDENCY_BYTES or not any(
                    sub_scan.may_matter(m, self._state) for m in called & sub_scan.definitions()
                ):
                    continue
                model = self.model(sub_path)
                for method, at in model.classes.get(sub, {}).items():
                    if method in called:
                        summary = model.summary(at)
                        view.overrides.setdefault(cls, {}).setdefault(method, []).append(summary)
        return view


def _bind(view: ExternalView, local: tuple[str, ...], found: object) -> None:
    if isinstance(found, FunctionSummary):
        view.functions[local] = found
    elif isinstance(found, ClassSummary):
        view.classes[".".join(local)] = found
        for method, summary in found.methods:
            view.functions[(*local, method)] = summary  # static/class methods
    elif isinstance(found, str):
        view.constants[local] = found
    elif isinstance(found, dict):
        for member, value in found.items():
            if isinstance(value, str):
                view.constants[(*local, member)] = value


_RELEVANT = re.compile(
    r"respon|reply|creat(?!e_?task)|send|emit|defer|queue|request|ready|idle|busy|active|build"
    r"|make|event|payload|message|generat|trigger|speak|say|connect"
    r"|^_*(?:can|is|has|should|may)(?:_|[A-Z])",
    re.IGNORECASE,
)
"""Method names that can matter to the analysis (sends, deferrals, predicates, connects):
only for these are the defining files of base classes and receivers analysed."""


def _may_define_summaries(source: bytes) -> bool:
    """Cheap test: can the file define anything but inert functions? A file that spells a
    create can; otherwise only a small one (a project's own helpers) that sends something,
    reads a response's state or spells an event's type key (types, models and utilities
    are not analysed)."""
    if len(source) > _MAX_DEPENDENCY_BYTES:
        return False
    if b"response.create" in source:
        return True
    return len(source) <= _SMALL_FILE_BYTES and (
        b"respon" in source.lower() or _SENDS.search(source) is not None or _builds_events(source)
    )


_SENDS = re.compile(rb"\.(?:send|publish|enqueue)\w*\s*\(", re.IGNORECASE)


_BLANK = rb"[ \t\r\x0b\x0c]"
"""Space within a line (what ``bytes.strip`` removes there)."""
_AFTER_CLASS = re.compile(_BLANK + rb"+([\w#$]+)")


def _used_as_type(source: bytes, name: str) -> bool:
    """Does the file construct or declare objects of class ``name`` (``Name(``, ``new Name``,
    ``: Name``)? Only then do its methods matter as a receiver's."""
    return any(
        after[:1] in (b"(", b"<", b".") or before.endswith(b":")
        for before, after in _occurrences(source, name)
    )


def _occurrences(source: bytes, name: str) -> Iterator[tuple[bytes, bytes]]:
    """For each occurrence of the word ``name``: the text before it and after it on its
    line, without the spaces next to it (``bytes.find``: far cheaper than a pattern)."""
    word = name.encode()
    at = source.find(word)
    while at >= 0:
        end = at + len(word)
        if not _word_byte(source, at - 1) and not _word_byte(source, end):
            line_start = source.rfind(b"\n", 0, at) + 1
            line_end = source.find(b"\n", end)
            after = source[end : line_end if line_end >= 0 else len(source)]
            yield source[line_start:at].rstrip(), after.lstrip()
        at = source.find(word, end)


def _word_byte(source: bytes, at: int) -> bool:
    return 0 <= at < len(source) and (source[at : at + 1].isalnum() or source[at] in b"_#$")


def _region_matters(text: bytes, state: Scan, small: bool) -> bool:
    """Can a definition with this text send (or queue) an event, spell a create, read the
    active-response state or (in a ``small`` file: a project's own helpers, not an SDK's
    models) build an event whose type is a variable?"""
    folded = fold(text)
    return (
        b"response.create" in text
        or b"responsecreate" in folded
        or b"createresponse" in folded
        or _SENDS.search(text) is not None
        or (small and _TYPE_FROM_NAME.search(text) is not None)
        or state(text)
    )


_TYPE_FROM_NAME = re.compile(
    rb"""(?:["']type["']\s*:|\btype\s*=)\s*(?!str\b|None\b)[A-Za-z_$][\w$]*\s*[,})]"""
    rb"""|\btype\s*:\s*(?!string\b)[a-z_$][\w$]*\s*[,}]"""
)
"""An event built with its type from a name (``{"type": event_type}``): a generic builder."""


def _builds_events(source: bytes) -> bool:
    """Cheap test: does the file spell an event's ``type`` key (an event factory can)?"""
    return any(key in source for key in (b'"type"', b"'type'", b"type:", b"type="))


def _relevant(names: Iterable[bytes]) -> frozenset[str]:
    return frozenset(n for n in (b.decode() for b in names) if _RELEVANT.search(n))


_METHOD_CALL = re.compile(rb"\.(#?\w++)\s*+\(")
_PY_DEFINITION = re.compile(rb"\n[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)")
_DEFINITION = re.compile(
    rb"\n[ \t]*(?:(?:export|default|function|public|private|protected|static|async|override"
    rb"|abstract)[ \t]+)*(?!(?:if|for|while|switch|catch|with|else|return|await)\b)"
    rb"(#?\w++)[ \t]*(?:<[^>\n]*>)?\([^)\n]*\)?[^;\n]*[{:][ \t]*$",
    re.MULTILINE,
)
_TESTED = re.compile(rb"(?:\bif|\bwhile|\bnot|\band|\bor|&&|\|\||!|\breturn)$")
"""What comes right before a call in a test (``if self.ready():``)."""
_ABSTRACT_METHOD = re.compile(rb"@abstractmethod\s+(?:async[ \t]+)?def[ \t]+(\w+)")
_ABSTRACT_MEMBER = re.compile(rb"abstract[ \t]+(?:async[ \t]+)?(#?\w+)[ \t]*[(<]")
"""Patterns that start with a literal: found far faster than after a word boundary."""
_SELF_CALL = re.compile(rb"(?:self|this)\.(#?\w++)\s*+\(")


def _passes(fn: ir.Function, param: str) -> bool:
    """Is ``param`` handed on to some call in ``fn`` (else it cannot be sent)?"""
    for effect in walk_effects(fn.body):
        if isinstance(effect, ir.Call):
            values = (*effect.call.args, *(v for _, v in effect.call.kwargs))
            if any(_mentions(v, param) for v in values):
                return True
    return False


def _mentions(value: ir.Value, param: str) -> bool:
    if isinstance(value, ir.VName):
        return value.path[0] == param
    if isinstance(value, ir.VCall):
        return any(_mentions(a, param) for a in (*value.args, *(v for _, v in value.kwargs)))
    return False


def _self_call(fn: ir.Function) -> ir.VCall:
    return ir.VCall(("self", fn.name) if fn.kind == "method" else (fn.name,), (), (), fn.span)


@dataclass(frozen=True)
class RunPlan:
    """What worker processes need to know about a run to give each file its view."""

    token: str
    """Names the run: a process keeps one index per run (:func:`view_for`)."""
    subclasses: tuple[tuple[str, str, str], ...] = ()
    """(base class name, file, subclass) among the files analysed in the run."""

    @cached_property
    def fingerprint(self) -> str:
        """What a cached result depends on besides the files its view was made from: a
        new subclass elsewhere can change a file's view (part of the cache key)."""
        return content_digest(repr(sorted(self.subclasses)).encode())


@dataclass
class Planned:
    plan: RunPlan
    joining: list[int]
    """Indexes of the files the prefilter skipped that are analysed all the same."""


@dataclass(frozen=True)
class Definitions:
    """What an analysed file defines that another file may import (name, home file) and
    its classes whose base another file defines (base, path, class)."""

    defined: tuple[tuple[str, Path], ...] = ()
    implemented: tuple[tuple[str, str, str], ...] = ()


class Planner:
    """The run's plan, made from cheap text scans only, in pieces so that the scans of the
    skipped files can run in several processes (:func:`rtlint.engine._plan` puts them
    together).

    Of the files the prefilter skipped, one joins the run when it imports a realtime SDK
    and names one of its sending methods (:meth:`joins_an_sdk`, which needs nothing else),
    or when it names something (a create constant, or a function or class whose text
    spells one) that an analysed file defines and imports it from there
    (:meth:`joins_by_name`: it needs the names, from :meth:`definitions` and :meth:`add`,
    or ``defined``)."""

    def __init__(self, vocab: Vocabulary, defined: dict[str, set[Path]] | None = None) -> None:
        resolve_cache_clear()  # files may have changed since the last run in this process
        self.index = ProjectIndex(vocab)
        self._sdk_methods = Identifiers(self.index.sdk.method_names(), whole=False)
        self._sdk_roots = Identifiers(
            {_root(module) for module in self.index.sdk.by_module}, whole=False
        )
        self.defined: dict[str, set[Path]] = defined or {}
        self.implemented: list[tuple[str, str, str]] = []
        self._wanted: Identifiers | None = None

    def definitions(self, path: str, source: bytes) -> Definitions:
        """What one analysed file adds to the plan (:meth:`add` puts it in; the scans can
        run in another process)."""
        names = _defined_names(path, source)
        home = absolute(Path(path))
        defined = [(name, home) for name in names]
        implemented = []
        for base, base_home, cls in _imported_bases(self.index, path, source, names):
            # A receiver typed by the base may hold this class: who imports the base joins.
            defined.append((base, base_home))
            implemented.append((base, path, cls))
        return Definitions(tuple(defined), tuple(implemented))

    def add(self, found: Definitions) -> None:
        for name, home in found.defined:
            self.defined.setdefault(name, set()).add(home)
        self.implemented += found.implemented
        self._wanted = None  # made again when asked

    def joins_an_sdk(self, path: str, source: bytes) -> bool:
        """Does the file import a realtime SDK and name one of its sending methods?"""
        if not (self._sdk_methods(source) and self._sdk_roots(source)):  # the rarer first
            return False
        scan = self.index._scan(Path(path), source)
        return scan is not None and any(i.module in self.index.sdk.by_module for i in scan.imports)

    def joins_by_name(self, path: str, source: bytes) -> bool:
        """Does the file import something an analysed file defines, from there?"""
        if not self.defined:
            return False
        if self._wanted is None:
            self._wanted = Identifiers(self.defined)
        return self._wanted(source) and _imports_from(self.index, Path(path), source, self.defined)

    def plan(self, members: Sequence[tuple[str, bytes]]) -> RunPlan:
        """The plan, from the files that are analysed: those passed and those that join."""
        subclasses = tuple(dict.fromkeys((*_subclasses(members), *self.implemented)))
        return RunPlan(uuid.uuid4().hex, subclasses)


def _imported_bases(
    index: ProjectIndex, path: str, source: bytes, classes: set[str]
) -> Iterator[tuple[str, Path, str]]:
    """(base, the file that defines it, subclass) for the ``classes`` of ``path`` whose
    base class is imported from another file of the project."""
    scan = index._scan(Path(path), source)
    if scan is None:
        return
    for cls in classes & scan.bases.keys():
        for base in scan.bases[cls]:
            head = base.split(".")[0]
            for imp in scan.imports:
                if imp.alias != head or imp.name is None:
                    continue
                home = resolve(Path(path), imp.module)
                home_scan = index._scan(home) if home is not None else None
                # Only a base that leaves a method to its subclasses, and one of them here.
                if home_scan is not None and home_scan.abstract_methods() & scan.definitions():
                    yield base.split(".")[-1], absolute(Path(home_scan.path)), cls


def _root(module: str) -> str:
    """The package an import names first (``@openai/agents/realtime`` → ``openai``)."""
    return module.lstrip("@").split("/")[0].split(".")[0].split("-")[0]


def _subclasses(members: Sequence[tuple[str, bytes]]) -> tuple[tuple[str, str, str], ...]:
    """(base, file, subclass) for the classes of ``members`` whose base leaves a method to
    its subclasses (declares one abstract, or raises ``NotImplementedError``): only there
    can a subclass elsewhere change how the base's own sends are judged."""
    bases: set[str] = set()
    for path, source in members:
        if (
            b"@abstractmethod" in source
            or b"abstract " in source
            or b"NotImplementedError" in source
        ):
            bases.update(scan_bases(path, source))
    if not bases:
        return ()
    found = []
    for path, source in members:
        if any(name.encode() in source for name in bases):
            for cls, listed in scan_bases(path, source).items():
                found += [
                    (b.split(".")[-1], path, cls) for b in listed if b.split(".")[-1] in bases
                ]
    return tuple(found)


def _defined_names(path: str, source: bytes) -> set[str]:
    """Names another file can import from ``path`` that may matter: create constants (or
    their enum or constants class), functions whose text spells a create and classes that
    also send something."""
    containers = {k[0] for k in scan_constants(source) if k[-1] != "type"}
    spelled = (b"response.create", *(n.encode() for n in containers))
    names = set(containers)
    # Each match starts at the newline before its line (the file is given one in front):
    # a literal first is found far faster than a line start.
    lines = _TOP_LEVEL.finditer(b"\n" + source)
    starts = [(m.start(), m.group(1), m.group(2).decode()) for m in lines]
    ends = [at for at, _, _ in starts[1:]] + [len(source)]
    for (at, kind, name), end in zip(starts, ends, strict=False):
        if not any(source.find(word, at, end) >= 0 for word in spelled):
            continue
        if kind != b"class" or _SENDS.search(source, at, end) is not None:
            names.add(name)
    return {n for n in names if len(n) > 2}


_TOP_LEVEL = re.compile(
    rb"\n(?:export[ \t]+)?(?:default[ \t]+)?(?:abstract[ \t]+|async[ \t]+)?"
    rb"(def|class|function|const|let|var|enum)[ \t]+(\w+)"
)


def _imports_from(
    index: ProjectIndex, path: Path, source: bytes, defined: dict[str, set[Path]]
) -> bool:
    """Does the file import one of the ``defined`` names from a file that defines it?"""
    scan = index._scan(path, source)
    for imp in scan.imports if scan is not None else ():
        homes = defined.get(imp.name or "")
        if homes:
            target = resolve(path, imp.module)
            if target is not None and absolute(target) in homes:
                return True
    return False


Use = tuple[str, str]
"""A file a view was made from and the digest of its content then."""


def content_digest(source: bytes) -> str:
    """A short digest of a file's bytes (what a view or a plan was made from)."""
    return hashlib.sha256(source).hexdigest()[:24]


def unchanged(uses: Iterable[Use], known: Callable[[str], str | None] = lambda _: None) -> bool:
    """Are the files a view was made from as they were (none gone, none edited)? ``known``
    gives the digest of a file known unchanged since it was taken, without reading it."""
    for name, digest in uses:
        found = known(name)
        if found is not None:
            if found != digest:
                return False
            continue
        try:
            data = Path(name).read_bytes()
        except OSError:
            if digest:
                return False
            continue
        if content_digest(data) != digest:
            return False
    return True


_RUN: tuple[str, ProjectIndex] | None = None


def view_for(
    plan: RunPlan, path: str, source: bytes, vocab: Vocabulary, joining: bool = False
) -> tuple[ExternalView | None, tuple[Use, ...]]:
    """``path``'s view of the project (None when it has none, or when a joining file uses
    nothing that matters) and the files it was made from, in this process's index of the
    run (made once per run and process)."""
    global _RUN
    if _RUN is None or _RUN[0] != plan.token:
        index = ProjectIndex(vocab)
        for base, sub_path, cls in plan.subclasses:
            index._subclasses.setdefault(base, []).append((absolute(Path(sub_path)), cls))
        _RUN = (plan.token, index)
    index = _RUN[1]
    try:
        view, uses = index.reading(Path(path), source)
    except (RecursionError, ValueError, OSError):
        return None, ()  # the file is still checked, as on its own
    if joining and not _matters(view):
        return None, uses
    return (view if view else None), uses


def _matters(view: ExternalView) -> bool:
    """Does a view hold something that matters to the analysis: a create constant, a
    function that sends or builds one, a class with such methods, an SDK client?"""
    summaries = [
        *view.functions.values(),
        *(m for c in view.classes.values() for _, m in c.methods),
    ]
    return bool(view.constants) or any(s.known for s in summaries)
