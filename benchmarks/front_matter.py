"""The YAML front-matter of a folder of posts loaded two ways: as postlint loads it (the subset
parser, postlint/_yamlsimple.c, then libyaml for the rest) and with libyaml alone. Prints how many
front-matters the subset parser reads, the time of each way (median of 5), and any front-matter
whose data, types, positions or error differ (there should be none).

    python benchmarks/front_matter.py [DIR]   (default DIR: the corpora)

Never run as a test.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout, not an installed copy

from floor import markdown_files  # noqa: E402

from postlint import yamlfm, yamlsimple  # noqa: E402
from postlint.document import Document, FrontMatter, _split_front_matter  # noqa: E402


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return [(_typed(k), _typed(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return type(value).__name__, repr(value)


def _load(raw: str, start: int, simple: bool) -> FrontMatter:
    fm = FrontMatter("yaml", raw, start, 0)
    real = yamlsimple.load
    if not simple:
        yamlsimple.load = lambda raw: None
    try:
        yamlfm.load(fm)
    finally:
        yamlsimple.load = real
    return fm


def _seen(fm: FrontMatter) -> Any:
    return _typed(fm.data), fm.error, fm.positions, fm.value_positions, fm.duplicates, fm.comments


def main(root: Path) -> None:
    found = []
    for path in markdown_files(root):
        doc = Document(path, str(path), path.read_bytes().decode("utf-8", "replace"))
        _split_front_matter(doc, 1 << 20)
        fm = doc.front_matter
        if fm is not None and fm.format == "yaml" and fm.raw:
            found.append((path, fm.raw, fm.start_line))
    read = sum(1 for _, raw, _ in found if yamlsimple.load(raw) is not None)
    times = {}
    for simple in (True, False):
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            for _, raw, start in found:
                _load(raw, start, simple)
            runs.append(time.perf_counter() - t)
        times[simple] = statistics.median(runs)
    differ = [path for path, raw, start in found if _seen(_load(raw, start, True)) != _seen(_load(raw, start, False))]
    print(f"{len(found)} YAML front-matters; the subset parser ({yamlsimple.load.__module__}) reads {read}")
    print(f"as postlint loads them: {times[True]:.3f} s; libyaml alone: {times[False]:.3f} s ({times[False] / times[True]:.1f}x)")
    print(f"loaded differently: {len(differ)}")
    for path in differ[:20]:
        print(f"  {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpora"))
