"""Paths -> the Markdown files to lint: walk folders, honour excludes and .gitignore, skip non-files."""

from __future__ import annotations

import operator
import os
import stat
from collections.abc import Callable, Container, Iterator
from functools import lru_cache
from pathlib import Path

from postlint.config import DEFAULT_EXCLUDE, ConfigResolver, Settings


class Target:
    """A file to lint: its path as found (absolute or relative to cwd), how it is shown, its settings.

    The path is kept as a string and made a Path on use: a site of 100,000 posts holds as many
    targets, and Path objects are several times larger than their string.
    """

    __slots__ = ("_path", "display", "settings")

    def __init__(self, path: str | Path, display: str, settings: Settings):
        self._path = os.fspath(path)
        self.display = display  # relative to cwd, forward slashes
        self.settings = settings

    @property
    def path(self) -> Path:
        return Path(self._path)

    def __repr__(self) -> str:
        return f"Target({self._path!r}, {self.display!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Target) and (self._path, self.display, self.settings) == (other._path, other.display, other.settings)

    def __hash__(self) -> int:
        return hash((self._path, self.display))


class PathError(Exception):
    """A path on the command line that does not exist: a usage error (exit 2)."""


def relative_posix(path: str | Path, base: str) -> str:
    """``os.path.relpath(path, base)`` with forward slashes; ``base`` absolute and normalised.

    A prefix test first: a linted file is almost always under the folder it is shown relative to.
    """
    full = os.path.normpath(os.path.join(base, path))
    prefix = base if base.endswith(os.sep) else base + os.sep
    if full.startswith(prefix):
        rel = full[len(prefix):]
    elif full == base:
        return "."
    else:
        folder, name = os.path.split(full)
        rel = os.path.join(_relative_folder(folder, base), name)
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


@lru_cache(maxsize=4096)
def _relative_folder(folder: str, base: str) -> str:
    """relpath of a folder outside ``base`` (``../shared/...``): once per folder, not per file."""
    try:
        return os.path.relpath(folder, base)
    except ValueError:  # another drive on Windows
        return folder


_NAME = "\0"  # a name no file has: joined to a folder, then cut, it leaves what precedes a name


def _join(folder: str, name: str) -> str:
    """``str(Path(folder) / name)`` for a folder string Path made."""
    return name if folder == "." else os.path.join(folder, name)


_entry_name = operator.attrgetter("name")


def _shown(name: str) -> str:
    """A file or folder name as shown: one that is not UTF-8 (surrogate escapes) with backslash escapes."""
    return name if name.isascii() else os.fsencode(name).decode("utf-8", "backslashreplace")


def _display_prefix(folder: str, cwd: str) -> str:
    """What display_path shows before the name of a file in ``folder`` (a folder may be above cwd)."""
    try:
        rel = os.path.relpath(os.path.join(cwd, folder), cwd)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(folder)
    if rel == ".":
        return ""
    rel = rel if os.sep == "/" else rel.replace(os.sep, "/")
    return os.fsencode(rel).decode("utf-8", "backslashreplace") + "/"


def display_path(path: Path | str, cwd: str | None = None) -> str:
    rel = relative_posix(path, cwd or os.getcwd())
    # A name that is not UTF-8 (surrogate escapes) is shown with backslash escapes: every output stays encodable.
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> _Patterns:
    return _Patterns(patterns)


_GLOB_OR_SPACE = frozenset("/*?[]\\!# \t\r\n")


