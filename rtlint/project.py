"""A run's view of the configuration: which files to check, and with which settings."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from rtlint.config import Config, Resolver
from rtlint.discovery import Filter
from rtlint.engine import FileResult, Settings, check_files
from rtlint.fixer import FixResult, fix_files
from rtlint.selection import Selection, matching, select_rules

NO_SELECTION = Selection()


def settings(
    config: Config, command_line: Selection = NO_SELECTION, edits: bool = True
) -> Settings:
    """The settings a configuration gives, with the command line's selection applied last."""
    layer = Selection(config.select, config.extend_select, config.ignore, config.preview)
    ignores = tuple(
        (glob, frozenset(r.code for r in matching(selectors)))
        for glob, selectors in config.per_file_ignores
    )
    return Settings(
        rules=select_rules(layer, command_line),
        vocab=config.vocabulary,
        per_file_ignores=ignores,
        root=str(config.root),
        edits=edits,
    )


@dataclass
class Project:
    """Configuration per directory plus the command line's overrides, resolved once each."""

    resolver: Resolver = field(default_factory=Resolver)
    selection: Selection = NO_SELECTION
    exclude: tuple[str, ...] = ()
    """``--exclude`` globs, relative to the working directory."""
    edits: bool = True
    """Build fix edits (see :attr:`Settings.edits`)."""
    cache_dir: str | None = None
    """Cache results here (see :mod:`rtlint.cache`)."""
    _filters: dict[Config, Filter] = field(default_factory=dict)
    _settings: dict[Config, Settings] = field(default_factory=dict)

    def filter_for(self, directory: Path) -> Filter:
        config = self.resolver.for_directory(directory)
        if config not in self._filters:
            excludes = [(config.root, config.exclude + config.extend_exclude)]
            if self.exclude:
                excludes.append((Path.cwd(), self.exclude))
            self._filters[config] = Filter((config.root, config.include), tuple(excludes))
        return self._filters[config]

    def settings_for(self, path: Path) -> Settings:
        return self._settings_of(path if os.path.isdir(path) else path.parent)

    def _settings_of(self, directory: str | Path) -> Settings:
        config = self.resolver.for_directory(directory)
        if config not in self._settings:
            found = settings(config, self.selection, self.edits)
            self._settings[config] = replace(found, cache_dir=self.cache_dir)
        return self._settings[config]

    def check(self, files: Sequence[Path], jobs: int | None = None) -> list[FileResult]:
        """Check ``files``, each with the settings of its nearest configuration."""
        return [r for s, paths in self._groups(files) for r in check_files(paths, s, jobs)]

    def fix(self, files: Sequence[Path], unsafe: bool, jobs: int | None = None) -> list[FixResult]:
        """Fix ``files`` in memory (nothing is written), each with its own settings."""
        return [r for s, paths in self._groups(files) for r in fix_files(paths, s, unsafe, jobs)]

    def _groups(self, files: Sequence[Path]) -> list[tuple[Settings, list[Path]]]:
        """``files`` by their settings, which the files of one directory share."""
        groups: dict[int, tuple[Settings, list[Path]]] = {}  # by identity: hashing costs
        of_directory: dict[str, list[Path]] = {}
        for path in files:
            directory = os.path.dirname(path)  # a string: pathlib's parent costs far more
            group = of_directory.get(directory)
            if group is None:
                found = self._settings_of(directory or ".")
                group = of_directory[directory] = groups.setdefault(id(found), (found, []))[1]
            group.append(path)
        return list(groups.values())
