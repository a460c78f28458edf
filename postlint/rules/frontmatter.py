"""FM rules: front-matter against its JSON Schema, duplicate keys, dates, size, and presence."""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from postlint._lazy import lazy_module
from postlint.finding import Severity
from postlint.registry import Context, Report, Rule

if TYPE_CHECKING:  # the parse: a warm run never imports it
    from postlint.document import Document

schema = lazy_module("postlint.schema")  # imported when a post is first checked (FM001 loads schemas)

_FILE_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")


@dataclass(frozen=True)
class FrontMatterOptions:
    """``[tool.postlint.front-matter]``."""

    schema: str = "post"
    schemas: Mapping[str, str] = field(default_factory=dict)
    schema_key: bool = True
    require_front_matter: tuple[str, ...] = ()
    date_key: str = "date"
    file_name_date_tolerance: int = 0
    today: str | None = None
    max_size: int = 256 * 1024


_DEFAULT_SCHEMA = FrontMatterOptions.schema  # "post", a shipped schema's name


def _options(ctx: Context) -> FrontMatterOptions:
    return ctx.options if isinstance(ctx.options, FrontMatterOptions) else FrontMatterOptions()


@lru_cache(maxsize=256)
def _glob(pattern: str) -> Any:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines([pattern])


def _specificity(pattern: str) -> tuple[int, int]:
    # The glob that spells out more of the path is the more specific one: `_posts/2024/**` beats `_posts/**`.
    return (len(re.sub(r"[*?\[\]]", "", pattern)), -pattern.count("*"))


def relative_path(doc: Document, base: Path) -> str:
    # Globs match the path as written under the configuration's folder; no symlink resolution
    # (one realpath per post costs more than validating it).
    rel = os.path.relpath(os.path.abspath(doc.path), os.path.abspath(base))
    return Path(doc.path).as_posix() if rel.startswith("..") else Path(rel).as_posix()


def matches(rel: str, patterns: Any) -> bool:
    return any(_glob(p).match_file(rel) for p in patterns)


def schema_for(rel: str, opts: FrontMatterOptions) -> str:
    """The configured schema for a file: the most specific matching glob, else the default."""
    hits = [g for g in opts.schemas if _glob(g).match_file(rel)]
    return opts.schemas[max(hits, key=_specificity)] if hits else opts.schema


def _post_date(doc: Document, opts: FrontMatterOptions) -> tuple[_dt.date, tuple[int, int]] | None:
    fm = doc.front_matter
    if fm is None or not fm.ok:
        return None
    day = schema.calendar_date(fm.data.get(opts.date_key))
    return (day, fm.value_line_of((opts.date_key,))) if day else None


