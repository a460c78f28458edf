"""Inline suppressions: <!-- postlint-disable ... --> comments and YAML `# postlint:` comments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from postlint.registry import Registry, Report

if TYPE_CHECKING:  # the parse: a warm run never imports it
    from postlint.document import Document

_HTML_RE = re.compile(r"<!--\s*postlint-(disable-next-line|disable-file|disable|enable)\b\s*(.*?)\s*-->", re.S)
_YAML_RE = re.compile(r"#\s*postlint:\s*(disable-next-line|disable-file|disable|enable)\b\s*(.*)$")


@dataclass
class Directive:
    kind: str  # disable-next-line | disable-file | disable | enable
    codes: frozenset[str] | None  # None: every rule
    line: int
    column: int
    raw: list[str] = field(default_factory=list)
    used: bool = False


@dataclass
class Suppressions:
    directives: list[Directive]
    invalid: list[Report]

    def suppresses(self, code: str, line: int) -> bool:
        """True (and marks the directive used) when a directive silences ``code`` at ``line``."""
        hit = False
        for d in self.directives:
            if d.kind == "disable-file" and (d.codes is None or code in d.codes):
                d.used = hit = True
            elif d.kind == "disable-next-line" and d.line + 1 == line and (d.codes is None or code in d.codes):
                d.used = hit = True
        # Range directives: the last disable/enable before the line decides.
        state: Directive | None = None
        for d in self.directives:
            if d.line >= line and d.line != line:
                break
            if d.kind == "disable" and (d.codes is None or code in d.codes):
                state = d
            elif d.kind == "enable" and (d.codes is None or code in d.codes):
                state = None
        if state is not None:
            state.used = hit = True
        return hit


def parse(doc: Document, registry: Registry) -> Suppressions:
    directives: list[Directive] = []
    invalid: list[Report] = []

    def add(kind: str, args: str, line: int, column: int) -> None:
        raw = [a for a in re.split(r"[\s,]+", args.strip()) if a]
        codes: set[str] = set()
        for a in raw:
            rules = registry.match(a)
            if not rules:
                invalid.append(Report(line, column, f"suppression names unknown rule '{a}'; expected a rule code (e.g. DATE001) or name"))
            codes.update(r.code for r in rules)
        directives.append(Directive(kind, frozenset(codes) if raw else None, line, column, raw))

    for h in doc.html:
        if "postlint" not in h.text:
            continue
        for m in _HTML_RE.finditer(h.text):
            line, col = doc.position(h.offset + m.start())
            add(m.group(1), m.group(2), line, col)
    fm = doc.front_matter
    if fm is not None and fm.format == "yaml":
        for line, text in fm.comments:
            m = _YAML_RE.search(text)
            if m:
                add(m.group(1), m.group(2), line, 1)
    directives.sort(key=lambda d: d.line)
    return Suppressions(directives, invalid)
