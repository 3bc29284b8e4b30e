"""Check files: read, prefilter, lower, run the selected rules."""

from __future__ import annotations

import ast
import functools
import gc
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from rtlint import timings
from rtlint.diagnostics import Diagnostic
from rtlint.discovery import spec
from rtlint.frontends import DECLARATION_SUFFIXES, PYTHON_SUFFIXES, ParseError, lower
from rtlint.ir import Span
from rtlint.prefilter import needs_analysis
from rtlint.rule import DOCS_URL, Context, Rule
from rtlint.source import LineIndex
from rtlint.suppressions import apply_suppressions
from rtlint.timings import FileTimes
from rtlint.vocabulary import DEFAULT, Vocabulary

if TYPE_CHECKING:
    from rtlint.analysis.project_index import Definitions, Planned, Planner, RunPlan
    from rtlint.analysis.summaries import ExternalView
    from rtlint.front_index import FrontIndex

T = TypeVar("T")
Item = TypeVar("Item")
MAX_FILE_BYTES = 8 * 1024 * 1024
SYNTAX_ERROR = "E999"


@dataclass(frozen=True)
class Settings:
    """What a check run needs besides the paths (picklable for worker processes)."""

    rules: tuple[type[Rule], ...]
    vocab: Vocabulary = DEFAULT
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    """(gitignore-style glob relative to ``root``, rule codes it turns off)."""
    root: str = "."
    edits: bool = True
    """Build the edits of fixes (``--fix``, ``--diff``, JSON, SARIF); otherwise only say
    whether a fix is available, which is much cheaper."""
    cache_dir: str | None = None
    """Where results are cached by content (:mod:`rtlint.cache`); None: no cache."""

    def rules_for(self, path: str) -> tuple[type[Rule], ...]:
        """The selected rules minus those ``per_file_ignores`` turns off for ``path``."""
        if not self.per_file_ignores:
            return self.rules
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        off = {
            c
            for glob, codes in self.per_file_ignores
            if spec((glob,)).match_file(rel)
            for c in codes
        }
        return tuple(r for r in self.rules if r.code not in off)


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    """Why the file could not be checked (unreadable, undecodable, too large)."""
    skipped: bool = False
    """True when the prefilter showed there is nothing to check."""
    parsed: bool = True
    """False when the file does not parse (reported as E999 when that is selected)."""
    uses: tuple[tuple[str, str], ...] = ()
    """Other files whose summaries the result depends on, with their content digests
    (a cached result is used only while they are unchanged)."""


def check_source(
    path: str,
    source: bytes,
    settings: Settings,
    times: FileTimes | None = None,
    prefiltered: bool = False,
    view: ExternalView | None = None,
    tree: ast.Module | None = None,
) -> FileResult:
    """Check one file's bytes; inline suppressions are applied to the findings.
    ``prefiltered``: the caller already knows the prefilter lets the file through.
    ``view``: what the rest of the project says about the names the file uses.
    ``tree``: the file's Python syntax tree, when the caller parsed it."""
    rules = settings.rules_for(path)
    if prefiltered or view or _passes(path, source, rules, settings.vocab):
        with _collector_paused():
            result = _run_rules(
                path, source, rules, settings.vocab, settings.edits, times, view, tree
            )
    else:
        result = FileResult(path, skipped=True)
    if not result.parsed and all(r.code != SYNTAX_ERROR for r in rules):
        result.diagnostics = [d for d in result.diagnostics if d.code != SYNTAX_ERROR]
    return _suppressed(path, source, rules, result)