class SchemaViolation(Rule):
    """Front-matter does not match its JSON Schema.

    ## What it does
    Validates the front-matter against a JSON Schema (draft 2020-12) and reports every
    violation at the offending key or list item, naming the key path (`tags[2]`,
    `author.name`), what was found and what was expected. A missing required key is reported
    at the opening fence.

    The schema is, in order: the post's own `$schema` key (a path relative to the post, inside
    the repository, a shipped schema name, or an http(s) URL fetched through the cache), the most
    specific glob of `schemas` matching the file, or `schema` (default: the shipped `post`
    schema, which requires a non-empty `title` and checks the types of `date`, `tags`,
    `categories`, `draft`, `published`, `image`, `author`, `description` and `excerpt`). Shipped
    schemas: `post`, `jekyll-post`, `hugo-page`. Dates may use the `post-date` format:
    YAML timestamps, ISO dates, RFC 3339 and Jekyll's `YYYY-MM-DD HH:MM:SS +/-TTTT`.

    ## Why is this bad?
    Generators fail or silently misrender pages whose front-matter has the wrong shape: a
    `tags: python` string where a theme loops over a list, a date that does not exist, a title
    left empty.

    ## Example
    ```markdown
    ---
    title: Release notes
    date: 2022-02-30
    tags: [release, 3]
    ---
    ```

    ## Use instead
    ```markdown
    ---
    title: Release notes
    date: 2022-02-28
    tags: [release, "3"]
    ---
    ```

    ## Options
    - `schema`: the default schema, a shipped name or a path relative to the configuration file.
    - `schemas`: a table of glob -> schema (`"_posts/**" = "jekyll-post"`); the glob with the most
      literal characters wins.
    - `schema-key`: whether a post's `$schema` key may choose its schema (default true).
    A schema named in the configuration that cannot be loaded stops the run (exit 2); one named
    by a post is reported on that post.
    """

    code = "FM001"
    name = "schema-violation"
    family = "front-matter"
    options_table = "front-matter"
    Options = FrontMatterOptions

    @classmethod
    def prepare(cls, options: FrontMatterOptions, settings: Any) -> None:
        """Load and compile the configured schemas before any file: a broken one is a configuration error."""
        from postlint.config import ConfigError

        named = [("front-matter.schema", options.schema)] + [(f"front-matter.schemas.\"{g}\"", s) for g, s in options.schemas.items()]
        if all(name == _DEFAULT_SCHEMA for _, name in named):
            return  # the shipped default, valid as shipped: nothing to load (and no schema module)
        root = Path(settings.root)
        offline = bool(settings.table("network").get("offline", False))
        schema.STORE.fetcher = schema.fetcher_for(settings, offline)
        for key, name in named:
            uri = schema.schema_uri(name, root)
            if uri.startswith(schema.SHIPPED_BASE):
                # Shipped schemas are valid (the tests compile each): compiled when a post needs one,
                # so a run whose results all come from the cache never imports jsonschema.
                continue
            try:
                schema.STORE.load(uri, relative_to=root)
            except schema.OfflineSchemaError:
                continue  # not fetched offline: posts are not validated against it, and counted
            except schema.SchemaError as exc:
                raise ConfigError(f"{settings.path or 'configuration'}: {key}: {exc}") from None

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        fm = doc.front_matter
        if fm is None or not fm.ok:
            return
        opts = _options(ctx)
        data = fm.data
        named = data.get("$schema") if opts.schema_key else None
        schema.STORE.fetcher = schema.fetcher_for(ctx.settings, ctx.offline)
        try:
            if named is not None:
                loaded = self._post_schema(doc, named, ctx)
                if loaded is None:
                    return
            else:
                name = schema_for(relative_path(doc, ctx.config_dir), opts) if opts.schemas else opts.schema
                loaded = schema.STORE.load(schema.STORE.uri(name, ctx.config_dir), relative_to=ctx.config_dir)
        except schema.OfflineSchemaError:
            ctx.stats["FM001: remote schema not checked offline"] += 1
            ctx.uncacheable()
            return
        except schema.SchemaError as exc:
            # It may be fixed outside this post (the file appears, the server answers): check again next run.
            ctx.uncacheable()
            line, col = fm.value_line_of(("$schema",)) if named is not None else (fm.start_line, 1)
            yield Report(line, col, f"schema cannot be used: {exc}")
            return
        for f in loaded.files:
            ctx.depend(f)
        if loaded.remote:
            ctx.uncacheable()
        body = {k: v for k, v in data.items() if k != "$schema"} if "$schema" in data else data
        if loaded.accepts is not None and loaded.accepts(body):
            return  # the validator would find nothing either
        instance = schema.to_json(body)
        for v in schema.violations(loaded.validator, instance, fm):
            yield Report(v.line, v.column, v.message)

    @staticmethod
    def _post_schema(doc: Document, named: Any, ctx: Context) -> schema.Loaded | None:
        from postlint.config import find_repo_root

        if not isinstance(named, str) or not named.strip():
            raise schema.SchemaError(f"$schema is {schema.found(named)}; expected a path, a shipped schema name or a URL")
        folder = doc.path.resolve().parent
        repo = find_repo_root(folder) or ctx.config_dir.resolve()
        uri = schema.schema_uri(named, folder)
        return schema.STORE.load(uri, confine=repo, relative_to=repo)


