"""The rule registry and rule documentation: every rule registered once, documented, and its docs run."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest

import postlint.rules
from postlint.docs import render_rule
from postlint.registry import CODE_RE, DOC_SECTIONS, NAME_RE, Rule
from postlint.rules import ALL_RULES

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def _defined_rules() -> list[type[Rule]]:
    found = []
    for mod in pkgutil.iter_modules(postlint.rules.__path__):
        module = importlib.import_module(f"postlint.rules.{mod.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Rule) and obj.__module__ == module.__name__ and "code" in obj.__dict__:
                found.append(obj)
    return found


def test_every_rule_is_registered_once() -> None:
    defined = _defined_rules()
    missing = [r.__name__ for r in defined if r not in ALL_RULES]
    assert not missing, f"rule classes not registered in postlint/rules/__init__.py: {missing}"
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(codes) == len(set(codes)), "duplicate rule code"
    assert len(names) == len(set(names)), "duplicate rule name"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_metadata_and_docs(rule: type[Rule]) -> None:
    assert CODE_RE.match(rule.code), rule.code
    assert NAME_RE.match(rule.name), rule.name
    assert rule.summary() and len(rule.summary()) < 120
    doc = rule.documentation()
    for section in DOC_SECTIONS:
        assert section in doc, f"{rule.code} documentation lacks '{section}'"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_docs_page_in_sync(rule: type[Rule]) -> None:
    page = DOCS / f"{rule.code}.md"
    assert page.is_file(), f"run `python -m postlint.docs` to write {page}"
    assert page.read_text("utf-8") == render_rule(rule), f"{page} is stale: run `python -m postlint.docs`"


_FENCE = re.compile(r"^```markdown([^\n]*)\n(.*?)^```", re.M | re.S)


def _example(rule: type[Rule], section: str) -> tuple[dict, str] | None:
    m = _FENCE.search(rule.section(section))
    if not m:
        return None
    attrs = dict(a.split("=", 1) for a in m.group(1).split() if "=" in a)
    return attrs, m.group(2)


def _run_example(tmp_path: Path, run_cli, rule: type[Rule], attrs: dict, text: str) -> list[str]:
    """Write an example (and what it declares: file name, files beside it, today) and lint it."""
    name = attrs.get("filename", "post.md")
    post = tmp_path / name
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_bytes(text.encode(attrs.get("encoding", "utf-8")))
    for extra in filter(None, attrs.get("files", "").split(",")):
        f = tmp_path / extra
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" if extra.endswith(".png") else b"x")
    if "config" in attrs:
        (tmp_path / "postlint.toml").write_text(attrs["config"].replace(";", "\n").replace("'", '"'), "utf-8")
    args = ["--output-format", "json", "--jobs", "1", "--select", rule.code]
    if not rule.needs_network:
        args.append("--offline")
    if "today" in attrs:
        args += ["--today", attrs["today"]]
    res = run_cli(*args, str(post))
    assert res.exit_code in (0, 1), res.stderr
    return [f["code"] for f in json.loads(res.stdout)["findings"]]


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if not r.needs_network], ids=lambda r: r.code)
def test_docs_examples_run(tmp_path: Path, run_cli, rule: type[Rule]) -> None:
    bad = _example(rule, "Example")
    good = _example(rule, "Use instead")
    if bad is None and good is None:
        pytest.skip(f"{rule.code} has no runnable Markdown example (its cause is outside the text)")
    if bad is not None:
        assert rule.code in _run_example(tmp_path / "bad", run_cli, rule, *bad), f"{rule.code}: its Example does not trigger it"
    if good is not None:
        assert rule.code not in _run_example(tmp_path / "good", run_cli, rule, *good), f"{rule.code}: its 'Use instead' triggers it"


def test_rule_modules_leave_the_text_scanners_unread_until_a_post_is_checked() -> None:
    # A warm run needs the registry and nothing of the scanners (compiling their patterns took 20 ms of
    # it), nor PyYAML (13 ms): it reads no post.
    import subprocess
    import sys

    code = (
        "import sys, postlint.cli, postlint.rules, postlint.engine, postlint.result_cache\n"
        "lazy = ('postlint.extract.dates', 'postlint.extract.counts', 'postlint.extract.enumerations')\n"
        "print(all(type(sys.modules[m]).__name__ == '_LazyModule' for m in lazy) and 'yaml' not in sys.modules)\n"
        "from postlint.extract import dates\n"
        "print(len(list(dates.find_dates('on 3 May 2024'))) == 1, type(sys.modules['postlint.extract.dates']).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "module"]


def test_lazy_module_returns_a_module_already_imported() -> None:
    import json

    from postlint._lazy import lazy_module

    assert lazy_module("json") is json


def test_without_the_c_modules_every_fixture_reports_the_same() -> None:
    # Where no compiler built them, the Python references do their work: same findings, same places.
    import subprocess
    import sys

    from tests.conftest import FIXTURES

    run = "from postlint.cli import main; sys.argv = ['postlint', '--offline', '--no-config', '--no-cache', '--exit-zero', '--output-format', 'json', {!r}]; main()".format(str(FIXTURES))
    blocked = "import sys; sys.modules['postlint._blocks'] = sys.modules['postlint._textscan'] = sys.modules['postlint._yamlsimple'] = None\n"
    check = "import sys\nimport postlint.extract.enumerations as e, postlint.extract.dates as d, postlint.document as doc, postlint.yamlfm as y\n"
    names = "print(doc._scan.__name__, e._LABEL_BLOCKS.__name__, e._COMPARABLE_BLOCKS.__name__, d._dated_blocks.__name__, y.yamlsimple.load.__name__, file=sys.stderr)\n"
    plain = subprocess.run([sys.executable, "-c", "import sys\n" + run], capture_output=True, text=True, check=False)
    python = subprocess.run([sys.executable, "-c", blocked + check + names + run], capture_output=True, text=True, check=False)
    assert python.stderr.split() == ["_scan_events", "_label_blocks_py", "_comparable_blocks_py", "_dated_blocks_py", "load_py"]
    assert plain.returncode == python.returncode == 0, python.stderr
    assert python.stdout == plain.stdout and '"code"' in plain.stdout
