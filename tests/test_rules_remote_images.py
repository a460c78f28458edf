"""IMG002/003/005/009/010 against an HTTP server on 127.0.0.1 started here: every answer class,
HEAD/GET, redirects, retries, bot protection, one request per URL per run, the cache, offline."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import socket
import struct
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from postlint.progress import ProgressBar, for_stderr
from postlint.rules import remote_images
from tests.conftest import write

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
HTML = b"<!doctype html><html><head><title>Image removed</title></head><body>gone</body></html>"
CHALLENGE = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>checking</body></html>"

# Every network test is bounded: a hang fails the test instead of the run.
pytestmark = pytest.mark.timeout(60)

Reply = tuple[int, dict[str, str], bytes]


def png(_: str, __: int) -> Reply:
    return 200, {"Content-Type": "image/png"}, PNG


def status(code: int, body: bytes = b"", **headers: str) -> Callable[[str, int], Reply]:
    return lambda method, n: (code, {"Content-Type": "text/html", **{k.replace("_", "-"): v for k, v in headers.items()}}, body)


def head_then(head_status: int) -> Callable[[str, int], Reply]:
    """HEAD answers head_status; GET answers the image."""
    return lambda method, n: (head_status, {}, b"") if method == "HEAD" else png(method, n)


def times(first: Reply, then: Reply, count: int = 1) -> Callable[[str, int], Reply]:
    """``first`` for the first ``count`` requests, then ``then``."""
    return lambda method, n: first if n <= count else then


ROUTES: dict[str, Callable[[str, int], Reply] | str] = {
    "/ok.png": png,
    "/gone.png": status(404),
    "/removed.png": status(410),
    "/forbidden.png": status(403, b"Forbidden"),
    "/head405.png": head_then(405),
    "/head403.png": head_then(403),
    "/head501.png": head_then(501),
    "/notype.png": lambda m, n: (200, {}, PNG),
    "/notype-text.png": lambda m, n: (200, {}, b"just some text"),
    "/octet.png": lambda m, n: (200, {"Content-Type": "application/octet-stream"}, PNG),
    "/octet-bad.png": lambda m, n: (200, {"Content-Type": "application/octet-stream"}, b"\x00\x01\x02\x03 not an image"),
    "/page.png": lambda m, n: (200, {"Content-Type": "text/html; charset=utf-8"}, HTML),
    "/json.png": lambda m, n: (200, {"Content-Type": "application/json"}, b'{"error": "no"}'),
    "/moved.png": lambda m, n: (301, {"Location": "/ok.png"}, b""),
    "/moved-gone.png": lambda m, n: (301, {"Location": "/gone.png"}, b""),
    "/loop-a.png": lambda m, n: (302, {"Location": "/loop-b.png"}, b""),
    "/loop-b.png": lambda m, n: (302, {"Location": "/loop-a.png"}, b""),
    "/error.png": status(500),
    "/unavailable.png": status(503),
    "/flaky.png": times((503, {}, b""), (200, {"Content-Type": "image/png"}, PNG)),
    "/limited.png": times((429, {"Retry-After": "0"}, b""), (200, {"Content-Type": "image/png"}, PNG)),
    "/always429.png": status(429, Retry_After="0"),
    "/cf.png": status(403, CHALLENGE, cf_mitigated="challenge"),
    "/challenge.png": status(403, CHALLENGE),
    "/linkedin.png": status(999),
    "/protected-ok.png": lambda m, n: (200, {"Content-Type": "image/png", "x-iinfo": "10-1234"}, PNG),
    "/slow.png": "stall",
    "/reset.png": "reset",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.seen.append((self.command, path))
            n = sum(1 for _, p in self.server.seen if p == path)
        if path.startswith("/chain/"):  # an endless chain of distinct redirects
            route: Any = lambda m, n: (302, {"Location": f"/chain/{int(path.rsplit('/', 1)[1]) + 1}"}, b"")
        else:
            route = ROUTES.get(path, status(404))
        if route == "stall":
            self.server.release.wait(10)  # bounded: the server's stop() releases it at once
            return
        if route == "reset":
            # SO_LINGER 0: close() sends RST, the client sees a reset, not a clean end.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        code, headers, body = route(self.command, n)
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = _serve

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []
        self.release = threading.Event()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def requests(self, path: str | None = None) -> Counter:
        with self.lock:
            return Counter((m, p) for m, p in self.seen if path is None or p == path)

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run without --cache-dir writes .postlint_cache in the project: keep it out of the repository.
    monkeypatch.chdir(tmp_path)


NET = ("--allow-private-hosts", "--max-retries", "0", "--timeout", "3", "--output-format", "json", "--jobs", "1")


def post(path: Path, *urls: str, front: str = "") -> Path:
    body = "".join(f"![image {i}]({u})\n\n" for i, u in enumerate(urls))
    return write(path, f"---\ntitle: A post\n{front}---\n\n{body}")


# --------------------------------------------------------------------------- every answer class

CASES = [
    # route, extra flags, expected codes (the image is on line 5)
    ("/ok.png", (), []),
    ("/gone.png", (), ["IMG002"]),
    ("/removed.png", (), ["IMG002"]),
    ("/forbidden.png", (), ["IMG002"]),  # a plain 403, no bot signature: broken
    ("/head405.png", (), []),
    ("/head403.png", (), []),
    ("/head501.png", (), []),
    ("/notype.png", (), []),  # no content type: GET, and the bytes are a PNG
    ("/notype-text.png", (), ["IMG003"]),
    ("/octet.png", (), []),  # octet-stream sniffed as PNG
    ("/octet-bad.png", (), ["IMG003"]),
    ("/page.png", (), ["IMG003"]),  # the "image removed" HTML page other checkers call fine
    ("/json.png", (), ["IMG003"]),
    ("/moved.png", (), []),
    ("/moved-gone.png", (), ["IMG002"]),
    ("/loop-a.png", (), ["IMG005"]),
    ("/chain/0", (), ["IMG005"]),
    ("/error.png", (), ["IMG009"]),
    ("/unavailable.png", (), ["IMG009"]),
    ("/flaky.png", ("--max-retries", "1"), []),
    ("/limited.png", ("--max-retries", "1"), []),  # 429 with Retry-After: 0, then 200
    ("/always429.png", ("--max-retries", "1"), ["IMG009"]),
    ("/slow.png", ("--timeout", "0.5"), ["IMG009"]),
    ("/reset.png", (), ["IMG009"]),
    ("/cf.png", (), ["IMG010"]),
    ("/challenge.png", (), ["IMG010"]),
    ("/linkedin.png", (), ["IMG010"]),
    ("/protected-ok.png", (), []),  # protection headers on a good answer are no block
]


@pytest.mark.parametrize(("route", "flags", "codes"), CASES, ids=[c[0] for c in CASES])
def test_answer_classes(tmp_path: Path, run_cli, server: Server, route: str, flags: tuple[str, ...], codes: list[str]) -> None:
    p = post(tmp_path / "p.md", server.url(route))
    res = run_cli(*NET, "--no-cache", *flags, str(p))
    assert res.codes == [(c, 5) for c in codes], res.stdout
    assert res.exit_code == (1 if {"IMG002", "IMG003", "IMG005"} & set(codes) else 0)


def test_head_first_then_get_only_when_needed(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/ok.png"), server.url("/head405.png"), server.url("/octet.png"))
    run_cli(*NET, "--no-cache", str(p))
    assert server.requests() == {
        ("HEAD", "/ok.png"): 1,
        ("HEAD", "/head405.png"): 1, ("GET", "/head405.png"): 1,
        ("HEAD", "/octet.png"): 1, ("GET", "/octet.png"): 1,
    }


def test_retry_after_then_success_is_two_requests(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/limited.png"))
    assert run_cli(*NET, "--no-cache", "--max-retries", "2", str(p)).codes == []
    assert server.requests("/limited.png") == {("HEAD", "/limited.png"): 2}


def test_messages_say_what_happened(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/moved-gone.png"), server.url("/page.png"), server.url("/cf.png"), server.url("/slow.png"))
    res = run_cli(*NET, "--no-cache", "--timeout", "0.5", str(p))
    by_code = {f["code"]: f["message"] for f in res.findings}
    assert "404" in by_code["IMG002"] and server.url("/gone.png") in by_code["IMG002"]  # the final URL
    assert "Image removed" in by_code["IMG003"]
    assert "Cloudflare" in by_code["IMG010"] and "exclude-urls" in by_code["IMG010"]
    assert "no answer in time" in by_code["IMG009"]
    assert {f["severity"] for f in res.findings if f["code"] in ("IMG009", "IMG010")} == {"warning"}


def test_deadline_leaves_unchecked_never_fine(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/slow.png"))
    res = run_cli(*NET, "--no-cache", "--timeout", "5", "--deadline", "0.3", str(p))
    assert res.codes == [("IMG009", 5)] and "deadline" in res.findings[0]["message"]


# --------------------------------------------------------------------------- once per run


def test_each_url_is_requested_once_across_files(tmp_path: Path, run_cli, server: Server) -> None:
    urls = [server.url("/ok.png"), server.url("/gone.png"), server.url("/page.png")]
    for i in range(5):
        post(tmp_path / "posts" / f"p{i}.md", *urls, urls[0] + "#fragment", front=f"image: {urls[1]}\n")
    res = run_cli(*NET, "--no-cache", str(tmp_path / "posts"))
    assert Counter(code for code, _ in res.codes) == {"IMG002": 10, "IMG003": 5}
    assert server.requests() == {("HEAD", "/ok.png"): 1, ("HEAD", "/gone.png"): 1, ("HEAD", "/page.png"): 1, ("GET", "/page.png"): 1}


def test_each_url_is_requested_once_across_worker_processes(tmp_path: Path, run_cli, server: Server) -> None:
    from postlint import engine

    urls = [server.url("/ok.png"), server.url("/gone.png")]
    n = engine.IN_PROCESS_MAX_FILES + 8  # enough files for the process pool
    for i in range(n):
        post(tmp_path / "posts" / f"p{i:02}.md", *urls, server.url(f"/ok.png?v={i % 3}"))
    one = run_cli(*[a for a in NET if a not in ("--jobs", "1")], "--jobs", "2", "--no-cache", str(tmp_path / "posts"))
    assert [f["path"] for f in one.findings] == sorted(f["path"] for f in one.findings)
    assert len(one.findings) == n and {f["code"] for f in one.findings} == {"IMG002"}
    assert server.requests() == {("HEAD", "/ok.png"): 4, ("HEAD", "/gone.png"): 1}  # ok.png, ?v=0, ?v=1, ?v=2


def test_checks_start_while_later_files_are_still_being_linted(tmp_path: Path, run_cli, server: Server,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from postlint import engine

    first = post(tmp_path / "posts" / "a.md", server.url("/gone.png"))
    post(tmp_path / "posts" / "b.md", server.url("/ok.png"))
    lint_target = engine.lint_target
    asked_before_b: list[bool] = []

    def slow_b(target: Any, *args: Any, **kwargs: Any) -> Any:
        if target.path.name == "b.md":  # wait (bounded) for a.md's URL to reach the server
            for _ in range(200):
                if server.requests("/gone.png"):
                    break
                threading.Event().wait(0.025)
            asked_before_b.append(bool(server.requests("/gone.png")))
        return lint_target(target, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_target", slow_b)
    res = run_cli(*NET, "--no-cache", str(tmp_path / "posts"))
    assert asked_before_b == [True]
    assert res.codes == [("IMG002", 5)] and res.findings[0]["path"].endswith(first.name)


def test_an_interrupted_run_stops_its_checks(tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from postlint import config, engine, files

    post(tmp_path / "posts" / "a.md", server.url("/slow.png"))
    post(tmp_path / "posts" / "b.md", server.url("/ok.png"))
    lint_target = engine.lint_target

    def interrupted(target: Any, *args: Any, **kwargs: Any) -> Any:
        if target.path.name == "b.md":
            for _ in range(200):  # a.md's request is out and stalled
                if server.requests("/slow.png"):
                    break
                threading.Event().wait(0.025)
            raise KeyboardInterrupt
        return lint_target(target, *args, **kwargs)

    monkeypatch.setattr(engine, "lint_target", interrupted)
    resolver = config.ConfigResolver(None, True, {"network": {"allow-private-hosts": True, "timeout": 30}})
    targets = files.collect([tmp_path / "posts"], resolver)
    with pytest.raises(KeyboardInterrupt):
        engine.lint_all(targets, engine.RunOptions(jobs=1, no_cache=True))
    assert server.requests("/slow.png")
    for _ in range(100):
        if not any(t.name == "postlint remote images" for t in threading.enumerate()):
            break
        threading.Event().wait(0.02)
    assert not any(t.name == "postlint remote images" for t in threading.enumerate())


def test_no_check_thread_runs_when_worker_processes_are_forked(tmp_path: Path, run_cli, server: Server,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from postlint import engine

    n = engine.IN_PROCESS_MAX_FILES + 4
    for i in range(2 * n):
        post(tmp_path / "posts" / f"p{i:02}.md", server.url(f"/ok.png?v={i}"))
    args = [*[a for a in NET if a not in ("--jobs", "1")], "--jobs", "2", "--cache-dir", str(tmp_path / "cache")]
    assert run_cli(*args, str(tmp_path / "posts")).exit_code == 0
    for i in range(n):  # half the posts change: the other half come from the result cache, with URLs
        post(tmp_path / "posts" / f"p{i:02}.md", server.url(f"/ok.png?v={i}"), front="description: changed\n")
    # Forget the URLs (not the results): the cached posts' URLs are asked again, so the check
    # starts with the first of them, which is before the pool forks its workers unless held back.
    for folder in (tmp_path / "cache").iterdir():
        if folder.is_dir() and folder.name.startswith("url"):
            shutil.rmtree(folder)
    threads_at_fork: list[list[str]] = []
    fork = os.fork

    def watched_fork() -> int:
        threads_at_fork.append([t.name for t in threading.enumerate()])
        return fork()

    monkeypatch.setattr(os, "fork", watched_fork)
    res = run_cli(*args, str(tmp_path / "posts"))
    assert res.exit_code == 0 and len(threads_at_fork) == 2
    assert not any("postlint remote images" in names for names in threads_at_fork)
    assert server.requests("/ok.png")[("HEAD", "/ok.png")] == 4 * n  # every URL once per run


def test_a_failing_client_is_a_finding_at_each_url(tmp_path: Path, run_cli, server: Server,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_client(options: Any) -> Any:
        raise OSError("no network stack here")

    monkeypatch.setattr(remote_images, "_client", broken_client)
    post(tmp_path / "posts" / "a.md", server.url("/gone.png"))
    post(tmp_path / "posts" / "b.md", server.url("/ok.png"), "![](missing.png)")
    res = run_cli(*NET, "--no-cache", str(tmp_path / "posts"))
    assert res.codes == [("PL004", 5), ("PL004", 5), ("IMG001", 7)]
    assert "no network stack here" in res.findings[0]["message"]


def test_files_with_other_network_settings_are_still_checked_once(tmp_path: Path, run_cli, server: Server) -> None:
    # Two configurations with different network tables: the check runs after every file.
    for sub in ("x", "y"):
        write(tmp_path / sub / "postlint.toml", f'[network]\nuser-agent = "agent-{sub}"\n')
        post(tmp_path / sub / "p.md", server.url("/ok.png"), server.url("/gone.png"))
    res = run_cli(*NET, "--no-cache", str(tmp_path / "x"), str(tmp_path / "y"))
    assert res.codes == [("IMG002", 7), ("IMG002", 7)]
    assert server.requests() == {("HEAD", "/ok.png"): 1, ("HEAD", "/gone.png"): 1}


def test_warm_cache_sends_no_request_for_urls_that_were_fine(tmp_path: Path, run_cli, server: Server) -> None:
    urls = [server.url(p) for p in ("/ok.png", "/moved.png", "/gone.png", "/error.png")]
    p = post(tmp_path / "p.md", *urls)
    cache = ("--cache-dir", str(tmp_path / "cache"))
    first = run_cli(*NET, *cache, str(p))
    before = server.requests()
    second = run_cli(*NET, *cache, str(p))
    assert first.codes == second.codes == [("IMG002", 9), ("IMG009", 11)]
    # Fine and broken answers are remembered (a day, an hour); the server error is asked again.
    assert server.requests() - before == {("HEAD", "/error.png"): 1}
    again = server.requests()
    run_cli(*NET, *cache, "--refresh-cache", str(p))
    assert server.requests() - again == before  # everything asked afresh


def test_no_cache_writes_nothing(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/ok.png"))
    run_cli(*NET, "--no-cache", "--cache-dir", str(tmp_path / "cache"), str(p))
    assert not (tmp_path / "cache").exists()


def test_offline_skips_and_counts(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/gone.png"), server.url("/gone.png"), server.url("/ok.png"))
    res = run_cli(*NET, "--offline", "--statistics", str(p))
    assert res.codes == [] and server.requests() == Counter()
    assert json.loads(res.stdout)["statistics"]["remote images: skipped (offline)"] == 2
    write(tmp_path / "postlint.toml", "[network]\noffline = true\n")
    assert run_cli(*NET, "--config", str(tmp_path / "postlint.toml"), str(p)).codes == []
    assert server.requests() == Counter()


def test_offline_run_imports_no_network_client(tmp_path: Path, server: Server) -> None:
    # A remote image and a plain-http one (IMG007/IMG008 look at hosts offline too).
    p = post(tmp_path / "p.md", server.url("/gone.png"), "http://example.org/a.png")
    code = (f"import sys; from postlint.cli import main; sys.argv = ['postlint', '--offline', {str(p)!r}]\n"
            "try: main()\nexcept SystemExit: pass\nprint(sorted(m for m in ('httpx', 'postlint.net') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


# --------------------------------------------------------------------------- selection, suppression, options


def test_select_and_suppress(tmp_path: Path, run_cli, server: Server) -> None:
    p = write(
        tmp_path / "p.md",
        f"<!-- postlint-disable-next-line IMG002 -->\n![a]({server.url('/gone.png')})\n\n![b]({server.url('/removed.png')})\n\n![c]({server.url('/page.png')})\n",
    )
    assert run_cli(*NET, "--no-cache", str(p)).codes == [("IMG002", 4), ("IMG003", 6)]
    assert run_cli(*NET, "--no-cache", "--select", "IMG003", str(p)).codes == [("IMG003", 6)]


def test_a_url_suppressed_everywhere_is_not_requested(tmp_path: Path, run_cli, server: Server) -> None:
    codes = "IMG002 IMG003 IMG005 IMG009 IMG010"
    p = write(tmp_path / "p.md", f"<!-- postlint-disable-file {codes} -->\n\n![a]({server.url('/gone.png')})\n")
    assert run_cli(*NET, "--no-cache", str(p)).codes == []
    assert server.requests() == Counter()


def test_include_exclude_and_accepted_status(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/gone.png"), server.url("/forbidden.png"), server.url("/removed.png"))
    write(tmp_path / "postlint.toml", '[images]\nexclude-urls = ["/gone\\\\."]\naccept-status = [403]\n')
    res = run_cli(*NET, "--no-cache", "--statistics", str(p))
    assert res.codes == [("IMG002", 9)]
    assert ("HEAD", "/gone.png") not in server.requests()
    assert json.loads(res.stdout)["statistics"]["remote images: excluded by include-urls/exclude-urls"] == 1
    write(tmp_path / "postlint.toml", '[images]\ninclude-urls = ["/forbidden"]\n')
    assert run_cli(*NET, "--no-cache", str(p)).codes == [("IMG002", 7)]


def test_bad_url_pattern_is_a_configuration_error(tmp_path: Path, run_cli) -> None:
    p = post(tmp_path / "p.md", "https://example.org/x.png")
    write(tmp_path / "postlint.toml", '[images]\nexclude-urls = ["("]\n')
    res = run_cli("--no-cache", str(p))
    assert res.exit_code == 2 and "exclude-urls" in res.stderr


def test_every_image_syntax_is_checked(tmp_path: Path, run_cli, server: Server) -> None:
    gone = server.url("/gone.png")
    p = write(
        tmp_path / "p.md",
        f"---\ntitle: x\nimage: {gone}?fm\n---\n\n![md]({gone}?md)\n\n![ref][r]\n\n[r]: {gone}?ref\n\n"
        f'<img src="{gone}?html" alt="h" srcset="{gone}?srcset 2x">\n\n`![code]({gone}?code)`\n',
    )
    res = run_cli(*NET, "--no-cache", str(p))
    assert res.codes == [("IMG002", 3), ("IMG002", 6), ("IMG002", 8), ("IMG002", 12), ("IMG002", 12)]


def test_private_literal_hosts_are_left_to_img007(tmp_path: Path, run_cli, server: Server) -> None:
    p = post(tmp_path / "p.md", server.url("/gone.png"))
    res = run_cli("--output-format", "json", "--jobs", "1", "--no-cache", str(p))
    assert res.codes == [("IMG007", 5)] and server.requests() == Counter()


def test_stdin_is_checked_too(tmp_path: Path, run_cli, server: Server) -> None:
    res = run_cli(*NET, "--no-cache", "--stdin-filename", "p.md", "-", input=f"![x]({server.url('/gone.png')})\n")
    assert res.codes == [("IMG002", 1)]


# --------------------------------------------------------------------------- progress bar


def test_progress_bar_silent_when_not_a_tty(tmp_path: Path, run_cli, server: Server) -> None:
    urls = [server.url(f"/ok.png?n={i}") for i in range(30)]
    res = run_cli(*NET, "--no-cache", str(post(tmp_path / "p.md", *urls)))
    assert res.codes == [] and "remote images" not in res.stderr and "\r" not in res.stderr


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_tty() -> None:
    assert for_stderr(io.StringIO(), quiet=False) is None
    assert for_stderr(_Tty(), quiet=True) is None
    out = _Tty()
    bar = for_stderr(out, quiet=False)
    assert isinstance(bar, ProgressBar)
    bar.interval = 0
    for i in range(6):
        bar(i, 5)  # a handful: no bar
    assert out.getvalue() == ""
    for i in range(41):
        bar(i, 40)
    text = out.getvalue()
    assert "20/40" in text and text.endswith("\r")  # drawn, then cleared


# --------------------------------------------------------------------------- the pre-commit hook


def test_precommit_online_hook_checks_a_remote_image(tmp_path: Path, server: Server) -> None:
    hook = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}["postlint-online"]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "postlint"
    # As pre-commit runs it: entry + the user's args (here: reach the test server) + file names.
    cmd = [sys.executable, "-m", "postlint", *entry[1:], *hook.get("args", []), "--allow-private-hosts", "--no-cache"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PRE_COMMIT": "1"}
    good = post(tmp_path / "good.md", server.url("/ok.png"))
    bad = post(tmp_path / "bad.md", server.url("/page.png"))
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = subprocess.run([*cmd, str(good), str(bad)], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert broken.returncode == 1 and "IMG003" in broken.stdout, broken.stdout + broken.stderr


# --------------------------------------------------------------------------- the rule docs run


class _Rewriting:
    """A client that sends every URL to the test server, so that docs can show real-looking hosts."""

    def __init__(self, inner: Any, base: str) -> None:
        self.inner, self.base = inner, base
        self.options = inner.options

    async def __aenter__(self) -> _Rewriting:
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.inner.__aexit__(*exc)

    @property
    def stats(self) -> Any:
        return self.inner.stats

    async def fetch(self, url: str, **kw: Any) -> Any:
        from urllib.parse import urlsplit

        return await self.inner.fetch(self.base + urlsplit(url).path, **kw)


SERVE = {"png": "/ok.png", "404": "/gone.png", "html": "/page.png", "loop": "/loop-a.png", "503": "/unavailable.png", "challenge": "/cf.png"}


@pytest.mark.parametrize("rule", remote_images.RULES, ids=lambda r: r.code)
def test_docs_examples_run(tmp_path: Path, run_cli, server: Server, monkeypatch: pytest.MonkeyPatch, rule: Any) -> None:
    """Each rule's Example triggers it and its Use instead does not, answered as ``serve=`` says."""
    import re

    real = remote_images._client
    monkeypatch.setattr(remote_images, "_client", lambda options: _Rewriting(real(options), server.url("")))
    for section, expect in (("Example", True), ("Use instead", False)):
        m = re.search(r"^```markdown([^\n]*)\n(.*?)^```", rule.section(section), re.M | re.S)
        assert m, f"{rule.code}: no Markdown {section}"
        serve = dict(a.split("=", 1) for a in m.group(1).split())["serve"]
        routes = {path: ROUTES[SERVE[serve]] for path in re.findall(r"https://[^/\s)]+(/[^\s)]*)", m.group(2))}
        monkeypatch.setattr(sys.modules[__name__], "ROUTES", {**ROUTES, **routes})
        p = write(tmp_path / section.replace(" ", "") / "post.md", m.group(2))
        res = run_cli(*NET, "--no-cache", "--select", rule.code, str(p))
        assert (rule.code in [c for c, _ in res.codes]) is expect, f"{rule.code} {section}: {res.stdout}"