def _passes(path: str, source: bytes, rules: tuple[type[Rule], ...], vocab: Vocabulary) -> bool:
    """Does the prefilter let the file through? A TypeScript declaration file never: it holds
    no code that runs."""
    return not path.endswith(DECLARATION_SUFFIXES) and needs_analysis(source, rules, vocab)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one file is analysed. Syntax trees and the
    IR are acyclic (reference counts free them), and collections that walk their many
    objects made the cost per line grow with the size of the file. The walks of the file's
    bodies that the analyses remembered are dropped after it."""
    from rtlint.analysis.emissions import forget_walks

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        forget_walks()  # the file's bodies can go
        if enabled:
            gc.enable()


def _suppressed(
    path: str, source: bytes, rules: tuple[type[Rule], ...], result: FileResult
) -> FileResult:
    """``result`` with the inline suppressions of ``source`` applied."""
    parsed = result.error is None and result.parsed
    if parsed and b"rtlint" in source:  # no directive can exist without the word
        result.diagnostics = apply_suppressions(path, source, result.diagnostics, rules)
    return result


def _run_rules(
    path: str,
    source: bytes,
    rules: tuple[type[Rule], ...],
    vocab: Vocabulary,
    edits: bool,
    times: FileTimes | None = None,
    view: ExternalView | None = None,
    tree: ast.Module | None = None,
) -> FileResult:
    result = FileResult(path)
    times = times or FileTimes(path)
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not path.endswith((".py", ".pyi")):
            line = source.count(b"\n", 0, exc.start) + 1
            column = exc.start - source.rfind(b"\n", 0, exc.start)
            result.error = f"cannot decode as UTF-8 at line {line}, byte {column} of the line"
            return result
    start = time.perf_counter()
    try:
        module = lower(path, source, tree)
    except ParseError as exc:
        offset = _offset(source, exc.line, exc.column)
        span = Span(offset, offset, exc.line, exc.column, exc.line, exc.column)
        url = DOCS_URL.format(code=SYNTAX_ERROR)
        error = Diagnostic(SYNTAX_ERROR, "syntax-error", exc.message, path, span, url=url)
        result.diagnostics.append(error)
        result.parsed = False
        if exc.partial is None:
            return result
        module = exc.partial  # the sound parts are analysed too
    except (UnicodeDecodeError, LookupError, SyntaxError) as exc:
        result.error = f"cannot decode: {exc}"
        return result
    except RecursionError:
        result.error = "too deeply nested to analyse"
        return result
    finally:
        times.parse += time.perf_counter() - start
    ctx = Context(module, vocab, edits, view)
    try:
        for rule in rules:
            begun = time.perf_counter()
            result.diagnostics.extend(rule().check(ctx))
            times.rules[rule.code] = time.perf_counter() - begun
    except RecursionError:
        result.diagnostics.clear()
        result.error = "too deeply nested to analyse"
    except Exception as exc:  # a bug in rtlint: name the file, keep checking the others
        result.diagnostics.clear()
        result.error = f"internal error ({type(exc).__name__}: {exc}); please report it"
    times.analyse = sum(times.rules.values())
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result


def read_source(path: Path) -> bytes | str:
    """The file's bytes, or why they cannot be had (unreadable, too large)."""
    try:
        with open(path, "rb", buffering=0) as file:  # one open, one fstat, one read
            if os.fstat(file.fileno()).st_size > MAX_FILE_BYTES:
                return f"skipped: larger than {MAX_FILE_BYTES // 2**20} MiB"
            return file.readall()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"


def check_file(path: Path, settings: Settings) -> FileResult:
    """Read and check one file; I/O problems become :attr:`FileResult.error`."""
    return check_files([path], settings, jobs=1)[0]


def in_parallel(work: Callable[[Item], T], paths: Sequence[Item], jobs: int | None) -> list[T]:
    """``work`` on every path, in worker processes when there are enough to pay for them."""
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < 64:
        return [work(p) for p in paths]
    chunk = max(1, len(paths) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, paths, chunksize=chunk))


def check_files(
    paths: Sequence[Path], settings: Settings, jobs: int | None = None
) -> list[FileResult]:
    """Check many files, in order. They are read and prefiltered (in worker processes too,
    for many files: :func:`_front`), the run's plan is made and the cache consulted; the
    files left to analyse go to worker processes (see :func:`_analyse_all`)."""
    workers = jobs if jobs is not None else min(os.cpu_count() or 1, 8)
    if workers > 1 and len(paths) >= FRONT_POOL_MIN_FILES:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return _check_files(paths, settings, jobs, pool, workers)
    return _check_files(paths, settings, jobs, None, 1)


FRONT_POOL_MIN_FILES = 1000
"""From this many files on, the workers read and prefilter them too (and scan the skipped
ones for the plan), while this process waits: the one step before analysis that every file
goes through."""


