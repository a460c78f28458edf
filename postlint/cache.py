"""The one on-disk cache folder: namespaced, versioned, atomically written, never trusted blindly."""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postlint import __version__

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_DIR_NAME",
    "FORMAT_VERSION",
    "Cache",
    "CacheMode",
    "Entry",
    "SchemaStore",
    "Store",
    "UrlEntry",
    "UrlStore",
    "resolve_cache_dir",
]

logger = logging.getLogger("postlint.cache")

CACHE_DIR_NAME = ".postlint_cache"
CACHE_DIR_ENV = "POSTLINT_CACHE_DIR"
# Bump when the entry layout changes; entries of another format are ignored and overwritten.
FORMAT_VERSION = 1

DAY = 24 * 60 * 60.0
HOUR = 60 * 60.0

_MAGIC = b"postlint-cache\n"
_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_MAX_WARNINGS = 5  # a wholly corrupt folder must not bury the real output in warnings
_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_AGE = HOUR  # leftovers of a killed writer older than this are removed


class CacheMode(enum.StrEnum):
    """How a run uses the cache: read and write, ignore it entirely, or rebuild it."""

    NORMAL = "normal"
    OFF = "off"  # --no-cache: no read, no write, the folder is not even created
    REFRESH = "refresh"  # --refresh-cache: every read misses, fresh answers are written


def resolve_cache_dir(project_root: Path | str, cli_value: Path | str | None = None,
                      environ: Mapping[str, str] | None = None,
                      config_value: Path | str | None = None) -> Path:
    """The cache folder: --cache-dir, else $POSTLINT_CACHE_DIR, else the `cache-dir` setting (already
    resolved against its configuration file), else .postlint_cache in the project root.

    Relative flag and variable values are taken from the current directory, as a shell user typed them.
    """
    env = os.environ if environ is None else environ
    if cli_value:
        return Path(cli_value).expanduser().absolute()
    if env.get(CACHE_DIR_ENV):
        return Path(env[CACHE_DIR_ENV]).expanduser().absolute()
    if config_value:
        return Path(config_value).expanduser().absolute()
    return Path(project_root).absolute() / CACHE_DIR_NAME


@dataclass(frozen=True)
class Entry:
    """One stored value with the time it was written (seconds since the epoch)."""

    value: Any  # bytes for *_bytes, a JSON value for *_json
    created: float
    meta: Mapping[str, Any]


class Cache:
    """The cache folder of one run; stores are namespaced sub-folders of it.

    Nothing here raises for cache trouble: an unreadable entry is a miss, an unwritable folder
    turns writing off with one warning.
    """

    def __init__(self, root: Path | str, *, mode: CacheMode | str = CacheMode.NORMAL,
                 clock: Callable[[], float] = time.time, version: str = __version__) -> None:
        self.root = Path(root)
        self.mode = CacheMode(mode)
        self.clock = clock
        self.version = version
        self._warnings = 0
        self._write_failed = False
        self._prepared = False
        self._urls: UrlStore | None = None
        self._schemas: SchemaStore | None = None

    @classmethod
    def open(cls, project_root: Path | str, *, cache_dir: Path | str | None = None,
             config_cache_dir: Path | str | None = None, no_cache: bool = False,
             refresh: bool = False, environ: Mapping[str, str] | None = None,
             **kwargs: Any) -> Cache:
        """The cache for a run, from the project root, the CLI flags and the `cache-dir` setting."""
        mode = CacheMode.OFF if no_cache else CacheMode.REFRESH if refresh else CacheMode.NORMAL
        root = resolve_cache_dir(project_root, cache_dir, environ, config_cache_dir)
        return cls(root, mode=mode, **kwargs)

    @property
    def reads(self) -> bool:
        return self.mode is CacheMode.NORMAL

    @property
    def writes(self) -> bool:
        return self.mode is not CacheMode.OFF and not self._write_failed

    def store(self, namespace: str) -> Store:
        """A generic key -> bytes/JSON store in its own sub-folder (e.g. "results")."""
        return Store(self, namespace)

    @property
    def urls(self) -> UrlStore:
        """Results of URL checks, kept according to their outcome."""
        if self._urls is None:
            self._urls = UrlStore(self)
        return self._urls

    @property
    def schemas(self) -> SchemaStore:
        """Remote JSON Schemas by URL."""
        if self._schemas is None:
            self._schemas = SchemaStore(self)
        return self._schemas

    def clear(self) -> None:
        """Delete every entry (the folder's markers are recreated on the next write)."""
        if self.root.is_dir():
            for child in self.root.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
        self._prepared = False

    # ----- used by the stores

    def warn(self, message: str, *args: Any) -> None:
        self._warnings += 1
        if self._warnings <= _MAX_WARNINGS:
            logger.warning(message, *args)
        elif self._warnings == _MAX_WARNINGS + 1:
            logger.warning("more cache problems; further warnings are suppressed")
        else:
            logger.debug(message, *args)

    def prepare(self) -> bool:
        """Create the folder with its .gitignore and CACHEDIR.TAG; False if it cannot be written."""
        if self._prepared:
            return True
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            gitignore = self.root / ".gitignore"
            if not gitignore.exists():
                # Written even when the folder is outside the project: it costs nothing.
                _atomic_write(gitignore, b"# Created by postlint; the cache is never committed.\n*\n")
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                # The standard marker that backup tools skip (https://bford.info/cachedir/).
                _atomic_write(tag, b"Signature: 8a477f597d28d172789f06886806bc55\n"
                                   b"# This file is a cache directory tag created by postlint.\n")
        except OSError as exc:
            self.write_failed(exc)
            return False
        self._prepared = True
        return True

    def write_failed(self, exc: OSError) -> None:
        if not self._write_failed:
            logger.warning("cannot write the cache in %s (%s); running without saving to it",
                           self.root, exc)
        self._write_failed = True


