"""DATE rules on fixture posts: exact (code, line) pairs, the example post clean."""

from __future__ import annotations

import random
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from postlint.document import load_document, parse_text
from postlint.extract.dates import DateMatch, DateValue, Entry, Version, dated_blocks
from postlint.registry import Context
from postlint.rules import ALL_RULES
from postlint.rules import dates as dates_rules
from postlint.rules.dates import RULES, DateOptions

FIXTURES = Path(__file__).parent / "fixtures"
DATES = FIXTURES / "dates"
EXAMPLE = FIXTURES / "example" / "2022-06-29-china-russia-relations.md"


def date_findings(doc, options: DateOptions | None = None) -> list[tuple[str, int]]:
    ctx = Context(options=options or DateOptions())
    return sorted((rule.code, r.line) for rule in RULES for r in rule().check(doc, ctx))


def lint_file(path: Path, options: DateOptions | None = None) -> list[tuple[str, int]]:
    return date_findings(load_document(path), options)


def lint_str(text: str, options: DateOptions | None = None, name: str = "post.md") -> list[tuple[str, int]]:
    return date_findings(parse_text(Path(name), name, textwrap.dedent(text)), options)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad_timeline_swapped.md", [("DATE001", 18), ("DATE001", 32)]),
        ("bad_changelog.md", [("DATE001", 29), ("DATE005", 31)]),
        ("bad_range_reversed.md", [("DATE002", 3), ("DATE002", 5), ("DATE002", 7)]),
        ("bad_nonexistent.md", [("DATE003", 3), ("DATE003", 5), ("DATE003", 7), ("DATE003", 9)]),
        ("bad_weekday.md", [("DATE004", 3), ("DATE004", 7)]),
        ("bad_after_publication.md", [("DATE006", 11)]),
        ("good_traps.md", []),
    ],
)
def test_fixture(fixture: str, expected: list[tuple[str, int]]) -> None:
    assert lint_file(DATES / fixture) == expected


def test_example_post_is_clean() -> None:
    assert lint_file(EXAMPLE) == []


def test_columns_point_at_the_date_text() -> None:
    doc = load_document(DATES / "bad_timeline_swapped.md")
    (report,) = [r for r in RULES[0]().check(doc, Context(options=DateOptions())) if r.line == 18]
    line = doc.line_text(18)
    assert line[report.column - 1 : report.end_column - 1] == "June 6, 2011"
    assert "June 6, 2011" in report.message and "October 15, 2004" in report.message


def test_all_registered_with_unique_codes() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(set(codes), key=codes.index)
    assert sorted(codes) == [f"DATE00{i}" for i in range(1, 7)]
    assert all(r in ALL_RULES for r in RULES)


def test_numeric_dates_need_an_order() -> None:
    text = "On 02/30/2019 and 31/12/2019.\n"
    assert lint_str(text) == []
    assert lint_str(text, DateOptions(date_order="MDY")) == [("DATE003", 1), ("DATE003", 1)]
    assert lint_str(text, DateOptions(date_order="DMY")) == [("DATE003", 1)]


def test_three_entries_with_one_swap_have_no_clear_direction() -> None:
    # With three entries either direction needs one exception: nothing is certain enough to report.
    assert lint_str("- 1990: a\n- 2000: b\n- 1995: c\n") == []


def test_a_list_sorted_by_something_else_is_not_a_timeline() -> None:
    text = "".join(f"- {y}: name {i}\n" for i, y in enumerate([2001, 1995, 2010, 1990, 2005, 1999, 2012, 1993]))
    assert lint_str(text) == []


def test_changelog_backport_of_an_older_minor_line_is_fine() -> None:
    text = """\
    ## 3.8.1 / 2018-09-20
    ## 3.7.4 / 2018-09-07
    ## 3.8.0 / 2018-04-19
    ## 3.7.3 / 2018-02-25
    ## 3.7.0 / 2018-01-02
    """
    assert lint_str(text) == []


