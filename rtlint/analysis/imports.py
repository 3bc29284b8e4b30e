"""A cheap text scan of a source file: its imports, class bases and event-type constants.

The project model runs this on every file of a run, so it uses regular expressions
rather than a parse; what it finds is only a lead that the analysis of the defining
file confirms. Module specifiers are resolved to files on disk (relative imports,
Python packages, TypeScript paths with their extension variants).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CREATE = "response.create"
CREATE_BYTES = CREATE.encode()


@dataclass(unsafe_hash=True, slots=True)
class Import:
    """``from module import name as alias`` / ``import { name as alias } from "module"``."""

    module: str
    name: str | None
    """The imported name; None when the module itself is bound (``import x``, ``* as x``)."""
    alias: str


_PY_FROM = re.compile(rb"\n[ \t]*from[ \t]+([.\w]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)")
_PY_IMPORT = re.compile(rb"\n[ \t]*import[ \t]+([\w.]+)(?:[ \t]+as[ \t]+(\w+))?")
"""Python imports start a line: the patterns match from the newline before it (the text is
given one in front), as a literal first is found far faster than a line start."""
_TS_FROM = re.compile(rb"""\bfrom[ \t]*['"]([^'"\n]+)['"]""")
"""The ``from "module"`` of an import or re-export (a literal prefix: a fast scan)."""
_TS_CLAUSE = re.compile(rb"""(?:^|(?<=[;\n]))[ \t]*(?:import|export)[ \t]+(?:type[ \t]+)?""")
_PY_CLASS = re.compile(rb"class[ \t]+(\w+)[ \t]*(?:\(([^)]*)\))?[ \t]*:")
_TS_CLASS = re.compile(rb"class[ \t]+(\w+)(?:<[^>{]*>)?(?:[ \t]+extends[ \t]+([\w.]+))?")
_CONSTANT = re.compile(
    rb"""^([ \t]*)(?:export[ \t]+)?(?:(?:static|readonly|public|const|let|var)[ \t]+)*"""
    rb"""(\w+)[ \t]*(?::[^=\n]*)?[:=][ \t]*['"`]response\.create['"`]""",
    re.MULTILINE,
)
_CONTAINER = re.compile(
    rb"""^([ \t]*)(?:export[ \t]+)?(?:(?:default|declare|const|abstract)[ \t]+)*"""
    rb"""(?:class|enum|let|var|const)?[ \t]*(\w+)\b[^\n]*"""
    rb"""(?:[:{(]|=[ \t]*(?:Object\.freeze\()?\{)[ \t]*(?:#.*|//.*)?$""",
    re.MULTILINE,
)


def is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))


def scan_imports(path: str, source: bytes) -> list[Import]:
    """The names a file imports, with the local names it binds them to."""
    found: list[Import] = []
    if is_python(path):
        lines = b"\n" + source
        for match in _PY_FROM.finditer(lines):
            module = match.group(1).decode()
            names = match.group(2).decode().strip("() \t\n").replace("\n", " ")
            for part in names.split(","):
                words = part.split()
                if not words or words[0] == "*":
                    continue
                alias = words[2] if len(words) == 3 and words[1] == "as" else words[0]
                found.append(Import(module, words[0], alias))
        for match in _PY_IMPORT.finditer(lines):
            module = match.group(1).decode()
            alias = match.group(2).decode() if match.group(2) else module.split(".")[0]
            found.append(Import(module if match.group(2) else alias, None, alias))
        return found
    for match in _TS_FROM.finditer(source):
        start = max(
            source.rfind(b"import", 0, match.start()), source.rfind(b"export", 0, match.start())
        )
        head = (
            _TS_CLAUSE.match(source, source.rfind(b"\n", 0, max(start, 0)) + 1)
            if start >= 0
            else None
        )
        if head is None or head.end() > match.start():
            continue
        clause = source[head.end() : match.start()]
        if any(c in clause for c in b";'\"") or head.end() < start:
            continue
        found += _ts_clause(clause.decode().strip(), match.group(1).decode())
    return found


def _ts_clause(clause: str, module: str) -> list[Import]:
    found: list[Import] = []
    braces = re.search(r"\{([^}]*)\}", clause)
    if braces:
        for part in braces.group(1).split(","):
            words = part.replace("type ", "").split()
            if words:
                alias = words[2] if len(words) == 3 and words[1] == "as" else words[0]
                found.append(Import(module, words[0], alias))
    rest = re.sub(r"\{[^}]*\}", "", clause)
    star = re.search(r"\*\s*as\s+(\w+)", rest)
    if star:
        found.append(Import(module, None, star.group(1)))
        rest = rest[: star.start()] + rest[star.end() :]
    default = re.match(r"\s*(\w+)", rest)
    if default and default.group(1) not in ("type", "typeof"):
        found.append(Import(module, "default", default.group(1)))
    return found


def scan_bases(path: str, source: bytes) -> dict[str, tuple[str, ...]]:
    """Class name → the names of its base classes (as written, dotted)."""
    bases: dict[str, tuple[str, ...]] = {}
    python = is_python(path)
    for match in _class_keywords(source, _PY_CLASS if python else _TS_CLASS, python):
        listed = (match.group(2) or b"").decode()
        if python:
            names = [b.strip() for b in listed.split(",")]
            bases[match.group(1).decode()] = tuple(
                n.split("[")[0] for n in names if n and "=" not in n
            )
        else:
            bases[match.group(1).decode()] = (listed,) if listed else ()
    return bases


