"""The simple front-matter parser (postlint/yamlsimple.py and its C twin, postlint/_yamlsimple.c)
against libyaml: whatever it reads, it reads as libyaml does (values, types, positions, repeated
keys); what it does not read, it leaves to libyaml."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postlint import yamlfm, yamlsimple
from postlint.document import FrontMatter


def _typed(value: Any) -> Any:
    """A value with its types spelled out: 1, 1.0 and True are told apart."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    return (type(value).__name__, repr(value))


def _loaded(raw: str, simple: bool) -> tuple[Any, ...]:
    fm = FrontMatter("yaml", raw, 1, raw.count("\n") + 2)
    if simple:
        yamlfm.load(fm)
    else:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(yamlsimple, "load", lambda raw: None)
            yamlfm.load(fm)
    return (
        _typed(fm.data), fm.error, fm.too_large, fm.positions, list(fm.positions), fm.value_positions,
        list(fm.duplicates), fm.comments,
    )


def _tree(node: Any) -> Any:
    """A node tree as comparable tuples."""
    if node.id == "mapping":
        value = [(_tree(k), _tree(v)) for k, v in node.value]
    elif node.id == "sequence":
        value = [_tree(i) for i in node.value]
    else:
        value = node.value
    return (node.id, node.start_mark.line, node.start_mark.column, value)


def _result(got: Any) -> Any:
    return None if got is None else (_typed(got[0]), _tree(got[1]), got[2])


def _c_module() -> Any:
    return pytest.importorskip("postlint._yamlsimple", reason="the C parser is not built (no compiler at install)")


def _outcome(load: Any, raw: str) -> Any:
    try:
        return _result(load(raw))
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar PyYAML cannot build
        return (type(exc).__name__, str(exc))


def _agrees(raw: str) -> bool:
    """Whether the simple parser read ``raw``; asserts that the front-matter loads as with libyaml
    alone (data, error, positions), that what it read libyaml reads too, and that the C parser
    agrees with the Python one."""
    import yaml

    py = _outcome(yamlsimple.load_py, raw)
    try:
        from postlint import _yamlsimple
    except ImportError:
        pass
    else:
        assert _outcome(_yamlsimple.load, raw) == py, raw
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(yamlsimple, "load", yamlsimple.load_py)
        assert _loaded(raw, True) == _loaded(raw, False), raw
    if py is None or isinstance(py[0], str):
        return False
    try:
        yaml.load(raw, Loader=yamlfm._Loader)
    except yaml.YAMLError as exc:  # pragma: no cover - a failure's message
        raise AssertionError(f"read what libyaml rejects ({exc}):\n{raw}") from None
    return True


