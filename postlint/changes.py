"""What a change touched, from git: changed posts, posts broken by a deleted image, changed lines, and shards."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from postlint.extract.images import IMAGE_EXTENSIONS
from postlint.files import Target
from postlint.finding import Finding


class ChangeError(Exception):
    """git cannot tell what changed (no repository, unknown REF, no merge base): a usage error, exit 2."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``: a file belongs to exactly one shard, by a hash of its path."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not m:
            raise ValueError(f"'{text}' is not K/N (for example 1/4)")
        k, n = int(m.group(1)), int(m.group(2))
        if n < 1 or not 1 <= k <= n:
            raise ValueError(f"'{text}': K must be between 1 and N")
        return cls(k, n)

    def holds(self, key: str) -> bool:
        # sha256, not hash(): Python salts str hashes per process, and every job of a matrix must agree.
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass
class ChangeSet:
    """Paths (absolute, resolved) added or modified since the merge base, and the image files the change removed."""

    top: Path
    base: str  # the merge-base commit
    changed: set[Path] = field(default_factory=set)
    removed: set[Path] = field(default_factory=set)  # deleted, or renamed away


def git(args: list[str], cwd: Path) -> str:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            # Paths as git stores them, whatever the user's core.quotePath; no pager, no prompts.
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"},
            check=False,
        )
    except FileNotFoundError:
        raise ChangeError("git is not installed (needed to find the changed files)") from None
    if proc.returncode != 0:
        raise ChangeError(proc.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return proc.stdout.decode("utf-8", "surrogateescape")


def repo_top(cwd: Path) -> Path:
    try:
        return Path(git(["rev-parse", "--show-toplevel"], cwd).strip()).resolve()
    except ChangeError:
        raise ChangeError(f"{cwd} is not in a git repository: changed-files mode needs one") from None


def merge_base(ref: str, top: Path) -> str:
    try:
        git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top)
    except ChangeError:
        raise ChangeError(f"unknown git revision '{ref}' (fetch it first, e.g. `git fetch origin {ref.removeprefix('origin/')}`)") from None
    try:
        return git(["merge-base", "HEAD", ref], top).strip()
    except ChangeError:
        shallow = git(["rev-parse", "--is-shallow-repository"], top).strip() == "true"
        hint = " This clone is shallow: fetch more history (actions/checkout `fetch-depth: 0`, or `git fetch --deepen=100`)." if shallow else ""
        raise ChangeError(f"HEAD and '{ref}' have no common ancestor.{hint}") from None


def changes_since(ref: str, cwd: Path) -> ChangeSet:
    """Files added or modified between the merge base with ``ref`` and the working tree (untracked included)."""
    top = repo_top(cwd)
    base = merge_base(ref, top)
    out = ChangeSet(top, base)
    # -z: names verbatim; -M: a renamed post is linted under its new name, its old name is gone.
    raw = git(["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", base, "--"], top).split("\0")
    i = 0
    while i < len(raw) - 1:
        status = raw[i]
        if status[:1] in ("R", "C"):
            old, new = raw[i + 1], raw[i + 2]
            i += 3
            if status[0] == "R":
                out.removed.add(top / old)
            out.changed.add(top / new)
            continue
        path = raw[i + 1]
        i += 2
        if status[:1] == "D":
            out.removed.add(top / path)
        elif status[:1] in ("A", "M", "T"):
            out.changed.add(top / path)
    for path in git(["ls-files", "-z", "--others", "--exclude-standard"], top).split("\0"):
        if path:
            out.changed.add(top / path)
    out.removed = {p for p in out.removed if p.suffix.lower() in IMAGE_EXTENSIONS and not p.exists()}
    return out


def changed_lines(ref: str, cwd: Path) -> dict[Path, set[int] | None]:
    """Per file (absolute): the lines added or modified since the merge base with ``ref``.

    A file missing from the map did not change; an untracked file maps to None (every line).
    """
    top = repo_top(cwd)
    base = merge_base(ref, top)
    lines: dict[Path, set[int] | None] = {}
    # -U0: hunks are exactly the changed lines; renames are followed so a moved post keeps its old lines old.
    diff = git(["diff", "-U0", "-M", "--no-ext-diff", "--no-textconv", "--no-color", "--src-prefix=a/", "--dst-prefix=b/", base, "--"], top)
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            if name == "/dev/null":
                current = None
                continue
            name = _unquote(name)[2:]  # drop "b/"
            current = lines[top / name] = set()
        elif line.startswith("@@ ") and current is not None:
            m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or "1")
                current.update(range(start, start + count))
    for path in git(["ls-files", "-z", "--others", "--exclude-standard"], top).split("\0"):
        if path:
            lines[top / path] = None
    return lines