def _class_keywords(
    source: bytes, pattern: re.Pattern[bytes], python: bool
) -> Iterator[re.Match[bytes]]:
    """``pattern`` matched where the word ``class`` starts a statement (Python: only
    indentation before it on its line) or a word (TypeScript). Finding the word first is
    far faster than a regular expression that must try every line or position."""
    at = source.find(b"class")
    while at >= 0:
        if python:
            start = source.rfind(b"\n", 0, at) + 1
            fits = not source[start:at].strip(b" \t")
        else:
            fits = starts_word(source, at)
        match = pattern.match(source, at) if fits else None
        if match is not None:
            yield match
        at = source.find(b"class", at + 5)


def starts_word(source: bytes, at: int) -> bool:
    """Is there a word boundary before ``at`` (what ``\\b`` tests in a bytes pattern, for a
    word at ``at``)?"""
    return at == 0 or not (source[at - 1 : at].isalnum() or source[at - 1] == ord("_"))


def scan_constants(source: bytes) -> dict[tuple[str, ...], str]:
    """Names whose value is ``"response.create"``: module constants and members of an
    enum, a constants class or a constant object (``EventType.RESPONSE_CREATE``).
    Only the lines that spell it are matched (a scan of every line cost more)."""
    found: dict[tuple[str, ...], str] = {}
    at = source.find(CREATE_BYTES)
    while at >= 0:
        start = source.rfind(b"\n", 0, at) + 1
        match = _CONSTANT.match(source, start, at + len(CREATE_BYTES) + 1)
        if match is not None:
            indent, name = len(match.group(1)), match.group(2).decode()
            container = _container(source, start, indent)
            found[(container, name) if container else (name,)] = CREATE
        at = source.find(CREATE_BYTES, at + 1)
    return found


def _container(source: bytes, before: int, indent: int) -> str | None:
    """The enclosing class/enum/object of the member whose line starts at ``before``: the
    nearest line above it that opens one with less indentation."""
    end = before - 1
    while indent and end > 0:
        start = source.rfind(b"\n", 0, end) + 1
        match = _CONTAINER.match(source, start, end)
        if match is not None and len(match.group(1)) < indent:
            return match.group(2).decode()
        end = start - 1
    return None


def absolute(path: Path) -> Path:
    """``path`` absolute and normalized (``..`` removed) without a system call per part
    (``Path.resolve`` follows symlinks, which costs one per component)."""
    return _absolute(str(path), os.getcwd())


@functools.lru_cache(maxsize=65536)
def _absolute(path: str, cwd: str) -> Path:
    """:func:`absolute`, remembered: the index asks for the same files over and over."""
    return Path(os.path.normpath(os.path.join(cwd, path)))


# --------------------------------------------------------------------------- resolution

_TS_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")


def resolve(importer: Path, module: str) -> Path | None:
    """The file that ``module`` (as imported in ``importer``) names, if it is on disk."""
    text = str(importer)
    return _resolve(os.path.dirname(text), is_python(text), module)


@functools.lru_cache(maxsize=65536)
def _resolve(directory: str, python: bool, module: str) -> Path | None:
    """:func:`resolve` by the importer's directory (all it depends on), remembered: the
    files of a package import the same modules over and over. Paths are handled as
    strings here: ``pathlib`` costs several times more per step."""
    here = os.path.normpath(os.path.abspath(directory))
    if python:
        return _resolve_python(here, module)
    if not module.startswith("."):
        return None
    base = os.path.normpath(os.path.join(here, module))
    root, suffix = os.path.splitext(base)
    stem = root if suffix in _TS_EXTENSIONS else base
    for candidate in (
        *(stem + ext for ext in _TS_EXTENSIONS),
        *(os.path.join(stem, f"index{ext}") for ext in _TS_EXTENSIONS),
    ):
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


def resolve_cache_clear() -> None:
    """Forget the files found so far (a new run: files may have come or gone)."""
    _resolve.cache_clear()
    _package_root_of.cache_clear()


def _resolve_python(directory: str, module: str) -> Path | None:
    """The file of ``module`` imported from a file in (absolute) ``directory``."""
    dots = len(module) - len(module.lstrip("."))
    parts = [p for p in module[dots:].split(".") if p]
    if dots:
        base = directory
        for _ in range(dots - 1):
            base = os.path.dirname(base)
        bases = [base]
    else:
        bases = [str(_package_root_of(directory)), directory]
    for base in bases:
        target = os.path.join(base, *parts)
        if parts and os.path.isfile(target + ".py"):
            return absolute(Path(target + ".py"))
        if os.path.isfile(os.path.join(target, "__init__.py")):
            return absolute(Path(target, "__init__.py"))
    return None


@functools.lru_cache(maxsize=4096)
def _package_root_of(directory: str) -> Path:
    cur = Path(directory)
    while (cur / "__init__.py").is_file() and cur.parent != cur:
        cur = cur.parent
    return cur
