"""The GitHub Action: action.yml against GitHub's metadata schema, and postlint.action driven by a workflow's environment."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from postlint import action
from tests.conftest import write
from tests.test_changes import PNG, commit, git, init_repo, post

ROOT = Path(__file__).resolve().parent.parent
ACTION_SCHEMA = Path(__file__).parent / "data" / "github-action.schema.json"


@pytest.fixture(autouse=True)
def _fresh_listings(monkeypatch: pytest.MonkeyPatch) -> None:
    from postlint.extract import images

    monkeypatch.setattr(images, "_listings", images.Listings())
    monkeypatch.setattr(images, "_sniffed", {})


# --------------------------------------------------------------------------- action.yml


def action_yml() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))


def test_action_yml_is_valid_action_metadata() -> None:
    schema = json.loads(ACTION_SCHEMA.read_text("utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(action_yml())]
    assert errors == []


def test_action_yml_has_the_inputs_and_outputs() -> None:
    meta = action_yml()
    assert {"paths", "args", "changed-only", "sarif-file", "offline", "fail-on", "version", "shard", "only-changed-lines"} <= set(meta["inputs"])
    assert meta["inputs"]["paths"]["default"] == "."
    assert meta["inputs"]["changed-only"]["default"] == "auto"
    assert set(meta["outputs"]) == {"findings", "sarif-file"}
    assert meta["runs"]["using"] == "composite"


def test_action_yml_passes_every_input_to_postlint_action() -> None:
    steps = action_yml()["runs"]["steps"]
    run = next(s for s in steps if s.get("id") == "run")
    assert "-m postlint.action" in run["run"]
    # Every input the Python side reads is handed over, under the name it reads.
    read = {f.name.upper() for f in dataclasses.fields(action.Inputs)}
    given = {k.removeprefix("INPUT_") for k in run["env"] if k.startswith("INPUT_")}
    assert read == given
    for key, expr in run["env"].items():
        if key.startswith("INPUT_"):
            name = key.removeprefix("INPUT_").lower().replace("_", "-")
            assert expr == f"${{{{ inputs.{name} }}}}"
    for name, out in action_yml()["outputs"].items():
        assert out["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_action_yml_caches_the_cache_folder_per_shard() -> None:
    steps = action_yml()["runs"]["steps"]
    restore = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache/restore"))
    save = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache/save"))
    run = next(s for s in steps if s.get("id") == "run")
    assert restore["with"]["path"] == save["with"]["path"] == run["env"]["POSTLINT_CACHE_DIR"]
    assert run["env"]["POSTLINT_CACHE_DIR"].endswith(".postlint_cache")
    assert "always()" in save["if"]  # findings fail the run step; the results are still worth keeping
    assert "prefix" in restore["with"]["restore-keys"]


# --------------------------------------------------------------------------- postlint.action


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A remote: main with three posts (one with an old problem) and their images; pr deletes an image and edits/adds posts."""
    repo = init_repo(tmp_path / "origin")
    write(repo / "posts" / "a.png", PNG)
    write(repo / "posts" / "keep.md", post("Keep", "![alt a](a.png)\n"))
    write(repo / "posts" / "old.md", post("Old", "![](old-missing.png)\n"))  # an old error, untouched by the PR
    write(repo / "posts" / "edit.md", post("Edit", "Line.\n"))
    commit(repo, "base")
    for i in range(3):  # history between the branch point and the PR head: a depth-1 clone lacks it
        write(repo / "posts" / "edit.md", post("Edit", f"Line {i}.\n"))
        commit(repo, f"main {i}")
    git(repo, "checkout", "-q", "-b", "pr")
    (repo / "posts" / "a.png").unlink()
    write(repo / "posts" / "new.md", post("New", "![alt](new-missing.png)\n"))
    commit(repo, "pr 1")
    write(repo / "posts" / "edit.md", post("Edit", "Line 2.\n\n![](no-alt-but-here.png)\n"))
    commit(repo, "pr 2")
    git(repo, "checkout", "-q", "main")
    write(repo / "posts" / "main-later.md", post("Later", "![](later-missing.png)\n"))
    commit(repo, "main moves on")
    return repo


def shallow_clone(origin: Path, dest: Path, branch: str = "pr") -> Path:
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", branch, origin.as_uri(), str(dest)], check=True, capture_output=True)
    return dest


class Run:
    def __init__(self, code: int, stdout: str, stderr: str, outputs: dict[str, str], summary: str):
        self.code, self.stdout, self.stderr, self.outputs, self.summary = code, stdout, stderr, outputs, summary

    @property
    def annotations(self) -> list[tuple[str, str, int, str]]:
        """(command, file, line, code) of each annotation."""
        out = []
        for m in re.finditer(r"^::(error|warning|notice) file=([^,]+),line=(\d+),.*?title=(\S+)", self.stdout, re.M):
            out.append((m.group(1), m.group(2), int(m.group(3)), m.group(4)))
        return out


