"""DATE rules on fixture posts: exact (code, line) pairs, the example post clean."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from postlint.document import load_document, parse_text
from postlint.registry import Context
from postlint.rules import ALL_RULES
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
