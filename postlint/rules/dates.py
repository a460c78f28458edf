"""DATE rules: timelines in order, ranges forward, real calendar days, matching weekdays."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from postlint._lazy import lazy_module
from postlint.finding import Severity
from postlint.registry import Context, Report, Rule

if TYPE_CHECKING:
    from postlint.document import Block, Document
    from postlint.extract.dates import DateMatch, Entry

_dates = lazy_module("postlint.extract.dates")  # the date grammar: compiled when a post is first read

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DateOptions:
    date_order: str | None = None  # "MDY" or "DMY": how to read 06/05/2019 (not at all by default)
    min_timeline_entries: int = 3


class _DateRule(Rule):
    options_table = "dates"
    Options = DateOptions
    family = "dates"


def _options(ctx: Context) -> DateOptions:
    return ctx.options if isinstance(ctx.options, DateOptions) else DateOptions()


# The DATE rules run one after another on the same document: what they share is derived once.


def _dated_blocks(doc: Document) -> list[Block]:
    """The prose blocks that may hold a date, found once for the prose and the timeline searches."""
    return doc.derive("dated blocks", lambda: _dates.dated_blocks(doc))


def prose_dates(doc: Document, order: str | None) -> list[tuple[Block, DateMatch]]:
    """Every date in the document's prose, once (a loose item repeats its first paragraph's text)."""
    return doc.derive(("prose dates", order), lambda: _prose_dates(doc, order))


def _prose_dates(doc: Document, order: str | None) -> list[tuple[Block, DateMatch]]:
    seen: set[int] = set()
    found = []
    for b in _dated_blocks(doc):
        for d in _dates.find_dates(b.text, order, prefiltered=True):
            off = b.offset_of(d.start)
            if off not in seen:
                seen.add(off)
                found.append((b, d))
    return found


def _timelines(doc: Document, opts: DateOptions) -> list[list[Entry]]:
    return doc.derive(
        ("timelines", opts.date_order, opts.min_timeline_entries),
        lambda: _dates.timelines(doc, opts.date_order, opts.min_timeline_entries, _dated_blocks(doc)),
    )


def _report(doc: Document, b: Block, d: DateMatch, message: str) -> Report:
    return Report.at(doc, b.offset_of(d.start), message, b.offset_of(d.end - 1) + 1)


def _text(e: Entry) -> str:
    return " ".join(e.block.text[e.date.start : e.date.end].split())


def _before(a: Entry, b: Entry) -> bool:
    """``a`` is surely earlier than ``b``: mixed precisions that overlap (1989, May 1989) are not ordered."""
    return a.date.bounds()[1] < b.date.bounds()[0]


def _is_changelog(run: list[Entry]) -> bool:
    return sum(e.version is not None for e in run) * 2 > len(run)


_WINDOW = 40  # compare each entry with this many followers: linear, and far enough for a misplaced entry


def _starts(items: list[Entry]) -> list[int]:
    return [e.date.bounds()[0] for e in items]


def _ends(items: list[Entry]) -> list[int]:
    return [e.date.bounds()[1] for e in items]


def _numbers(items: list[Entry]) -> list[tuple[int, ...]]:
    """The versions of entries that all have one."""
    return [e.version.numbers for e in items]  # type: ignore[union-attr]


def _direction(low: list, high: list) -> int:
    """+1 ascending, -1 descending, 0 when the majority is not clear enough to call anything out of order.

    Entry ``i`` comes before entry ``j`` when ``high[i] < low[j]`` (dates: their bounds; versions: the
    numbers twice): the values are computed once an entry, not once a pair.
    """
    up = down = 0
    for i in range(len(low)):
        # a.__lt__ and a.__gt__ in C over the window: the operands are ints, or tuples of ints
        up += sum(map(high[i].__lt__, low[i + 1 : i + 1 + _WINDOW]))
        down += sum(map(low[i].__gt__, high[i + 1 : i + 1 + _WINDOW]))
    return 1 if up > 2 * down else -1 if down > 2 * up else 0


def _misplaced(items: list[Entry], wrong: Callable[[int, int], bool]) -> list[tuple[Entry, Entry]]:
    """Fewest entries whose removal leaves no wrong pair (greedy), each with an entry it conflicts with.

    ``wrong(i, j)``: whether ``items[i]`` and ``items[j]`` (i < j) conflict.
    """
    n = len(items)
    edges: dict[int, list[int]] = {i: [] for i in range(n)}
    for i in range(n):
        for j in range(i + 1, min(n, i + 1 + _WINDOW)):
            if wrong(i, j):
                edges[i].append(j)
                edges[j].append(i)
    # Between entries with as many conflicts, the one farthest from the timeline's middle date is the
    # likelier slip (a mistyped year), then the later one.
    # A release heading pasted twice is the likelier culprit than its neighbour.
    starts = _starts(items)
    ordered = sorted(starts)
    middle = ordered[len(ordered) // 2] if ordered else 0
    seen = Counter(e.version.numbers for e in items if e.version is not None)
    twice = {v for v, c in seen.items() if c > 1}
    # What ranks an entry besides its conflicts does not change as entries are taken out.
    rank = [
        (e.version is not None and e.version.numbers in twice, abs(starts[k] - middle), k) for k, e in enumerate(items)
    ]
    out = []
    while True:
        i = max(edges, key=lambda k: (len(edges[k]), rank[k]), default=None)
        if i is None or not edges[i]:
            break
        partner = min(edges[i], key=lambda j: abs(j - i))
        out.append((items[i], items[partner]))
        for j in edges.pop(i):
            edges[j].remove(i)
    # Many "misplaced" entries mean a list sorted by something else, not a timeline with a slip.
    return out if len(out) <= max(1, len(items) // 4) else []


def _order_message(x: Entry, y: Entry, items: list[Entry], ascending: bool) -> str:
    listed = "before" if items.index(x) < items.index(y) else "after"
    dated = "after" if _before(y, x) else "before"
    runs = "oldest" if ascending else "newest"
    return f'"{_text(x)}" comes {dated} "{_text(y)}" but is listed {listed} it, in a timeline that runs {runs} first'


def _version_lt(a: Entry, b: Entry) -> bool:
    return a.version is not None and b.version is not None and a.version.numbers < b.version.numbers


def _release_lines(run: list[Entry]) -> tuple[int, list[list[Entry]]]:
    """A changelog's direction (by version) and its dated final releases grouped by major version."""
    releases = [e for e in run if e.version is not None and not e.version.prerelease and _dates.has_date(e)]
    lines: dict[int, list[Entry]] = {}
    for e in releases:
        lines.setdefault(e.version.major, []).append(e)  # type: ignore[union-attr]
    numbers = _numbers(releases)
    return _direction(numbers, numbers), list(lines.values())


