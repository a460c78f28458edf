"""HTTP/2 over TLS against a server on 127.0.0.1 started here (the h2 library, a self-signed
certificate in tests/data/tls): requests to one host share one connection under postlint's
replacement for httpcore's request-to-connection pass, and answers are judged as over HTTP/1.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

h2_connection = pytest.importorskip("h2.connection")
import h2.config  # noqa: E402
import h2.events  # noqa: E402

from postlint.net import NetClient, NetworkOptions  # noqa: E402
from tests.conftest import write  # noqa: E402

TLS = Path(__file__).parent / "data" / "tls"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32

pytestmark = pytest.mark.timeout(60)


class H2Server:
    """HTTPS with ALPN "h2" only: counts connections and the requests (streams) on them."""

    def __init__(self) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
        self.context.set_alpn_protocols(["h2"])
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.connections = 0
        self.protocols: Counter = Counter()
        self.requests: Counter = Counter()  # (method, path)
        self.streams_per_connection: list[int] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        with self.lock:
            self.connections += 1
            self.protocols[tls.selected_alpn_protocol()] += 1
            index = len(self.streams_per_connection)
            self.streams_per_connection.append(0)
        conn = h2_connection.H2Connection(config=h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        conn.initiate_connection()
        try:
            tls.sendall(conn.data_to_send())
            while not self._stop.is_set():
                data = tls.recv(65536)
                if not data:
                    break
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        self._answer(conn, event, index)
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        break
                tls.sendall(conn.data_to_send())
        except (OSError, ssl.SSLError):
            pass
        finally:
            tls.close()

    def _answer(self, conn: Any, event: Any, index: int) -> None:
        headers = dict(event.headers)
        method, path = headers[":method"], headers[":path"]
        with self.lock:
            self.requests[(method, path)] += 1
            self.streams_per_connection[index] += 1
        if path.startswith("/img/"):
            status, kind, body = "200", "image/png", PNG
        else:
            status, kind, body = "404", "text/html", b"<!doctype html><title>Not found</title>"
        reply = [(":status", status), ("content-type", kind)]
        if method == "HEAD":
            conn.send_headers(event.stream_id, reply, end_stream=True)
        else:
            conn.send_headers(event.stream_id, [*reply, ("content-length", str(len(body)))])
            conn.send_data(event.stream_id, body, end_stream=True)

    def stop(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.fixture
def server() -> Iterator[H2Server]:
    s = H2Server()
    yield s
    s.stop()


@pytest.fixture
def trust_test_certificate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client trusts the test certificate (and only it) instead of the certifi bundle."""
    import httpx

    def context(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        return ctx

    monkeypatch.setattr(httpx, "create_ssl_context", context)


def _options(**kw: Any) -> NetworkOptions:
    return NetworkOptions(allow_private_hosts=True, timeout=10.0, max_retries=0, **kw)


def test_concurrent_requests_to_one_host_share_one_http2_connection(server: H2Server, trust_test_certificate: None) -> None:
    urls = [server.url(f"/img/{i}.png") for i in range(40)] + [server.url("/missing.png")]

    async def main() -> list[Any]:
        async with NetClient(_options(max_concurrency=16, host_concurrency=16)) as client:
            return await asyncio.gather(*(client.fetch(u, method="HEAD") for u in urls))

    results = asyncio.run(asyncio.wait_for(main(), 30))
    assert [r.status for r in results] == [200] * 40 + [404]
    assert all(r.content_type == "image/png" and r.http_version == "HTTP/2" for r in results[:40])
    assert server.protocols == {"h2": 1}
    assert server.connections == 1 and server.streams_per_connection == [41]


def test_http2_get_reads_the_body(server: H2Server, trust_test_certificate: None) -> None:
    async def main() -> Any:
        async with NetClient(_options()) as client:
            return await client.fetch(server.url("/img/a.png"), method="GET")

    result = asyncio.run(asyncio.wait_for(main(), 30))
    assert result.status == 200 and result.body.startswith(b"\x89PNG")


def test_remote_images_over_http2(tmp_path: Path, run_cli, server: H2Server, trust_test_certificate: None,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for i in range(20):
        body = "".join(f"![image {k}]({server.url(f'/img/{(i + k) % 25}.png')})\n\n" for k in range(5))
        write(tmp_path / "posts" / f"p{i:02}.md", f"---\ntitle: Post {i}\n---\n\n{body}![gone]({server.url('/gone.png')})\n")
    res = run_cli("--allow-private-hosts", "--max-retries", "0", "--timeout", "10", "--output-format", "json",
                  "--jobs", "2", "--no-cache", "--select", "IMG002,IMG003", str(tmp_path / "posts"))
    assert res.codes == [("IMG002", 15)] * 20
    assert server.connections == 1
    assert server.requests == {**{("HEAD", f"/img/{n}.png"): 1 for n in range(24)}, ("HEAD", "/gone.png"): 1}