@pytest.fixture
def run_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """run_action(workspace, event, **inputs) with the variables a pull_request workflow sets."""

    def _run(workspace: Path, event: str = "pull_request", base_ref: str = "main", **inputs: str) -> Run:
        out = tmp_path / "github_output"
        summary = tmp_path / "step_summary"
        for f in (out, summary):
            f.write_text("")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event,
            "GITHUB_BASE_REF": base_ref if event == "pull_request" else "",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_OUTPUT": str(out),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(tmp_path),
            "GITHUB_REPOSITORY": "owner/site",
            "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
            "INPUT_OFFLINE": "true",
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        for field in dataclasses.fields(action.Inputs):  # no input left over from an earlier run
            if field.name != "offline":
                monkeypatch.delenv(f"INPUT_{field.name.upper()}", raising=False)
        for key, value in inputs.items():
            monkeypatch.setenv(f"INPUT_{key.upper()}", value)
        # The step starts elsewhere: the action must work from GITHUB_WORKSPACE.
        monkeypatch.chdir(tmp_path)
        capsys.readouterr()
        code = action.main()
        cap = capsys.readouterr()
        outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
        return Run(code, cap.out, cap.err, outputs, summary.read_text("utf-8"))

    return _run


def test_pull_request_in_a_shallow_clone(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    ws = shallow_clone(origin, tmp_path / "ws")
    assert git(ws, "rev-parse", "--is-shallow-repository").strip() == "true"
    res = run_action(ws)
    # The base branch was fetched and the history deepened until the merge base showed up.
    assert git(ws, "merge-base", "HEAD", "origin/main").strip() == git(origin, "rev-parse", "main~1").strip()
    files = {a[1] for a in res.annotations}
    # Changed posts and the unchanged post whose image the PR deleted; not old.md (untouched), not
    # main-later.md (main's own change after the branch point).
    assert files == {"posts/new.md", "posts/edit.md", "posts/keep.md"}
    assert ("error", "posts/keep.md", 5, "IMG001") in res.annotations
    assert res.code == 1


def test_annotations_errors_first(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"))
    kinds = [a[0] for a in res.annotations]
    assert "warning" in kinds and "error" in kinds
    assert kinds == sorted(kinds, key=lambda k: {"error": 0, "warning": 1, "notice": 2}[k])


def test_outputs_and_sarif(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"))
    assert int(res.outputs["findings"]) == len(res.annotations) > 0
    sarif = Path(res.outputs["sarif-file"])
    assert sarif.is_absolute() and sarif.parent == tmp_path  # RUNNER_TEMP, not the checkout
    results = json.loads(sarif.read_text("utf-8"))["runs"][0]["results"]
    assert len(results) == int(res.outputs["findings"])


def test_sarif_file_input_relative_to_workspace(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    ws = shallow_clone(origin, tmp_path / "ws")
    res = run_action(ws, sarif_file="out/postlint.sarif")
    assert res.outputs["sarif-file"] == str(ws / "out" / "postlint.sarif")


def test_summary_written_once(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"))
    assert res.summary.count("## postlint") == 1
    assert "Changed files only" in res.summary
    assert "origin/main" in res.summary
    for path in ("posts/new.md", "posts/keep.md"):
        assert path in res.summary
    # Links go to the linted commit.
    assert "https://github.com/owner/site/blob/0123456789abcdef0123456789abcdef01234567/posts/keep.md#L5" in res.summary


def test_deleted_image_breaks_an_unchanged_post(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"), only_changed_lines="true")
    # keep.md's line is old, but the image it shows is what the PR deleted.
    assert ("error", "posts/keep.md", 5, "IMG001") in res.annotations


def test_only_changed_lines(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    ws = shallow_clone(origin, tmp_path / "ws")
    everything = run_action(ws, changed_only="false")
    assert ("error", "posts/old.md", 5, "IMG001") in everything.annotations
    res = run_action(ws, changed_only="false", only_changed_lines="true")
    assert not any(a[1] == "posts/old.md" for a in res.annotations)
    hidden = len(everything.annotations) - len(res.annotations)
    assert hidden > 0
    assert f"{hidden} finding" in res.summary and "not reported" in res.summary


def test_push_event_lints_everything(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws", branch="main"), event="push")
    assert {a[1] for a in res.annotations} >= {"posts/old.md", "posts/main-later.md"}
    assert "Changed files only" not in res.summary


def test_exit_code_follows_fail_on(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    # A PR whose only new problem is a warning (an image without alt text).
    git(origin, "checkout", "-q", "-b", "warn", "main")
    write(origin / "posts" / "a-alt.png", PNG)
    write(origin / "posts" / "warn.md", post("Warn", "![](a-alt.png)\n"))
    commit(origin, "warning only")
    ws = shallow_clone(origin, tmp_path / "ws", branch="warn")
    res = run_action(ws)
    assert [a[0] for a in res.annotations] == ["warning"]
    assert res.code == 0
    assert run_action(ws, fail_on="warning").code == 1


def test_clean_pull_request(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    git(origin, "checkout", "-q", "-b", "clean", "main")
    write(origin / "posts" / "fine.md", post("Fine", "Just text.\n"))
    commit(origin, "clean")
    res = run_action(shallow_clone(origin, tmp_path / "ws", branch="clean"))
    assert res.code == 0
    assert res.outputs["findings"] == "0"
    assert res.annotations == []
    assert "No problems found in 1 file." in res.summary


def test_annotation_limit_noted_in_summary(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    git(origin, "checkout", "-q", "-b", "many", "main")
    write(origin / "posts" / "many.md", post("Many", "".join(f"![alt](missing-{i}.png)\n\n" for i in range(25))))
    commit(origin, "many")
    res = run_action(shallow_clone(origin, tmp_path / "ws", branch="many"))
    assert res.outputs["findings"] == "25"
    assert "15 annotations were not shown" in res.summary


def test_unknown_base_branch_fails_clearly(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"), base_ref="no-such-branch")
    assert res.code == 2
    assert res.stdout.startswith("::error title=postlint::")


def test_shard_input(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    ws = shallow_clone(origin, tmp_path / "ws", branch="main")
    shards = [run_action(ws, event="push", shard=f"{k}/2") for k in (1, 2)]
    files = [{a[1] for a in r.annotations} for r in shards]
    assert not files[0] & files[1]
    assert files[0] | files[1] == {a[1] for a in run_action(ws, event="push").annotations}
    assert "## postlint (shard 1/2)" in shards[0].summary
    assert shards[1].outputs["sarif-file"].endswith("postlint-2-of-2.sarif")


def test_bad_input_is_an_error(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"), fail_on="sometimes")
    assert res.code == 2
    assert "fail-on" in res.stdout


def test_postlint_usage_error_is_reported(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    res = run_action(shallow_clone(origin, tmp_path / "ws"), args="--select NOPE999")
    assert res.code == 2
    assert "::error title=postlint::" in res.stdout
    assert res.outputs["sarif-file"] == ""  # nothing an upload step could mistake for a clean analysis


def test_configuration_error_gives_no_sarif_output(origin: Path, tmp_path: Path, run_action) -> None:  # type: ignore[no-untyped-def]
    ws = shallow_clone(origin, tmp_path / "ws")
    write(ws / "postlint.toml", "no-such-key = 1\n")
    res = run_action(ws, changed_only="false")
    assert res.code == 2
    assert res.outputs["sarif-file"] == ""
    assert "could not run" in res.summary


def test_push_event_changed_only_compares_with_before(origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_action) -> None:  # type: ignore[no-untyped-def]
    ws = shallow_clone(origin, tmp_path / "ws", branch="main")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": git(origin, "rev-parse", "main~1").strip()}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    # The pushed commit only: its "before" is fetched by SHA into the depth-1 clone.
    res = run_action(ws, event="push", changed_only="true")
    assert {a[1] for a in res.annotations} == {"posts/main-later.md"}


# --------------------------------------------------------------------------- docs/github-actions.md


def doc_workflows() -> list[dict]:
    text = (ROOT / "docs" / "github-actions.md").read_text("utf-8")
    out = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        doc = yaml.safe_load(block)
        if isinstance(doc, dict) and "jobs" in doc:
            doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
            out.append(doc)
    return out


def test_docs_have_three_valid_workflows() -> None:
    schema = json.loads((Path(__file__).parent / "data" / "github-workflow.schema.json").read_text("utf-8"))
    workflows = doc_workflows()
    assert len(workflows) == 3
    for wf in workflows:
        assert [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(wf)] == []


def test_docs_workflows_use_only_the_actions_inputs() -> None:
    inputs = set(action_yml()["inputs"])
    outputs = set(action_yml()["outputs"])
    for wf in doc_workflows():
        for job in wf["jobs"].values():
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("postlint/postlint@"):
                    assert set(step.get("with", {})) <= inputs
                for ref in re.findall(r"steps\.postlint\.outputs\.([\w-]+)", json.dumps(step)):
                    assert ref in outputs


def test_docs_fork_safe_and_sarif_permissions() -> None:
    annotations, sarif, sharded = doc_workflows()
    assert annotations["permissions"] == {"contents": "read"}
    for wf in (sarif, sharded):
        assert wf["permissions"]["security-events"] == "write"
        steps = [s for job in wf["jobs"].values() for s in job["steps"]]
        assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@") for s in steps)
    upload = next(s for s in sharded["jobs"]["postlint"]["steps"] if "upload-sarif" in str(s.get("uses")))
    assert "matrix.shard" in upload["with"]["category"]