def _unquote(name: str) -> str:
    """A path as git prints it in a diff header: C-quoted when it holds unusual characters."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return body.encode("latin-1").decode("utf-8", "surrogateescape")


def _key(target: Target) -> Path:
    return target.path.resolve()


def select_changed(targets: list[Target], changes: ChangeSet) -> tuple[list[Target], dict[Path, set[int]]]:
    """The targets the change touched: changed posts, and unchanged posts that show an image it removed.

    Also returns, per post broken by a removed image, the lines of those image references (findings
    there are the change's doing even though the lines did not change).
    """
    keep: list[Target] = []
    broken: dict[Path, set[int]] = {}
    needles = _needles(changes.removed)
    for t in targets:
        key = _key(t)
        if key in changes.changed:
            keep.append(t)
            continue
        if not needles:
            continue
        lines = _removed_image_lines(t, changes.removed, needles)
        if lines:
            keep.append(t)
            broken[key] = lines
    return keep, broken


def _needles(removed: Iterable[Path]) -> set[str]:
    """The file names to look for, as written or percent-encoded, lower-cased (references may differ by case)."""
    out: set[str] = set()
    for p in removed:
        out.add(p.name.lower())
        out.add(quote(p.name).lower())
    return out


def _removed_image_lines(target: Target, removed: set[Path], needles: set[str]) -> set[int]:
    # A cheap text search first: only posts that mention a removed file's name are parsed.
    try:
        text = target.path.read_bytes().decode("utf-8", "replace").lower()
    except OSError:
        return set()
    if not any(n in text for n in needles):
        return set()
    from postlint.document import load_document
    from postlint.extract.images import collect_images, resolve
    from postlint.registry import Context, options_from_table
    from postlint.rules.images import ImageOptions, site_layout

    doc = load_document(target.path, target.display)
    settings = target.settings
    opts = options_from_table(ImageOptions, settings.table("images"))
    layout = site_layout(Context(options=opts, config_dir=settings.root))
    lines: set[int] = set()
    for image in collect_images(doc, opts.front_matter_keys, opts.code_shortcodes):  # type: ignore[arg-type]
        if image.kind != "local" or not image.src.strip():
            continue
        res = resolve(image, doc, layout)  # type: ignore[arg-type]
        if res.path is not None:
            continue  # still served from somewhere else
        if any(p.resolve() in removed for p in res.tried):
            lines.add(image.line)
    return lines


def select_shard(targets: list[Target], shard: Shard) -> list[Target]:
    """This shard's targets; keyed by the path relative to the current folder, as every job of a matrix runs from the same one."""
    return [t for t in targets if shard.holds(t.display)]


@dataclass
class LineFilter:
    """Keeps the findings on changed lines; counts the others."""

    lines: dict[Path, set[int] | None]
    hidden: int = 0

    def keep(self, finding: Finding) -> bool:
        path = Path(finding.path).resolve()
        if path in self.lines:
            changed = self.lines[path]
            end = max(finding.end_line or finding.line, finding.line)
            if changed is None or any(n in changed for n in range(finding.line, end + 1)):
                return True
        self.hidden += 1
        return False

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if self.keep(f)]


@dataclass
class Scope:
    """Which of the collected files a run lints, and which findings it reports (--changed-since, --only-changed-lines, --shard)."""

    changed_since: str | None = None
    only_changed_lines: str | None = None
    shard: Shard | None = None
    cwd: Path = field(default_factory=Path.cwd)
    line_filter: LineFilter | None = None

    def __bool__(self) -> bool:
        return bool(self.changed_since or self.only_changed_lines or self.shard)

    def select(self, targets: list[Target]) -> list[Target]:
        """Raises ChangeError when git cannot answer."""
        if self.changed_since:
            changes = changes_since(self.changed_since, self.cwd)
            targets, broken = select_changed(targets, changes)
        if self.only_changed_lines:
            lines = changed_lines(self.only_changed_lines, self.cwd)
            if self.changed_since != self.only_changed_lines:
                broken = select_changed(targets, changes_since(self.only_changed_lines, self.cwd))[1]
            # A reference to an image the change removed is the change's doing though its line is old.
            for path, extra in broken.items():
                old = lines.get(path, set())
                if old is not None:
                    lines[path] = old | extra
            self.line_filter = LineFilter(lines)
        if self.shard:
            targets = select_shard(targets, self.shard)
        return targets

    def filter(self, findings: list[Finding]) -> list[Finding]:
        return findings if self.line_filter is None else self.line_filter.filter(findings)

    @property
    def hidden(self) -> int:
        """Findings not reported because they are on lines the change did not touch."""
        return self.line_filter.hidden if self.line_filter else 0
