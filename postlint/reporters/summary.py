"""The GitHub job summary: counts per rule and every finding, appended to ``GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

import html
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import quote

from postlint.finding import Finding, Severity
from postlint.reporters import RunSummary
from postlint.reporters.location import repo_relative

# GitHub shows at most this many annotations of each kind per step (and 50 per job, all steps together).
ANNOTATION_LIMITS = {Severity.ERROR: 10, Severity.WARNING: 10, Severity.NOTE: 10}
JOB_ANNOTATION_LIMIT = 50
# GitHub refuses a step summary over 1 MiB (and then shows none of it): stay clearly below.
MAX_SUMMARY_BYTES = 1000 * 1024
_ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.NOTE: "ℹ️"}


def annotations_not_shown(findings: Iterable[Finding]) -> int:
    """How many annotations GitHub drops from one step for these findings."""
    counts = Counter(f.severity for f in findings)
    shown = {s: min(n, ANNOTATION_LIMITS[s]) for s, n in counts.items()}
    return sum(counts.values()) - min(sum(shown.values()), JOB_ANNOTATION_LIMIT)


def blob_url(env: Mapping[str, str] | None = None) -> str | None:
    """``https://github.com/OWNER/REPO/blob/SHA/`` for links to the linted commit, when running in Actions."""
    env = os.environ if env is None else env
    repo, sha = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_SHA")
    if not repo or not sha:
        return None
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    return f"{server}/{repo}/blob/{sha}/"


def render(
    summary: RunSummary,
    *,
    title: str = "postlint",
    link_base: str | None = None,
    not_shown: int | None = None,
    max_bytes: int = MAX_SUMMARY_BYTES,
    root: Path | None = None,
    notes: Iterable[str] = (),
) -> str:
    """The summary as Markdown. ``link_base`` prefixes file links (default: ``blob_url()``, else no links).

    ``not_shown`` overrides the count of annotations GitHub hid (the caller may know better, e.g. the
    action when it filtered findings); by default it is computed from the findings. ``notes`` are
    Markdown paragraphs shown under the title (what the run covered: changed files, a shard).
    """
    findings = sorted(summary.findings, key=lambda f: (-f.severity.rank, f))
    base = blob_url() if link_base is None else link_base
    hidden = annotations_not_shown(findings) if not_shown is None else not_shown
    by_sev = Counter(f.severity for f in findings)
    lines = [f"## {_md(title)}", ""]
    for note in notes:
        lines += [note, ""]
    for err in summary.errors:
        lines.append(f"**postlint could not run:** {_md(err)}")
        lines.append("")
    if not findings:
        files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
        lines.append(f"No problems found in {files}." if not summary.errors else "No findings.")
        return "\n".join(lines) + "\n"
    parts = [f"{by_sev[s]} {s.value}{'s' if by_sev[s] != 1 else ''}" for s in Severity if by_sev[s]]
    touched = len({f.path for f in findings})
    lines.append(f"{len(findings)} problem{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) in {touched} of {summary.files} file{'s' if summary.files != 1 else ''}.")
    if hidden:
        lines.append("")
        lines.append(
            f"> [!NOTE]\n> GitHub shows only {ANNOTATION_LIMITS[Severity.ERROR]} error and {ANNOTATION_LIMITS[Severity.WARNING]} "
            f"warning annotations per step: {hidden} annotation{'s were' if hidden != 1 else ' was'} not shown. Every finding is listed below."
        )
    lines += ["", "| Rule | Name | Severity | Count |", "|---|---|---|---:|"]
    per_rule = Counter(f.code for f in findings)
    first = {}
    for f in findings:
        first.setdefault(f.code, f)
    for code, n in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        f = first[code]
        lines.append(f"| {_md(code)} | {_md(f.name)} | {f.severity.value} | {n} |")
    lines += ["", "| | Location | Rule | Message |", "|---|---|---|---|"]
    text = "\n".join(lines) + "\n"
    size = len(text.encode("utf-8"))
    rows: list[str] = []
    for i, f in enumerate(findings):
        row = f"| {_ICONS[f.severity]} | {_location(f, base, root)} | {_md(f.code)} | {_md(f.message)} |\n"
        left = len(findings) - i
        tail = f"\n{left} more finding{'s' if left != 1 else ''} not listed: the job summary is limited to 1 MiB. Use the SARIF or JSON output for all of them.\n"
        if size + len(row.encode("utf-8")) + len(tail.encode("utf-8")) > max_bytes:
            rows.append(tail)
            break
        rows.append(row)
        size += len(row.encode("utf-8"))
    return text + "".join(rows)


def append_step_summary(summary: RunSummary, path: str | os.PathLike[str] | None = None, **kwargs: object) -> bool:
    """Append ``render(summary, **kwargs)`` to ``path`` (default ``$GITHUB_STEP_SUMMARY``); False if there is none."""
    target = path or os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    p = Path(target)
    # Earlier writes by this step count towards the same 1 MiB limit.
    used = p.stat().st_size if p.exists() else 0
    kwargs.setdefault("max_bytes", max(MAX_SUMMARY_BYTES - used, 4096))
    text = render(summary, **kwargs)  # type: ignore[arg-type]
    with open(p, "a", encoding="utf-8", newline="\n") as out:
        out.write(("\n" if used else "") + text)
    return True


def _location(f: Finding, base: str | None, root: Path | None) -> str:
    path = repo_relative(f.path, root)
    label = _md(f"{path}:{f.line}")
    if not base or path.startswith("../"):
        return label
    return f"[{label}]({base}{quote(path, safe='/')}#L{f.line})"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell: no HTML, no pipes, no line breaks, no emphasis or links."""
    text = html.escape(" ".join(text.split()), quote=False)
    for ch in "\\`*_[]|#~":
        text = text.replace(ch, "\\" + ch)
    return text
