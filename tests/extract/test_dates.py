"""Table tests for the date grammar: every form with its span and value; non-dates stay non-dates."""

from __future__ import annotations

import re
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

import postlint.extract.dates as dates_module
from postlint.document import load_document, parse_text
from postlint.extract.dates import DateValue, find_dates, leading_date, may_hold_date, parse_version, timelines


def _v(value: DateValue | None) -> tuple | None:
    if value is None:
        return None
    if value.precision in ("day", "month"):
        return (value.year, value.month, value.day)
    return (value.year, value.precision, value.first, value.last)


def spans(text: str, order: str | None = None) -> list[tuple]:
    return [(text[d.start : d.end], _v(d.value), _v(d.end_value)) for d in find_dates(text, order)]


FORMS = [
    # (text, date text, start value, end value)
    ("It began in October 1949.", "October 1949", (1949, 10, None), None),
    ("It began in Oct. 1949.", "Oct. 1949", (1949, 10, None), None),
    ("Signed February 14, 1950 in Moscow.", "February 14, 1950", (1950, 2, 14), None),
    ("Signed 14 February 1950 in Moscow.", "14 February 1950", (1950, 2, 14), None),
    ("Signed Feb 14th, 1950 in Moscow.", "Feb 14th, 1950", (1950, 2, 14), None),
    ("Signed 14th of February, 1950.", "14th of February, 1950", (1950, 2, 14), None),
    ("Released 2019-06-05.", "2019-06-05", (2019, 6, 5), None),
    ("Released 2019/06/05.", "2019/06/05", (2019, 6, 5), None),
    ("At 2020-07-11T23:48:00Z it broke.", "2020-07-11", (2020, 7, 11), None),
    ("Founded in 1949, the state", "1949", (1949, "year", None, None), None),
    ("the first visit since 1959.", "1959", (1959, "year", None, None), None),
    ("It lasts into the 1980s.", "the 1980s", (1980, "decade", 1980, 1989), None),
    ("In the mid-1950s, a rift", "the mid-1950s", (1950, "decade", 1953, 1957), None),
    ("Since the early 2000s it grew", "the early 2000s", (2000, "decade", 2000, 2003), None),
    ("Growth in early 2000s markets", "early 2000s", (2000, "decade", 2000, 2003), None),
    ("Born mid-1950s.", "mid-1950s", (1950, "decade", 1953, 1957), None),
    ("Planned for Spring 2020.", "Spring 2020", (2020, "season", 3, 5), None),
    ("Shipped in Q3 2021.", "Q3 2021", (2021, "quarter", 7, 9), None),
    ("Shipped in 2021 Q3.", "2021 Q3", (2021, "quarter", 7, 9), None),
    ("▲ 1960 – 1989. Split.", "1960 – 1989", (1960, "year", None, None), (1989, "year", None, None)),
    ("Leaders (2013-2022)", "2013-2022", (2013, "year", None, None), (2022, "year", None, None)),
    ("May 15, 1989 – May 18, 1989. Summit", "May 15, 1989 – May 18, 1989", (1989, 5, 15), (1989, 5, 18)),
    ("Held May 15–18, 1989.", "May 15–18, 1989", (1989, 5, 15), (1989, 5, 18)),
    ("Held May 15 – June 2, 1989.", "May 15 – June 2, 1989", (1989, 5, 15), (1989, 6, 2)),
    ("Held 15–18 May 1989.", "15–18 May 1989", (1989, 5, 15), (1989, 5, 18)),
    ("Held May–June 1989.", "May–June 1989", (1989, 5, None), (1989, 6, None)),
    ("Held from January to March 2020.", "January to March 2020", (2020, 1, None), (2020, 3, None)),
    ("Four exercises in 2007–12.", "2007–12", (2007, "year", None, None), (2012, "year", None, None)),
    ("Ran 2019-06-05 to 2019-06-10.", "2019-06-05 to 2019-06-10", (2019, 6, 5), (2019, 6, 10)),
    ("Met on Wednesday, June 5, 2019.", "Wednesday, June 5, 2019", (2019, 6, 5), None),
    ("Date: Wed, 5 Jun 2019 10:00", "Wed, 5 Jun 2019", (2019, 6, 5), None),
    ("RustFest, September 9-10, 2016.", "September 9-10, 2016", (2016, 9, 9), (2016, 9, 10)),
    ("Meetings Oct 15–17 in Paris.", "Oct 15–17", (None, 10, 15), (None, 10, 17)),
    ("Rust Fest Sept 30-01 in Kyiv", "Sept 30-01", (None, 9, 30), (None, 10, 1)),
    ("From Dec 28 – Jan 3, 2020 closed.", "Dec 28 – Jan 3, 2020", (2019, 12, 28), (2020, 1, 3)),
    ("Signed February 30, 1950.", "February 30, 1950", (1950, 2, 30), None),
    ("Built 2022-13-01.", "2022-13-01", (2022, 13, 1), None),
    ("Every June 31 we party.", "June 31", (None, 6, 31), None),
    ("The 2023-02-17 meeting", "2023-02-17", (2023, 2, 17), None),
    ("Since 2013, Xi has met", "2013", (2013, "year", None, None), None),
]


