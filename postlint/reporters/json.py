"""JSON output for scripts: {"version": 1, "findings": [...]} (see docs/output.md)."""

from __future__ import annotations

import json
from typing import IO

from postlint.reporters import RunSummary

FORMAT_VERSION = 1


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
    json.dump(doc, out, indent=2, ensure_ascii=False)
    out.write("\n")