# --------------------------------------------------------------------------- the engine's deferred phase

from postlint.registry import Context, DeferredCheck, Registry, Rule  # noqa: E402


class _Words(DeferredCheck):
    """Answers for words found in posts: "bad" is reported as PL095, "odd" as PL096; "boom" crashes."""

    name = "test words"
    calls: list[list[str]] = []

    def run(self, keys: list[str], phase: Any) -> dict[str, str]:
        self.calls.append(sorted(keys))
        phase.stats["test words: checked"] += len(keys)
        if "boom" in keys:
            raise RuntimeError("checker bug")
        return {k: k for k in keys}

    def judge(self, answer: Any, options: Any) -> tuple[str, str] | None:
        return {"bad": ("PL095", "bad word"), "odd": ("PL096", "odd word")}.get(answer)


class _WordRule(Rule):
    """Words checked after all files (a test rule)."""

    needs_network = True
    deferred_check = _Words()
    default_enabled = False

    def check(self, doc: Any, ctx: Context) -> Iterator[Any]:
        for i, line in enumerate(doc.text.splitlines(), 1):
            for word in line.split():
                ctx.defer(word, i, line.index(word) + 1)
        return iter(())


class _Bad(_WordRule):
    code = "PL095"
    name = "test-bad-word"


class _Odd(_WordRule):
    code = "PL096"
    name = "test-odd-word"


