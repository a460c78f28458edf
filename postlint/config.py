"""Configuration: discovery of postlint.toml / [tool.postlint], validation, and resolved Settings."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

CONFIG_NAMES = (".postlint.toml", "postlint.toml", "pyproject.toml")
FAMILY_TABLES = ("front-matter", "images", "dates", "counts")
DEFAULT_EXTENSIONS = (".md", ".markdown")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", "__pycache__", ".postlint_cache", "_site")


class ConfigError(Exception):
    """A configuration that cannot be used: reported as one line, exit code 2."""


@lru_cache(maxsize=1)
def schemas_dir() -> Path:
    """The shipped schemas: the package data when installed, ``schemas/`` in a source checkout."""
    try:
        import postlint.schemas as pkg  # installed: schemas/ is mapped to this package

        return Path(next(iter(pkg.__path__)))
    except (ImportError, StopIteration):
        return Path(__file__).resolve().parent.parent / "schemas"


@lru_cache(maxsize=1)
def _config_validator() -> Any:
    from postlint._jsonschema import jsonschema

    schema = json.loads((schemas_dir() / "postlint-config.schema.json").read_text("utf-8"))
    return jsonschema().Draft202012Validator(schema)


@dataclass(frozen=True)
class Override:
    paths: tuple[str, ...]
    table: dict
    base: Path


@dataclass(frozen=True)
class Settings:
    """A resolved configuration: one per configuration file (plus the command line's overrides)."""

    path: Path | None = None  # the configuration file, None for defaults
    root: Path = field(default_factory=Path.cwd)  # the folder paths in it are relative to
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    respect_gitignore: bool = True
    max_file_size: int = 10 * 1024 * 1024
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    overrides: tuple[Override, ...] = ()
    tables: dict = field(default_factory=dict)  # family tables: "dates" -> {...}, "network" -> {...}
    cache_dir: str | None = None
    sources: dict = field(default_factory=dict)  # key -> where its value came from

    def __hash__(self) -> int:
        # Every file's lookups are keyed by its settings: hashed once, not two Paths per lookup.
        h = self.__dict__.get("_hash")
        if h is None:
            h = hash((self.path, self.root))
            object.__setattr__(self, "_hash", h)
        return h  # type: ignore[no-any-return]

    def __getstate__(self) -> dict:
        # Not the hash: another process hashes strings with its own seed.
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def severity_map(self) -> dict[str, str]:
        return dict(self.severity)

    def table(self, name: str) -> dict:
        return self.tables.get(name, {})


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read configuration {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"configuration {path} is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuration {path} is not valid TOML: {exc}") from None


def _table_of(path: Path) -> dict | None:
    """The postlint table of a configuration file, or None when a pyproject.toml has none."""
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        return tool.get("postlint") if isinstance(tool, dict) else None
    return data


def validate_table(table: dict, path: Path | str) -> None:
    errors = sorted(_config_validator().iter_errors(table), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = errors[0]
    key = ".".join(str(p) for p in err.absolute_path) or "(top level)"
    if err.validator == "additionalProperties":
        import re

        extra = re.findall(r"'([^']+)' was unexpected", err.message)
        where = ".".join(str(p) for p in err.absolute_path)
        names = ", ".join(f"{where + '.' if where else ''}{e}" for e in extra) or key
        raise ConfigError(f"{path}: unknown configuration key {names}")
    raise ConfigError(f"{path}: invalid value for {key}: {err.message}")


def load_config_file(path: Path, _seen: tuple[Path, ...] = ()) -> Settings:
    """Read, validate and resolve one configuration file (following ``extend``)."""
    path = path.resolve()
    if path in _seen:
        raise ConfigError(f"configuration {path} extends itself (via {' -> '.join(map(str, _seen))})")
    if not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist")
    table = _table_of(path)
    if table is None:
        table = {}
    validate_table(table, path)
    base = Settings(root=path.parent, path=path)
    if "extend" in table:
        parent = (path.parent / table["extend"]).resolve()
        base = replace(load_config_file(parent, _seen + (path,)), root=path.parent, path=path)
    return apply_table(base, table, path, path.parent)


def apply_table(settings: Settings, table: dict, source: Path | str, base: Path) -> Settings:
    """Settings with the keys of one table applied over ``settings``."""
    changes: dict[str, Any] = {}
    sources = dict(settings.sources)

    def put(key: str, attr: str, value: Any) -> None:
        changes[attr] = value
        sources[key] = str(source)

    if "select" in table:
        put("select", "select", tuple(table["select"]))
    if "ignore" in table:
        put("ignore", "ignore", tuple(table["ignore"]))
    if "extend-select" in table:
        put("extend-select", "extend_select", settings.extend_select + tuple(table["extend-select"]))
    if "severity" in table:
        merged = dict(settings.severity)
        merged.update(table["severity"])
        put("severity", "severity", tuple(merged.items()))
    if "include" in table:
        put("include", "include", tuple(table["include"]))
    if "exclude" in table:
        put("exclude", "exclude", tuple(table["exclude"]))
    if "extend-exclude" in table:
        put("extend-exclude", "exclude", settings.exclude + tuple(table["extend-exclude"]))
    if "extensions" in table:
        put("extensions", "extensions", tuple(e.lower() for e in table["extensions"]))
    if "respect-gitignore" in table:
        put("respect-gitignore", "respect_gitignore", table["respect-gitignore"])
    if "max-file-size" in table:
        put("max-file-size", "max_file_size", table["max-file-size"])
    if "cache-dir" in table:
        put("cache-dir", "cache_dir", str((base / table["cache-dir"]).resolve()))
    if "per-file-ignores" in table:
        merged = dict(settings.per_file_ignores)
        merged.update({k: tuple(v) for k, v in table["per-file-ignores"].items()})
        put("per-file-ignores", "per_file_ignores", tuple(merged.items()))
    if "overrides" in table:
        ovs = tuple(Override(tuple(o["paths"]), {k: v for k, v in o.items() if k != "paths"}, base) for o in table["overrides"])
        put("overrides", "overrides", settings.overrides + ovs)
    tables = dict(settings.tables)
    for name in (*FAMILY_TABLES, "network"):
        if name in table:
            merged = dict(tables.get(name, {}))
            merged.update(table[name])
            tables[name] = merged
            for k in table[name]:
                sources[f"{name}.{k}"] = str(source)
    changes["tables"] = tables
    changes["sources"] = sources
    return replace(settings, **changes)


def find_repo_root(start: Path) -> Path | None:
    for d in (start, *start.parents):
        if (d / ".git").exists():
            return d
    return None


class ConfigResolver:
    """Finds the configuration that applies to each file: the closest one walking up to the repo root."""

    def __init__(self, forced: Path | None = None, no_config: bool = False, cli: dict | None = None):
        self.cli = cli or {}
        self.no_config = no_config
        self.forced = load_config_file(forced) if forced else None
        self._by_dir: dict[Path, Settings] = {}
        self._by_file: dict[Path, Settings] = {}
        self._default: Settings | None = None

    def _finish(self, settings: Settings) -> Settings:
        """Apply the command line as ruff does: --select replaces, --ignore and --extend-select add."""
        cli = self.cli
        if not cli:
            return settings
        changes: dict[str, Any] = {}
        sources = dict(settings.sources)
        if "select" in cli:
            changes["select"] = tuple(cli["select"])
            sources["select"] = "command line"
        if "ignore" in cli:
            changes["ignore"] = settings.ignore + tuple(cli["ignore"])
            sources["ignore"] = "command line"
        if "extend-select" in cli:
            changes["extend_select"] = settings.extend_select + tuple(cli["extend-select"])
            sources["extend-select"] = "command line"
        if "network" in cli:
            tables = dict(settings.tables)
            tables["network"] = {**tables.get("network", {}), **cli["network"]}
            changes["tables"] = tables
            for k in cli["network"]:
                sources[f"network.{k}"] = "command line"
        return replace(settings, sources=sources, **changes)

    def default(self) -> Settings:
        if self._default is None:
            self._default = self._finish(Settings(root=Path.cwd()))
        return self._default

    def for_path(self, path: Path) -> Settings:
        """Settings for a file or folder."""
        if self.forced is not None:
            if self._default is None:
                self._default = self._finish(self.forced)
            return self._default
        if self.no_config:
            return self.default()
        directory = path.parent if not path.is_dir() else path
        return self._for_dir(directory.resolve())

    def _for_dir(self, directory: Path) -> Settings:
        if directory in self._by_dir:
            return self._by_dir[directory]
        found: Settings | None = None
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                table = _table_of(candidate)
                if table is not None:
                    found = self._finish(self._load(candidate))
                    break
        if found is None:
            stop = (directory / ".git").exists() or directory.parent == directory
            found = self.default() if stop else self._for_dir(directory.parent)
        self._by_dir[directory] = found
        return found

    def _load(self, path: Path) -> Settings:
        resolved = path.resolve()
        if resolved not in self._by_file:
            self._by_file[resolved] = load_config_file(resolved)
        return self._by_file[resolved]


def settings_for_file(settings: Settings, rel_posix: str) -> Settings:
    """Apply ``[[overrides]]`` whose globs match a file (path relative to the config's folder)."""
    if not settings.overrides:
        return settings
    from pathspec import GitIgnoreSpec

    result = settings
    for ov in settings.overrides:
        if GitIgnoreSpec.from_lines(ov.paths).match_file(rel_posix):
            result = apply_table(result, ov.table, f"{settings.path or 'config'} (override {', '.join(ov.paths)})", ov.base)
    return result
