"""The language-neutral intermediate representation the frontends produce.

A frontend (``rtlint.frontends.python`` or ``rtlint.frontends.typescript``) is the
only code that sees syntax-tree nodes (``ast``, tree-sitter). It lowers one source file into a
:class:`Module`: a flat list of :class:`Function` s (methods, nested functions,
lambdas, arrow functions, and the module top level), each with a *structured*
body of :data:`Stmt` s. Everything the analyses need is here and nothing else:

* **values** (:data:`Value`): what an argument or an assigned expression is, as
  far as emission detection cares — object/dict literals with their string
  keys, string literals, names and attribute paths, calls;
* **conditions** (:data:`Cond`): the boolean structure of ``if``/``while``/
  ternary/short-circuit tests (``Not``/``And``/``Or`` over atoms), so one CFG
  builder lowers short-circuit edges for both languages;
* **statements**: structured control flow (``If``, ``Loop``, ``Try``,
  ``Switch``, ``Return``, ``Raise``, ``Break``, ``Continue``) around
  straight-line :class:`Effects` (calls, assignments, awaits, closures).

Paths are tuples of names. A leading ``self``/``this`` receiver is spelled
``"self"`` in both languages, private ``#field`` keeps its ``#``; subscripts
with a constant string key become path components (``event["type"]`` is
``("event", "type")``). Optional chaining and casts are transparent.

Values, conditions and effects (here and in the analyses) are slotted dataclasses hashed
by value, and never changed once made; they are not ``frozen``, whose ``__init__`` costs
five times as much, and a run makes hundreds of thousands of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# --------------------------------------------------------------------------- spans


@dataclass(unsafe_hash=True, order=True, slots=True)
class Span:
    """A source range. Lines and columns are 1-based; columns count characters."""

    start_byte: int
    end_byte: int
    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, inner: Span) -> bool:
        """Does this range hold all of ``inner``?"""
        return self.start_byte <= inner.start_byte and inner.end_byte <= self.end_byte


# --------------------------------------------------------------------------- values

Path = tuple[str, ...]


@dataclass(unsafe_hash=True, slots=True)
class VStr:
    """A string literal whose value is known (quotes, escapes resolved)."""

    value: str
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VConst:
    """``True``/``False``/``None``/``null``/``undefined``/a number."""

    value: bool | int | float | None
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VObject:
    """A dict/object literal (or ``dict(k=v)``); ``spread`` when it has ``**x``/``...x``."""

    entries: tuple[tuple[str, Value], ...]
    spread: bool
    span: Span

    def get(self, key: str) -> Value | None:
        """The last value given for ``key`` (later keys win, as at runtime)."""
        found: Value | None = None
        for k, v in self.entries:
            if k == key:
                found = v
        return found


@dataclass(unsafe_hash=True, slots=True)
class VName:
    """A variable, attribute path or constant-key subscript: ``self.ws``, ``evt``."""

    path: Path
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VCall:
    """A call or constructor (``new X(...)``). ``callee`` is ``()`` when not a path."""

    callee: Path
    args: tuple[Value, ...]
    kwargs: tuple[tuple[str, Value], ...]
    span: Span
    receiver: Value | None = None
    """What the callee path was read from when it is not a plain path (``f().send``)."""

    def kwarg(self, name: str) -> Value | None:
        for k, v in self.kwargs:
            if k == name:
                return v
        return None


@dataclass(unsafe_hash=True, slots=True)
class VFunc:
    """A function value (lambda, arrow, function expression): index into ``Module.functions``."""

    index: int
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VSeq:
    """A tuple/list/set/array literal (for ``state in (A, B)``)."""

    items: tuple[Value, ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VCond:
    """A boolean expression in value position (``busy = not self._idle``)."""

    cond: Cond
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VChoice:
    """One of several values: ``a if c else b``, ``c ? a : b``, ``a ?? b``."""

    options: tuple[Value, ...]
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class VOther:
    """Any expression the analyses do not need to see into."""

    span: Span


Value = VStr | VConst | VObject | VName | VCall | VFunc | VSeq | VCond | VChoice | VOther

# --------------------------------------------------------------------------- conditions

CompareOp = Literal["==", "!=", "is", "is not", "in", "not in", "<", "<=", ">", ">="]


@dataclass(unsafe_hash=True, slots=True)
class CAtom:
    """A test whose truth the guard classifier judges: a name, a call or anything else."""

    value: Value


@dataclass(unsafe_hash=True, slots=True)
class CCompare:
    """``left op right``. Chains are split into ``And`` by the frontend."""

    left: Value
    op: CompareOp
    right: Value


@dataclass(unsafe_hash=True, slots=True)
class CConst:
    """A condition whose value is known (``while True``, ``for (;;)``)."""

    value: bool


@dataclass(unsafe_hash=True, slots=True)
class CNot:
    operand: Cond


@dataclass(unsafe_hash=True, slots=True)
class CAnd:
    left: Cond
    right: Cond


@dataclass(unsafe_hash=True, slots=True)
class COr:
    left: Cond
    right: Cond


Cond = CAtom | CCompare | CConst | CNot | CAnd | COr

# --------------------------------------------------------------------------- effects


@dataclass(unsafe_hash=True, slots=True)
class Call:
    """A call in a statement. Nested calls are listed before the calls that use them."""

    call: VCall
    awaited: bool = False


@dataclass(unsafe_hash=True, slots=True)
class Assign:
    """``target = value`` (also augmented assignments, walrus, declarations)."""

    target: Path
    value: Value
    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Await:
    """An ``await`` (or ``yield``) that is not the await of a listed call."""

    span: Span


@dataclass(unsafe_hash=True, slots=True)
class Closure:
    """A function created here (def, lambda, arrow); it runs later, not here."""

    index: int
    span: Span


Effect = Call | Assign | Await | Closure

# --------------------------------------------------------------------------- statements


@dataclass
class Effects:
    """Straight-line code: effects in evaluation order."""

    effects: list[Effect]
    span: Span


@dataclass
class If:
    """``if``/``elif``/``else``, ternaries and short-circuit expressions used as statements."""

    cond: Cond
    then: list[Stmt]
    orelse: list[Stmt]
    span: Span
    prelude: list[Effect] = field(default_factory=list)
    """Effects evaluated with the condition, before branching (calls inside the test)."""


@dataclass
class Loop:
    """``while``/``for``/``do``. ``cond`` None means 'may run zero or more times'.

    ``test_first`` is False for ``do … while``. ``orelse`` is Python's loop ``else``
    (runs when the loop ends without ``break``).
    """

    cond: Cond | None
    body: list[Stmt]
    span: Span
    orelse: list[Stmt] = field(default_factory=list)
    test_first: bool = True
    label: str | None = None
    prelude: list[Effect] = field(default_factory=list)
    """Effects evaluated once before the loop (the iterable, the init clause)."""
    update: list[Effect] = field(default_factory=list)
    """Effects evaluated after each iteration (``for (;;x++)``)."""


@dataclass
class Break:
    span: Span
    label: str | None = None


@dataclass
class Continue:
    span: Span
    label: str | None = None


@dataclass
class Return:
    """``return``; ``value`` is what is returned (for builder summaries)."""

    span: Span
    value: Value | None = None
    prelude: list[Effect] = field(default_factory=list)


@dataclass
class Raise:
    """``raise``/``throw``: leaves to the nearest handler or out of the function."""

    span: Span
    prelude: list[Effect] = field(default_factory=list)


@dataclass
class Try:
    """``try`` with handlers (``except``/``catch``), ``else`` and ``finally``."""

    body: list[Stmt]
    handlers: list[list[Stmt]]
    orelse: list[Stmt]
    finalbody: list[Stmt]
    span: Span


@dataclass
class Case:
    """One ``case``: ``test`` None is ``default``/``case _``."""

    test: Cond | None
    body: list[Stmt]
    span: Span


@dataclass
class Switch:
    """``switch`` (``fallthrough`` True) or ``match`` (False).

    For ``switch`` each ``Case.test`` compares the subject with the case value; the
    CFG builder tests the cases in order and falls from one body into the next
    unless it breaks.
    """

    cases: list[Case]
    fallthrough: bool
    span: Span
    prelude: list[Effect] = field(default_factory=list)
    label: str | None = None


@dataclass
class Labeled:
    """A labelled block (``label: { … }``): ``break label`` leaves it."""

    label: str
    body: list[Stmt]
    span: Span


Stmt = Effects | If | Loop | Break | Continue | Return | Raise | Try | Switch | Labeled

# --------------------------------------------------------------------------- functions

FunctionKind = Literal["module", "function", "method", "lambda"]


@dataclass
class Function:
    """One function body. ``index`` is its position in ``Module.functions``."""

    index: int
    name: str
    """The declared name; for anonymous functions the name they are assigned to, or ''."""
    kind: FunctionKind
    params: tuple[str, ...]
    body: list[Stmt]
    span: Span
    name_span: Span
    parent: int | None = None
    """The enclosing function (the module top level is index 0 and has no parent)."""
    class_name: str | None = None
    """For methods: the class they belong to."""
    private: bool = False
    """Leading underscore (not dunder), ``#name`` or TypeScript ``private``."""
    is_async: bool = False
    callback_of: Path | None = None
    """For a closure passed directly as an argument: the callee it was passed to
    (``("setTimeout",)``, ``("ws", "on")``); with ``callback_event`` the first string
    argument of that call (``ws.on("open", …)``)."""
    callback_event: str | None = None


@dataclass
class Module:
    """A lowered source file."""

    path: str
    language: Literal["python", "typescript"]
    source: bytes
    functions: list[Function]
    strings: frozenset[str] = frozenset()
    """Every string literal value in the file (endpoint and API-kind hints)."""
