"""The C scans (postlint/_textscan.c) against their Python references, which are the specification."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postlint.document import Block, load_document, parse_text
from postlint.extract import dates, enumerations
from postlint.extract.enumerations import (
    Outline,
    _label_blocks_py,
    _label_start,
    _openers,
    _plurals_by_stem,
)

textscan = pytest.importorskip("postlint._textscan", reason="the C scans are not built (no compiler at install)")

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures").rglob("*.md"))
NOUNS = ["country", "person", "analysis", "box", "step", "feature", "io", "use", "kelvin", "içerik"]
STEM_SETS = [(), _plurals_by_stem(frozenset(NOUNS)), _plurals_by_stem(frozenset(["step"])), _plurals_by_stem(frozenset(["use", "io"]))]


def _docs() -> list:
    assert FIXTURES
    return [load_document(p) for p in FIXTURES]


def test_dated_blocks_of_every_fixture() -> None:
    total = 0
    for doc in _docs():
        got = textscan.dated_blocks(doc.blocks, dates._MONTH_DAY_WORDS)
        assert got == dates._dated_blocks_py(doc.blocks), doc.path
        total += len(got)
    assert total > 20


def test_comparable_blocks_of_every_fixture() -> None:
    total = 0
    for doc in _docs():
        own = Outline(doc)._by_stem
        for stems in (*STEM_SETS, own):
            got = textscan.comparable_blocks(doc.blocks, stems)
            assert got == enumerations._comparable_blocks_py(doc.blocks, stems), (doc.path, stems)
            total += len(got)
    assert total > 50


def test_a_loose_items_first_paragraph_is_read_once() -> None:
    doc = parse_text(Path("p.md"), "p.md", "Two intros:\n\n- Three steps:\n\n  more\n- b\n")
    kinds = [b.kind for b in textscan.comparable_blocks(doc.blocks, ())]
    assert kinds == ["paragraph", "item"]  # "Three steps:" as the item, not again as its paragraph
    assert textscan.comparable_blocks(doc.blocks, ()) == enumerations._comparable_blocks_py(doc.blocks, ())


_TEXT_PIECES = st.sampled_from(
    ["steps", "STEPS", "Step", "countries", "COUNTR", "people", "analyses", "boxes", "ios", "uses", "İ", "\u212a",
     "kelvins", "içerikler", "IÇERIKLER", ":", ": ", ":\n", ":\u00a0", "1)", "a)", "(1)", "(a)", "b)", "(", ")", "1", "a",
     " ", "\t", "\n", "\u2003", "x", "é", "-"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_TEXT_PIECES, max_size=10).map("".join), st.sampled_from(STEM_SETS))
def test_may_compare_answers_as_the_reference(text: str, stems: tuple) -> None:
    assert textscan.may_compare(stems, text) == enumerations.may_compare_re(stems, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["paragraph", "item", "code", "html", "heading"]), st.lists(_TEXT_PIECES, max_size=6).map("".join)), max_size=8))
def test_block_scans_answer_as_the_references(specs: list) -> None:
    blocks = []
    for i, (kind, text) in enumerate(specs):
        b = Block(i, kind, 0, 0, None, parent=i - 1 if kind == "paragraph" and i and specs[i - 1][0] == "item" else None)
        b.text = text
        blocks.append(b)
    for b in blocks:  # a loose item's first paragraph: its item holds the very same text object
        if b.parent is not None and b.index % 2:
            blocks[b.parent].text = b.text
    for stems in STEM_SETS:
        assert textscan.comparable_blocks(blocks, stems) == enumerations._comparable_blocks_py(blocks, stems)
    assert textscan.dated_blocks(blocks, dates._MONTH_DAY_WORDS) == dates._dated_blocks_py(blocks)


def test_wrong_arguments_raise_never_crash() -> None:
    ok = Block(0, "paragraph", 0, 0, None)
    ok.text = "x"
    bad_text = Block(0, "paragraph", 0, 0, None)
    bad_text.text = None  # type: ignore[assignment]
    orphan = Block(0, "paragraph", 0, 0, None, parent=5)
    calls = [
        lambda: textscan.may_compare((), b"x"),
        lambda: textscan.may_compare([("a", ("ab",))], "x"),
        lambda: textscan.may_compare((("é", "és"),), "x"),
        lambda: textscan.may_compare((("a", ["ab"]),), "x"),
        lambda: textscan.comparable_blocks((ok,), ()),
        lambda: textscan.comparable_blocks([ok, bad_text], ()),
        lambda: textscan.comparable_blocks([object()], ()),
        lambda: textscan.dated_blocks([ok], ["June"]),
        lambda: textscan.dated_blocks([ok]),
    ]
    for call in calls:
        with pytest.raises((TypeError, AttributeError)):
            call()
    with pytest.raises(IndexError):
        textscan.comparable_blocks([orphan], ())


def test_blocks_of_other_classes_are_read_through_their_attributes() -> None:
    # Block's own slots are read directly; a subclass, a look-alike or an unset slot is asked.
    class Shouting(Block):
        __slots__ = ()

        @property  # type: ignore[misc]
        def text(self) -> str:
            return "Five STEPS:"

        @text.setter
        def text(self, value: str) -> None:
            Block.text.__set__(self, value)  # the slot holds "": reading it would miss the claim

    class LookAlike:
        def __init__(self, kind: str, text: str) -> None:
            self.kind, self.text, self.parent = kind, text, None

    plain = Block(0, "paragraph", 0, 0, None)
    plain.text = "Nothing here."
    loud = Shouting(1, "paragraph", 0, 0, None)
    alike = LookAlike("item", "Since 1999:")
    blocks: list = [plain, loud, alike]
    assert textscan.comparable_blocks(blocks, ()) == [loud, alike] == enumerations._comparable_blocks_py(blocks, ())
    assert textscan.dated_blocks(blocks, dates._MONTH_DAY_WORDS) == [alike] == dates._dated_blocks_py(blocks)
    unset = Block(2, "paragraph", 0, 0, None)
    del unset.text
    with pytest.raises(AttributeError):
        textscan.comparable_blocks([plain, unset], ())


@pytest.mark.parametrize("size", [0, 1023, 1024, 1025, 5000])
def test_may_compare_on_long_texts(size: int) -> None:
    stems = _plurals_by_stem(frozenset(["step", "country"]))
    for text in ("x" * size + " Five STEPS", "x" * size + " Five Step", "Countries " + "y" * size, "y" * size + "é steps"):
        assert textscan.may_compare(stems, text) == enumerations.may_compare_re(stems, text), (size, text[-12:])


# --------------------------------------------------------------------------- may_hold_date in C

_MAY_HOLD_CASES = [
    "", "no digit", "in 1999", "v1.2.3", "2020", "2199", "2210", "1٩٥0s", "٢٠٢٠", "12 34", "June 5", "June  5",
    "June   5", "JUNE 5", "june 5", "Sept. 30", "Sept.\t3", "Bojan 5", "BOJAN 5", "xMay 5", "May\u00a05", "May\u2003 5",
    " 5", "5", "a 5", ". 5", "Jan.5", "Mar 3x", "1 999", "1\n999", "21", "201", "2015", "9999", "Dec 1", "Dec\n\n1",
    "#17407", "20190", "2019٣", "12019", "2019a", "1999.5", "20190 and 2019", "201٩٥", "June 20190",
]


def _may_hold_reference(text: str) -> bool:
    return dates._may_hold_date_re(text)


def _c_may_hold() -> object:
    return lambda text: textscan.may_hold_date(dates._MONTH_DAY_WORDS, text)


@pytest.mark.parametrize("text", _MAY_HOLD_CASES)
def test_may_hold_date_in_c_answers_as_the_regular_expression(text: str) -> None:
    assert _c_may_hold()(text) == _may_hold_reference(text)


def test_may_hold_date_in_c_on_every_fixture_block() -> None:
    in_c = _c_may_hold()
    fixtures = sorted((Path(__file__).parent.parent / "fixtures").rglob("*.md"))
    texts = [b.text for path in fixtures for b in load_document(path).blocks]  # every block, code too
    assert len(texts) > 200
    assert [in_c(t) for t in texts] == [_may_hold_reference(t) for t in texts]
    assert any(in_c(t) for t in texts) and not all(in_c(t) for t in texts)


def test_may_hold_date_in_c_refuses_wrong_arguments() -> None:
    for args in [(), ("June 5",), (dates._MONTH_DAY_WORDS, b"June 5"), (["June"], "June 5"), (("June", 3), "June 5")]:
        with pytest.raises(TypeError):
            textscan.may_hold_date(*args)


_SCAN_PIECES = st.sampled_from(
    ["May", "MAY", "may", "June", "Sept.", "SEPT", "Dec", "Jan.", "x", "A", ".", " ", "  ", "\t", "\n", "\u00a0",
     "\u2003", "\u3000", "0", "1", "2", "3", "9", "19", "20", "21", "22", "٩", "٢", "５", "-", ",", "é", "ß", "𝟗"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_SCAN_PIECES, max_size=12).map("".join))
def test_may_hold_date_in_c_answers_as_the_regular_expression_on_generated_text(text: str) -> None:
    assert _c_may_hold()(text) == _may_hold_reference(text)


# --------------------------------------------------------------------------- labels (numbered series)

_LABEL_NOUNS = [("step", "Stage", "part", "partition", "s", "c++", "étape", "ßeta", "İtem", ""), ("figure", "fig", "table"), ()]
_LABEL_PIECES = st.sampled_from(
    ["Step", "step", "STEP", "Steps", "Stage", "part", "Partition", "S", "s", "C++", "Étape", "SSeta", "ßeta", "İtem",
     "i̇tem", "Figure", "fig", "Table", " ", "\t", "\n", "\u2003", "▲", "*", "_", ".", "1", "Two", ":", "x", ""]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_LABEL_PIECES, max_size=6).map("".join), st.sampled_from(_LABEL_NOUNS), st.sampled_from(["", "\n ▲*_"]))
def test_may_open_with_label_answers_as_the_regular_expression(text: str, nouns: tuple, marks: str) -> None:
    openers = _openers(nouns)
    assert textscan.may_open_with_label(openers, marks, text) == bool(_label_start(openers, marks)(text))


def test_label_blocks_of_every_fixture() -> None:
    from postlint.rules.counts import CountOptions

    opts = CountOptions()
    series, captions = _openers(tuple(opts.series_nouns)), _openers(tuple(opts.caption_nouns))
    total = 0
    for doc in _docs():
        for s_, c_ in ((series, captions), ((), ()), (_openers(("step",)), ())):
            got = textscan.label_blocks(doc.blocks, s_, c_, "\n ▲*_")
            assert got == _label_blocks_py(doc.blocks, s_, c_, "\n ▲*_"), doc.path
            total += sum(1 for b in got if b.kind != "heading")
    assert total > 5


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["paragraph", "item", "code", "heading", "table_row"]), st.lists(_LABEL_PIECES, max_size=4).map("".join)), max_size=8))
def test_label_blocks_answers_as_the_reference(specs: list) -> None:
    blocks = []
    for i, (kind, text) in enumerate(specs):
        b = Block(i, kind, 0, 0, None)
        b.text = text
        blocks.append(b)
    for nouns in _LABEL_NOUNS:
        openers = _openers(nouns)
        got = textscan.label_blocks(blocks, openers, _openers(("figure",)), "\n ▲*_")
        assert got == _label_blocks_py(blocks, openers, _openers(("figure",)), "\n ▲*_")


def test_label_scans_refuse_wrong_arguments() -> None:
    for call in (
        lambda: textscan.may_open_with_label([("sS", "tep")], "", "Step 1"),
        lambda: textscan.may_open_with_label((("sS", 1),), "", "Step 1"),
        lambda: textscan.may_open_with_label((), "", b"x"),
        lambda: textscan.label_blocks((), (), (), ""),
        lambda: textscan.label_blocks([], (), (), None),
        lambda: textscan.label_blocks([object()], (), (), ""),
    ):
        with pytest.raises((TypeError, AttributeError)):
            call()


# --------------------------------------------------------------------------- cardinals (count claims)

_CARDINAL_PIECES = st.sampled_from(
    ["two", "Three", "TEN", "often", "twelve", "Thirty", "thirteen", "twenty", "four", "fourteen", "five", "fifty", "forty",
     "six", "Sixty", "seven", "eight", "eleven", "nine", "Dozen", "dozens", "a", "x", "_", "-", " ", "\n", "1", "٣", "42",
     "3.5", "$3", "ſix", "é", "tw", "o", "e", "n", "s", "steps", "items", ":", "(", ")"]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_CARDINAL_PIECES, max_size=8).map("".join))
def test_may_hold_cardinal_in_c_answers_as_the_reference_and_misses_no_cardinal(text: str) -> None:
    from postlint.extract import counts

    assert textscan.may_hold_cardinal(text) == counts.may_hold_cardinal(text)
    if counts._cardinals(text):
        assert counts.may_hold_cardinal(text), text


# --------------------------------------------------------------------------- full date candidates

_HINT_PIECES = st.sampled_from(
    ["the", "The", "bathe", "spring", "Spring", "summer", "fall", "autumn", "winter", "early", "Early", "mid", "Mid",
     "late", "LATE", "1", "2", "3", "1980s", "2020", " ", "  ", "\t", "\n", "\u2003", "-", "–", "٣", "x", "é", "s"]
)


@settings(max_examples=4000, deadline=None)
@given(st.lists(_HINT_PIECES, max_size=8).map("".join))
def test_needs_full_candidates_in_c_answers_as_the_regular_expressions(text: str) -> None:
    assert textscan.needs_full_candidates(text) == dates._needs_full_candidates_re(text)


def test_needs_full_candidates_on_every_fixture_block() -> None:
    texts = [b.text for doc in _docs() for b in doc.blocks]
    assert [textscan.needs_full_candidates(t) for t in texts] == [dates._needs_full_candidates_re(t) for t in texts]
    assert any(textscan.needs_full_candidates(t) for t in texts)
    with pytest.raises(TypeError):
        textscan.needs_full_candidates(b"the 1980s")
    with pytest.raises(TypeError):
        textscan.may_hold_cardinal(b"three")
