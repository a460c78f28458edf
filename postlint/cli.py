"""The command line: parse options -> settings -> engine -> reporter -> exit code. No lint logic here."""

from __future__ import annotations

import datetime as _dt
import gc
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

import click

from postlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# --statistics key: findings --only-changed-lines left out (the action shows the count in its summary).
HIDDEN_STAT = "findings on unchanged lines: not reported"


def _csv(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for v in values for p in v.split(",") if p.strip())


class _Fail(Exception):
    def __init__(self, message: str):
        super().__init__(message)


def _die(message: str) -> None:
    raise _Fail(message)


def _formats() -> list[str]:
    from postlint.reporters import REPORTERS

    return list(REPORTERS)


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, metavar="CODES", help="Rules to check (codes, prefixes or names, comma separated); replaces the configured set.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules to skip, added to the configured ones.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to check in addition to the selected ones.")
@click.option("--output-format", type=click.Choice(_formats()), default=None, help="Output format [default: text; github under GitHub Actions].")
@click.option("--output-file", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to this file instead of stdout.")
@click.option("--sarif-file", type=click.Path(path_type=Path, dir_okay=False), help="Also write SARIF to this file, beside the main output (for code scanning).")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Use this configuration file for every path.")
@click.option("--no-config", is_flag=True, help="Ignore every configuration file.")
@click.option("--offline", is_flag=True, help="Skip every rule that needs the network.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds one request may take [default: 10].")
@click.option("--max-concurrency", type=click.IntRange(min=1), default=None, help="Requests in flight at once, all hosts [default: 64].")
@click.option("--host-concurrency", type=click.IntRange(min=1), default=None, help="Requests in flight at once to one host [default: 8].")
@click.option("--max-retries", type=click.IntRange(min=0), default=None, help="Retries after a timeout, reset, 429 or 5xx [default: 2].")
@click.option("--user-agent", default=None, metavar="TEXT", help="User-Agent sent with every request.")
@click.option("--deadline", type=click.FloatRange(min=0, min_open=True), default=None, help="Seconds for all network checks; the rest is reported unchecked [default: 300].")
@click.option("--allow-private-hosts/--no-allow-private-hosts", default=None, help="Allow requests to localhost and private addresses (test servers).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None, help="Cache folder [default: .postlint_cache in the project].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--refresh-cache", is_flag=True, help="Ignore cached results and store fresh ones.")
@click.option("--force-exclude", is_flag=True, help="Apply excludes to files named on the command line too.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default="error", show_default=True, help="Lowest severity that fails the run.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks of rules that crash.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, help="Worker processes [default: one per CPU].")
@click.option("--stdin-filename", type=click.Path(path_type=Path), help="Lint standard input as if it were this file.")
@click.option("--strict", is_flag=True, help="Exit 2 when no file matches.")
@click.option("--changed-since", metavar="REF", help="Lint only posts added or modified since the merge base with this git revision, and posts showing an image it removed.")
@click.option("--only-changed-lines", "--new-findings-only", "only_changed_lines", metavar="REF", help="Report only findings on lines added or modified since the merge base with REF; count the rest.")
@click.option("--shard", metavar="K/N", help="Lint only shard K of N (a stable hash of each path), for a CI matrix.")
@click.option("--report-unused-disables", is_flag=True, help="Report suppression comments that suppress nothing (PL003).")
@click.option("--list-rules", is_flag=True, help="List every rule and exit.")
@click.option("--explain", metavar="CODE", help="Show the documentation of a rule and exit.")
@click.option("--show-config", is_flag=True, help="Show the resolved configuration and where each value came from.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), hidden=True, help="Pretend today is this date (tests).")
@click.version_option(__version__, prog_name="postlint")
def cli(**kw: object) -> None:
    """Lint Markdown posts: front-matter, images, dates and counts.

    PATHS are files or folders (default: the configured includes, or the current folder).
    """
    try:
        code = run(**kw)  # type: ignore[arg-type]
    except _Fail as exc:
        click.echo(f"postlint: error: {exc}", err=True)
        code = EXIT_ERROR
    sys.exit(code)


def run(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    output_format: str | None,
    output_file: Path | None,
    config_file: Path | None,
    no_config: bool,
    offline: bool,
    force_exclude: bool,
    quiet: bool,
    statistics: bool,
    exit_zero: bool,
    fail_on: str,
    color: str,
    debug: bool,
    jobs: int,
    stdin_filename: Path | None,
    strict: bool,
    report_unused_disables: bool,
    list_rules: bool,
    explain: str | None,
    show_config: bool,
    today: _dt.datetime | None,
    sarif_file: Path | None = None,
    timeout: float | None = None,
    max_concurrency: int | None = None,
    host_concurrency: int | None = None,
    max_retries: int | None = None,
    user_agent: str | None = None,
    deadline: float | None = None,
    allow_private_hosts: bool | None = None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    refresh_cache: bool = False,
    changed_since: str | None = None,
    only_changed_lines: str | None = None,
    shard: str | None = None,
) -> int:
    from postlint.config import ConfigError, ConfigResolver
    from postlint.rules import REGISTRY

    if list_rules:
        from postlint.docs import rules_table

        click.echo(rules_table(REGISTRY))
        return EXIT_OK
    if explain:
        rule = REGISTRY.get(explain)
        if rule is None:
            _die(f"unknown rule '{explain}'; `postlint --list-rules` lists them")
        from postlint.docs import render_rule

        click.echo(render_rule(rule))  # type: ignore[arg-type]
        return EXIT_OK

    cli_table: dict = {}
    if select:
        cli_table["select"] = list(_csv(select))
    if ignore:
        cli_table["ignore"] = list(_csv(ignore))
    if extend_select:
        cli_table["extend-select"] = list(_csv(extend_select))
    network = {
        "timeout": timeout,
        "max-concurrency": max_concurrency,
        "host-concurrency": host_concurrency,
        "max-retries": max_retries,
        "user-agent": user_agent,
        "deadline": deadline,
        "allow-private-hosts": allow_private_hosts,
        # Also in the settings, so that what checks the configuration up front (a schema URL) stays offline.
        "offline": True if offline else None,
    }
    if any(v is not None for v in network.values()):
        cli_table["network"] = {k: v for k, v in network.items() if v is not None}
    for key in ("select", "ignore", "extend-select"):
        unknown = REGISTRY.unknown(cli_table.get(key, ()))
        if unknown:
            _die(f"unknown rule code or name in --{key}: {', '.join(unknown)}")

    fmt = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" and "github" in _formats() else "text")
    try:
        resolver = ConfigResolver(config_file, no_config, cli_table)
        if show_config:
            from postlint.docs import render_settings

            target = paths[0] if paths else Path.cwd()
            click.echo(render_settings(resolver.for_path(target.resolve() if target.exists() else Path.cwd())))
            return EXIT_OK
        run_opts = replace(
            _run_options(offline, today, debug, report_unused_disables, jobs),
            cache_dir=cache_dir,
            no_cache=no_cache,
            refresh_cache=refresh_cache,
        )
        scope = _scope(changed_since, only_changed_lines, shard)
        results, n_files = _lint(paths, resolver, run_opts, stdin_filename, force_exclude, quiet, scope=scope)
    except ConfigError as exc:
        return _fail_report(str(exc), fmt, output_file, sarif_file)
    except _PathError as exc:
        _die(str(exc))
    if n_files == 0:
        click.echo("postlint: no Markdown files to lint" + (f" in {', '.join(map(str, paths))}" if paths else ""), err=True)
        if sarif_file is not None:  # an upload step expects the file even when nothing was linted
            from postlint.reporters import RunSummary

            _write("sarif", RunSummary(files=0, findings=[], quiet=True), sarif_file)
        return EXIT_ERROR if strict else EXIT_OK

    from postlint.finding import Severity
    from postlint.reporters import RunSummary

    findings = [f for r in results for f in r.findings]
    if scope and scope.line_filter is not None:
        findings = scope.filter(findings)
        if scope.hidden and not quiet:
            click.echo(f"postlint: {scope.hidden} finding{'s' if scope.hidden != 1 else ''} on lines not changed since {only_changed_lines} not reported", err=True)
    stats: dict = {}
    for r in results:
        for k, v in r.stats.items():
            stats[k] = stats.get(k, 0) + v
    for k, v in getattr(results, "stats", {}).items():  # the run's own counters (network checks)
        stats[k] = stats.get(k, 0) + v
    if scope and scope.line_filter is not None:
        stats[HIDDEN_STAT] = scope.hidden
    summary = RunSummary(
        files=n_files,
        findings=findings,
        stats=stats,
        color=_use_color(color, output_file),
        statistics=statistics,
        quiet=quiet,
        registry=REGISTRY,
    )
    _write(fmt, summary, output_file)
    if sarif_file is not None:
        _write("sarif", summary, sarif_file)
    threshold = Severity(fail_on).rank
    failing = any(f.severity.rank >= threshold for f in findings)
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_OK


class _PathError(Exception):
    pass


def _run_options(offline: bool, today: _dt.datetime | None, debug: bool, unused: bool, jobs: int):  # type: ignore[no-untyped-def]
    from postlint.engine import RunOptions

    return RunOptions(
        offline=offline,
        today=today.date() if today else _dt.date.today(),
        debug=debug,
        report_unused_disables=unused,
        jobs=jobs,
    )


def _scope(changed_since: str | None, only_changed_lines: str | None, shard: str | None):  # type: ignore[no-untyped-def]
    if changed_since is None and only_changed_lines is None and shard is None:
        return None  # the common case: no git, no import
    from postlint.changes import Scope, Shard

    try:
        return Scope(changed_since, only_changed_lines, Shard.parse(shard) if shard else None)
    except ValueError as exc:
        raise _PathError(f"--shard {exc}") from None


def _lint(paths, resolver, run_opts, stdin_filename, force_exclude, quiet=False, scope=None):  # type: ignore[no-untyped-def]
    from postlint import engine, files
    from postlint.progress import for_stderr

    progress = for_stderr(sys.stderr, quiet)

    if stdin_filename is not None or paths == (Path("-"),):
        name = stdin_filename or Path("-")
        settings = resolver.for_path(name.resolve() if name.parent.exists() else Path.cwd())
        if force_exclude and name.exists():
            if not files.collect([name], resolver, force_exclude=True):
                return [], 0
        text = sys.stdin.buffer.read()
        target = files.Target(name, files.display_path(name), settings)
        return engine.check_deferred([engine.lint_target(target, run_opts, data=text)], settings, run_opts, progress), 1

    def warn(msg: str) -> None:
        click.echo(f"postlint: warning: {msg}", err=True)

    roots = list(paths)
    if not roots:
        settings = resolver.for_path(Path.cwd())
        if settings.include:
            import glob

            base = settings.root
            roots = sorted({Path(os.path.relpath(p)) for g in settings.include for p in glob.glob(str(base / g), recursive=True)})
            if not roots:
                return [], 0
        else:
            roots = [Path(".")]
    try:
        targets = files.collect(roots, resolver, force_exclude=force_exclude, warn=warn)
    except files.PathError as exc:
        raise _PathError(str(exc)) from None
    if scope:
        from postlint.changes import ChangeError

        try:
            targets = scope.select(targets)
        except ChangeError as exc:
            raise _PathError(str(exc)) from None
    return engine.lint_all(targets, run_opts, progress=progress), len(targets)


def _use_color(mode: str, output_file: Path | None) -> bool:
    if mode == "always":
        return True
    if mode == "never" or output_file is not None:
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("PRE_COMMIT") == "1":
        return False
    return sys.stdout.isatty()


def _write(fmt: str, summary, output_file: Path | None) -> None:  # type: ignore[no-untyped-def]
    from postlint.reporters import get

    reporter = get(fmt)
    if output_file is None:
        reporter(summary, sys.stdout)
        sys.stdout.flush()
        return
    try:
        with open(output_file, "w", encoding="utf-8", newline="\n") as out:
            reporter(summary, out)
    except OSError as exc:
        _die(f"cannot write {output_file}: {exc.strerror or exc}")


def _fail_report(message: str, fmt: str, output_file: Path | None, sarif_file: Path | None = None) -> int:
    """postlint itself failed (configuration): say so, and let structured formats still say it."""
    click.echo(f"postlint: error: {message}", err=True)
    from postlint.reporters import RunSummary

    if fmt != "text":  # github: the failure becomes an annotation too
        _write(fmt, RunSummary(files=0, findings=[], errors=[message], quiet=True), output_file)
    if sarif_file is not None:
        _write("sarif", RunSummary(files=0, findings=[], errors=[message], quiet=True), sarif_file)
    return EXIT_ERROR


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    # Linting allocates millions of short-lived objects and almost no reference cycles: at the
    # default threshold (700) the collector ran 1,300 times per corpus run for 5% of the CPU time,
    # to free a few thousand objects. Worker processes inherit the setting.
    gc.set_threshold(10_000)
    try:
        cli.main(prog_name="postlint", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.stderr.write("postlint: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (postlint ... | head): nothing more to say.
        os._exit(EXIT_OK)
    finally:
        # The outcome is decided and reported: a Ctrl-C while the interpreter shuts down would
        # only turn it into a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
