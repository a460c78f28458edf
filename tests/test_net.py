"""Tests for the network client against servers on 127.0.0.1 started here; no DNS, no internet."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import logging
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from postlint.net import (
    ErrorKind,
    FetchResult,
    Hop,
    NetClient,
    NetworkConfigError,
    NetworkOptions,
    PrivateAddressError,
    guard,
    is_private_address,
    parse_retry_after,
    resolve_headers,
)

HANG_GUARD = 15.0  # seconds; a test that takes longer is hung, not slow


def run(coro: Coroutine[Any, Any, Any], timeout: float = HANG_GUARD) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


def resolver(mapping: dict[str, list[str]]) -> Callable[[str, int], Coroutine[Any, Any, list[str]]]:
    """A resolver that knows only the given names, so that no test ever asks real DNS."""

    async def resolve(host: str, port: int) -> list[str]:
        try:
            return mapping[host]
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, f"test resolver does not know {host}") from None

    return resolve


class FakeTime:
    """A clock that only moves when the client sleeps: waits are recorded, never spent."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Seen:
    method: str
    host: str
    path: str
    headers: dict[str, str]


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "image/png"})
    body: bytes = b"\x89PNG\r\n\x1a\n"


App = Callable[["Handler", Seen], Answer | None]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5  # an idle keep-alive connection ends its thread within this bound
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.open_connections += 1
            self.server.connections_made += 1
            self.server.max_connections = max(self.server.max_connections, self.server.open_connections)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        with self.server.lock:
            self.server.open_connections -= 1

    def _serve(self) -> None:
        seen = Seen(self.command, self.headers.get("Host", "").split(":")[0], self.path,
                    {k.lower(): v for k, v in self.headers.items()})
        with self.server.lock:
            self.server.seen.append(seen)
            self.server.active += 1
            self.server.max_active = max(self.server.max_active, self.server.active)
            host_active = self.server.host_active.get(seen.host, 0) + 1
            self.server.host_active[seen.host] = host_active
            self.server.max_host_active[seen.host] = max(
                self.server.max_host_active.get(seen.host, 0), host_active)
        try:
            answer = self.server.app(self, seen)
            if answer is not None:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)
        finally:
            with self.server.lock:
                self.server.active -= 1
                self.server.host_active[seen.host] -= 1

    do_GET = do_HEAD = _serve


