"""The Document model and ``load_document``: the only place that reads and parses a post."""

from __future__ import annotations

import bisect
import gc
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from postlint.registry import Report

JsonPath = tuple  # tuple[str | int, ...]

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_FRONT_MATTER_SIZE = 256 * 1024
MAX_ALIAS_EXPANSION = 100_000


@dataclass
class DuplicateKey:
    path: JsonPath
    line: int
    column: int
    first_line: int


@dataclass
class FrontMatter:
    """Front-matter as loaded: data with loader types kept, and where every key sits in the file."""

    format: str  # "yaml" | "toml" | "json"
    raw: str
    start_line: int  # line of the opening fence (1-based)
    end_line: int  # line of the closing fence
    data: Any = None
    error: Report | None = None  # FM002: does not parse, or is not a mapping
    too_large: Report | None = None  # FM006: over the size cap or alias expansion cap
    _duplicates: list[DuplicateKey] = field(default_factory=list, repr=False)
    _positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    _value_positions: dict[JsonPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    # (first line of comment, text) of every ``#`` comment line, for suppressions
    comments: list[tuple[int, str]] = field(default_factory=list)
    # YAML: the composed node tree, walked for positions only when a rule asks for one
    _node: Any = field(default=None, repr=False)
    # YAML: False when no mapping spells a key twice (known from loading): no walk to find none
    _maybe_repeats: bool = field(default=True, repr=False)

    def _walk(self) -> None:
        if self._node is not None:
            from postlint import yamlfm

            node, self._node = self._node, None
            yamlfm.walk(node, self, self.start_line)

    @property
    def positions(self) -> dict[JsonPath, tuple[int, int]]:
        """path -> (line, column) of the key (mapping entries) or the item (sequence entries)."""
        self._walk()
        return self._positions

    @property
    def value_positions(self) -> dict[JsonPath, tuple[int, int]]:
        """path -> (line, column) of the value."""
        self._walk()
        return self._value_positions

    @property
    def duplicates(self) -> list[DuplicateKey]:
        """Keys repeated in one mapping (loaders silently keep the last)."""
        if self._node is not None and not self._maybe_repeats:
            return []
        self._walk()
        return self._duplicates

    def _top_level(self, key: Any) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """Positions of a top-level key and its value, read off the unwalked tree: the common
        question (where is ``date``?) without walking every key of every post."""
        from postlint import yamlfm

        return yamlfm.top_level(self._node, key, self.start_line + 1)

    @property
    def ok(self) -> bool:
        return self.error is None and self.too_large is None and isinstance(self.data, dict)

    def line_of(self, path: JsonPath) -> tuple[int, int]:
        """Position of a key path, falling back to the nearest ancestor, then the opening fence."""
        p = tuple(path)
        if len(p) == 1 and self._node is not None:
            top = self._top_level(p[0])
            return top[0] if top is not None else (self.start_line, 1)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return (self.start_line, 1)

    def value_line_of(self, path: JsonPath) -> tuple[int, int]:
        p = tuple(path)
        if len(p) == 1 and self._node is not None:
            top = self._top_level(p[0])
            return top[1] if top is not None else (self.start_line, 1)
        if p in self.value_positions:
            return self.value_positions[p]
        return self.line_of(p)

    def get(self, path: JsonPath, default: Any = None) -> Any:
        """The value at a key path, or ``default``."""
        node = self.data
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
                node = node[part]
            else:
                return default
        return node


@dataclass
class Image:
    src: str
    alt: str | None  # None: no alt attribute at all (HTML)
    line: int
    column: int
    offset: int  # character offset of the source of the image in doc.text
    origin: str  # "markdown" | "reference" | "html" | "front-matter"
    title: str = ""
    key: JsonPath | None = None  # front-matter key path
    block: int | None = None  # index of the block holding it


@dataclass
class Html:
    """A piece of raw HTML (block or inline) with its character offset in doc.text."""

    text: str
    offset: int
    block: int | None = None


class Block:
    """A Markdown block with its inline text (markers, emphasis, images and code spans removed).

    ``kind``: heading, paragraph, item, table_head, table_row, blockquote, code, html.
    Offsets and positions are computed on first use: most blocks are never asked for them.
    The C walk makes blocks without calling ``__init__`` (``_blocks.c``, new_block): a slot added
    or a default changed here is changed there too (tests compare the two walks).
    """

    __slots__ = (
        "index", "kind", "parent", "level", "list_id", "ordered", "number", "depth", "info",
        "text", "cells", "images", "links", "_bstart", "_bend", "_parts", "_ranges", "_segs", "_map", "_pos",
    )

    def __init__(
        self,
        index: int,
        kind: str,
        bstart: int,
        bend: int,
        bytemap: _ByteMap,
        parent: int | None = None,
        level: int = 0,
        list_id: int | None = None,
        ordered: bool = False,
        number: int | None = None,
        depth: int = 0,
        info: str = "",
    ):
        self.index = index
        self.kind = kind
        self.parent = parent
        self.level = level  # heading level
        self.list_id = list_id  # items: which list they belong to
        self.ordered = ordered
        self.number = number  # items of an ordered list: their number
        self.depth = depth  # list nesting depth (0 = top level)
        self.info = info  # code blocks: the info string
        self.text = ""
        # Table rows' cells and indices into doc.images: an empty tuple until the walk appends one
        # (_append_to); most blocks have neither, and two empty lists per block cost their allocation.
        self.cells: list[str] | tuple[()] = ()
        self.images: list[int] | tuple[()] = ()
        self.links = 0  # how many links its text has
        self._bstart = bstart
        self._bend = bend
        # The pieces of ``text`` as parsed and the source range (body bytes) each stands for, flat:
        # start and end of part k at 2k and 2k + 1 (a million small dicts held would cost a tenth of
        # the parse). Turned into segments only when an offset is asked for (few blocks ever are).
        self._parts: list[str] = []
        self._ranges: list[int] = []
        self._segs: list[tuple[int, int, int, int]] | None = None
        self._map = bytemap
        self._pos: tuple[int, int] | None = None

    def __repr__(self) -> str:
        return f"Block({self.index}, {self.kind!r}, line={self.line}, text={self.text[:40]!r})"

    @property
    def start(self) -> int:
        """Character offset of the block in doc.text."""
        return self._map(self._bstart)

    @property
    def end(self) -> int:
        return self._map(self._bend)

    @property
    def line(self) -> int:
        return self._position()[0]

    @property
    def column(self) -> int:
        return self._position()[1]

    def _position(self) -> tuple[int, int]:
        if self._pos is None:
            self._pos = self._map.position(self.start)
        return self._pos

    def _segments(self) -> list[tuple[int, int, int, int]]:
        """(text_pos, byte_start, byte_len, text_len) per piece of text, in body bytes."""
        if self._segs is None:
            segs = []
            pos = 0
            ranges = self._ranges
            for k, part in enumerate(self._parts):
                start = ranges[2 * k]
                n = len(part)
                segs.append((pos, start, ranges[2 * k + 1] - start, n))
                pos += n
            self._segs = segs
        return self._segs

    def offset_of(self, i: int) -> int:
        """The character offset in doc.text of position ``i`` of ``self.text``."""
        segs = self._segments()
        if not segs:
            return self.start
        k = bisect.bisect_right(segs, (i, float("inf"))) - 1
        if k < 0:
            return self._map(segs[0][1])
        tpos, bstart, blen, tlen = segs[k]
        delta = i - tpos
        if delta >= tlen:
            return self._map(bstart + blen)
        if blen == tlen:
            return self._map(bstart + delta)
        # The text differs from its source (an entity or escape): count characters, not bytes.
        fstart = self._map(bstart)
        flen = self._map(bstart + blen) - fstart
        return fstart + delta if flen == tlen else fstart


class _Lines:
    """Where each line of a text starts, computed on first use: most posts are never asked for a
    position. Shared by the document and its byte map (which must not hold the document)."""

    __slots__ = ("text", "_starts")

    def __init__(self, text: str):
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._starts = _line_starts(self.text)
        return self._starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self.starts
        i = bisect.bisect_right(starts, offset) - 1
        return i + 1, offset - starts[i] + 1


_UNSET = object()


@dataclass
class Document:
    path: Path
    display_path: str
    text: str
    front_matter: FrontMatter | None = None
    body_start: int = 0  # character offset where the Markdown body starts
    body_line: int = 1
    blocks: list[Block] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    html: list[Html] = field(default_factory=list)
    # pyromark's source range (body bytes) of every inline code span, flat (start, end, start, ...),
    # converted on first use
    _code_ranges: list[int] = field(default_factory=list, repr=False)
    _bytemap: Any = field(default=None, repr=False)
    # Load-time problems by code (PL001, PL002, PL005): reported by the PL rules.
    problems: dict[str, list[Report]] = field(default_factory=dict)
    parsed: bool = True  # False: the file could not be read or parsed; only load problems apply
    _lines: _Lines = field(init=False, repr=False, compare=False)
    # What rules derive from the document and share (its images, its dated blocks), by key:
    # computed once, and dropped with the document.
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._lines = _Lines(self.text)

    def derive(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per document and ``key``: rules share what they derive from it."""
        value = self._derived.get(key, _UNSET)  # not try/except: the first ask of every key is a miss
        if value is _UNSET:
            value = self._derived[key] = make()
        return value

    @property
    def line_starts(self) -> list[int]:
        """The character offset where each line starts."""
        return self._lines.starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; columns count code points."""
        return self._lines.position(max(0, min(offset, len(self.text))))



    @property
    def code_spans(self) -> list[tuple[int, int]]:
        """(start, end) character offsets of every inline code span."""
        conv = self._bytemap
        r = self._code_ranges
        return [(conv(r[k]), conv(r[k + 1])) for k in range(0, len(r), 2)] if conv is not None else []

    def line_text(self, line: int, limit: int | None = None) -> str:
        """The text of a line without its line break (at most ``limit`` characters)."""
        if not 1 <= line <= len(self.line_starts):
            return ""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        if limit is not None:
            end = min(end, start + limit)
        return self.text[start:end].rstrip("\r\n")

    @property
    def headings(self) -> list[Block]:
        return _of_kind(self.blocks, "heading")

    def prose_blocks(self) -> Iterator[Block]:
        """Blocks whose text is prose: everything but code and raw HTML."""
        return (b for b in self.blocks if b.kind not in ("code", "html"))


    def add_problem(self, code: str, report: Report) -> None:
        self.problems.setdefault(code, []).append(report)


# --------------------------------------------------------------------------- loading


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


class FileTooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read_capped(path: str | os.PathLike[str], max_size: int) -> bytes:
    """The bytes of a file, or FileTooLarge (its size) past ``max_size`` bytes, read without
    holding more than the cap. One open, one fstat and one read for a regular file: half the
    system calls of a stat and ``Path.read_bytes`` (buffering, seek, a second read for the end)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        size = os.fstat(fd).st_size
        if size > max_size:
            raise FileTooLarge(size)
        # One byte more than the size: a short read is the end, without a read to find it.
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data
        # Longer than stat said (growing, or a special file that reports 0): read to the end.
        chunks = [data]
        total = len(data)
        while total <= max_size:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
        raise FileTooLarge(total)
    finally:
        os.close(fd)


def load_document(
    path: Path,
    display_path: str | None = None,
    *,
    data: bytes | None = None,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    max_front_matter_size: int = DEFAULT_MAX_FRONT_MATTER_SIZE,
) -> Document:
    """Read (unless ``data`` is given), decode and parse one file. Never raises for bad content."""
    display = display_path or path.as_posix()
    if data is None:
        try:
            data = read_capped(path, max_size)
        except FileTooLarge as exc:
            doc = Document(path, display, "", parsed=False)
            doc.add_problem("PL002", Report(1, 1, f"file is {exc.size:,} bytes, over the size cap of {max_size:,} bytes; not linted"))
            return doc
        except OSError as exc:
            doc = Document(path, display, "", parsed=False)
            doc.add_problem("PL001", Report(1, 1, f"cannot read file: {exc.strerror or exc}"))
            return doc
    if len(data) > max_size:
        doc = Document(path, display, "", parsed=False)
        doc.add_problem("PL002", Report(1, 1, f"file is {len(data):,} bytes, over the size cap of {max_size:,} bytes; not linted"))
        return doc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", "replace")
        line = good.count("\n") + 1
        column = len(good) - (good.rfind("\n") + 1) + 1
        doc = Document(path, display, "", parsed=False)
        doc.add_problem("PL001", Report(line, column, f"file is not valid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded"))
        return doc
    if text.startswith("\ufeff"):
        # A BOM is invisible to editors: drop it, keeping every position on line 1 right.
        text = text[1:]
    return parse_text(path, display, text, max_front_matter_size=max_front_matter_size)


def parse_text(
    path: Path, display: str, text: str, *, max_front_matter_size: int = DEFAULT_MAX_FRONT_MATTER_SIZE
) -> Document:
    doc = Document(path, display, text)
    try:
        _split_front_matter(doc, max_front_matter_size)
        _parse_markdown(doc)
    except RecursionError:
        doc.parsed = False
        doc.add_problem("PL005", Report(1, 1, "file could not be parsed: nesting too deep"))
    except BaseException as exc:  # noqa: BLE001 - pyo3 PanicException derives from BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        doc.parsed = False
        doc.add_problem("PL005", Report(1, 1, f"file could not be parsed: {type(exc).__name__}: {str(exc)[:200]}"))
    return doc


# --------------------------------------------------------------------------- front-matter

_FENCE = {"---": "yaml", "+++": "toml"}
# A closing fence line: the fence, then spaces or tabs, then carriage returns (as line_text strips them).
_CLOSER = {
    "yaml": re.compile(r"^(?:---|\.\.\.)[ \t]*\r*$", re.M),
    "toml": re.compile(r"^\+\+\+[ \t]*\r*$", re.M),
}
_GO_JSON_OPEN = "<!--{"


def _split_front_matter(doc: Document, max_size: int) -> None:
    text = doc.text
    first_end = text.find("\n")
    first = (text if first_end == -1 else text[:first_end]).rstrip("\r").rstrip(" \t")
    if first in _FENCE:
        fmt = _FENCE[first]
        close = _CLOSER[fmt].search(text, first_end + 1) if first_end != -1 else None
        if close is not None:
            i = text.count("\n", 0, close.start())  # the closing line's index
            raw = text[first_end + 1 : close.start()]
            fm = FrontMatter(fmt, raw, 1, i + 1)
            doc.front_matter = fm
            doc.body_line = i + 2
            doc.body_start = min(close.end() + 1, len(text))
            if len(raw.encode("utf-8", "surrogatepass")) > max_size:
                fm.too_large = Report(1, 1, f"front-matter is {len(raw.encode('utf-8', 'surrogatepass')):,} bytes, over the cap of {max_size:,}; not loaded")
            elif fmt == "yaml":
                from postlint import yamlfm  # PyYAML only where a post has YAML front-matter

                yamlfm.load(fm)
            else:
                _load_toml(fm)
            _check_mapping(fm)
            return
        fm = FrontMatter(fmt, "", 1, 1)
        fm.error = Report(1, 1, f"front-matter fence '{first}' on line 1 is never closed; expected a closing '{first}' line")
        doc.front_matter = fm
        return
    if text.startswith("{"):
        try:
            value, end = json.JSONDecoder().raw_decode(text)
        except json.JSONDecodeError as exc:
            fm = FrontMatter("json", text, 1, 1)
            fm.error = Report(exc.lineno, exc.colno, f"JSON front-matter does not parse: {exc.msg}")
            doc.front_matter = fm
            # Without a parse we cannot know where the body starts: lint nothing else.
            doc.body_start = len(text)
            doc.body_line = len(doc.line_starts)
            return
        _set_json_front_matter(doc, text[:end], 0, value, end)
        return
    if text.startswith(_GO_JSON_OPEN):
        # The Go website keeps JSON metadata in a leading HTML comment: <!--{ ... }-->
        close = text.find("}-->")
        if close != -1:
            raw = text[4 : close + 1]
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                fm = FrontMatter("json", raw, 1, doc.position(close)[0])
                line = exc.lineno
                fm.error = Report(line, exc.colno + (4 if line == 1 else 0), f"JSON front-matter does not parse: {exc.msg}")
                doc.front_matter = fm
                doc.body_start = close + 4
                doc.body_line = doc.position(close + 4)[0]
                return
            _set_json_front_matter(doc, raw, 4, value, close + 4)


def _set_json_front_matter(doc: Document, raw: str, raw_offset: int, value: Any, end: int) -> None:
    end_line = doc.position(max(end - 1, 0))[0]
    fm = FrontMatter("json", raw, 1, end_line, data=value)
    doc.front_matter = fm
    doc.body_start = end
    doc.body_line = end_line
    _check_mapping(fm)
    if isinstance(value, dict):
        try:
            _json_positions(doc, fm, raw_offset)
            return
        except (ValueError, IndexError, RecursionError):
            fm.positions.clear()
            fm.value_positions.clear()
            fm.duplicates.clear()
        # Best effort: the first `"key":` after the parent's position.
        for path in _paths(value):
            parent_line = fm.line_of(path[:-1])[0] if len(path) > 1 else 1
            key = path[-1]
            if isinstance(key, int):
                continue
            pat = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
            start_off = doc.line_starts[parent_line - 1] + (raw_offset if parent_line == 1 else 0)
            m = pat.search(doc.text, start_off, end)
            if m:
                fm.positions[path] = doc.position(m.start())


_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")


def _json_positions(doc: Document, fm: FrontMatter, start: int) -> None:
    """Positions of every key, value and list item (and duplicate keys) of JSON that already parsed."""
    _JsonPositions(doc.text, doc.position, fm).value(start, ())


class _JsonPositions:
    """The walk of _json_positions. A class, not nested functions: a recursive closure is a reference
    cycle, which would keep the document it reads alive until the cyclic garbage collector runs."""

    def __init__(self, text: str, pos: Callable[[int], tuple[int, int]], fm: FrontMatter):
        self.text, self.pos, self.fm = text, pos, fm

    def ws(self, i: int) -> int:
        return _JSON_WS.match(self.text, i).end()  # type: ignore[union-attr]

    def value(self, i: int, path: JsonPath) -> int:
        text, pos, fm, ws = self.text, self.pos, self.fm, self.ws
        i = ws(i)
        c = text[i]
        if c == "{":
            i = ws(i + 1)
            if text[i] == "}":
                return i + 1
            first: dict[str, int] = {}
            while True:
                kstart = ws(i)
                key, i = scanstring(text, kstart + 1)
                i = ws(i)
                if text[i] != ":":
                    raise ValueError("expected ':'")
                i = ws(i + 1)
                kpath = path + (key,)
                kline, kcol = pos(kstart)
                if key in first:
                    fm.duplicates.append(DuplicateKey(kpath, kline, kcol, first[key]))
                else:
                    first[key] = kline
                # json keeps the last of duplicate keys: so do the positions.
                fm.positions[kpath] = (kline, kcol)
                fm.value_positions[kpath] = pos(i)
                i = ws(self.value(i, kpath))
                if text[i] == ",":
                    i += 1
                    continue
                if text[i] != "}":
                    raise ValueError("expected '}'")
                return i + 1
        if c == "[":
            i = ws(i + 1)
            if text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = ws(i)
                ipath = path + (n,)
                fm.positions[ipath] = fm.value_positions[ipath] = pos(i)
                i = ws(self.value(i, ipath))
                n += 1
                if text[i] == ",":
                    i += 1
                    continue
                if text[i] != "]":
                    raise ValueError("expected ']'")
                return i + 1
        if c == '"':
            return scanstring(text, i + 1)[1]
        m = _JSON_SCALAR.match(text, i)
        if not m:
            raise ValueError("unexpected character")
        return m.end()


def _paths(value: Any, prefix: JsonPath = (), depth: int = 0) -> Iterator[JsonPath]:
    if depth > 50:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,), depth + 1)


def _check_mapping(fm: FrontMatter) -> None:
    if fm.error or fm.too_large:
        return
    if fm.data is None:
        fm.data = {}  # an empty front-matter block is an empty mapping
    elif not isinstance(fm.data, dict):
        kind = "a list" if isinstance(fm.data, list) else f"a {type(fm.data).__name__} scalar"
        fm.error = Report(fm.start_line + 1 if fm.format != "json" else 1, 1, f"front-matter is {kind}; expected a mapping of keys to values")


# Best-effort positions of TOML front-matter: table headers and `key =` lines, read line by line.
_TOML_ARRAY_TABLE = re.compile(r"^\[\[\s*([^\]]+?)\s*\]\]")
_TOML_TABLE = re.compile(r"^\[\s*([^\]]+?)\s*\]")
_TOML_KEY_LINE = re.compile(r'^(\s*)((?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_.-]+)(?:\s*\.\s*(?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+))*)\s*=')
_TOML_KEY_PART = re.compile(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)')


def _load_toml(fm: FrontMatter) -> None:
    try:
        fm.data = tomllib.loads(fm.raw)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "syntax error"
        if m is None and "end of document" in str(exc):
            line = fm.raw.count("\n")
        fm.error = Report(fm.start_line + line, col, f"TOML front-matter does not parse: {msg}")
        return
    # Best effort positions: table headers and `key =` lines.
    table: JsonPath = ()
    array_counts: dict[JsonPath, int] = {}
    for n, line in enumerate(fm.raw.splitlines(), start=fm.start_line + 1):
        s = line.strip()
        if not s or s.startswith("#"):
            if s.startswith("#"):
                fm.comments.append((n, s))
            continue
        m = _TOML_ARRAY_TABLE.match(s)
        if m:
            base = _toml_key(m.group(1))
            idx = array_counts.get(base, 0)
            array_counts[base] = idx + 1
            table = base + (idx,)
            fm.positions.setdefault(base, (n, 1))
            fm.positions[table] = (n, 1)
            continue
        m = _TOML_TABLE.match(s)
        if m:
            table = _toml_key(m.group(1))
            fm.positions.setdefault(table, (n, 1))
            continue
        m = _TOML_KEY_LINE.match(line)
        if m:
            path = table + _toml_key(m.group(2))
            fm.positions.setdefault(path, (n, len(m.group(1)) + 1))
            eq = line.index("=", m.end(2))
            vcol = eq + 1
            while vcol < len(line) and line[vcol] in " \t":
                vcol += 1
            fm.value_positions.setdefault(path, (n, vcol + 1))
            if line[vcol : vcol + 1] == "[":
                _toml_array_items(fm, path, line, vcol, n)


def _toml_array_items(fm: FrontMatter, path: JsonPath, line: str, start: int, n: int) -> None:
    """Best effort: positions of the scalar items of a one-line array (`tags = ["a", 3]`)."""
    i, idx, end = start + 1, 0, len(line)
    while True:
        while i < end and line[i] in " \t":
            i += 1
        if i >= end or line[i] in "]#[{":
            return  # closed, a comment, or nested: stop recording
        fm.positions.setdefault(path + (idx,), (n, i + 1))
        fm.value_positions.setdefault(path + (idx,), (n, i + 1))
        if line[i] in "\"'":
            quote = line[i]
            i += 1
            while i < end and line[i] != quote:
                i += 2 if quote == '"' and line[i] == "\\" else 1
            i += 1
        else:
            while i < end and line[i] not in ",]":
                i += 1
        while i < end and line[i] in " \t":
            i += 1
        if i >= end or line[i] != ",":
            return
        i += 1
        idx += 1


def _toml_key(s: str) -> JsonPath:
    parts = _TOML_KEY_PART.findall(s)
    return tuple(a or b or c for a, b, c in parts)


# --------------------------------------------------------------------------- Markdown body

_BR_RE = re.compile(r"^<br\s*/?>$", re.I)


def _markdown_options() -> int:
    import pyromark

    o = pyromark.Options
    return (
        o.ENABLE_TABLES
        | o.ENABLE_STRIKETHROUGH
        | o.ENABLE_TASKLISTS
        | o.ENABLE_FOOTNOTES
        | o.ENABLE_HEADING_ATTRIBUTES
    )


_OPTIONS: int | None = None


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BYTEMAP_SLICE = 512


class _ByteMap:
    """Converts UTF-8 byte offsets of the body to character offsets of the document."""

    def __init__(self, doc: Document, body: str, base: int):
        # Not the document itself: blocks hold this map, and a cycle back to the document would
        # leave every document to the cyclic garbage collector instead of freeing it at once.
        self.lines = doc._lines
        self.base = base
        # byte offset just after each multi-byte character, and the cumulative extra bytes up to and including it
        self.bytes_at: list[int] = []
        self.extra: list[int] = []
        if not body.isascii():
            self.bytes_at, self.extra = _byte_offsets(body)

    def __call__(self, b: int) -> int:
        if not self.bytes_at:
            return self.base + b
        k = bisect.bisect_right(self.bytes_at, b) - 1
        return self.base + b - (self.extra[k] if k >= 0 else 0)

    def position(self, offset: int) -> tuple[int, int]:
        return self.lines.position(offset)


def _byte_offsets_py(body: str) -> tuple[list[int], list[int]]:
    """Per character beyond ASCII: the UTF-8 byte offset just after it, and the bytes beyond one
    that it and those before it take. The reference for the C scan (``_blocks.byte_offsets``)."""
    bytes_at: list[int] = []
    extras: list[int] = []
    extra = 0
    # Most non-ASCII posts have a few curly quotes or dashes in a long text: slices that are all
    # ASCII are skipped at memory speed, and the regular expression scans the others only.
    for lo in range(0, len(body), _BYTEMAP_SLICE):
        if body[lo : lo + _BYTEMAP_SLICE].isascii():
            continue
        for m in _NON_ASCII.finditer(body, lo, lo + _BYTEMAP_SLICE):
            c = m.group()
            extra += 1 if c < "\u0800" else 2 if c < "\U00010000" else 3  # UTF-8 bytes beyond one
            bytes_at.append(m.end() + extra)
            extras.append(extra)
    return bytes_at, extras


_BLOCK_TAGS = {
    "Paragraph": "paragraph",
    "BlockQuote": "blockquote",
    "CodeBlock": "code",
    "HtmlBlock": "html",
    "TableHead": "table_head",
    "TableRow": "table_row",
}
_TEXTLESS = {"blockquote", "code", "html"}
_CLOSES_BLOCK = frozenset((*_BLOCK_TAGS, "Heading", "Item"))
# Inline markup whose start and end carry nothing we keep: the most common events after Text.
_INLINE_MARKUP = frozenset(("Emphasis", "Strong", "Strikethrough", "Superscript", "Subscript", "Table"))
_END_SKIPPED = _INLINE_MARKUP | {"Link"}  # a link's start did all there is to do
_UNMODELLED = {"FootnoteDefinition", "DefinitionList", "DefinitionListTitle", "DefinitionListDefinition", "MetadataBlock"}


def _parse_markdown(doc: Document) -> None:
    """One pass over pyromark's events: blocks with their text, images, HTML and code spans."""
    # Millions of short-lived event dicts would trigger the cyclic garbage collector over and over,
    # and nothing built here forms a cycle: it need not run until the blocks are built.
    enabled = gc.isenabled()
    gc.disable()
    try:
        _build_blocks(doc)
    finally:
        if enabled:
            gc.enable()


def _build_blocks(doc: Document) -> None:
    import pyromark

    global _OPTIONS
    if _OPTIONS is None:
        _OPTIONS = _markdown_options()
    body = doc.text[doc.body_start :]
    if not body or body.isspace():
        return
    conv = doc._bytemap = _ByteMap(doc, body, doc.body_start)
    blocks = doc.blocks
    _scan(
        pyromark.events_with_range(body, options=_OPTIONS), conv, doc.position,
        blocks, doc.images, doc.html, doc._code_ranges, Block, Image, Html, _BR_RE.match,
    )
    text = doc.text
    for b in _finish_blocks(blocks):
        # Code blocks keep their literal content as text (not prose; rules skip them).
        b.text = text[b.start : b.end]


def _finish_blocks_py(blocks: list[Block]) -> list[Block]:
    """Items whose text lives in their first paragraph (loose lists) share it; the code blocks are
    returned. The reference for the C loop (``_blocks.finish_blocks``)."""
    n = len(blocks)
    code = []
    for b in blocks:
        kind = b.kind
        if kind == "item":
            if b.index + 1 < n and not b.text.strip():
                c = blocks[b.index + 1]  # a first child comes right after its parent
                if c.parent == b.index and c.kind == "paragraph":
                    b.text = c.text
                    b._parts, b._ranges = c._parts, c._ranges
                    b.images = b.images or c.images
        elif kind == "code":
            code.append(b)
    return code


def _of_kind_py(blocks: list[Block], kind: str) -> list[Block]:
    """The blocks of a kind: the reference for the C loop (``_blocks.of_kind``)."""
    return [b for b in blocks if b.kind == kind]


def _append_to(block: Block, name: str, value: Any) -> None:
    """Append to a block's ``images`` or ``cells``: the empty tuple it starts with becomes a list."""
    seq = getattr(block, name)
    if isinstance(seq, list):
        seq.append(value)
    else:
        setattr(block, name, [value])


def _scan_events(
    events: Iterator[tuple[Any, dict[str, int]]],
    conv: Callable[[int], int],
    position: Callable[[int], tuple[int, int]],
    blocks: list[Block],
    images: list[Image],
    html_pieces: list[Html],
    code_ranges: list[int],
    block_type: type[Block],
    image_type: type[Image],
    html_type: type[Html],
    br_match: Callable[[str], Any],
) -> None:
    """pyromark's (event, range) pairs -> blocks with their text, images, HTML and code spans.

    The reference walk: ``postlint._blocks.scan`` is this walk in C (this loop costs about a third
    of a microsecond per event, and the corpora hand out 2.2 million); tests hold the two equal,
    and this one runs where no compiler built the C one.
    """
    stack: list[int] = []  # open block indices (-1 for containers we do not model)
    lists: list[list] = []  # open lists: [id, ordered, next number]
    list_counter = 0
    # The block inline text goes to, or None, and the targets of the blocks around it.
    targets: list[Block | None] = []
    target: Block | None = None
    in_image: list[tuple[Image, list[str]]] = []
    cell_start = 0
    # The target's text pieces and their source ranges, kept in locals: the Text branch runs a
    # million times. Every piece appended has its range appended too: the two lists stay aligned
    # (Block._segments).
    tparts: list[str] | None = None
    tranges: list | None = None

    for event, rng in events:
        if type(event) is str:  # SoftBreak, HardBreak, Rule, ...
            if tparts is not None and event[-5:] == "Break":
                tparts.append("\n")
                tranges += rng["start"], rng["end"]  # type: ignore[operator]
            continue
        if "Text" in event:
            text = event["Text"]
            if in_image:
                in_image[-1][1].append(text)
            elif tparts is not None:
                tparts.append(text)
                tranges.append(rng["start"])  # type: ignore[union-attr]
                tranges.append(rng["end"])  # type: ignore[union-attr]
            continue
        if "Start" in event:
            value = event["Start"]
            if type(value) is str:
                if value in _INLINE_MARKUP:
                    continue
                tag, attrs = value, None
            else:
                ((tag, attrs),) = value.items()
                if tag == "Link":  # the most common start after Text
                    if target is not None:
                        target.links += 1
                    continue
            # Blocks are opened here, inline: a quarter of a million of them.
            kind = _BLOCK_TAGS.get(tag)
            parent = stack[-1] if stack and stack[-1] >= 0 else None
            if kind is not None:
                info = ""
                if kind == "code" and type(attrs) is dict:
                    info = attrs.get("Fenced", "") or ""
                b = block_type(len(blocks), kind, rng["start"], rng["end"], conv, parent, 0, None, False, None, 0, info)
                textual = kind not in _TEXTLESS
            elif tag == "Heading":
                b = block_type(len(blocks), "heading", rng["start"], rng["end"], conv, parent, int(attrs["level"][1:]))
                textual = True
            elif tag == "Item":
                lst = lists[-1] if lists else [0, False, None]
                number = lst[2]
                if number is not None:
                    lst[2] = number + 1
                b = block_type(len(blocks), "item", rng["start"], rng["end"], conv, parent, 0, lst[0], lst[1], number, len(lists) - 1)
                textual = True
            else:
                if tag == "List":
                    list_counter += 1
                    lists.append([list_counter, attrs is not None, attrs])
                elif tag == "TableCell":
                    if tparts is not None:
                        if any(tparts):  # a cell before this one in the row has text
                            tparts.append(" | ")
                            tranges += rng["start"], rng["start"]  # type: ignore[operator] # stands for no source
                        cell_start = len(tparts)
                elif tag == "Image":
                    start = conv(rng["start"])
                    line, col = position(start)
                    origin = "markdown" if attrs["link_type"] == "Inline" else "reference"
                    img = image_type(attrs["dest_url"], "", line, col, start, origin, title=attrs.get("title", ""))
                    if target is not None:
                        img.block = target.index
                        _append_to(target, "images", len(images))
                    images.append(img)
                    in_image.append((img, []))
                elif tag in _UNMODELLED:
                    stack.append(-1)
                    targets.append(target)
                    target = tparts = tranges = None
                continue
            blocks.append(b)
            stack.append(b.index)
            targets.append(target)
            if textual:
                target, tparts, tranges = b, b._parts, b._ranges
            else:
                target = tparts = tranges = None
            continue
        if "End" in event:
            value = event["End"]
            if type(value) is str:
                if value in _END_SKIPPED:
                    continue
                tag = value
            else:
                tag = next(iter(value))
            if tag in _CLOSES_BLOCK or tag in _UNMODELLED:
                stack.pop()
                if target is not None and tag in _CLOSES_BLOCK:
                    target.text = "".join(tparts)  # type: ignore[arg-type]
                target = targets.pop()
                tparts, tranges = (target._parts, target._ranges) if target is not None else (None, None)
            elif tag == "List":
                lists.pop()
            elif tag == "TableCell":
                if tparts is not None:
                    _append_to(target, "cells", "".join(tparts[cell_start:]).strip())
            elif tag == "Image":
                img, parts = in_image.pop()
                img.alt = "".join(parts)
            continue
        if "Code" in event:
            code_ranges += rng["start"], rng["end"]
            if tparts is not None:
                # Code spans are not prose: one space keeps the words around them apart.
                tparts.append(" ")
                tranges += rng["start"], rng["end"]  # type: ignore[operator]
            continue
        html = event.get("Html") if "Html" in event else event.get("InlineHtml")
        if html is not None:
            html_pieces.append(html_type(html, conv(rng["start"]), stack[-1] if stack and stack[-1] >= 0 else None))
            if tparts is not None and "InlineHtml" in event and br_match(html.strip()):
                tparts.append("\n")
                tranges += rng["start"], rng["end"]  # type: ignore[operator]


try:  # the same walk, byte offsets and finish in C, built where a compiler was at install
    from postlint._blocks import byte_offsets as _byte_offsets
    from postlint._blocks import finish_blocks as _finish_blocks
    from postlint._blocks import of_kind as _of_kind
    from postlint._blocks import scan as _scan
except ImportError:  # pragma: no cover - depends on how postlint was installed
    _scan = _scan_events
    _byte_offsets = _byte_offsets_py
    _finish_blocks = _finish_blocks_py
    _of_kind = _of_kind_py
