"""Engine behaviour with a test rule: suppressions, crashes, severity, ordering under --jobs."""

from __future__ import annotations

import json

from collections.abc import Iterator
from pathlib import Path

import pytest

import postlint.rules
from postlint import engine
from postlint.document import Document
from postlint.registry import Context, Registry, Report, Rule
from tests.conftest import write


class Marker(Rule):
    """Flags the word BAD in prose (a test rule)."""

    code = "PL090"
    name = "test-marker"
    default_enabled = False

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        for b in doc.prose_blocks():
            i = b.text.find("BAD")
            while i != -1:
                yield Report.at(doc, b.offset_of(i), "BAD found; expected GOOD")
                i = b.text.find("BAD", i + 1)


class Crasher(Rule):
    """Always crashes (a test rule)."""

    code = "PL091"
    name = "test-crasher"
    default_enabled = False

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        raise ValueError("boom")


@pytest.fixture(autouse=True)
def test_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = Registry([*postlint.rules.ALL_RULES, Marker, Crasher])
    monkeypatch.setattr(postlint.rules, "REGISTRY", registry)
    monkeypatch.setattr(engine, "_selections", {})


def test_marker_rule_reports(tmp_path: Path, lint) -> None:
    p = write(tmp_path / "p.md", "BAD\n\ntext BAD\n")
    assert lint(p, "--select", "PL090") == [("PL090", 1), ("PL090", 3)]


def test_disable_next_line_and_ranges(tmp_path: Path, lint) -> None:
    p = write(
        tmp_path / "p.md",
        "<!-- postlint-disable-next-line PL090 -->\nBAD\n\nBAD\n\n<!-- postlint-disable test-marker -->\n\nBAD\n\n<!-- postlint-enable -->\n\nBAD\n",
    )
    assert lint(p, "--select", "PL090") == [("PL090", 4), ("PL090", 12)]


def test_disable_file(tmp_path: Path, lint) -> None:
    p = write(tmp_path / "p.md", "BAD\n\n<!-- postlint-disable-file -->\n\nBAD\n")
    assert lint(p, "--select", "PL090") == []


def test_yaml_comment_suppression(tmp_path: Path, lint) -> None:
    p = write(tmp_path / "p.md", "---\n# postlint: disable-next-line FM002\ntitle: [oops\n---\n")
    assert lint(p) == []
    p = write(tmp_path / "q.md", "---\ntitle: [oops\n---\n")
    assert lint(p) == [("FM002", 2)]


def test_unknown_code_in_suppression(tmp_path: Path, lint) -> None:
    p = write(tmp_path / "p.md", "<!-- postlint-disable-next-line DATE999 -->\nBAD\n")
    assert lint(p, "--select", "PL090,PL003") == [("PL003", 1), ("PL090", 2)]


def test_unused_suppression_only_when_asked(tmp_path: Path, lint) -> None:
    p = write(tmp_path / "p.md", "<!-- postlint-disable-next-line PL090 -->\nfine\n")
    assert lint(p, "--select", "PL090,PL003") == []
    assert lint(p, "--select", "PL090,PL003", "--report-unused-disables") == [("PL003", 1)]


def test_crashing_rule_is_a_finding(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "p.md", "BAD\n")
    res = run_cli("--select", "PL090,PL091", "--output-format", "json", str(p))
    assert res.exit_code == 1
    assert res.codes == [("PL004", 1), ("PL090", 1)]
    assert "PL091" in res.findings[0]["message"]
    res = run_cli("--select", "PL091", "--debug", str(p))
    assert "ValueError: boom" in res.stderr


def test_severity_table_and_fail_on(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "p.md", "BAD\n")
    write(tmp_path / "postlint.toml", 'select = ["PL090"]\n[severity]\nPL090 = "warning"\n')
    res = run_cli("--output-format", "json", str(p))
    assert res.exit_code == 0 and res.findings[0]["severity"] == "warning"
    assert run_cli("--fail-on", "warning", str(p)).exit_code == 1
    assert run_cli("--exit-zero", "--fail-on", "warning", str(p)).exit_code == 0


def test_order_is_deterministic_whatever_the_jobs(tmp_path: Path, run_cli) -> None:
    for i in range(40):
        write(tmp_path / f"d{i % 3}" / f"post-{i:02}.md", "x\n\n" * (i % 5) + "BAD\n\nBAD\n")
    one = run_cli("--select", "PL090", "--output-format", "json", "--jobs", "1", str(tmp_path))
    two = run_cli("--select", "PL090", "--output-format", "json", "--jobs", "2", str(tmp_path))
    assert one.exit_code == two.exit_code == 1
    assert one.stdout == two.stdout
    paths = [f["path"] for f in one.findings]
    assert paths == sorted(paths) and len(paths) == 80


def test_statistics_are_the_same_whatever_the_jobs(tmp_path: Path, run_cli) -> None:
    # Worker processes send each post's counters back with its result: none may be lost on the way.
    for i in range(40):
        write(tmp_path / f"post-{i:02}.md", f"---\ntitle: Post {i}\n---\n\n![a](https://example.com/{i % 7}.png)\n")
    args = ("--offline", "--statistics", "--output-format", "json", str(tmp_path))
    one = json.loads(run_cli("--jobs", "1", *args).stdout)["statistics"]
    two = json.loads(run_cli("--jobs", "2", *args).stdout)["statistics"]
    assert one == two and one["remote images: skipped (offline)"] == 7


def test_few_files_stay_in_process(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started for a handful of files")

    monkeypatch.setattr(engine, "_pool_map", no_pool)
    for i in range(3):
        write(tmp_path / f"p{i}.md", "BAD\n")
    res = run_cli("--select", "PL090", "--jobs", "2", str(tmp_path))
    assert res.exit_code == 1


def test_each_post_is_freed_as_soon_as_it_is_linted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command runs the cyclic garbage collector rarely (cli.main): that is only right while a
    # post and everything the rules derive from it is freed by reference counting alone.
    import gc
    import weakref

    from postlint import files
    from postlint.config import ConfigResolver
    from tests.conftest import FIXTURES

    loaded: list[weakref.ref] = []
    load = engine.load_document

    def watched(*args: object, **kwargs: object) -> Document:
        doc = load(*args, **kwargs)  # type: ignore[arg-type]
        loaded.append(weakref.ref(doc))
        return doc

    monkeypatch.setattr(engine, "load_document", watched)
    targets = files.collect([FIXTURES], ConfigResolver(no_config=True))
    assert len(targets) > 40
    run = engine.RunOptions(offline=True, jobs=1, no_cache=True)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for t in targets:
            engine.lint_target(t, run)
            assert loaded[-1]() is None, t.display  # freed on return, no collection needed
    finally:
        if enabled:
            gc.enable()
