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
from typing import TYPE_CHECKING, Any, NamedTuple

from postlint import suppress
from postlint._lazy import lazy_module, loaded
from postlint.config import ConfigError, Settings, settings_for_file
from postlint.files import Target, relative_posix
from postlint.finding import Finding, Severity
from postlint.registry import Context, DeferredCheck, DeferredSession, Registry, Report, Rule, options_from_table

if TYPE_CHECKING:
    from postlint.document import Document

# The parse, imported with the first file read: a warm run takes every result from the cache.
_document = lazy_module("postlint.document")

# Below this many files, a process pool costs more than it saves (pre-commit passes a handful).
IN_PROCESS_MAX_FILES = 16


@dataclass(frozen=True)
class RunOptions:
    offline: bool = False
    today: _dt.date = field(default_factory=_dt.date.today)
    debug: bool = False
    report_unused_disables: bool = False
    jobs: int = 0  # 0: one per CPU
    cache_dir: Path | None = None  # --cache-dir
    no_cache: bool = False
    refresh_cache: bool = False


@dataclass(frozen=True)
class Deferred:
    """One place where a rule left a key (a URL) to its DeferredCheck, judged once its answer is in."""

    check: str  # the DeferredCheck's name
    key: str
    line: int
    column: int
    options: Any  # the rule options for this file (judging may depend on them)
    # Codes an answer may be reported as here, with their severity: selected for the file and not
    # suppressed at this line (worked out in the worker, which has the document).
    severities: tuple[tuple[str, Severity], ...]
    context: str = ""  # the line's text, for fingerprints


@dataclass
class FileResult:
    display: str
    findings: list[Finding]
    stats: dict[str, int] = field(default_factory=dict)  # a Counter where rules counted
    deferred: list[Deferred] = field(default_factory=list)
    # What the result cache keeps of this file (None: not cacheable, or caching is off).
    entry: dict | None = None

    def __reduce__(self) -> tuple:
        # From a worker process: five plain fields, not a dataclass and a Counter rebuilt through
        # their generic protocols (the main process unpickles one result per post).
        return FileResult, (self.display, self.findings, dict(self.stats), self.deferred, self.entry)


@dataclass
class _Extras:
    """What a lint of one document leaves besides findings, for the result cache."""

    dependencies: set[str] = field(default_factory=set)
    memos: dict[str, Any] = field(default_factory=dict)
    cacheable: bool = True
    directives: list[list] = field(default_factory=list)


class RunResults(list[FileResult]):
    """The results of a run, in target order, plus counters that belong to no one file."""

    def __init__(self, results: Iterable[FileResult] = (), stats: Counter | None = None):
        super().__init__(results)
        self.stats: Counter = stats if stats is not None else Counter()


@dataclass
class DeferredPhase:
    """What a DeferredCheck may use: the run's settings and options, counters, a progress callback."""

    settings: Settings
    run: RunOptions
    stats: Counter
    progress: Callable[[int, int], None] | None = None


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
        self.codes = frozenset(r.code for r in self.rules)
        # Rules keep no state between posts: one instance each serves every post.
        self.instances = {r: r() for r in self.rules}
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
        self._plans: dict[bool, list[_Step]] = {}

    def plan(self, offline: bool) -> list[_Step]:
        """What lint_document runs per post, in order, looked up once per run instead of per post.
        A network rule without a DeferredCheck has nothing to do offline: it is left out."""
        steps = self._plans.get(offline)
        if steps is None:
            steps = self._plans[offline] = [
                _Step(r, self.instances[r].check, self.options[r.code], r.deferred_check, r.decide)
                for r in self.rules
                if not (r.needs_network and offline and r.deferred_check is None)
            ]
        return steps


class _Step(NamedTuple):
    rule: type[Rule]
    check: Callable[[Document, Context], Iterable[Report]]
    options: Any
    deferred_check: Any  # DeferredCheck | None
    decide: Any


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