class _Patterns:
    """gitignore patterns. The commonest are tested without pathspec (whose import is a quarter of a
    single-file run's start-up, and which costs a regular expression per pattern and path), on the
    parts of a path, as git tests them, at any depth: a plain name (``.git``, ``node_modules``, the
    default excludes) is a part; ``*suffix`` (``*.pyc``) ends one; either with a trailing slash
    (``build/``, ``*.egg-info/``) stands for folders only. pathspec tests the others. With a
    negation (``!name``) order matters: pathspec tests them all."""

    def __init__(self, lines: tuple[str, ...]):
        names: set[str] = set()
        suffixes: set[str] = set()
        dir_names: set[str] = set()
        dir_suffixes: set[str] = set()
        rest: list[str] = []
        negated = any(line.lstrip().startswith("!") for line in lines)
        for line in lines:
            folders_only = line.endswith("/")
            body = line[:-1] if folders_only else line
            if negated or body in ("", ".", ".."):
                rest.append(line)
            elif _GLOB_OR_SPACE.isdisjoint(body):
                (dir_names if folders_only else names).add(body)
            elif body.startswith("*") and _GLOB_OR_SPACE.isdisjoint(body[1:]):
                (dir_suffixes if folders_only else suffixes).add(body[1:])
            else:
                rest.append(line)
        self.names, self.dir_names = frozenset(names), frozenset(dir_names)
        self.suffixes, self.dir_suffixes = tuple(sorted(suffixes)), tuple(sorted(dir_suffixes))
        if any(line.strip() and not line.startswith("#") for line in rest):
            from pathspec import GitIgnoreSpec

            self.spec = GitIgnoreSpec.from_lines(rest)
        else:
            self.spec = None

    def match_file(self, rel: str) -> bool:
        """Whether the patterns exclude ``rel`` (forward slashes; a folder ends with ``/``)."""
        parts = rel.split("/")
        if self.names and not self.names.isdisjoint(parts):
            return True
        if self.suffixes and any(p.endswith(self.suffixes) for p in parts if p):
            return True
        if self.dir_names or self.dir_suffixes:
            folders = parts[:-1]  # a file's folders; a folder's path ends with "/": all its parts
            if not self.dir_names.isdisjoint(folders) or (self.dir_suffixes and any(p.endswith(self.dir_suffixes) for p in folders if p)):
                return True
        return self.spec is not None and self.spec.match_file(rel)


def _rel_to_root(abs_path: str, settings: Settings) -> str:
    """``abs_path`` relative to the configuration's folder, with forward slashes (the name if outside it)."""
    return _rel_to(abs_path, _abs_root(settings.root))


def _rel_to(abs_path: str, root: str) -> str:
    if abs_path == root:
        return "."
    if abs_path.startswith(root + os.sep):
        return abs_path[len(root) + 1 :].replace(os.sep, "/")
    return os.path.basename(abs_path)


@lru_cache(maxsize=64)
def _abs_root(root: Path) -> str:
    return os.path.realpath(root)


def _excluded(abs_path: str, settings: Settings, is_dir: bool) -> bool:
    rel = _rel_to_root(abs_path, settings)
    return _spec(DEFAULT_EXCLUDE + settings.exclude).match_file(rel + "/" if is_dir else rel)


class _GitIgnores:
    """The .gitignore files met on the way down, each matched relative to its own folder."""

    def __init__(self) -> None:
        self._chains: dict[str, list[tuple[str, object]]] = {}

    def chain(self, directory: str, names: Container[str] | None = None) -> list[tuple[str, object]]:
        """(folder, spec) of every .gitignore from ``directory`` up to its repository's root (cached per
        folder); ``names``: what the folder holds, when the caller has listed it (no lookups then)."""
        got = self._chains.get(directory)
        if got is not None:
            return got
        spec = None
        if names is None or ".gitignore" in names:
            try:
                with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                    spec = _spec(tuple(fh.read().splitlines()))
            except OSError:
                spec = None
        parent = os.path.dirname(directory)
        at_top = parent == directory or (".git" in names if names is not None else os.path.exists(os.path.join(directory, ".git")))
        chain = ([] if at_top else self.chain(parent))
        if spec is not None:
            chain = [(directory, spec), *chain]
        self._chains[directory] = chain
        return chain

    def ignored(self, abs_path: str, is_dir: bool, chain: list[tuple[str, object]] | None = None) -> bool:
        """Whether a .gitignore excludes ``abs_path``; ``chain``: its folder's, when the caller has it."""
        for folder, spec in self.chain(os.path.dirname(abs_path)) if chain is None else chain:
            rel = abs_path[len(folder) + 1 :].replace(os.sep, "/")
            if spec.match_file(rel + "/" if is_dir else rel):  # type: ignore[attr-defined]
                return True
        return False


