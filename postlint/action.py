"""The GitHub Action's logic (``python -m postlint.action``): environment in; annotations, job summary, outputs and exit code out."""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from postlint.changes import ChangeError, git
from postlint.finding import Finding, Severity

PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target", "merge_group")
_ZERO_SHA = "0" * 40
# Deepening steps for a shallow clone before giving up and fetching the whole history.
DEEPEN_STEPS = (50, 200, 1000)


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, as action.yml hands them over (``INPUT_*`` variables)."""

    paths: tuple[str, ...] = (".",)
    args: tuple[str, ...] = ()
    changed_only: str = "auto"  # auto: on pull-request events
    only_changed_lines: bool = False
    shard: str = ""
    sarif_file: str = ""
    offline: bool = False
    fail_on: str = "error"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        def get(name: str, default: str = "") -> str:
            return env.get(f"INPUT_{name}", default).strip()

        def flag(name: str) -> bool:
            return get(name).lower() in ("true", "yes", "1", "on")

        changed = get("CHANGED_ONLY", "auto").lower() or "auto"
        if changed not in ("auto", "true", "false"):
            raise ValueError(f"changed-only must be auto, true or false, not '{changed}'")
        fail_on = get("FAIL_ON", "error").lower() or "error"
        if fail_on not in ("error", "warning", "note"):
            raise ValueError(f"fail-on must be error or warning, not '{fail_on}'")
        # Paths one per line or space separated, as other linters' actions take them.
        return cls(
            paths=tuple(shlex.split(get("PATHS"))) or (".",),
            args=tuple(shlex.split(get("ARGS"))),
            changed_only=changed,
            only_changed_lines=flag("ONLY_CHANGED_LINES"),
            shard=get("SHARD"),
            sarif_file=get("SARIF_FILE"),
            offline=flag("OFFLINE"),
            fail_on=fail_on,
        )


@dataclass
class Outcome:
    exit_code: int
    findings: list[Finding]
    files: int = 0
    hidden: int = 0  # on lines the change did not touch
    errors: tuple[str, ...] = ()


def log(message: str) -> None:
    sys.stderr.write(f"postlint: {message}\n")
    sys.stderr.flush()


def base_revision(env: Mapping[str, str]) -> str | None:
    """What to compare with: the pull request's base branch, or the commit a push started from."""
    base_ref = env.get("GITHUB_BASE_REF", "")
    if base_ref:
        return f"origin/{base_ref}"
    if env.get("GITHUB_EVENT_NAME") == "push" and env.get("GITHUB_EVENT_PATH"):
        try:
            before = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text("utf-8")).get("before", "")
        except (OSError, ValueError, AttributeError):
            return None
        if isinstance(before, str) and before and before != _ZERO_SHA:
            return before
    return None


def _has_commit(rev: str, cwd: Path) -> bool:
    try:
        git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd)
        return True
    except ChangeError:
        return False


def _has_merge_base(rev: str, cwd: Path) -> bool:
    try:
        git(["merge-base", "HEAD", rev], cwd)
        return True
    except ChangeError:
        return False


def ensure_history(rev: str, cwd: Path) -> None:
    """Fetch ``rev`` and deepen a shallow clone until HEAD and ``rev`` meet (actions/checkout fetches one commit)."""
    refspec = f"+refs/heads/{rev[len('origin/'):]}:refs/remotes/{rev}" if rev.startswith("origin/") else rev
    shallow = git(["rev-parse", "--is-shallow-repository"], cwd).strip() == "true"
    if not _has_commit(rev, cwd):
        log(f"fetching {rev} to compare with")
        git(["fetch", "--no-tags", "--quiet", *(["--depth=1"] if shallow else []), "origin", refspec], cwd)
    if not shallow:
        return
    for depth in DEEPEN_STEPS:
        if _has_merge_base(rev, cwd):
            return
        # --deepen moves every shallow boundary, HEAD's included, not only the fetched branch's.
        log(f"shallow clone: fetching {depth} more commits of history to find the merge base with {rev}")
        git(["fetch", "--no-tags", "--quiet", f"--deepen={depth}", "origin", refspec], cwd)
    if not _has_merge_base(rev, cwd):
        log("shallow clone: fetching the whole history")
        git(["fetch", "--no-tags", "--quiet", "--unshallow", "origin", refspec], cwd)


def postlint_argv(inputs: Inputs, base: str | None, json_file: Path, sarif_file: Path) -> list[str]:
    # The user's args first: for options given twice click keeps the last, and the action needs its own output.
    argv = [*inputs.args]
    if inputs.offline:
        argv.append("--offline")
    if base and inputs.changed_only == "true":
        argv += ["--changed-since", base]
    if base and inputs.only_changed_lines:
        argv += ["--only-changed-lines", base]
    if inputs.shard:
        argv += ["--shard", inputs.shard]
    argv += ["--fail-on", inputs.fail_on, "--output-format", "json", "--output-file", str(json_file), "--sarif-file", str(sarif_file), "--statistics"]
    return [*argv, "--", *inputs.paths]


@contextmanager
def _without(env: MutableMapping[str, str], name: str) -> Iterator[None]:
    saved = env.pop(name, None)
    try:
        yield
    finally:
        if saved is not None:
            env[name] = saved


def run_postlint(argv: list[str]) -> int:
    """postlint in this process (no second interpreter start-up); its exit code."""
    import click

    from postlint.cli import EXIT_ERROR, cli

    # The job summary is the action's to write, once: the CLI must not append one of its own.
    with _without(os.environ, "GITHUB_STEP_SUMMARY"):
        try:
            cli.main(args=argv, prog_name="postlint", standalone_mode=False)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else EXIT_ERROR
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.ClickException as exc:
            exc.show()
            return EXIT_ERROR
    return 0