class DuplicateKey(Rule):
    """Front-matter repeats a key.

    ## What it does
    Reports a key that appears twice in the same YAML mapping or JSON object, at the second one,
    naming the line of the first. (In TOML a repeated key is a syntax error: `FM002`.)

    ## Why is this bad?
    YAML and JSON loaders silently keep the last value: the first one, which is usually the one
    the author reads and edits, has no effect.

    ## Example
    ```markdown
    ---
    title: Draft title
    date: 2024-05-01
    title: Final title
    ---
    ```

    ## Use instead
    ```markdown
    ---
    title: Final title
    date: 2024-05-01
    ---
    ```
    """

    code = "FM003"
    name = "duplicate-key"
    family = "front-matter"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        fm = doc.front_matter
        if fm is None:
            return
        for dup in fm.duplicates:
            where = schema._path_text(dup.path)
            yield Report(dup.line, dup.column, f"duplicate key {where} (first on line {dup.first_line}); only the last value is kept")


class FileNameDateMismatch(Rule):
    """Front-matter date differs from the date in the file name.

    ## What it does
    For a Jekyll-style file name (`2022-06-29-slug.md`), compares the front-matter `date` with
    the file name's date as calendar dates, in the front-matter date's own time zone
    (`2022-06-29 23:30:00 -0500` is the 29th), and reports a difference of more than
    `file-name-date-tolerance` days at the date.

    ## Why is this bad?
    The front-matter date wins: the post's URL, its place in the archive and its feed entry use
    it, while everyone reading the repository sees the file name's date. One of them is wrong.

    ## Example
    ```markdown filename=2022-06-29-launch.md
    ---
    title: Launch
    date: 2022-07-04
    ---
    ```

    ## Use instead
    ```markdown filename=2022-07-04-launch.md
    ---
    title: Launch
    date: 2022-07-04
    ---
    ```

    Every difference is reported by default, one day included: a plain `date: 2015-02-11` in
    `2015-02-10-slug.md` involves no time zone, and the post's URL and archive place follow the
    front-matter. On the 18F blog (567 posts) that is 45 warnings: 23 posts one day apart, 22
    two to 27 days apart (files named when the draft started); on the Jekyll documentation, 9.

    ## Options
    - `date-key` (default `date`)
    - `file-name-date-tolerance`: days of difference allowed (default 0). A site that names
      files when a draft starts and dates posts when they go out can raise it (18F would need 27).
    """

    code = "FM004"
    name = "file-name-date-mismatch"
    family = "front-matter"
    severity = Severity.WARNING
    options_table = "front-matter"
    Options = FrontMatterOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        m = _FILE_NAME_DATE.match(doc.path.name)
        if not m:
            return
        opts = _options(ctx)
        found = _post_date(doc, opts)
        if found is None:
            return
        try:
            named = _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return
        day, (line, col) = found
        delta = (day - named).days
        if abs(delta) > opts.file_name_date_tolerance:
            way = "later" if delta > 0 else "earlier"
            yield Report(line, col, f"{opts.date_key} is {day.isoformat()}, {abs(delta)} day{'s' if abs(delta) != 1 else ''} {way} than the file name's {named.isoformat()}; the front-matter date wins: fix one of them")


