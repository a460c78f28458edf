"""Measures what the COUNT family costs next to the Markdown parse, over a folder of posts (default: the corpora)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, not an installed copy

import postlint.document as document
from postlint.document import load_document
from postlint.registry import Context
from postlint.rules.counts import RULES, CountOptions


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
    ctx = Context(options=CountOptions())
    rules = [r() for r in RULES]  # all of them, COUNT003 included although it is off by default
    parse = 0.0
    cost = {r.code: 0.0 for r in rules}
    findings = 0
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        doc = load_document(path, data=data)
        parse += time.perf_counter() - t0
        for rule in rules:
            t1 = time.perf_counter()
            findings += sum(1 for _ in rule.check(doc, ctx))
            cost[rule.code] += time.perf_counter() - t1
    total = sum(cost.values())
    print(f"{len(files)} files, {findings} COUNT findings")
    print(f"load_document: {parse:.2f} s, of which the Markdown parse: {markdown[0]:.2f} s")
    print(f"COUNT family: {total:.2f} s = {total / markdown[0]:.2f} x the Markdown parse")
    for code, seconds in cost.items():
        print(f"  {code}: {seconds:.3f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora"))