@pytest.mark.parametrize(("text", "date", "start", "end"), FORMS)
def test_forms(text: str, date: str, start: tuple, end: tuple | None) -> None:
    assert spans(text) == [(date, start, end)]


def test_weekday_is_kept() -> None:
    (d,) = find_dates("Tuesday, June 5, 2019")
    assert d.weekday == 1 and d.value.weekday() == 2


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("06/05/2019", None, []),
        ("06/05/2019", "MDY", [("06/05/2019", (2019, 6, 5), None)]),
        ("06/05/2019", "DMY", [("06/05/2019", (2019, 5, 6), None)]),
        ("31.12.2019", "DMY", [("31.12.2019", (2019, 12, 31), None)]),
        ("06/05.2019", "MDY", []),
    ],
)
def test_numeric_dates_need_an_order(text: str, order: str | None, expected: list) -> None:
    assert spans(text, order) == expected


NON_DATES = [
    "nearly $30 trillion in the coming years",
    "around 10,000 troops",
    "date: 2022-06-29 12:00:00 +0800",  # the +0800 offset, not the ISO date, is the trap here
    "1,949 troops",
    "see page 1949",
    "at 12:00 and 23:48",
    "version 2019.1 and v2019-06-05",
    "2017-01-02-my-first-post.md",
    "https://blog.rust-lang.org/2020/12/16/rust-survey-2020/",
    "pip 21.0 and 2007-12 and 2019–05",
    "met Vladimir Putin 39 times and held 53 exercises",
    "We may 15 times a day",
    "Sun Microsystems 2019 annual report",
    "Mar 3",  # an abbreviation without its dot, and no year: too weak
    "ports 1521:1521",
    "call 1-800-2019-555",
    "1949 troops marched",
    "Chapter 12 March",
]


@pytest.mark.parametrize("text", NON_DATES)
def test_non_dates(text: str) -> None:
    found = [text[d.start : d.end] for d in find_dates(text)]
    if text.startswith("date: "):
        assert found == ["2022-06-29"]
    else:
        assert found == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("\n▲ October 1949. Establishment", "October 1949"),
        ("1999: Doug Cutting writes Lucene", "1999"),
        ("2020-07-11 23:48 - report", "2020-07-11"),
        ("1960 – 1989. Sino-Soviet Split.", "1960 – 1989"),
        ("[June 15, 2023] first", "June 15, 2023"),
        ("| 2024-02-08 | 1.76", "2024-02-08"),
        ("• 2015 — founded", "2015"),
    ],
)
def test_leading_dates(text: str, date: str) -> None:
    d = leading_date(text)
    assert d is not None and text[d.start : d.end] == date


