"""File discovery: which files, in what order, shown how."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postlint.config import ConfigResolver
from postlint.files import collect
from tests.conftest import write


@pytest.fixture
def site(tmp_path: Path) -> Path:
    for rel in ("b.md", "a/x.md", "a/deep/y.markdown", "a/skip.txt", "node_modules/n.md", "c/z.md"):
        write(tmp_path / "site" / rel, "Text.\n")
    return tmp_path / "site"


@pytest.mark.parametrize(
    ("cwd", "arg", "shown"),
    [
        # A folder's files, then its folders, each in name order.
        ("site", ".", ["b.md", "a/x.md", "a/deep/y.markdown", "c/z.md"]),
        ("site", "./a/", ["a/x.md", "a/deep/y.markdown"]),
        (".", "site", ["site/b.md", "site/a/x.md", "site/a/deep/y.markdown", "site/c/z.md"]),
        ("site/a", "..", ["../b.md", "x.md", "deep/y.markdown", "../c/z.md"]),  # the folder is above cwd
        ("site/a/deep", "../../c", ["../../c/z.md"]),
    ],
)
def test_files_are_found_in_order_and_shown_relative_to_cwd(
    site: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, arg: str, shown: list[str]
) -> None:
    monkeypatch.chdir(site.parent / cwd if cwd != "site" else site)
    targets = collect([Path(arg)], ConfigResolver(None, True, {}))
    assert [t.display for t in targets] == shown
    for t in targets:  # the path as Path would join it, and the same file as shown
        assert t._path == str(Path(arg) / Path(t._path).relative_to(arg))
        assert Path(t._path).resolve() == Path(t.display).resolve()


_pattern_lines = st.lists(
    st.sampled_from(
        [".git", "node_modules", "_site", "drafts", "a.md", "b", ".", "..", "", "# comment", "*.tmp", "drafts/", "/b",
         "x/*.md", "**/old", "!keep.md", "!b", "c?.md", "[ab].md", " b", "b ", "\\#x", "a\\ b", "docs/draft.md",
         "*.md", "*.tmp/", "b/", "x/", "*", "*/", "*.", "*d", "**", "*.md/", ".git/", "*/x", "*.m?", "*\\#x", "*b ", "./", "../"]
    ),
    max_size=6,
)
_paths = st.lists(st.sampled_from(["a.md", "b", "drafts", "x", "old", "keep.md", "c1.md", "docs", "draft.md", ".git", "#x", "a b", "B", "y.tmp", ".md", "d"]), min_size=1, max_size=4).map(
    "/".join
)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(_pattern_lines, _paths, st.booleans())
def test_plain_name_patterns_match_as_pathspec_does(lines: list[str], path: str, is_dir: bool) -> None:
    """Plain names and suffix globs, for anything or folders only, skip pathspec: the answer must be
    pathspec's for every pattern set."""
    from pathspec import GitIgnoreSpec

    from postlint.files import _Patterns

    rel = path + "/" if is_dir else path
    assert _Patterns(tuple(lines)).match_file(rel) == GitIgnoreSpec.from_lines(lines).match_file(rel)
