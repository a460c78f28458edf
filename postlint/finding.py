"""Findings: what a rule reports, stamped by the engine."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "note": 0}[self.value]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place. Ordering is by path, line, column, code; the message is not compared."""

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)
    severity: Severity = field(default=Severity.ERROR, compare=False)
    name: str = field(default="", compare=False)
    end_line: int | None = field(default=None, compare=False)
    end_column: int | None = field(default=None, compare=False)
    # Text of the source line the finding points at; feeds the fingerprint so that it survives line shifts.
    context: str = field(default="", compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        key = "\0".join((self.path, self.code, self.context.strip(), self.message))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "fingerprint": self.fingerprint,
        }