@pytest.mark.parametrize(
    "text",
    ["In 1949, China", "1949 troops marched", "2017-01-02-my-first-post.md", "2024 State of Rust Survey results", "Text"],
)
def test_not_leading_dates(text: str) -> None:
    assert leading_date(text) is None


@pytest.mark.parametrize(
    ("text", "numbers", "pre"),
    [
        ("[1.2.0] - 2023-01-05", (1, 2, 0), False),
        ("v0.0.0-658250a96 - 2020-07-12 [YANKED]", (0, 0, 0), True),
        ("Version 0.9.13.4 - Date: 2023-09-09", (0, 9, 13, 4), False),
        ("4.0.0-beta.1 - 2024-03-01", (4, 0, 0), True),
        ("1.0.0rc1 (2020-01-01)", (1, 0, 0), True),
        ("2.0.post1 - 2020-01-01", (2, 0, 0), False),
        ("3.8.7 / 2020-05-08", (3, 8, 7), False),
    ],
)
def test_versions(text: str, numbers: tuple, pre: bool) -> None:
    v = parse_version(text)
    assert v is not None and v[0].numbers == numbers and v[0].prerelease is pre


@pytest.mark.parametrize("text", ["Unreleased", "2019-06-05: x", "Added"])
def test_not_versions(text: str) -> None:
    assert parse_version(text) is None


