"""COUNT rules on fixture posts: exact (code, line) pairs; the example post and traps stay clean."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import pytest

from postlint.document import load_document, parse_text
from postlint.extract import enumerations
from postlint.extract.counts import plural_forms
from postlint.extract.enumerations import Outline, _label, _label_start, _openers, _plurals_by_stem
from postlint.registry import Context
from postlint.rules import ALL_RULES
from postlint.rules.counts import RULES, CountOptions

FIXTURES = Path(__file__).parent / "fixtures"
COUNTS = FIXTURES / "counts"
EXAMPLE_POST = FIXTURES / "example" / "2022-06-29-china-russia-relations.md"


def findings(path: Path, options: CountOptions | None = None) -> list[tuple[str, int]]:
    doc = load_document(path)
    ctx = Context(options=options or CountOptions())
    return sorted((rule.code, report.line) for rule in RULES for report in rule().check(doc, ctx))


def findings_in(text: str) -> list[tuple[str, int]]:
    doc = parse_text(Path("post.md"), "post.md", textwrap.dedent(text))
    return sorted((rule.code, r.line) for rule in RULES for r in rule().check(doc, Context(options=CountOptions())))


FIXTURE_CASES = [
    ("bad_more_sections.md", [("COUNT001", 5)]),
    ("bad_fewer_sections.md", [("COUNT001", 5)]),
    ("bad_renamed_section.md", [("COUNT001", 7)]),
    ("bad_list_lead_in.md", [("COUNT001", 3), ("COUNT001", 9)]),
    ("bad_table_lead_in.md", [("COUNT001", 3)]),
    ("bad_inline_enumeration.md", [("COUNT001", 3), ("COUNT001", 5)]),
    ("bad_front_matter_title.md", [("COUNT001", 2)]),
    ("good_front_matter_title.md", []),
    ("good_traps.md", []),
    ("bad_series_gap.md", [("COUNT002", 7)]),
    ("bad_series_duplicate.md", [("COUNT002", 7)]),
    ("bad_series_start.md", [("COUNT002", 3)]),
    ("bad_figure_captions.md", [("COUNT002", 11)]),
    ("good_series.md", []),
    ("bad_repeated_figure.md", [("COUNT003", 3), ("COUNT003", 7)]),
    ("good_repeated_figure.md", []),
]


@pytest.mark.parametrize(("name", "expected"), FIXTURE_CASES)
def test_fixture(name: str, expected: list[tuple[str, int]]) -> None:
    assert findings(COUNTS / name) == expected


def test_example_post_is_clean() -> None:
    assert findings(EXAMPLE_POST) == []


def test_every_fixture_is_in_the_table() -> None:
    listed = {p.name for p in COUNTS.glob("*.md")}
    assert listed == {name for name, _ in FIXTURE_CASES}


def test_front_matter_claim_is_reported_at_its_key() -> None:
    doc = load_document(COUNTS / "bad_front_matter_title.md")
    (report,) = RULES[0]().check(doc, Context(options=CountOptions()))
    assert (report.line, report.column) == (2, 1)
    assert '"Seven tips"' in report.message and "6" in report.message


def test_report_spans_the_number() -> None:
    doc = load_document(COUNTS / "bad_fewer_sections.md")
    (report,) = RULES[0]().check(doc, Context(options=CountOptions()))
    assert doc.line_text(report.line)[report.column - 1 : report.end_column - 1] == "four"


def test_front_matter_keys_option() -> None:
    assert findings(COUNTS / "bad_front_matter_title.md", CountOptions(front_matter_keys=("description",))) == []


def test_series_nouns_option() -> None:
    assert findings(COUNTS / "bad_series_gap.md", CountOptions(series_nouns=("step",))) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a claim in a heading governs that heading's section only
        (
            """\
            ## Three tips

            ### Tip 1

            ### Tip 2

            ## Other

            ### Tip 3
            """,
            [("COUNT001", 1)],
        ),
        # the claim comes after the sections: it is a summary, nothing to govern
        (
            """\
            ### Tip 1

            ### Tip 2

            Using these three tips helps.
            """,
            [],
        ),
        # a numbered list interrupted by a paragraph is still one list
        (
            """\
            Follow these three steps:

            1. One.

            Some explanation.

            2. Two.
            3. Three.
            """,
            [],
        ),
        # a table that counts its columns
        (
            """\
            We compare two tools:

            | | A | B |
            |-|---|---|
            | x | 1 | 2 |
            """,
            [],
        ),
        # a lead-in of its own ends the bullets before it
        (
            """\
            Two things:

            - a
            - b

            Then three things:

            - c
            """,
            [("COUNT001", 6)],
        ),
        # series restarting per section, and numbered across sections
        (
            """\
            ## Linux
            ### Step 1
            ### Step 2
            ## Windows
            ### Step 1
            ### Step 3
            """,
            [("COUNT002", 6)],
        ),
        # a section that numbers on from the one before, with a gap of its own
        (
            """\
            ## Setting up
            ### Step 1
            ### Step 2
            ## Changing
            ### Step 3
            ### Step 5
            ## Linux
            ### Step 1
            ### Step 2
            """,
            [("COUNT002", 6)],
        ),
    ],
)
def test_inline_cases(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings_in(text) == expected


def test_rules_are_registered_with_unique_codes_and_names() -> None:
    for rule in RULES:
        assert rule in ALL_RULES
        assert rule.code.startswith("COUNT") and rule.family == "counts" and rule.options_table == "counts"
    assert len({r.name for r in RULES}) == len(RULES)
    assert [r.code for r in RULES if not r.default_enabled] == ["COUNT003"]


def test_many_claims_and_headings_stay_fast() -> None:
    """Thousands of claims and headings in one post: no quadratic blow-up (guarded by a timeout)."""
    import multiprocessing

    proc = multiprocessing.Process(target=_lint_large_post)
    proc.start()
    proc.join(60)
    if proc.is_alive():
        proc.kill()
        pytest.fail("linting a post with 20,000 claims and headings did not finish")
    assert proc.exitcode == 0


def _lint_large_post() -> None:
    posts = [
        "".join(f"## Feature {i}\n\nThere are three features and the following two steps:\n\n- a\n- b\n\n" for i in range(5_000)),
        # every claim governs all the sibling sections after it
        "---\ntitle: three tips\n---\n" + "".join(f"## Tip {i}\n\nThree tips.\n\n" for i in range(1, 20_000)),
        "".join("Two things:\n\n- a\n\n" for _ in range(20_000)),
        "three steps: 1) a 2) b " + "x " * 1_000_000 + " two steps: a" * 10_000,
    ]
    for text in posts:
        doc = parse_text(Path("big.md"), "big.md", text)
        for rule in RULES:
            list(rule().check(doc, Context(options=CountOptions())))


def test_introduction_claim_governs_sibling_sections() -> None:
    text = """\
    ## Introduction

    We do this in four steps.

    ## Step 1

    ## Step 2

    ## Step 3
    """
    assert findings_in(text) == [("COUNT001", 3)]


def _markdown_block(section: str) -> str:
    body = section.split("```markdown", 1)[1]
    return body.split("\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_documented_examples(rule: type) -> None:
    """The Example triggers the rule, Use instead does not (the docs test runs these too)."""
    ctx = Context(options=CountOptions())
    bad = parse_text(Path("post.md"), "post.md", _markdown_block(rule.section("Example")))
    good = parse_text(Path("post.md"), "post.md", _markdown_block(rule.section("Use instead")))
    assert list(rule().check(bad, ctx))
    assert not list(rule().check(good, ctx))


def test_one_claim_over_several_series_is_not_judged() -> None:
    text = """\
    ---
    title: Install it in three steps
    ---

    ## Linux

    ### Step 1

    ### Step 2

    ### Step 3

    ## Windows

    ### Step 1

    ### Step 2

    ### Step 3
    """
    assert findings_in(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "- There are three options:\n  - Red.\n  - Blue.\n- Done.\n",
        "- There are three options:\n\n  - Red.\n  - Blue.\n\n- Done.\n",
    ],
    ids=["tight", "loose"],
)
def test_lead_in_inside_a_list_item(text: str) -> None:
    assert findings_in(text) == [("COUNT001", 1)]


def test_short_items_that_name_several_things_are_not_judged() -> None:
    text = """\
    We grow three fruits:

    - Apples and pears.
    - Plums.
    """
    assert findings_in(text) == []


@pytest.mark.parametrize(
    ("claim", "headings", "expected"),
    [
        ("We compare three countries.", ["Country 1", "Country 2"], [("COUNT001", 1)]),
        ("We compare Three Countries.", ["Country 1", "Country 2"], [("COUNT001", 1)]),
        ("Three analyses follow.", ["Analysis 1", "Analysis 2"], [("COUNT001", 1)]),
        ("Three classes follow.", ["Class 1", "Class 2"], [("COUNT001", 1)]),
        ("Two branches follow.", ["Branch 1", "Branch 2", "Branch 3"], [("COUNT001", 1)]),
        ("Here are 3 boxes.", ["Box 1", "Box 2"], [("COUNT001", 1)]),
        ("Meet the three children.", ["Child 1", "Child 2"], [("COUNT001", 1)]),
        ("Three series follow.", ["Series 1", "Series 2"], [("COUNT001", 1)]),
        # irregular plurals that keep no stem ("people" holds no "pers") are compared too, on their own
        ("We asked two people.", ["Person 1", "Person 2", "Person 3"], [("COUNT001", 1)]),
        ("We asked two people and a persona.", ["Person 1", "Person 2", "Person 3"], [("COUNT001", 1)]),
        ("We asked three people.", ["Person 1", "Person 2", "Person 3"], []),
        # a foot is a unit of length, never a count of the post's parts
        ("It is three feet long.", ["Foot 1", "Foot 2"], []),
        ("Two steps-by-step guides.", ["Step 1", "Step 2", "Step 3"], []),
        # the filter reads front-matter values too: a plural of a heading noun, an inline enumeration
        ("---\ntitle: We compare three countries\n---", ["Country 1", "Country 2"], [("COUNT001", 2)]),
        ("---\ntitle: 'Three groups: 1) users, 2) sponsors'\n---", ["Other 1", "Other 2"], [("COUNT001", 2)]),
        ("---\ntitle: Three tips\n---", ["Country 1", "Country 2"], []),
    ],
)
def test_plural_filter_hides_no_claim(monkeypatch, claim: str, headings: list[str], expected: list) -> None:
    # may_compare and may_hold_cardinal only save time: reading every block gives the same findings.
    text = claim + "\n\n" + "".join(f"## {h}\n\nText.\n\n" for h in headings)
    assert findings_in(text) == expected
    every = lambda stems, text: True  # noqa: E731
    monkeypatch.setattr(enumerations, "may_compare_re", every)
    monkeypatch.setattr(enumerations, "_MAY_COMPARE", every)
    monkeypatch.setattr(enumerations, "may_hold_cardinal", lambda text: True)
    monkeypatch.setattr(enumerations, "_COMPARABLE_BLOCKS", enumerations._comparable_blocks_py)
    doc = parse_text(Path("p.md"), "p.md", text)
    assert len(Outline(doc).comparable_blocks()) == len(list(doc.prose_blocks()))  # the patch reads every block
    assert findings_in(text) == expected


def test_plurals_by_stem_find_what_any_plural_does() -> None:
    """``may_compare`` tests a plural only under a part of it that the text holds: the same answer
    as testing every plural of every heading noun."""
    nouns = ["country", "person", "analysis", "box", "step", "child", "foot", "series", "add", "io", "use"]
    rng = random.Random(11)
    pieces = [*"aeiostn -", "countries", "people", "analyses", "boxes", "steps", "children", "feet", "series",
              "adds", "ios", "uses'", "COUNTR", "Ies", "PERSON", "step", "İ", "\u212a"]
    for _ in range(300):
        chosen = frozenset(rng.sample(nouns, rng.randint(1, 4)))
        plurals = {p for noun in chosen for p in plural_forms(noun)}
        groups = _plurals_by_stem(chosen)
        for _ in range(30):
            low = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))).lower()
            grouped = any(stem in low and any(p in low for p in group) for stem, group in groups)
            assert grouped == any(p in low for p in plurals), (chosen, low)


def test_label_start_matches_what_one_alternative_per_noun_does() -> None:
    """``_label_start`` groups the nouns by first letter; it accepts what the plain alternation does,
    and never rejects a text that ``_label`` reads a label from."""
    nouns = ("step", "Stage", "stage", "part", "partition", "fig", "figure", "s", "c++", "q&a", "étape", "ßeta", "")
    marks = "\n ▲*_"
    flat = "|".join(f"[{re.escape(n[0].lower() + n[0].upper())}]{re.escape(n[1:])}" for n in sorted(set(nouns)) if n)
    reference = re.compile(f"[{re.escape(marks)}]*+\\s*+(?:{flat})[. \\t]").match
    may_label = _label_start(_openers(nouns), marks)
    pieces = ["Step", "step", "STEP", "Steps", "Stage", "part", "Partition", "Fig", "figure", "S", "s", "C++", "Q&A",
              "Étape", "étape", "SSeta", "ßeta", " ", "\t", "\n", "▲", "*", "_", ".", "1", "Two", ":"]
    rng = random.Random(5)
    texts = ["Step 1", "Fig. 2", "* Figure 3", "partition 4", "c++ 5", "Étape 6", "Steps 7", ""]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))) for _ in range(5_000)]
    for text in texts:
        assert bool(may_label(text)) == bool(reference(text)), text
        if _label(text.lstrip(marks), tuple(n for n in nouns if n.islower())) is not None:
            assert may_label(text), text
