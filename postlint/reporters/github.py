"""GitHub Actions annotations (`::error file=...::message`), errors first, and the job summary."""

from __future__ import annotations

import sys
from typing import IO

from postlint.finding import Finding, Severity
from postlint.reporters import RunSummary
from postlint.reporters.location import repo_relative
from postlint.reporters.summary import annotations_not_shown, append_step_summary
from postlint.reporters.text import summary_line

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def report(summary: RunSummary, out: IO[str]) -> None:
    # GitHub keeps only the first few annotations of each kind: the errors must come first.
    findings = sorted(summary.findings, key=lambda f: (-f.severity.rank, f))
    for f in findings:
        out.write(annotation(f) + "\n")
    for err in summary.errors:
        out.write(f"::error title=postlint::{escape_data(err)}\n")
    hidden = annotations_not_shown(findings)
    wrote = append_step_summary(summary)
    if summary.quiet:
        return
    sys.stderr.write(summary_line(summary) + "\n")
    if hidden:
        where = "the job summary and the log above" if wrote else "the log above"
        sys.stderr.write(f"postlint: GitHub shows only some annotations; {hidden} more are in {where}.\n")


def annotation(f: Finding, root: object = None) -> str:
    """One workflow command for a finding, with the path relative to the repository root."""
    props = {
        "file": repo_relative(f.path, root),  # type: ignore[arg-type]
        "line": str(f.line),
        "endLine": str(f.end_line or f.line),
        "col": str(f.column),
    }
    if f.end_column is not None:
        props["endColumn"] = str(f.end_column)
    props["title"] = f"{f.code} {f.name}".strip()
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return f"::{_COMMANDS[f.severity]} {joined}::{escape_data(f.message)}"


def escape_data(text: str) -> str:
    """Escape a workflow command's message, as @actions/core does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value: also ``:`` and ``,``, which end it otherwise."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