# Front-matters the parser reads (True) or leaves to libyaml (False).
CASES = [
    ("title: Hello world\ndate: 2024-01-05\ndraft: false\nweight: 0x1F\nratio: .inf\nnothing: ~\n", True),
    ("title:   spaced out   \nempty:\nlast: x # a comment\n# a line comment\n  # indented comment\n", True),
    ("tags: [a, b, 1, 2.5, null]\nnone: []\nspaced: [ 'it''s' , \"x, y\" ]  # c\n", True),
    ('quoted: "Hello: world # not a comment"\nsingle: \'a #b\'\nurl: https://example.com/a#frag\n', True),
    ("releases:\n  - releaseCycle: \"3.1\"\n    eol: 2024-01-01\n    lts: true\n  - releaseCycle: '3.0'\n    eol: false\n", True),
    ("list:\n- a\n- b\nnext: 1\n", True),  # a list at its key's indent
    ("items:\n  -   x: 1\n      y: 2\n  - plain\n  - 2022-02-30\n", True),
    ("nested:\n  deep:\n    deeper:\n      k: v\n  back: 1\nout:\n", True),
    ("dup: 1\ndup: 2\nmap:\n  a: 1\n  a: 3\n", True),
    ("1: int key\ntrue: bool key\n2024-01-05: date key\nog:image: /a.png\n", True),
    ("octal: 017\nsexagesimal: 1:30\nunderscore: 1_000\nneg: -3\nplus: +4\nexp: 1e3\nstamp: 2024-05-31 10:00:00\n", True),
    ("é: ü\nnbsp: \u00a0x\nwide: 日本語\n", True),
    ("a: -x\nb: a:b\nc: [a]\n", True),
    # left to libyaml
    ("", False),
    ("# only a comment\n", False),
    ("- a\n- b\n", False),
    ("text: |\n  block\n", False),
    ("text: >-\n  folded\n", False),
    ("title: two\n  lines\n", False),
    ("m: {a: 1}\n", False),
    ("base: &b x\nref: *b\n", False),
    ("x: !!str 3\n", False),
    ('esc: "a\\"b"\n', False),
    ("tab:\tx\n", False),
    ("cr: x\r\n", False),
    ("bad: a: b\n", False),
    ("bad: x:\n", False),
    ("merge:\n  <<: {a: 1}\n", False),
    ("eq: =\n", False),
    ("trail: [a,]\n", False),
    ("open: [a,\n  b]\n", False),
    ("'quoted key': 1\n", False),
    ("key : spaced\n", False),
    ("---\na: 1\n", False),
    ("a: 1\n...\n", False),
    ("a: 1\n b: 2\n", False),
    ("a:\n  b: 1\n c: 2\n", False),
    ("a:\n  - x\n  y: 1\n", False),
    ("- x\na: 1\n", False),
    ("a: 'x' y\n", False),
    ("a: \"x\"y\n", False),
    ("a: [x] y\n", False),
    ("a: 'open\n", False),
    ("a:\n  -\n    b: 1\n", False),
    ("a:\n  - - x\n", False),
    ("a: - x\n", False),
    ("a: %x\n", False),
    ("a: @x\n", False),
    ("? a\n: b\n", False),
    ("a[0]: 1\n", False),
    ("-1: negative key\n", False),
    ("n: 0x_\n", False),  # an int PyYAML's constructor cannot build: its error, at its place
    ("n: [+0b_]\n", False),
    ("x" * 1001 + ": long key\n", False),
    ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 60)), False),  # nested past the depth cap
]


@pytest.mark.parametrize(("raw", "read"), CASES)
def test_cases(raw: str, read: bool) -> None:
    assert _agrees(raw) is read


def test_positions_of_a_read_front_matter() -> None:
    # Spelled out once: keys, list items, a value on the next line, a null right after its colon.
    raw = "title: Hi\nlist:\n  - a\n  - k: v\nempty:\ntags: [x, 'y']\n"
    fm = FrontMatter("yaml", raw, 1, 8)
    yamlfm.load(fm)
    assert fm.positions == {
        ("title",): (2, 1), ("list",): (3, 1), ("list", 0): (4, 5), ("list", 1): (5, 5), ("list", 1, "k"): (5, 5),
        ("empty",): (6, 1), ("tags",): (7, 1), ("tags", 0): (7, 8), ("tags", 1): (7, 11),
    }
    assert fm.value_positions[("title",)] == (2, 8)
    assert fm.value_positions[("list",)] == (4, 3)
    assert fm.value_positions[("empty",)] == (6, 7)
    assert fm.line_of(("title",)) == (2, 1) and fm.value_line_of(("tags",)) == (7, 7)


def test_the_c_parser_is_used_where_built() -> None:
    c = _c_module()
    assert yamlsimple.load is c.load


def test_c_parser_keeps_a_bad_scalar_type_out() -> None:
    # A typing error that is not "left to libyaml" reaches the caller; "left to libyaml" is None.
    c = _c_module()
    try:
        c.configure(yamlsimple.Node, lambda text: 1 / 0, yamlsimple._Unsupported, "0123456789")
        with pytest.raises(ZeroDivisionError):
            c.load("a: 1\n")
        assert c.load("a: b\n")[0] == {"a": "b"}
        c.configure(yamlsimple.Node, yamlsimple._scalar_value, yamlsimple._Unsupported, "=")
        assert c.load("a: =\n") is None
    finally:
        yamlsimple.configure_c(c)
    assert c.load("a: =\n") is None and c.load("a: 1\n")[0] == {"a": 1}