def load_document(*args: Any, **kwargs: Any) -> Document:
    """``document.load_document`` (a name of this module, which tests replace)."""
    return _document.load_document(*args, **kwargs)


def lint_target(target: Target, run: RunOptions, data: bytes | None = None, cache: bool = False) -> FileResult:
    """Lint one file; with ``cache``, also return the entry the result cache keeps of it."""
    settings = _file_settings(target)
    fm_cap = settings.table("front-matter").get("max-size", _document.DEFAULT_MAX_FRONT_MATTER_SIZE)
    signature = None
    if cache and data is None:
        from postlint import result_cache

        signature = result_cache.stat_signature(target.path)
        if signature is not None and signature[0] == "f" and signature[1] <= settings.max_file_size:
            try:
                data = _document.read_capped(target._path, settings.max_file_size)
            except (OSError, _document.FileTooLarge):
                signature = None  # load_document reports it (PL001); such a result is not kept
        else:
            signature = None
    doc = load_document(target.path, target.display, data=data, max_size=settings.max_file_size, max_front_matter_size=fm_cap)
    extras = _Extras()
    findings, stats, deferred = lint_document(doc, settings, run, extras)
    result = FileResult(target.display, findings, stats, deferred)
    if signature is not None and data is not None and extras.cacheable and doc.parsed:
        result.entry = _entry(result, data, signature, extras)
    return result


def _entry(result: FileResult, data: bytes, signature: list, extras: _Extras) -> dict:
    from postlint import result_cache

    registry = _registry()
    decided = {code for code in extras.memos}
    entry = {
        "stat": signature,
        "digest": result_cache.digest(data),
        "findings": [
            [f.line, f.column, f.code, f.message, f.severity.value, f.end_line, f.end_column, f.context]
            for f in result.findings
            if f.code not in decided
        ],
        "deferred": [
            [d.check, d.key, d.line, d.column, [[c, s.value] for c, s in d.severities], d.context, _first_code(registry, d.check)]
            for d in result.deferred
        ],
        "deps": {p: result_cache.stat_signature(p) for p in sorted(extras.dependencies)},
        "memos": extras.memos,
        "directives": extras.directives,
        "stats": dict(result.stats),
    }
    # What is empty is left out (most posts have no findings, dependencies or memos): a warm run
    # reads every entry, and empty lists and mappings were half of what it decoded.
    return {k: v for k, v in entry.items() if v or k in ("stat", "digest")}


def _first_code(registry: Registry, check_name: str) -> str:
    return next(r.code for r in registry.rules if r.deferred_check is not None and r.deferred_check.name == check_name)


def from_entry(entry: dict, target: Target, run: RunOptions) -> FileResult:
    """Rebuild a file's result from its cache entry: no read, no parse; day-dependent rules decide anew."""
    stats = entry.get("stats") or {}
    memos = entry.get("memos")
    if not entry.get("findings") and not entry.get("deferred") and not (memos and any(m is not None for m in memos.values())):
        return FileResult(target.display, [], stats, [])  # most posts, on a warm run
    settings = _file_settings(target)
    sel = selection(settings)
    registry = _registry()
    display = target.display
    findings = [
        Finding(display, line, col, code, msg, Severity(sev), registry.by_code[code].name, end_line, end_col, context)
        for line, col, code, msg, sev, end_line, end_col, context in entry.get("findings", ())
        if code in registry.by_code
    ]
    if memos:
        sup = None  # made for the first report: most memos decide nothing (a past date)
        for code, memo in memos.items():
            rule_cls = registry.by_code.get(code)
            if rule_cls is None or rule_cls.decide is None or memo is None:
                continue
            ctx = Context(options=sel.options.get(code), config_dir=settings.root, today=run.today, offline=run.offline, settings=settings)
            for r in rule_cls.decide(memo, ctx):
                if sup is None:
                    sup = suppress.Suppressions([suppress.Directive(k, frozenset(c) if c is not None else None, line, 1) for k, c, line in entry.get("directives", [])], [])
                if not sup.suppresses(code, r.line):
                    findings.append(Finding(display, r.line, r.column, code, r.message, sel.severity.get(code, rule_cls.severity), rule_cls.name, r.end_line, r.end_column))
    deferred = [
        Deferred(check, key, line, col, sel.options.get(code), tuple((c, Severity(v)) for c, v in sevs), context)
        for check, key, line, col, sevs, context, code in entry.get("deferred", [])
    ]
    findings.sort()
    return FileResult(display, findings, stats, deferred)