class FutureDate(Rule):
    """Post is dated in the future.

    ## What it does
    Reports a front-matter `date` after today (in the date's own time zone), unless the post is a
    draft (`draft: true` or `published: false`).

    ## Why is this bad?
    Jekyll and Hugo silently leave future-dated posts out of the build (unless run with
    `--future` / `--buildFuture`): the post is merged and never appears. Often the year is a typo.

    ## Example
    ```markdown today=2024-05-01
    ---
    title: Spring update
    date: 2025-04-30
    ---
    ```

    ## Use instead
    ```markdown today=2024-05-01
    ---
    title: Spring update
    date: 2024-04-30
    ---
    ```

    ## Options
    - `date-key` (default `date`)
    - `today`: pretend today is this date (`"2024-05-01"`), for reproducible runs.
    """

    code = "FM005"
    name = "future-dated-post"
    family = "front-matter"
    severity = Severity.WARNING
    options_table = "front-matter"
    Options = FrontMatterOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        # Whether a date is in the future changes with the day: keep the date, decide in `decide`.
        opts = _options(ctx)
        found = _post_date(doc, opts)
        if found is None:
            return
        data = doc.front_matter.data  # type: ignore[union-attr]
        if data.get("draft") is True or data.get("published") is False:
            return
        day, (line, col) = found
        ctx.memo = {"date": day.isoformat(), "line": line, "column": col}
        yield from ()

    @staticmethod
    def decide(memo: Any, ctx: Context) -> Iterator[Report]:
        if not memo:
            return
        opts = _options(ctx)
        today = _dt.date.fromisoformat(opts.today) if opts.today else ctx.today
        day = _dt.date.fromisoformat(memo["date"])
        if day > today:
            yield Report(memo["line"], memo["column"], f"{opts.date_key} {day.isoformat()} is in the future (today is {today.isoformat()}); generators skip future posts by default")


class FrontMatterTooLarge(Rule):
    """Front-matter is too large, or its aliases expand too far.

    ## What it does
    Reports front-matter over `max-size` bytes (default 256 KiB), or YAML whose aliases would
    expand to more than 100,000 values (an "alias bomb"). Such front-matter is not loaded, so no
    other front-matter rule checks it.

    ## Why is this bad?
    Real front-matter stays far below the cap (the largest in postlint's test corpora is about
    120 KB). Anything bigger is a mistake or an attack that would cost every tool reading it
    time and memory.

    ## Example
    ```markdown
    ---
    a: &a [x, x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    ---
    ```

    ## Use instead
    ```markdown
    ---
    title: Small front-matter
    ---
    ```

    ## Options
    - `max-size`: bytes (default 262144).
    """

    code = "FM006"
    name = "front-matter-too-large"
    family = "front-matter"
    options_table = "front-matter"
    Options = FrontMatterOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        fm = doc.front_matter
        if fm is not None and fm.too_large is not None:
            yield fm.too_large


class MissingFrontMatter(Rule):
    """Front-matter is missing where the configuration requires it.

    ## What it does
    Reports a file matching one of the `require-front-matter` globs that has no front-matter
    block. Files without front-matter are otherwise not checked by the front-matter rules.

    ## Why is this bad?
    Jekyll copies a file without front-matter as it is, unrendered; other generators give it no
    title or date. In a posts folder that is always a mistake.

    ## Example
    ```markdown filename=_posts/2024-05-01-hello.md config=[front-matter];require-front-matter=['_posts/**']
    # Hello
    ```

    ## Use instead
    ```markdown filename=_posts/2024-05-01-hello.md config=[front-matter];require-front-matter=['_posts/**']
    ---
    title: Hello
    ---
    # Hello
    ```

    ## Options
    - `require-front-matter`: globs relative to the configuration file (default: none).
    """

    code = "FM007"
    name = "missing-front-matter"
    family = "front-matter"
    options_table = "front-matter"
    Options = FrontMatterOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        opts = _options(ctx)
        if doc.front_matter is not None or not opts.require_front_matter:
            return
        if matches(relative_path(doc, ctx.config_dir), opts.require_front_matter):
            yield Report(1, 1, "front-matter is missing; files here must start with a --- block (require-front-matter)")


RULES: list[type[Rule]] = [SchemaViolation, DuplicateKey, FileNameDateMismatch, FutureDate, FrontMatterTooLarge, MissingFrontMatter]
