"""The prefilter: one text scan, built from the tokens the enabled rules declare.

A file that contains none of the tokens cannot hold anything the rules look at, so it
is not parsed. Tokens are compared the way the analyses compare names
(:func:`rtlint.vocabulary.norm`): case and underscores do not matter, so the scan runs
over the *folded* text (lower case, without ``_`` and ``$``). A rule token must stand as a
whole word (``response.create`` is not in ``response.created``); a vocabulary name may end
a longer one (``OpenAIResponseCreateEvent`` has ``ResponseCreateEvent``).

The scan finds each token's *anchor* with ``bytes.find`` (the tokens that contain another
share its anchor) and checks the word boundaries around the hits only, which is far
faster than one regular expression over the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import ahocorasick_rs

from rtlint.rule import Rule
from rtlint.vocabulary import Vocabulary

_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_DROPPED = b"_$"


def fold(text: bytes) -> bytes:
    """Lower case, without ``_`` and ``$``: ``_sendResponseCreate`` → ``sendresponsecreate``."""
    return text.translate(_FOLD, _DROPPED)


class Scan:
    """Does a file contain one of ``words`` (as a whole word) or ``endings`` (ending a word)?"""

    def __init__(self, words: Iterable[str], endings: Iterable[str] = ()) -> None:
        whole = {fold(w.encode()) for w in words} - {b""}
        tail = {fold(e.encode()) for e in endings} - {b""}
        tokens = whole | tail
        self.anchors = tuple(
            sorted(a for a in tokens if not any(t != a and t in a for t in tokens))
        )
        """The tokens no other token is part of: every token contains one of them."""
        alternatives = [rb"(?<![a-z0-9])" + re.escape(w) for w in sorted(whole)]
        alternatives += [re.escape(e) for e in sorted(tail)]
        self._pattern = re.compile(b"(?:" + b"|".join(alternatives) + rb")(?![a-z0-9])")
        self._reach = max((len(t) for t in tokens), default=0)
        self._gate = _common_part(self.anchors)
        """A piece of every anchor (``respons``): a file without it has none of them, and
        one search for it rules out most files."""

    def __call__(self, source: bytes) -> bool:
        if not self.anchors:
            return False
        text = fold(source)
        if self._gate not in text:
            return False
        reach = self._reach
        for anchor in self.anchors:
            at = text.find(anchor)
            while at >= 0:
                # A token around this hit ends by ``at + reach``; one more byte shows its boundary.
                end = at + reach + 1
                found = self._pattern.search(text, max(0, at - reach), end)
                if found and (found.end() < end or end >= len(text)):
                    return True
                at = text.find(anchor, at + 1)
        return False


def _common_part(words: tuple[bytes, ...]) -> bytes:
    """The longest piece all ``words`` contain (``b""`` when there is none)."""
    if not words:
        return b""
    shortest = min(words, key=len)
    for size in range(len(shortest), 0, -1):
        for start in range(len(shortest) - size + 1):
            piece = shortest[start : start + size]
            if all(piece in w for w in words):
                return piece
    return b""


class Identifiers:
    """Does a file name one of ``names`` exactly, as a whole identifier (or anywhere, with
    ``whole=False``)? One pass of an Aho-Corasick automaton over the raw bytes, whatever
    the number of names."""

    def __init__(self, names: Iterable[str | bytes], whole: bool = True) -> None:
        encoded = sorted({n if isinstance(n, bytes) else n.encode() for n in names} - {b""})
        self._automaton = ahocorasick_rs.BytesAhoCorasick(encoded) if encoded else None
        self._whole = whole

    def __call__(self, source: bytes) -> bool:
        if self._automaton is None:
            return False
        for _, start, end in self._automaton.find_matches_as_indexes(source, overlapping=True):
            if not self._whole or (
                not _identifier_byte(source, start - 1) and not _identifier_byte(source, end)
            ):
                return True
        return False


def _identifier_byte(source: bytes, at: int) -> bool:
    if at < 0 or at >= len(source):
        return False
    byte = source[at]
    return byte in _IDENTIFIER_BYTES


_IDENTIFIER_BYTES = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$"
) | frozenset(range(128, 256))


@cache
def scan_for(rules: tuple[type[Rule], ...], vocab: Vocabulary) -> Scan | None:
    """The scan for ``rules`` with ``vocab``; None when a rule looks at every file."""
    if any(rule.tokens is None for rule in rules):
        return None
    words = [token for rule in rules for token in rule.tokens or ()]
    endings: list[str] = []
    for rule in rules:
        for table, how in rule.vocabulary_tokens:
            (words if how == "word" else endings).extend(getattr(vocab, table))
    return Scan(words, endings)


def needs_analysis(source: bytes, rules: tuple[type[Rule], ...], vocab: Vocabulary) -> bool:
    """Can ``source`` contain anything ``rules`` look at?"""
    scan = scan_for(rules, vocab)
    return scan is None or scan(source)