def test_c_parser_calls_a_node_class_whose_slots_it_cannot_fill() -> None:
    # Nodes are made by filling Node's slots directly; any other class is called, with the same result.
    c = _c_module()

    class Traced(yamlsimple.Node):
        pass

    raw = "title: Hi\nlist:\n  - a\n  - k: v\ntags: [x, 'y']\n"
    try:
        yamlsimple.configure_c(c, Traced)
        got = c.load(raw)
    finally:
        yamlsimple.configure_c(c)
    assert type(got[1]) is Traced and type(got[1].value[1][1].value[1]) is Traced
    assert _result(got) == _result(c.load(raw)) == _result(yamlsimple.load_py(raw))


# --------------------------------------------------------------------------- generated front-matters

_KEYS = ["title", "date", "tags", "a", "og:image", "true", "1", "null", "x y", "é", "k:", "2024-01-02"] * 4 + ["-k", "k#", "<<", "'q'"]
# Scalars the parser reads, and (less often drawn) ones it leaves to libyaml or that libyaml rejects.
_READ = [
    "hello", "Hello world", "2024-01-02", "2022-02-30", "2024-01-02 10:00:00", "yes", "No", "on", "~", "null", "12",
    "0x1F", "1_000", "1.5", ".inf", ".NaN", "-3", "+4", "010", "0b11", "1:30", "'it''s'", "''", '"q"', '""', "[a, b]",
    "[]", "[ 1 , 'x' ]", '["a, b", c]', "a # c", "a#b", "http://x.y/z#f", "é ü", "\u00a0x", "-x", "x 'y'", '"x" # c',
    "[x] # c",
]
_ODD = [
    '"a\\"b"', "[a,]", "[a", "{a: 1}", "a: b", "x:", "&a v", "*a", "!!str 3", "|", ">-", "'open", "-", "?x", ":x", "%x",
    "@x", "`x`", "=", "'x' y", "[x]y", "a\tb", "t\u2028u", "x\x85y", "0x_", "[-0b_]",
]
_SCALARS = _READ * 6 + _ODD


@st.composite
def _documents(draw: st.DrawFn) -> str:
    lines: list[str] = []

    def pad() -> str:
        return " " * draw(st.sampled_from([1, 1, 1, 2, 3]))

    def mapping(indent: int, depth: int, first_prefix: str | None = None) -> None:
        for i in range(draw(st.integers(1, 3))):
            prefix = first_prefix if (i == 0 and first_prefix is not None) else " " * indent
            key = draw(st.sampled_from(_KEYS))
            shape = draw(st.sampled_from(["scalar"] * 4 + ["null", "map", "seq", "seq0"] if depth < 3 else ["scalar", "null"]))
            if shape == "scalar":
                lines.append(f"{prefix}{key}:{pad()}{draw(st.sampled_from(_SCALARS))}")
            else:
                lines.append(f"{prefix}{key}:" + draw(st.sampled_from(["", "", " # c"])))
                if shape == "map":
                    mapping(indent + draw(st.sampled_from([2, 4])), depth + 1)
                elif shape in ("seq", "seq0"):
                    sequence(indent + (0 if shape == "seq0" else 2), depth + 1)
            if draw(st.integers(0, 6)) == 0:
                lines.append(draw(st.sampled_from(["", "# comment", "   # indented comment", "  "])))

    def sequence(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            dash = " " * indent + "-" + pad()
            if depth < 3 and draw(st.booleans()):
                mapping(len(dash), depth + 1, first_prefix=dash)
            else:
                lines.append(dash + draw(st.sampled_from(_SCALARS)))

    mapping(0, 0)
    # Now and then a line moved left or right: libyaml may reject it, or read it otherwise.
    if draw(st.integers(0, 3)) == 0:
        k = draw(st.integers(0, len(lines) - 1))
        lines[k] = draw(st.sampled_from(["", " ", "  ", "-", "- "])) + lines[k].lstrip(" ") if draw(st.booleans()) else lines[k][1:]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=400, deadline=None)
@given(_documents())
def test_generated_front_matters(raw: str) -> None:
    _agrees(raw)


def test_generated_front_matters_are_mostly_read() -> None:
    # The generator above is only a test if the parser reads much of what it makes.
    from hypothesis import find

    find(
        _documents(), lambda raw: raw.count("\n") > 8 and yamlsimple.load_py(raw) is not None,
        settings=settings(database=None, derandomize=True, max_examples=2000),
    )
