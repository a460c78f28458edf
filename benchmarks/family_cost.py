"""Measures what one rule family costs next to the Markdown parse, rule by rule, over a folder of posts.

    python benchmarks/family_cost.py dates|counts|images|front-matter [DIR]   (default DIR: the corpora)

Every rule of the family runs, the ones off by default too, with default options. Never run as a test.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, not an installed copy

import postlint.document as document  # noqa: E402
from postlint.document import load_document  # noqa: E402
from postlint.registry import Context  # noqa: E402
from postlint.rules import ALL_RULES  # noqa: E402


def main(family: str, root: Path) -> None:
    classes = [r for r in ALL_RULES if r.family == family]
    if not classes:
        sys.exit(f"no rule family {family!r}; families: {', '.join(sorted({r.family for r in ALL_RULES}))}")
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
    ctx = Context(config_dir=root)
    rules = [(r, r()) for r in classes if not r.needs_network]
    options = {r: r.Options() for r, _ in rules}  # one object per rule, as the engine keeps them
    parse = 0.0
    cost = {r.code: 0.0 for r, _ in rules}
    findings = 0
    for path in files:
        data = path.read_bytes()
        t0 = time.perf_counter()
        doc = load_document(path, data=data)
        parse += time.perf_counter() - t0
        for cls, rule in rules:
            ctx.options = options[cls]
            ctx.memo = None
            t1 = time.perf_counter()
            findings += sum(1 for _ in rule.check(doc, ctx))
            cost[cls.code] += time.perf_counter() - t1
    total = sum(cost.values())
    print(f"{len(files)} files, {findings} findings of the {family} family")
    print(f"load_document: {parse:.2f} s, of which the Markdown parse: {markdown[0]:.2f} s")
    print(f"{family} family: {total:.2f} s = {total / markdown[0]:.2f} x the Markdown parse")
    for code, seconds in cost.items():
        print(f"  {code}: {seconds:.3f} s")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else Path(__file__).resolve().parents[2] / "shared" / "corpora"))
