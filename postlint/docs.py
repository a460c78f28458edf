"""Rule documentation: --list-rules, --explain, --show-config, and docs/rules/*.md (`python -m postlint.docs`)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from postlint.registry import Registry, Rule

DOCS_URL = "https://github.com/postlint/postlint/blob/main/docs/rules/{code}.md"


def rules_table(registry: Registry) -> str:
    rows = []
    for r in registry.rules:
        flags = []
        if r.needs_network:
            flags.append("network")
        if not r.default_enabled:
            flags.append("off by default")
        extra = f"  [{', '.join(flags)}]" if flags else ""
        rows.append(f"{r.code:<9} {r.name:<32} {r.severity.value:<8} {r.summary()}{extra}")
    return "\n".join(rows)


def render_rule(rule: type[Rule]) -> str:
    """The rule's page, in Markdown: title, facts, then its docstring sections."""
    body = rule.documentation().split("\n", 1)
    rest = body[1].strip() if len(body) > 1 else ""
    facts = [
        f"- Code: `{rule.code}`",
        f"- Name: `{rule.name}`",
        f"- Default severity: {rule.severity.value}",
        f"- Enabled by default: {'yes' if rule.default_enabled else 'no (select it with `--extend-select ' + rule.code + '`)'}",
        f"- Needs the network: {'yes (skipped with `--offline`)' if rule.needs_network else 'no'}",
    ]
    if rule.options_table:
        facts.append(f"- Options table: `[tool.postlint.{rule.options_table}]`")
        if dataclasses.is_dataclass(rule.Options):
            for f in dataclasses.fields(rule.Options):
                default = f.default if f.default is not dataclasses.MISSING else (f.default_factory() if f.default_factory is not dataclasses.MISSING else None)  # type: ignore[misc]
                if isinstance(default, tuple):
                    default = list(default)  # as it is written in TOML
                facts.append(f"  - `{f.name.replace('_', '-')}` (default `{default!r}`)")
    suppress = f"Suppress it on one line with `<!-- postlint-disable-next-line {rule.code} -->`."
    return f"# {rule.code} {rule.name}\n\n{rule.summary()}\n\n" + "\n".join(facts) + f"\n\n{rest}\n\n{suppress}\n"


def render_settings(settings) -> str:  # type: ignore[no-untyped-def]
    rows = [f"# configuration file: {settings.path or '(none: defaults)'}", f"# root: {settings.root}"]
    src = settings.sources

    def row(key: str, value: object) -> None:
        rows.append(f"{key} = {value!r}  # {src.get(key, 'default')}")

    row("select", list(settings.select) if settings.select is not None else "(default rules)")
    row("ignore", list(settings.ignore))
    row("extend-select", list(settings.extend_select))
    row("severity", dict(settings.severity))
    row("include", list(settings.include))
    row("exclude", list(settings.exclude))
    row("extensions", list(settings.extensions))
    row("respect-gitignore", settings.respect_gitignore)
    row("max-file-size", settings.max_file_size)
    row("per-file-ignores", dict(settings.per_file_ignores))
    row("overrides", [list(o.paths) for o in settings.overrides])
    for name, table in sorted(settings.tables.items()):
        for k, v in sorted(table.items()):
            row(f"{name}.{k}", v)
    return "\n".join(rows)


def write_docs(registry: Registry, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for rule in registry.rules:
        p = out / f"{rule.code}.md"
        p.write_text(render_rule(rule), encoding="utf-8")
        written.append(p)
    index = ["# postlint rules", "", "| Code | Name | Severity | Summary |", "|---|---|---|---|"]
    for r in registry.rules:
        index.append(f"| [{r.code}]({r.code}.md) | `{r.name}` | {r.severity.value} | {r.summary()} |")
    (out / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    from postlint.rules import REGISTRY

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "docs" / "rules"
    for p in write_docs(REGISTRY, target):
        print(p)
