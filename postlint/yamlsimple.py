"""The front-matter most posts carry, read without libyaml: block mappings and lists of one-line
plain or quoted scalars (``title: ...``, ``tags: [a, b]``, ``releases:`` then ``- cycle: "3.1"``).

``load(raw)`` gives what ``yamlfm`` would give — the same data, with PyYAML's types (its own
resolvers and constructors type every plain scalar), and a node tree with the same positions — or
None for anything else: block scalars, multi-line scalars, flow mappings, anchors, tags, escapes,
tabs, characters libyaml treats as line breaks or rejects. ``yamlfm`` then loads the text with
libyaml (whose node objects and marks cost eight times more on the documents read here), as it
does when a plain scalar is one PyYAML cannot build (``0x_``), to report it as PyYAML does.
tests/test_yamlsimple.py checks both ways agree: value, type, position and error.
"""

from __future__ import annotations

import re
from typing import Any

from postlint.yamlfm import _PLAIN_SCALARS, _Loader

# What libyaml reads differently from a split on "\n" (tabs, \r, NEL, LS, PS, a BOM) or rejects
# (control characters, surrogates, non-characters): a front-matter holding any goes to libyaml.
_UNUSUAL_CHAR = "[^\n\x20-\x7e\xa0-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ud800-\udfff]"  # compiled by load_py
# First characters that make a scalar anything but a plain one (quotes are read below), or that
# libyaml reads as a document marker or directive; "-", "?" and ":" only when a space follows.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_RESOLVERS = _Loader.yaml_implicit_resolvers
_CONSTRUCTORS = _Loader.yaml_constructors
_MAX_DEPTH = 40  # nesting past this is left to libyaml (and its own limits)
# A plain item of a flow sequence ("[a, b c, 3]"): no flow indicator, colon or comment in it.
_FLOW_PLAIN = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}#:]*")


class _Unsupported(Exception):
    """Not in the subset read here: libyaml reads the front-matter."""


class Node:
    """A node as ``yamlfm.walk`` and ``yamlfm.top_level`` read it: ``id``, ``value`` and a start mark
    with 0-based ``line`` and ``column`` (the node is its own mark)."""

    __slots__ = ("column", "id", "line", "value")

    def __init__(self, id: str, value: Any, line: int, column: int):
        self.id = id
        self.value = value  # scalar: its text; mapping: [(key, value)]; sequence: [item]
        self.line = line
        self.column = column

    @property
    def start_mark(self) -> Node:
        return self


def _scalar_value(text: str) -> Any:
    """A plain scalar's value, typed as PyYAML types it."""
    for tag, regexp in _RESOLVERS.get(text[0] if text else "", ()):
        if regexp.match(text):
            break
    else:
        return text
    if tag not in _PLAIN_SCALARS:  # merge keys, "=", ...
        raise _Unsupported
    return _CONSTRUCTORS[tag](_CONSTRUCTOR, _TagNode(tag, text))


class _TagNode:
    """What PyYAML's scalar constructors read of a node."""

    __slots__ = ("start_mark", "tag", "value")

    def __init__(self, tag: str, value: str):
        self.tag, self.value, self.start_mark = tag, value, None


def _constructor() -> Any:
    import yaml

    class Constructor(yaml.constructor.SafeConstructor):
        def construct_scalar(self, node: Any) -> Any:  # the base class asserts a yaml.ScalarNode
            return node.value

    return Constructor()


_CONSTRUCTOR = _constructor()