def lint_document(
    doc: Document, settings: Settings, run: RunOptions, extras: _Extras | None = None
) -> tuple[list[Finding], Counter, list[Deferred]]:
    sel = selection(settings)
    registry = _registry()
    stats: Counter = Counter()
    extras = extras if extras is not None else _Extras()
    raw: list[tuple[type[Rule], Report]] = []
    # DeferredCheck name -> (the places its rules left, the codes of those rules selected here).
    deferred: dict[str, tuple[list[tuple[str, int, int]], list[type[Rule]]]] = {}
    steps = sel.plan(run.offline)
    if not doc.parsed:
        steps = [step for step in steps if step.rule.code in doc.problems]
    # One context per document, given each rule's options in turn: twenty fresh ones per post cost
    # more than some of the rules.
    ctx = Context(
        config_dir=settings.root,
        today=run.today,
        offline=run.offline,
        settings=settings,
        stats=stats,
        dependencies=extras.dependencies,
    )
    # A deferring rule runs offline too: its places are counted as skipped, never checked.
    for rule_cls, run_check, options, check, decide in steps:
        if check is not None and check.name in deferred:
            # Rules sharing a check record the same places: run the first one only.
            deferred[check.name][1].append(rule_cls)
            continue
        ctx.options = options
        ctx.memo = None
        if check is not None:
            ctx.deferred = []
        try:
            for report in run_check(doc, ctx):
                raw.append((rule_cls, report))
            if check is not None:
                deferred[check.name] = (ctx.deferred, [rule_cls])
            if decide is not None and ctx.memo is not None:
                extras.memos[rule_cls.code] = ctx.memo
                for report in decide(ctx.memo, ctx):
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
    extras.cacheable = ctx.cacheable
    sup = suppress.parse(doc, registry) if doc.parsed else None
    if sup is not None and extras.memos:
        extras.directives = [[d.kind, sorted(d.codes) if d.codes is not None else None, d.line] for d in sup.directives]
    findings: list[Finding] = []
    for rule_cls, report in raw:
        if sup is not None and rule_cls.code != "PL004" and sup.suppresses(rule_cls.code, report.line):
            continue
        findings.append(_finding(doc, rule_cls, report, sel, decided=rule_cls.decide is not None))
    if sup is not None and "PL003" in sel.codes:
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
    return findings, stats, _deferred_items(doc, deferred, sup, sel)


def _deferred_items(
    doc: Document,
    deferred: dict[str, tuple[list[tuple[str, int, int]], list[type[Rule]]]],
    sup: suppress.Suppressions | None,
    sel: _Selection,
) -> list[Deferred]:
    items: list[Deferred] = []
    for name, (places, rules) in deferred.items():
        for key, line, column in dict.fromkeys(places):
            # Asking now marks a matching directive used: a suppression of a network code on a
            # line with a URL is never reported as unused, whatever the URL answers later.
            severities = tuple(
                (r.code, sel.severity.get(r.code, r.severity)) for r in rules if sup is None or not sup.suppresses(r.code, line)
            )
            if severities:
                items.append(Deferred(name, key, line, column, sel.options[rules[0].code], severities, doc.line_text(line)))
    return items


def check_deferred(
    results: list[FileResult],
    settings: Settings,
    run: RunOptions,
    progress: Callable[[int, int], None] | None = None,
) -> RunResults:
    """Run every DeferredCheck once over the keys all files left, and add its findings to them.

    ``settings`` are the run's (network options, cache folder); findings are re-sorted per file.
    """
    phase = _DeferredRun(settings, run, progress)
    for res in results:
        phase.add(res)
    return phase.finish(results)