class Server(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server on a loopback address that counts what it sees."""

    daemon_threads = True

    def __init__(self, app: App, address: str = "127.0.0.1") -> None:
        super().__init__((address, 0), Handler)
        self.app = app
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.active = self.max_active = 0
        self.open_connections = self.max_connections = self.connections_made = 0
        self.host_active: dict[str, int] = {}
        self.max_host_active: dict[str, int] = {}
        self.release = threading.Event()  # stalled handlers wait on this, bounded
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(app: App, address: str = "127.0.0.1") -> Server:
        server = Server(app, address)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def ok_app(handler: Handler, seen: Seen) -> Answer:
    return Answer()


ALLOW = NetworkOptions(allow_private_hosts=True, timeout=5.0)


# --------------------------------------------------------------------------- the address guard

@pytest.mark.parametrize("host", [
    "localhost", "LOCALHOST.", "foo.localhost", "127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1",
    "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "100.64.0.1", "::1", "[::1]", "fc00::1", "fd12::1", "fe80::1", "fe80::1%eth0", "fec0::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "224.0.0.1", "ff02::1",
])
def test_private_addresses_are_recognised_without_dns(host: str) -> None:
    assert is_private_address(host)
    with pytest.raises(PrivateAddressError):
        guard(host)
    guard(host, allow_private_hosts=True)


@pytest.mark.parametrize("host", ["8.8.8.8", "172.32.0.1", "2606:4700::1", "example.com",
                                  "localhost.example.com", "64:ff9b::808:808"])
def test_public_or_unknown_hosts_pass_the_offline_guard(host: str) -> None:
    assert not is_private_address(host)
    guard(host)


def test_importing_net_does_not_import_httpx() -> None:
    code = "import sys, postlint.net; sys.exit('httpx' in sys.modules or 'httpcore' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=30).returncode == 0


# --------------------------------------------------------------------------- options

def test_options_from_table_reads_kebab_case_keys() -> None:
    options = NetworkOptions.from_table({
        "timeout": 5, "max-concurrency": 16, "host-concurrency": 2, "max-retries": 0,
        "user-agent": "bot/1", "deadline": 60, "allow-private-hosts": True,
        "headers": {"API.Example.com.": {"Authorization": "Bearer ${TOKEN}"}},
        "user-agents": {"cdn.example.com": "Mozilla/5.0"}, "max-body-bytes": 1024,
        "max-retry-after": 30, "max-redirects": 3, "offline": False,
    })
    assert options.timeout == 5.0 and isinstance(options.timeout, float)
    assert (options.max_concurrency, options.host_concurrency, options.max_retries) == (16, 2, 0)
    assert options.headers == {"api.example.com": {"Authorization": "Bearer ${TOKEN}"}}
    assert options.user_agents == {"cdn.example.com": "Mozilla/5.0"}
    assert options.allow_private_hosts and options.max_redirects == 3
    hash(options)  # usable in a frozen Settings
    assert NetworkOptions.from_table(None) == NetworkOptions()


@pytest.mark.parametrize("table", [
    {"timout": 5}, {"timeout": 0}, {"timeout": "5"}, {"max-concurrency": 0},
    {"host-concurrency": 1.5}, {"max-retries": -1}, {"allow-private-hosts": "yes"},
    {"user-agent": ""}, {"headers": {"h": "x"}}, {"headers": {"h": {"a": 1}}}, {"user-agents": []},
])
def test_options_reject_bad_values(table: dict[str, Any]) -> None:
    with pytest.raises(NetworkConfigError):
        NetworkOptions.from_table(table)


def test_cli_overrides_ignore_unset_flags() -> None:
    base = NetworkOptions.from_table({"timeout": 3})
    assert base.with_overrides(timeout=None, max_retries=None) is base
    assert base.with_overrides(timeout=None, max_retries=5).max_retries == 5
    with pytest.raises(NetworkConfigError):
        base.with_overrides(max_concurrency=0)


def test_header_values_read_environment_variables(caplog: pytest.LogCaptureFixture) -> None:
    options = NetworkOptions(headers={"a.test": {"Authorization": "Bearer ${TOKEN}", "X-Id": "${MISSING}",
                                                 "X-Plain": "plain"}})
    with caplog.at_level(logging.WARNING, logger="postlint.net"):
        resolved = resolve_headers(options, {"TOKEN": "s3cret"})
    assert resolved == {"a.test": {"Authorization": "Bearer s3cret", "X-Plain": "plain"}}
    assert "MISSING" in caplog.text and "s3cret" not in repr(options)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    now = 1_700_000_000.0
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 90))
    assert parse_retry_after(date, now=now) == pytest.approx(90.0)
    assert parse_retry_after(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now - 90)),
                             now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# --------------------------------------------------------------------------- results

def test_result_outcomes_and_json_round_trip() -> None:
    ok = FetchResult("u", "GET", "v", 200, {"content-type": "image/PNG; q=1"}, b"x" * 600, False,
                     (Hop("u", 301),), attempts=1, http_version="HTTP/1.1")
    assert ok.ok and ok.outcome == "success" and ok.content_type == "image/png"
    back = FetchResult.from_json(ok.to_json(body_limit=16))
    assert back.redirects == ok.redirects and back.body == b"x" * 16 and back.truncated
    assert FetchResult("u", "GET", "u", 404).outcome == "permanent"
    assert FetchResult("u", "GET", "u", 410).outcome == "permanent"
    for transient in (FetchResult("u", "GET", "u", 429), FetchResult("u", "GET", "u", 503),
                      FetchResult("u", "GET", "u", error=ErrorKind.TIMEOUT),
                      FetchResult("u", "GET", "u", error=ErrorKind.RESET)):
        assert transient.transient and transient.outcome == "transient"
    assert FetchResult("u", "GET", "u", error=ErrorKind.REDIRECT_LOOP).outcome == "permanent"
    unchecked = FetchResult("u", "GET", "u", error=ErrorKind.DEADLINE)
    assert unchecked.unchecked and not unchecked.transient and unchecked.outcome == "unchecked"
    assert FetchResult("u", "GET", "u", error=ErrorKind.OFFLINE).outcome == "unchecked"
    assert FetchResult("u", "GET", "u", error=ErrorKind.PRIVATE_ADDRESS).outcome == "unchecked"


# --------------------------------------------------------------------------- the client

def test_offline_fetches_nothing_and_counts_it() -> None:
    async def go() -> None:
        async with NetClient(NetworkOptions(offline=True)) as client:
            result = await client.fetch("https://example.com/a.png")
            assert result.error is ErrorKind.OFFLINE and result.unchecked
            assert client.stats.skipped_offline == 1 and client._client is None

    run(go())


def test_global_and_per_host_limits_hold_on_the_server(serve: Callable[..., Server]) -> None:
    def slow(handler: Handler, seen: Seen) -> Answer:
        time.sleep(0.05)  # keep requests in flight long enough to overlap
        return Answer()

    server = serve(slow)
    options = NetworkOptions(allow_private_hosts=True, max_concurrency=6, host_concurrency=4, timeout=5.0)

    async def go() -> list[FetchResult]:
        async with NetClient(options, resolver=resolver({"a.test": ["127.0.0.1"],
                                                         "b.test": ["127.0.0.1"]})) as client:
            urls = [server.url(f"/{i}.png", host) for i in range(20) for host in ("a.test", "b.test")]
            return await asyncio.gather(*(client.fetch(u) for u in urls))

    results = run(go())
    assert all(r.ok for r in results)
    assert len(server.seen) == 40
    # Counted as requests in flight: over HTTP/1.1 each holds its own connection, while an idle
    # connection the pool already closed can still look open to the server for a moment.
    assert 1 < server.max_active <= 6
    assert max(server.max_host_active.values()) <= 4
    assert server.max_connections >= server.max_active


def test_retries_on_5xx_then_succeeds(serve: Callable[..., Server]) -> None:
    def flaky(handler: Handler, seen: Seen) -> Answer:
        failures = sum(s.path == seen.path for s in handler.server.seen)
        return Answer(503, {}, b"busy") if failures <= 2 else Answer()

    server = serve(flaky)
    fake = FakeTime()

    async def go() -> tuple[FetchResult, FetchResult]:
        async with NetClient(ALLOW.with_overrides(max_retries=2), sleep=fake.sleep,
                             clock=fake.clock) as client:
            good = await client.fetch(server.url("/a.png"))
        async with NetClient(ALLOW.with_overrides(max_retries=1), sleep=fake.sleep,
                             clock=fake.clock) as client:
            bad = await client.fetch(server.url("/b.png"))
        return good, bad

    good, bad = run(go())
    assert good.ok and good.attempts == 3
    assert bad.status == 503 and bad.attempts == 2 and bad.transient
    assert len(server.seen) == 5 and len(fake.sleeps) == 3  # one wait before each retry


def test_retry_after_is_honoured_up_to_the_cap(serve: Callable[..., Server]) -> None:
    def limited(handler: Handler, seen: Seen) -> Answer:
        first = sum(s.path == seen.path for s in handler.server.seen) == 1
        wait = "7" if seen.path == "/seven.png" else "3600"
        return Answer(429, {"Retry-After": wait}, b"") if first else Answer()

    server = serve(limited)
    fake = FakeTime()

    async def go() -> tuple[FetchResult, FetchResult]:
        options = ALLOW.with_overrides(max_retries=2, max_retry_after=60.0)
        async with NetClient(options, sleep=fake.sleep, clock=fake.clock) as client:
            return (await client.fetch(server.url("/seven.png")),
                    await client.fetch(server.url("/hour.png", "localhost")))

    seven, hour = run(go())
    assert seven.ok and seven.attempts == 2
    assert fake.sleeps[0] == 7.0
    # Asked to wait an hour: not retried, reported as the 429 it is.
    assert hour.status == 429 and hour.attempts == 1 and hour.transient


def test_a_host_that_pushes_back_is_paused_then_resumes_at_full_speed(
        serve: Callable[..., Server]) -> None:
    def app(handler: Handler, seen: Seen) -> Answer:
        if seen.path == "/limited":
            return Answer(429, {"Retry-After": "5"}, b"")
        return Answer()

    server = serve(app)
    fake = FakeTime()

    async def go() -> None:
        options = ALLOW.with_overrides(max_retries=0)
        names = resolver({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})
        async with NetClient(options, resolver=names, sleep=fake.sleep, clock=fake.clock) as client:
            limited = await client.fetch(server.url("/limited", "a.test"))
            assert limited.status == 429 and fake.sleeps == []
            # Another host is not slowed down.
            assert (await client.fetch(server.url("/other", "b.test"))).ok
            assert fake.sleeps == []
            # The same host waits out its window once...
            assert (await client.fetch(server.url("/next", "a.test"))).ok
            assert fake.sleeps == [5.0]
            # ...then runs at full speed again.
            assert (await client.fetch(server.url("/after", "a.test"))).ok
            assert fake.sleeps == [5.0]

    run(go())
    assert [s.path for s in server.seen] == ["/limited", "/other", "/next", "/after"]


def test_body_is_capped_and_a_100_mb_answer_is_not_downloaded(serve: Callable[..., Server]) -> None:
    total = 100 * 1024 * 1024
    sent = {"bytes": 0}
    done = threading.Event()

    def huge(handler: Handler, seen: Seen) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "image/png")
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        chunk = b"\0" * 65536
        try:
            while sent["bytes"] < total:
                handler.wfile.write(chunk)
                sent["bytes"] += len(chunk)
        except OSError:
            handler.close_connection = True
        finally:
            done.set()

    server = serve(huge)

    async def go() -> FetchResult:
        async with NetClient(ALLOW.with_overrides(max_body_bytes=64 * 1024)) as client:
            return await client.fetch(server.url("/huge.png"))

    result = run(go())
    assert done.wait(10)
    assert result.ok and len(result.body) == 64 * 1024 and result.truncated
    assert result.headers["content-length"] == str(total)
    assert sent["bytes"] < total // 4  # socket buffers hold a few MB at most


def test_a_gzip_bomb_is_decoded_only_up_to_the_cap(serve: Callable[..., Server]) -> None:
    bomb = gzip.compress(b"<" * (20 * 1024 * 1024))
    server = serve(lambda h, s: Answer(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb))

    async def go() -> FetchResult:
        async with NetClient(ALLOW.with_overrides(max_body_bytes=1000)) as client:
            return await client.fetch(server.url("/bomb"))

    result = run(go())
    assert result.body == b"<" * 1000 and result.truncated


def test_head_reads_no_body(serve: Callable[..., Server]) -> None:
    server = serve(ok_app)

    async def go() -> FetchResult:
        async with NetClient(ALLOW) as client:
            return await client.fetch(server.url("/a.png"), method="HEAD")

    result = run(go())
    assert result.ok and result.body == b"" and result.content_type == "image/png"
    assert server.seen[0].method == "HEAD"


def test_head_and_small_get_answers_keep_their_connection(serve: Callable[..., Server]) -> None:
    server = serve(ok_app)

    async def go() -> list[FetchResult]:
        async with NetClient(ALLOW) as client:
            return [await client.fetch(server.url(f"/{i}.png"), method=method)
                    for i in range(4) for method in ("HEAD", "GET")]

    results = run(go())
    assert all(r.ok for r in results)
    # httpcore pools a connection again only once it has seen the end of the answer, also for
    # a HEAD answer that has no body: a new connection per HEAD made link checks 2x slower.
    assert server.connections_made == 1


def test_a_connection_the_server_closed_is_not_reused(serve: Callable[..., Server]) -> None:
    def close_after(handler: Handler, seen: Seen) -> Answer:
        handler.close_connection = True  # without saying so: the client must notice by itself
        return Answer()

    server = serve(close_after)

    async def go() -> list[FetchResult]:
        async with NetClient(ALLOW) as client:
            first = await client.fetch(server.url("/1.png"), method="HEAD")
            await asyncio.sleep(0.2)  # the server's FIN arrives
            return [first, await client.fetch(server.url("/2.png"), method="HEAD")]

    results = run(go())
    # Not reused, so not a failed first attempt on a dead connection: the pool's probe worked.
    assert [(r.ok, r.attempts) for r in results] == [(True, 1), (True, 1)]
    assert server.connections_made == 2


def _count_pool_passes(client: NetClient) -> list[int]:
    """Count the pool's request-to-connection passes (httpcore internals: see net._pool_class)."""
    assert client._client is not None
    pool = client._client._transport._pool  # type: ignore[attr-defined]
    passes = [0]
    assign = pool._assign_requests_to_connections

    def counted() -> Any:
        passes[0] += 1
        return assign()

    pool._assign_requests_to_connections = counted
    return passes


def test_the_pool_gives_an_idle_connection_to_one_request_only(serve: Callable[..., Server]) -> None:
    def slow(handler: Handler, seen: Seen) -> Answer:
        time.sleep(0.01)
        return Answer()

    server = serve(slow)
    options = NetworkOptions(allow_private_hosts=True, max_concurrency=8, host_concurrency=8, timeout=5.0)

    async def go() -> tuple[list[FetchResult], int]:
        async with NetClient(options) as client:
            passes = _count_pool_passes(client)
            results = await asyncio.gather(*(client.fetch(server.url(f"/{i}.png"), method="HEAD")
                                             for i in range(64)))
            return results, passes[0]

    results, passes = run(go())
    assert all(r.ok for r in results) and server.connections_made <= 8
    # One pass when a request arrives, one when its answer is closed: no request was handed a
    # connection another had taken (with httpcore 1.0's own pass some go round again; at
    # concurrency 32 in the benchmark, 2.5 to 5 passes per request).
    assert passes == 2 * 64


def test_an_unknown_httpcore_pool_is_used_unchanged() -> None:
    from postlint.net import _pool_class

    class Pool:
        def __init__(self, **kwargs: Any) -> None:
            pass

    class FakeHttpcore:
        AsyncConnectionPool = Pool

    assert _pool_class(FakeHttpcore) is Pool


def test_pooled_streams_probe_their_socket_also_after_tls() -> None:
    from postlint.net import _PooledStream

    class Inner:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

        def get_extra_info(self, info: str) -> Any:
            return self.sock if info == "socket" else f"inner {info}"

        async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                            timeout: float | None = None) -> Inner:
            return Inner(self.sock)

    ours, theirs = socket.socketpair()
    with ours, theirs:
        stream = _PooledStream(Inner(ours))
        tls = run(stream.start_tls(None, "example.org"))
        assert isinstance(tls, _PooledStream) and tls.get_extra_info("socket") is ours
        assert tls.get_extra_info("ssl_object") == "inner ssl_object"
        assert stream.get_extra_info("is_readable") is False
        theirs.close()  # the peer went away: readable (EOF), so the connection is not reused
        assert tls.get_extra_info("is_readable") is True
    assert stream.get_extra_info("is_readable") is True  # a closed socket is never reused either


