"""English date grammar: dates in prose with exact spans, precision and ranges, plus dated entries of a post."""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from postlint.document import Block, Document

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
SEASONS = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11), "winter": (12, 14)}
PRECISIONS = ("day", "month", "season", "quarter", "year", "decade")


def _cases(words: list[str]) -> str:
    # Title case or upper case only: lower-case "may", "march" and "sun" are ordinary words.
    alts = {w.capitalize() for w in words} | {w.upper() for w in words}
    return "|".join(sorted(alts, key=len, reverse=True))


_FULL_MONTHS = [m for m in MONTHS if len(m) > 4 or m in ("may", "june", "july")]
_ABBR_MONTHS = [m for m in MONTHS if m not in _FULL_MONTHS]
_MON = rf"(?:{_cases(_FULL_MONTHS)}|(?:{_cases(_ABBR_MONTHS)})\b\.?)"
_WD_FULL = _cases([w for w in WEEKDAYS if len(w) > 5])
# "Sun" and "Sat" are words too: an abbreviated weekday needs its comma or dot.
_WD_ABBR = _cases([w for w in WEEKDAYS if len(w) <= 5])
# No digit, word character, currency, sign, slash or decimal point glued before a number.
_NUM_BEFORE = r"(?<![\w$€£¥+\-/.:,#@%&=~^])"
_YEAR = r"(?:1[0-9]|20|21)\d\d"
_YEAR_AFTER = r"(?![\w%]|[.,:/\-]\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\w])"
_DAY_AFTER = r"(?![\w%]|[.,:/\-]\d)"


def _g(name: str, pattern: str) -> str:
    return f"(?P<{name}>{pattern})"


def _wd(p: str) -> str:
    words = f"(?:{_WD_FULL})(?:,|\\.)?\\s{{1,2}}|(?:{_WD_ABBR})(?:\\.,?|,)\\s{{1,2}}"
    return "(?:" + _g(p + "_wd", words) + ")?"


# Words after which a year alone is a date ("in 1949"); checked after the match, as a lookbehind on every
# position would cost more than the rest of the grammar.
_YEAR_WORD = re.compile(r"(?:^|\W)(?:[Ii]n|[Ss]ince|[Ff]rom|[Uu]ntil|[Tt]ill|[Dd]uring|[Bb]efore|[Aa]fter|[Cc]irca|"
                        r"[Tt]hrough|[Bb]etween)\s$")


def _forms(order: str | None) -> list[tuple[str, str]]:
    """(kind, pattern) alternatives, tried in this order at each position; group names are prefixed by kind."""
    forms = [
        # February 14, 1950 / Feb 14th, 1950 / Wednesday, June 5, 2019
        ("A", _wd("A") + _g("A_m", _MON) + r"\s{1,2}" + _g("A_d", _DAY) + r",?\s{1,2}" + _g("A_y", _YEAR) + _YEAR_AFTER),
        # 15–18 May 1989
        ("N", _NUM_BEFORE + _g("N_d", _DAY) + r"\s{0,2}[–—-]\s{0,2}" + _g("N_d2", _DAY) + r"\s{1,2}(?:of\s{1,2})?"
         + _g("N_m", _MON) + r",?\s{1,2}" + _g("N_y", _YEAR) + _YEAR_AFTER),
        # 14 February 1950 / Wednesday 5 June 2019 / 14th of February, 1950
        ("B", _wd("B") + _NUM_BEFORE + _g("B_d", _DAY) + r"\s{1,2}(?:of\s{1,2})?" + _g("B_m", _MON) + r",?\s{1,2}"
         + _g("B_y", _YEAR) + _YEAR_AFTER),
        # 2019-06-05 / 2019/06/05, optionally followed by a time (2020-07-11T23:48)
        ("C", _wd("C") + _NUM_BEFORE + _g("C_y", _YEAR) + _g("C_s", "[-/]") + _g("C_m", r"[01]\d") + r"(?P=C_s)"
         + _g("C_d", r"[0-3]\d") + r"(?:(?=T\d\d:)|(?![\w\-/]|[.,:]\d))"),
        # May–June 1989 / January to March 2020
        ("M", _g("M_m", _MON) + r"\s{0,2}(?:[–—-]|to|through)\s{0,2}" + _g("M_m2", _MON) + r",?\s{1,2}"
         + _g("M_y", _YEAR) + _YEAR_AFTER),
        # October 1949 / Oct. 1949 / October of 1949
        ("D", _g("D_m", _MON) + r",?\s{1,2}(?:of\s{1,2})?" + _g("D_y", _YEAR) + _YEAR_AFTER),
        # Spring 2020 / the fall of 2019
        ("E", r"\b" + _g("E_s", "(?:" + _cases(list(SEASONS)) + "|" + "|".join(SEASONS) + ")")
         + r"(?:\s{1,2}of)?\s{1,2}" + _g("E_y", _YEAR) + _YEAR_AFTER),
        # Q3 2021 / 2021 Q3
        ("F", r"\bQ" + _g("F_q", "[1-4]") + r"\s{0,2}" + _g("F_y", _YEAR) + _YEAR_AFTER),
        ("Q", _NUM_BEFORE + _g("Q_y", _YEAR) + r"\s{0,2}Q" + _g("Q_q", "[1-4]") + r"\b"),
        # the 1980s / mid-1950s / early 2000s
        ("G", _NUM_BEFORE + r"(?:(?:[Tt]he)\s{1,2})?" + _g("G_mod", r"(?:[Ee]arly|[Mm]id|[Ll]ate)[-\s]")
         + r"?" + _g("G_y", r"(?:1\d|20|21)\d0") + r"'?s\b"),
        # 1960 – 1989 / 2007–12
        ("J", _NUM_BEFORE + _g("J_y", _YEAR) + r"\s{0,2}" + _g("J_c", "[–—-]") + r"\s{0,2}"
         + r"(?:" + _g("J_y2", _YEAR) + "|" + _g("J_yy", r"\d\d") + r")" + _YEAR_AFTER),
        # June 31 / Oct 15 (no year)
        ("I", _wd("I") + _g("I_m", _MON) + r"\s{1,2}" + _g("I_d", _DAY) + r"(?![\w%]|[.,:/]\d)"),
        # in 1949 / since 1959: a year alone is a date only after such a word
        ("K", r"(?<=\s)" + _g("K_y", _YEAR) + _YEAR_AFTER),
    ]
    if order in ("MDY", "DMY"):
        a, b = ("H_m", "H_d") if order == "MDY" else ("H_d", "H_m")
        forms.insert(4, ("H", _NUM_BEFORE + _g(a, r"[0-3]?\d") + _g("H_s", r"[/.\-]") + _g(b, r"[0-3]?\d")
                         + r"(?P=H_s)" + _g("H_y", _YEAR) + _YEAR_AFTER))
    return forms


