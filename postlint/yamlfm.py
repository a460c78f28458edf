"""YAML front-matter: loaded with libyaml into data, its comments, and the node tree that key
positions are read from. Imported only where a post has YAML front-matter (a warm run never does)."""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

import yaml

from postlint.document import MAX_ALIAS_EXPANSION, DuplicateKey, JsonPath
from postlint.registry import Report

if TYPE_CHECKING:
    from postlint.document import FrontMatter

try:  # libyaml is ten times faster on the large front-matter real sites carry
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps a timestamp that does not exist (``2022-02-30``) as its string."""


def _resolve(self: Any, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
    """PyYAML's tag resolution, which the composer asks for every node: a plain scalar whose first
    character opens no implicit type (most keys and titles) is a string without the lookups and
    pattern tests (5% of the front-matter load); anything else is resolved by PyYAML itself."""
    if kind is yaml.ScalarNode:
        if implicit[0] and (not value or value[0] in _TYPED_FIRST):
            return _BaseLoader.resolve(self, kind, value, implicit)
        return _STR_TAG
    return _MAP_TAG if kind is yaml.MappingNode else _BaseLoader.resolve(self, kind, value, implicit)


# The first characters of the plain scalars an implicit resolver may type (true, 1.5, ~, 2024-05-31,
# <<, =). A resolver for any first character (None), or a path resolver, needs PyYAML's own resolution.
_TYPED_FIRST = frozenset(_BaseLoader.yaml_implicit_resolvers)
_STR_TAG, _MAP_TAG = _BaseLoader.DEFAULT_SCALAR_TAG, _BaseLoader.DEFAULT_MAPPING_TAG
if None not in _TYPED_FIRST and not _BaseLoader.yaml_path_resolvers:
    _Loader.resolve = _resolve


_PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _construct_timestamp(loader: Any, node: yaml.Node) -> Any:
    value = node.value
    try:
        if isinstance(value, str) and _PLAIN_DATE.fullmatch(value):
            # Nearly every timestamp of a post is a day, as PyYAML reads it: the date of its three
            # numbers (a release list holds hundreds; PyYAML's constructor costs ten times more).
            return _dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _PyLoader(yaml.SafeLoader):
    """The pure-Python loader (used when PyYAML is built without libyaml; tests use it to compare)."""


_PyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_DEFAULT_LOADER = _Loader  # tests swap in _PyLoader: then every front-matter goes through it

_TRAILING_TABS = re.compile(r"\t[ \t]*$", re.M)


def _yaml_source(raw: str, loader: type) -> str:
    """What the loader is given: the pure-Python scanner rejects a tab at the end of a line, libyaml
    (and the generators) ignore it; blank them out column for column so both agree and positions hold."""
    if issubclass(loader, yaml.SafeLoader) and "\t" in raw:
        return _TRAILING_TABS.sub(lambda m: " " * len(m.group()), raw)
    return raw


_COMMENT_LINE = re.compile(r"(?m)^[ \t]*(#.*)$")


def load(fm: FrontMatter) -> None:
    """Parse ``fm.raw``: its data, comments, the node tree positions are read from, or the error."""
    base = fm.start_line  # mark.line 0 is the line after the fence
    if "#" in fm.raw:
        line, last = base + 1, 0
        for m in _COMMENT_LINE.finditer(fm.raw):
            line += fm.raw.count("\n", last, m.start())
            last = m.start()
            fm.comments.append((line, m.group(1).rstrip()))
    try:
        simple = yamlsimple.load(fm.raw) if _Loader is _DEFAULT_LOADER else None
    except (ValueError, TypeError, OverflowError):
        simple = None  # a scalar PyYAML cannot build ("0x_"): reported below, as PyYAML reports it
    if simple is not None:
        fm.data, fm._node, fm._maybe_repeats = simple
        return
    loader = _Loader(_yaml_source(fm.raw, _Loader))
    try:
        node = loader.get_single_node()
        if node is None:
            fm.data = None
            return
        # Only anchors and aliases can make a document expand past its node count.
        if "&" in fm.raw and "*" in fm.raw and _expanded_size(node) > MAX_ALIAS_EXPANSION:
            fm.too_large = Report(base + 1, 1, f"front-matter aliases expand to over {MAX_ALIAS_EXPANSION:,} values; not loaded")
            return
        if "&" in fm.raw:  # anchors and aliases: PyYAML's own construction
            fm.data = loader.construct_document(node)
        else:
            fm.data, fm._maybe_repeats = _construct(loader, node)
        fm._node = node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and exc.context_mark is not None and mark.line >= fm.raw.count("\n"):
            # The parser ran into the closing fence: the construct it was reading is the useful place.
            mark = exc.context_mark
        line = base + 1 + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        raw_lines = fm.raw.splitlines()
        if mark is not None and mark.line >= len(raw_lines) and raw_lines:
            # Still at the end of the block: point at the end of its last line, not at the fence.
            last = max((i for i, text in enumerate(raw_lines) if text.strip()), default=len(raw_lines) - 1)
            line, col = base + 1 + last, len(raw_lines[last].rstrip()) + 1
        what = exc.problem or exc.context or "syntax error"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        fm.error = Report(line, col, f"YAML front-matter does not parse: {what}{context}")
    except yaml.YAMLError as exc:
        fm.error = Report(base + 1, 1, f"YAML front-matter does not parse: {exc}")
    except (ValueError, TypeError, OverflowError) as exc:
        fm.error = Report(base + 1, 1, f"YAML front-matter does not load: {exc}")
    finally:
        loader.dispose()


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
# Scalar tags whose constructors return their value directly (the others are generators or raise).
_PLAIN_SCALARS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp"))


class _Unusual(Exception):
    """A node the direct construction leaves to PyYAML: merge keys, sets, explicit tags, ..."""


def _construct(loader: Any, root: yaml.Node) -> tuple[Any, bool]:
    """PyYAML's safe construction of a document without anchors, minus its per-node bookkeeping
    (half of the front-matter load time), and whether some mapping may spell a key twice.
    Anything unusual goes through PyYAML itself."""
    repeats: list[yaml.Node] = []
    try:
        return _value(loader, root, repeats), bool(repeats)
    except _Unusual:
        return loader.construct_document(root), True


def _value(loader: Any, node: yaml.Node, repeats: list[yaml.Node]) -> Any:
    # A module function, not a closure: a recursive closure is a reference cycle per call.
    kind = type(node)
    tag = node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _PLAIN_SCALARS:
            return loader.yaml_constructors[tag](loader, node)
    elif kind is yaml.MappingNode:
        if tag == _MAP:
            data = {}
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode:  # a list or mapping as a key
                    raise _Unusual
                data[_value(loader, key_node, repeats)] = _value(loader, value_node, repeats)
            pairs = node.value
            if len(pairs) > 1 and len({k.value for k, _ in pairs}) < len(pairs):
                repeats.append(node)
            return data
    elif kind is yaml.SequenceNode and tag == _SEQ:
        return [_value(loader, item, repeats) for item in node.value]
    raise _Unusual


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document would expand to (stops counting past the cap)."""
    sizes: dict[int, int] = {}

    def size_of(node: yaml.Node) -> int:
        # Iterative post-order: aliases make a DAG, memoised by node id so a bomb costs its node count.
        stack = [(node, False)]
        while stack:
            n, done = stack.pop()
            if id(n) in sizes:
                continue
            if isinstance(n, yaml.ScalarNode):
                sizes[id(n)] = 1
                continue
            kids = [c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode) else list(n.value)
            if done:
                total = 1
                for c in kids:
                    total += sizes.get(id(c), 1)
                    if total > MAX_ALIAS_EXPANSION:
                        break
                sizes[id(n)] = total
            else:
                sizes[id(n)] = 0  # guard against recursive aliases
                del sizes[id(n)]
                stack.append((n, True))
                stack.extend((c, False) for c in kids if id(c) not in sizes)
        return sizes[id(node)]

    return size_of(root)


