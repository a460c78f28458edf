"""The command line: every option, exit codes, output formats."""

from __future__ import annotations

import json
from pathlib import Path

from postlint import __version__
from tests.conftest import EXAMPLE_POST, write

BROKEN = "---\ntitle: [oops\n---\nText\n"


def test_example_post_is_clean(run_cli) -> None:
    res = run_cli("--offline", "--no-config", str(EXAMPLE_POST))
    assert res.exit_code == 0, res.stdout
    assert res.stdout == ""
    assert "No problems found in 1 file." in res.stderr


def test_text_output_and_summary(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "a.md", BROKEN)
    res = run_cli("--offline", "--color", "never", str(tmp_path))
    assert res.exit_code == 1
    line = res.stdout.strip()
    assert line.endswith("FM002 YAML front-matter does not parse: did not find expected ',' or ']' (while parsing a flow sequence)")
    assert ":2:8: " in line
    assert "1 problem (1 error) in 1 of 1 file." in res.stderr


def test_json_output(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "a.md", BROKEN)
    res = run_cli("--offline", "--output-format", "json", str(tmp_path / "a.md"))
    doc = json.loads(res.stdout)
    assert doc["version"] == 1
    [f] = doc["findings"]
    assert set(f) >= {"path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message", "fingerprint"}
    assert (f["code"], f["name"], f["severity"], f["line"], f["column"]) == ("FM002", "front-matter-syntax", "error", 2, 8)


def test_fingerprint_survives_line_shifts(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "a.md", BROKEN)
    first = run_cli("--output-format", "json", str(p)).findings[0]["fingerprint"]
    write(p, BROKEN.replace("---\n", "---\n# a comment\n# another\n", 1))
    second = run_cli("--output-format", "json", str(p)).findings
    assert second[0]["line"] == 4 and second[0]["fingerprint"] == first


def test_output_file_and_quiet(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "a.md", BROKEN)
    out = tmp_path / "report.json"
    res = run_cli("-q", "--output-format", "json", "--output-file", str(out), str(tmp_path / "a.md"))
    assert res.exit_code == 1 and res.stdout == "" and res.stderr == ""
    assert json.loads(out.read_text())["findings"][0]["code"] == "FM002"


def test_select_ignore_extend_select(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "a.md", BROKEN)
    assert run_cli("--ignore", "FM002", str(p)).exit_code == 0
    assert run_cli("--ignore", "FM", str(p)).exit_code == 0
    assert run_cli("--ignore", "front-matter-syntax", str(p)).exit_code == 0
    assert run_cli("--select", "PL", str(p)).exit_code == 0
    assert run_cli("--select", "PL", "--extend-select", "FM002", str(p)).exit_code == 1
    res = run_cli("--select", "NOPE1", str(p))
    assert res.exit_code == 2 and "unknown rule code or name in --select: NOPE1" in res.stderr


def test_exit_zero_and_fail_on(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "a.md", BROKEN)
    assert run_cli("--exit-zero", str(p)).exit_code == 0
    assert run_cli("--fail-on", "warning", str(p)).exit_code == 1


def test_color(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "a.md", BROKEN)
    assert "\x1b[" in run_cli("--color", "always", str(p)).stdout
    assert "\x1b[" not in run_cli("--color", "never", str(p)).stdout
    assert "\x1b[" not in run_cli(str(p)).stdout  # not a TTY


def test_statistics(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "a.md", BROKEN)
    write(tmp_path / "b.md", BROKEN)
    res = run_cli("--statistics", str(tmp_path))
    assert "     2  FM002     front-matter-syntax" in res.stdout


def test_list_rules_explain_version(run_cli) -> None:
    res = run_cli("--list-rules")
    assert res.exit_code == 0 and "FM002" in res.stdout and "front-matter-syntax" in res.stdout
    res = run_cli("--explain", "front-matter-syntax")
    assert res.exit_code == 0 and res.stdout.startswith("# FM002 front-matter-syntax")
    assert "## Why is this bad?" in res.stdout
    assert run_cli("--explain", "XX1").exit_code == 2
    assert __version__ in run_cli("--version").stdout


def test_show_config(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "postlint.toml", 'ignore = ["FM002"]\n')
    res = run_cli("--show-config", "--ignore", "PL001", str(tmp_path))
    assert res.exit_code == 0
    assert "ignore = ['FM002', 'PL001']  # command line" in res.stdout
    assert "extensions = ['.md', '.markdown']  # default" in res.stdout


def test_stdin_filename(tmp_path: Path, run_cli) -> None:
    res = run_cli("--stdin-filename", "posts/a.md", "--output-format", "json", input=BROKEN)
    assert res.exit_code == 1
    assert res.findings[0]["path"] == "posts/a.md" and res.findings[0]["line"] == 2


def test_no_files(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "notes.txt", "x")
    res = run_cli(str(tmp_path))
    assert res.exit_code == 0 and "no Markdown files to lint" in res.stderr
    assert run_cli("--strict", str(tmp_path)).exit_code == 2


def test_missing_path_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    res = run_cli(str(tmp_path / "nope"))
    assert res.exit_code == 2 and "path does not exist" in res.stderr and "Traceback" not in res.stderr


def test_offline_skips_network_rules(tmp_path: Path, run_cli, monkeypatch) -> None:
    import postlint.rules
    from postlint import engine
    from postlint.registry import Registry, Report, Rule

    class Online(Rule):
        """Needs the network (a test rule)."""

        code = "PL092"
        name = "test-online"
        needs_network = True

        def check(self, doc, ctx):  # type: ignore[no-untyped-def]
            yield Report(1, 1, "checked online")

    monkeypatch.setattr(postlint.rules, "REGISTRY", Registry([*postlint.rules.ALL_RULES, Online]))
    monkeypatch.setattr(engine, "_selections", {})
    p = write(tmp_path / "a.md", "text\n")
    assert run_cli("--output-format", "json", str(p)).codes == [("PL092", 1)]
    assert run_cli("--offline", "--output-format", "json", str(p)).codes == []


def test_force_exclude(tmp_path: Path, run_cli) -> None:
    p = write(tmp_path / "drafts" / "a.md", BROKEN)
    write(tmp_path / "postlint.toml", 'exclude = ["drafts/"]\n')
    assert run_cli(str(tmp_path)).exit_code == 0  # the folder walk skips it
    assert run_cli(str(p)).exit_code == 1  # named explicitly: linted
    res = run_cli("--force-exclude", str(p))
    assert res.exit_code == 0 and "no Markdown files" in res.stderr
