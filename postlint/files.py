"""Paths -> the Markdown files to lint: walk folders, honour excludes and .gitignore, skip non-files."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from postlint.config import DEFAULT_EXCLUDE, ConfigResolver, Settings


@dataclass(frozen=True)
class Target:
    path: Path  # as found (absolute or relative to cwd)
    display: str  # relative to cwd, forward slashes
    settings: Settings


class PathError(Exception):
    """A path on the command line that does not exist: a usage error (exit 2)."""


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    # A name that is not UTF-8 (surrogate escapes) is shown with backslash escapes: every output stays encodable.
    return os.fsencode(Path(rel).as_posix()).decode("utf-8", "backslashreplace")


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(patterns)


def _excluded(path: Path, settings: Settings, is_dir: bool) -> bool:
    patterns = DEFAULT_EXCLUDE + settings.exclude
    try:
        rel = path.resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        rel = path.name
    if is_dir:
        rel += "/"
    return _spec(patterns).match_file(rel)


class _GitIgnores:
    """The .gitignore files met on the way down, each matched relative to its own folder."""

    def __init__(self) -> None:
        self._cache: dict[Path, object | None] = {}

    def _load(self, directory: Path):  # type: ignore[no-untyped-def]
        if directory not in self._cache:
            spec = None
            gi = directory / ".gitignore"
            try:
                if gi.is_file():
                    spec = _spec(tuple(gi.read_text("utf-8", "replace").splitlines()))
            except OSError:
                spec = None
            self._cache[directory] = spec
        return self._cache[directory]

    def ignored(self, path: Path, is_dir: bool, top: Path) -> bool:
        d = path.parent
        while True:
            spec = self._load(d)
            if spec is not None:
                rel = path.relative_to(d).as_posix() + ("/" if is_dir else "")
                if spec.match_file(rel):
                    return True
            if d == top or (d / ".git").exists() or d.parent == d:
                return False
            d = d.parent


def collect(
    paths: list[Path],
    resolver: ConfigResolver,
    *,
    force_exclude: bool = False,
    warn: Callable[[str], None] = lambda msg: None,
) -> list[Target]:
    """The files to lint, deduplicated, in a deterministic order."""
    seen: set[Path] = set()
    out: list[Target] = []
    gitignores = _GitIgnores()

    def add(p: Path, settings: Settings) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(Target(p, display_path(p), settings))

    for raw in paths:
        try:
            st = raw.stat()
        except FileNotFoundError:
            if raw.is_symlink():
                warn(f"{display_path(raw)}: broken symbolic link, skipped")
                continue
            raise PathError(f"path does not exist: {raw}") from None
        except OSError as exc:
            warn(f"{display_path(raw)}: cannot read ({exc.strerror or exc}), skipped")
            continue
        if stat.S_ISDIR(st.st_mode):
            for f in _walk(raw, resolver, gitignores, warn):
                add(f, resolver.for_path(f))
        elif stat.S_ISREG(st.st_mode):
            settings = resolver.for_path(raw)
            if force_exclude and (_excluded(raw, settings, False) or _ignored_by_git(raw, settings, gitignores)):
                continue
            add(raw, settings)
        else:
            warn(f"{display_path(raw)}: not a regular file (FIFO, socket or device), skipped")
    return out


def _ignored_by_git(path: Path, settings: Settings, gitignores: _GitIgnores) -> bool:
    if not settings.respect_gitignore:
        return False
    abs_path = path.resolve()
    return gitignores.ignored(abs_path, False, abs_path.anchor and Path(abs_path.anchor))


def _walk(top: Path, resolver: ConfigResolver, gitignores: _GitIgnores, warn: Callable[[str], None]) -> Iterator[Path]:
    abs_top = top.resolve()

    def onerror(exc: OSError) -> None:
        warn(f"{display_path(Path(exc.filename)) if exc.filename else top}: cannot read folder ({exc.strerror or exc}), skipped")

    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror, followlinks=False):
        d = Path(dirpath)
        abs_d = abs_top / d.relative_to(top)
        settings = resolver.for_path(d)
        kept = []
        for name in sorted(dirnames):
            sub = d / name
            if _excluded(sub, settings, True):
                continue
            if settings.respect_gitignore and gitignores.ignored(abs_d / name, True, Path(abs_top.anchor)):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.lower().endswith(settings.extensions):
                continue
            f = d / name
            try:
                st = f.stat()
            except OSError as exc:
                warn(f"{display_path(f)}: cannot read ({exc.strerror or exc}), skipped")
                continue
            if not stat.S_ISREG(st.st_mode):
                warn(f"{display_path(f)}: not a regular file, skipped")
                continue
            if _excluded(f, settings, False):
                continue
            if settings.respect_gitignore and gitignores.ignored(abs_d / name, False, Path(abs_top.anchor)):
                continue
            yield f