def test_the_guard_refuses_loopback_and_names_resolving_to_it(serve: Callable[..., Server]) -> None:
    server = serve(ok_app)
    names = resolver({"public.test": ["127.0.0.1"], "mixed.test": ["10.1.2.3", "::1"]})

    async def go() -> tuple[list[FetchResult], int]:
        async with NetClient(NetworkOptions(timeout=5.0), resolver=names) as client:
            results = [await client.fetch(server.url("/", host)) for host in
                       ("127.0.0.1", "localhost", "[::1]", "127.1", "public.test", "mixed.test")]
            return results, client.stats.refused_private

    results, refused = run(go())
    assert [r.error for r in results] == [ErrorKind.PRIVATE_ADDRESS] * 6
    assert all(r.attempts <= 1 for r in results)  # refusals are not retried
    assert refused == 6 and server.seen == []


def _pretend_public(address: str) -> Callable[[Any], bool]:
    """Treat one loopback address as public, so that a redirect *from* it can be followed."""
    from postlint.net import is_public_ip

    pretend = ipaddress.ip_address(address)
    return lambda ip: ip == pretend or is_public_ip(ip)


def test_a_redirect_to_an_internal_address_is_refused(serve: Callable[..., Server]) -> None:
    internal = serve(ok_app)
    try:
        outside = serve(lambda h, s: Answer(302, {"Location": internal.url("/", "127.0.0.1")
                                                  if s.path == "/to-ip"
                                                  else internal.url("/", "internal.test")}, b""),
                        address="127.0.0.2")
    except OSError:
        pytest.skip("this system cannot bind 127.0.0.2")
    names = resolver({"outside.test": ["127.0.0.2"], "internal.test": ["127.0.0.1"]})

    async def go() -> list[FetchResult]:
        async with NetClient(NetworkOptions(timeout=5.0), resolver=names,
                             is_public=_pretend_public("127.0.0.2")) as client:
            return [await client.fetch(outside.url("/to-ip", "outside.test")),
                    await client.fetch(outside.url("/to-name", "outside.test"))]

    by_ip, by_name = run(go())
    for result in (by_ip, by_name):
        assert result.error is ErrorKind.PRIVATE_ADDRESS
        assert result.redirects[0].status == 302
    assert by_name.final_url == internal.url("/", "internal.test")
    assert len(outside.seen) == 2 and internal.seen == []