class _DeferredRun:
    """The run's deferred checks: one session per check, fed each file's keys as the file is done,
    so that remote checks start while the other files are still being linted.

    With ``hold``, keys wait until ``release``: a check's thread must not be running when a
    process pool forks its workers.
    """

    def __init__(self, settings: Settings, run: RunOptions, progress: Callable[[int, int], None] | None = None,
                 hold: bool = False):
        self.registry = _registry()
        self.checks: dict[str, DeferredCheck] = {
            r.deferred_check.name: r.deferred_check for r in self.registry.rules if r.deferred_check is not None
        }
        self.phase = DeferredPhase(settings, run, Counter(), progress)
        self.offline = run.offline or bool(settings.table("network").get("offline"))
        self.sessions: dict[str, DeferredSession] = {}
        self.skipped: dict[str, set[str]] = {}  # offline: the keys left unchecked, per check
        self.crashed: dict[str, Exception] = {}
        self.held: list[FileResult] | None = [] if hold else None

    def release(self) -> None:
        if self.held is not None:
            held, self.held = self.held, None
            for res in held:
                self.add(res)

    def add(self, res: FileResult) -> None:
        if not res.deferred:
            return
        if self.held is not None:
            self.held.append(res)
            return
        keys: dict[str, list[str]] = {}
        for item in res.deferred:
            keys.setdefault(item.check, []).append(item.key)
        for name, these in keys.items():
            if self.offline:
                self.skipped.setdefault(name, set()).update(these)
                continue
            if name in self.crashed:
                continue
            try:
                session = self.sessions.get(name)
                if session is None:
                    session = self.sessions[name] = self.checks[name].start(self.phase)
                session.add(these)
            except Exception as exc:  # noqa: BLE001 - a bug in one check must not lose the other findings
                self._crash(name, exc)

    def _crash(self, name: str, exc: Exception) -> None:
        if self.phase.run.debug:
            traceback.print_exc(file=sys.stderr)
        self.crashed[name] = exc
        session = self.sessions.pop(name, None)
        if session is not None:
            session.abandon()

    def abandon(self) -> None:
        for session in self.sessions.values():
            session.abandon()
        self.sessions.clear()

    def finish(self, results: list[FileResult]) -> RunResults:
        """Wait for every answer and add the findings to ``results`` (those of the files with keys)."""
        out = RunResults(results, self.phase.stats)
        for name, keys in self.skipped.items():
            out.stats[f"{name}: skipped (offline)"] += len(keys)
        for name in list(self.sessions):
            check = self.checks[name]
            try:
                answers = self.sessions.pop(name).finish()
                found = [(res, _judged(res, name, check, answers, self.registry)) for res in results]
            except Exception as exc:  # noqa: BLE001
                self._crash(name, exc)
                continue
            for res, findings in found:
                if findings:
                    res.findings.extend(findings)
                    res.findings.sort()
        for name, exc in self.crashed.items():
            _deferred_crashed(results, name, exc, self.registry)
        for res in results:
            res.deferred = []
        return out


def _network_key(settings: Settings) -> tuple:
    """What a deferred check takes from the run's settings: files with equal keys can share one phase."""
    return (settings.root, settings.cache_dir, repr(settings.table("network")))


def _judged(res: FileResult, name: str, check: DeferredCheck, answers: dict[str, Any], registry: Registry) -> list[Finding]:
    findings = []
    for item in res.deferred:
        if item.check != name or item.key not in answers:
            continue
        verdict = check.judge(answers[item.key], item.options)
        if verdict is None:
            continue
        code, message = verdict
        severity = dict(item.severities).get(code)
        if severity is None:  # not selected for this file, or suppressed at this line
            continue
        rule = registry.by_code[code]
        findings.append(Finding(res.display, item.line, item.column, code, message, severity, rule.name, context=item.context))
    return findings


