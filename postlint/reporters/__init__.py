"""Reporters: one module per output format, and the name -> reporter table the CLI offers."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from postlint.finding import Finding


@dataclass
class RunSummary:
    """What a reporter may say besides the findings."""

    files: int
    findings: list[Finding]
    stats: dict = field(default_factory=dict)
    color: bool = False
    statistics: bool = False
    quiet: bool = False
    errors: list[str] = field(default_factory=list)  # postlint's own failures (bad config, ...)
    registry: Any = None


# name -> "module:function"; a reporter writes the findings to a stream.
REPORTERS: dict[str, str] = {
    "text": "postlint.reporters.text:report",
    "json": "postlint.reporters.json:report",
    "sarif": "postlint.reporters.sarif:report",
    "github": "postlint.reporters.github:report",
}


def get(name: str) -> Callable[[RunSummary, IO[str]], None]:
    module, func = REPORTERS[name].split(":")
    return getattr(importlib.import_module(module), func)
