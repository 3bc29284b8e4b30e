"""Configuration files: ``[tool.rtlint]`` in ``pyproject.toml``, ``rtlint.toml``, ``.rtlint.toml``.

The file nearest to a checked file wins (no merging, like ruff); ``--config``
overrides discovery and ``--isolated`` ignores every file. Unknown keys and
wrong types are :class:`ConfigError` s naming the file, the key and the expected type.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rtlint.discovery import DEFAULT_EXCLUDE, DEFAULT_INCLUDE
from rtlint.registry import by_selector
from rtlint.replay import CONFIG_FILES
from rtlint.rule import Rule
from rtlint.vocabulary import DEFAULT, Vocabulary, coerce

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


LIST_KEYS = ("include", "exclude", "extend-exclude", "select", "ignore", "extend-select")
SELECTOR_KEYS = ("select", "ignore", "extend-select")
TABLE_KEYS = ("per-file-ignores", "vocabulary")
PATH_KEYS = ("baseline",)
BOOL_KEYS = ("preview",)
VOCABULARY_KEYS = {f.replace("_", "-"): f for f in Vocabulary.field_names()}
"""Key in ``[vocabulary]`` → :class:`Vocabulary` field (``extend-<key>`` adds to it)."""


class ConfigError(Exception):
    """A configuration problem, as one line naming the file and the key."""


@dataclass(frozen=True)
class Config:
    """One configuration file's settings (or the defaults when ``path`` is None)."""

    root: Path
    """The directory relative globs are anchored to (the file's directory)."""
    path: Path | None = None
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    preview: bool | None = None
    """Run preview rules (None: not set here)."""
    vocabulary: Vocabulary = field(default=DEFAULT, repr=False)
    baseline: Path | None = None
    """Findings recorded here are not reported (:mod:`rtlint.baseline`); absolute."""


def load(path: Path) -> Config | None:
    """The configuration in ``path``; None for a ``pyproject.toml`` without ``[tool.rtlint]``."""
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name != "pyproject.toml":
        return _Reader(path, "").config(data)
    tool = data.get("tool")
    if not isinstance(tool, dict) or "rtlint" not in tool:
        return None
    return _Reader(path, "tool.rtlint.").config(tool["rtlint"])


