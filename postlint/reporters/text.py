"""Text output for people: `path:line:col: CODE message`, and a summary on stderr."""

from __future__ import annotations

import sys
from collections import Counter
from typing import IO

from postlint.finding import Severity
from postlint.reporters import RunSummary

_COLORS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def report(summary: RunSummary, out: IO[str]) -> None:
    c = summary.color
    for f in summary.findings:
        where = f"{f.path}:{f.line}:{f.column}:"
        code = f.code
        if c:
            where = f"{_BOLD}{where}{_RESET}"
            code = f"{_COLORS[f.severity]}{code}{_RESET}"
        out.write(f"{where} {code} {f.message}\n")
    if summary.statistics:
        counts = Counter(f.code for f in summary.findings)
        names = {f.code: f.name for f in summary.findings}
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.write(f"{n:>6}  {code:<9} {names[code]}\n")
        for key, n in sorted(summary.stats.items()):
            out.write(f"{n:>6}  {'':<9} {key}\n")
    if not summary.quiet:
        sys.stderr.write(summary_line(summary) + "\n")


def summary_line(summary: RunSummary) -> str:
    n = len(summary.findings)
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    if n == 0:
        return f"No problems found in {files}."
    by = Counter(f.severity for f in summary.findings)
    parts = [f"{by[s]} {s.value}{'s' if by[s] != 1 else ''}" for s in Severity if by[s]]
    touched = len({f.path for f in summary.findings})
    return f"{n} problem{'s' if n != 1 else ''} ({', '.join(parts)}) in {touched} of {files}."