class TimelineOutOfOrder(_DateRule):
    """Timeline entry out of order.

    ## What it does
    Finds timelines — three or more sibling paragraphs, items of one list, headings of one level or
    table rows that each start with a date (images, markers like `▲` and emphasis may come first) —
    infers from the majority whether they run oldest or newest first, and reports each entry that
    breaks that order, at its date, naming the entry it conflicts with. Ranges order by their start;
    dates of different precision that overlap (`1989`, `May 1989`) are never out of order. Changelog
    headings (`## [1.2.0] - 2023-01-05`) are checked within each major version line, and only for
    entries misplaced by both version and date (a date that contradicts its version is `DATE005`).

    ## Why is this bad?
    A misplaced milestone tells the reader a wrong story, and usually means an entry was pasted in
    the wrong place or its date was mistyped.

    ## Example
    ```markdown
    - **March 2, 2020**: first release
    - **June 6, 2021**: second release
    - **April 1, 2021**: bug fixes
    - **January 5, 2022**: third release
    ```

    ## Use instead
    ```markdown
    - **March 2, 2020**: first release
    - **April 1, 2021**: bug fixes
    - **June 6, 2021**: second release
    - **January 5, 2022**: third release
    ```

    ## Options
    - `date-order` (`"MDY"` or `"DMY"`, default none): read numeric dates like `06/05/2019` in that
      order; without it they are ambiguous and ignored.
    - `min-timeline-entries` (default 3): how many dated siblings make a timeline.

    ## Precision
    The date rules were tuned on 5,299 real Markdown files (Jekyll, Hugo, Zola and Eleventy sites,
    release blogs, docs and seven changelogs). They report 9 findings there, and a careful reading
    judged all 9 right: a 2008 entry listed before 2007, a duplicated changelog heading, four release
    dates that contradict their versions (one a New Year typo, 2021-01-02 for 2022), a range
    `October 27-18, 2016` and a `Monday, April 5th, 2020` that was a Sunday. `DATE006`, which is off
    by default, reports nothing on the same files. The whole DATE family takes about 0.6 times as
    long as the Markdown parse (`python benchmarks/family_cost.py dates`).
    """

    code = "DATE001"
    name = "timeline-out-of-order"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        for run in _timelines(doc, _options(ctx)):
            if _is_changelog(run):
                yield from self._changelog(doc, run)
                continue
            items = [e for e in run if _dates.has_date(e)]
            low, high = _starts(items), _ends(items)
            direction = _direction(low, high)
            if direction == 0:
                continue
            if direction > 0:
                wrong = lambda i, j: high[j] < low[i]  # noqa: E731
            else:
                wrong = lambda i, j: high[i] < low[j]  # noqa: E731
            for x, y in _misplaced(items, wrong):
                yield _report(doc, x.block, x.date, _order_message(x, y, items, direction > 0))

    def _changelog(self, doc: Document, run: list[Entry]) -> Iterator[Report]:
        direction, lines = _release_lines(run)
        if direction == 0:
            return
        for items in lines:
            low, high, numbers = _starts(items), _ends(items), _numbers(items)

            def wrong(i: int, j: int) -> bool:
                first, second = (i, j) if direction > 0 else (j, i)
                return high[second] < low[first] and numbers[second] < numbers[first]

            for x, y in _misplaced(items, wrong):
                yield _report(doc, x.block, x.date, _order_message(x, y, items, direction > 0))


