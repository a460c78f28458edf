"""Configuration discovery, inheritance, validation, overrides and file selection."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from postlint.config import ConfigError, ConfigResolver, load_config_file
from tests.conftest import write

BROKEN = "---\ntitle: [oops\n---\n"


def test_closest_config_wins(tmp_path: Path, lint) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "pyproject.toml", '[tool.postlint]\nignore = ["FM002"]\n')
    write(tmp_path / "site-b" / ".postlint.toml", "select = ['FM']\n")
    write(tmp_path / "site-a" / "posts" / "a.md", BROKEN)
    write(tmp_path / "site-b" / "posts" / "b.md", BROKEN)
    codes = lint(tmp_path)
    assert codes == [("FM002", 2)]  # only site-b's post: site-a inherits the root's ignore


def test_pyproject_without_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / "postlint.toml", "ignore = ['FM002']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    s = ConfigResolver().for_path(tmp_path / "sub" / "a.md")
    assert s.ignore == ("FM002",) and s.path == (tmp_path / "postlint.toml").resolve()


def test_search_stops_at_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "postlint.toml", "ignore = ['FM002']\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    s = ConfigResolver().for_path(tmp_path / "repo" / "a.md")
    assert s.ignore == () and s.path is None


def test_extend(tmp_path: Path) -> None:
    write(tmp_path / "base.toml", "ignore = ['FM002']\nextensions = ['.md', '.mdx']\n")
    write(tmp_path / "site" / "postlint.toml", "extend = '../base.toml'\nselect = ['FM']\n")
    s = load_config_file(tmp_path / "site" / "postlint.toml")
    assert s.ignore == ("FM002",) and s.select == ("FM",) and s.extensions == (".md", ".mdx")
    assert s.root == (tmp_path / "site").resolve()


def test_extend_cycle(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", "extend = 'b.toml'\n")
    write(tmp_path / "b.toml", "extend = 'a.toml'\n")
    with pytest.raises(ConfigError, match="extends itself"):
        load_config_file(tmp_path / "a.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("selct = ['FM']\n", "unknown configuration key selct"),
        ("[dates]\nbogus = 1\n", "unknown configuration key dates.bogus"),
        ("extensions = 'md'\n", "invalid value for extensions"),
        ("[severity]\nFM002 = 'fatal'\n", "invalid value for severity.FM002"),
        ("select = [\n", "not valid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, run_cli, text: str, message: str) -> None:
    write(tmp_path / "postlint.toml", text)
    write(tmp_path / "a.md", "x\n")
    res = run_cli(str(tmp_path))
    assert res.exit_code == 2
    assert message in res.stderr and "Traceback" not in res.stderr


def test_unknown_rule_in_config(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "postlint.toml", "select = ['NOPE']\n")
    write(tmp_path / "a.md", "x\n")
    res = run_cli(str(tmp_path))
    assert res.exit_code == 2 and "unknown rule code or name: NOPE" in res.stderr


def test_config_flag_and_no_config(tmp_path: Path, lint) -> None:
    write(tmp_path / "postlint.toml", "ignore = ['FM002']\n")
    write(tmp_path / "other.toml", "select = ['PL']\n")
    p = write(tmp_path / "a.md", BROKEN)
    assert lint(p) == []
    assert lint("--no-config", p) == [("FM002", 2)]
    write(tmp_path / "strict.toml", "select = ['FM']\n")
    assert lint("--config", tmp_path / "strict.toml", p) == [("FM002", 2)]
    assert lint("--config", tmp_path / "other.toml", p) == []


def test_per_file_ignores_and_overrides(tmp_path: Path, lint) -> None:
    write(
        tmp_path / "postlint.toml",
        '[per-file-ignores]\n"legacy/**" = ["FM002"]\n\n[[overrides]]\npaths = ["drafts/*.md"]\nignore = ["FM"]\n',
    )
    write(tmp_path / "legacy" / "old" / "a.md", BROKEN)
    write(tmp_path / "drafts" / "b.md", BROKEN)
    write(tmp_path / "posts" / "c.md", BROKEN)
    assert lint(tmp_path) == [("FM002", 2)]


def test_include_and_command_line_paths(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "postlint.toml", "include = ['content/**/*.md']\n")
    write(tmp_path / "content" / "a.md", BROKEN)
    write(tmp_path / "other" / "b.md", BROKEN)
    monkeypatch.chdir(tmp_path)
    res = run_cli("--output-format", "json")
    assert [f["path"] for f in res.findings] == ["content/a.md"]
    res = run_cli("--output-format", "json", "other")  # paths replace includes
    assert [f["path"] for f in res.findings] == ["other/b.md"]


def test_extensions_exclude_and_gitignore(tmp_path: Path, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".gitignore", "generated/\n*.tmp.md\n")
    write(tmp_path / "postlint.toml", "extensions = ['.md', '.mdx']\nexclude = ['vendor/']\n")
    for name in ("a.md", "b.MARKDOWN", "c.mdx", "d.txt", "x.tmp.md", "generated/e.md", "vendor/f.md", "node_modules/g.md", "sub/h.md"):
        write(tmp_path / name, BROKEN)
    write(tmp_path / "sub" / ".gitignore", "h.md\n")
    monkeypatch.chdir(tmp_path)
    res = run_cli("--output-format", "json", ".")
    assert sorted(f["path"] for f in res.findings) == ["a.md", "c.mdx"]