def walk(root: yaml.Node, fm: FrontMatter, base: int) -> None:
    """Record the position of every key and list item, and repeated keys."""
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, JsonPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue  # an alias: its positions are those of the anchor
        seen_nodes.add(id(node))
        # By ``id``, not class: the nodes of yamlsimple are read the same way.
        if node.id == "mapping":
            first: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if key_node.id == "scalar" else None
                if key is None or key == "<<":
                    continue
                kpath = path + (key,)
                kline, kcol = base + 1 + key_node.start_mark.line, key_node.start_mark.column + 1
                if key in first:
                    fm._duplicates.append(DuplicateKey(kpath, kline, kcol, first[key]))
                else:
                    first[key] = kline
                fm._positions[kpath] = (kline, kcol)
                fm._value_positions[kpath] = (base + 1 + value_node.start_mark.line, value_node.start_mark.column + 1)
                stack.append((value_node, kpath))
        elif node.id == "sequence":
            for i, item in enumerate(node.value):
                ipath = path + (i,)
                pos = (base + 1 + item.start_mark.line, item.start_mark.column + 1)
                fm._positions[ipath] = pos
                fm._value_positions[ipath] = pos
                stack.append((item, ipath))


def top_level(root: yaml.Node, key: Any, base: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Positions of a top-level key and its value (the last one, as the walk records), lines from ``base``."""
    found = None
    for key_node, value_node in root.value if root.id == "mapping" else ():
        if key_node.id == "scalar" and key_node.value == key and key != "<<":
            found = key_node, value_node
    if found is None:
        return None
    k, v = found[0].start_mark, found[1].start_mark
    return (base + k.line, k.column + 1), (base + v.line, v.column + 1)


from postlint import yamlsimple  # it reads this module's loader: imported after it
