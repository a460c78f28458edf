"""The floor: read every Markdown file, load its front-matter with libyaml, parse the body with pyromark.

Nothing is checked: this is what any linter of these files must at least pay (single process).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyromark
import yaml

EXTENSIONS = (".md", ".markdown")


def markdown_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in EXTENSIONS and p.is_file())


def floor(files: list[Path]) -> float:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    t0 = time.perf_counter()
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        body = text
        if text.startswith("---\n"):
            end = text.find("\n---", 4)
            if end != -1:
                try:
                    yaml.load(text[4:end], Loader=loader)
                except yaml.YAMLError:
                    pass
                body = text[end + 4 :]
        for _ in pyromark.events_with_range(body):
            pass
    return time.perf_counter() - t0


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora")
    files = markdown_files(root)
    print(f"{len(files)} files, floor {floor(files):.2f} s")