def collect(
    paths: list[Path],
    resolver: ConfigResolver,
    *,
    force_exclude: bool = False,
    warn: Callable[[str], None] = lambda msg: None,
) -> list[Target]:
    """The files to lint, deduplicated, in a deterministic order."""
    seen: set[str] = set()
    out: list[Target] = []
    gitignores = _GitIgnores()
    cwd = os.getcwd()

    def add(p: Path | str, abs_path: str, settings: Settings, display: str | None = None) -> None:
        if abs_path not in seen:
            seen.add(abs_path)
            out.append(Target(p, display if display is not None else display_path(p, cwd), settings))

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
            for f, abs_f, settings, shown in _walk(raw, resolver, gitignores, warn, cwd):
                add(f, abs_f, settings, shown)
        elif stat.S_ISREG(st.st_mode):
            settings = resolver.for_path(raw)
            abs_raw = os.path.realpath(raw)
            if force_exclude and (_excluded(abs_raw, settings, False) or (settings.respect_gitignore and gitignores.ignored(abs_raw, False))):
                continue
            add(raw, abs_raw, settings)
        else:
            warn(f"{display_path(raw)}: not a regular file (FIFO, socket or device), skipped")
    return out


def _walk(
    top: Path, resolver: ConfigResolver, gitignores: _GitIgnores, warn: Callable[[str], None], cwd: str
) -> Iterator[tuple[str, str, Settings, str]]:
    """Markdown files under ``top`` in sorted order, with their absolute path, settings and display path.

    One directory listing per folder (scandir: file types without a stat per file); symbolic links to
    folders are not followed, so a link loop cannot trap the walk. Paths are strings joined as Path
    would join them, and a file is shown as its folder is plus its name: no path object or relative
    path computed per file.
    """
    # (folder as given, its real path, how its files are shown, as display_path shows them)
    stack: list[tuple[str, str, str]] = [(str(top), os.path.realpath(top), _display_prefix(str(top), cwd))]
    while stack:
        dir_str, abs_d, prefix = stack.pop()
        d = Path(dir_str)
        settings = resolver.for_path(d)
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=_entry_name)
        except OSError as exc:
            warn(f"{display_path(d)}: cannot read folder ({exc.strerror or exc}), skipped")
            continue
        subdirs: list[tuple[str, str, str]] = []
        # What every entry of the folder is tested against, looked up once per folder; its paths are
        # these prefixes plus the entry's name (os.path.join's result, joined once per folder).
        excludes = _spec(DEFAULT_EXCLUDE + settings.exclude)
        abs_prefix = os.path.join(abs_d, _NAME)[: -len(_NAME)]
        dir_prefix = _join(dir_str, _NAME)[: -len(_NAME)]
        root = _abs_root(settings.root)
        chain = gitignores.chain(abs_d, [e.name for e in entries]) if settings.respect_gitignore else None
        for e in entries:
            name = e.name
            abs_e = abs_prefix + name
            try:
                is_dir = e.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if excludes.match_file(_rel_to(abs_e, root) + "/"):
                    continue
                if chain and gitignores.ignored(abs_e, True, chain):
                    continue
                # Below cwd, a folder is shown as its folder plus its name; above it, "../a" may be ".".
                shown = prefix + _shown(name) + "/" if not prefix.startswith("../") else _display_prefix(dir_prefix + name, cwd)
                subdirs.append((dir_prefix + name, abs_e, shown))
                continue
            if not name.lower().endswith(settings.extensions):
                continue
            f = dir_prefix + name
            try:
                regular = e.is_file()  # follows a link to a file; False for FIFOs and devices
                if not regular:
                    os.stat(f)  # a dangling link or a loop raises here
            except OSError as exc:
                warn(f"{display_path(f)}: cannot read ({exc.strerror or exc}), skipped")
                continue
            if not regular:
                warn(f"{display_path(f)}: not a regular file, skipped")
                continue
            if excludes.match_file(_rel_to(abs_e, root)):
                continue
            if chain and gitignores.ignored(abs_e, False, chain):
                continue
            yield f, abs_e, settings, prefix + _shown(name)
        # Depth first, in name order: the same order os.walk would give.
        stack.extend(reversed(subdirs))
