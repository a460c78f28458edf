"""Hostile input and faults: each case ends with a finding or a clear warning, within a hang guard."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write

REPO = Path(__file__).resolve().parent.parent
GOOD = "---\ntitle: fine\n---\nText.\n"


def _run(run_cli, *args: str | Path):  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", *map(str, args))
    assert res.exit_code in (0, 1), res.stderr
    assert "Traceback" not in res.stderr
    return res


def _codes_for(res, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [f["code"] for f in res.findings if f["path"].endswith(name)]


@pytest.mark.timeout(60)
def test_yaml_alias_bomb(tmp_path: Path, run_cli) -> None:
    lines = ["---", "a: &a [" + ",".join(['"lol"'] * 10) + "]"]
    for i in range(1, 12):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 10) + "]")
    write(tmp_path / "bomb.md", "\n".join(lines) + "\n---\n")
    write(tmp_path / "ok.md", GOOD)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "bomb.md") == ["FM006"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "text",
    [
        "---\nx: " + "[" * 10_000 + "]" * 10_000 + "\n---\n",
        "{" + '"a":' * 1 + "[" * 10_000 + "]" * 10_000 + "}\n",
        "---\nx:\n" + "".join("  " * i + "- \n" for i in range(1, 2000)) + "---\n",
        "> " * 10_000 + "deep\n",
        "".join("  " * i + "- item\n" for i in range(3000)),
    ],
    ids=["yaml-flow", "json", "yaml-block", "blockquotes", "lists"],
)
def test_deep_nesting(tmp_path: Path, run_cli, text: str) -> None:
    write(tmp_path / "deep.md", text)
    write(tmp_path / "ok.md", GOOD)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "ok.md") == []


@pytest.mark.timeout(60)
def test_huge_file_is_skipped_without_reading(tmp_path: Path, run_cli) -> None:
    big = tmp_path / "huge.md"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB that costs no disk
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "huge.md") == ["PL002"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "make",
    [
        lambda: "word " * 1_000_000 + "\n",
        lambda: "".join(f"![i{i}](img/{i}.png) " for i in range(100_000)) + "\n",
        lambda: "".join(f"## Heading {i}\n\n" for i in range(100_000)),
        lambda: "1" * 3_000_000 + "\n",
        lambda: "-1-2" * 750_000 + "\n",
        lambda: ("May 15 - " * 300_000) + "\n",
        lambda: "2019-06-05 – " * 200_000 + "\n",
        lambda: "January February March " * 150_000 + "\n",
        lambda: "three four five steps " * 150_000 + "\n",
        lambda: "| 2024-01-01 | x |\n" * 1 + "|---|---|\n" + "| 2024-01-01 | x |\n" * 50_000,
    ],
    ids=["5mb-line", "100k-images", "100k-headings", "digits", "digits-dashes", "day-ranges", "iso-ranges", "months", "count-words", "table-rows"],
)
def test_large_and_repetitive_input(tmp_path: Path, run_cli, make) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "big.md", make())
    write(tmp_path / "ok.md", GOOD)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "ok.md") == []


@pytest.mark.timeout(60)
def test_png_named_md(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "image.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "image.md") == ["PL001"]


@pytest.mark.timeout(60)
def test_path_with_non_utf8_bytes(tmp_path: Path, run_cli) -> None:
    name = os.fsdecode(b"caf\xe9.md")
    write(tmp_path / name, "---\ntitle: [\n---\n")
    res = _run(run_cli, tmp_path)
    [f] = res.findings
    assert f["code"] == "FM002"
    res = run_cli("--offline", "--output-format", "sarif", str(tmp_path)) if "sarif" in _formats() else res
    assert "Traceback" not in res.stderr


def _formats() -> list[str]:
    from postlint.reporters import REPORTERS

    return list(REPORTERS)


@pytest.mark.timeout(60)
def test_file_that_disappears(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    target = write(tmp_path / "gone.md", GOOD)
    write(tmp_path / "ok.md", GOOD)
    real = os.open

    def open_(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.fspath(path).endswith("gone.md"):
            target.unlink(missing_ok=True)  # removed between the listing and the read
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "gone.md") == ["PL001"]


@pytest.mark.timeout(60)
def test_file_that_changes_while_read(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "moving.md", GOOD)
    real_open, real_read = os.open, os.read
    moving: set[int] = set()

    def open_(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        fd = real_open(path, flags, *args, **kwargs)
        if os.fspath(path).endswith("moving.md"):
            moving.add(fd)
        return fd

    def read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        if fd in moving:
            moving.discard(fd)
            return data[: len(data) // 2] + b"\xff"  # a torn read: half the old content
        return data

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "read", read)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "moving.md") == ["PL001"]


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "postlint", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


@pytest.mark.timeout(120)
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_exits_promptly(tmp_path: Path, sig: int, code: int) -> None:
    for i in range(1200):  # a run of several seconds: the signal comes in the middle
        write(tmp_path / "site" / f"p{i}.md", GOOD + ("Paragraph with May 5, 2020 and three steps.\n\n" * 300))
    proc = _spawn(["--offline", "--jobs", "2", "site"], tmp_path)
    time.sleep(1.0)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    if proc.returncode in (0, 1):
        pytest.skip("the run finished before the signal arrived")
    assert proc.returncode == code
    assert b"Traceback" not in err


def test_an_interrupt_after_the_outcome_is_ignored(tmp_path: Path) -> None:
    # Ctrl-C as the run ends would otherwise be a traceback from the interpreter's shutdown.
    post = write(tmp_path / "p.md", GOOD)
    code = (f"import signal, sys; from postlint.cli import main; sys.argv = ['postlint', '--offline', {str(post)!r}]\n"
            "try: main()\nexcept SystemExit as exc: print(exc.code, signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.stdout.split() == ["0", "True"], out.stderr


@pytest.mark.timeout(120)
def test_two_runs_at_once_on_one_cache(tmp_path: Path) -> None:
    for i in range(60):
        write(tmp_path / "site" / f"p{i}.md", GOOD + "![x](missing.png)\n")
    env_cache = ["--cache-dir", str(tmp_path / "cache")] if "--cache-dir" in _help() else []
    procs = [_spawn(["--offline", "--output-format", "json", *env_cache, "site"], tmp_path) for _ in range(2)]
    outs = [p.communicate(timeout=90) for p in procs]
    assert [p.returncode for p in procs] == [1, 1] or [p.returncode for p in procs] == [0, 0]
    assert outs[0][0] == outs[1][0]
    assert all(b"Traceback" not in err for _, err in outs)


def _help() -> str:
    return subprocess.run([sys.executable, "-m", "postlint", "--help"], cwd=REPO, capture_output=True, text=True).stdout


@pytest.mark.timeout(120)
def test_content_files_are_never_written(tmp_path: Path, run_cli) -> None:
    import shutil

    site = tmp_path / "site"
    shutil.copytree(REPO / "examples", site / "examples")
    shutil.copytree(REPO / "tests" / "fixtures", site / "fixtures", ignore=shutil.ignore_patterns("*.fifo"))

    def snapshot() -> dict[str, bytes]:
        return {str(p): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file() and not p.is_symlink()}

    before = snapshot()
    for fmt in _formats():
        if fmt == "github":
            continue
        res = run_cli("--offline", "--select", "ALL", "--output-format", fmt, "--output-file", str(tmp_path / f"out.{fmt}"), str(site))
        assert "Traceback" not in res.stderr
    assert snapshot() == before


@pytest.mark.timeout(60)
def test_parser_panic_is_a_finding(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyromark

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic: not an Exception
        pass

    real = pyromark.events_with_range

    def events(text: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if "PANIC" in text:
            raise PanicException("explicit panic")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(pyromark, "events_with_range", events)
    write(tmp_path / "boom.md", GOOD + "PANIC\n")
    write(tmp_path / "ok.md", GOOD)
    res = _run(run_cli, tmp_path)
    assert _codes_for(res, "boom.md") == ["PL005"]
    assert _codes_for(res, "ok.md") == []
