"""The result cache: hits skip the work, and every input of a finding invalidates it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import postlint.document
import postlint.engine
from postlint import result_cache
from tests.conftest import write

POST = "---\ntitle: A post\n---\n![Diagram](diagram.png)\n"


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files actually loaded (parsed) in this test: a cache hit loads nothing."""
    seen: list[str] = []
    real = postlint.engine.load_document

    def load(path, display=None, **kw):  # type: ignore[no-untyped-def]
        seen.append(Path(path).name)
        return real(path, display, **kw)

    monkeypatch.setattr(postlint.engine, "load_document", load)
    return seen


def _codes(run_cli, *args: str | Path) -> list[tuple[str, int]]:
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", *map(str, args))
    assert res.exit_code in (0, 1), res.stderr
    return res.codes


def test_second_run_is_a_hit(tmp_path: Path, run_cli, loads: list[str]) -> None:
    write(tmp_path / "a.md", POST)
    write(tmp_path / "b.md", "---\ntitle: B\n---\nText.\n")
    first = _codes(run_cli, tmp_path)
    assert first == [("IMG001", 4)] and sorted(loads) == ["a.md", "b.md"]
    loads.clear()
    assert _codes(run_cli, tmp_path) == first
    assert loads == []


def test_edit_relints_only_that_file(tmp_path: Path, run_cli, loads: list[str]) -> None:
    a = write(tmp_path / "a.md", POST)
    write(tmp_path / "b.md", POST)
    _codes(run_cli, tmp_path)
    loads.clear()
    write(a, POST.replace("diagram.png", "other.png") + "\nmore\n")
    assert _codes(run_cli, tmp_path) == [("IMG001", 4), ("IMG001", 4)]
    assert loads == ["a.md"]


def test_touch_without_change_is_still_a_hit(tmp_path: Path, run_cli, loads: list[str]) -> None:
    a = write(tmp_path / "a.md", POST)
    _codes(run_cli, tmp_path)
    loads.clear()
    os.utime(a, ns=(1, 1))
    assert _codes(run_cli, tmp_path) == [("IMG001", 4)]
    assert loads == []