@contextmanager
def _guard(seconds: int):
    """Fail instead of hanging if the grammar backtracks catastrophically (no timing assertion)."""

    def boom(*_: object) -> None:
        raise TimeoutError("date grammar did not finish: backtracking?")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize(
    "unit",
    ["May 15, 1989 – ", "2019-06-05 ", "1-2-3-4-5-", "2019-2019-", "12", "October October 1949 ", "- 1999 – "],
)
def test_three_megabyte_line_is_linear(unit: str) -> None:
    line = unit * (3_000_000 // len(unit))
    with _guard(120):
        count = sum(1 for _ in find_dates(line))
        leading_date(line)
    assert count >= 0


def _with_full_candidates(text: str, order: str | None) -> list:
    """find_dates without its shortcuts: every text searched, every candidate tried."""
    fast, may_hold, may_hold_c = dates_module._FAST_CANDIDATE, dates_module._MAY_HOLD_DATE, dates_module.may_hold_date
    dates_module._FAST_CANDIDATE, dates_module._MAY_HOLD_DATE = dates_module._CANDIDATE, re.compile("")
    dates_module.may_hold_date = lambda text: True  # the C scan, where it was built
    try:
        return list(find_dates(text, order))
    finally:
        dates_module._FAST_CANDIDATE, dates_module._MAY_HOLD_DATE, dates_module.may_hold_date = fast, may_hold, may_hold_c


_SHORTCUT_CASES = [
    "It lasts into the 1980s.", "In the  1980s", "the early 2000s, and the late-1990s", "Born mid-1950s.",
    "mid 1950s", "late\n1990s", "in spring 2020 and summer  2021", "fall 2019, autumn 2018, winter 2017",
    "the fall of 2019", "the 80s", "the 2020 plan", "the  early  2000s", "theearly 2000s", "xthe 1980s",
    "Mid-1950s and The 1980s", "on ٣/٤/2019 and 3/4/2019", "٣ May 2019", "since 1959; the 1960s – 1970s",
    "in 13٣٣", "the 1٩٥0s", "June 5", "Sept.  30 and SEPT. 3", "May\n4", "v 2.3, 40 items", "Q3 ٢٠21", "2007–12",
    # a year-like number with a fifth digit after it is no year (issue #17407); one before it may be
    "issue #17407", "in 20190", "in 2019٣", "20190512", "in 12019", "Q32021", "2021Q3", "in 1999-2004", "in 2019a",
    "since 1999.5", "in 2019/20", "in 1999–2001",
]


@pytest.mark.parametrize("text", _SHORTCUT_CASES)
@pytest.mark.parametrize("order", [None, "MDY"])
def test_fast_candidates_find_the_same_dates(text: str, order: str | None) -> None:
    assert list(find_dates(text, order)) == _with_full_candidates(text, order)


@pytest.mark.parametrize("text", [*_SHORTCUT_CASES, *(f[0] for f in FORMS), "May 15 – June 2, 1989", "no date 12 34"])
@pytest.mark.parametrize("order", [None, "DMY"])
def test_prefiltered_search_finds_the_same_dates(text: str, order: str | None) -> None:
    assert list(find_dates(text, order, prefiltered=True)) == list(find_dates(text, order))


def _reference_timelines(doc, order: str | None = None, min_entries: int = 3) -> list:
    """timelines() without its shortcuts: every block tried as an entry, every sibling list walked."""
    everything = {b.index for b in doc.blocks}
    runs: list = []
    children: dict = {}
    for b in doc.blocks:
        children.setdefault(b.parent, []).append(b)
    for siblings in children.values():
        run: list = []
        for b in siblings:
            if b.kind in ("paragraph", "html") and dates_module._image_only(b):
                continue
            entry = dates_module._entry(b, order) if b.kind in ("paragraph", "item", "table_row") else None
            if entry is not None and run and (run[-1].block.kind, run[-1].block.list_id) == (b.kind, b.list_id):
                run.append(entry)
                continue
            if len(run) > 1:
                runs.append(run)
            run = [entry] if entry is not None else []
        if len(run) > 1:
            runs.append(run)
        runs.extend(dates_module._heading_runs([b for b in siblings if b.kind == "heading"], order, everything))
    return [r for r in runs if sum(1 for e in r if dates_module.has_date(e)) >= min_entries]


def _runs(runs: list) -> list:
    return [[(e.block.index, e.date, e.version) for e in run] for run in runs]


_TIMELINE_CASES = [
    "- 1990: a\n- 1995: b\n- 2001: c\n\n1. 2002: d\n2. 2003: e\n\nMay 2004 f\n\nJune 2005 g\n",
    "- 1990: a\n\n  2001 nested para\n\n  - 1991: x\n  - 1992: y\n- 1993: b\n- Text\n- 1994: c\n- 1995: d\n",
    "![](a.png)\n▲ 1990: a\n\n![](b.png)\n\n<img src=c.png>\n\n▲ 1991. b\n\n▲ **June 5 – July 2, 1992** c\n",
    "| when | what |\n|---|---|\n| 2020-01-02 | a |\n| 2021-01-02 | b |\n| soon | c |\n| 2022-03-01 | d |\n",
    "## [2.0.0] - 2021-01-02\ntext 1999\n## [1.1.0]\n## 1.0.0 - 2019-05-06\n### 0.9.0 - 2018\n## Unreleased\n"
    "## 0.8.0 - Spring 2017\n",
    "> - 2001: quoted\n> - 2002: list\n> - 2003: here\n\n```\n2004: code\n2005: code\n```\n\n2006 after\n",
    "- Mar 3 - Mar 9, 2020: a\n- Sept. 30-01 2020: b\n- the 1980s: c\n- since 1959: d\n- Q3 2021: e\n- 2007–12: f\n",
    "## 2001\n## 2002\n# Part\n## 2003\n## 2004\n### in 2005\n## v1.0.0 (1999-01-01)\n## 2006-02-30\n",
]


@pytest.mark.parametrize("text", _TIMELINE_CASES)
@pytest.mark.parametrize(("order", "min_entries"), [(None, 3), ("DMY", 2), ("MDY", 1), (None, 0), (None, 5)])
def test_timelines_find_the_same_runs_as_trying_every_block(text: str, order: str | None, min_entries: int) -> None:
    doc = parse_text(Path("post.md"), "post.md", text)
    expected = _runs(_reference_timelines(doc, order, min_entries))
    assert _runs(timelines(doc, order, min_entries)) == expected
    assert expected or min_entries > 1  # the cases hold timelines


@pytest.mark.parametrize("min_entries", [0, -1])
def test_runs_of_undated_versions_are_kept_when_no_date_is_needed(min_entries: int) -> None:
    # No block holds a date here: the runs come from the version headings alone.
    doc = parse_text(Path("post.md"), "post.md", "# Changes\n## [1.1.0]\n## [1.0.0]\ntext\n> ## [0.2.0]\n> ## [0.1.0]\n")
    expected = _runs(_reference_timelines(doc, None, min_entries))
    assert len(expected) == 2
    assert _runs(timelines(doc, None, min_entries)) == expected
    assert timelines(doc, None, 1) == []


def test_timelines_of_the_fixtures_are_unchanged() -> None:
    fixtures = sorted((Path(__file__).parent.parent / "fixtures").rglob("*.md"))
    assert fixtures
    for path in fixtures:
        doc = load_document(path)
        assert _runs(timelines(doc)) == _runs(_reference_timelines(doc)), path


@pytest.mark.parametrize("text", [*_SHORTCUT_CASES, "▲ 1999: x", "June 5 – July 2, 1992", "Sept.  30-01, 2019"])
def test_a_leading_date_with_a_year_is_seen_by_may_hold_date(text: str) -> None:
    d = leading_date(text)
    assert d is None or not d.has_year or may_hold_date(text)


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a test extra
    given = None

if given is not None:
    _PIECES = st.sampled_from(
        ["May", "June", "Sept.", "Feb", "Tuesday, ", "Wed, ", "Q3", "the ", "mid-", "Spring", "in ", "since ",
         "1989", "2019", "1950s", "12", "31", "30", "02", "00", "13", "-", "–", "—", "/", ".", ",", " ", " to ",
         "st", "th", "T", ":", "$", "+", "\n", "▲", "x", "v", "[", "]"]
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(_PIECES, max_size=14).map("".join))
    def test_grammar_never_raises_and_spans_are_in_order(text: str) -> None:
        last = 0
        for d in find_dates(text):
            assert last <= d.start < d.end <= len(text)
            d.value.bounds()
            if d.end_value is not None:
                d.end_value.bounds()
            last = d.end
        for order in (None, "DMY"):
            d = leading_date(text, order)
            assert d is None or not d.has_year or may_hold_date(text)
        assert list(find_dates(text, "MDY", prefiltered=True)) == list(find_dates(text, "MDY"))

    _LOWER_PIECES = st.sampled_from(
        ["the ", "The ", "early", "Early ", "mid-", "late ", "spring ", "summer", "fall ", "autumn ", "winter ",
         "of ", "1980s", "2020", "1999", "12", "May", "June 3", " ", "  ", "-", "–", "\n", "x", "٣", "/", ",",
         "1٩", "Sept.", "in ", "3"]
    )

    @settings(max_examples=400, deadline=None)
    @given(st.lists(_LOWER_PIECES, max_size=10).map("".join))
    def test_fast_candidates_find_the_same_dates_anywhere(text: str) -> None:
        for order in (None, "DMY"):
            assert list(find_dates(text, order)) == _with_full_candidates(text, order)

    _LINES = st.sampled_from(
        ["- 1990: a", "- 2001 b", "- Text", "  - 1995: nested", "1. 2003: c", "May 2004 d", "▲ 1999 e", "![](a.png)",
         "<img src=a.png>", "## 1.2.0 - 2020-01-02", "## 1.1.0", "## 2019", "### 2018-02-03", "# Title",
         "> - 2002: q", "| 2020-01-02 | a |", "|---|---|", "| x | y |", "```", "", "", "text 1980 text",
         "- June 5 – July 2, 1992: f", "- the 1980s: g", "2005"]
    )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(_LINES, max_size=16).map("\n".join))
    def test_timelines_find_the_same_runs_anywhere(text: str) -> None:
        doc = parse_text(Path("post.md"), "post.md", text)
        for order, min_entries in ((None, 3), ("MDY", 1), (None, 0), (None, 2)):
            assert _runs(timelines(doc, order, min_entries)) == _runs(_reference_timelines(doc, order, min_entries))

