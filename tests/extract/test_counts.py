"""Table tests for reading count claims and numbered labels."""

from __future__ import annotations

import multiprocessing
import random
import re
import sys

import pytest

from postlint.extract.counts import (
    _CARDINAL, _IRREGULAR, _WORD_CARDINAL, _cardinals, find_claims, inline_enumeration, number_value, plural_forms, read_label,
    singular, starts_with_noun,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # number words and digits, with their singular noun
        ("a historical backgrounder and three features examining", [(3, "feature")]),
        ("five key ways in which China benefits", [(5, "way")]),
        ("the following 4 steps:", [(4, "step")]),
        ("these two reasons", [(2, "reason")]),
        ("Seven new APIs were stabilized", [(7, "api")]),
        ("twenty-one analyses", [(21, "analysis")]),
        ("twenty one countries", [(21, "country")]),
        ("a dozen boxes", [(12, "box")]),
        ("the survey reached 1,200 respondents", [(1200, "respondent")]),
        ("a total of 53 military exercises", [(53, "exercise")]),
        ("consists of three parts", [(3, "part")]),
        ("Eleven Lessons", [(11, "lesson")]),
        # measures, money, percentages, years, ranges, ordinals, approximations: not claims
        ("around 10,000 troops", []),
        ("nearly $30 trillion", []),
        ("Xi has met with Putin 39 times", []),
        ("it takes 3 days", []),
        ("more than double", []),
        ("about 5 people", []),
        ("over 20 tips", []),
        ("at least two cycles afterwards:", []),
        ("up to 8 threads", []),
        ("2-3 files", []),
        ("between 2 and 5 items", []),
        ("two or three weeks", []),
        ("one of three reasons", []),
        ("25% of users", []),
        ("in 2005 countries", []),
        ("the 1990s", []),
        ("the 2nd and 3rd sections", []),
        ("3.5 stars", []),
        ("the first three steps", []),
        ("another four exercises", []),
        ("three hundred pages", []),
        ("one reason", []),
        # a number that is part of a name
        ("Round Two projects", []),
        ("Node.js 6 LTS", []),
        ("Phase 2 benchmarks", []),
        ("Add several new tier 3 targets:", []),
        ("type 2 errors", []),
        ("Go 1.21 releases", []),
        # the number belongs to no plural noun
        ("two of the items", []),
        ("three is a crowd", []),
        ("the 3 CSS", []),
    ],
)
def test_find_claims(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(c.value, c.singular) for c in find_claims(text)] == expected


def test_claim_spans_and_context() -> None:
    text = "Here are the following four key steps:"
    (c,) = find_claims(text)
    assert text[c.start : c.end] == "four"
    assert text[c.noun_start : c.noun_end] == "steps"
    assert c.modifiers == ("key",)
    assert c.following and not c.digits
    assert c.phrase == "key step"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("features", "feature"),
        ("ways", "way"),
        ("countries", "country"),
        ("analyses", "analysis"),
        ("boxes", "box"),
        ("branches", "branch"),
        ("people", "person"),
        ("APIs", "api"),
        ("series", "series"),
        ("releases", "release"),
        ("status", None),
        ("class", None),
        ("analysis", None),
        ("LTS", None),
        ("this", None),
        ("feature", None),
    ],
)
def test_singular(word: str, expected: str | None) -> None:
    assert singular(word) == expected


def test_plural_forms_hold_every_plural_singular_reads() -> None:
    """A text that holds a word singular() reads as noun holds one of plural_forms(noun), lower-cased."""
    words = [
        *_IRREGULAR, "features", "countries", "analyses", "paralyses", "boxes", "branches", "wishes", "quizzes",
        "classes", "processes", "APIs", "URLS", "COMMITSS", "Steps", "STEPS", "keys", "spies", "Uses’", "uses'",
        "open-source-projects", "step-by-steps", "axes", "data", "series", "kiwis", "bus", "gases",
    ]
    rng = random.Random(3)
    letters = "aeiosuxyzchST"
    words += ["".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) + rng.choice(["s", "es", "ies", "ses"]) for _ in range(5_000)]
    for word in words:
        noun = singular(word)
        if noun is not None:
            assert any(form in f"the {word.lower()} here" for form in plural_forms(noun)), word


@pytest.mark.parametrize(
    ("token", "expected"),
    [("12", 12), ("1,200", 1200), ("seven", 7), ("Twenty-One", 21), ("ninety", 90), ("twenty-ten", None), ("1.5", None), ("x", None)],
)
def test_number_value(token: str, expected: int | None) -> None:
    assert number_value(token) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Feature 1: What Are the Key Strengths?", ("feature", 1, "")),
        ("Step Two", ("step", 2, "")),
        ("Tip #3 - Take notes", ("tip", 3, "")),
        ("Part 1 of 3", ("part", 1, "")),
        ("Fig. 2. Latency", ("fig", 2, "")),
        ("Stage 1a: manual controls", ("stage", 1, "a")),
        ("Figure 3", ("figure", 3, "")),
        ("Part 2nd: more", ("part", 2, "")),
        ("Part Third", ("part", 3, "")),
        ("Go 1.21", None),
        ("Versions 4.x are affected", None),
        ("Node 18 released", None),
        ("Backgrounder: How", None),
    ],
)
def test_read_label(text: str, expected: tuple[str, int, str] | None) -> None:
    label = read_label(text)
    assert (None if label is None else (label.noun, label.value, label.sub)) == expected
    if label is not None:
        assert text[label.start : label.end] in {"1", "1a", "2", "3", "Two", "2nd", "Third"}


