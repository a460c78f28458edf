"""SARIF, GitHub annotations and the job summary: every field the outputs issue names."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator, FormatChecker

from postlint.finding import Finding, Severity
from postlint.registry import Registry, Rule
from postlint.reporters import REPORTERS, RunSummary, get
from postlint.reporters import github, sarif, summary
from postlint.reporters.location import repo_relative, repo_root
from postlint.rules import REGISTRY

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "reporters"
SARIF_SCHEMA = json.loads((HERE / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = Draft4Validator(SARIF_SCHEMA, format_checker=FormatChecker())
HAS_GIT = shutil.which("git") is not None


@pytest.fixture(autouse=True)
def _github_free_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests may run inside GitHub Actions themselves: start every test outside it.
    for var in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_SERVER_URL", "PRE_COMMIT", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


def cli(*args: str) -> tuple[int, str, str]:
    from postlint.cli import cli as command

    res = CliRunner().invoke(command, list(args), catch_exceptions=False)
    return res.exit_code, res.stdout, res.stderr


def assert_valid_sarif(doc: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def finding(path: str = "posts/a.md", line: int = 3, column: int = 2, code: str = "FM002", severity: Severity = Severity.ERROR, message: str = "broken", **kw: object) -> Finding:
    return Finding(path=path, line=line, column=column, code=code, message=message, severity=severity, name=kw.pop("name", "front-matter-syntax"), **kw)  # type: ignore[arg-type]


def git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


# --------------------------------------------------------------------------- registry of outputs


def test_both_formats_are_registered_and_offered_by_the_cli() -> None:
    from postlint.cli import _formats

    assert {"sarif", "github"} <= set(REPORTERS)
    assert {"sarif", "github"} <= set(_formats())
    assert get("sarif") is sarif.report
    assert get("github") is github.report


# --------------------------------------------------------------------------- SARIF


@pytest.fixture
def fixture_sarif(monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(HERE.parent)
    code, out, err = cli("--offline", "--jobs", "1", "--output-format", "sarif", "tests/fixtures/reporters")
    assert code == 1, err
    return json.loads(out)


def test_sarif_from_the_fixtures_is_valid_against_the_official_schema(fixture_sarif: dict) -> None:
    assert_valid_sarif(fixture_sarif)
    assert fixture_sarif["version"] == "2.1.0"
    assert fixture_sarif["$schema"].endswith("sarif-schema-2.1.0.json")


def test_sarif_driver_describes_postlint(fixture_sarif: dict) -> None:
    from postlint import __version__

    run = fixture_sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "postlint"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_rules_come_from_the_registry_with_full_metadata(fixture_sarif: dict) -> None:
    rules = fixture_sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in REGISTRY.rules]
    for desc, rule in zip(rules, REGISTRY.rules):
        assert desc["name"] == rule.name
        assert desc["shortDescription"]["text"].startswith(rule.summary().rstrip("."))
        assert 0 < len(desc["shortDescription"]["text"]) < 1024
        assert 0 < len(desc["fullDescription"]["text"]) < 1024
        assert desc["help"]["text"].strip() and desc["help"]["markdown"].startswith(f"# {rule.code} ")
        assert desc["helpUri"].startswith("https://") and desc["helpUri"].endswith(f"{rule.code}.md")
        assert desc["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "note": "note"}[rule.severity.value]
        assert rule.family in desc["properties"]["tags"]
        assert ("network" in desc["properties"]["tags"]) == rule.needs_network


def test_sarif_results_carry_rule_level_message_location_and_fingerprint(fixture_sarif: dict) -> None:
    run = fixture_sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} >= {
        ("PL001", 2),
        ("FM002", 2),
        ("PL003", 5),
    }
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        assert r["message"]["text"].endswith(".")
        (loc,) = r["locations"]
        artifact = loc["physicalLocation"]["artifactLocation"]
        assert artifact["uri"].startswith("tests/fixtures/reporters/"), artifact["uri"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        region = loc["physicalLocation"]["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
        (fp,) = r["partialFingerprints"].values()
        assert len(fp) == 32


def test_sarif_regions_keep_an_exclusive_end_and_invent_one_character_without_one() -> None:
    findings = [
        finding(line=4, column=3, end_line=4, end_column=9),
        finding(line=5, column=7),
        finding(line=6, column=2, end_line=8, end_column=1),
    ]
    doc = sarif.build(RunSummary(files=1, findings=findings, registry=REGISTRY), root=Path.cwd())
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in doc["runs"][0]["results"]]
    assert regions == [
        {"startLine": 4, "startColumn": 3, "endLine": 4, "endColumn": 9},
        {"startLine": 5, "startColumn": 7, "endLine": 5, "endColumn": 8},
        {"startLine": 6, "startColumn": 2, "endLine": 8, "endColumn": 1},
    ]
    assert_valid_sarif(doc)


def test_large_sarif_is_compact_and_still_valid() -> None:
    import io

    findings = [finding(path=f"p{i % 7}.md", line=i + 1) for i in range(sarif.INDENT_UP_TO + 1)]
    out = io.StringIO()
    sarif.report(RunSummary(files=7, findings=findings, registry=REGISTRY), out)
    text = out.getvalue()
    assert text.count("\n") == 1  # one line: json's fast encoder
    doc = json.loads(text)
    assert len(doc["runs"][0]["results"]) == len(findings)
    assert_valid_sarif(doc)


@pytest.mark.parametrize("extra", [0, 1])
def test_json_is_indented_up_to_a_thousand_findings(extra: int) -> None:
    import io

    from postlint.reporters import json as json_reporter

    findings = [finding(path=f"p{i % 7}.md", line=i + 1) for i in range(json_reporter.INDENT_UP_TO + extra)]
    out = io.StringIO()
    json_reporter.report(RunSummary(files=7, findings=findings, registry=REGISTRY), out)
    text = out.getvalue()
    assert (text.count("\n") == 1) == bool(extra)  # one line past the limit: json's fast encoder
    doc = json.loads(text)
    assert [f["line"] for f in doc["findings"]] == [f.line for f in findings]


def test_sarif_levels_follow_the_configured_severity_not_the_default() -> None:
    findings = [finding(severity=Severity.WARNING), finding(line=9, severity=Severity.NOTE)]
    doc = sarif.build(RunSummary(files=1, findings=findings, registry=REGISTRY), root=Path.cwd())
    assert [r["level"] for r in doc["runs"][0]["results"]] == ["warning", "note"]


class _Wordy(Rule):
    """Posts ramble.

    ## What it does
    {long}

    ## Why is this bad?
    Readers leave.

    ## Example
    Words.

    ## Use instead
    Fewer words.
    """

    code = "PL099"
    name = "rambling-post"
    family = "tests"


_Wordy.__doc__ = (_Wordy.__doc__ or "").replace("{long}", "A sentence that goes on and on. " * 80)


def test_sarif_descriptions_are_clipped_below_github_limits() -> None:
    doc = sarif.build(RunSummary(files=0, findings=[], registry=Registry([_Wordy])), root=Path.cwd())
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert len(rule["fullDescription"]["text"]) < 1024
    assert rule["fullDescription"]["text"].endswith(".")
    assert len(rule["help"]["text"]) > 1024  # help is not clipped: it is the whole page
    assert_valid_sarif(doc)


def test_sarif_gives_a_rule_entry_to_a_code_the_registry_does_not_know() -> None:
    doc = sarif.build(RunSummary(files=1, findings=[finding(code="XX001", name="")], registry=REGISTRY), root=Path.cwd())
    run = doc["runs"][0]
    (result,) = run["results"]
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == "XX001" and rule["help"]["text"]
    assert_valid_sarif(doc)


def test_sarif_uris_are_percent_encoded_and_never_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    findings = [finding(path="my posts/café #1.md"), finding(path="../outside.md")]
    doc = sarif.build(RunSummary(files=2, findings=findings, registry=REGISTRY), root=tmp_path)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]]
    assert uris == ["my%20posts/caf%C3%A9%20%231.md", "../outside.md"]
    assert_valid_sarif(doc)


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_sarif_and_annotation_paths_are_relative_to_the_git_top_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repo(tmp_path / "repo")
    site = repo / "site"
    shutil.copytree(FIXTURES, site / "posts")
    monkeypatch.chdir(site)
    code, out, err = cli("--offline", "--jobs", "1", "--output-format", "sarif", "posts")
    assert code == 1, err
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0]["results"]}
    assert uris and all(u.startswith("site/posts/") for u in uris), uris
    code, out, _ = cli("--offline", "--jobs", "1", "--output-format", "github", "posts")
    assert all("file=site/posts/" in line for line in out.splitlines()), out


def test_paths_fall_back_to_the_working_directory_outside_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    (plain / "posts").mkdir(parents=True)
    if HAS_GIT and subprocess.run(["git", "rev-parse"], cwd=plain, capture_output=True).returncode == 0:
        pytest.skip("the temporary folder is itself inside a git repository")
    monkeypatch.chdir(plain / "posts")
    assert repo_root() == plain / "posts"
    assert repo_relative("a.md") == "a.md"


def test_sarif_file_is_written_beside_the_main_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE.parent)
    target = tmp_path / "out.sarif"
    code, out, err = cli("--offline", "--jobs", "1", "--sarif-file", str(target), "tests/fixtures/reporters")
    assert code == 1, err
    text_lines = [line for line in out.splitlines() if line.strip()]
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert_valid_sarif(doc)
    assert len(doc["runs"][0]["results"]) == len(text_lines) > 0
    assert "PL001" in out  # stdout still has the text report


def test_sarif_file_is_written_when_no_file_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    code, _, _ = cli("--sarif-file", "out.sarif", "empty")
    assert code == 0
    doc = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert doc["runs"][0]["results"] == []
    assert_valid_sarif(doc)


@pytest.mark.parametrize("how", ["format", "file"])
@pytest.mark.parametrize(
    ("config", "named"),
    [("not-a-key = 1\n", "not-a-key"), ('[front-matter]\nschema = "missing.json"\n', "missing.json")],
    ids=["bad-config", "unreadable-schema"],
)
def test_sarif_comes_out_when_postlint_itself_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, config: str, named: str) -> None:
    (tmp_path / "postlint.toml").write_text(config, encoding="utf-8")
    (tmp_path / "post.md").write_text("---\ntitle: x\n---\nText.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["--output-format", "sarif"] if how == "format" else ["--sarif-file", "out.sarif"]
    code, out, err = cli(*args, "post.md")
    assert code == 2
    assert named in err
    doc = json.loads(out if how == "format" else (tmp_path / "out.sarif").read_text(encoding="utf-8"))
    assert_valid_sarif(doc)
    (invocation,) = doc["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and named in note["message"]["text"]
    assert doc["runs"][0]["results"] == []


# --------------------------------------------------------------------------- GitHub annotations


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100% sure", "100%25 sure", "100%25 sure"),
        ("line\r\nbreak", "line%0D%0Abreak", "line%0D%0Abreak"),
        ("a: b, c", "a: b, c", "a%3A b%2C c"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_workflow_command_escaping(raw: str, data: str, prop: str) -> None:
    assert github.escape_data(raw) == data
    assert github.escape_property(raw) == prop


def test_annotation_has_every_property_and_escapes_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    f = finding(path="odd: name, really.md", line=3, column=5, end_line=3, end_column=9, message="50% off:\nnow")
    line = github.annotation(f, tmp_path)
    assert line == (
        "::error file=odd%3A name%2C really.md,line=3,endLine=3,col=5,endColumn=9,"
        "title=FM002 front-matter-syntax::50%25 off:%0Anow"
    )
    assert "\n" not in line


def test_annotations_use_the_command_of_their_severity_errors_first() -> None:
    findings = [
        finding(path="a.md", line=1, severity=Severity.NOTE),
        finding(path="a.md", line=2, severity=Severity.WARNING),
        finding(path="b.md", line=9, severity=Severity.ERROR),
        finding(path="a.md", line=5, severity=Severity.ERROR),
    ]
    import io

    out = io.StringIO()
    github.report(RunSummary(files=2, findings=findings, quiet=True), out)
    lines = out.getvalue().splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::error", "::warning", "::notice"]
    assert "file=a.md,line=5" in lines[0] and "file=b.md,line=9" in lines[1]


def test_github_format_is_chosen_automatically_under_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(HERE.parent)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    code, out, _ = cli("--offline", "--jobs", "1", "tests/fixtures/reporters")
    assert code == 1
    lines = out.splitlines()
    assert lines and lines[0].startswith("::error file=")
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in lines)
    _, out, _ = cli("--offline", "--jobs", "1", "--output-format", "text", "tests/fixtures/reporters")
    assert not out.startswith("::")


def test_github_format_reports_a_configuration_error_as_an_annotation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "postlint.toml").write_text("not-a-key = 1\n", encoding="utf-8")
    (tmp_path / "post.md").write_text("Text.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("--output-format", "github", "post.md")
    assert code == 2
    assert out.startswith("::error title=postlint::") and "not-a-key" in out


# --------------------------------------------------------------------------- job summary


def test_github_format_appends_the_job_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    step_summary = tmp_path / "summary.md"
    step_summary.write_text("Earlier step output.\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    monkeypatch.setenv("GITHUB_REPOSITORY", "octo/blog")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    monkeypatch.chdir(HERE.parent)
    code, _, _ = cli("--offline", "--jobs", "1", "--output-format", "github", "tests/fixtures/reporters")
    assert code == 1
    text = step_summary.read_text(encoding="utf-8")
    assert text.startswith("Earlier step output.\n")
    assert "| PL001 | unreadable-file | error | 1 |" in text
    assert "| FM002 | front-matter-syntax | error | 1 |" in text
    assert "(https://github.com/octo/blog/blob/abc123/tests/fixtures/reporters/bad_suppression.md#L5)" in text


def test_summary_counts_per_rule_and_lists_every_finding() -> None:
    findings = [finding(path="p.md", line=i, code="FM002") for i in range(1, 16)]
    findings += [finding(path="q.md", line=2, code="PL003", name="invalid-suppression", severity=Severity.WARNING, message="a | b *c*")]
    md = summary.render(RunSummary(files=4, findings=findings), link_base="https://example.test/blob/sha/")
    assert "16 problems (15 errors, 1 warning) in 2 of 4 files." in md
    assert "| FM002 | front-matter-syntax | error | 15 |" in md
    assert "| PL003 | invalid-suppression | warning | 1 |" in md
    rows = [line for line in md.splitlines() if line.startswith("| ❌") or line.startswith("| ⚠️")]
    assert len(rows) == 16
    assert "[p.md:15](https://example.test/blob/sha/p.md#L15)" in md
    assert r"a \| b \*c\*" in md  # a pipe in a message must not split the table row
    assert "5 annotations were not shown" in md


def test_summary_without_links_outside_actions() -> None:
    md = summary.render(RunSummary(files=1, findings=[finding(path="p.md", line=2)]))
    assert "p.md:2" in md and "](" not in md


def test_summary_of_a_clean_run_and_of_a_failed_run() -> None:
    assert "No problems found in 3 files." in summary.render(RunSummary(files=3, findings=[]))
    md = summary.render(RunSummary(files=0, findings=[], errors=["bad key"]))
    assert "postlint could not run" in md and "bad key" in md


def test_summary_stays_under_the_size_limit() -> None:
    findings = [finding(path="p.md", line=i, message="x" * 200) for i in range(1, 2001)]
    md = summary.render(RunSummary(files=1, findings=findings), max_bytes=20_000)
    assert len(md.encode("utf-8")) <= 20_000
    assert "more findings not listed" in md


@pytest.mark.parametrize(
    ("errors", "warnings", "notes", "hidden"),
    [(0, 0, 0, 0), (10, 10, 10, 0), (12, 3, 0, 2), (100, 0, 0, 90), (30, 30, 30, 60)],
)
def test_annotations_not_shown(errors: int, warnings: int, notes: int, hidden: int) -> None:
    findings = [finding(line=i + 1, severity=Severity.ERROR) for i in range(errors)]
    findings += [finding(line=i + 1, severity=Severity.WARNING) for i in range(warnings)]
    findings += [finding(line=i + 1, severity=Severity.NOTE) for i in range(notes)]
    assert summary.annotations_not_shown(findings) == hidden


def test_append_step_summary_is_reusable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = RunSummary(files=1, findings=[finding()])
    assert summary.append_step_summary(run) is False  # no GITHUB_STEP_SUMMARY: nothing to do
    target = tmp_path / "step.md"
    assert summary.append_step_summary(run, target, title="postlint (changed files)", not_shown=7)
    assert summary.append_step_summary(run, target)
    text = target.read_text(encoding="utf-8")
    assert text.count("## postlint") == 2 and "## postlint (changed files)" in text
    assert "7 annotations were not shown" in text


def test_blob_url_from_the_github_environment() -> None:
    env = {"GITHUB_SERVER_URL": "https://ghe.example.test/", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "f00"}
    assert summary.blob_url(env) == "https://ghe.example.test/o/r/blob/f00/"
    assert summary.blob_url({}) is None


# --------------------------------------------------------------------------- colour under pre-commit


def test_pre_commit_means_no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    from postlint.cli import _use_color

    # pre-commit runs hooks in a pseudo-terminal, so isatty() alone would say "colour".
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert _use_color("auto", None) is True
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert _use_color("auto", None) is False
    assert _use_color("always", None) is True