class ChangelogDateOrder(_DateRule):
    """Release date disagrees with the version order.

    ## What it does
    In a changelog (headings that start with a version and carry a date, as in Keep a Changelog),
    compares the releases of each major version line as versions (semver and PEP 440) and reports a
    release dated before an older version or after a newer one. Pre-releases and `[Unreleased]` are
    skipped, two releases on the same day are fine, and a patch release of an older minor line
    (a backport: 3.7.4 after 3.8.0) may come later.

    ## Why is this bad?
    A wrong release date misleads anyone tracking when a fix shipped; it is usually a copy-paste of
    the previous entry's heading or a typo in the year.

    ## Example
    ```markdown
    ### [3.5.0] - 2023-04-01
    ### [3.4.0] - 2023-05-01
    ### [3.3.0] - 2023-02-01
    ```

    ## Use instead
    ```markdown
    ### [3.5.0] - 2023-04-01
    ### [3.4.0] - 2023-03-01
    ### [3.3.0] - 2023-02-01
    ```
    """

    code = "DATE005"
    name = "changelog-date-out-of-version-order"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        for run in _timelines(doc, _options(ctx)):
            if not _is_changelog(run):
                continue
            for items in _release_lines(run)[1]:
                for x, y in _misplaced(items, _dated_against_version(items)):
                    newer = _version_lt(y, x)
                    yield _report(
                        doc, x.block, x.date,
                        f'release {x.version.text} is dated "{_text(x)}", {"before" if newer else "after"} '  # type: ignore[union-attr]
                        f'{"older" if newer else "newer"} release {y.version.text} ("{_text(y)}")',  # type: ignore[union-attr]
                    )


def _dated_against_version(items: list[Entry]) -> Callable[[int, int], bool]:
    """Whether two releases (of ``items``, by index) are dated against their versions; a backport is not."""
    low, high, numbers = _starts(items), _ends(items), _numbers(items)

    def wrong(i: int, j: int) -> bool:
        if numbers[i] < numbers[j]:
            old, new = i, j
        elif numbers[j] < numbers[i]:
            old, new = j, i
        else:
            return False
        if not high[new] < low[old]:
            return False
        o, n = numbers[old], numbers[new]
        backport = o[:2] < n[:2] and len(o) > 2 and o[2] > 0
        return not backport

    return wrong


_WORD_CONNECTORS = ("to", "until", "till", "through", "thru")
_CHANGE = re.compile(r"(?i)\b(?:mov|chang|postpon|reschedul|delay|push|shift|advanc|updat|bump|brought)\w*\b")


class ReversedDateRange(_DateRule):
    """Date range ends before it starts.

    ## What it does
    Reports a range written with a dash or "to" (`May 18–15, 1989`, `2012 – 2007`,
    `June 2, 2020 to May 1, 2020`) whose end is before its start.

    ## Why is this bad?
    One of the two ends is wrong; readers cannot tell which.

    ## Example
    ```markdown
    The conference ran from September 12–10, 2016.
    ```

    ## Use instead
    ```markdown
    The conference ran from September 10–12, 2016.
    ```
    """

    code = "DATE002"
    name = "reversed-date-range"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        for b, d in prose_dates(doc, _options(ctx).date_order):
            end = d.end_value
            if end is None or (d.value.year is None) != (end.year is None):
                continue
            if d.value.year is None and d.value.month != end.month:
                continue  # "Dec 28 – Jan 3": may cross New Year
            if d.connector in _WORD_CONNECTORS and _CHANGE.search(b.text, max(0, d.start - 40), d.start):
                continue  # "moved from June 5 to June 1" tells of a change, not a range
            if end.bounds()[1] < d.value.bounds()[0]:
                text = " ".join(b.text[d.start : d.end].split())
                yield _report(doc, b, d, f'date range "{text}" ends before it starts')


# Text about date handling names impossible dates on purpose ("Parse now rejects June 31").
_CALENDAR_TOPIC = re.compile(
    r"(?i)\b(?:invalid|reject|non-?existent|(?:not|n't) exist|impossible|leap|overflow|normali[sz]|pars(?:e|es|ing|er))"
)