def test_image_added_and_removed(tmp_path: Path, run_cli, loads: list[str]) -> None:
    write(tmp_path / "a.md", POST)
    assert _codes(run_cli, tmp_path) == [("IMG001", 4)]
    img = write(tmp_path / "diagram.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    assert _codes(run_cli, tmp_path) == []
    write(img, b"<html>not found</html>")
    assert _codes(run_cli, tmp_path) == [("IMG004", 4)]
    img.unlink()
    assert _codes(run_cli, tmp_path) == [("IMG001", 4)]


def test_config_change_invalidates(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "a.md", POST)
    assert _codes(run_cli, tmp_path) == [("IMG001", 4)]
    write(tmp_path / "postlint.toml", "ignore = ['IMG001']\n")
    assert _codes(run_cli, tmp_path) == []
    (tmp_path / "postlint.toml").unlink()
    assert _codes(run_cli, tmp_path) == [("IMG001", 4)]


def test_version_change_invalidates(tmp_path: Path, run_cli, loads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "a.md", POST)
    _codes(run_cli, tmp_path)
    loads.clear()
    monkeypatch.setattr(result_cache, "__version__", "99.0")
    _codes(run_cli, tmp_path)
    assert loads == ["a.md"]


def test_schema_change_invalidates(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "schema.json", '{"type": "object", "required": ["title"]}')
    write(tmp_path / "postlint.toml", "[front-matter]\nschema = 'schema.json'\n")
    write(tmp_path / "a.md", "---\nauthor: me\n---\nText.\n")
    assert _codes(run_cli, tmp_path) == [("FM001", 1)]
    write(tmp_path / "schema.json", '{"type": "object", "required": ["author"]}')
    assert _codes(run_cli, tmp_path) == []


def test_future_date_decided_each_run(tmp_path: Path, run_cli, loads: list[str]) -> None:
    write(tmp_path / "a.md", "---\ntitle: T\ndate: 2030-01-02\n---\nText.\n")
    assert _codes(run_cli, "--today", "2030-01-01", tmp_path) == [("FM005", 3)]
    loads.clear()
    assert _codes(run_cli, "--today", "2030-01-03", tmp_path) == []
    assert _codes(run_cli, "--today", "2029-12-31", tmp_path) == [("FM005", 3)]
    assert loads == []


def test_future_date_suppression_survives_the_cache(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "a.md", "---\ntitle: T\n# postlint: disable-next-line FM005\ndate: 2030-01-02\n---\nText.\n")
    assert _codes(run_cli, "--today", "2030-01-01", tmp_path) == []
    assert _codes(run_cli, "--today", "2030-01-01", tmp_path) == []


def test_corrupt_cache_is_ignored(tmp_path: Path, run_cli, loads: list[str]) -> None:
    write(tmp_path / "a.md", POST)
    _codes(run_cli, tmp_path)
    cache = Path(os.environ["POSTLINT_CACHE_DIR"])
    entries = [p for p in cache.rglob("*.entry")]
    assert entries
    for p in entries:
        p.write_bytes(p.read_bytes()[:40] + b"garbage")
    loads.clear()
    res = run_cli("--offline", "--output-format", "json", str(tmp_path))
    assert res.codes == [("IMG001", 4)] and loads == ["a.md"]
    assert "Traceback" not in res.stderr


def test_no_cache_bypasses(tmp_path: Path, run_cli, loads: list[str]) -> None:
    write(tmp_path / "a.md", POST)
    _codes(run_cli, tmp_path)
    loads.clear()
    _codes(run_cli, "--no-cache", tmp_path)
    assert loads == ["a.md"]
    loads.clear()
    _codes(run_cli, "--refresh-cache", tmp_path)
    assert loads == ["a.md"]
    loads.clear()
    _codes(run_cli, tmp_path)
    assert loads == []


def test_hits_under_jobs(tmp_path: Path, run_cli) -> None:
    for i in range(30):
        write(tmp_path / f"p{i:02}.md", POST)
    cold = run_cli("--offline", "--output-format", "json", "--jobs", "2", str(tmp_path))
    warm = run_cli("--offline", "--output-format", "json", "--jobs", "2", str(tmp_path))
    assert cold.stdout == warm.stdout and len(cold.findings) == 30


def test_a_hit_keeps_the_statistics_and_a_clean_post_stays_clean(tmp_path: Path, run_cli, loads: list[str]) -> None:
    write(tmp_path / "a.md", "---\ntitle: A\ndate: 2024-05-01\n---\n![x](https://example.com/x.png)\n")
    write(tmp_path / "b.md", "---\ntitle: B\n---\nText.\n")
    args = ("--offline", "--statistics", "--output-format", "json", "--jobs", "1", str(tmp_path))
    cold = run_cli(*args)
    assert sorted(loads) == ["a.md", "b.md"]
    loads.clear()
    warm = run_cli(*args)
    assert loads == [] and warm.stdout == cold.stdout and cold.findings == []
    assert '"remote images: skipped (offline)": 1' in cold.stdout


def test_an_entry_leaves_out_what_is_empty(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # A clean post's entry is its stat, digest and counters; a post with findings keeps them.
    monkeypatch.setenv("POSTLINT_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "site" / "a.md", POST)
    write(tmp_path / "site" / "b.md", "---\ntitle: B\n---\nText.\n")
    _codes(run_cli, tmp_path / "site")
    (entry_file,) = (tmp_path / "cache" / "results").rglob("*.entry")
    entries = {Path(k).name: v for k, v in json.loads(entry_file.read_bytes().split(b"\n", 2)[2]).items()}
    assert sorted(entries["b.md"]) == ["digest", "stat", "stats"]
    assert sorted(entries["a.md"]) == ["deps", "digest", "findings", "stat", "stats"]


def test_a_warm_run_runs_no_parser_extractor_or_schema_code(tmp_path: Path) -> None:
    # A run whose results all come from the cache imports the rule classes and nothing they parse
    # or check with: a cold run, then a warm one, each listing which of these ran.
    import subprocess
    import sys

    write(tmp_path / "site" / "a.md", POST)
    write(tmp_path / "site" / "b.md", "---\ntitle: B\ndate: 2024-05-01\n---\nText.\n")
    heavy = ("postlint.document", "postlint.yamlfm", "pyromark", "postlint.extract.images", "postlint.schema")
    code = (
        "import sys\nfrom postlint.cli import main\nfrom postlint._lazy import loaded\n"
        f"sys.argv = ['postlint', '--offline', '--no-config', '--jobs', '1', '--cache-dir', {str(tmp_path / 'cache')!r}, {str(tmp_path / 'site')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('ran:', *[m for m in {heavy!r} if loaded(m)], file=sys.stderr)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and "IMG001" in runs[0].stdout
    assert [r.stderr.splitlines()[-1].split()[1:] for r in runs] == [list(heavy), []]


def test_the_build_covers_every_c_module(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rebuilt C module is a new build: every one of them, sources and built modules, is in its id.
    seen: list[str] = []
    real = result_cache.stat_signature
    monkeypatch.setattr(result_cache, "_BUILD", None)
    monkeypatch.setattr(result_cache, "stat_signature", lambda p: seen.append(Path(p).name) or real(p))
    result_cache._build_id()
    package = Path(result_cache.__file__).parent
    c_files = sorted(p.name for p in package.iterdir() if p.suffix in (".c", ".h", ".so", ".pyd"))
    assert {"_blocks.c", "_textscan.c", "_yamlsimple.c", "_slots.h"} <= set(c_files)
    assert set(c_files) <= set(seen)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b c", "..", ".", "", "ü", "x.md"]), min_size=1, max_size=5).map("/".join),
    st.booleans(),
    st.sampled_from(["", "a", "a/b", "..", "elsewhere"]),
)
def test_paths_in_the_cache_are_relative_to_the_root_as_one_by_one(path: str, absolute: bool, root_under: str) -> None:
    # _rel works a folder out once and puts each file's name in its answer: the same path as
    # relative_posix gives the file itself.
    from postlint.config import Settings
    from postlint.engine import RunOptions, _ResultCaches
    from postlint.files import Target, relative_posix

    path = (os.getcwd() + "/" + path if absolute else path) + "/post.md"
    root = os.path.abspath(os.path.join(os.getcwd(), root_under))
    target = Target(path, path, Settings(root=Path(root)))
    caches = _ResultCaches(RunOptions())
    assert caches._rel(target) == relative_posix(os.path.join(os.getcwd(), path), root)
    assert caches._rel(target) == relative_posix(os.path.join(os.getcwd(), path), root)  # from its folder's memo
