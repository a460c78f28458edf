"""Front-matter schemas: loading (shipped, path, URL), $ref resolution, validators compiled once, errors in plain words."""

from __future__ import annotations

import calendar
import datetime as _dt
import difflib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

if TYPE_CHECKING:  # jsonschema and referencing cost ~60 ms to import: only when a file is validated
    import jsonschema

    from postlint.document import FrontMatter

SHIPPED_BASE = "https://postlint.dev/schemas/"


def _import_jsonschema() -> None:
    """First import of jsonschema goes through postlint._jsonschema (no IRI grammar at import)."""
    from postlint._jsonschema import jsonschema as load

    load()

SHIPPED_SUFFIX = ".schema.json"
FILE_SCHEMES = ("file",)
WEB_SCHEMES = ("http", "https")


class SchemaError(Exception):
    """A schema that cannot be loaded, parsed or compiled; the message names it without absolute paths."""


class OfflineSchemaError(SchemaError):
    """A remote schema that is not in the cache during an offline run: unchecked, not wrong."""


# --------------------------------------------------------------------------- dates (format post-date)

_POST_DATE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:(?:[Tt]|[ \t]+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"(?:[ \t]*(?P<tz>[Zz]|[+-]\d{1,2}(?::?\d{2})?))?)?$"
)
# What Ruby's Time.parse (Jekyll) also reads after a valid date: a time, a repeated year, a zone name.
_JEKYLL_REST = re.compile(r"^(?:[ \t]+|[Tt])[0-9:.,+\- \tA-Za-z]*$")
_MONTHS = calendar.month_name


def parse_post_date(value: str) -> _dt.date:
    """The calendar date a post date string names, in its own time zone; ValueError names the bad part."""
    m = _POST_DATE.match(value.strip())
    if not m:
        raise ValueError("expected a date like 2024-05-31, optionally with a time: 2024-05-31 14:30:00 +0200 or 2024-05-31T14:30:00Z")
    day = _check_parts(m)
    for part, word in (("m", "month"), ("d", "day")):
        if len(m.group(part)) == 1:
            # ISO 8601 and RFC 3339 need two digits; YAML reads 2024-4-09 as text, Go's time.Parse rejects it.
            raise ValueError(f"{word} {m.group(part)} must have two digits (0{m.group(part)})")
    return day