class Store:
    """key -> bytes or JSON, one file per key, in a namespace of the cache folder."""

    def __init__(self, cache: Cache, namespace: str) -> None:
        if not _NAMESPACE.fullmatch(namespace):
            raise ValueError(f"bad cache namespace {namespace!r}")
        self.cache = cache
        self.namespace = namespace
        self.folder = cache.root / namespace
        self._swept = False

    # ----- reading

    def get(self, key: str) -> Entry | None:
        """The entry for a key, None when absent, foreign, corrupt or when reads are off."""
        if not self.cache.reads:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self.cache.warn("cannot read cache entry %s: %s", path, exc)
            return None
        entry = self._decode(key, path, data)
        if entry is not None and "expires" in entry.meta:
            expires = entry.meta["expires"]
            if expires is not None and self.cache.clock() >= expires:
                return None
        return entry

    def get_bytes(self, key: str) -> bytes | None:
        entry = self.get(key)
        return entry.value if entry is not None and isinstance(entry.value, bytes) else None

    def get_json(self, key: str) -> Any | None:
        entry = self.get(key)
        return None if entry is None or isinstance(entry.value, bytes) else entry.value

    # ----- writing

    def put_bytes(self, key: str, value: bytes, *, ttl: float | None = None,
                  meta: Mapping[str, Any] | None = None) -> None:
        """Store bytes (ttl in seconds, None = until replaced)."""
        self._put(key, bytes(value), "bytes", ttl, meta)

    def put_json(self, key: str, value: Any, *, ttl: float | None = None,
                 meta: Mapping[str, Any] | None = None) -> None:
        """Store a JSON value (ttl in seconds, None = until replaced)."""
        # ASCII escapes keep file names that are not UTF-8 (surrogate escapes) round-tripping.
        payload = json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")
        self._put(key, payload, "json", ttl, meta)

    def delete(self, key: str) -> None:
        if self.cache.writes:
            self._path(key).unlink(missing_ok=True)

    # ----- internals

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        # Two-level fan-out keeps directories small for sites with thousands of posts.
        return self.folder / digest[:2] / f"{digest}.entry"

    def _put(self, key: str, payload: bytes, kind: str, ttl: float | None,
             meta: Mapping[str, Any] | None) -> None:
        if not self.cache.writes or not self.cache.prepare():
            return
        now = self.cache.clock()
        header = {
            "format": FORMAT_VERSION, "postlint": self.cache.version, "namespace": self.namespace,
            "key": key, "kind": kind, "created": now,
            "expires": None if ttl is None else now + ttl,
            "sha256": hashlib.sha256(payload).hexdigest(), "meta": dict(meta or {}),
        }
        data = _MAGIC + json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + payload
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._sweep_temporaries()
            _atomic_write(path, data)
        except PermissionError as exc:
            if os.name == "nt" and path.parent.is_dir():
                # Windows refuses to replace a file another run has open: skip this one entry.
                logger.debug("cache entry %s busy: %s", path, exc)
                return
            self.cache.write_failed(exc)
        except OSError as exc:
            self.cache.write_failed(exc)

    def _decode(self, key: str, path: Path, data: bytes) -> Entry | None:
        def corrupt(why: str) -> None:
            self.cache.warn("discarding corrupt cache entry %s (%s)", path, why)
            self._discard(path)

        if not data.startswith(_MAGIC):
            corrupt("not a postlint cache entry")
            return None
        head, sep, payload = data[len(_MAGIC):].partition(b"\n")
        if not sep:
            corrupt("truncated header")
            return None
        try:
            header = json.loads(head)
        except (UnicodeDecodeError, ValueError):
            corrupt("unreadable header")
            return None
        if not isinstance(header, dict):
            corrupt("unreadable header")
            return None
        if header.get("format") != FORMAT_VERSION or header.get("postlint") != self.cache.version:
            # Another postlint wrote it (an upgrade, or a second version sharing the folder):
            # expected, so no warning; it is rewritten on the next put.
            logger.debug("ignoring cache entry %s from postlint %s format %s", path,
                         header.get("postlint"), header.get("format"))
            return None
        if header.get("key") != key or header.get("namespace") != self.namespace:
            corrupt("written for another key")
            return None
        if header.get("sha256") != hashlib.sha256(payload).hexdigest():
            corrupt("checksum mismatch")
            return None
        created, meta, expires = header.get("created"), header.get("meta"), header.get("expires")
        if not isinstance(created, int | float) or not isinstance(meta, dict) \
                or not (expires is None or isinstance(expires, int | float)):
            corrupt("bad header fields")
            return None
        kind = header.get("kind")
        if kind == "bytes":
            value: Any = payload
        elif kind == "json":
            try:
                value = json.loads(payload.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                corrupt("unreadable JSON")
                return None
        else:
            corrupt(f"unknown kind {kind!r}")
            return None
        return Entry(value, float(created), {**meta, "expires": expires})

    def _discard(self, path: Path) -> None:
        if self.cache.writes:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass

    def _sweep_temporaries(self) -> None:
        # A writer killed between writing and renaming leaves a temporary file; nobody reads
        # them, but they should not pile up. Only old ones: a young one may still be in use.
        if self._swept:
            return
        self._swept = True
        cutoff = time.time() - _STALE_TEMP_AGE
        try:
            for temp in self.folder.glob(f"*/{_TEMP_PREFIX}*"):
                try:
                    if temp.stat().st_mtime < cutoff:
                        temp.unlink()
                except OSError:
                    pass
        except OSError:
            pass


def _atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part.

    The temporary file is in the same folder (os.replace is atomic only within a filesystem).
    No fsync: a power cut may lose an entry, and the checksum then discards it; a cache need
    not pay for durability.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


@dataclass(frozen=True)
class UrlEntry:
    """A cached URL result: the stored value, its outcome and when it was checked."""

    value: Any
    outcome: str  # "success" or "permanent"
    checked: float  # seconds since the epoch


class UrlStore:
    """URL results kept by outcome: successes for a day, permanent failures for an hour,
    transient ones (429, 5xx, timeouts, resets) and unchecked ones never.

    Freshness is decided when reading, with the TTLs of the current run, so that shortening a
    TTL takes effect at once.
    """

    OUTCOMES = ("success", "permanent", "transient", "unchecked")

    def __init__(self, cache: Cache, *, success_ttl: float = DAY, failure_ttl: float = HOUR) -> None:
        self._store = cache.store("urls")
        self.cache = cache
        self.success_ttl = success_ttl
        self.failure_ttl = failure_ttl

    def get(self, url: str) -> UrlEntry | None:
        """The cached result of a URL if it is still fresh."""
        entry = self._store.get(url)
        if entry is None:
            return None
        outcome = entry.meta.get("outcome")
        ttl = {"success": self.success_ttl, "permanent": self.failure_ttl}.get(str(outcome))
        if ttl is None:
            return None
        age = self.cache.clock() - entry.created
        # An entry from the future (a clock moved back) is not trusted.
        if age < -60 or age >= ttl:
            return None
        return UrlEntry(entry.value, str(outcome), entry.created)

    def put(self, url: str, value: Any, outcome: str) -> None:
        """Store a JSON value for a URL. "transient" is not stored and drops an older entry;
        "unchecked" (offline, deadline, refused by the guard) is not stored and keeps it."""
        if outcome not in self.OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; expected one of {self.OUTCOMES}")
        if outcome == "unchecked":
            return
        if outcome == "transient":
            # Do not keep answering with an older verdict about a URL that now fails.
            self._store.delete(url)
            return
        self._store.put_json(url, value, meta={"outcome": outcome})


class SchemaStore:
    """Remote JSON Schemas by URL; the caller validates a schema before putting it."""

    def __init__(self, cache: Cache, *, ttl: float = DAY) -> None:
        self._store = cache.store("schemas")
        self.cache = cache
        self.ttl = ttl

    def get(self, url: str, *, allow_stale: bool = False) -> bytes | None:
        """The cached schema bytes if fresh (or at any age with allow_stale, e.g. when offline)."""
        entry = self._store.get(url)
        if entry is None or not isinstance(entry.value, bytes):
            return None
        if not allow_stale and self.cache.clock() - entry.created >= self.ttl:
            return None
        return entry.value

    def put(self, url: str, content: bytes) -> None:
        self._store.put_bytes(url, content)