def read_report(json_file: Path, rc: int) -> Outcome:
    from postlint.cli import HIDDEN_STAT

    try:
        doc = json.loads(json_file.read_text("utf-8"))
    except (OSError, ValueError):
        # postlint stopped before reporting (a usage error, an unknown REF): its message is in the log.
        return Outcome(rc, [], errors=("postlint could not run; the step log says why",) if rc else ())
    findings = [
        Finding(
            f["path"], f["line"], f["column"], f["code"], f["message"], Severity(f["severity"]), f.get("name", ""), f.get("end_line"), f.get("end_column")
        )
        for f in doc.get("findings", [])
    ]
    return Outcome(rc, findings, doc.get("files", 0), doc.get("statistics", {}).get(HIDDEN_STAT, 0), tuple(doc.get("errors", ())))


def write_annotations(outcome: Outcome, out: IO[str] | None = None) -> None:
    from postlint.reporters.github import annotation, escape_data

    out = out or sys.stdout
    # GitHub keeps the first 10 errors and 10 warnings of a step: errors first.
    for f in sorted(outcome.findings, key=lambda f: (-f.severity.rank, f)):
        out.write(annotation(f) + "\n")
    for err in outcome.errors:
        out.write(f"::error title=postlint::{escape_data(err)}\n")
    out.flush()


def notes(inputs: Inputs, base: str | None, outcome: Outcome) -> list[str]:
    out = []
    if base and inputs.changed_only == "true":
        out.append(f"Changed files only: posts added or modified since the merge base with `{base}`, and posts showing an image the change removed.")
    if inputs.shard:
        out.append(f"Shard {inputs.shard}: this job lints its share of the files; the other shards' jobs report the rest.")
    if outcome.hidden:
        n = outcome.hidden
        out.append(f"{n} finding{'s' if n != 1 else ''} on lines this change did not touch {'are' if n != 1 else 'is'} not reported (only changed lines).")
    return out


def write_summary(inputs: Inputs, base: str | None, outcome: Outcome, env: Mapping[str, str]) -> bool:
    from postlint.reporters import RunSummary
    from postlint.reporters.summary import annotations_not_shown, append_step_summary

    path = env.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    title = f"postlint (shard {inputs.shard})" if inputs.shard else "postlint"
    summary = RunSummary(files=outcome.files, findings=outcome.findings, errors=list(outcome.errors))
    return append_step_summary(summary, path, title=title, not_shown=annotations_not_shown(outcome.findings), notes=notes(inputs, base, outcome))


def set_outputs(env: Mapping[str, str], values: Mapping[str, str]) -> None:
    path = env.get("GITHUB_OUTPUT")
    if not path:
        return
    with open(path, "a", encoding="utf-8", newline="\n") as out:
        for name, value in values.items():
            if "\n" in value or "\r" in value:
                delim = f"ghadelimiter_{uuid.uuid4()}"
                out.write(f"{name}<<{delim}\n{value}\n{delim}\n")
            else:
                out.write(f"{name}={value}\n")


def default_sarif_file(inputs: Inputs, env: Mapping[str, str]) -> Path:
    # Outside the workspace: a SARIF file left in the checkout could be committed by a later step.
    folder = env.get("RUNNER_TEMP") or tempfile.gettempdir()
    suffix = "-" + inputs.shard.replace("/", "-of-") if inputs.shard else ""
    return Path(folder) / f"postlint{suffix}.sarif"


def main(env: MutableMapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        inputs = Inputs.from_env(env)
    except ValueError as exc:
        print(f"::error title=postlint::{exc}")
        return 2
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    event = env.get("GITHUB_EVENT_NAME", "")
    changed = inputs.changed_only
    if changed == "auto":
        changed = "true" if event in PULL_REQUEST_EVENTS else "false"
    base = None
    if changed == "true" or inputs.only_changed_lines:
        base = base_revision(env)
        if base is None:
            log(f"no base to compare with on a '{event or 'local'}' event: linting every file")
            changed = "false"
        else:
            try:
                ensure_history(base, workspace)
            except ChangeError as exc:
                print(f"::error title=postlint::cannot fetch {base} to find the changed files: {exc}")
                return 2
    inputs = replace(inputs, changed_only=changed)
    sarif_file = workspace / inputs.sarif_file if inputs.sarif_file else default_sarif_file(inputs, env)
    sarif_file.parent.mkdir(parents=True, exist_ok=True)
    sarif_file.unlink(missing_ok=True)  # a file left by an earlier run must not pass for this one's
    with tempfile.TemporaryDirectory(prefix="postlint-action-") as tmp:
        json_file = Path(tmp) / "report.json"
        argv = postlint_argv(inputs, base, json_file, sarif_file)
        log("running postlint " + shlex.join(argv))
        cwd = os.getcwd()
        os.chdir(workspace)
        try:
            rc = run_postlint(argv)
        finally:
            os.chdir(cwd)
        outcome = read_report(json_file, rc)
    write_annotations(outcome)
    write_summary(inputs, base, outcome, env)
    # No SARIF output when postlint failed: uploading its empty results would close every open alert.
    sarif_ok = outcome.exit_code in (0, 1) and sarif_file.exists()
    set_outputs(env, {"findings": str(len(outcome.findings)), "sarif-file": str(sarif_file) if sarif_ok else ""})
    n = len(outcome.findings)
    log(f"{n} finding{'s' if n != 1 else ''} in {outcome.files} file{'s' if outcome.files != 1 else ''}" + (f"; {outcome.hidden} more on unchanged lines" if outcome.hidden else ""))
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