def _deferred_crashed(results: list[FileResult], name: str, exc: Exception, registry: Registry) -> None:
    pl004 = registry.by_code["PL004"]
    for res in results:
        lines = sorted({(i.line, i.column, i.context) for i in res.deferred if i.check == name})
        for line, column, context in lines:
            message = f"{name} check crashed: {type(exc).__name__}: {str(exc)[:200]}; run with --debug for the traceback"
            res.findings.append(Finding(res.display, line, column, "PL004", message, pl004.severity, pl004.name, context=context))
        if lines:
            res.findings.sort()


def _finding(doc: Document, rule: type[Rule], r: Report, sel: _Selection, decided: bool = False) -> Finding:
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
        # Findings decided at report time have none: a cached result has no line text for them.
        context="" if decided else doc.line_text(line, 400),
    )


# --------------------------------------------------------------------------- running many files

_worker_run: RunOptions | None = None
_worker_cache = False


def _init_worker(run: RunOptions, cache: bool) -> None:
    global _worker_run, _worker_cache
    _worker_run = run
    _worker_cache = cache
    import gc

    # What the worker inherited from the parent is never garbage: keep the collector off those
    # pages, or every collection copies them into this process (copy-on-write).
    gc.freeze()
    import signal

    # The parent handles Ctrl-C; workers just stop when the pool is torn down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(target: Target) -> FileResult:
    assert _worker_run is not None
    return lint_target(target, _worker_run, cache=_worker_cache)


def effective_jobs(jobs: int) -> int:
    if jobs and jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def lint_all(targets: list[Target], run: RunOptions, progress: Callable[[int, int], None] | None = None) -> RunResults:
    """Lint every target. The results, in target order, are those of files with something to report
    (or left to a deferred check); every file's counters are summed into the run's ``stats``, so a
    run over 50,000 clean posts keeps nothing per post.

    Each unique key of deferred (network) checks is checked once, in this process: while the other
    files are still being linted when every file shares the network settings, else after all files.
    """
    _new_run()
    # Resolve selections (and surface configuration errors) before any work starts.
    for s in {t.settings for t in targets}:
        selection(s)
    caches = _ResultCaches(run) if not run.no_cache else None
    run_stats: Counter = Counter()
    kept: list[tuple[int, FileResult]] = []
    # One client and cache per run. When files differ in network settings, the first file (in
    # target order) that left work decides them, which is known only once every file is done.
    shared = len({_network_key(s) for s in {t.settings for t in targets}}) == 1
    deferred = _DeferredRun(targets[0].settings, run, progress, hold=True) if targets and shared else None

    def release() -> None:
        if deferred is not None:
            deferred.release()

    def count(stats: dict[str, int]) -> None:
        for name, n in stats.items():  # Counter.update tests for a Mapping first: per file
            run_stats[name] += n

    def keep(i: int, res: FileResult) -> None:
        if res.stats:
            count(res.stats)
            res.stats = {}
        if res.findings or res.deferred:
            kept.append((i, res))
        if deferred is not None:
            deferred.add(res)

    try:
        todo: list[int] = []
        for i, entry in enumerate(caches.lookup_all(targets) if caches is not None else [None] * len(targets)):
            if entry is None:
                todo.append(i)
            elif "findings" in entry or "deferred" in entry or "memos" in entry:
                keep(i, from_entry(entry, targets[i], run))
            else:  # a clean post (most, on a warm run): only its counters are kept
                count(entry.get("stats", {}))
        jobs = effective_jobs(run.jobs)
        caching = caches is not None
        if jobs == 1 or len(todo) <= IN_PROCESS_MAX_FILES:
            release()  # no worker process to start
            done: Iterable[FileResult] = (lint_target(targets[i], run, cache=caching) for i in todo)
        else:
            done = _pool_map([targets[i] for i in todo], run, jobs, caching)
        for i, res in zip(todo, done):
            release()  # a first result: every worker process has been started
            if caches is not None and res.entry is not None:
                caches.record(targets[i], res.entry)
                res.entry = None
            keep(i, res)
        release()
        if caches is not None:
            caches.save()
    except BaseException:
        if deferred is not None:
            deferred.abandon()
        raise
    kept.sort(key=lambda pair: pair[0])
    results = RunResults((res for _, res in kept), run_stats)
    if deferred is None:
        first = next((targets[i].settings for i, res in kept if res.deferred), None)
        if first is None:
            return results
        deferred = _DeferredRun(first, run, progress)
        for res in results:
            deferred.add(res)
    out = deferred.finish(list(results))
    out.stats.update(run_stats)
    return out


