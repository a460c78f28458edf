"""The Document: front-matter positions, Markdown blocks and file positions, loading bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postlint.document import FileTooLarge, load_document, read_capped
from tests.conftest import EXAMPLE_POST, write


def test_example_post_positions() -> None:
    doc = load_document(EXAMPLE_POST)
    fm = doc.front_matter
    assert fm is not None and fm.format == "yaml"
    assert fm.line_of(("layout",)) == (2, 1)
    assert fm.line_of(("date",)) == (5, 1)
    # Jekyll's date format is a string to YAML 1.1, not a timestamp: kept as the loader gives it.
    assert fm.data["date"] == "2022-06-29 12:00:00 +0800"
    first = doc.images[0]
    assert (first.line, first.column, first.src) == (20, 1, "https://i.imgur.com/gXFpS7A.png")
    block = doc.blocks[first.block]
    i = block.text.index("October 1949")
    assert doc.position(block.offset_of(i)) == (21, 5)
    assert len(doc.images) == 15


def test_blocks_kinds_and_text(tmp_path: Path) -> None:
    p = write(
        tmp_path / "p.md",
        "---\ntitle: T\n---\n# Heading *one*\n\n- item `code` one\n  continued\n- two\n\n"
        "1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\n![x](in-code.png)\n```\n",
    )
    doc = load_document(p)
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["heading", "item", "item", "item", "item", "table_head", "table_row", "code"]
    heading = doc.blocks[0]
    assert (heading.line, heading.level, heading.text) == (4, 1, "Heading one")
    item = doc.blocks[1]
    assert item.text == "item   one\ncontinued"
    assert doc.blocks[3].ordered and doc.blocks[3].number == 1 and doc.blocks[4].number == 2
    assert doc.blocks[1].list_id != doc.blocks[3].list_id
    assert doc.blocks[6].cells == ["1", "2"]
    assert doc.images == []  # nothing inside code blocks is an image


def test_loose_item_text_is_its_first_paragraph(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "- one\n\n  more\n\n- two\n"))
    items = [b for b in doc.blocks if b.kind == "item"]
    assert [i.text for i in items] == ["one", "two"]


def test_non_ascii_offsets_map_to_characters(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "---\nt: é\n---\n“Quoted” — ünïcode ![a](x.png) 2019\n"))
    img = doc.images[0]
    assert (img.line, img.column) == (4, 20)
    b = doc.blocks[0]
    assert doc.position(b.offset_of(b.text.index("2019"))) == (4, 32)


def test_crlf_positions(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", b"---\r\ntitle: a\r\ndate: 2020-01-01\r\n---\r\n\r\n![x](y.png)\r\n"))
    assert doc.front_matter.line_of(("date",)) == (3, 1)
    assert doc.front_matter.data["date"] == dt.date(2020, 1, 1)
    assert (doc.images[0].line, doc.images[0].column) == (6, 1)


def test_bom_is_dropped(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "\ufeff---\ntitle: a\n---\nText\n".encode()))
    assert doc.front_matter.data == {"title": "a"}
    assert doc.blocks[0].line == 4


@pytest.mark.parametrize(
    ("text", "fmt", "data"),
    [
        ("+++\ntitle = 'a'\n[params]\nx = 1\n+++\nbody\n", "toml", {"title": "a", "params": {"x": 1}}),
        ('{\n  "title": "a"\n}\nbody\n', "json", {"title": "a"}),
        ('<!--{\n  "Title": "a"\n}-->\nbody\n', "json", {"Title": "a"}),
        ("---\n---\nbody\n", "yaml", {}),
    ],
)
def test_front_matter_formats(tmp_path: Path, text: str, fmt: str, data: dict) -> None:
    doc = load_document(write(tmp_path / "p.md", text))
    assert doc.front_matter.format == fmt
    assert doc.front_matter.data == data
    assert doc.front_matter.error is None
    assert doc.blocks[-1].text == "body"


def test_toml_and_json_key_positions(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "+++\ntitle = 'a'\n[params]\nx = 1\n+++\n"))
    assert doc.front_matter.line_of(("params", "x")) == (4, 1)
    doc = load_document(write(tmp_path / "q.md", '{\n  "title": "a",\n  "tags": ["x"]\n}\n'))
    assert doc.front_matter.line_of(("tags",)) == (3, 3)


def test_invalid_timestamp_kept_as_string(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "---\ntitle: a\ndate: 2022-02-30\n---\n"))
    assert doc.front_matter.error is None
    assert doc.front_matter.data["date"] == "2022-02-30"
    assert doc.front_matter.line_of(("date",)) == (3, 1)


def test_list_item_positions_and_duplicates(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "---\ntags:\n  - a\n  - b\ntitle: x\ntitle: y\n---\n"))
    fm = doc.front_matter
    assert fm.line_of(("tags", 1)) == (4, 5)
    assert fm.line_of(("tags", 7)) == (2, 1)  # falls back to the nearest ancestor
    assert [(d.path, d.line, d.first_line) for d in fm.duplicates] == [(("title",), 6, 5)]


def test_alias_bomb_is_not_expanded(tmp_path: Path) -> None:
    lines = ["---", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{','.join(['*' + prev] * 10)}]")
    lines.append("---")
    doc = load_document(write(tmp_path / "p.md", "\n".join(lines) + "\n"))
    assert doc.front_matter.too_large is not None
    assert doc.front_matter.data is None


def test_not_utf8_position(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", b"ok line\nab\xe9cd\n"))
    assert not doc.parsed
    [r] = doc.problems["PL001"]
    assert (r.line, r.column) == (2, 3)


def test_over_size_cap(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "x" * 100), max_size=10)
    assert "PL002" in doc.problems and not doc.parsed


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\ntitle: [unclosed\n---\n", 2),
        ("---\ntitle: a\nbody without end\n", 1),
        ("---\n- a\n- b\n---\n", 2),
        ("---\njust a string\n---\n", 2),
        ("+++\ntitle = \n+++\n", 2),
        ('{\n  "title": \n}\n', 3),
    ],
)
def test_front_matter_errors(tmp_path: Path, text: str, line: int) -> None:
    doc = load_document(write(tmp_path / "p.md", text))
    assert doc.front_matter.error is not None
    assert doc.front_matter.error.line == line


def test_deep_nesting_does_not_crash(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "p.md", "---\nx: " + "[" * 10000 + "]" * 10000 + "\n---\n" + "> " * 3000 + "deep\n"))
    assert doc.front_matter.error is not None or doc.problems or doc.front_matter.data is not None


_YAML_CASES = [
    "title: Hello\ndate: 2024-01-05\ndraft: false\nweight: 0x1F\nratio: .inf\nnothing: ~\n",
    "tags: [a, b, 1, 2.5, null]\nnested:\n  deep:\n    - {x: 1}\n    - [y, z]\n",
    "1: int key\ntrue: bool key\n~: null key\n2024-01-05: date key\n",
    "dup: 1\ndup: 2\n",
    "when: 2022-02-30\n",  # kept as its string
    "base: &b {a: 1}\nmerged:\n  <<: *b\n  c: 2\n",  # anchors: PyYAML itself
    "merged:\n  <<: {a: 1}\n  c: 2\n",  # a merge key without anchors
    "s: !!set {a, b}\no: !!omap [{a: 1}]\np: !!pairs [{a: 1}]\n",
    "blob: !!binary aGk=\n",
    "eq: =\n",
    "= : value key\n",
    "[a, b]: complex key\n",
    "x: !custom 1\n",
    "octal: 017\nsexagesimal: 1:30\nunderscore: 1_000\n",
]


@pytest.mark.parametrize(
    "value",
    ["2024-05-31", "1999-12-31", "9999-12-31", "2022-02-30", "0000-01-01", "2024-13-01", "2024-00-10", "2024-01-00",
     "2024-05-31 10:00:00", "2024-05-31T10:00:00Z", "2024-05-31t10:00:00.5-07:00", "2024-5-31", "2024-05-31 "],
)
def test_timestamps_load_as_pyyaml_loads_them(value: str) -> None:
    # A plain day is built directly; anything else, and the days that do not exist, as before.
    import yaml

    from postlint.yamlfm import _Loader

    class Reference(yaml.CSafeLoader):
        pass

    def pyyaml(loader: Reference, node: yaml.Node) -> object:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    Reference.add_constructor("tag:yaml.org,2002:timestamp", pyyaml)
    got, expected = yaml.load(f"d: {value}\n", Loader=_Loader)["d"], yaml.load(f"d: {value}\n", Loader=Reference)["d"]
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("raw", _YAML_CASES)
def test_direct_yaml_construction_matches_pyyaml(raw: str) -> None:
    import yaml

    from postlint.yamlfm import _construct, _Loader

    def standard() -> object:
        loader = _Loader(raw)
        return loader.construct_document(loader.get_single_node())

    def direct() -> object:
        loader = _Loader(raw)
        return _construct(loader, loader.get_single_node())[0]

    try:
        expected = standard()
    except yaml.YAMLError as exc:
        with pytest.raises(type(exc)) as got:
            direct()
        assert str(got.value) == str(exc)
        return
    got = direct()
    assert got == expected
    assert repr(got) == repr(expected)  # the same types, not just equal values


_POSITION_CASES = [  # (front-matter, whether answering needs the full walk)
    ("title: A\ndate: 2024-01-05\ntags: [a, b]\n", False),
    ("title: A\ntitle: B\n", True),  # a repeated key: the last one is where the value comes from
    ("nested:\n  a: 1\n  a: 2\nother: x\n", True),
    ("'1': quoted\n1: plain\n", True),  # spelled the same: reported as repeated, though loaders keep both
    ("base: &b {a: 1}\nmerged:\n  <<: *b\n  date: 2\n", True),  # anchors
    ("'<<': 1\n'<<': 2\n", True),
    ("date:\n  - 2024-01-05\n", False),
]


@pytest.mark.parametrize(("raw", "walks"), _POSITION_CASES)
def test_front_matter_positions_without_a_walk_match_the_walk(tmp_path: Path, raw: str, walks: bool) -> None:
    """Duplicates and top-level positions read off the loaded tree equal those of the full walk."""
    path = write(tmp_path / "post.md", f"---\n{raw}---\nBody.\n")
    quick, walked = load_document(path).front_matter, load_document(path).front_matter
    assert quick is not None and walked is not None
    walked._walk()
    assert quick.duplicates == walked.duplicates
    for key in ["title", "date", "nested", "other", "1", "<<", "base", "merged", "missing"]:
        assert quick.line_of((key,)) == walked.line_of((key,)), key
        assert quick.value_line_of((key,)) == walked.value_line_of((key,)), key
    assert (quick._node is None) == walks


@pytest.mark.parametrize(
    ("text", "raw", "body_line"),
    [
        ("---\na: 1\n--- \t\r\nBody.\n", "a: 1\n", 4),  # spaces, tabs and a CR after the fence
        ("---\na: 1\n---\r \nb: 2\n---\nBody.\n", "a: 1\n---\r \nb: 2\n", 6),  # a CR before a space: not a fence
        ("---\na: 1\n ---\n----\n...\nBody.\n", "a: 1\n ---\n----\n", 6),  # indented, too long; "..." closes YAML
        ("---\na: 1\n---", "a: 1\n", 4),  # the closing fence is the last line
        ("+++\na = 1\n---\n+++\r\nBody.\n", "a = 1\n---\n", 5),
    ],
)
def test_closing_fence(tmp_path: Path, text: str, raw: str, body_line: int) -> None:
    doc = load_document(write(tmp_path / "post.md", text))
    assert doc.front_matter is not None  # (the YAML or TOML inside may not parse: the split is tested)
    assert doc.front_matter.raw == raw
    assert doc.body_line == body_line
    assert doc.text[doc.body_start :] == ("Body.\n" if text.endswith("Body.\n") else "")


def test_line_starts_are_computed_when_first_asked(tmp_path: Path) -> None:
    doc = load_document(write(tmp_path / "post.md", "---\ntitle: T\n---\nOne.\n\nTwo `code` é.\n"))
    assert doc._lines._starts is None  # loading a post with no image asks no position
    assert doc.blocks[1].line == 6 and doc.blocks[1].column == 1
    assert doc.line_starts == [0, 4, 13, 17, 22, 23, 37]
    assert doc.position(len(doc.text) - 2) == (6, 13)  # the full stop after é


def test_non_ascii_offsets_across_long_ascii_stretches(tmp_path: Path) -> None:
    # Multi-byte characters (2, 3 and 4 bytes) on both sides of long ASCII runs.
    line = "a" * 700 + "é" + "b" * 1030 + "€😀" + "c" * 600
    doc = load_document(write(tmp_path / "post.md", f"{line}\n\n{line} ![x](i.png)\n"))
    (img,) = doc.images
    assert (img.line, img.column) == (3, len(line) + 2)
    assert doc.text[img.offset : img.offset + 4] == "![x]"


# --------------------------------------------------------------------------- the block walk in C

_WALK_CASES = [
    "# Heading {#id .cls}\n\nPara with *em*, **strong**, ~~gone~~, `code` and [a link](u) [two](v).\n",
    "- a\n- b\n  - nested\n\n    1. deep\n\n7. seven\n8. eight\n\n- loose\n\n  second para\n",
    "| a | b | c |\n|---|:-:|--:|\n|  | x | `y` |\n| **1** |  | ![i](t.png) |\n",
    "![alt *with* `code`](a.png \"title\") ![ref][r] ![](empty.png)\n\n[r]: b.png\n",
    "<div>\nblock html\n</div>\n\ninline <span>html</span> and a break<br/>here <BR > too\n",
    "> quoted\n> > deeper with ![q](q.png)\n\n```py\nfenced = 1\n```\n\n    indented code\n",
    "Note[^1].\n\n[^1]: The footnote, with ![f](f.png) and 2019.\n",
    "Entities &amp; &#x2014; escapes \\* and “curly” ünïcode — 2024-02-30\nsoft\nbreak  \nhard\n",
    "---\ntitle: T\n---\n\n***\n\n- [ ] task\n- [x] done\n\n<!-- comment -->\n",
    "![outer ![inner](i.png)](o.png) [![linked](l.png)](x)\n",
]


def _walk_snapshot(doc) -> tuple:  # type: ignore[no-untyped-def]
    blocks = [
        (b.index, b.kind, b.parent, b.level, b.list_id, b.ordered, b.number, b.depth, b.info, b.text, b.cells, b.images,
         b.links, b._bstart, b._bend, b._parts, b._ranges, b._segs, b._pos, type(b._map))
        for b in doc.blocks
    ]
    images = [(i.src, i.alt, i.line, i.column, i.offset, i.origin, i.title, i.block) for i in doc.images]
    html = [(h.text, h.offset, h.block) for h in doc.html]
    return blocks, images, html, doc._code_ranges, {k: [r.message for r in v] for k, v in doc.problems.items()}


def _both_walks(monkeypatch: pytest.MonkeyPatch, path: Path, data: bytes) -> tuple[tuple, tuple]:
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    import postlint.document as document

    monkeypatch.setattr(document, "_scan", blocks_c.scan)
    in_c = _walk_snapshot(load_document(path, data=data))
    monkeypatch.setattr(document, "_scan", document._scan_events)
    monkeypatch.setattr(document, "_byte_offsets", document._byte_offsets_py)
    monkeypatch.setattr(document, "_finish_blocks", document._finish_blocks_py)
    in_python = _walk_snapshot(load_document(path, data=data))
    return in_c, in_python


@pytest.mark.parametrize("text", _WALK_CASES)
def test_c_walk_equals_python_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    in_c, in_python = _both_walks(monkeypatch, tmp_path / "p.md", text.encode())
    assert in_c == in_python
    assert in_c[0]  # the case has blocks: the comparison compared something


def test_c_walk_equals_python_walk_on_every_fixture(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import FIXTURES

    posts = sorted(FIXTURES.rglob("*.md"))
    assert len(posts) > 40
    for post in posts:
        in_c, in_python = _both_walks(monkeypatch, post, post.read_bytes())
        assert in_c == in_python, post


_md_piece = st.sampled_from(
    ["# ", "## ", "- ", "1. ", "3) ", "> ", "    ", "```\n", "| a | b |\n|---|---|\n| ", "*", "**", "~~", "`", "[", "](u)",
     "![", "](i.png)", "<br>", "<b>", "</b>", "<div>\n", "&amp;", "\\*", "[^1]", "\n[^1]: ", "\n", "\n\n", "  ", " | ",
     "word", "2019", "é", "—", "\t"]
)


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(_md_piece, max_size=40).map("".join))
def test_c_walk_equals_python_walk_on_generated_markdown(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as monkeypatch:
        in_c, in_python = _both_walks(monkeypatch, tmp_path_factory.mktemp("walk") / "p.md", text.encode())
    assert in_c == in_python


@pytest.mark.parametrize(
    "events",
    [
        [({}, {"start": 0, "end": 1})],  # an event with no key
        [({"Start": "Paragraph"}, {"start": 0})],  # a range without its end
        [({"End": "Paragraph"}, {"start": 0, "end": 1})],  # a block closed that never opened
        [({"Start": {"Heading": {"level": "H"}}}, {"start": 0, "end": 1})],  # a heading without its level
        [("not a pair",)],
        [("SoftBreak", (0, 1))],  # a range that is not a mapping
    ],
)
def test_c_walk_raises_on_malformed_events(events: list) -> None:
    """Events pyromark never hands out raise a Python exception (a PL005 finding), never crash."""
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    import postlint.document as document

    out: list = [[], [], [], []]
    with pytest.raises((TypeError, ValueError, KeyError, IndexError)):
        blocks_c.scan(iter(events), lambda b: b, lambda o: (1, o + 1), *out, document.Block, document.Image, document.Html, str)


def test_read_capped_reads_whole_files_and_refuses_past_the_cap(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_bytes(b"x" * 1000)
    assert read_capped(post, 1000) == b"x" * 1000
    with pytest.raises(FileTooLarge) as exc:
        read_capped(post, 999)
    assert exc.value.size == 1000
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert read_capped(empty, 10) == b""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_read_capped_reads_past_a_size_that_says_zero() -> None:
    # A file whose stat size is 0 but which has content: read to its end, still capped.
    data = read_capped("/proc/self/status", 1 << 20)
    assert data.startswith(b"Name:") and data.endswith(b"\n")
    with pytest.raises(FileTooLarge):
        read_capped("/proc/self/status", 10)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "é", "ÿ", "Ā", "—", "\u0800", "日", "\uffff", "\U0001f600", "\U0010ffff"]), max_size=40))
def test_byte_offsets_in_c_are_the_reference(text: str) -> None:
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    from postlint.document import _byte_offsets_py

    assert blocks_c.byte_offsets(text) == _byte_offsets_py(text)
    bytes_at, extra = _byte_offsets_py(text)
    assert len(bytes_at) == sum(1 for c in text if c > "\x7f") and (not extra or extra[-1] == len(text.encode()) - len(text))


def test_blocks_of_a_kind_in_c_are_the_reference() -> None:
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    from types import SimpleNamespace

    from postlint.document import _of_kind_py
    from tests.conftest import FIXTURES

    found = 0
    for post in sorted(FIXTURES.rglob("*.md")):
        blocks = load_document(post).blocks
        for kind in ("heading", "item", "code", "nothing"):
            assert blocks_c.of_kind(blocks, kind) == _of_kind_py(blocks, kind), (post, kind)
        found += len(blocks_c.of_kind(blocks, "heading"))
    assert found > 30
    odd = [SimpleNamespace(kind="heading"), SimpleNamespace(kind="item")]
    assert blocks_c.of_kind(odd, "heading") == [odd[0]]
    with pytest.raises(AttributeError):
        blocks_c.of_kind([object()], "heading")
    with pytest.raises(TypeError):
        blocks_c.of_kind((), "heading")


def test_byte_offsets_of_every_fixture_and_long_runs() -> None:
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    from postlint.document import _byte_offsets_py

    texts = [p.read_text("utf-8", "replace") for p in sorted((Path(__file__).parent / "fixtures").rglob("*.md"))]
    texts += ["x" * n + c + "y" * m for n in range(10) for m in range(3) for c in ("é", "—", "\U0001f600")]
    for text in texts:
        assert blocks_c.byte_offsets(text) == _byte_offsets_py(text)
    with pytest.raises(TypeError):
        blocks_c.byte_offsets(b"x")


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "t", "True", "no", "~", "null", "1", "0x1F", "-", ".", "5e3", ".inf", "<<", "=", "2024-05-31", " ", ":", "!", "&", "*", "é", "Y"]), max_size=4).map("".join),
    st.booleans(),
    st.booleans(),
)
def test_fast_yaml_resolution_types_every_scalar_as_pyyaml(value: str, plain: bool, quoted: bool) -> None:
    import yaml

    from postlint import yamlfm

    loader = yamlfm._Loader("")
    base = yamlfm._BaseLoader.resolve
    for kind in (yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode):
        assert loader.resolve(kind, value, (plain, quoted)) == base(loader, kind, value, (plain, quoted))
    loader.dispose()


def test_finish_blocks_in_c_refuses_malformed_blocks() -> None:
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    from postlint.document import Block

    item = Block(0, "item", 0, 0, None)
    item.text = None  # type: ignore[assignment]
    odd = Block(0, "paragraph", 0, 0, None)
    odd.kind = 3  # type: ignore[assignment]
    for bad in ((), [item], [odd], [object()]):
        with pytest.raises((TypeError, AttributeError)):
            blocks_c.finish_blocks(bad)
    code = Block(0, "code", 0, 0, None)
    assert blocks_c.finish_blocks([code]) == [code]


def test_a_blocks_images_and_cells_start_empty_and_become_lists() -> None:
    doc = load_document(Path("p.md"), data=b"Text.\n\n![a](a.png) and ![b](b.png)\n\n| x | y |\n|---|---|\n| 1 | 2 |\n")
    text, image, head, row = doc.blocks
    assert text.images == () and text.cells == ()
    assert image.images == [0, 1] and head.cells == ["x", "y"] and row.cells == ["1", "2"]


def test_the_c_walk_reads_ranges_and_keys_however_they_are_built() -> None:
    # pyromark interns its keys and builds {"start", "end"} in that order; any other dict is read by key.
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    import pyromark

    import postlint.document as document

    text = "# Title\n\nSome *text* with `code`, a [link](u) and ![i](i.png).\n\n- one\n- two\n\n<b>html</b>\n"

    def walk(events: list) -> tuple:
        out: tuple = ([], [], [], [])
        blocks, images, html, code = out
        blocks_c.scan(events, lambda b: b, lambda o: (1, o + 1), blocks, images, html, code, document.Block, document.Image, document.Html, str)
        return [(b.kind, b.text, b._ranges) for b in blocks], [(i.src, i.offset) for i in images], [(h.text, h.offset) for h in html], code

    events = list(pyromark.events_with_range(text, options=document._markdown_options()))
    rebuilt = [
        ({"".join(k): v for k, v in e.items()} if isinstance(e, dict) else e, {"end": r["end"], "start": r["start"]})
        for e, r in events
    ]
    assert walk(rebuilt) == walk(events)
    assert walk(events)[0][1] == ("paragraph", "Some text with  , a link and .", [9, 14, 15, 19, 20, 26, 26, 32, 32, 36, 37, 41, 45, 50, 61, 62])


def test_the_c_walk_refuses_a_block_whose_images_are_not_a_list() -> None:
    blocks_c = pytest.importorskip("postlint._blocks", reason="the C walk is not built (no compiler at install)")
    import pyromark

    import postlint.document as document

    class Odd(document.Block):
        __slots__ = ()

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.images = (7,)  # type: ignore[assignment]

    events = pyromark.events_with_range("![a](a.png)\n")
    with pytest.raises(TypeError):
        blocks_c.scan(events, lambda b: b, lambda o: (1, o + 1), [], [], [], [], Odd, document.Image, document.Html, str)