@pytest.fixture
def words(monkeypatch: pytest.MonkeyPatch) -> type[_Words]:
    import postlint.rules
    from postlint import engine

    monkeypatch.setattr(postlint.rules, "REGISTRY", Registry([*postlint.rules.ALL_RULES, _Bad, _Odd]))
    monkeypatch.setattr(engine, "_selections", {})
    _Words.calls = []
    return _Words


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deferred_keys_checked_once_per_run(tmp_path: Path, run_cli, words: type[_Words], jobs: str) -> None:
    from postlint import engine

    for i in range(engine.IN_PROCESS_MAX_FILES + 4):
        write(tmp_path / f"p{i:02}.md", "fine bad\nodd bad fine\n")
    res = run_cli("--output-format", "json", "--statistics", "--jobs", jobs, "--select", "PL095,PL096", str(tmp_path))
    assert words.calls == [["bad", "fine", "odd"]]  # one call, each key once, whatever the jobs
    assert res.codes[:3] == [("PL095", 1), ("PL096", 2), ("PL095", 2)]
    assert json.loads(res.stdout)["statistics"]["test words: checked"] == 3


def test_deferred_findings_follow_selection_severity_and_suppression(tmp_path: Path, run_cli, words: type[_Words]) -> None:
    p = write(tmp_path / "p.md", "bad odd\n<!-- postlint-disable-next-line PL095 -->\nbad odd\n")
    write(tmp_path / "postlint.toml", 'extend-select = ["PL095"]\n[severity]\nPL095 = "warning"\n')
    res = run_cli("--output-format", "json", str(p))
    assert res.codes == [("PL095", 1)] and res.findings[0]["severity"] == "warning" and res.exit_code == 0


def test_deferred_offline_counts_and_never_runs(tmp_path: Path, run_cli, words: type[_Words]) -> None:
    p = write(tmp_path / "p.md", "bad odd bad\n")
    res = run_cli("--offline", "--output-format", "json", "--statistics", "--select", "PL095", str(p))
    assert res.codes == [] and words.calls == []
    assert json.loads(res.stdout)["statistics"]["test words: skipped (offline)"] == 2


def test_deferred_check_crash_is_a_finding(tmp_path: Path, run_cli, words: type[_Words]) -> None:
    p = write(tmp_path / "p.md", "BAD\nboom\n")
    res = run_cli("--output-format", "json", "--jobs", "1", "--select", "PL095", str(p))
    assert ("PL004", 1) in res.codes and ("PL004", 2) in res.codes
    assert "checker bug" in res.findings[0]["message"]
