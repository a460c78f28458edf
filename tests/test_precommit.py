"""The pre-commit hooks manifest: valid for pre-commit, offline by default, and shaped as the issue asks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def test_manifest_is_valid_for_pre_commit() -> None:
    pytest.importorskip("pre_commit")
    res = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_offline_and_online_hooks() -> None:
    h = hooks()
    assert set(h) == {"postlint", "postlint-online"}
    assert "--offline" in h["postlint"]["entry"].split()
    assert "--offline" not in h["postlint-online"]["entry"].split()


@pytest.mark.parametrize("hook_id", ["postlint", "postlint-online"])
def test_hook_fields(hook_id: str) -> None:
    hook = hooks()[hook_id]
    assert hook["entry"].split()[0] == "postlint"
    assert "--force-exclude" in hook["entry"].split()
    assert hook["language"] == "python"
    assert hook["types_or"] == ["markdown"]
    assert hook.get("pass_filenames", True) is True
    assert hook["require_serial"] is True
    assert tuple(int(p) for p in hook["minimum_pre_commit_version"].split(".")) >= (2, 9, 0)