class NonexistentDate(_DateRule):
    """Date that does not exist.

    ## What it does
    Reports a date the calendar does not have: `February 30, 1950`, `June 31`, `2022-13-01`,
    29 February in a year that is not a leap year.

    ## Why is this bad?
    The date is certainly mistyped; readers and tools that parse it will guess differently.

    ## Example
    ```markdown
    The treaty was signed on February 30, 1950.
    ```

    ## Use instead
    ```markdown
    The treaty was signed on February 14, 1950.
    ```
    """

    code = "DATE003"
    name = "nonexistent-date"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        about_calendars: dict[int, bool] = {}  # per block: searched once, however many dates it holds
        for b, d in prose_dates(doc, _options(ctx).date_order):
            if not any(v is not None and not v.exists for v in (d.value, d.end_value)):
                continue
            if b.index not in about_calendars:
                about_calendars[b.index] = _CALENDAR_TOPIC.search(b.text) is not None
            if about_calendars[b.index]:
                continue
            text = " ".join(b.text[d.start : d.end].split())
            yield _report(doc, b, d, f'"{text}" is not a real date')


class WeekdayMismatch(_DateRule):
    """Weekday does not match the date.

    ## What it does
    Reports a weekday written with a full date (`Tuesday, June 5, 2019`, `Tue, 5 Jun 2019`) that is
    not the weekday of that date.

    ## Why is this bad?
    Either the weekday or the date is wrong, and readers planning around it may pick the wrong one.

    ## Example
    ```markdown
    The release is on Tuesday, June 5, 2019.
    ```

    ## Use instead
    ```markdown
    The release is on Wednesday, June 5, 2019.
    ```
    """

    code = "DATE004"
    name = "weekday-mismatch"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        for b, d in prose_dates(doc, _options(ctx).date_order):
            actual = d.value.weekday()
            if d.weekday is not None and actual is not None and actual != d.weekday:
                text = " ".join(b.text[d.start : d.end].split())
                yield _report(doc, b, d, f'"{text}": that day is a {WEEKDAY_NAMES[actual]}, not a {WEEKDAY_NAMES[d.weekday]}')


_PAST = re.compile(r"\b(?:was|were|had|did|[a-z]{3,}ed)\b", re.I)
_NOT_PAST = re.compile(
    r"\b(?:will|planned|plans?|expected|scheduled|upcoming|target(?:ed)?|estimated|tentative|tbd|tba|coming|"
    r"proposed|anticipated|projected|roadmap|intend(?:ed)?|should|may|might|future|next)\b",
    re.I,
)


def _past_tense(e: Entry) -> bool:
    rest = e.block.text[e.date.end :]
    return bool(_PAST.search(rest)) and not _NOT_PAST.search(rest)


class EntryAfterPublication(_DateRule):
    """Past-tense timeline entry dated after the post was published.

    ## What it does
    In a timeline whose entries are written in the past tense, reports an entry dated entirely after
    the post's publication date (front-matter `date`, or the date the file name starts with).
    Entries that speak of plans (`will`, `planned`, `expected`, ...) are not reported.

    ## Why is this bad?
    A post cannot report as done what happened after it was written: the entry's year is most
    likely mistyped (2032 for 2023).

    ## Example
    ```markdown
    ---
    date: 2023-06-01
    ---
    - 2023-03-01: the bug was reported
    - 2023-03-08: a fix was released
    - 2032-04-02: the advisory was published
    ```

    ## Use instead
    ```markdown
    ---
    date: 2023-06-01
    ---
    - 2023-03-01: the bug was reported
    - 2023-03-08: a fix was released
    - 2023-04-02: the advisory was published
    ```
    """

    code = "DATE006"
    name = "entry-after-publication"
    severity = Severity.WARNING
    # Advisories often gain entries after publication ("2023-05-02: patch released"): opt in.
    default_enabled = False

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        published = _dates.publication_date(doc)
        if published is None:
            return
        limit = published.toordinal()
        for run in _timelines(doc, _options(ctx)):
            items = [e for e in run if _dates.has_date(e) and e.version is None]
            if len(items) < 3 or sum(map(_past_tense, items)) * 3 < len(items) * 2:
                continue
            for e in items:
                if e.date.bounds()[0] > limit and _past_tense(e):
                    yield _report(doc, e.block, e.date, f'"{_text(e)}" is after the post\'s own date, {published.isoformat()}, but told as past')


RULES: list[type[Rule]] = [
    TimelineOutOfOrder, ReversedDateRange, NonexistentDate, WeekdayMismatch, ChangelogDateOrder, EntryAfterPublication,
]
