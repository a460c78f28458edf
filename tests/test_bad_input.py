"""Bad input: a finding or a clear one-line warning, never a traceback, and the other files still linted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import write

GOOD = "---\ntitle: fine\n---\nText.\n"


def _lint_dir(run_cli, tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    write(tmp_path / "zz-good.md", GOOD)
    write(tmp_path / "zz-broken.md", "---\ntitle: [\n---\n")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", *args, str(tmp_path))
    assert "Traceback" not in res.stderr
    paths = {f["path"].rsplit("/", 1)[-1] for f in res.findings}
    assert "zz-broken.md" in paths and "zz-good.md" not in paths  # the rest of the run went on
    return res


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"caf\xe9\n", [("PL001", 1)]),
        (b"\xef\xbb\xbf---\ntitle: a\n---\nText\n", []),
        (b"---\r\ntitle: [\r\n---\r\n", [("FM002", 2)]),
        (b"", []),
        (b"---\ntitle: only front-matter\n---\n", []),
        (b"---\ntitle: never closed\n", [("FM002", 1)]),
        (b"---\n- a list\n---\n", [("FM002", 2)]),
        (b"---\n42\n---\n", [("FM002", 2)]),
        (b"---\ntitle: a\ndate: 2022-02-30\n---\n", []),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [("PL001", 1)]),
    ],
    ids=["latin1", "bom", "crlf", "empty", "only-front-matter", "unclosed", "list", "scalar", "bad-timestamp", "png"],
)
def test_bad_file(tmp_path: Path, run_cli, content: bytes, expected: list) -> None:
    write(tmp_path / "post.md", content)
    res = _lint_dir(run_cli, tmp_path, "--select", "PL,FM002")
    assert [(f["code"], f["line"]) for f in res.findings if f["path"].endswith("/post.md")] == expected


def test_file_over_size_cap(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "postlint.toml", "max-file-size = 1000\n")
    write(tmp_path / "big.md", "x" * 2000)
    res = _lint_dir(run_cli, tmp_path)
    assert ("PL002", 1) in [(f["code"], f["line"]) for f in res.findings if f["path"].endswith("big.md")]


def test_unreadable_directory(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "locked" / "a.md", GOOD)
    real_scandir = os.scandir

    def scandir(path: object = "."):  # type: ignore[no-untyped-def]
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    res = _lint_dir(run_cli, tmp_path)
    assert "locked: cannot read folder (Permission denied), skipped" in res.stderr


def test_unreadable_file(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "secret.md", GOOD)
    real = os.open

    def open_(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).endswith("secret.md"):  # root reads a chmod 000 file: refuse it here
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    res = _lint_dir(run_cli, tmp_path)
    [f] = [f for f in res.findings if f["path"].endswith("secret.md")]
    assert f["code"] == "PL001" and "Permission denied" in f["message"]
    assert target.exists()


def test_symlink_loop(tmp_path: Path, run_cli) -> None:
    (tmp_path / "loop").mkdir()
    os.symlink(tmp_path / "loop", tmp_path / "loop" / "again")
    os.symlink(tmp_path / "self.md", tmp_path / "self.md") if False else os.symlink("self.md", tmp_path / "self.md")
    res = _lint_dir(run_cli, tmp_path)
    assert "self.md: cannot read" in res.stderr
    res = run_cli(str(tmp_path / "self.md"))
    assert res.exit_code in (0, 2) and "Traceback" not in res.stderr


def test_fifo_is_skipped_never_read(tmp_path: Path, run_cli) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    res = _lint_dir(run_cli, tmp_path)  # would hang if the FIFO were opened
    assert "pipe.md: not a regular file" in res.stderr
    res = run_cli(str(tmp_path / "pipe.md"))
    assert "not a regular file" in res.stderr


def test_device_file_is_skipped(run_cli) -> None:
    res = run_cli("/dev/null")
    assert res.exit_code == 0 and "not a regular file" in res.stderr