def test_changelog_same_day_releases_and_linked_versions() -> None:
    text = """\
    ## [26.1.0](https://example.com/26.1.0) - 2026-06-06
    ## [25.5.0](https://example.com/25.5.0) - 2025-10-27
    ## [25.4.1](https://example.com/25.4.1) - 2025-10-27
    ## [25.4.0](https://example.com/25.4.0) - 2025-06-02
    """
    assert lint_str(text) == []


def test_changelog_wrong_year_in_a_new_year_release() -> None:
    text = """\
    ## [10.16.2] - 2021-01-02
    ## [10.16.1] - 2021-12-15
    ## [10.16.0] - 2021-12-12
    ## [10.15.2] - 2021-12-02
    """
    assert lint_str(text) == [("DATE005", 1)]


def test_calendar_discussions_are_not_typos() -> None:
    assert lint_str("`Parse` now rejects June 31 and February 30.\n") == []


def test_publication_date_from_file_name(tmp_path: Path) -> None:
    post = tmp_path / "2020-01-10-advisory.md"
    post.write_text("- 2020-01-02: reported\n- 2020-01-05: fixed\n- 2021-01-08: disclosed\n", encoding="utf-8")
    assert lint_file(post) == [("DATE006", 3)]
    post.write_text("- 2020-01-02: reported\n- 2020-01-05: fixed\n- 2021-01-08: disclosure planned\n", encoding="utf-8")
    assert lint_file(post) == []


def test_dates_in_code_are_ignored() -> None:
    assert lint_str("```\nFebruary 30, 1950\n```\n\nText `June 31` here.\n") == []


def test_a_change_of_date_is_not_a_range() -> None:
    assert lint_str("The launch moved from June 5, 2019 to June 1, 2019.\n") == []
    assert lint_str("The launch ran from June 5, 2019 to June 1, 2019.\n") == [("DATE002", 1)]


def test_through_the_cli_with_configured_order(tmp_path: Path, run_cli) -> None:
    (tmp_path / "postlint.toml").write_text('[dates]\ndate-order = "DMY"\n', encoding="utf-8")
    post = tmp_path / "2020-01-10-advisory.md"
    post.write_text("Due 30/02/2019.\n\n- 2020-01-02: reported\n- 2020-01-05: fixed\n- 2021-01-08: disclosed\n", "utf-8")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--config", str(tmp_path / "postlint.toml"),
                  "--extend-select", "DATE006", str(post))
    assert res.exit_code == 1, res.stderr
    assert sorted(res.codes) == [("DATE003", 1), ("DATE006", 5)]


# --------------------------------------------------------------------------- the ordering helpers
# The helpers take values computed once an entry; these are the pairwise definitions they stand for.


def _reference_direction(items: list, lt) -> int:  # type: ignore[no-untyped-def]
    up = down = 0
    for i, a in enumerate(items):
        for b in items[i + 1 : i + 1 + dates_rules._WINDOW]:
            up += lt(a, b)
            down += lt(b, a)
    return 1 if up > 2 * down else -1 if down > 2 * up else 0