def test_a_name_with_public_and_private_addresses_uses_only_the_public_ones(
        serve: Callable[..., Server]) -> None:
    internal = serve(ok_app)
    try:
        outside = serve(ok_app, address="127.0.0.2")
    except OSError:
        pytest.skip("this system cannot bind 127.0.0.2")
    names = resolver({"both.test": ["127.0.0.1", "127.0.0.2"]})

    async def go() -> FetchResult:
        async with NetClient(NetworkOptions(timeout=5.0), resolver=names,
                             is_public=_pretend_public("127.0.0.2")) as client:
            return await client.fetch(outside.url("/x.png", "both.test"))

    assert run(go()).ok
    assert len(outside.seen) == 1 and internal.seen == []


def test_per_host_headers_do_not_follow_a_redirect_to_another_host(serve: Callable[..., Server]) -> None:
    # Hosts are keyed by name, not port: two names for one server are two hosts.
    def app(handler: Handler, seen: Seen) -> Answer:
        if seen.host == "a.test":
            return Answer(302, {"Location": f"http://b.test:{handler.server.port}/final.png"}, b"")
        return Answer()

    server = serve(app)
    options = ALLOW.with_overrides(headers={"a.test": {"Authorization": "Bearer ${TOKEN}"},
                                            "b.test": {"X-For-B": "b"}},
                                   user_agents={"b.test": "special-agent"})
    names = resolver({"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]})

    async def go() -> FetchResult:
        async with NetClient(options, resolver=names, environ={"TOKEN": "s3cret"}) as client:
            return await client.fetch(server.url("/start.png", "a.test"))

    result = run(go())
    assert result.ok and result.final_url == server.url("/final.png", "b.test")
    assert result.redirects == (Hop(server.url("/start.png", "a.test"), 302),)
    first, second = server.seen
    assert first.headers["authorization"] == "Bearer s3cret" and "x-for-b" not in first.headers
    assert first.headers["user-agent"].startswith("postlint/")
    assert "authorization" not in second.headers and second.headers["x-for-b"] == "b"
    assert second.headers["user-agent"] == "special-agent"


def test_redirect_loops_and_chains_are_reported(serve: Callable[..., Server]) -> None:
    def app(handler: Handler, seen: Seen) -> Answer:
        if seen.path == "/loop-a":
            return Answer(301, {"Location": "/loop-b"}, b"")
        if seen.path == "/loop-b":
            return Answer(301, {"Location": "/loop-a"}, b"")
        if seen.path.startswith("/hop"):
            n = int(seen.path[4:])
            return Answer(307, {"Location": f"/hop{n + 1}"}, b"")
        return Answer()

    server = serve(app)

    async def go() -> tuple[FetchResult, FetchResult, FetchResult]:
        async with NetClient(ALLOW.with_overrides(max_redirects=3)) as client:
            return (await client.fetch(server.url("/loop-a")), await client.fetch(server.url("/hop0")),
                    await client.fetch(server.url("/hop0"), max_redirects=10))

    loop, too_many, fine = run(go())
    assert loop.error is ErrorKind.REDIRECT_LOOP and len(loop.redirects) == 2
    assert too_many.error is ErrorKind.TOO_MANY_REDIRECTS and len(too_many.redirects) == 4
    assert fine.error is ErrorKind.TOO_MANY_REDIRECTS  # /hopN never ends
    assert loop.outcome == too_many.outcome == "permanent"


def test_timeouts_are_retried_then_reported(serve: Callable[..., Server]) -> None:
    def stall(handler: Handler, seen: Seen) -> None:
        handler.server.release.wait(5)
        handler.close_connection = True

    server = serve(stall)
    fake = FakeTime()

    async def go() -> FetchResult:
        options = ALLOW.with_overrides(timeout=0.3, max_retries=1)
        async with NetClient(options, sleep=fake.sleep, clock=fake.clock) as client:
            return await client.fetch(server.url("/slow.png"))

    result = run(go())
    assert result.error is ErrorKind.TIMEOUT and result.attempts == 2 and result.transient
    assert fake.sleeps == []  # the timeout itself was the wait: the retry goes at once


def test_the_deadline_leaves_the_rest_unchecked(serve: Callable[..., Server]) -> None:
    def stall(handler: Handler, seen: Seen) -> None:
        handler.server.release.wait(5)
        handler.close_connection = True

    server = serve(stall)

    async def go() -> tuple[FetchResult, FetchResult, int]:
        async with NetClient(ALLOW.with_overrides(deadline=0.3, timeout=5.0)) as client:
            first = await client.fetch(server.url("/slow.png"))
            later = await client.fetch(server.url("/never.png"))
            return first, later, client.stats.skipped_deadline

    first, later, skipped = run(go())
    assert first.error is later.error is ErrorKind.DEADLINE
    assert first.unchecked and later.unchecked and skipped == 2
    assert [s.path for s in server.seen] == ["/slow.png"]


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def resetting_server() -> Iterator[int]:
    """Accepts, reads the request, then answers with a TCP reset."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.settimeout(2)
            try:
                conn.recv(65536)
            except OSError:
                pass
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


def test_connection_failures_are_classified(resetting_server: int,
                                            serve: Callable[..., Server]) -> None:
    bad_location = serve(lambda h, s: Answer(302, {"Location": "http://host:port-x/"}, b""))
    fake = FakeTime()

    async def go() -> list[FetchResult]:
        options = ALLOW.with_overrides(max_retries=1)
        names = resolver({})
        async with NetClient(options, resolver=names, sleep=fake.sleep, clock=fake.clock) as client:
            return [await client.fetch(f"http://127.0.0.1:{resetting_server}/a.png"),
                    await client.fetch(f"http://127.0.0.1:{_closed_port()}/a.png"),
                    await client.fetch("http://unknown.test/a.png"),
                    await client.fetch("ftp://example.com/a.png"),
                    await client.fetch("file:///etc/passwd"),
                    await client.fetch("http://[::1/"),
                    await client.fetch(f"http://127.0.0.1:{bad_location.port}/")]

    reset, refused, dns, ftp, file, invalid, location = run(go())
    assert reset.error is ErrorKind.RESET and reset.attempts == 2
    assert refused.error is ErrorKind.REFUSED and refused.attempts == 2
    assert len(fake.sleeps) == 2  # a reset and a refusal come at once: each retry waits first
    assert dns.error is ErrorKind.DNS and dns.attempts == 1  # a missing name is not retried
    assert ftp.error is file.error is ErrorKind.UNSUPPORTED_SCHEME
    assert invalid.error is location.error is ErrorKind.INVALID_URL
    assert location.attempts == 1
