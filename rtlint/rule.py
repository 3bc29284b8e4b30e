"""The rule interface: a rule module declares identity, docs and examples, and checks."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Literal

from rtlint import ir
from rtlint.analysis.active_state import ModuleAnalysis, analyze
from rtlint.analysis.lifecycle import LifecycleModel, build
from rtlint.analysis.summaries import ExternalView
from rtlint.diagnostics import Diagnostic, Fix, Related
from rtlint.vocabulary import Vocabulary

Language = Literal["python", "typescript"]
DOCS_URL = "https://github.com/rtlint/rtlint/blob/main/docs/rules/{code}.md"


@dataclass(frozen=True)
class Example:
    """A code example that is both documentation and a test case.

    Lines of an invalid example that must be flagged end with ``# expect: CODE``
    (``// expect: CODE`` in TypeScript), as in the fixture files.
    """

    code: str
    language: Language = "python"

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def filename(self) -> str:
        return "example.py" if self.language == "python" else "example.ts"


class Context:
    """What a rule sees for one file: its IR and the shared analyses (computed once)."""

    def __init__(
        self,
        module: ir.Module,
        vocab: Vocabulary,
        edits: bool = True,
        view: ExternalView | None = None,
    ) -> None:
        self.module = module
        self.vocab = vocab
        self.edits = edits
        """Build fix edits; when False a fix only says it is available (title and safety)."""
        self.view = view
        """What the rest of the project (other files, SDK tables) says about names used here."""

    @cached_property
    def active_state(self) -> ModuleAnalysis:
        return analyze(self.module, self.vocab, self.view)

    @cached_property
    def lifecycle(self) -> LifecycleModel:
        return build(self.module, self.active_state)


class Rule:
    """Base class of rule classes; one rule per module in ``rules/``.

    The class docstring is the rule's documentation page (Markdown with the
    sections What it does / Why is this bad? / Example / Use instead /
    Fix safety / Known limitations).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[str] = "error"
    languages: ClassVar[tuple[Language, ...]] = ("python", "typescript")
    fix_title: ClassVar[str | None] = None
    preview: ClassVar[bool] = False
    """Opt-in (``--preview``): not yet free of false positives on real adapters."""
    valid: ClassVar[tuple[Example, ...]] = ()
    invalid: ClassVar[tuple[Example, ...]] = ()
    tokens: ClassVar[tuple[str, ...] | None] = None
    """Words a file must contain for the rule to find anything in it (the prefilter,
    :mod:`rtlint.prefilter`): whole words, case and underscores ignored. None: every file."""
    vocabulary_tokens: ClassVar[tuple[tuple[str, Literal["word", "ending"]], ...]] = ()
    """Vocabulary tables (field name, how) whose names, configured ones included, count as
    tokens too: as a whole ``word``, or also as the ``ending`` of a longer name."""

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        raise NotImplementedError

    @classmethod
    def url(cls) -> str:
        return DOCS_URL.format(code=cls.code)

    @classmethod
    def documentation(cls) -> str:
        return textwrap.dedent(cls.__doc__ or "").strip()

    def diagnostic(
        self,
        ctx: Context,
        span: ir.Span,
        message: str,
        *,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
    ) -> Diagnostic:
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            path=ctx.module.path,
            span=span,
            fix_title=self.fix_title,
            fix=fix,
            related=related,
            url=self.url(),
        )
