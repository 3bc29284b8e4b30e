"""E999 syntax-error."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.analysis.event_names import LIFECYCLE_TOKENS
from rtlint.diagnostics import Diagnostic
from rtlint.rule import Context, Example, Rule


class UnparsableFile(Rule):
    """
    ## What it does
    Reports a file that mentions a response but does not parse, at the first
    position the parser rejects, so it is not silently left unchecked. Only files
    that pass the text prefilter (they mention `response.create` or a response
    helper) are parsed at all: a syntax error elsewhere is your compiler's to report.

    In a TypeScript or JavaScript file that partly parses, the functions without a
    syntax error are still analysed, so their findings are reported next to the
    E999. Text that TypeScript accepts but the grammar rejects (a bare `&` in JSX
    text, as in `<h4>Version & Project</h4>`) is not an error at all.

    ## Why is this bad?
    A file that does not parse cannot be analysed: every send in it goes unchecked,
    and `--fix` leaves it untouched.

    ## Example
    ```python
    async def commit(self:
        await self.ws.send(json.dumps({"type": "response.create"}))
    ```

    ## Use instead
    ```python
    async def commit(self):
        await self.ws.send(json.dumps({"type": "response.create"}))
    ```

    ## Selecting it
    `E999` is selected by default. `--ignore E999` (or `per-file-ignores`) turns it
    off: files that do not parse are then skipped without a finding. Inline
    suppressions cannot reach it, since the comments of a file that does not parse
    are not read.
    """

    code = "E999"
    tokens = LIFECYCLE_TOKENS  # the files that mention a response are parsed
    name = "syntax-error"
    summary = "The file mentions a response but does not parse, so it cannot be analysed"

    valid = (
        Example(
            """
            async def commit(self):
                await self.ws.send(json.dumps({"type": "response.create"}))
            """
        ),
        Example(
            """
            export function commit(ws: WebSocket): void {
              ws.send(JSON.stringify({ type: "response.create" }));
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        """Reported by the engine when the frontend cannot parse the file."""
        return iter(())
