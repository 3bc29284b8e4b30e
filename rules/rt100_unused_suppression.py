"""RT100 unused-suppression."""

from __future__ import annotations

from collections.abc import Iterator

from rtlint.diagnostics import Diagnostic
from rtlint.rule import Context, Example, Rule


class UnusedSuppression(Rule):
    """
    ## What it does
    Flags suppression comments that do nothing: a rule named in
    `# rtlint: ignore[…]` / `// rtlint-ignore …` (or `file-ignore`) that reports
    nothing where the comment applies, a name that is not a rule, and a comment
    that starts like a directive (`rtlint:`, `rtlint-` or `rtlint ignore`) but
    does not parse.

    ## Why is this bad?
    A stale suppression hides the next real finding on that statement: once the
    guard is in place the comment is dead weight, and when the code changes again
    nobody is told. A misspelled directive is worse: it looks like an ignore but
    ignores nothing, or (in tools with loose parsing) ignores everything. rtlint
    parses one strict grammar and reports every directive it cannot use.

    ## Example
    ```python
    async def on_audio_committed(self):
        if self._response_active:
            return
        # rtlint: ignore[RT001] -- the guard above makes this unnecessary
        await self.ws.send(json.dumps({"type": "response.create"}))
    ```

    ## Use instead
    ```python
    async def on_audio_committed(self):
        if self._response_active:
            return
        await self.ws.send(json.dumps({"type": "response.create"}))
    ```

    ## Suppression grammar
    ```text
    rtlint: ignore[RULE, …] -- reason        rtlint-ignore RULE, … -- reason
    rtlint: file-ignore[RULE, …] -- reason   rtlint-file-ignore RULE, … -- reason
    ```
    `RULE` is a code (`RT001`) or a name (`unguarded-response-create`); the
    `-- reason` is optional. Either spelling works in `#` and `//` (or `/* */`)
    comments. At the end of a line the directive covers the statement on that line,
    all of it when it spans several lines; on a line of its own it covers the
    statement that starts on the next line. `file-ignore` covers the whole file.
    Another tool's pragma may follow after its own comment marker
    (`# rtlint: ignore[RT001]  # noqa: E501`).

    A rule that is not selected for the file (by `select`/`ignore` or
    `per-file-ignores`) is never reported as unused.

    ## Fix safety
    The fix removes the unused names, or the whole comment when none is used. It is
    safe: the comment had no effect. Malformed directives have no fix: what was
    meant is for you to say.
    """

    code = "RT100"
    name = "unused-suppression"
    summary = "A suppression comment names a rule that reports nothing there, or does not parse"
    severity = "warning"
    tokens = ()  # the suppression pass reports it, for every file that mentions rtlint
    fix_title = "Remove the unused suppression"

    valid = (
        Example(
            """
            import json

            class Adapter:
                async def greet(self):
                    # rtlint: ignore[RT001] -- sent once, right after session.update
                    await self.ws.send(json.dumps({"type": "response.create"}))
            """
        ),
        Example(
            """
            class Adapter {
              greet(): void {
                this.ws.send(JSON.stringify({ type: "response.create" })); // rtlint-ignore RT001
              }
            }
            """,
            "typescript",
        ),
    )
    invalid = (
        Example(
            """
            import json

            class Adapter:
                async def on_audio_committed(self):
                    if self._response_active:
                        return
                    # rtlint: ignore[RT001] -- guarded above  # expect: RT100
                    await self.ws.send(json.dumps({"type": "response.create"}))

                async def greet(self):
                    # rtlint: ignore[RT01] -- a typo suppresses nothing  # expect: RT100
                    await self.ws.send(json.dumps({"type": "response.create"}))  # expect: RT001
            """
        ),
        Example(
            """
            class Adapter {
              commit(): void {
                if (this.responseActive) return;
                // rtlint-ignore unguarded-response-create // expect: RT100
                this.ws.send(JSON.stringify({ type: "response.create" }));
              }

              greet(): void {
                // rtlint ignore RT001 -- not a directive // expect: RT100
                this.ws.send(JSON.stringify({ type: "response.create" })); // expect: RT001
              }
            }
            """,
            "typescript",
        ),
    )

    def check(self, ctx: Context) -> Iterator[Diagnostic]:
        """Reported by the suppression pass (:mod:`rtlint.suppressions`), after every rule ran."""
        return iter(())
