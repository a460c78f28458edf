"""JSON output for scripts: {"version": 1, "findings": [...]} (see docs/output.md)."""

from __future__ import annotations

import json
from typing import IO

from postlint.reporters import RunSummary

FORMAT_VERSION = 1
# Indented for people reading a few findings; a large report is for scripts, and json's fast C
# encoder only runs without indentation (as for SARIF).
INDENT_UP_TO = 1000


def report(summary: RunSummary, out: IO[str]) -> None:
    doc = {
        "version": FORMAT_VERSION,
        "files": summary.files,
        "findings": [f.to_dict() for f in summary.findings],
    }
    if summary.errors:
        doc["errors"] = summary.errors
    if summary.statistics:
        doc["statistics"] = dict(sorted(summary.stats.items()))
    indent = 2 if len(summary.findings) <= INDENT_UP_TO else None
    out.write(json.dumps(doc, indent=indent, ensure_ascii=False))
    out.write("\n")