_DIGIT_FORMS = set("NBCHQGJK")  # the forms that can start with a digit
_WORD_FORMS = set("ABCMDEFGI")  # ... and with a letter


@lru_cache(maxsize=12)
def _master(order: str | None, first: str = "") -> re.Pattern[str]:
    """All forms in one pattern; with ``first`` ("digit" or "word"), only those that can start so (faster)."""
    keep = _DIGIT_FORMS if first == "digit" else _WORD_FORMS if first == "word" else None
    return re.compile("|".join(_g(kind, pat) for kind, pat in _forms(order) if keep is None or kind in keep))


_TAIL = re.compile(r"\s{0,3}(?:(?P<dash>[–—-])|(?P<word>to|through|thru|until|till)\b)\s{0,3}")
_DAY_TAIL = re.compile(r"(?P<d>" + _DAY + r")(?:,?\s{1,2}(?P<y>" + _YEAR + r")" + _YEAR_AFTER + r")?" + _DAY_AFTER)
_BARE_YEAR = re.compile(_NUM_BEFORE + r"(?P<y>" + _YEAR + r")" + _YEAR_AFTER)
# A year that leads a timeline entry must end there: "1999: ...", "1949. ...", not "1949 troops".
_LEAD_YEAR_END = re.compile(r"\s{0,2}(?:[.:,;)\]|/]|[–—-]\s|\n|$)")
_LEAD_SKIP = re.compile(r"[\s▲△►▶▸▹•·◆◇■□●○◦✓✔★☆→⇒*+>|#~\[(\"'“‘]{0,12}")


@dataclass(frozen=True, slots=True)
class DateValue:
    """A calendar value at some precision; ``year`` is None for a day without year ("June 31")."""

    year: int | None
    month: int | None = None
    day: int | None = None
    precision: str = "day"
    # season: first and last month (winter runs 12..14, into the next year); decade: first and last year
    first: int | None = None
    last: int | None = None

    @property
    def exists(self) -> bool:
        """False for a day or month the calendar does not have (30 February, month 13)."""
        if self.month is not None and not 1 <= self.month <= 12:
            return False
        if self.day is not None and self.month is not None:
            year = 2000 if self.year is None else self.year  # a leap year: 29 February without year exists
            return 1 <= self.day <= calendar.monthrange(year, self.month)[1]
        return True

    def bounds(self) -> tuple[int, int]:
        """First and last day (proleptic ordinals) the value can mean; a year-less value is put in 2000."""
        return _bounds(self.year, self.month, self.day, self.precision, self.first, self.last)

    def weekday(self) -> int | None:
        if self.precision != "day" or self.year is None or not self.exists:
            return None
        return _dt.date(self.year, self.month or 1, self.day or 1).weekday()