def _new_run() -> None:
    """Forget what an earlier run in this process saw of the file system (folder listings, schemas):
    nothing, where no earlier run imported what remembers it."""
    images = loaded("postlint.extract.images")
    if images is not None:
        images.forget_file_system()
    schema = loaded("postlint.schema")
    if schema is not None:
        schema.STORE.clear()


def _pool_map(targets: list[Target], run: RunOptions, jobs: int, cache: bool) -> Iterator[FileResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork is cheapest on Linux and our state is read-only; elsewhere use the platform default.
    ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    chunk = max(1, min(64, len(targets) // (jobs * 8) or 1))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(run, cache)) as pool:
        yield from pool.map(_work, targets, chunksize=chunk)


_NAME = "\0"  # a name no file has


class _ResultCaches:
    """One ResultCache per configuration, in the cache folder of that configuration's project."""

    def __init__(self, run: RunOptions):
        self.run = run
        self._by_settings: dict[Settings, Any] = {}
        self._roots: dict[Settings, str] = {}
        self._folders: dict[tuple[str, str], str] = {}  # (folder, root) -> a placeholder file's path from root
        self._cwd = os.getcwd()

    def _for(self, settings: Settings) -> Any:
        rc = self._by_settings.get(settings)
        if rc is None:
            from postlint import result_cache
            from postlint.cache import Cache

            cache = Cache.open(settings.root, cache_dir=self.run.cache_dir, config_cache_dir=settings.cache_dir, refresh=self.run.refresh_cache)
            codes = [r.code for r in selection(settings).rules]
            rc = self._by_settings[settings] = result_cache.ResultCache(cache.store(result_cache.NAMESPACE), result_cache.settings_key(settings, codes, self.run))
        return rc

    def _rel(self, target: Target) -> str:
        # Absolute, not resolved: no real-path lookups on a warm run that otherwise only stats files.
        root = self._roots.get(target.settings)
        if root is None:
            root = self._roots[target.settings] = os.path.abspath(target.settings.root)
        # Worked out once per folder: the file's name stands in the folder's answer as a placeholder,
        # which relative_posix leaves as it is (a name has no separator and is not "." or "..").
        folder, name = os.path.split(target._path)
        key = (folder, root)
        rel = self._folders.get(key)
        if rel is None:
            rel = self._folders[key] = relative_posix(os.path.join(self._cwd, folder, _NAME), root)
        return rel[: -len(_NAME)] + name

    def lookup_all(self, targets: list[Target]) -> Iterator[dict | None]:
        """Each target's entry when its results are still good, else None, in order (the targets of
        a folder share their settings)."""
        settings = cache = None
        rel = self._rel
        for t in targets:
            if t.settings is not settings:
                settings = t.settings
                cache = self._for(settings)
            yield cache.lookup(t._path, rel(t))

    def record(self, target: Target, entry: dict) -> None:
        self._for(target.settings).record(self._rel(target), entry)

    def save(self) -> None:
        for rc in self._by_settings.values():
            rc.save()


def lint_text(text: str, display: str, settings: Settings, run: RunOptions) -> FileResult:
    """Lint text as if it were the file ``display`` (for --stdin-filename and editors)."""
    target = Target(Path(display), display, settings)
    return check_deferred([lint_target(target, run, data=text.encode("utf-8", "surrogateescape"))], settings, run)[0]
