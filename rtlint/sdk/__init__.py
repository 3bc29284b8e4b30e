"""SDK knowledge as data: which calls of the realtime client libraries send, defer or
open a fresh connection.

One table per SDK family (:mod:`.python_sdks`, :mod:`.typescript_sdks`), each entry an
:class:`SdkClass`: the import paths and type, and the methods by effect. The project
model (:mod:`rtlint.analysis.project_index`) resolves a call to an entry through the
file's imports and the receiver's type, and only when the SDK's own source is not in
the checked tree. Users add entries in ``[tool.rtlint.vocabulary]``
(``extend-sdk-emitters = ["module:Class.method"]``, ``extend-sdk-deferrers``,
``extend-sdk-fresh``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from rtlint.analysis.summaries import ClassSummary, FunctionSummary
from rtlint.vocabulary import Vocabulary


@dataclass(frozen=True)
class SdkClass:
    """One client class (or a module's functions, ``name`` ``""``) of one SDK."""

    sdk: str
    """The distribution (PyPI / npm name) and the versions the entry was read from."""
    versions: str
    modules: tuple[str, ...]
    """Import paths that export the class (public re-exports included)."""
    name: str
    emits: tuple[str, ...] = ()
    """Methods that send ``response.create`` at once."""
    defers: tuple[str, ...] = ()
    """Methods that request a response through the SDK's own sequencing."""
    fresh: tuple[str, ...] = ()
    """Methods that open a fresh connection."""
    builds: tuple[str, ...] = ()
    """Functions/static methods returning a ``response.create`` event (wrapper classes)."""

    def summary(self) -> ClassSummary:
        methods = {m: FunctionSummary(emits=True) for m in self.emits}
        methods.update({m: FunctionSummary(defers=True) for m in self.defers})
        methods.update({m: FunctionSummary(fresh=True) for m in self.fresh})
        methods.update({m: FunctionSummary(builds=True) for m in self.builds})
        return ClassSummary(self.name, tuple(sorted(methods.items())), sdk=self.sdk)


class SdkTables:
    """The entries of all tables, by import path."""

    def __init__(self, entries: tuple[SdkClass, ...]) -> None:
        self.by_module: dict[str, dict[str, SdkClass]] = {}
        for entry in entries:
            for module in entry.modules:
                classes = self.by_module.setdefault(module, {})
                known = classes.get(entry.name)
                classes[entry.name] = entry if known is None else _merged(known, entry)

    def method_names(self) -> frozenset[bytes]:
        """Names of the methods that send or defer (for the prefilter)."""
        return frozenset(
            m.encode()
            for classes in self.by_module.values()
            for entry in classes.values()
            for m in (*entry.emits, *entry.defers)
        )

    def lookup(self, module: str, name: str) -> ClassSummary | None:
        """The class ``name`` imported from ``module``, when a table knows it."""
        entry = self.by_module.get(module, {}).get(name)
        return entry.summary() if entry is not None else None

    def members(self, module: str) -> Iterator[tuple[str, ClassSummary]]:
        """The known classes of ``module`` (for ``import module``)."""
        for name, entry in self.by_module.get(module, {}).items():
            yield name, entry.summary()


def _merged(known: SdkClass, more: SdkClass) -> SdkClass:
    """One class described twice (a table's entry and the configuration's, or one
    configuration entry per method): the methods of both."""
    return replace(
        known,
        emits=(*known.emits, *more.emits),
        defers=(*known.defers, *more.defers),
        fresh=(*known.fresh, *more.fresh),
        builds=(*known.builds, *more.builds),
    )


def load_tables(vocab: Vocabulary) -> SdkTables:
    """The built-in tables plus the user's entries from the configuration."""
    from rtlint.sdk.python_sdks import PYTHON
    from rtlint.sdk.typescript_sdks import TYPESCRIPT

    return SdkTables((*PYTHON, *TYPESCRIPT, *user_entries(vocab)))


def user_entries(vocab: Vocabulary) -> Iterator[SdkClass]:
    """``module:Class.method`` strings of the configuration as entries (one per method)."""
    for table, effect in (
        (vocab.sdk_emitters, "emits"),
        (vocab.sdk_deferrers, "defers"),
        (vocab.sdk_fresh, "fresh"),
    ):
        for spec in sorted(table):
            module, _, member = spec.partition(":")
            cls, _, method = member.rpartition(".")
            yield SdkClass("configuration", "", (module,), cls, **{effect: (method,)})