def parse_jekyll_date(value: str) -> _dt.date:
    """Like ``parse_post_date``, but accepts what Jekyll's lenient Time.parse accepts after a valid date."""
    strict = _POST_DATE.match(value.strip())
    if strict:
        return _check_parts(strict)  # Ruby also reads one-digit months and days
    text = value.strip()
    m = re.match(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", text)
    rest = text[m.end() :] if m else ""
    if not m or (rest and not _JEKYLL_REST.match(rest)):
        return parse_post_date(value)  # raises, saying what a date looks like
    return _check_parts(m)


def _check_parts(m: re.Match[str]) -> _dt.date:
    g = m.groupdict()
    year, month, day = int(g["y"]), int(g["m"]), int(g["d"])
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist")
    last = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= last:
        raise ValueError(f"day {day} does not exist in {_MONTHS[month]} {year} (it has {last} days)")
    if year < 1:
        raise ValueError("year 0000 does not exist")
    if g.get("H") is not None:
        hour, minute, second = int(g["H"]), int(g["M"]), int(g["S"] or 0)
        if hour > 23:
            raise ValueError(f"hour {hour} does not exist")
        if minute > 59:
            raise ValueError(f"minute {minute} does not exist")
        if second > 60:  # 60: a leap second, valid in RFC 3339
            raise ValueError(f"second {second} does not exist")
        tz = g.get("tz")
        if tz and tz not in "Zz":
            digits = tz[1:].replace(":", "")
            hours, minutes = int(digits[:-2] if len(digits) > 2 else digits), int(digits[-2:]) if len(digits) > 2 else 0
            if hours > 23 or minutes > 59:
                raise ValueError(f"time zone offset {tz} does not exist")
    return _dt.date(year, month, day)


def calendar_date(value: Any, *, lenient: bool = True) -> _dt.date | None:
    """The calendar date of a loaded date value (date, datetime or string) in its own time zone; None if unreadable."""
    if isinstance(value, _dt.datetime):
        return value.date()  # an aware datetime keeps the offset it was written with
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return (parse_jekyll_date if lenient else parse_post_date)(value)
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------- loader types -> JSON


_PLAIN = frozenset((str, int, float, bool, type(None)))


def to_json(value: Any, _depth: int = 0) -> Any:
    """Loader types (dates, times, sets, bytes, non-string keys) as the JSON values a schema sees."""
    if _depth > 200:
        return None
    if isinstance(value, dict):
        # Strings and numbers, most values, are returned as they are without a call.
        return {k if type(k) is str else _json_key(k): v if type(v) in _PLAIN else to_json(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [v if type(v) in _PLAIN else to_json(v, _depth + 1) for v in items]
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            # A YAML timestamp without a zone is UTC by the YAML spec; RFC 3339 needs it spelled out.
            return value.isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    return value


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (_dt.date, _dt.time)):
        return key.isoformat()
    return str(key)


# --------------------------------------------------------------------------- naming and loading schemas


def shipped_dir() -> Path:
    from postlint.config import schemas_dir

    return schemas_dir()


def shipped_names() -> list[str]:
    return sorted(p.name[: -len(SHIPPED_SUFFIX)] for p in shipped_dir().glob("*" + SHIPPED_SUFFIX) if not p.name.startswith("postlint-config"))


def _shipped_file(name: str) -> Path | None:
    """``post``, ``post.schema.json`` -> the shipped file, else None."""
    if "/" in name or "\\" in name or not name:
        return None
    file = name if name.endswith(".json") else name + SHIPPED_SUFFIX
    path = shipped_dir() / file
    return path if path.is_file() else None


def schema_uri(name: str, base_dir: Path) -> str:
    """The URI a schema name stands for: a shipped schema, an http(s) URL, or a file relative to ``base_dir``."""
    name = name.strip()
    scheme = urlsplit(name).scheme.lower()
    if scheme in WEB_SCHEMES:
        return name
    if scheme == "postlint":
        name = name.split(":", 1)[1]
    shipped = _shipped_file(name)
    if shipped is not None:
        return SHIPPED_BASE + shipped.name
    if scheme in FILE_SCHEMES:
        return name
    path = Path(os.path.expanduser(name))
    return (path if path.is_absolute() else base_dir / path).resolve().as_uri()


def display_name(uri: str, relative_to: Path | None = None) -> str:
    """How a schema is named in messages: never an absolute path."""
    if uri.startswith(SHIPPED_BASE):
        return uri[len(SHIPPED_BASE) :].removesuffix(SHIPPED_SUFFIX) + " (shipped)"
    if urlsplit(uri).scheme == "file":
        path = Path(unquote(urlsplit(uri).path))
        for base in (relative_to, Path.cwd()):
            if base is None:
                continue
            try:
                return path.relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
        return path.name
    return uri


def inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


# A fetcher returns a URL's body (bytes); raises SchemaError when it cannot. Set by the rule per run.
Fetcher = Callable[[str], bytes]


@dataclass(frozen=True)
class Loaded:
    """A compiled schema: its validator and the name used in messages."""

    uri: str
    name: str
    validator: Any
    files: tuple[str, ...] = ()  # local files it was built from (itself and its $refs)
    remote: bool = False  # built from a URL: depends on the network
    # True only for front-matter data (as loaded) whose JSON form the validator finds nothing wrong
    # with (see plain_acceptor); None: the schema uses keywords it does not evaluate.
    accepts: Callable[[Any], bool] | None = None


class SchemaStore:
    """Schemas of one run: contents loaded once, validators compiled once per schema and confinement."""

    def __init__(self) -> None:
        self._contents: dict[str, Any] = {}
        self._validators: dict[tuple[str, str | None], Loaded] = {}
        self._failures: dict[tuple[str, str | None], SchemaError] = {}
        self.compiled = 0  # how many validators were built (tests check "once per schema per run")
        self.fetcher: Fetcher | None = None
        self._uris: dict[tuple[str, Path], str] = {}
        self._by_uri: dict[tuple[str, Path | None], Loaded] = {}

    def clear(self) -> None:
        self._contents.clear()
        self._validators.clear()
        self._failures.clear()
        self._uris.clear()
        self._by_uri.clear()
        self.compiled = 0

    def uri(self, name: str, base_dir: Path) -> str:
        """``schema_uri(name, base_dir)``, worked out once per run (it looks at the file system)."""
        key = (name, base_dir)
        got = self._uris.get(key)
        if got is None:
            got = self._uris[key] = schema_uri(name, base_dir)
        return got

    def load(self, uri: str, *, confine: Path | None = None, relative_to: Path | None = None) -> Loaded:
        """The compiled validator for ``uri``; local files (and their $refs) must lie under ``confine`` if given."""
        got = self._by_uri.get((uri, confine))  # every post asks: no URL parsing on the way
        if got is not None:
            return got
        key = (urldefrag(uri)[0], str(confine) if confine else None)
        got = self._validators.get(key)
        if got is None:
            if key in self._failures:  # a post-named schema that failed fails once per run, not per post
                raise self._failures[key]
            try:
                got = self._validators[key] = self._compile(key[0], confine, relative_to)
            except SchemaError as exc:
                self._failures[key] = exc
                raise
        self._by_uri[(uri, confine)] = got
        return got

    def _contents_of(self, uri: str, confine: Path | None, relative_to: Path | None, referrer: str | None = None) -> Any:
        name = display_name(uri, relative_to)
        via = f" (referenced from {display_name(referrer, relative_to)})" if referrer else ""
        parts = urlsplit(uri)
        if parts.scheme == "file":
            path = Path(unquote(parts.path))
            if confine is not None and not inside(path, confine):
                raise SchemaError(f"schema {path.name}{via} is outside the repository; a post may only name schemas inside it")
        if uri in self._contents:
            return self._contents[uri]
        if uri.startswith(SHIPPED_BASE):
            shipped = _shipped_file(uri[len(SHIPPED_BASE) :])
            if shipped is None:
                raise SchemaError(f"no shipped schema named {uri[len(SHIPPED_BASE):]}{via}; shipped: {', '.join(shipped_names())}")
            raw = shipped.read_bytes()
        elif parts.scheme == "file":
            path = Path(unquote(parts.path))
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                # A $ref by bare name to a shipped schema from a user schema ("post.schema.json").
                shipped = _shipped_file(path.name) if referrer else None
                if shipped is None:
                    raise SchemaError(f"schema {name}{via} does not exist") from None
                raw = shipped.read_bytes()
            except OSError as exc:
                raise SchemaError(f"schema {name}{via} cannot be read: {exc.strerror or exc}") from None
        elif parts.scheme in WEB_SCHEMES:
            if self.fetcher is None:
                raise SchemaError(f"schema {uri}{via} cannot be fetched: no network access in this run")
            raw = self.fetcher(uri)
        else:
            raise SchemaError(f"schema {name}{via}: unsupported address (use a path, a shipped name or an http(s) URL)")
        try:
            contents = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            raise SchemaError(f"schema {name}{via} is not valid JSON{where}") from None
        if not isinstance(contents, (dict, bool)):
            raise SchemaError(f"schema {name}{via} is not a JSON object")
        self._contents[uri] = contents
        return contents

    def _compile(self, uri: str, confine: Path | None, relative_to: Path | None) -> Loaded:
        _import_jsonschema()
        import jsonschema
        import referencing
        import referencing.exceptions
        from referencing.jsonschema import DRAFT202012

        name = display_name(uri, relative_to)
        root = self._contents_of(uri, confine, relative_to)
        cls = jsonschema.validators.validator_for(root, default=jsonschema.Draft202012Validator)
        try:
            # A shipped schema is valid (a test checks each against its metaschema): checking it
            # costs every run that validates a post 7 ms of its start-up.
            if not uri.startswith(SHIPPED_BASE):
                cls.check_schema(root)
        except jsonschema.SchemaError as exc:
            where = _path_text(exc.absolute_path) if exc.absolute_path else "its top level"
            raise SchemaError(f"schema {name} is not a valid JSON Schema at {where}: {_short(exc.message)}") from None
        # Load every $ref'd resource now, so that validation never does I/O and a broken $ref is
        # reported as the schema's error, not as a crash while validating some post.
        resources: dict[str, Any] = {}
        pending = [(uri, root, None)]
        spec = DRAFT202012
        while pending:
            res_uri, contents, referrer = pending.pop()
            if res_uri in resources:
                continue
            resources[res_uri] = contents
            for ref in _refs(contents, res_uri):
                target = urldefrag(ref)[0]
                if not target or target in resources or target.startswith("https://json-schema.org/"):
                    continue
                if urlsplit(res_uri).scheme in WEB_SCHEMES and urlsplit(target).scheme == "file":
                    # A schema from the web must not make us read local files.
                    raise SchemaError(f"schema {display_name(res_uri)} refers to a local file; a remote schema may only refer to URLs")
                pending.append((target, self._contents_of(target, confine, relative_to, res_uri), res_uri))
        # A schema without $id gets its own address, so that its relative $refs resolve from where it lies.
        resources = {u: ({"$id": u, **c} if isinstance(c, dict) and "$id" not in c else c) for u, c in resources.items()}
        root = resources[uri]
        registry: referencing.Registry = referencing.Registry().with_resources(
            (u, referencing.Resource.from_contents(c, default_specification=spec)) for u, c in resources.items()
        )
        for res_uri, contents in resources.items():
            resolver = registry.resolver(base_uri=res_uri)
            for ref in _refs(contents, res_uri):
                try:
                    resolver.lookup(ref)
                except referencing.exceptions.Unresolvable:
                    raise SchemaError(f"schema {display_name(res_uri, relative_to)}: $ref {_short(ref, 80)} does not resolve") from None
        validator = cls(inline_local_refs(root) or root, registry=registry, format_checker=format_checker())
        self.compiled += 1
        files = tuple(unquote(urlsplit(u).path) for u in resources if urlsplit(u).scheme == "file")
        remote = any(urlsplit(u).scheme in WEB_SCHEMES and not u.startswith(SHIPPED_BASE) for u in resources)
        return Loaded(uri, name, validator, files, remote, plain_acceptor(validator))


# The Draft 2020-12 keywords plain_acceptor evaluates itself, exactly as jsonschema's own functions
# do (jsonschema/_keywords.py); a schema using any other keyword jsonschema evaluates is left to it.
_PLAIN_KEYWORDS = frozenset(("type", "properties", "required", "items", "minLength", "maxLength", "format"))
# The JSON types a plain schema may name, as the Python types of their values (as to_json makes them).
_PLAIN_TYPES: dict[str, type] = {"string": str, "null": type(None), "boolean": bool, "array": list, "object": dict}


def plain_acceptor(validator: Any) -> Callable[[Any], bool] | None:
    """For a schema made only of plain keywords, a test of front-matter data as loaded that is
    True only when ``validator`` reports no error for ``to_json(data)``; False means "ask the
    validator". None for any other schema.

    Most posts match their schema, and jsonschema pays a validator object per key for finding
    that out. Only the values the schema looks at are converted by ``to_json`` (a product page's
    hundreds of release dates are not). Words jsonschema does not evaluate (title, description,
    $defs...) are ignored here as there; "$schema" below the top would switch dialect, so it
    leaves the schema to jsonschema.
    """
    import jsonschema

    root = validator.schema
    evaluated = frozenset(type(validator).VALIDATORS)
    if type(validator) is not jsonschema.Draft202012Validator or not isinstance(root, dict):
        return None

    def plain(node: Any) -> bool:
        if node is True:
            return True
        if not isinstance(node, dict) or (node is not root and "$schema" in node):
            return False
        for key, value in node.items():
            if key not in evaluated:
                continue
            if key not in _PLAIN_KEYWORDS:
                return False
            if key == "type":
                names = [value] if isinstance(value, str) else value
                if not isinstance(names, list) or not all(isinstance(n, str) and n in _PLAIN_TYPES for n in names):
                    return False
            elif key == "properties":
                if not isinstance(value, dict) or not all(plain(sub) for sub in value.values()):
                    return False
            elif key == "items":
                if not plain(value):
                    return False
            elif key in ("minLength", "maxLength"):
                if type(value) is not int:
                    return False
            elif key == "required":
                if not isinstance(value, list):
                    return False
            elif not isinstance(value, str):  # format
                return False
        return True

    if not plain(root):
        return None
    check_data = _compile_plain(root, validator.format_checker, convert=True)
    check_json = _compile_plain(root, validator.format_checker, convert=False)

    def accepts_data(data: Any) -> bool:
        if isinstance(data, dict) and "format" not in root and all(type(k) is str for k in data):
            return check_data(data)  # to_json keeps these keys, and the mapping stays a mapping
        return check_json(to_json(data))

    return accepts_data


def _accept_all(value: Any) -> bool:
    return True


def _compile_plain(node: Any, checker: Any, convert: bool = False) -> Callable[[Any], bool]:
    """A plain schema node (see plain_acceptor) as one test, its keywords read once per run instead
    of once per post. Keywords are tested in the node's order, as jsonschema does; ``convert``: the
    values of ``properties`` go through to_json first, as it converts a mapping's values.
    """
    if node is True:
        return _accept_all
    checks: list[Callable[[Any], bool]] = []
    for key, spec in node.items():
        if key == "type":
            names = [spec] if isinstance(spec, str) else spec
            checks.append(lambda v, kinds=tuple(_PLAIN_TYPES[n] for n in names): isinstance(v, kinds))
        elif key == "properties":
            checks.append(_properties(tuple((k, _compile_plain(sub, checker)) for k, sub in spec.items()), convert))
        elif key == "required":
            checks.append(lambda v, keys=tuple(spec): not isinstance(v, dict) or all(k in v for k in keys))
        elif key == "items":
            checks.append(lambda v, item=_compile_plain(spec, checker): not isinstance(v, list) or all(item(i) for i in v))
        elif key == "minLength":
            checks.append(lambda v, n=spec: not isinstance(v, str) or len(v) >= n)
        elif key == "maxLength":
            checks.append(lambda v, n=spec: not isinstance(v, str) or len(v) <= n)
        elif key == "format" and checker is not None and spec in checker.checkers:
            checks.append(_format(*checker.checkers[spec]))
    if not checks:
        return _accept_all
    if len(checks) == 1:
        return checks[0]
    first, *rest = checks

    def check(value: Any) -> bool:
        if not first(value):
            return False
        for c in rest:
            if not c(value):
                return False
        return True

    return check


def _properties(subs: tuple[tuple[str, Callable[[Any], bool]], ...], convert: bool) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if isinstance(value, dict):
            for k, sub in subs:
                if k in value:
                    v = value[k]
                    if convert and type(v) not in _PLAIN:
                        v = to_json(v, 1)
                    if not sub(v):
                        return False
        return True

    return check


def _format(func: Callable[[Any], Any], raises: Any) -> Callable[[Any], bool]:
    # FormatChecker.conforms, without its FormatError: falsy or raising ``raises`` is a miss.
    def check(value: Any) -> bool:
        try:
            return bool(func(value))
        except raises:
            return False

    return check


_LOCAL_DEF = re.compile(r"#/(\$defs|definitions)/([^/~]+)")
# Keywords that change what a $ref means where it stands, or that jsonschema evaluates across $refs:
# a schema holding one is validated as written.
_SCOPED = frozenset(("$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "$anchor",
                     "unevaluatedProperties", "unevaluatedItems"))
_DATA = frozenset(("enum", "const", "examples", "default"))  # values here are data, not schemas
_MAX_INLINED = 2000  # nodes: a schema whose definitions nest deeply is validated as written


def inline_local_refs(root: Any) -> Any | None:
    """A copy of ``root`` with each subschema that is nothing but a $ref to one of its own
    definitions (``{"$ref": "#/$defs/name"}``) replaced by that definition; None when the schema
    is left as written.

    Such a subschema means exactly its target, and jsonschema resolves a $ref on every use: the
    posts of a site pay it for every key. The copy keeps $id and $defs, so that a $ref left in it
    (recursive, or with siblings) resolves as before. Schemas with nested $id, anchors, dynamic
    references or unevaluated* keywords are left as written.
    """
    if not isinstance(root, dict):
        return None
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if _SCOPED.intersection(node) or (node is not root and "$id" in node):
                return None
            stack.extend(v for k, v in node.items() if k not in _DATA)
        elif isinstance(node, list):
            stack.extend(node)
    inlined = 0

    def copy(node: Any, expanding: frozenset[str]) -> Any:
        nonlocal inlined
        if isinstance(node, list):
            return [copy(v, expanding) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if len(node) == 1 and isinstance(ref, str) and (m := _LOCAL_DEF.fullmatch(ref)):
            section, name = m.groups()
            target = root.get(section, {}).get(name) if isinstance(root.get(section), dict) else None
            if target is not None and name not in expanding:
                inlined += 1
                if inlined > _MAX_INLINED:
                    raise RecursionError
                return copy(target, expanding | {name})
            return node
        return {k: (v if k in _DATA else copy(v, expanding)) for k, v in node.items()}

    try:
        out = copy(root, frozenset())
    except RecursionError:
        return None
    return out if inlined else None


def _refs(contents: Any, base: str) -> Iterator[str]:
    """Every $ref / $dynamicRef in a schema, made absolute against the $id in scope."""
    stack: list[tuple[Any, str]] = [(contents, base)]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$id"), str):
                scope = urljoin(scope, node["$id"])
            for key in ("$ref", "$dynamicRef"):
                if isinstance(node.get(key), str):
                    yield urljoin(scope, node[key])
            for k, v in node.items():
                if k not in ("enum", "const", "examples", "default"):
                    stack.append((v, scope))
        elif isinstance(node, list):
            stack.extend((v, scope) for v in node)


STORE = SchemaStore()

REMOTE_BODY_LIMIT = 2 * 1024 * 1024


def fetcher_for(settings: Any, offline: bool) -> Fetcher:
    """Fetch http(s) schemas through the one network client and the on-disk cache (offline: the cache only)."""

    def fetch(url: str) -> bytes:
        from postlint import cache as cache_mod

        root = Path(getattr(settings, "root", None) or Path.cwd())
        store = cache_mod.Cache.open(root, cache_dir=getattr(settings, "cache_dir", None)).schemas
        cached = store.get(url, allow_stale=offline)
        if cached is not None:
            return cached
        if offline:
            raise OfflineSchemaError(f"schema {url} is not in the cache and the run is offline")
        body = _download(url, settings)
        _check_remote(url, body)  # only a usable schema is cached
        store.put(url, body)
        return body

    return fetch


def _download(url: str, settings: Any) -> bytes:
    import asyncio

    from postlint import net

    table = settings.table("network") if settings is not None else {}
    try:
        options = net.NetworkOptions.from_table({k: v for k, v in table.items() if k != "offline"})
    except net.NetworkConfigError as exc:
        raise SchemaError(f"schema {url} cannot be fetched: {exc}") from None

    async def get() -> Any:
        async with net.NetClient(options) as client:
            return await client.fetch(url, body_limit=REMOTE_BODY_LIMIT, headers={"Accept": "application/schema+json, application/json"})

    result = asyncio.run(get())
    if not result.ok:
        why = f"HTTP {result.status}" if result.error is None else f"{result.error}: {_short(result.detail, 120)}"
        raise SchemaError(f"schema {url} cannot be fetched ({why})")
    if result.truncated:
        raise SchemaError(f"schema {url} is larger than {REMOTE_BODY_LIMIT:,} bytes")
    return result.body


def _check_remote(url: str, body: bytes) -> None:
    _import_jsonschema()
    import jsonschema

    try:
        contents = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SchemaError(f"schema {url} is not valid JSON") from None
    if not isinstance(contents, (dict, bool)):
        raise SchemaError(f"schema {url} is not a JSON object")
    cls = jsonschema.validators.validator_for(contents, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(contents)
    except jsonschema.SchemaError as exc:
        raise SchemaError(f"schema {url} is not a valid JSON Schema: {_short(exc.message)}") from None

_FORMAT_CHECKER: Any = None


def format_checker() -> jsonschema.FormatChecker:
    """The 2020-12 format checker with ``post-date`` and ``jekyll-date`` added (built once)."""
    global _FORMAT_CHECKER
    if _FORMAT_CHECKER is None:
        import copy

        _import_jsonschema()
        import jsonschema

        checker = copy.deepcopy(jsonschema.Draft202012Validator.FORMAT_CHECKER)

        @checker.checks("post-date", raises=ValueError)
        def _post_date(instance: object) -> bool:
            if isinstance(instance, str):
                parse_post_date(instance)
            return True

        @checker.checks("jekyll-date", raises=ValueError)
        def _jekyll_date(instance: object) -> bool:
            if isinstance(instance, str):
                parse_jekyll_date(instance)
            return True

        _FORMAT_CHECKER = checker
    return _FORMAT_CHECKER


# --------------------------------------------------------------------------- errors in plain words


@dataclass(frozen=True)
class Violation:
    """One schema violation: where (line, column) and what, in plain words."""

    line: int
    column: int
    message: str


_FORMAT_WORDS = {
    "uri": "URL with a scheme (https://...)",
    "uri-reference": "URL or path",
    "iri": "URL with a scheme",
    "email": "email address",
    "idn-email": "email address",
    "date": "date (YYYY-MM-DD)",
    "date-time": "RFC 3339 date-time (YYYY-MM-DDTHH:MM:SSZ)",
    "time": "time (HH:MM:SS+00:00)",
    "post-date": "date",
    "jekyll-date": "date",
    "hostname": "host name",
    "ipv4": "IPv4 address",
    "ipv6": "IPv6 address",
    "uuid": "UUID",
    "regex": "regular expression",
    "duration": "ISO 8601 duration",
}
_TYPE_WORDS = {
    "string": "a string",
    "array": "a list",
    "object": "a mapping of keys to values",
    "boolean": "true or false",
    "number": "a number",
    "integer": "a whole number",
    "null": "empty (null)",
}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _path_text(path: Any) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.match(part):
            out += ("." if out else "") + part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "front-matter"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def found(value: Any) -> str:
    """A loaded value described in plain words."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"'{_short(value)}'"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return "a value"


def _expected_type(t: Any) -> str:
    types = t if isinstance(t, list) else [t]
    if len(types) > 1 and "null" in types:
        types = [x for x in types if x != "null"]  # "or nothing" is not what the author is after
    words = [_TYPE_WORDS.get(x, str(x)) for x in types]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _did_you_mean(word: Any, choices: Any) -> str:
    if not isinstance(word, str):
        return ""
    options = [c for c in choices if isinstance(c, str)]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75) or difflib.get_close_matches(word.lower(), [c.lower() for c in options], n=1, cutoff=0.75)
    if close:
        match = next((c for c in options if c.lower() == close[0].lower()), close[0])
        return f"; did you mean '{match}'?"
    return ""


def _literal(v: Any) -> str:
    return f"'{v}'" if isinstance(v, str) else json.dumps(v)


def violations(validator: Any, instance: Any, fm: FrontMatter) -> Iterator[Violation]:
    """Every violation of ``instance`` (the JSON form of ``fm.data``), at its key or item in the file."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: ([str(p) for p in e.absolute_path], e.validator))
    for err in errors:
        yield from _describe(err, instance, fm)


def _position(fm: FrontMatter, path: tuple, value: Any) -> tuple[int, int]:
    # Scalars: where the value is; mappings and lists: their key (the value starts lines below).
    if isinstance(value, (dict, list)) or not path:
        return fm.line_of(path) if path else (fm.start_line, 1)
    return fm.value_line_of(path)


def _describe(err: Any, instance: Any, fm: FrontMatter) -> Iterator[Violation]:
    path = tuple(err.absolute_path)
    where = _path_text(path)
    value = err.instance
    kind = err.validator
    spec = err.validator_value
    line, col = _position(fm, path, value)

    def out(message: str, at: tuple[int, int] | None = None) -> Violation:
        ln, cl = at or (line, col)
        return Violation(ln, cl, message)

    if kind == "required":
        missing = [k for k in spec if isinstance(value, dict) and k not in value]
        at = fm.line_of(path) if path else (fm.start_line, 1)
        for key in missing[:1] if len(missing) == 1 else missing:
            hint = _did_you_mean(key, value.keys())
            inside_txt = f" in {where}" if path else ""
            yield out(f"required key '{key}' is missing{inside_txt}{hint}", at)
        return
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(value, dict):
        schema = err.schema if isinstance(err.schema, dict) else {}
        known = list(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in value:
            if key in known or any(p.search(key) for p in patterns):
                continue
            kpath = path + (key,)
            yield out(f"unknown key {_path_text(kpath)}{_did_you_mean(key, known)}", fm.line_of(kpath))
        return
    if kind == "type":
        yield out(f"{where} is {found(value)}; expected {_expected_type(spec)}")
        return
    if kind == "enum":
        choices = ", ".join(_literal(c) for c in spec[:8]) + (", ..." if len(spec) > 8 else "")
        yield out(f"{where} is {found(value)}; expected one of {choices}{_did_you_mean(value, spec)}")
        return
    if kind == "const":
        yield out(f"{where} is {found(value)}; expected {_literal(spec)}")
        return
    if kind == "format":
        what = _FORMAT_WORDS.get(spec, f"'{spec}'")
        cause = f": {err.cause}" if err.cause is not None and str(err.cause) and spec in ("post-date", "jekyll-date") else ""
        yield out(f"{where} is {found(value)}, not a valid {what}{cause}")
        return
    if kind == "minLength":
        if spec == 1:
            yield out(f"{where} is {found(value)}; expected a non-empty string")
        else:
            yield out(f"{where} is {found(value)}; expected at least {spec} characters")
        return
    if kind == "maxLength":
        yield out(f"{where} is {len(value)} characters long; expected at most {spec}")
        return
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "more than", "maximum": "at most", "exclusiveMaximum": "less than"}
        yield out(f"{where} is {found(value)}; expected {words[kind]} {spec}")
        return
    if kind == "multipleOf":
        yield out(f"{where} is {found(value)}; expected a multiple of {spec}")
        return
    if kind == "pattern":
        yield out(f"{where} is {found(value)}; it does not match the pattern {_short(spec, 80)}")
        return
    if kind in ("minItems", "maxItems"):
        word = "at least" if kind == "minItems" else "at most"
        yield out(f"{where} is {found(value)}; expected {word} {spec} item{'s' if spec != 1 else ''}")
        return
    if kind in ("minProperties", "maxProperties"):
        word = "at least" if kind == "minProperties" else "at most"
        yield out(f"{where} has {len(value)} keys; expected {word} {spec}")
        return
    if kind == "uniqueItems":
        seen: list[Any] = []
        for i, item in enumerate(value):
            if item in seen:
                yield out(f"{_path_text(path + (i,))} repeats an earlier item ({found(item)}); items must be unique", _position(fm, path + (i,), item))
                return
            seen.append(item)
        yield out(f"{where} has repeated items; items must be unique")
        return
    if kind == "dependentRequired":
        for key, needed in spec.items():
            if key in value:
                for n in needed:
                    if n not in value:
                        yield out(f"'{n}' is required when '{key}' is set{' in ' + where if path else ''}", fm.line_of(path + (key,)))
        return
    if kind in ("anyOf", "oneOf") and err.context:
        yield from _describe_alternatives(err, fm)
        return
    if kind == "oneOf":
        yield out(f"{where} matches more than one of the allowed forms; expected exactly one")
        return
    if kind == "not":
        yield out(f"{where} is {found(value)}, which is not allowed here")
        return
    if kind == "false":
        yield out(f"{where} is not allowed here")
        return
    yield out(f"{where} does not satisfy the schema's '{kind}' rule")


def _describe_alternatives(err: Any, fm: FrontMatter) -> Iterator[Violation]:
    """anyOf / oneOf: say what the alternatives expect, or the one error of the closest alternative."""
    _import_jsonschema()
    import jsonschema.exceptions

    path = tuple(err.absolute_path)
    value = err.instance
    # An alternative whose own checks got deeper into the value is the one the author meant.
    deeper = [e for e in err.context if len(e.absolute_path) > len(path)]
    if deeper:
        best = jsonschema.exceptions.best_match(deeper)
        yield from _describe(best, None, fm)
        return
    types: list[str] = []
    for e in err.context:
        if e.validator == "type":
            for t in e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]:
                if t not in types:
                    types.append(t)
    if types and all(e.validator == "type" for e in err.context):
        line, col = _position(fm, path, value)
        yield Violation(line, col, f"{_path_text(path)} is {found(value)}; expected {_expected_type(types)}")
        return
    best = jsonschema.exceptions.best_match(err.context)
    yield from _describe(best, None, fm)
