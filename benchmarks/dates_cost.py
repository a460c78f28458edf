"""Measures what the DATE family costs next to the Markdown parse, over a folder of posts (default: the corpora)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import postlint.document as document
from postlint.document import load_document
from postlint.registry import Context
from postlint.rules.dates import RULES, DateOptions


def main(root: Path) -> None:
    markdown = [0.0]
    real_parse = document._parse_markdown

    def timed_parse(doc: document.Document) -> None:
        # The Markdown body parse alone (pyromark events -> blocks), without reading and front-matter.
        t = time.perf_counter()
        try:
            real_parse(doc)
        finally:
            markdown[0] += time.perf_counter() - t

    document._parse_markdown = timed_parse
    files = sorted(p for p in root.rglob("*") if p.suffix in (".md", ".markdown") and p.is_file())
    ctx = Context(options=DateOptions())
    rules = [r() for r in RULES]  # all six, DATE006 included although it is off by default
    parse = dates = 0.0
    findings = 0
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        doc = load_document(path, data=data)
        t1 = time.perf_counter()
        for rule in rules:
            findings += sum(1 for _ in rule.check(doc, ctx))
        t2 = time.perf_counter()
        parse += t1 - t0
        dates += t2 - t1
    print(f"{len(files)} files, {findings} DATE findings")
    print(f"load_document: {parse:.2f} s, of which the Markdown parse: {markdown[0]:.2f} s")
    print(f"DATE family: {dates:.2f} s = {dates / markdown[0]:.2f} x the Markdown parse")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora"))
