"""SARIF 2.1.0 output that GitHub code scanning and Microsoft's SARIF Multitool accept (see docs/sarif.md)."""

from __future__ import annotations

import json
import re
from typing import IO, Any
from urllib.parse import quote

from postlint import __version__
from postlint.docs import DOCS_URL, render_rule
from postlint.finding import Finding, Severity
from postlint.registry import Registry, Rule
from postlint.reporters import RunSummary
from postlint.reporters.location import repo_relative, repo_root

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/postlint/postlint"
FINGERPRINT_KEY = "postlintFingerprint/v1"
# GitHub rejects longer descriptions; the Multitool warns well before that for the short one.
MAX_DESCRIPTION = 1000
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


# Indented output is for people reading small files; json only uses its fast C encoder without indent.
INDENT_UP_TO = 1000


def report(summary: RunSummary, out: IO[str]) -> None:
    doc = build(summary)
    indent = 2 if len(summary.findings) <= INDENT_UP_TO else None
    out.write(json.dumps(doc, indent=indent, ensure_ascii=False))
    out.write("\n")


def build(summary: RunSummary, root: Any = None) -> dict[str, Any]:
    """The whole SARIF log as a dict (``root``: the repository root; default the git top level)."""
    registry = summary.registry or _default_registry()
    rules = list(registry.rules)
    # A finding from a rule the registry does not know (a plugin, a retired code) still needs an entry.
    known = {r.code for r in rules}
    extra = sorted({f.code: f for f in summary.findings if f.code not in known}.values(), key=lambda f: f.code)
    descriptors = [_rule(r) for r in rules] + [_unknown_rule(f) for f in extra]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    base = root or repo_root()
    results = [_result(f, index[f.code], base) for f in summary.findings]
    invocation: dict[str, Any] = {"executionSuccessful": not summary.errors}
    if summary.errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": _sentence(e)}, "descriptor": {"id": "postlint-error"}} for e in summary.errors
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "postlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _default_registry() -> Registry:
    from postlint.rules import REGISTRY

    return REGISTRY


def _rule(rule: type[Rule]) -> dict[str, Any]:
    summary = _sentence(rule.summary())
    full = _sentence(_plain(rule.section("What it does")) or summary)
    tags = [rule.family]
    if rule.needs_network:
        tags.append("network")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(full)},
        "help": {"text": _plain(rule.documentation()), "markdown": render_rule(rule)},
        "helpUri": DOCS_URL.format(code=rule.code),
        "defaultConfiguration": {"level": _LEVELS[rule.severity], "enabled": bool(rule.default_enabled)},
        "properties": {"tags": tags},
    }


def _unknown_rule(f: Finding) -> dict[str, Any]:
    text = f"Reported by postlint as {f.code}{f' ({f.name})' if f.name else ''}."
    d: dict[str, Any] = {
        "id": f.code,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "helpUri": INFORMATION_URI,
        "defaultConfiguration": {"level": _LEVELS[f.severity]},
        "properties": {"tags": ["postlint"]},
    }
    if f.name:
        d["name"] = f.name
    return d


def _result(f: Finding, rule_index: int, root: Any) -> dict[str, Any]:
    end_line = f.end_line if f.end_line and f.end_line >= f.line else f.line
    if f.end_column is not None and (end_line > f.line or f.end_column > f.column):
        end_column = f.end_column
    else:
        # No end (or an empty one): mark the one character at the start, as GitHub needs a region.
        end_line, end_column = f.line, f.column + 1
    uri = quote(repo_relative(f.path, root), safe="/")
    return {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[f.severity],
        "message": {"text": _sentence(f.message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "startLine": f.line,
                        "startColumn": f.column,
                        "endLine": end_line,
                        "endColumn": end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
    }


def _sentence(text: str) -> str:
    """SARIF best practice (SARIF2001): plain-text messages are sentences ending with a period."""
    text = " ".join(text.split()) or "No description"
    return text if text[-1] in ".!?" else text + "."


def _clip(text: str) -> str:
    if len(text) <= MAX_DESCRIPTION:
        return text
    cut = text[: MAX_DESCRIPTION - 3]
    # Prefer ending on a whole sentence; the "..." still ends with a period for SARIF2001.
    end = cut.rfind(". ")
    return cut[: end + 1] if end > MAX_DESCRIPTION // 2 else cut.rsplit(" ", 1)[0].rstrip(",;:") + "..."


def _plain(markdown: str) -> str:
    """Markdown documentation as readable plain text: headings lose their hashes, code its backticks."""
    text = re.sub(r"^#+\s*", "", markdown, flags=re.M)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    return text.strip()
