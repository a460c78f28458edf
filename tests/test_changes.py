"""Changed-files mode (--changed-since), changed-lines filtering (--only-changed-lines) and --shard, on local git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from postlint.changes import Shard
from tests.conftest import write

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@example.com")
    git(path, "config", "user.name", "test")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def post(title: str, body: str = "Text.\n") -> str:
    return f"---\ntitle: {title}\n---\n\n{body}"


@pytest.fixture(autouse=True)
def _fresh_listings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folder listings are read once per process: each test's repository changes files under the same names."""
    from postlint.extract import images

    monkeypatch.setattr(images, "_listings", images.Listings())
    monkeypatch.setattr(images, "_sniffed", {})


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: four posts and their images; branch pr: one post edited, one added, one renamed, one image deleted."""
    repo = init_repo(tmp_path / "site")
    write(repo / "posts" / "a.png", PNG)
    write(repo / "posts" / "b.png", PNG)
    write(repo / "posts" / "keep.md", post("Keep", "![alt a](a.png)\n"))  # unchanged, shows a.png
    write(repo / "posts" / "edit.md", post("Edit", "![](old-missing.png)\n\nLine.\n"))  # old finding on line 5
    write(repo / "posts" / "move.md", post("Move"))
    write(repo / "posts" / "other.md", post("Other", "![alt b](b.png)\n"))  # unchanged, shows b.png (kept)
    commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "pr")
    (repo / "posts" / "a.png").unlink()
    write(repo / "posts" / "edit.md", post("Edit", "![](old-missing.png)\n\nLine changed ![](new-missing.png)\n"))
    write(repo / "posts" / "new.md", post("New", "![](nope.png)\n"))
    git(repo, "mv", "posts/move.md", "posts/moved.md")
    commit(repo, "pr")
    monkeypatch.chdir(repo)
    return repo


def paths(res) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["path"] for f in res.findings}


def files_linted(run_cli, *args: str) -> int:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", *args)
    assert res.exit_code in (0, 1), res.stderr
    import json

    return json.loads(res.stdout)["files"]


def test_changed_since_lints_changed_and_broken_posts(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--changed-since", "main")
    assert res.exit_code == 1, res.stderr
    # edit.md modified, new.md added, moved.md renamed (followed), keep.md broken by the deleted a.png;
    # other.md unchanged and its image still there.
    assert files_linted(run_cli, "--changed-since", "main") == 4
    assert ("IMG001", 5) in [(f["code"], f["line"]) for f in res.findings if f["path"] == "posts/keep.md"]
    assert paths(res) == {"posts/keep.md", "posts/edit.md", "posts/new.md"}


def test_changed_since_uses_the_merge_base(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # main moves on after the branch point: its new post is not the pull request's change.
    git(site, "checkout", "-q", "main")
    write(site / "posts" / "later.md", post("Later", "![](later-missing.png)\n"))
    commit(site, "later on main")
    git(site, "checkout", "-q", "pr")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--changed-since", "main")
    assert "posts/later.md" not in paths(res)
    assert "posts/edit.md" in paths(res)


def test_changed_since_counts_uncommitted_and_untracked_posts(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    write(site / "posts" / "draft.md", post("Draft", "![](draft-missing.png)\n"))
    assert "posts/draft.md" in paths(run_cli("--offline", "--output-format", "json", "--jobs", "1", "--changed-since", "main"))


def test_changed_since_renamed_image_breaks_posts(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    git(site, "mv", "posts/b.png", "posts/b-renamed.png")
    commit(site, "rename image")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--changed-since", "main")
    assert ("posts/other.md", "IMG001", 5) in [(f["path"], f["code"], f["line"]) for f in res.findings]


def test_changed_since_no_change_lints_nothing(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--changed-since", "HEAD")
    assert res.exit_code == 0
    assert "no Markdown files" in res.stderr


def test_changed_since_honours_paths_and_excludes(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--changed-since", "main", "posts/new.md")
    assert paths(res) == {"posts/new.md"}


@pytest.mark.parametrize("option", ["--changed-since", "--only-changed-lines", "--new-findings-only"])
def test_unknown_ref_is_a_usage_error(site: Path, run_cli, option: str) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", option, "no-such-branch")
    assert res.exit_code == 2
    assert "unknown git revision 'no-such-branch'" in res.stderr


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "p.md", post("P"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    res = run_cli("--offline", "--changed-since", "main")
    assert res.exit_code == 2
    assert "not in a git repository" in res.stderr


def test_unrelated_histories_are_a_usage_error(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    git(site, "checkout", "-q", "--orphan", "island")
    commit(site, "unrelated")
    res = run_cli("--offline", "--changed-since", "main")
    assert res.exit_code == 2
    assert "no common ancestor" in res.stderr


@pytest.mark.parametrize("option", ["--only-changed-lines", "--new-findings-only"])
def test_only_changed_lines_keeps_findings_on_changed_lines(site: Path, run_cli, option: str) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", option, "main")
    got = {(f["path"], f["code"], f["line"]) for f in res.findings}
    assert ("posts/edit.md", "IMG001", 7) in got  # the changed line
    assert ("posts/edit.md", "IMG001", 5) not in got  # old problem, line untouched
    assert ("posts/new.md", "IMG001", 5) in got  # a new file: every line is new
    # keep.md's line did not change, but the change deleted the image it shows.
    assert ("posts/keep.md", "IMG001", 5) in got
    assert "not reported" in res.stderr


def test_only_changed_lines_counts_the_rest(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    from postlint.cli import HIDDEN_STAT

    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--statistics", "--only-changed-lines", "main")
    everything = run_cli("--offline", "--output-format", "json", "--jobs", "1")
    hidden = json.loads(res.stdout)["statistics"][HIDDEN_STAT]
    assert hidden > 0
    assert len(res.findings) + hidden == len(everything.findings)


def test_only_changed_lines_exit_code_follows_the_kept_findings(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    git(site, "checkout", "-q", "main")
    git(site, "checkout", "-q", "-b", "docs-only")
    write(site / "posts" / "edit.md", post("Edit", "![](old-missing.png)\n\nLine.\n\nA clean new paragraph.\n"))
    commit(site, "clean change")
    assert run_cli("--offline", "--jobs", "1").exit_code == 1
    res = run_cli("--offline", "--jobs", "1", "--only-changed-lines", "main")
    assert res.exit_code == 0, res.stdout


def test_only_changed_lines_combines_with_changed_since(site: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--changed-since", "main", "--only-changed-lines", "main")
    got = {(f["path"], f["code"], f["line"]) for f in res.findings}
    assert ("posts/edit.md", "IMG001", 5) not in got
    assert {("posts/edit.md", "IMG001", 7), ("posts/keep.md", "IMG001", 5)} <= got


# --------------------------------------------------------------------------- shards


def test_shards_are_disjoint_and_cover_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    for i in range(40):
        write(tmp_path / "posts" / f"p{i:02}.md", post(f"P{i}", f"![](missing-{i}.png)\n"))
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []
    sizes = []
    for k in range(1, 5):
        res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "IMG001", "--shard", f"{k}/4")
        assert res.exit_code in (0, 1), res.stderr
        shard_paths = [f["path"] for f in res.findings]
        seen += shard_paths
        sizes.append(json.loads(res.stdout)["files"])
    assert sorted(seen) == sorted(f"posts/p{i:02}.md" for i in range(40))  # every file once
    assert sum(sizes) == 40
    assert all(sizes), sizes  # 40 files over 4 shards: none empty with this hash


@pytest.mark.parametrize(("path", "owner"), [("a.md", 2), ("b.md", 3), ("posts/2024-01-01-x.md", 3), ("content/blog/hello.md", 2)])
def test_shard_membership_is_pinned(path: str, owner: int) -> None:
    # Pinned: another hash would move files between the shards (and caches) of a running matrix.
    assert [k for k in range(1, 5) if Shard(k, 4).holds(path)] == [owner]


def test_shard_one_of_one_is_everything() -> None:
    assert all(Shard(1, 1).holds(f"p{i}.md") for i in range(20))


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3"])
def test_bad_shard_is_a_usage_error(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "p.md", post("P"))
    monkeypatch.chdir(tmp_path)
    res = run_cli("--offline", "--shard", text)
    assert res.exit_code == 2
    assert "--shard" in res.stderr
