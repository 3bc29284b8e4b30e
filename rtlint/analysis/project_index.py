"""The project model: what each file of a run can learn from the others and the SDKs.

One pass over the run's files (and the package files they import) builds the index:

* a cheap text scan of every file (:mod:`.imports`): imports, class bases, constants
  whose value is ``"response.create"``;
* for the files that the prefiltered ones import (and the subclasses of their classes),
  a full analysis that yields :class:`~.summaries.FunctionSummary` s. A file's summaries
  are computed with its own view of the files it imports, bottom-up over the import
  graph; a cycle is cut (its members see each other without summaries);
* the SDK tables (:mod:`rtlint.sdk`) for imports of realtime client libraries that are
  not in the tree: a file in the tree always wins over a table.

:meth:`ProjectIndex.view` gives a file the :class:`~.summaries.ExternalView` of the names
it uses; the engine passes it to the file's analysis and keys the cache on its digest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis
from rtlint.analysis.emissions import own_params, walk_effects
from rtlint.analysis.imports import (
    Import,
    module_stem,
    resolve,
    scan_bases,
    scan_constants,
    scan_imports,
)
from rtlint.analysis.summaries import ClassSummary, ExternalView, FunctionSummary
from rtlint.sdk import SdkTables, load_tables
from rtlint.vocabulary import Vocabulary

_MAX_DEPTH = 8
_MAX_DEPENDENCY_BYTES = 512 * 1024
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
            builds_when=index.builds_when(at) if built is None else None,
            sends=frozenset(sends),
            defers_params=frozenset(defers),
            guard=index.predicate(_self_call(fn), fn) if not params else None,
            dispatches=index.dispatches_on_type(at),
        )


@dataclass
class _Scan:
    source: bytes
    imports: list[Import]
    bases: dict[str, tuple[str, ...]]
    constants: dict[tuple[str, ...], str]
    _callables: frozenset[str] | None = None
    _self_calls: frozenset[str] | None = None
    _definitions: frozenset[str] | None = None

    def callables(self) -> frozenset[str]:
        """Names that may be defined (or called) as functions here: a cheap filter."""
        if self._callables is None:
            big = len(self.source) > _MAX_DEPENDENCY_BYTES  # never analysed for summaries
            found = [] if big else _CALLABLE.findall(self.source)
            self._callables = frozenset(n.decode() for n in found)
        return self._callables

    def method_calls(self) -> frozenset[str]:
        """Names called as methods of some object (``x.name(``) that may matter."""
        return _relevant(_METHOD_CALL.findall(self.source))

    def definitions(self) -> frozenset[str]:
        """Names of functions and methods the file defines (a cheap approximation)."""
        if self._definitions is None:
            found = _DEFINITION.findall(self.source)
            self._definitions = frozenset(n.decode() for n in found)
        return self._definitions

    def self_calls(self) -> frozenset[str]:
        """Methods the file calls on ``self``/``this``."""
        if self._self_calls is None:
            tested = frozenset(n.decode() for n in _TESTED_CALL.findall(self.source))
            self._self_calls = _relevant(_SELF_CALL.findall(self.source)) | tested
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
        for path in files:
            scan = self._scan(path)
            if scan is not None:
                for cls, bases in scan.bases.items():
                    for base in bases:
                        self._subclasses.setdefault(base.split(".")[-1], []).append((path, cls))

    # -- scanning

    def _scan(self, path: Path, source: bytes | None = None) -> _Scan | None:
        path = path.resolve()
        if path not in self._scans:
            try:
                data = source if source is not None else path.read_bytes()
            except OSError:
                self._scans[path] = None
                return None
            name = str(path)
            self._scans[path] = _Scan(
                data, scan_imports(name, data), scan_bases(name, data), scan_constants(data)
            )
        return self._scans[path]

    # -- models of defining files

    def model(self, path: Path) -> FileModel:
        """``path`` lowered and analysed with its own view (once; import cycles are cut)."""
        path = path.resolve()
        if path not in self._models:
            self._models[path] = FileModel(None)  # cuts import cycles
            scan = self._scan(path)
            if scan is not None and _may_define_summaries(scan.source):
                self._models[path] = FileModel(self._analyse(path, scan))
        return self._models[path]

    def _analyse(self, path: Path, scan: _Scan) -> ModuleAnalysis | None:
        from rtlint.analysis.active_state import analyze
        from rtlint.frontends import ParseError, lower

        try:
            module = lower(str(path), scan.source)
            return analyze(module, self.vocab, self.view(path, scan.source))
        except (ParseError, ValueError, UnicodeDecodeError, RecursionError, SyntaxError):
            return None

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
        if name in scan.bases:
            return self.class_summary(path, name, depth, wanted)
        if name in scan.callables() and (_RELEVANT.search(name) or _builds_events(scan.source)):
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
        if wanted & scan.definitions():
            own = self.model(path).methods(name)
            methods.update((m, summary) for m, summary in own.items() if m in wanted)
        return ClassSummary(name, tuple(sorted(methods.items())))

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
                return self.sdk.lookup(imp.module, name if imp.name is not None else rest)
            if imp.name is None and rest:
                return self.symbol(target, rest, depth, wanted)
            return self.symbol(target, imp.name or "", depth, wanted)
        return None

    # -- a file's view

    def view(self, path: Path, source: bytes | None = None, hierarchy: bool = True) -> ExternalView:
        """The names ``path`` uses that the rest of the project (or an SDK) defines;
        with ``hierarchy`` also the methods its classes inherit or subclasses implement."""
        path = path.resolve()
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
            typed = _used_as_type(scan.source, imp.alias)
            found = (
                self.symbol(target, imp.name, 0, called if typed else frozenset())
                if target is not None
                else self.sdk.lookup(imp.module, imp.name)
            )
            if found is not None:
                _bind(view, (imp.alias,), found)
        if not hierarchy:
            return view
        inheritable = scan.self_calls() - scan.definitions()
        for cls, bases in scan.bases.items():
            inherited = self._inherited(path, scan, cls, 0, inheritable) if bases else {}
            if inherited:
                view.inherited[cls] = inherited
            called = scan.self_calls()
            for sub_path, sub in self._subclasses.get(cls, []):
                sub_scan = self._scan(sub_path)
                if sub_path == path or sub_scan is None:
                    continue
                if len(sub_scan.source) > _MAX_DEPENDENCY_BYTES or not (
                    called & sub_scan.callables()
                ):
                    continue
                model = self.model(sub_path)
                for method, at in model.classes.get(sub, {}).items():
                    if method in called:
                        summary = model.summary(at)
                        view.overrides.setdefault(cls, {}).setdefault(method, []).append(summary)
        return view

    def imports_from(self, path: Path, stems: set[str]) -> bool:
        """Does ``path`` import a module (or a name) called like one of ``stems``?"""
        scan = self._scan(path)
        return scan is not None and any(
            module_stem(imp.module) in stems or imp.name in stems for imp in scan.imports
        )

    def uses_project(self, path: Path, defining: set[Path]) -> bool:
        """Does ``path`` import, from one of the ``defining`` files, a create constant or
        a function that sends or builds one (so it needs the full analysis although the
        prefilter found nothing)?"""
        scan = self._scan(path)
        for imp in scan.imports if scan is not None else ():
            target = resolve(path, imp.module) if imp.name is not None else None
            if target is None or target.resolve() not in defining or imp.name is None:
                continue
            found = self.symbol(target, imp.name)
            if isinstance(found, str | dict):
                return True
            if isinstance(found, FunctionSummary) and (
                found.emits or found.builds or found.builds_when or found.sends
            ):
                return True
        return False


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


_CALLABLE = re.compile(rb"(?<![\w#])(#?\w++)\s*+(?:=\s*+(?:async\s*+)?\(|[(<])")
_RELEVANT = re.compile(
    r"respon|reply|creat(?!e_?task)|send|emit|defer|queue|request|ready|idle|busy|active|build"
    r"|make|event|payload|message|generat|trigger|speak|say|connect"
    r"|^_*(?:can|is|has|should|may)(?:_|[A-Z])",
    re.IGNORECASE,
)
"""Method names that can matter to the analysis (sends, deferrals, predicates, connects):
only for these are the defining files of base classes and receivers analysed."""


def _may_define_summaries(source: bytes) -> bool:
    """Cheap test: can the file define anything but inert functions? Small files always
    can (a project's own helpers); a large one only when it talks about responses."""
    if len(source) > _MAX_DEPENDENCY_BYTES:
        return False
    return len(source) <= _SMALL_FILE_BYTES or b"respon" in source.lower()


def _used_as_type(source: bytes, name: str) -> bool:
    """Does the file construct or declare objects of class ``name`` (``Name(``, ``new Name``,
    ``: Name``)? Only then do its methods matter as a receiver's."""
    escaped = re.escape(name.encode())
    return re.search(rb"\b" + escaped + rb"\s*[(<.]|:\s*" + escaped + rb"\b", source) is not None


def _builds_events(source: bytes) -> bool:
    """Cheap test: does the file spell an event's ``type`` key (an event factory can)?"""
    return any(key in source for key in (b'"type"', b"'type'", b"type:", b"type="))


def _relevant(names: Iterable[bytes]) -> frozenset[str]:
    return frozenset(n for n in (b.decode() for b in names) if _RELEVANT.search(n))


_METHOD_CALL = re.compile(rb"\.(#?\w++)\s*+\(")
_DEFINITION = re.compile(
    rb"(?:\bdef[ \t]+|^[ \t]*(?:(?:public|private|protected|static|async|override|abstract)"
    rb"[ \t]+)*)(#?\w++)[ \t]*(?:<[^>\n]*>)?\([^)\n]*\)?[^;\n]*[{:][ \t]*$",
    re.MULTILINE,
)
_TESTED_CALL = re.compile(
    rb"(?:\bif|\bwhile|\bnot|\band|\bor|&&|\|\||!|\breturn)[ \t(]*(?:self|this)\.(#?\w++)\s*+\("
)
"""Calls in a test (``if self.ready():``): predicates, whatever their names."""
_SELF_CALL = re.compile(rb"\b(?:self|this)\.(#?\w++)\s*+\(")


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


def views(paths: Sequence[Path], vocab: Vocabulary) -> list[ExternalView | None]:
    """Each file's view of the project; None for files that need no analysis of it.

    The prefilter picks the files that get the full analysis; a file it skips is still
    analysed when it imports a constant, builder or sender that another file defines.
    """
    from rtlint.engine import prefilter

    index = ProjectIndex(vocab, paths)
    sdk_methods = index.sdk.method_names()
    wanted = [_prefiltered(index, p, vocab, prefilter, sdk_methods) for p in paths]
    defining = {p.resolve() for p, w in zip(paths, wanted, strict=True) if w}
    stems = {p.stem for p in defining}
    found: list[ExternalView | None] = []
    for path, candidate in zip(paths, wanted, strict=True):
        if candidate:
            view = index.view(path)
            found.append(view if view else None)
        elif index.imports_from(path, stems) and index.uses_project(path, defining):
            found.append(index.view(path))
        else:
            found.append(None)
    return found


def _prefiltered(
    index: ProjectIndex,
    path: Path,
    vocab: Vocabulary,
    test: Callable[[bytes, Vocabulary], bool],
    sdk_methods: frozenset[bytes],
) -> bool:
    """The prefilter, or an SDK import and the name of one of its sending methods."""
    scan = index._scan(path)
    if scan is None:
        return False
    if test(scan.source, vocab):
        return True
    imports_sdk = any(imp.module in index.sdk.by_module for imp in scan.imports)
    return imports_sdk and any(m in scan.source for m in sdk_methods)