@dataclass
class _Read:
    """A file as the front of a run leaves it."""

    path: str
    error: str | None = None
    source: bytes | None = None
    """The file's bytes, when the prefilter lets it through."""
    skipped: FileResult | None = None
    """The result of a skipped file whose suppressions may be reported; None for the
    others (their result is the plain skipped one)."""
    size: int = 0
    digest: str = ""
    """The content's digest (for the plan's cache key), when a cache is used."""
    sdk: bool = False
    """A skipped file that joins the run: it imports a realtime SDK and names one of its
    sending methods (see :class:`~rtlint.analysis.project_index.Planner`)."""
    kept: bytes | None = None
    """A skipped file's bytes, kept when it was read in this process (not sent back)."""
    defines: Definitions | None = None
    """What a file the prefilter lets through defines for the plan."""


def _front(
    paths: Sequence[str], settings: Settings, keep: bool = False
) -> tuple[list[_Read], dict[str, float]]:
    """Read and prefilter ``paths``; a file that passes gets its definitions for the plan, a
    skipped file its result and its SDK scan (and keeps its bytes with ``keep``). Also the
    time spent per stage."""
    from rtlint.analysis.project_index import Planner, content_digest

    planner = Planner(settings.vocab) if keep else _planner(settings)
    spent = dict.fromkeys(("read", "prefilter", "project"), 0.0)
    found: list[_Read] = []
    for name in paths:
        started = time.perf_counter()
        source = read_source(Path(name))
        read = time.perf_counter()
        spent["read"] += read - started
        if isinstance(source, str):
            found.append(_Read(name, error=source))
            continue
        rules = settings.rules_for(name)
        needed = _passes(name, source, rules, settings.vocab)
        filtered = time.perf_counter()
        spent["prefilter"] += filtered - read
        digest = content_digest(source) if settings.cache_dir is not None else ""
        if needed:
            defines = planner.definitions(name, source)
            found.append(
                _Read(name, source=source, size=len(source), digest=digest, defines=defines)
            )
            spent["project"] += time.perf_counter() - filtered
            continue
        skipped: FileResult | None = None  # the usual result is made where it is needed
        if b"rtlint" in source:  # a suppression comment may be reported (RT100)
            skipped = _suppressed(name, source, rules, FileResult(name, skipped=True))
        sdk = planner.joins_an_sdk(name, source)
        kept = source if keep else None
        found.append(
            _Read(name, skipped=skipped, size=len(source), digest=digest, sdk=sdk, kept=kept)
        )
        spent["project"] += time.perf_counter() - filtered
    return found, spent


_PLANNER: tuple[int, Settings, Planner] | None = None


def _planner(settings: Settings) -> Planner:
    """The planner of this worker process for ``settings``: a worker reads several chunks
    of one run, and a pool lives for one run (this process makes a new one per run)."""
    from rtlint.analysis.project_index import Planner

    global _PLANNER
    if _PLANNER is None or _PLANNER[0] != os.getpid() or _PLANNER[1] != settings:
        _PLANNER = (os.getpid(), settings, Planner(settings.vocab))
    return _PLANNER[2]


def _joins_by_name(
    files: Sequence[tuple[str, bytes | None]], settings: Settings, defined: dict[str, set[Path]]
) -> list[bool]:
    """Which of the skipped ``files`` (their bytes, or None to read them) import what an
    analysed file ``defined``."""
    from rtlint.analysis.project_index import Planner

    planner = Planner(settings.vocab, defined)
    found = []
    for name, kept in files:
        source = kept if kept is not None else read_source(Path(name))
        found.append(isinstance(source, bytes) and planner.joins_by_name(name, source))
    return found


