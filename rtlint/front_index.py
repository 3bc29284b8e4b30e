"""What the front of a run found in each file, by the file's status.

The front reads every file, asks the prefilter about it and scans it for the plan
(:func:`rtlint.engine._front`). With a cache, what it found is kept per file with the
file's ``stat`` (size, modification and change times, inode): a file whose status is the
recorded one is not read and scanned again. The change time defeats copies that keep the
modification time. A file changed within :data:`~rtlint.replay.RACY_SECONDS` before the
run is not recorded: an edit later in the same tick of the clock could go unseen.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Generic, TypeVar

from rtlint import cache, replay
from rtlint.engine import Settings

Record = TypeVar("Record")
Status = tuple[int, int, int, int]
"""Size, modification and change times (nanoseconds), inode."""


class FrontIndex(Generic[Record]):
    """The records of one configuration's files, in the cache (one entry per settings)."""

    def __init__(self, settings: Settings) -> None:
        assert settings.cache_dir is not None
        self.directory = settings.cache_dir
        digest = hashlib.sha256(b"front\0")
        for part in (cache.code_fingerprint(), cache.settings_key(settings)):
            digest.update(part.encode() + b"\0")
        self.key = digest.hexdigest()
        self.started = time.time()
        stored = cache.load_entry(self.directory, self.key, tuple)
        self.records: dict[str, tuple[Status, Record]] = stored[0] if stored else {}
        self.joins: dict[str, tuple[str, str, bool]] = stored[1] if stored else {}
        """Whether a skipped file joins the run by name: (the key of the names the analysed
        files define and of the run's files, the file's digest, the answer), by path."""
        self.changed = False
        self._seen: dict[str, Status] = {}

    def get(self, name: str) -> Record | None:
        """The record of ``name`` when its status is the recorded one."""
        try:
            info = os.stat(name)
        except OSError:
            return None
        status = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        self._seen[name] = status
        found = self.records.get(os.path.abspath(name))
        return found[1] if found is not None and found[0] == status else None

    def put(self, name: str, record: Record) -> None:
        """Keep ``record`` with the status :meth:`get` saw before the file was read."""
        status = self._seen.get(name)
        if (
            status is None
            or max(status[1], status[2]) >= (self.started - replay.RACY_SECONDS) * 1e9
        ):
            return
        self.records[os.path.abspath(name)] = (status, record)
        self.changed = True

    def put_join(self, name: str, answer: tuple[str, str, bool]) -> None:
        """Keep whether the skipped file ``name`` joins the run by name (see :attr:`joins`)."""
        self.joins[os.path.abspath(name)] = answer
        self.changed = True

    def save(self) -> None:
        """Write the records when they changed; those of files that are gone are dropped
        once they outnumber the files of this run (runs over parts of a tree share it)."""
        if not self.changed:
            return
        if len(self.records) > 2 * len(self._seen) + 1000:
            self.records = {k: v for k, v in self.records.items() if os.path.exists(k)}
            self.joins = {k: v for k, v in self.joins.items() if k in self.records}
        cache.store(self.directory, self.key, (self.records, self.joins))
