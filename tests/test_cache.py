"""Tests for the on-disk cache: TTLs with an injected clock, versions, corruption, kills, races."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from postlint import __version__
from postlint.cache import (
    CACHE_DIR_NAME,
    Cache,
    CacheMode,
    resolve_cache_dir,
)

REPO = Path(__file__).resolve().parent.parent
HANG_GUARD = 30  # seconds for any child process


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path, clock: Clock) -> Cache:
    return Cache(tmp_path / CACHE_DIR_NAME, clock=clock)


def entries(cache: Cache) -> list[Path]:
    return sorted(cache.root.glob("*/*/*.entry"))


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


# --------------------------------------------------------------------------- the folder

def test_cache_dir_precedence(tmp_path: Path) -> None:
    assert resolve_cache_dir(tmp_path, environ={}) == tmp_path.absolute() / ".postlint_cache"
    assert resolve_cache_dir(tmp_path, environ={"POSTLINT_CACHE_DIR": str(tmp_path / "env")}) \
        == tmp_path / "env"
    assert resolve_cache_dir(tmp_path, tmp_path / "cli",
                             environ={"POSTLINT_CACHE_DIR": str(tmp_path / "env")}) == tmp_path / "cli"
    assert resolve_cache_dir(tmp_path, environ={}, config_value=tmp_path / "conf") == tmp_path / "conf"
    assert resolve_cache_dir(tmp_path, environ={"POSTLINT_CACHE_DIR": str(tmp_path / "env")},
                             config_value=tmp_path / "conf") == tmp_path / "env"
    opened = Cache.open(tmp_path, no_cache=True, environ={})
    assert opened.mode is CacheMode.OFF and opened.root == tmp_path.absolute() / ".postlint_cache"
    assert Cache.open(tmp_path, refresh=True, environ={}).mode is CacheMode.REFRESH


def test_folder_is_created_on_first_write_with_a_gitignore(cache: Cache) -> None:
    store = cache.store("results")
    assert store.get_json("k") is None
    assert not cache.root.exists()  # reading creates nothing
    store.put_json("k", {"a": [1, 2]})
    assert (cache.root / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache.root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert store.get_json("k") == {"a": [1, 2]}


def test_bytes_json_ttl_and_delete(cache: Cache, clock: Clock) -> None:
    store = cache.store("generic")
    store.put_bytes("b", b"\x00\xffraw")
    store.put_json("j", "text", ttl=10)
    assert store.get_bytes("b") == b"\x00\xffraw" and store.get_json("b") is None
    assert store.get_json("j") == "text" and store.get_bytes("j") is None
    clock.now += 10
    assert store.get_json("j") is None and store.get_bytes("b") == b"\x00\xffraw"
    store.delete("b")
    assert store.get_bytes("b") is None
    other = cache.store("other")
    other.put_json("b", 1)
    assert store.get_json("b") is None and other.get_json("b") == 1  # namespaces do not mix
    with pytest.raises(ValueError):
        cache.store("../escape")


# --------------------------------------------------------------------------- URL TTLs

def test_url_results_are_kept_by_outcome(cache: Cache, clock: Clock) -> None:
    urls = cache.urls
    urls.put("https://a/ok.png", {"status": 200}, "success")
    urls.put("https://a/gone.png", {"status": 404}, "permanent")
    urls.put("https://a/busy.png", {"status": 503}, "transient")
    start = clock.now
    assert urls.get("https://a/ok.png").value == {"status": 200}  # type: ignore[union-attr]
    assert urls.get("https://a/gone.png").outcome == "permanent"  # type: ignore[union-attr]
    assert urls.get("https://a/busy.png") is None  # transient outcomes are never stored
    clock.now = start + 59 * 60
    assert urls.get("https://a/gone.png") is not None
    clock.now = start + 60 * 60
    assert urls.get("https://a/gone.png") is None
    assert urls.get("https://a/ok.png") is not None
    clock.now = start + 24 * 60 * 60 - 1
    assert urls.get("https://a/ok.png") is not None
    clock.now = start + 24 * 60 * 60
    assert urls.get("https://a/ok.png") is None
    with pytest.raises(ValueError):
        urls.put("https://a/x", {}, "fine")


def test_a_transient_failure_drops_an_older_verdict(cache: Cache) -> None:
    cache.urls.put("https://a/x.png", {"status": 200}, "success")
    cache.urls.put("https://a/x.png", {"status": 500}, "transient")
    assert cache.urls.get("https://a/x.png") is None


def test_an_unchecked_url_keeps_its_older_verdict(cache: Cache) -> None:
    cache.urls.put("https://a/x.png", {"status": 200}, "success")
    cache.urls.put("https://a/x.png", {"error": "offline"}, "unchecked")
    assert cache.urls.get("https://a/x.png").value == {"status": 200}  # type: ignore[union-attr]


def test_entries_from_the_future_are_not_trusted(cache: Cache, clock: Clock) -> None:
    cache.urls.put("https://a/x.png", {"status": 200}, "success")
    clock.now -= 3600  # the system clock was set back
    assert cache.urls.get("https://a/x.png") is None


def test_remote_schemas_are_fresh_for_a_day_and_usable_stale(cache: Cache, clock: Clock) -> None:
    cache.schemas.put("https://s/post.json", b'{"type": "object"}')
    assert cache.schemas.get("https://s/post.json") == b'{"type": "object"}'
    clock.now += 24 * 60 * 60
    assert cache.schemas.get("https://s/post.json") is None
    assert cache.schemas.get("https://s/post.json", allow_stale=True) == b'{"type": "object"}'


# --------------------------------------------------------------------------- modes

def test_no_cache_reads_and_writes_nothing(tmp_path: Path, clock: Clock) -> None:
    root = tmp_path / "c"
    Cache(root, clock=clock).urls.put("u", {"s": 200}, "success")
    off = Cache(root, mode="off", clock=clock)
    assert off.urls.get("u") is None
    off.store("results").put_json("k", 1)
    assert not (root / "results").exists()
    fresh = tmp_path / "never"
    Cache(fresh, mode=CacheMode.OFF).urls.put("u", {}, "success")
    assert not fresh.exists()


def test_refresh_ignores_old_entries_and_writes_new_ones(tmp_path: Path, clock: Clock) -> None:
    root = tmp_path / "c"
    Cache(root, clock=clock).urls.put("u", {"v": "old"}, "success")
    refresh = Cache(root, mode=CacheMode.REFRESH, clock=clock)
    assert refresh.urls.get("u") is None
    refresh.urls.put("u", {"v": "new"}, "success")
    assert Cache(root, clock=clock).urls.get("u").value == {"v": "new"}  # type: ignore[union-attr]


def test_clear_removes_every_entry(cache: Cache) -> None:
    cache.urls.put("u", 1, "success")
    cache.store("results").put_json("k", 1)
    cache.clear()
    assert entries(cache) == [] and cache.urls.get("u") is None
    cache.urls.put("u", 2, "success")
    assert (cache.root / ".gitignore").exists()


# --------------------------------------------------------------------------- versions, corruption

def test_entries_of_another_version_are_ignored_silently(tmp_path: Path, clock: Clock,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "c"
    Cache(root, clock=clock, version="0.0.1").urls.put("u", {"v": 1}, "success")
    with caplog.at_level(logging.WARNING, logger="postlint.cache"):
        current = Cache(root, clock=clock)
        assert current.urls.get("u") is None
        current.urls.put("u", {"v": 2}, "success")
        assert current.urls.get("u").value == {"v": 2}  # type: ignore[union-attr]
    assert caplog.records == []
    assert Cache(root, clock=clock).version == __version__


def _rewrite(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(b"\x00\x01 not an entry")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(data[: len(data) - 5])
    elif how == "header-cut":
        path.write_bytes(data[:20])
    elif how == "flipped":
        path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    elif how == "bad-json-header":
        head, _, rest = data.partition(b"\n")
        path.write_bytes(head + b"\n{not json\n" + rest.partition(b"\n")[2])


@pytest.mark.parametrize("how", ["garbage", "empty", "truncated", "header-cut", "flipped",
                                 "bad-json-header"])
def test_a_corrupt_entry_is_discarded_with_a_warning(cache: Cache, how: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    cache.urls.put("https://a/x.png", {"status": 200, "pad": "x" * 100}, "success")
    (path,) = entries(cache)
    _rewrite(path, how)
    with caplog.at_level(logging.WARNING, logger="postlint.cache"):
        assert cache.urls.get("https://a/x.png") is None
    assert "corrupt" in caplog.text
    assert not path.exists()
    cache.urls.put("https://a/x.png", {"status": 200}, "success")
    assert cache.urls.get("https://a/x.png") is not None


def test_an_entry_copied_from_another_key_is_not_trusted(cache: Cache,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    store = cache.store("results")
    store.put_json("a", "for a")
    store.put_json("b", "for b")
    path_a, path_b = store._path("a"), store._path("b")
    path_b.write_bytes(path_a.read_bytes())
    with caplog.at_level(logging.WARNING, logger="postlint.cache"):
        assert store.get_json("b") is None
    assert "another key" in caplog.text


def test_a_wholly_corrupt_cache_warns_a_bounded_number_of_times(
        cache: Cache, caplog: pytest.LogCaptureFixture) -> None:
    store = cache.store("results")
    for i in range(20):
        store.put_json(str(i), i)
    for path in entries(cache):
        path.write_bytes(b"junk")
    with caplog.at_level(logging.WARNING, logger="postlint.cache"):
        assert all(store.get_json(str(i)) is None for i in range(20))
    assert len(caplog.records) <= 6


def test_an_unwritable_folder_turns_writing_off_with_one_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = Cache(blocker / "cache")
    with caplog.at_level(logging.WARNING, logger="postlint.cache"):
        for i in range(3):
            cache.urls.put(f"u{i}", 1, "success")
            assert cache.urls.get(f"u{i}") is None
    assert len(caplog.records) == 1 and not cache.writes


# --------------------------------------------------------------------------- processes

WRITER = textwrap.dedent("""
    import hashlib, sys
    from postlint.cache import Cache
    cache = Cache(sys.argv[1])
    store = cache.store("results")
    i = 0
    while True:
        pad = str(i % 10) * (4 * 1024 * 1024)  # big enough that a kill lands mid-write
        store.put_json("big", {"i": i, "pad": pad, "check": hashlib.sha256(pad.encode()).hexdigest()})
        if i == 0:
            print("written", flush=True)
        i += 1
