"""The speed benchmark: postlint against the floor (and other linters when installed), in one run.

    python benchmarks/run.py [--corpus DIR] [--runs N] [--skip-scaling]

Every figure is a median of several runs measured in this same run, and every ratio is against the
floor measured here too (before each cold run of postlint as well), because these machines are
noisy. Never run as a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from floor import floor, markdown_files  # noqa: E402

POSTLINT = [sys.executable, "-m", "postlint"]


def _tree_rss_kb(pid: int) -> int:
    """RSS summed over a process and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], cwd: Path = REPO, env: dict | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (summed over the process tree, sampled every 20 ms) of one command."""
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc.wait()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    return wall, peak


def median_of(runs: int, fn) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    results = [fn() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def postlint_cmd(corpus: Path, *extra: str) -> list[str]:
    return [*POSTLINT, "--offline", "--no-config", "--quiet", "--exit-zero", *extra, str(corpus)]


def import_time() -> list[str]:
    """The heaviest imports of a single-file run (python -X importtime), cumulative microseconds."""
    post = REPO / "examples" / "clean"
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "postlint", "--offline", "--no-config", "-q", str(post)], cwd=REPO, capture_output=True, text=True)
    rows = []
    for line in res.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            parts = [p.strip() for p in line[len("import time:") :].split("|")]
            if parts[1].isdigit() and not parts[2].startswith(" "):
                rows.append((int(parts[1]), parts[2].strip()))
    rows.sort(reverse=True)
    return [f"{us / 1000:7.1f} ms  {name}" for us, name in rows[:8]]


def make_copies(corpus: Path, n: int, dest: Path) -> Path:
    """n copies of the corpus' Markdown files under dest (hard links where possible)."""
    out = dest / f"x{n}"
    files = markdown_files(corpus)
    for i in range(n):
        for f in files:
            target = out / f"copy{i}" / f.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(f, target)
            except OSError:
                shutil.copyfile(f, target)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpora")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-scaling", action="store_true")
    ap.add_argument("--skip-others", action="store_true", help="skip markdownlint-cli2 and rumdl")
    args = ap.parse_args()
    corpus = args.corpus.resolve()
    files = markdown_files(corpus)
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    rows: list[tuple[str, float, str]] = []

    def row(name: str, seconds: float, note: str = "") -> None:
        rows.append((name, seconds, note))
        print(f"  {name:<48} {seconds:8.2f} s  {note}", file=sys.stderr)

    print(f"corpus: {corpus} ({len(files)} files, {size_mb:.1f} MB), {args.runs} runs each", file=sys.stderr)
    # postlint runs with its bytecode cached, as after `pip install` (which compiles it), even where
    # PYTHONDONTWRITEBYTECODE is set: otherwise every run would first compile its ~30 modules.
    pycache = Path(tempfile.mkdtemp(prefix="postlint-bench-pycache-"))
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(pycache)
    one = REPO / "examples" / "clean" / "2024-03-12-harbour-history.md"
    timed([*POSTLINT, "--offline", "--no-config", "-q", str(one)])  # writes the bytecode
    # The floor is measured before every cold run of postlint too, and the ratios use the median of
    # all its runs: the machine's speed drifts over minutes, and then it reaches both sides alike.
    floors = [floor(files) for _ in range(args.runs)]

    def cold(*extra: str) -> tuple[float, int]:
        def one() -> tuple[float, int]:
            floors.append(floor(files))
            return timed(postlint_cmd(corpus, *extra))

        return median_of(args.runs, one)

    j1, rss1 = cold("--jobs", "1", "--no-cache")
    # The same run with no content rule (PL only: files that cannot be read or parsed): what reading,
    # parsing into the Document model and the engine cost, so the rules' share is measured, not guessed.
    frame, _ = cold("--jobs", "1", "--no-cache", "--select", "PL")
    jd, rssd = cold("--no-cache")
    floor_s = statistics.median(floors)
    row(f"floor (read + libyaml + pyromark), 1 process ({len(floors)} runs)", floor_s, "1.00x")
    row("postlint cold, --jobs 1", j1, f"{j1 / floor_s:.2f}x floor (target <= 2.5x)")
    row(
        "postlint cold, --jobs 1, no content rule (--select PL)",
        frame,
        f"{frame / floor_s:.2f}x floor; the rules take the other {j1 - frame:.2f} s ({(j1 - frame) / floor_s:.2f}x floor)",
    )
    row(f"postlint cold, default jobs ({os.cpu_count()} CPUs)", jd, f"{jd / floor_s:.2f}x floor (target <= 1.6x); {j1 / jd:.2f}x faster than --jobs 1 (target >= 1.6x)")
    # The warm run: fill the result cache once, then time reruns over the unchanged corpus.
    cache = Path(tempfile.mkdtemp(prefix="postlint-bench-cache-"))
    env = {**os.environ, "POSTLINT_CACHE_DIR": str(cache)}
    timed(postlint_cmd(corpus), env=env)  # fill the result cache
    warm, _ = median_of(args.runs, lambda: timed(postlint_cmd(corpus), env=env))
    row("postlint warm result cache, default jobs", warm, f"{warm / jd:.2f}x the cold run (target <= 0.15x)")
    shutil.rmtree(cache, ignore_errors=True)
    start, _ = median_of(max(args.runs, 5), lambda: timed([*POSTLINT, "--offline", "--no-config", "-q", str(one)]))
    row("postlint --offline one-post.md (start-up)", start, "target <= 0.25 s")
    rows_mem = [("peak RSS summed over processes, --jobs 2", rssd / 1024)]
    print(f"  {'peak RSS summed over processes, --jobs 1':<48} {rss1 / 1024:8.1f} MB", file=sys.stderr)
    print(f"  {rows_mem[0][0]:<48} {rows_mem[0][1]:8.1f} MB  target <= 300 MB", file=sys.stderr)

    if not args.skip_others:
        if shutil.which("markdownlint-cli2"):
            ml, _ = median_of(1, lambda: timed(["markdownlint-cli2", f"{corpus}/**/*.{{md,markdown}}"]))
            row("markdownlint-cli2 (default rules)", ml, f"postlint default jobs is {ml / jd:.1f}x faster (target >= 10x)")
        if shutil.which("rumdl"):
            rd, _ = median_of(args.runs, lambda: timed(["rumdl", "check", "--no-cache", str(corpus)]))
            row("rumdl check --no-cache", rd, f"postlint default jobs is {jd / rd:.2f}x rumdl (target <= 1.3x)")

    scaling: list[tuple[int, float]] = []
    if not args.skip_scaling:
        tmp = Path(tempfile.mkdtemp(prefix="postlint-bench-"))
        try:
            for n in (1, 4, 16):
                d = make_copies(corpus, n, tmp)
                wall, peak = median_of(1 if n > 1 else args.runs, lambda d=d: timed(postlint_cmd(d, "--no-cache")))
                scaling.append((n, wall / (size_mb * n)))
                print(f"  scaling x{n:<3} {wall:8.2f} s  {wall / (size_mb * n) * 1000:6.1f} ms/MB  peak RSS {peak / 1024:.0f} MB", file=sys.stderr)
                shutil.rmtree(d, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    print("\n| what | median | ratio / target |")
    print("|---|---|---|")
    for name, seconds, note in rows:
        print(f"| {name} | {seconds:.2f} s | {note} |")
    print(f"| peak RSS summed over processes, default jobs | {rssd / 1024:.0f} MB | target <= 300 MB |")
    print(f"| peak RSS, --jobs 1 | {rss1 / 1024:.0f} MB | |")
    if scaling:
        base = scaling[0][1]
        spread = ", ".join(f"x{n}: {v * 1000:.1f} ms/MB ({v / base:.2f})" for n, v in scaling)
        print(f"| scaling (time per MB) | {spread} | within 15% |")
    print("\nheaviest imports of a single-file run (-X importtime, cumulative):")
    for line in import_time():
        print("    " + line)
    shutil.rmtree(pycache, ignore_errors=True)


if __name__ == "__main__":
    main()