# The timeline rules compare each entry with up to 40 others: the calendar arithmetic is done once a value.
@lru_cache(maxsize=4096)
def _bounds(year: int | None, month: int | None, day: int | None, precision: str, first: int | None,
            last: int | None) -> tuple[int, int]:
    y = 2000 if year is None else year
    p = precision
    if p == "day" or p == "month":
        m = min(max(month or 1, 1), 12)
        days = calendar.monthrange(y, m)[1]
        if p == "day":
            d = min(max(day or 1, 1), days)
            o = _dt.date(y, m, d).toordinal()
            return o, o
        return _dt.date(y, m, 1).toordinal(), _dt.date(y, m, days).toordinal()
    if p in ("season", "quarter"):
        m1, m2 = first or 1, last or 12
        if p == "season" and m1 == 12:  # "Winter 2020" may mean Dec 2019 - Feb 2020 or Dec 2020 - Feb 2021
            return _dt.date(y - 1, 12, 1).toordinal(), _dt.date(y + 1, 2, 28).toordinal()
        return _dt.date(y, m1, 1).toordinal(), _dt.date(y, m2, calendar.monthrange(y, m2)[1]).toordinal()
    if p == "decade":
        return _dt.date(first or y, 1, 1).toordinal(), _dt.date(last or y + 9, 12, 31).toordinal()
    return _dt.date(y, 1, 1).toordinal(), _dt.date(y, 12, 31).toordinal()


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date or date range found in a text, with its span ``text[start:end]``."""

    start: int
    end: int
    value: DateValue
    end_value: DateValue | None = None  # the end of a range
    weekday: int | None = None  # the weekday written with the date (0 = Monday)
    kind: str = ""  # which grammar form matched (for tests and debugging)
    connector: str = ""  # the word or dash between the two ends of a range

    @property
    def is_range(self) -> bool:
        return self.end_value is not None

    @property
    def has_year(self) -> bool:
        return self.value.year is not None

    def bounds(self) -> tuple[int, int]:
        """Where the date (or a range's start, by which ranges order) lies."""
        return self.value.bounds()


def _day(s: str) -> int:
    return int(s.rstrip("stndrh"))


def _month(s: str) -> int:
    return MONTHS[s.rstrip(".").lower()]


def _value(m: re.Match[str], kind: str) -> tuple[DateValue, DateValue | None, int | None]:
    """The value (and a range's end) of one alternative of the master pattern."""
    g = m.group
    wd = None
    if kind in ("A", "B", "C", "I") and g(kind + "_wd"):
        wd = WEEKDAYS[re.match(r"[A-Za-z]+", g(kind + "_wd")).group().lower()]  # type: ignore[union-attr]
    if kind == "A":
        return DateValue(int(g("A_y")), _month(g("A_m")), _day(g("A_d"))), None, wd
    if kind == "B":
        return DateValue(int(g("B_y")), _month(g("B_m")), _day(g("B_d"))), None, wd
    if kind == "C":
        return DateValue(int(g("C_y")), int(g("C_m")), int(g("C_d"))), None, wd
    if kind == "H":
        return DateValue(int(g("H_y")), int(g("H_m")), int(g("H_d"))), None, wd
    if kind == "I":
        return DateValue(None, _month(g("I_m")), _day(g("I_d"))), None, wd
    if kind == "N":
        y, mo = int(g("N_y")), _month(g("N_m"))
        return DateValue(y, mo, _day(g("N_d"))), DateValue(y, mo, _day(g("N_d2"))), None
    if kind == "M":
        y, m1, m2 = int(g("M_y")), _month(g("M_m")), _month(g("M_m2"))
        # "December–February 2020": the start is in the year before
        return DateValue(y - 1 if m1 > m2 else y, m1, None, "month"), DateValue(y, m2, None, "month"), None
    if kind == "D":
        return DateValue(int(g("D_y")), _month(g("D_m")), None, "month"), None, None
    if kind == "E":
        m1, m2 = SEASONS[g("E_s").lower()]
        return DateValue(int(g("E_y")), None, None, "season", m1, m2), None, None
    if kind in ("F", "Q"):
        q = int(g(kind + "_q"))
        return DateValue(int(g(kind + "_y")), None, None, "quarter", 3 * q - 2, 3 * q), None, None
    if kind == "G":
        y = int(g("G_y"))
        mod = (g("G_mod") or "")[:-1].lower()
        first, last = {"early": (y, y + 3), "mid": (y + 3, y + 7), "late": (y + 6, y + 9)}.get(mod, (y, y + 9))
        return DateValue(y, None, None, "decade", first, last), None, None
    if kind == "J":
        y = int(g("J_y"))
        return DateValue(y, None, None, "year"), DateValue(int(g("J_y2")), None, None, "year") if g("J_y2") else None, None
    return DateValue(int(g("K_y")), None, None, "year"), None, None


def _short_year_end(m: re.Match[str]) -> DateValue | None:
    """The end of "2007–12": only with an en or em dash (2007-12 is ISO for December 2007), and soon after."""
    if m.group("J_c") == "-":
        return None
    start = int(m.group("J_y"))
    end = start // 100 * 100 + int(m.group("J_yy"))
    if end <= start:
        end += 100
    return DateValue(end, None, None, "year") if end - start <= 30 else None


def _one(text: str, m: re.Match[str], order: str | None) -> DateMatch | None:
    """The date at a master-pattern match, extended by a range tail when one follows."""
    kind = m.lastgroup or ""
    at = m.start(kind)  # not m.start(): in leading_date the match opens with the markers skipped
    if kind == "K" and not _YEAR_WORD.search(text, max(0, at - 9), at):
        return None
    value, end_value, wd = _value(m, kind)
    start = m.start(kind + "_y") if kind == "K" else at
    end = m.end()
    connector = ""
    if kind == "J":
        if end_value is None:
            end_value = _short_year_end(m)
            if end_value is None:
                return None
        connector = m.group("J_c")
    elif kind in ("N", "M"):
        connector = "-"
    if end_value is None:
        tail = _TAIL.match(text, end)
        if tail is not None:
            connector = tail.group("dash") or tail.group("word")
            end_value, end = _range_end(text, tail.end(), value, order, end)
            if end_value is None:
                connector = ""
            elif value.year is None and end_value.year is not None:
                # "May 15 – June 2, 1989": the start takes the end's year, or the year before across New Year
                y = end_value.year
                cand = DateValue(y, value.month, value.day, value.precision)
                if (value.month or 0) > (end_value.month or 13) and cand.bounds()[0] > end_value.bounds()[1]:
                    cand = DateValue(y - 1, value.month, value.day, value.precision)
                value = cand
    if kind == "I" and value.year is None and end_value is None and _month_only_guard(text, m):
        return None
    return DateMatch(start, end, value, end_value, wd, kind, connector)


def _month_only_guard(text: str, m: re.Match[str]) -> bool:
    """A year-less "Mar 3" needs a full month name or an abbreviation with its dot to count."""
    word = m.group("I_m")
    return len(word.rstrip(".")) <= 4 and not word.endswith(".") and word.lower() not in ("may", "june", "july")


def _range_end(text: str, pos: int, start: DateValue, order: str | None, old_end: int) -> tuple[DateValue | None, int]:
    """The end of a range starting at ``pos`` (after the connector), or (None, old_end)."""
    if start.precision == "day" and start.month is not None:
        d = _DAY_TAIL.match(text, pos)
        if d is not None and not _MON_AHEAD.match(text, d.end()):
            # "May 15–18, 1989" / "Oct 15–17": the day of the same month
            y = int(d.group("y")) if d.group("y") else start.year
            if start.year is not None and d.group("y") and start.year != y:
                return None, old_end
            day, month = _day(d.group("d")), start.month
            if start.day is not None and start.day >= 25 and day <= 7 and day < start.day:
                # "Sept 30-01": the range runs into the next month
                month += 1
                if month == 13:
                    month, y = 1, None if y is None else y + (0 if d.group("y") else 1)
            return DateValue(y, month, day), d.end()
    m = _master(order).match(text, pos)
    if m is not None and m.lastgroup not in ("K", "J", "N", "M"):
        value, end_value, _ = _value(m, m.lastgroup or "")
        if end_value is None and (value.year is not None or start.year is None):
            return value, m.end()
    if start.year is not None and start.precision in ("year", "decade", "month", "season", "quarter"):
        y = _BARE_YEAR.match(text, pos)
        if y is not None:
            return DateValue(int(y.group("y")), None, None, "year"), y.end()
    return None, old_end


_MON_AHEAD = re.compile(r"\s{1,2}(?:of\s)?" + _MON)


def find_dates(text: str, order: str | None = None, *, prefiltered: bool = False) -> Iterator[DateMatch]:
    """Every date and date range in ``text``, left to right, not overlapping.

    ``order`` ("MDY" or "DMY") enables numeric dates like 06/05/2019, which are ambiguous otherwise.
    A year alone counts only after a word that makes it one ("in 1949", "since 1959") or in a range.
    ``prefiltered``: the caller knows that may_hold_date(text) is true (a text of dated_blocks), so
    the quick test is skipped; it is only a shortcut, the dates found are the same.
    """
    if not prefiltered and not may_hold_date(text):
        return
    digit_match, word_match = _MATCHERS.get(order) or _matchers(order)
    if _needs_full_candidates(text):
        candidate = _CANDIDATE.search
    else:
        candidate = _FAST_CANDIDATE.search
    pos = 0
    while True:
        c = candidate(text, pos)
        if c is None:
            return
        at = c.start()
        m = (digit_match if c.group().isdigit() else word_match)(text, at)
        d = _one(text, m, order) if m is not None else None
        if d is None:
            pos = at + 1
            continue
        yield d
        pos = max(d.end, at + 1)


def _may_hold_date_re(text: str) -> bool:
    """Whether ``text`` has what every date holds (see _MAY_HOLD_DATE): most texts fail at a few scans in C.
    The reference for the C scan, and the fallback where it was not built."""
    return has_ascii_digit(text) and _MAY_HOLD_DATE.search(text) is not None


def _dated_blocks_py(blocks: list[Block]) -> list[Block]:
    """The prose blocks whose text may hold a date: the reference for the C scan, and its fallback."""
    return [b for b in blocks if b.kind not in ("code", "html") and _may_hold_date_re(b.text)]


def _c_scans() -> tuple[Callable[[str], bool], Callable[[list[Block]], list[Block]]] | None:
    """may_hold_date and dated_blocks in C, one pass over each text (half the prose blocks have a
    digit to search), where the module was built."""
    try:
        from postlint import _textscan
    except ImportError:  # pragma: no cover - built wherever a C compiler is
        return None
    return partial(_textscan.may_hold_date, _MONTH_DAY_WORDS), lambda blocks: _textscan.dated_blocks(blocks, _MONTH_DAY_WORDS)


def has_ascii_digit(text: str) -> bool:
    """Whether ``text`` holds one of 0-9, as every date does: ten scans in C cost less than one regex search."""
    return (
        "0" in text or "1" in text or "2" in text or "3" in text or "4" in text
        or "5" in text or "6" in text or "7" in text or "8" in text or "9" in text
    )


# The month words as _MON matches them, the ones a day may follow ("June 5").
_MONTH_DAY_WORDS = tuple(_cases(_FULL_MONTHS).split("|") + [w + dot for w in _cases(_ABBR_MONTHS).split("|") for dot in ("", ".")])


def _month_days() -> str:
    # Lookbehinds need a fixed width: the month words grouped by length.
    by_width: dict[int, list[str]] = {}
    for w in _MONTH_DAY_WORDS:
        by_width.setdefault(len(w), []).append(re.escape(w))
    return "|".join(rf"(?<=(?:{'|'.join(ws)})\s{{{n}}}[0-9])" for ws in by_width.values() for n in (1, 2))


# What every date holds: a year-like number (1, or 20 or 21, and two more digits: years and decades) that
# no fifth digit follows (every form ends a year with _YEAR_AFTER, a separator, "Q" or "s": the 1740 of
# issue #17407 is none), or a day after a month ("June 5"). Eight in ten blocks with a number have
# neither; one search tells them apart.
_MAY_HOLD_DATE = re.compile(r"[0-9](?:(?<=1)\d\d\d(?!\d)|(?<=2)[01]\d\d(?!\d)|(?<=[A-Za-z.\s]\s[0-9])(?:" + _month_days() + "))")  # \d: "1٩٥0s" too
_MATCHERS: dict[str | None, tuple] = {}
# may_hold_date(text): whether ``text`` has what every date holds; no other text has a date to find.
# _dated_blocks(blocks): the prose blocks of the list for which it is true.
may_hold_date, _dated_blocks = _c_scans() or (_may_hold_date_re, _dated_blocks_py)


def _matchers(order: str | None) -> tuple:
    _MATCHERS[order] = (_master(order, "digit").match, _master(order, "word").match)
    return _MATCHERS[order]


_HAS_DIGIT = re.compile(r"\d")
# Where a date can start: a number standing alone, or a word that can begin one. Trying the whole grammar
# only there keeps it several times faster than the Markdown parse on real text and on digit soup.
_CANDIDATE = re.compile(
    # The digit first and its neighbour checked after: a pattern that opens with a lookbehind is
    # tried at every position, one that opens with a character is scanned for it in C.
    r"\d(?<![\w$€£¥+\-/.:,#@%&=~^]\d)"
    r"|(?<![A-Za-z0-9_])(?:Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun|Q[1-4]"
    r"|JAN|FEB|MA[RY]|APR|JU[NL]|AUG|SEP|OCT|NOV|DEC|MON|TUE|WED|THU|FRI|SAT|SUN"
    # Words that start a date only when a number follows ("the 1980s", "mid-1950s", "Spring 2020"):
    # "the" alone is the commonest word in English.
    r"|(?:[Tt]he\s+(?:[Ee]arly|[Mm]id|[Ll]ate)?|[Ee]arly|[Mm]id|[Ll]ate|[Ss]pring|[Ss]ummer|[Ff]all|[Aa]utumn|[Ww]inter)(?=[\s\-–]*\d))"
)
# The same places but for the lower-case words and digits other than 0-9, in the text of most blocks.
# Every alternative opens with one literal character, so that the search skips in C to the next
# character that can start one; the lower-case words, which start with the commonest letters, cost
# three quarters of the search where they are tried, and a date that starts with one of them (only
# "the 1980s", "mid-1950s" and "spring 2020" can) leaves a trace that _LOWER_HINT finds from its digit.
_AFTER = r"(?=[\s\-–]*\d)"
_FIRST_LETTERS = {
    "J": ["an", "u[nl]", "AN", "U[NL]"],
    "F": ["eb", "ri", "EB", "RI", "all" + _AFTER],
    "M": ["a[ry]", "on", "A[RY]", "ON", "id" + _AFTER],
    "A": ["pr", "ug", "PR", "UG", "utumn" + _AFTER],
    "S": ["ep", "at", "un", "EP", "AT", "UN", "pring" + _AFTER, "ummer" + _AFTER],
    "O": ["ct", "CT"],
    "N": ["ov", "OV"],
    "D": ["ec", "EC"],
    "T": ["ue", "hu", "UE", "HU", r"he\s+(?:[Ee]arly|[Mm]id|[Ll]ate)?" + _AFTER],
    "W": ["ed", "ED", "inter" + _AFTER],
    "Q": ["[1-4]"],
    "E": ["arly" + _AFTER],
    "L": ["ate" + _AFTER],
}
_FAST_CANDIDATE = re.compile(
    "|".join([rf"{d}(?<![\w$€£¥+\-/.:,#@%&=~^]{d})" for d in "0123456789"]
             + [rf"{c}(?<![A-Za-z0-9_]{c})(?:{'|'.join(rest)})" for c, rest in _FIRST_LETTERS.items()])
)
# A digit that a date opening with a lower-case word would reach: the grammar takes "the" and a
# season with one or two spaces before the year, "early", "mid" and "late" with one space or hyphen.
_LOWER_HINT = re.compile(
    r"[12](?<=[\s\-][12])(?:"
    + "|".join(rf"(?<={w}\s{{{n}}}[12])" for w in ("the", "spring", "summer", "fall", "autumn", "winter") for n in (1, 2))
    + r"|(?<=[Ee]arly[\-\s][12])|(?<=[Mm]id[\-\s][12])|(?<=[Ll]ate[\-\s][12])"
    + ")"
)
_OTHER_DIGIT = re.compile(r"[^\D0-9]")  # a decimal digit other than 0-9 ("٣"), which _FAST_CANDIDATE skips


def _needs_full_candidates_re(text: str) -> bool:
    """Whether a date in ``text`` may start where _FAST_CANDIDATE does not look: at a lower-case word
    (_LOWER_HINT) or at a decimal digit other than 0-9. The reference for the C scan."""
    return _LOWER_HINT.search(text) is not None or (not text.isascii() and _OTHER_DIGIT.search(text) is not None)


def _c_full_candidates() -> Callable[[str], bool] | None:
    try:
        from postlint import _textscan
    except ImportError:  # pragma: no cover - built wherever a C compiler is
        return None
    return _textscan.needs_full_candidates


_needs_full_candidates = _c_full_candidates() or _needs_full_candidates_re


def leading_date(text: str, order: str | None = None) -> DateMatch | None:
    """The date that ``text`` starts with, after markers, brackets and line breaks (a timeline entry's date)."""
    if not _HAS_DIGIT.search(text, 0, 64):  # every date has a number near its start
        return None
    m = _lead(order).match(text)
    if m is None:
        return None
    if m.lastgroup != "Y":
        if m.lastgroup != "K":
            return _one(text, m, order)
        y = _BARE_YEAR.match(text, m.start("K"))
        if y is None:
            return None
        ys, ye = y.span()
    else:
        ys, ye = m.span("Y")
    if not _LEAD_YEAR_END.match(text, ye):
        return None
    value = DateValue(int(text[ys:ye]), None, None, "year")
    tail = _TAIL.match(text, ye)
    if tail is not None and tail.group("word"):
        end_value, end = _range_end(text, tail.end(), value, order, ye)
        if end_value is not None:
            return DateMatch(ys, end, value, end_value, None, "Y", tail.group("word"))
    return DateMatch(ys, ye, value, None, None, "Y")


@lru_cache(maxsize=4)
def _lead(order: str | None) -> re.Pattern[str]:
    """The markers of _LEAD_SKIP, then a date of the grammar or a bare year (``Y``), in one match.

    The skip is possessive: the grammar is tried only where all the markers end, as in two steps.
    """
    skip = _LEAD_SKIP.pattern + "+"
    year = _BARE_YEAR.pattern.replace("(?P<y>", "(?:")
    return re.compile(f"{skip}(?=\\d|{_LEAD_STARTS})(?:{_master(order).pattern}|(?P<Y>{year}))")


# How the words that can open a date begin: trying the whole grammar at the start of every paragraph
# costs microseconds, most paragraphs start otherwise.
_LEAD_STARTS = "|".join(sorted(
    {w[:2] for w in ("|".join([_cases(list(MONTHS)), _cases(list(WEEKDAYS)), _cases(list(SEASONS))])).split("|")}
    | {w[:2] for w in SEASONS} | {"Q", "Th", "th", "Ea", "ea", "Mi", "mi", "La", "la"}
))


# --------------------------------------------------------------------------- versions (changelogs)

_VERSION = re.compile(
    r"^[\s\[]{0,3}(?:(?:[Vv]ersion|[Rr]elease)\s{1,2})?\[?[vV]?"
    r"(?P<num>\d{1,6}(?:\.\d{1,6}){1,3})(?P<pre>[-.+]?[A-Za-z0-9][A-Za-z0-9.\-+]{0,40})?(?![\w.])"
)
# PEP 440 and semver suffixes that are final releases; any other suffix (-beta.1, rc1, .dev0,
# -658250a96) marks a pre-release or a build that is not ordered with the releases.
_FINAL_SUFFIX = re.compile(r"(?i)^(?:\+.*|[-.]?(?:post|final|ga|lts)\d*)$")


@dataclass(frozen=True, slots=True)
class Version:
    numbers: tuple[int, ...]
    prerelease: bool
    text: str

    @property
    def major(self) -> int:
        return self.numbers[0]


def parse_version(text: str) -> tuple[Version, int] | None:
    """The version a changelog heading starts with ("[1.2.0] - ...", "v3.4.1 (...)", "Version 0.9.19 - ..."),
    and the index where it ends."""
    m = _VERSION.match(text)
    if m is None:
        return None
    nums = tuple(int(x) for x in m.group("num").split("."))
    nums = nums + (0,) * (3 - len(nums)) if len(nums) < 3 else nums
    pre = m.group("pre") or ""
    # 0.0.0 is a placeholder for snapshot builds, never a release in the sequence
    prerelease = bool(pre and not _FINAL_SUFFIX.match(pre)) or not any(nums)
    return Version(nums, prerelease, m.group("num") + pre), m.end()


# --------------------------------------------------------------------------- dated entries of a document


@dataclass(frozen=True, slots=True)
class Entry:
    """One dated entry of a timeline: the block, its date (span in ``block.text``) and a changelog version."""

    block: Block
    date: DateMatch
    version: Version | None = None


def _image_only(b: Block) -> bool:
    text = b.text
    return b.kind in ("paragraph", "html") and (not text or text.isspace()) and (bool(b.images) or b.kind == "html")


def _entry(b: Block, order: str | None, dated: bool = True) -> Entry | None:
    """The block's entry; ``dated``: False when the block's text holds no date (only a version can open it)."""
    text = b.text
    if b.kind == "heading":
        v = parse_version(text)
        if v is not None:
            version, end = v
            for d in find_dates(text[end : end + 60], order):
                if d.has_year:
                    shifted = DateMatch(d.start + end, d.end + end, d.value, d.end_value, d.weekday, d.kind, d.connector)
                    return Entry(b, shifted, version)
                break
            return Entry(b, _NO_DATE, version)
    if not dated:
        return None
    d = leading_date(text, order)
    if d is None or not d.has_year:
        return None
    return Entry(b, d)


_NO_DATE = DateMatch(0, 0, DateValue(None))


def dated_blocks(doc: Document) -> list[Block]:
    """The prose blocks whose text may hold a date (about one in seven): no other block has a date to find."""
    return _dated_blocks(doc.blocks)


def timelines(
    doc: Document, order: str | None = None, min_entries: int = 3, dated: list[Block] | None = None
) -> list[list[Entry]]:
    """Runs of sibling blocks of one kind that each start with a date (changelog headings: a version and a date).

    Paragraphs, items of one list and rows of one table must follow each other (blocks holding only an
    image may sit between); headings of one level may have any content between them.
    Changelog entries without a date (unreleased, pre-releases) are kept with an empty date so that
    callers can see the versions; a run needs ``min_entries`` dated entries.
    ``dated``: ``dated_blocks(doc)``, when the caller has it.
    """
    if dated is None:
        dated = dated_blocks(doc)
    if not dated and min_entries > 0:  # most posts: no run can have a dated entry
        return []
    # An entry's date has a year, so only a dated paragraph, item or row can be one, and few are: they are
    # found first, and the siblings walked only where two of them share a parent.
    entries: dict[int, Entry] = {}
    per_parent: dict[int | None, int] = {}
    # A heading run keeps only headings with a date, and those are dated blocks: a parent with fewer dated
    # headings than min_entries has no run to keep, and its headings (most of them) are never parsed.
    heads: dict[int | None, int] = {}
    has_digit = _HAS_DIGIT.search
    for b in dated:
        kind = b.kind
        if kind == "heading":
            heads[b.parent] = heads.get(b.parent, 0) + 1
        elif kind in ("paragraph", "item", "table_row") and has_digit(b.text, 0, 64):
            entry = _entry(b, order)
            if entry is not None:
                entries[b.index] = entry
                per_parent[b.parent] = per_parent.get(b.parent, 0) + 1
    # A block run is all entries: it is kept only where a parent has min_entries of them, and two.
    min_run = max(2, min_entries)
    walk = {p for p, n in per_parent.items() if n >= min_run} | {p for p, n in heads.items() if n >= min_entries}
    if min_entries < 1:  # runs of undated changelog headings are kept too: every parent may hold one
        walk.update(b.parent for b in doc.blocks)
    if not walk:
        return []
    dated_ids = {b.index for b in dated}
    runs: list[list[Entry]] = []
    children: dict[int | None, list[Block]] = {}
    # In the order in which the parents first appear, as when every block is walked.
    for b in [b for b in doc.blocks if b.parent in walk]:
        children.setdefault(b.parent, []).append(b)
    for parent, siblings in children.items():
        if per_parent.get(parent, 0) >= min_run:
            runs.extend(_block_runs(siblings, entries))
        if heads.get(parent, 0) >= min_entries:
            runs.extend(_heading_runs([b for b in siblings if b.kind == "heading"], order, dated_ids))
    return [r for r in runs if sum(1 for e in r if e.date is not _NO_DATE) >= min_entries]


def _key(b: Block) -> tuple:
    return (b.kind, b.list_id)


def _block_runs(siblings: list[Block], entries: dict[int, Entry]) -> Iterator[list[Entry]]:
    """The runs of entries (``entries``: by block index) among the siblings, longer than one."""
    run: list[Entry] = []
    for b in siblings:
        entry = entries.get(b.index)
        if entry is None:
            if b.kind in ("paragraph", "html") and _image_only(b):
                continue  # an image between entries does not end the run
            if len(run) > 1:
                yield run
            run = []
        elif run and _key(run[-1].block) == _key(b):
            run.append(entry)
        else:
            if len(run) > 1:
                yield run
            run = [entry]
    if len(run) > 1:
        yield run


def _heading_runs(headings: list[Block], order: str | None, dated: set[int]) -> Iterator[list[Entry]]:
    open_runs: dict[int, list[Entry]] = {}
    for h in headings:
        entry = _entry(h, order, h.index in dated)
        for level in [lv for lv in open_runs if lv > h.level]:
            yield open_runs.pop(level)
        if entry is not None:
            open_runs.setdefault(h.level, []).append(entry)
        elif h.level in open_runs:
            yield open_runs.pop(h.level)
    yield from open_runs.values()


def has_date(entry: Entry) -> bool:
    return entry.date is not _NO_DATE


def publication_date(doc: Document) -> _dt.date | None:
    """The post's own date: front-matter ``date``, else the date its file name starts with."""
    fm = doc.front_matter
    value = fm.get(("date",)) if fm is not None and fm.ok else None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    m = _ISO_START.match(value) if isinstance(value, str) else None
    path = fm.get(("path",)) if fm is not None and fm.ok else None
    if m is None and isinstance(path, str):
        # Zola blogs keep the date only in the page path: path = "inside-rust/2026/08/10/slug"
        m = _PATH_DATE.search(path)
    if m is None:
        m = _ISO_START.match(doc.path.name)
    if m is None:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


_ISO_START = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")