""")


def _check_big(value: object) -> None:
    import hashlib

    assert isinstance(value, dict)
    assert hashlib.sha256(value["pad"].encode()).hexdigest() == value["check"]
    assert len(value["pad"]) == 4 * 1024 * 1024


def test_a_writer_killed_midway_leaves_a_complete_entry(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "c"
    for delay in (0.0, 0.05, 0.13):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], stdout=subprocess.PIPE,
                                 env=child_env(), cwd=tmp_path)
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == b"written\n"
            time.sleep(delay)  # somewhere in a later write, never a timing assertion
        finally:
            child.kill()
            child.wait(HANG_GUARD)
        with caplog.at_level(logging.WARNING, logger="postlint.cache"):
            _check_big(Cache(root).store("results").get_json("big"))
        assert caplog.records == []


KILLED_BEFORE_RENAME = textwrap.dedent("""
    import os, sys, time
    import postlint.cache as cache_module
    store = cache_module.Cache(sys.argv[1]).store("results")
    store.put_json("k", "old")
    def stuck(src, dst):
        print("temporary written", flush=True)
        time.sleep(60)
    cache_module.os.replace = stuck
    store.put_json("k", "new")
""")


def test_a_writer_killed_before_renaming_leaves_the_old_entry(tmp_path: Path) -> None:
    root = tmp_path / "c"
    child = subprocess.Popen([sys.executable, "-c", KILLED_BEFORE_RENAME, str(root)],
                             stdout=subprocess.PIPE, env=child_env(), cwd=tmp_path)
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"temporary written\n"
    finally:
        child.kill()
        child.wait(HANG_GUARD)
    store = Cache(root).store("results")
    assert store.get_json("k") == "old"
    (leftover,) = root.glob("results/*/.tmp-*")
    # Old leftovers are swept on a later write; young ones may belong to a live writer.
    store.put_json("k2", 1)
    assert leftover.exists()
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    Cache(root).store("results").put_json("k3", 1)
    assert not leftover.exists()


RACER = textwrap.dedent("""
    import hashlib, logging, sys
    from postlint.cache import Cache
    problems = []
    class Catch(logging.Handler):
        def emit(self, record):
            problems.append(record.getMessage())
    logging.getLogger("postlint.cache").addHandler(Catch())
    cache = Cache(sys.argv[1])
    me = sys.argv[2]
    store, urls = cache.store("results"), cache.urls
    for i in range(300):
        key = f"shared-{i % 7}"
        pad = me * (1 + (i * 7919) % 20000)
        store.put_json(key, {"who": me, "pad": pad, "check": hashlib.sha256(pad.encode()).hexdigest()})
        urls.put(f"https://x/{i % 5}", {"who": me, "i": i}, "success")
        got = store.get_json(f"shared-{(i + 3) % 7}")
        if got is not None and hashlib.sha256(got["pad"].encode()).hexdigest() != got["check"]:
            problems.append("torn read")
        entry = urls.get(f"https://x/{(i + 2) % 5}")
        if entry is not None and set(entry.value) != {"who", "i"}:
            problems.append("bad url entry")
    print(len(problems), problems[:3], flush=True)
    sys.exit(1 if problems else 0)
""")


def test_two_concurrent_runs_share_the_cache_safely(tmp_path: Path) -> None:
    root = tmp_path / "c"
    children = [subprocess.Popen([sys.executable, "-c", RACER, str(root), name],
                                 stdout=subprocess.PIPE, env=child_env(), cwd=tmp_path)
                for name in ("a", "b")]
    outputs = [child.communicate(timeout=HANG_GUARD)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    store = Cache(root).store("results")
    for i in range(7):
        value = store.get_json(f"shared-{i}")
        assert value is not None and value["who"] in ("a", "b")
    assert list(root.glob("*/*/.tmp-*")) == []
    assert json.loads(json.dumps(Cache(root).urls.get("https://x/0").value))["who"] in "ab"  # type: ignore[union-attr]
