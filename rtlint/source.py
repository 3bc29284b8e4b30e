"""Source text helpers shared by the frontends: byte offsets to line/column."""

from __future__ import annotations

import bisect

from rtlint.ir import Span


class LineIndex:
    """Maps byte offsets of one UTF-8 source to 1-based (line, character column)."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self._ascii = source.isascii()
        """Then a character column is a byte column: nothing to decode."""
        self.starts = [0]
        """The byte offset where each line starts."""
        pos = source.find(b"\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = source.find(b"\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and 1-based character column of a byte offset."""
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        if self._ascii:
            return line + 1, min(offset, len(self.source)) - start + 1
        column = len(self.source[start:offset].decode("utf-8", errors="replace")) + 1
        return line + 1, column

    def line_start(self, line: int) -> int:
        """The byte offset where 1-based ``line`` starts."""
        return self.starts[line - 1]

    def offset(self, line: int, column: int) -> int:
        """The byte offset of a 1-based line and 1-based character column."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        text = self.source[start:end].decode("utf-8", errors="replace")
        return start + len(text[: column - 1].encode("utf-8"))

    def span(self, start: int, end: int) -> Span:
        """A :class:`Span` for the byte range ``[start, end)``."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(start, end, line, column, end_line, end_column)