@dataclass
class _Reader:
    path: Path
    prefix: str

    def error(self, key: str, problem: str) -> ConfigError:
        where = f"{self.prefix}{key}" if key else self.prefix.rstrip(".") or "(top level)"
        return ConfigError(f"{self.path}: {where}: {problem}")

    def config(self, data: object) -> Config:
        table = self.table("", data)
        changes: dict[str, Any] = {}
        for key, value in table.items():
            if key in LIST_KEYS:
                changes[key.replace("-", "_")] = self.strings(key, value)
            elif key == "per-file-ignores":
                changes["per_file_ignores"] = self.per_file_ignores(key, value)
            elif key == "vocabulary":
                changes["vocabulary"] = self.vocabulary(key, value)
            elif key == "baseline":
                if not isinstance(value, str) or not value:
                    raise self.error(key, f"expected a path (a string), got {_kind(value)}")
                changes["baseline"] = Path(os.path.abspath(self.path.parent / value))
            elif key in BOOL_KEYS:
                if not isinstance(value, bool):
                    raise self.error(key, f"expected true or false, got {_kind(value)}")
                changes[key] = value
            else:
                raise self.unknown(key, key, (*LIST_KEYS, *TABLE_KEYS, *PATH_KEYS, *BOOL_KEYS))
        for key in SELECTOR_KEYS:
            self.selectors(key, table.get(key, []))
        return replace(
            Config(root=Path(os.path.abspath(self.path.parent)), path=self.path), **changes
        )

    def per_file_ignores(self, key: str, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
        table = self.table(key, value, "a table of glob = [rules]")
        return tuple((g, self.selectors(f'{key}."{g}"', v)) for g, v in table.items())

    def vocabulary(self, key: str, value: object) -> Vocabulary:
        known = (*VOCABULARY_KEYS, *(f"extend-{k}" for k in VOCABULARY_KEYS))
        vocab, extend = DEFAULT, {}
        for name, names in self.table(key, value).items():
            where = f"{key}.{name}"
            if name not in known:
                raise self.unknown(where, name, known)
            strings = self.strings(where, names)
            if name.startswith("extend-"):
                extend[VOCABULARY_KEYS[name.removeprefix("extend-")]] = strings
            else:
                table = VOCABULARY_KEYS[name]
                vocab = replace(vocab, **{table: coerce(table, strings)})  # type: ignore[arg-type]
        return vocab.extend(**extend)

    def selectors(self, key: str, value: object) -> tuple[str, ...]:
        selectors = self.strings(key, value)
        for selector in selectors:
            if not by_selector(selector):
                raise self.error(key, f"unknown rule selector `{selector}`")
        return selectors

    def strings(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.error(key, f"expected a list of strings, got {_kind(value)}")
        for item in value:
            if not isinstance(item, str):
                raise self.error(
                    key, f"expected a list of strings, got an item that is {_kind(item)}"
                )
        return tuple(value)

    def table(self, key: str, value: object, expected: str = "a table") -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected {expected}, got {_kind(value)}")
        return value

    def unknown(self, where: str, key: str, known: Iterable[str]) -> ConfigError:
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return self.error(where, f"unknown key{hint}")


def _kind(value: object) -> str:
    kinds: dict[type, str] = {str: "a string", bool: "a boolean", int: "an integer"}
    kinds |= {float: "a number", list: "a list", dict: "a table"}
    return kinds.get(type(value), f"a {type(value).__name__}")


@dataclass
class Resolver:
    """Finds the configuration for each directory (walking upwards once per directory)."""

    override: Path | None = None
    """``--config PATH``: this file for everything."""
    isolated: bool = False
    """``--isolated``: defaults only."""
    _cache: dict[str, Config] = field(default_factory=dict)
    """By absolute directory (strings: hashing paths costs more)."""
    _fixed: Config | None = None

    def __post_init__(self) -> None:
        if self.override is not None:
            if not self.override.is_file():
                raise ConfigError(f"{self.override}: --config: no such file")
            self._fixed = load(self.override)
            if self._fixed is None:
                raise ConfigError(f"{self.override}: --config: the file has no [tool.rtlint] table")
        elif self.isolated:
            self._fixed = Config(root=Path.cwd())

    def for_directory(self, directory: str | Path) -> Config:
        """The configuration that applies to files in ``directory``."""
        if self._fixed is not None:
            return self._fixed
        candidate = os.path.abspath(directory)
        found = self._cache.get(candidate)
        if found is not None:
            return found
        visited: list[str] = []
        while True:
            visited.append(candidate)
            found = _in_directory(Path(candidate))
            parent = os.path.dirname(candidate)
            if found is not None or parent == candidate:
                break
            candidate = parent
            found = self._cache.get(candidate)
            if found is not None:
                break
        found = found or Config(root=Path.cwd())
        self._cache.update(dict.fromkeys(visited, found))
        return found

    def for_path(self, path: Path) -> Config:
        """The configuration for a file (its directory's) or a directory."""
        return self.for_directory(path if os.path.isdir(path) else path.parent)


def _in_directory(directory: Path) -> Config | None:
    for name in CONFIG_FILES:
        path = directory / name
        if os.path.isfile(path):  # False, not an error, in a directory that cannot be searched
            config = load(path)
            if config is not None:
                return config
    return None


def as_toml(config: Config, rules: Iterable[type[Rule]]) -> str:
    """The resolved configuration as TOML (``rtlint.toml`` layout)."""
    lines = [
        f"# configuration file: {config.path or 'none (defaults)'}",
        f"# globs are relative to: {config.root}",
        f"include = {_toml_list(config.include)}",
        f"exclude = {_toml_list(config.exclude)}",
        f"extend-exclude = {_toml_list(config.extend_exclude)}",
        f"select = {_toml_list(r.code for r in rules)}",
        f"preview = {'true' if config.preview else 'false'}",
        *([f"baseline = {json.dumps(str(config.baseline))}"] if config.baseline else []),
        "",
        "[per-file-ignores]",
        *(f"{json.dumps(glob)} = {_toml_list(codes)}" for glob, codes in config.per_file_ignores),
        "",
        "[vocabulary]",
    ]
    for key, table in VOCABULARY_KEYS.items():
        value = getattr(config.vocabulary, table)
        lines.append(
            f"{key} = {_toml_list(sorted(value) if isinstance(value, frozenset) else value)}"
        )
    return "\n".join(lines) + "\n"


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"
