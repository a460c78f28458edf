"""Load: 50,000 generated posts, and the corpora repeated to that size, with peak memory summed over processes.

    python benchmarks/load.py [--posts 50000] [--corpus DIR]

Never run as a test. Prints one table (wall time, files per second, peak RSS over the process tree).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor import markdown_files  # noqa: E402
from run import make_copies, postlint_cmd, timed  # noqa: E402

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def generated_post(rng: random.Random, i: int) -> str:
    year = 1990 + i % 30
    lines = [
        "---",
        f"title: Generated post {i}",
        f"date: {year}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        f"tags: [load, n{i % 97}]",
        f"image: images/{i % 50}.png",
        "---",
        "",
        f"This post covers three features and a timeline of {rng.randint(3, 9)} milestones.",
        "",
    ]
    for k in range(rng.randint(3, 8)):
        lines += [f"![Milestone {k}](images/{k}.png)", f"▲ __{MONTHS[k % 12]} {year + k}. Milestone {k}.__ _Something happened._", ""]
    for k in range(1, 4):
        lines += [f"### Feature {k}", "", "Text " * rng.randint(20, 200), ""]
    lines += ["The following three steps:", "", "1. One", "2. Two", "3. Three", ""]
    return "\n".join(lines)


def make_generated(dest: Path, n: int) -> Path:
    rng = random.Random(13)
    site = dest / "generated"
    for i in range(n):
        folder = site / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
            images = folder / "images"
            images.mkdir(exist_ok=True)
            for k in range(50):
                (images / f"{k}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 24)
        (folder / f"{1990 + i % 30}-01-01-post-{i}.md").write_text(generated_post(rng, i), encoding="utf-8")
    return site


def make_repeated(corpus: Path, dest: Path, n: int) -> Path:
    """The corpora copied (hard links) as many times as it takes to reach ``n`` files."""
    copies = max(1, -(-n // len(markdown_files(corpus))))
    return make_copies(corpus, copies, dest)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=50_000)
    ap.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpora")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="postlint-load-"))
    rows = []
    try:
        for name, make in (
            ("generated posts", lambda: make_generated(tmp, args.posts)),
            ("corpora repeated", lambda: make_repeated(args.corpus.resolve(), tmp, args.posts)),
        ):
            site = make()
            n = len(markdown_files(site))
            for jobs in ("1", "2"):
                wall, peak = timed(postlint_cmd(site, "--no-cache", "--jobs", jobs))
                rows.append((f"{name}, --jobs {jobs}", n, wall, peak / 1024))
                print(f"  {rows[-1][0]:<32} {n:>7} files {wall:8.1f} s {n / wall:8.0f} files/s  peak RSS {peak / 1024:6.0f} MB", file=sys.stderr)
            shutil.rmtree(site, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("| run | files | wall | files/s | peak RSS (all processes) |")
    print("|---|---:|---:|---:|---:|")
    for name, n, wall, mb in rows:
        print(f"| {name} | {n:,} | {wall:.1f} s | {n / wall:,.0f} | {mb:.0f} MB |")


if __name__ == "__main__":
    main()
