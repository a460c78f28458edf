"""Per file: load -> selected rules -> stamp code, path, severity -> suppress -> sort. Parallel over files."""

from __future__ import annotations

import datetime as _dt
import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from postlint import suppress
from postlint.config import ConfigError, Settings, settings_for_file
from postlint.document import DEFAULT_MAX_FRONT_MATTER_SIZE, Document, load_document
from postlint.files import Target
from postlint.finding import Finding, Severity
from postlint.registry import Context, Registry, Report, Rule, options_from_table

# Below this many files, a process pool costs more than it saves (pre-commit passes a handful).
IN_PROCESS_MAX_FILES = 16


@dataclass(frozen=True)
class RunOptions:
    offline: bool = False
    today: _dt.date = field(default_factory=_dt.date.today)
    debug: bool = False
    report_unused_disables: bool = False
    jobs: int = 0  # 0: one per CPU


@dataclass
class FileResult:
    display: str
    findings: list[Finding]
    stats: Counter = field(default_factory=Counter)


def _registry() -> Registry:
    from postlint.rules import REGISTRY

    return REGISTRY


class _Selection:
    """Which rules apply to files under one Settings, with their options, computed once."""

    def __init__(self, settings: Settings, registry: Registry):
        for selectors in (settings.select or (), settings.ignore, settings.extend_select):
            unknown = registry.unknown(selectors)
            if unknown:
                raise ConfigError(f"unknown rule code or name: {', '.join(unknown)} ({settings.sources.get('select', settings.path or 'command line')})")
        for code in dict(settings.severity):
            if not registry.match(code):
                raise ConfigError(f"severity table names unknown rule '{code}'")
        self.rules = registry.select(settings.select, settings.ignore, settings.extend_select)
        sev = settings.severity_map()
        self.severity: dict[str, Severity] = {}
        for rule in registry.rules:
            level = rule.severity
            for sel, value in sev.items():
                if rule in registry.match(sel):
                    level = Severity(value)
            self.severity[rule.code] = level
        self.options: dict[str, Any] = {
            r.code: options_from_table(r.Options, settings.table(r.options_table) if r.options_table else None) for r in self.rules
        }
        # A rule may check what its options name (a schema file) before any work: ConfigError, exit 2.
        for r in self.rules:
            prepare = getattr(r, "prepare", None)
            if prepare is not None:
                prepare(self.options[r.code], settings)


_selections: dict[Settings, _Selection] = {}


def selection(settings: Settings) -> _Selection:
    sel = _selections.get(settings)
    if sel is None:
        sel = _selections[settings] = _Selection(settings, _registry())
    return sel


def _file_settings(target: Target) -> Settings:
    s = target.settings
    if not s.overrides and not s.per_file_ignores:
        return s
    try:
        rel = target.path.resolve().relative_to(s.root.resolve()).as_posix()
    except ValueError:
        rel = target.path.as_posix()
    s = settings_for_file(s, rel)
    if s.per_file_ignores:
        from postlint.files import _spec

        extra = tuple(code for glob, codes in s.per_file_ignores if _spec((glob,)).match_file(rel) for code in codes)
        if extra:
            from dataclasses import replace

            s = replace(s, ignore=s.ignore + extra, per_file_ignores=())
    return s


def lint_target(target: Target, run: RunOptions, data: bytes | None = None) -> FileResult:
    settings = _file_settings(target)
    fm_cap = settings.table("front-matter").get("max-size", DEFAULT_MAX_FRONT_MATTER_SIZE)
    doc = load_document(target.path, target.display, data=data, max_size=settings.max_file_size, max_front_matter_size=fm_cap)
    return FileResult(target.display, *lint_document(doc, settings, run))