def _reference_misplaced(items: list, wrong) -> list:  # type: ignore[no-untyped-def]
    edges: dict[int, list[int]] = {i: [] for i in range(len(items))}
    for i, a in enumerate(items):
        for j in range(i + 1, min(len(items), i + 1 + dates_rules._WINDOW)):
            if wrong(a, items[j]):
                edges[i].append(j)
                edges[j].append(i)
    starts = sorted(e.date.bounds()[0] for e in items)
    middle = starts[len(starts) // 2] if starts else 0
    seen = Counter(e.version.numbers for e in items if e.version is not None)
    twice = {v for v, n in seen.items() if n > 1}
    out = []
    while True:
        i = max(
            edges,
            key=lambda k: (len(edges[k]), items[k].version is not None and items[k].version.numbers in twice,
                           abs(items[k].date.bounds()[0] - middle), k),
            default=None,
        )
        if i is None or not edges[i]:
            break
        partner = min(edges[i], key=lambda j: abs(j - i))
        out.append((items[i], items[partner]))
        for j in edges.pop(i):
            edges[j].remove(i)
    return out if len(out) <= max(1, len(items) // 4) else []


def _reference_dated_against_version(a: Entry, b: Entry) -> bool:
    old, new = (a, b) if dates_rules._version_lt(a, b) else (b, a)
    if not dates_rules._version_lt(old, new) or not dates_rules._before(new, old):
        return False
    o, n = old.version.numbers, new.version.numbers  # type: ignore[union-attr]
    return not (o[:2] < n[:2] and len(o) > 2 and o[2] > 0)


def _random_entries(rng: random.Random, n: int) -> list[Entry]:
    entries = []
    for _ in range(n):
        year = rng.choice([2019, 2020, 2021, 2022])
        value = rng.choice([
            DateValue(year, rng.randint(1, 12), rng.randint(1, 28)),
            DateValue(year, rng.randint(1, 12), None, "month"),
            DateValue(year, None, None, "year"),
        ])
        numbers = (rng.randint(1, 2), rng.randint(0, 3), rng.randint(0, 2))[: rng.choice([2, 3, 3])]
        entries.append(Entry(None, DateMatch(0, 4, value), Version(numbers, False, ".".join(map(str, numbers)))))  # type: ignore[arg-type]
    if entries and rng.random() < 0.7:
        # Mostly a timeline: dates and versions in one order, with a few slips.
        dates = sorted((e.date for e in entries), key=lambda d: d.bounds(), reverse=rng.random() < 0.5)
        versions = sorted((e.version for e in entries), key=lambda v: v.numbers, reverse=rng.random() < 0.5)
        entries = [Entry(None, d, v) for d, v in zip(dates, versions)]  # type: ignore[arg-type]
        for _ in range(rng.randint(0, 3)):
            i, j = rng.randrange(len(entries)), rng.randrange(len(entries))
            entries[i], entries[j] = entries[j], entries[i]
    return entries


@pytest.mark.parametrize("seed", range(60))
def test_ordering_helpers_agree_with_their_pairwise_definitions(seed: int) -> None:
    rng = random.Random(seed)
    items = _random_entries(rng, rng.choice([0, 1, 3, 8, 30, 90]))
    low, high = dates_rules._starts(items), dates_rules._ends(items)
    numbers = dates_rules._numbers(items)
    assert dates_rules._direction(low, high) == _reference_direction(items, dates_rules._before)
    assert dates_rules._direction(numbers, numbers) == _reference_direction(items, dates_rules._version_lt)

    def later(a: Entry, b: Entry) -> bool:
        return dates_rules._before(b, a)

    assert dates_rules._misplaced(items, lambda i, j: high[j] < low[i]) == _reference_misplaced(items, later)
    assert dates_rules._misplaced(items, lambda i, j: high[i] < low[j]) == _reference_misplaced(items, dates_rules._before)
    wrong = dates_rules._dated_against_version(items)
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            assert wrong(i, j) == _reference_dated_against_version(items[i], items[j])
    assert dates_rules._misplaced(items, wrong) == _reference_misplaced(items, _reference_dated_against_version)


def test_dated_blocks_are_the_prose_blocks_that_may_hold_a_date() -> None:
    text = "# 1999\n\n```\n2001\n```\n\n<p>2002</p>\n\nJune 5 and 12\n\n- 1 2 3\n- June  7\n\n| 2100 | x |\n|--|--|\n| 2200 | y |\n"
    doc = parse_text(Path("post.md"), "post.md", text)
    assert [b.kind for b in dated_blocks(doc)] == ["heading", "paragraph", "item", "table_head"]