def load_py(raw: str) -> tuple[Any, Node, bool] | None:
    """(data, root node, whether some mapping spells a key twice), or None: not in the subset.
    The reference for the C parser (``_yamlsimple.load``)."""
    if re.search(_UNUSUAL_CHAR, raw):  # re's cache: not compiled where the C parser does this
        return None
    lines = []  # (line, indent, text) of each line that holds more than spaces or a comment
    for i, line in enumerate(raw.split("\n")):
        text = line.lstrip(" ")
        if text and text[0] != "#":
            indent = len(line) - len(text)
            if indent == 0 and text.startswith(("---", "...")):
                return None
            lines.append((i, indent, text.rstrip(" ")))
    if not lines or _is_entry(lines[0][2]):
        return None  # empty, or a list: libyaml reads it (and FM002 reports the list)
    parser = _Parser(lines)
    try:
        data, root = parser.mapping(lines[0][1], 0)
    except _Unsupported:
        return None
    return (data, root, parser.repeats) if parser.k == len(lines) else None


def _is_entry(text: str) -> bool:
    """A block sequence entry: "- item", or "-" alone."""
    return text == "-" or text.startswith("- ")


class _Parser:
    """Reads the significant lines in order; ``k`` is the next one."""

    def __init__(self, lines: list[tuple[int, int, str]]):
        self.lines = lines
        self.k = 0
        self.repeats = False

    def block(self, indent: int, depth: int) -> tuple[Any, Node]:
        """The mapping or sequence that starts on line ``k``, at ``indent``."""
        if _is_entry(self.lines[self.k][2]):
            return self.sequence(indent, depth)
        return self.mapping(indent, depth)

    def mapping(self, indent: int, depth: int) -> tuple[Any, Node]:
        if depth > _MAX_DEPTH:
            raise _Unsupported
        lines = self.lines
        first = lines[self.k]
        data: dict[Any, Any] = {}
        pairs: list[tuple[Node, Node]] = []
        keys: set[str] = set()
        while self.k < len(lines):
            i, ind, text = lines[self.k]
            if ind != indent:
                if ind < indent:
                    break
                raise _Unsupported  # more indented: a multi-line scalar, or an error
            end = text.find(": ")
            if end < 0:
                if not text.endswith(":"):
                    raise _Unsupported
                end = len(text) - 1
            key = text[:end]
            if not key or key[0] in _INDICATORS or key[-1] == " " or len(key) > 1000 or _KEY_STOP.search(key):
                raise _Unsupported
            rest = text[end + 1 :].lstrip(" ")
            self.k += 1
            if rest and rest[0] != "#":
                value, node = self.scalar(rest, i, len(text) - len(rest) + ind)
            elif self.k < len(lines) and lines[self.k][1] > ind:
                value, node = self.block(lines[self.k][1], depth + 1)
            elif self.k < len(lines) and lines[self.k][1] == ind and _is_entry(lines[self.k][2]):
                value, node = self.sequence(ind, depth + 1)  # a list at its key's indent
            else:
                # Nothing: null, marked where libyaml marks it, right after the colon.
                value, node = None, Node("scalar", "", i, ind + end + 1)
            if key in keys:
                self.repeats = True
            keys.add(key)
            data[_scalar_value(key)] = value
            pairs.append((Node("scalar", key, i, ind), node))
        return data, Node("mapping", pairs, first[0], first[1])

    def sequence(self, indent: int, depth: int) -> tuple[Any, Node]:
        if depth > _MAX_DEPTH:
            raise _Unsupported
        lines = self.lines
        first = lines[self.k]
        data: list[Any] = []
        items: list[Node] = []
        while self.k < len(lines):
            i, ind, text = lines[self.k]
            if ind != indent:
                if ind < indent:
                    break
                raise _Unsupported
            if not text.startswith("- "):
                if text == "-":
                    raise _Unsupported  # an item on the lines below
                break  # the next key of the mapping that holds the list at its own indent
            rest = text[2:].lstrip(" ")
            column = ind + len(text) - len(rest)
            if rest[0] == "#" or _is_entry(rest):
                raise _Unsupported
            if rest[0] not in "\"'[{" and (": " in rest or rest.endswith(":")):
                # "- key: value": a mapping whose keys line up after the dash
                lines[self.k] = (i, column, rest)
                value, node = self.mapping(column, depth + 1)
            else:
                value, node = self.scalar(rest, i, column)
                self.k += 1
            data.append(value)
            items.append(node)
        return data, Node("sequence", items, first[0], first[1])

    def scalar(self, text: str, line: int, column: int) -> tuple[Any, Node]:
        """A one-line value: quoted, a flow sequence, or plain (its comment cut)."""
        c = text[0]
        if c == '"' or c == "'":
            value, end = _quoted(text, 0)
            _comment_only(text, end)
        elif c == "[":
            return self._flow(text, line, column)
        elif c in _INDICATORS and not (c == "-" and len(text) > 1 and text[1] != " "):
            raise _Unsupported
        else:
            cut = text.find(" #")
            if cut >= 0:
                text = text[:cut].rstrip(" ")
            if ": " in text or text.endswith(":"):
                raise _Unsupported  # libyaml: "mapping values are not allowed here"
            value = _scalar_value(text)
        return value, Node("scalar", text, line, column)

    def _flow(self, text: str, line: int, column: int) -> tuple[Any, Node]:
        """A one-line flow sequence of plain or quoted scalars: ``[a, "b c", 3]``."""
        data: list[Any] = []
        items: list[Node] = []
        p, n = 1, len(text)
        while True:
            while p < n and text[p] == " ":
                p += 1
            if p < n and text[p] == "]" and not items:
                p += 1
                break
            if p >= n:
                raise _Unsupported  # the list goes on on the next line
            start = p
            if text[p] in "\"'":
                value, p = _quoted(text, p)
                item = text[start:p]
            else:
                m = _FLOW_PLAIN.match(text, p)
                if m is None:
                    raise _Unsupported
                item = m.group().rstrip(" ")
                p = start + len(item)
                value = _scalar_value(item)
            data.append(value)
            items.append(Node("scalar", item, line, column + start))
            while p < n and text[p] == " ":
                p += 1
            if p < n and text[p] == ",":
                p += 1
            elif p < n and text[p] == "]":
                p += 1
                break
            else:
                raise _Unsupported
        _comment_only(text, p)
        return data, Node("sequence", items, line, column)