@pytest.mark.parametrize(
    ("text", "noun", "expected"),
    [
        ("Feature 1: Strengths", "feature", True),
        ("Backgrounder: How Has It Evolved?", "backgrounder", True),
        ("Step Two", "step", True),
        ("Tip", "tip", True),
        ("Features", "feature", False),
        ("Feature flags in depth", "feature", False),
        ("Example configuration", "example", False),
    ],
)
def test_starts_with_noun(text: str, noun: str, expected: bool) -> None:
    assert starts_with_noun(text, noun) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("three groups: 1) users, 2) maintainers and 3) sponsors", 3),
        ("two phases: (a) gathering and (b) voting", 2),
        ("two parts: 1) the solver. 2) the design.", 2),
        ("see 1) here", 0),
        ("a smiley :) and b) nothing", 0),
        ("1) one 2) two 1) again 2) again 3) and again", 2),
        ("v1.2) and 3) are not a run", 0),
    ],
)
def test_inline_enumeration(text: str, expected: int) -> None:
    assert len(inline_enumeration(text)) == expected


def _read_huge(queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    line = ("1234567890" * 150_000) + " " + ("twenty one two three items, " * 60_000)
    enumerated = len(inline_enumeration("1) " * 1_000_000))
    queue.put(sum(1 for _ in find_claims(line)) + (read_label("Step " + "9" * 3_000_000) is None) + enumerated)


def test_linear_on_a_huge_line() -> None:
    """A 3 MB line of digits and number words must not make the regular expressions backtrack."""
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    proc = multiprocessing.Process(target=_read_huge, args=(queue,))
    proc.start()
    proc.join(60)
    if proc.is_alive():
        proc.kill()
        pytest.fail("reading a 3 MB line did not finish: catastrophic backtracking?")
    assert queue.get(timeout=5) >= 1


@pytest.mark.parametrize(
    "text",
    [
        "", "two", "Two items", "TWENTY-one", "x two", "xtwo two_ two2 two", "1,000 and 1,00 and 12,345,678",
        "$3 €4 .5 1.5 v2 3% 4+ 5x 1234 123 0", "a dozen eggs, Dozen, dozens", "(three) [four] 'five' five's",
        "ſix ſeven fıve nİne Kelvin", "٣ items, ١٢ steps, ٣,٠٠٠ users, x٣", "été three, naïve 4 features", "end with ten",
    ],
)
def test_cardinals_as_the_single_pattern(text: str) -> None:
    """The split, faster search finds exactly the spans the single pattern does."""
    assert _cardinals(text) == [m.span() for m in _CARDINAL.finditer(text)]


def test_cardinals_as_the_single_pattern_fuzzed() -> None:
    pieces = [
        *"0123456789,. $€£¥%+-_'\n", *"abdefhinorstuvwxyzTWOFIVESNDZ", "ſ", "ı", "İ", "é", "٣",
        "two", "Three", "TEN", "twelve", "thirty", "Twenty", "fourteen", "fifteen", "forty", "sixty",
        "seventeen", "eighteen", "eleven", "nineteen", "dozen", "1,000", "123", "1234",
    ]
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert _cardinals(text) == [m.span() for m in _CARDINAL.finditer(text)], text


def test_cardinals_as_the_single_pattern_fuzzed_ascii() -> None:
    """ASCII text takes one combined search of its own: digits and words side by side, in any case."""
    pieces = [
        *"0123456789,. $%+-_'\n()#:", *"abdefhinorstuvwxyzTWOFIVESNDZ", "two", "Three", "TEN", "twelve", "thirty",
        "Twenty", "fourteen", "FIFTEEN", "forty", "sixty", "seventeen", "eighteen", "eleven", "nineteen", "dozen",
        "1,000", "123", "1234", "3two", "two3",
    ]
    rng = random.Random(13)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert _cardinals(text) == [m.span() for m in _CARDINAL.finditer(text)], text


def test_first_letters_of_number_words_under_ignorecase() -> None:
    """The non-ASCII word pattern lists by hand what (?i) matches to a number word's first letter."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    listed = re.match(r"\[([^]]+)\]", _WORD_CARDINAL.pattern).group(1)  # type: ignore[union-attr]
    assert sorted(listed) == sorted(ch for c in "tfsend" for ch in re.findall(f"(?i:{c})", every))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("all 14 workshops, then 13 workshops, then a total of 12 workshops", [14, 12]),
        ("The\n 3 teams and the a dozen eggs, not a dozen apples", [3, 12]),
        ("bathe 3 dogs, (the) 4 cats, ALL five cats", [5]),
    ],
)
def test_find_claims_after(text: str, expected: list[int]) -> None:
    after = ("the", "all", "of")
    assert [c.value for c in find_claims(text, after)] == [c.value for c in find_claims(text) if c.before[-1:] and c.before[-1] in after] == expected
