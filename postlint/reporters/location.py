"""Repository-relative paths for outputs read by GitHub: SARIF, annotations and the job summary."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

from postlint.config import find_repo_root


def repo_root(cwd: str | None = None) -> Path:
    """The git top level of ``cwd`` (default: the working directory), else ``cwd`` itself."""
    # Keyed by the real folder, so a caller that changes directory never gets another folder's root.
    return _repo_root(cwd or os.getcwd())


@lru_cache(maxsize=16)
def _repo_root(cwd: str) -> Path:
    here = Path(cwd)
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if out.returncode == 0 and out.stdout.strip():
            return Path(out.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    # No git executable (or a broken repository): a .git folder or file still marks the root.
    return find_repo_root(here.resolve()) or here


# Called once per finding: resolving the same two folders again each time would dominate large runs.
_realpath = lru_cache(maxsize=32)(os.path.realpath)


def repo_relative(path: str, root: Path | None = None, cwd: str | None = None) -> str:
    """``path`` (relative to ``cwd``, as findings carry it) made relative to the repository root.

    Always POSIX and never absolute: a file outside the repository keeps its ``../`` steps.
    """
    here = cwd or os.getcwd()
    base = root or repo_root(here)
    return _relative(path, _realpath(here), _realpath(str(base)))


@lru_cache(maxsize=4096)
def _relative(path: str, here: str, base: str) -> str:
    # normpath, not resolve(): a symlinked post is reported where the user sees it, not at its target.
    absolute = os.path.normpath(os.path.join(here, path))
    try:
        rel = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows: the path as given is the best we have
        rel = path
    return Path(rel).as_posix()
