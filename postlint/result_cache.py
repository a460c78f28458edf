"""The result cache: findings of offline rules per file, reused while nothing they depend on changed.

One entry per configuration (its key: postlint version + resolved settings + selected rules + run
options), holding per file: its content digest and stat signature, the findings of offline rules,
the files its findings depend on (images, schemas) with their stat signatures, the memos of rules
that decide at report time (FM005 depends on today), and its suppression directives.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from postlint import __version__

NAMESPACE = "results"
ENTRY_VERSION = 2  # 2: empty fields left out


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def stat_signature(path: str | Path) -> list | None:
    """What we know of a path without reading it: None when missing, else [kind, size, mtime_ns]."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    kind = "d" if stat.S_ISDIR(st.st_mode) else "f"
    return [kind, st.st_size, st.st_mtime_ns]


def settings_key(settings: Any, codes: list[str], run: Any) -> str:
    """Everything besides the file that decides its findings."""
    fields = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings) if f.name != "sources"}
    payload = {
        "version": __version__,
        "build": _build_id(),
        "entry": ENTRY_VERSION,
        "offline": bool(getattr(run, "offline", False)),
        "settings": fields,
        "rules": sorted(codes),
        "report_unused_disables": bool(getattr(run, "report_unused_disables", False)),
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


_BUILD: str | None = None


def _build_id() -> str:
    """postlint's own files (code, its C modules and shipped schemas) as installed: an edited checkout is a new build."""
    global _BUILD
    if _BUILD is None:
        from postlint.config import schemas_dir

        package = Path(__file__).resolve().parent
        # The C modules too (their sources and the modules built from them): a rebuilt module is a new build.
        c_modules = [p for p in package.iterdir() if p.name.startswith("_") and p.suffix in (".c", ".h", ".so", ".pyd")]
        files = sorted([*package.rglob("*.py"), *c_modules, *schemas_dir().glob("*.json")])
        _BUILD = hashlib.sha256(repr([(str(f), stat_signature(f)) for f in files]).encode()).hexdigest()
    return _BUILD


def dependencies_unchanged(deps: dict[str, Any]) -> bool:
    return all(stat_signature(path) == sig for path, sig in deps.items())


class ResultCache:
    """The entries of one configuration: loaded once, saved once at the end of the run."""

    def __init__(self, store: Any, key: str):
        self.store = store
        self.key = key
        loaded = store.get_json(key) if store is not None else None
        self.entries: dict[str, dict] = loaded if isinstance(loaded, dict) else {}
        self.dirty = False

    def lookup(self, path: str | Path, rel: str) -> dict | None:
        """The entry for a file when its content and every dependency are unchanged."""
        entry = self.entries.get(rel)
        if not isinstance(entry, dict):
            return None
        sig = stat_signature(path)
        if sig is None:
            return None
        if sig != entry.get("stat"):
            # Touched but maybe not changed (a checkout, a formatter): compare contents.
            try:
                data = Path(path).read_bytes()
            except OSError:
                return None
            if digest(data) != entry.get("digest"):
                return None
            entry["stat"] = sig
            self.dirty = True
        deps = entry.get("deps")
        try:
            if deps and not dependencies_unchanged(deps):
                return None
        except (TypeError, AttributeError):
            return None
        return entry

    def record(self, rel: str, entry: dict) -> None:
        self.entries[rel] = entry
        self.dirty = True

    def save(self) -> None:
        if self.dirty and self.store is not None:
            self.store.put_json(self.key, self.entries)
            self.dirty = False