def _chunks(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """``items`` cut into about ``count`` runs of neighbours, in order."""
    size = max(1, -(-len(items) // count))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _check_files(
    paths: Sequence[Path],
    settings: Settings,
    jobs: int | None,
    pool: ProcessPoolExecutor | None,
    workers: int,
) -> list[FileResult]:
    from rtlint import cache  # it imports this module

    front = _read_and_plan(paths, settings, pool, workers)
    results: list[FileResult | None] = []
    for read in front.reads:
        if read.error is not None:
            results.append(FileResult(read.path, error=read.error))
        elif read.source is not None:
            results.append(None)  # analysed below
        else:
            results.append(read.skipped or FileResult(read.path, skipped=True))
    planned = front.planned
    joining = [
        (index, read.path, read.kept)
        for index, read in (front.skipped[i] for i in planned.joining)
        if read.kept is not None
    ]
    run = planned.plan.fingerprint
    todo: list[tuple[int, str, bytes, str | None, bool]] = []
    for (index, name, source), joins in [
        *((w, False) for w in front.analysed),
        *((w, True) for w in joining),
    ]:
        digest = None
        if settings.cache_dir is not None:
            digest = cache.key(name, source, settings, run)
            cached = cache.load(settings.cache_dir, digest, front.digest_of)
            if cached is not None:
                results[index] = cached
                continue
        todo.append((index, name, source, digest, joins))
    work = [(name, source, joins) for _, name, source, _, joins in todo]
    done = _analyse_all(work, settings, planned.plan, jobs, pool)
    for (index, _, _, digest, _), (result, times) in zip(todo, done, strict=True):
        timings.add_file(times)
        results[index] = result
        if digest is not None and settings.cache_dir is not None:
            cache.store(settings.cache_dir, digest, result)
    timings.checked()
    return [r for r in results if r is not None]


@dataclass
class _Front:
    """The files of a run read and prefiltered, and its plan."""

    reads: list[_Read]
    analysed: list[tuple[int, str, bytes]]
    """(position in ``reads``, path, bytes) of the files the prefilter lets through."""
    skipped: list[tuple[int, _Read]]
    """The files it skips, with their positions; ``planned.joining`` indexes this list."""
    planned: Planned
    index: FrontIndex[_Record] | None = None

    def digest_of(self, name: str) -> str | None:
        """The digest of a file the front index knows unchanged (None: read it to know)."""
        record = self.index.get(name) if self.index is not None else None
        return record.digest if record is not None else None


def _read_and_plan(
    paths: Sequence[Path], settings: Settings, pool: ProcessPoolExecutor | None, workers: int
) -> _Front:
    """Read and prefilter ``paths`` (in ``pool`` when there are many) and make the run's
    plan; the files that join it keep their bytes. With a cache, the front index
    (:mod:`rtlint.front_index`) answers for the files that did not change."""
    names = [str(p) for p in paths]
    with timings.stage("read"):
        index, known = _known(names, settings)
    fresh = [name for name in names if name not in known]
    if pool is None or len(fresh) < FRONT_POOL_MIN_FILES:
        found, spent = _front(fresh, settings, keep=True)
    else:
        found, spent = [], dict.fromkeys(("read", "prefilter", "project"), 0.0)
        front = functools.partial(_front, settings=settings)
        for chunk_reads, chunk_spent in pool.map(front, _chunks(fresh, workers * 4)):
            found += chunk_reads
            for stage, seconds in chunk_spent.items():
                spent[stage] += seconds
    for stage, seconds in spent.items():
        timings.add(stage, seconds)
    if index is not None:
        for read in found:
            if read.error is None:
                passes = read.source is not None
                found_here = _Record(
                    passes, read.size, read.digest, read.sdk, read.defines, read.skipped
                )
                index.put(read.path, found_here)
    unread = iter(found)
    reads = [known[name] if name in known else next(unread) for name in names]
    analysed = [(i, r.path, r.source) for i, r in enumerate(reads) if r.source is not None]
    skipped = [(i, r) for i, r in enumerate(reads) if r.error is None and r.source is None]
    with timings.stage("project"):
        planned = _plan(analysed, skipped, reads, settings, pool, workers, index)
    if index is not None:
        index.save()
    _kept(skipped[i][1] for i in planned.joining)  # (a cached plan read none of them)
    return _Front(reads, analysed, skipped, planned, index)


class _Record(NamedTuple):
    """What the front found in a file, as the front index keeps it."""

    passes: bool
    """The prefilter lets it through."""
    size: int
    digest: str
    sdk: bool
    defines: Definitions | None
    skipped: FileResult | None


def _known(
    names: Sequence[str], settings: Settings
) -> tuple[FrontIndex[_Record] | None, dict[str, _Read]]:
    """The front index of a run with a cache, and the files it knows unchanged, as read.
    A file that the prefilter lets through is read all the same (its bytes are analysed)."""
    from rtlint.analysis.project_index import content_digest
    from rtlint.front_index import FrontIndex

    if settings.cache_dir is None:
        return None, {}
    index: FrontIndex[_Record] = FrontIndex(settings)
    known: dict[str, _Read] = {}
    for name in names:
        record = index.get(name)
        if record is None:
            continue
        size, digest = record.size, record.digest
        if not record.passes:
            known[name] = _Read(
                name, skipped=record.skipped, size=size, digest=digest, sdk=record.sdk
            )
            continue
        source = read_source(Path(name))
        if isinstance(source, bytes) and content_digest(source) == digest:
            known[name] = _Read(
                name, source=source, size=size, digest=digest, defines=record.defines
            )
    return index, known


def _kept(reads: Iterable[_Read]) -> list[_Read]:
    """``reads`` with their bytes kept (read now where a worker did not send them back; a
    file that cannot be read any more keeps none)."""
    found = list(reads)
    for read in found:
        if read.kept is None and isinstance(source := read_source(Path(read.path)), bytes):
            read.kept = source
    return found


def plan_files(paths: Sequence[Path], settings: Settings) -> tuple[RunPlan, set[str], set[str]]:
    """The plan of a run over ``paths`` (in this process), the files it analyses (those the
    prefilter lets through and those that join) and those of them that join."""
    front = _read_and_plan(paths, settings, None, 1)
    joining = {front.skipped[i][1].path for i in front.planned.joining}
    return front.planned.plan, {name for _, name, _ in front.analysed} | joining, joining


PLAN_CACHE_MIN_BYTES = 2**20
"""Below this much skipped source, making the plan costs less than keeping it."""


def _plan(
    analysed: list[tuple[int, str, bytes]],
    skipped: list[tuple[int, _Read]],
    reads: list[_Read],
    settings: Settings,
    pool: ProcessPoolExecutor | None,
    workers: int,
    index: FrontIndex[_Record] | None = None,
) -> Planned:
    """The run's plan (:class:`~rtlint.analysis.project_index.Planner`), from the cache when
    no file of the run has changed since it was made. The skipped files' scans for names
    the analysed files define run in ``pool`` when there are many; with a front ``index``,
    only those of files whose content, the names or the run's files changed."""
    from rtlint import cache
    from rtlint.analysis.project_index import Definitions, Planned, Planner

    cache_dir, key = settings.cache_dir, None
    if cache_dir is not None and sum(r.size for _, r in skipped) >= PLAN_CACHE_MIN_BYTES:
        contents = [(reads[i].path, reads[i].digest) for i, _, _ in analysed]
        contents += [(r.path, r.digest) for _, r in skipped]
        key = cache.plan_key(settings, contents, len(analysed))
        planned = cache.load_entry(cache_dir, key, Planned)
        if planned is not None:
            return Planned(replace(planned.plan, token=uuid.uuid4().hex), planned.joining)
    planner = Planner(settings.vocab)
    files_analysed = [(name, source) for _, name, source in analysed]
    for i, _, _ in analysed:
        planner.add(reads[i].defines or Definitions())
    rest = [i for i, (_, read) in enumerate(skipped) if not read.sdk]
    files = [(skipped[i][1].path, skipped[i][1].kept) for i in rest]
    by_name = [False] * len(files)
    if planner.defined:
        by_name = _joining_by_name(
            files,
            [skipped[i][1].digest for i in rest],
            reads,
            planner.defined,
            settings,
            pool,
            workers,
            index,
        )
    joins = {i for i, (_, read) in enumerate(skipped) if read.sdk}
    joins.update(i for i, hit in zip(rest, by_name, strict=True) if hit)
    joining = sorted(joins)
    joined = _kept(skipped[i][1] for i in joining)
    members = [*files_analysed, *((r.path, r.kept) for r in joined if r.kept is not None)]
    planned = Planned(planner.plan(members), joining)
    if cache_dir is not None and key is not None:
        cache.store(cache_dir, key, planned)
    return planned


def _joining_by_name(
    files: list[tuple[str, bytes | None]],
    digests: list[str],
    reads: list[_Read],
    defined: dict[str, set[Path]],
    settings: Settings,
    pool: ProcessPoolExecutor | None,
    workers: int,
    index: FrontIndex[_Record] | None,
) -> list[bool]:
    """Which of the skipped ``files`` import what an analysed file ``defined`` (the answers
    the front ``index`` holds for the same names, run files and contents are taken)."""
    key = hashlib.sha256(
        repr(
            (sorted((n, sorted(map(str, h))) for n, h in defined.items()), [r.path for r in reads])
        ).encode()
    ).hexdigest()
    known = index.joins if index is not None else {}
    hits: list[bool | None] = [
        found[2]
        if (found := known.get(os.path.abspath(name))) and found[:2] == (key, digest)
        else None
        for (name, _), digest in zip(files, digests, strict=True)
    ]
    todo = [i for i, hit in enumerate(hits) if hit is None]
    asked = [files[i] for i in todo]
    check = functools.partial(_joins_by_name, settings=settings, defined=defined)
    if pool is not None and len(asked) >= FRONT_POOL_MIN_FILES:
        chunks = list(pool.map(check, _chunks(asked, workers * 4)))
    else:
        chunks = [check(asked)]
    for i, hit in zip(todo, (hit for chunk in chunks for hit in chunk), strict=True):
        hits[i] = hit
        if index is not None:
            index.put_join(files[i][0], (key, digests[i], hit))
    return [bool(hit) for hit in hits]


POOL_MIN_BYTES = 96 * 1024
"""Less source to analyse than this (well under a second of work) is analysed faster in
this process than by starting workers."""


def _analyse_all(
    work: list[tuple[str, bytes, bool]],
    settings: Settings,
    plan: RunPlan,
    jobs: int | None,
    pool: ProcessPoolExecutor | None = None,
) -> list[tuple[FileResult, FileTimes]]:
    """Results for ``work`` in order; in worker processes (``pool``, or one started here)
    when there is enough of it. Files are handed out one per task, largest first, so no
    worker is left with all big ones."""
    workers = min(jobs if jobs is not None else min(os.cpu_count() or 1, 8), len(work))
    if workers <= 1 or sum(len(item[1]) for item in work) < POOL_MIN_BYTES:
        return [_analyse(item, settings, plan) for item in work]
    order = sorted(range(len(work)), key=lambda i: len(work[i][1]), reverse=True)
    analyse = functools.partial(_analyse, settings=settings, plan=plan)
    ordered = [work[i] for i in order]
    if pool is not None:
        done = list(pool.map(analyse, ordered))
    else:
        with ProcessPoolExecutor(max_workers=workers) as own:
            done = list(own.map(analyse, ordered))
    results: list[tuple[FileResult, FileTimes]] = [done[0]] * len(work)
    for position, i in enumerate(order):
        results[i] = done[position]
    return results


def _analyse(
    item: tuple[str, bytes, bool], settings: Settings, plan: RunPlan
) -> tuple[FileResult, FileTimes]:
    """Check one file with its view of the project. A file the prefilter skipped (joining),
    or a Python file whose words the prefilter found only in comments and docstrings, is
    checked only when it uses something another file defines."""
    from rtlint.analysis.project_index import view_for
    from rtlint.frontends.python import code_text

    path, source, joining = item
    times = FileTimes(path)
    rules = settings.rules_for(path)
    tree = None
    if not joining and path.endswith(tuple(PYTHON_SUFFIXES)):
        start = time.perf_counter()
        tree = _python_tree(source)
        # Its words all in comments and docstrings: it joins like a file the prefilter skips.
        joining = tree is not None and not any(
            needs_analysis(code_text(source, tree, exact), rules, settings.vocab)
            for exact in (False, True)  # the rough text first: it settles most files
        )
        times.parse = time.perf_counter() - start
    start = time.perf_counter()
    with _collector_paused():  # the files it reads are parsed and analysed too
        view, uses = view_for(plan, path, source, settings.vocab, joining)
    times.project = time.perf_counter() - start
    if joining and view is None:
        result = _suppressed(path, source, rules, FileResult(path, skipped=True))
    else:
        result = check_source(path, source, settings, times, True, view, tree)
    result.uses = uses
    return result, times


def _python_tree(source: bytes) -> ast.Module | None:
    """The syntax tree of a Python file; None when it cannot be had (the check says why)."""
    from rtlint.frontends import python

    try:
        with _collector_paused():
            return python.parse(source)
    except (ParseError, ValueError, UnicodeDecodeError, LookupError, SyntaxError, RecursionError):
        return None


def _offset(source: bytes, line: int, column: int) -> int:
    """The byte offset of a parse error's position (the end of the file when past it)."""
    if line < 1 or line > source.count(b"\n") + 1:
        return len(source)
    return LineIndex(source).offset(line, max(column, 1))