# Characters a key is not read with here: flow indicators and comments (libyaml reads most of them
# in a block key; such keys are rare enough to leave to it).
_KEY_STOP = re.compile(r"[,\[\]{}#]")


def _quoted(text: str, p: int) -> tuple[str, int]:
    """The value of the quoted scalar at ``p`` and where it ends: without escapes (double) or with
    doubled quotes (single)."""
    q = text[p]
    if q == '"':
        end = text.find('"', p + 1)
        if end < 0 or "\\" in text[p + 1 : end]:
            raise _Unsupported
        return text[p + 1 : end], end + 1
    parts = []
    start = p + 1
    while True:
        end = text.find("'", start)
        if end < 0:
            raise _Unsupported
        parts.append(text[start:end])
        if not text.startswith("'", end + 1):
            return "'".join(parts), end + 1
        start = end + 2


def _comment_only(text: str, p: int) -> None:
    """Nothing but a comment may follow a quoted scalar or a flow sequence."""
    if p < len(text) and not (text[p] == " " and text[p:].lstrip(" ").startswith("#")):
        raise _Unsupported


def _off(raw: str) -> None:
    return None


def configure_c(module: Any, node: type = Node) -> None:
    """Set up the C parser: its node class, PyYAML's scalar typing, and the first characters of
    the plain scalars that typing may make anything but a string."""
    module.configure(node, _scalar_value, _Unsupported, "".join(c for c in _RESOLVERS if c))


if None in _RESOLVERS or _Loader.yaml_path_resolvers:
    load = _off  # resolvers this parser does not apply: libyaml reads every front-matter
else:
    try:
        from postlint import _yamlsimple
    except ImportError:  # no compiler built it: the same parse in Python
        load = load_py
    else:
        configure_c(_yamlsimple)
        load = _yamlsimple.load