def lint_document(doc: Document, settings: Settings, run: RunOptions) -> tuple[list[Finding], Counter]:
    sel = selection(settings)
    registry = _registry()
    stats: Counter = Counter()
    raw: list[tuple[type[Rule], Report]] = []
    rules = sel.rules if doc.parsed else [r for r in sel.rules if r.code in doc.problems]
    for rule_cls in rules:
        if rule_cls.needs_network and run.offline:
            continue
        ctx = Context(
            options=sel.options[rule_cls.code],
            config_dir=settings.root,
            today=run.today,
            offline=run.offline,
            settings=settings,
            stats=stats,
        )
        try:
            for report in rule_cls().check(doc, ctx):
                raw.append((rule_cls, report))
        except Exception as exc:  # noqa: BLE001 - one rule's bug must not stop the others
            if run.debug:
                traceback.print_exc(file=sys.stderr)
            raw.append(
                (
                    registry.by_code["PL004"],
                    Report(1, 1, f"rule {rule_cls.code} ({rule_cls.name}) crashed: {type(exc).__name__}: {str(exc)[:200]}; run with --debug for the traceback"),
                )
            )
    sup = suppress.parse(doc, registry) if doc.parsed else None
    findings: list[Finding] = []
    selected_codes = {r.code for r in sel.rules}
    for rule_cls, report in raw:
        if sup is not None and rule_cls.code != "PL004" and sup.suppresses(rule_cls.code, report.line):
            continue
        findings.append(_finding(doc, rule_cls, report, sel))
    if sup is not None and "PL003" in selected_codes:
        pl003 = registry.by_code["PL003"]
        extra = list(sup.invalid)
        if run.report_unused_disables:
            for d in sup.directives:
                if d.kind != "enable" and not d.used and not any(d.line == r.line for r in sup.invalid):
                    what = ", ".join(d.raw) if d.raw else "all rules"
                    extra.append(Report(d.line, d.column, f"suppression of {what} is unused: nothing here is reported; remove it"))
        for report in extra:
            if not sup.suppresses("PL003", report.line):
                findings.append(_finding(doc, pl003, report, sel))
    findings.sort()
    return findings, stats


def _finding(doc: Document, rule: type[Rule], r: Report, sel: _Selection) -> Finding:
    n_lines = max(len(doc.line_starts), 1)
    line = min(max(r.line, 1), n_lines) if doc.text else max(r.line, 1)
    return Finding(
        path=doc.display_path,
        line=line,
        column=max(r.column, 1),
        code=rule.code,
        message=r.message,
        severity=sel.severity.get(rule.code, rule.severity),
        name=rule.name,
        end_line=r.end_line,
        end_column=r.end_column,
        # A bounded prefix: a 5 MB line with 100,000 findings must not be copied 100,000 times.
        context=doc.line_text(line, 400),
    )


# --------------------------------------------------------------------------- running many files

_worker_run: RunOptions | None = None


def _init_worker(run: RunOptions) -> None:
    global _worker_run
    _worker_run = run
    import signal

    # The parent handles Ctrl-C; workers just stop when the pool is torn down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(target: Target) -> FileResult:
    assert _worker_run is not None
    return lint_target(target, _worker_run)


def effective_jobs(jobs: int) -> int:
    if jobs and jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def lint_all(targets: list[Target], run: RunOptions, on_result: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Lint every target; results come back in target order whatever the number of jobs."""
    # Resolve selections (and surface configuration errors) before any work starts.
    for s in {t.settings for t in targets}:
        selection(s)
    jobs = effective_jobs(run.jobs)
    results: list[FileResult] = []
    if jobs == 1 or len(targets) <= IN_PROCESS_MAX_FILES:
        it: Iterable[FileResult] = (lint_target(t, run) for t in targets)
        for res in it:
            results.append(res)
            if on_result:
                on_result(res)
        return results
    results.extend(_pool_map(targets, run, jobs, on_result))
    return results


def _pool_map(targets: list[Target], run: RunOptions, jobs: int, on_result: Callable[[FileResult], None] | None) -> Iterator[FileResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheapest on Linux and our state is read-only; elsewhere use the platform default.
    ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    chunk = max(1, min(64, len(targets) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(run,)) as pool:
        for res in pool.map(_work, targets, chunksize=chunk):
            if on_result:
                on_result(res)
            yield res


def lint_text(text: str, display: str, settings: Settings, run: RunOptions) -> FileResult:
    """Lint text as if it were the file ``display`` (for --stdin-filename and editors)."""
    target = Target(Path(display), display, settings)
    return lint_target(target, run, data=text.encode("utf-8", "surrogateescape"))
