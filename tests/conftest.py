"""Shared fixtures: no real network, a CLI runner, and helpers that reduce findings to (code, line)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE_POST = FIXTURES / "example" / "2022-06-29-china-russia-relations.md"


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost")) or not isinstance(address, tuple)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests talk only to servers they start on 127.0.0.1: any other connection fails the test."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    for var in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PRE_COMMIT", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    # Each test gets its own cache folder: nothing written into the checkout, nothing shared between tests.
    monkeypatch.setenv("POSTLINT_CACHE_DIR", str(tmp_path_factory.mktemp("postlint-cache")))


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def findings(self) -> list[dict]:
        return json.loads(self.stdout)["findings"]

    @property
    def codes(self) -> list[tuple[str, int]]:
        return [(f["code"], f["line"]) for f in self.findings]


@pytest.fixture
def run_cli():
    """Run postlint in-process: run_cli(*args) -> Result (stdout, stderr, exit_code)."""
    from postlint.cli import cli

    def _run(*args: str, input: str | bytes | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(cli, list(args), input=input, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return _run


@pytest.fixture
def lint(run_cli):
    """lint(path, *args) -> list of (code, line) from the JSON output, offline, without config."""

    def _lint(*args: str | Path) -> list[tuple[str, int]]:
        res = run_cli("--offline", "--output-format", "json", "--jobs", "1", *map(str, args))
        assert res.exit_code in (0, 1), res.stderr
        return res.codes

    return _lint


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path
