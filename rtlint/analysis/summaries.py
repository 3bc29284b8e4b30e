"""What a function or class means to its callers in other files (and the SDK tables).

A :class:`FunctionSummary` is computed from a module's analysis (or read from an SDK
table) and is parameter-aware: it says which argument values make the function
return a ``response.create`` event, and which parameters it sends with or without
a guard. An :class:`ExternalView` is the part of the project a file uses, keyed by
the names that file sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Guard = Literal["idle", "active"]


@dataclass(unsafe_hash=True, slots=True)
class FunctionSummary:
    """A function's effect on the active-response state, as its callers see it."""

    params: tuple[str, ...] = ()
    """Parameters after ``self``/``this``, in order."""
    emits: bool = False
    """A call may send ``response.create`` with no guard of its own."""
    defers: bool = False
    """It sends ``response.create`` only under a guard, or hands it to a sequencer."""
    builds: bool = False
    """It returns a ``response.create`` event."""
    out_of_band: bool = False
    """The event it returns is out of band (``"conversation": "none"``): no response of
    the conversation is started by sending it."""
    builds_when: str | None = None
    """It returns a ``response.create`` event when this parameter is ``"response.create"``."""
    sends: frozenset[str] = frozenset()
    """Parameters it sends with no guard."""
    defers_params: frozenset[str] = frozenset()
    """Parameters it sends only under a guard (or queues): a deferral helper."""
    guard: Guard | None = None
    """A predicate whose body reads the active state: True means idle / active."""
    dispatches: bool = False
    """It routes the event it is given by its type (creates go to a sequencer)."""
    fresh: bool = False
    """It opens a fresh connection: no response is active after it."""

    @property
    def known(self) -> bool:
        """Does the summary say anything about responses (else the call is inert)?"""
        return self != FunctionSummary(self.params)


@dataclass(unsafe_hash=True, slots=True)
class ClassSummary:
    """A class's methods (own and inherited), for receivers of that type."""

    name: str
    methods: tuple[tuple[str, FunctionSummary], ...] = ()
    sdk: str | None = None
    """The SDK table entry it comes from, when it is not in the checked tree."""

    def method(self, name: str) -> FunctionSummary | None:
        for method, summary in self.methods:
            if method == name:
                return summary
        return None


@dataclass
class ExternalView:
    """What one file knows about the rest of the project, keyed by its own names."""

    constants: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Names (``EventType.RESPONSE_CREATE``) whose value is a known event-type string."""
    functions: dict[tuple[str, ...], FunctionSummary] = field(default_factory=dict)
    """Imported functions by the path the file calls them with."""
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    """Imported classes (project or SDK) by local name."""
    inherited: dict[str, dict[str, FunctionSummary]] = field(default_factory=dict)
    """Local class → methods it inherits from bases defined in other files."""
    overrides: dict[str, dict[str, list[FunctionSummary]]] = field(default_factory=dict)
    """Local class → methods that subclasses in other files implement."""

    def __bool__(self) -> bool:
        return any((self.constants, self.functions, self.classes, self.inherited, self.overrides))
