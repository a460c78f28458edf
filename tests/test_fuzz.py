"""Fuzzing the whole offline pipeline with hypothesis: no exception escapes, positions are valid, runs agree.

Bounded for CI; set POSTLINT_FUZZ_EXAMPLES (e.g. 5000) for a longer run.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postlint import engine
from postlint.config import Settings
from postlint.document import load_document
from postlint.rules import REGISTRY

EXAMPLES = int(os.environ.get("POSTLINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=not os.environ.get("POSTLINT_FUZZ_EXAMPLES"))
RUN = engine.RunOptions(offline=True, jobs=1)
ALL = Settings(select=("ALL",))
CODES = {r.code for r in REGISTRY.rules}

_words = st.sampled_from(
    [
        "three", "features", "Feature 1", "Step 2", "the following five steps:", "May 15–18, 1989", "February 30, 1950",
        "Tuesday, June 5, 2019", "1960 – 1989", "Q3 2021", "the 1980s", "mid-1950s", "$30", "+0800", "10,000", "▲",
        "__October 1949.__", "**Dec 7, 2025**", "![img](x.png)", "![](https://example.com/a.png)", "<img src='y.gif'>",
        "`code`", "[link](u)", "{{< figure src=\"a.png\" >}}", "{% image \"b.png\" %}", "\u202e", "\x00", "\ud800", "é",
        "## [1.2.0] - 2023-01-05", "<!-- postlint-disable DATE001 -->", "<!-- postlint-disable-next-line -->", "|", "---",
    ]
)
_line = st.lists(st.one_of(_words, st.text(max_size=12)), max_size=8).map(" ".join)
_prefix = st.sampled_from(["", "# ", "## ", "### ", "- ", "* ", "1. ", "2. ", "> ", "| ", "    ", "```\n", "▲ "])
_body = st.lists(st.tuples(_prefix, _line), max_size=25).map(lambda rows: "\n".join(p + l for p, l in rows))
_yaml_value = st.one_of(
    st.sampled_from(["2022-02-30", "2022-06-29 12:00:00 +0800", "[a, b", "&a [*a]", "'x", "{}", "~", "- x", "@", "\t"]),
    st.text(max_size=20),
)
_front_matter = st.one_of(
    st.just(""),
    st.dictionaries(st.sampled_from(["title", "date", "tags", "image", "author", "draft", "description", "$schema"]), _yaml_value, max_size=6).map(
        lambda d: "---\n" + "".join(f"{k}: {v}\n" for k, v in d.items()) + "---\n"
    ),
    st.dictionaries(st.sampled_from(["title", "date", "tags"]), st.text(max_size=10), max_size=4).map(
        lambda d: "+++\n" + "".join(f"{k} = {v!r}\n" for k, v in d.items()) + "+++\n"
    ),
    st.text(max_size=40).map(lambda t: "{\n" + t + "\n}\n"),
    st.sampled_from(["---\ntitle: x\n", "+++\n", "<!--{ \"Title\": 1 }-->\n", "---\n- a\n---\n"]),
)
_post = st.tuples(_front_matter, _body).map(lambda fb: fb[0] + fb[1])


def _check(tmp: Path, data: bytes) -> None:
    path = tmp / "post.md"
    path.write_bytes(data)
    results = []
    for _ in range(2):
        doc = load_document(path, "post.md")
        findings = engine.lint_document(doc, ALL, RUN)[0]
        results.append(findings)
    assert results[0] == results[1]
    assert [f.message for f in results[0]] == [f.message for f in results[1]]
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.split("\n")
    for f in results[0]:
        assert f.code in CODES
        assert 1 <= f.line <= max(len(lines), 1), f
        assert 1 <= f.column <= len(lines[f.line - 1].rstrip("\r")) + 2, f


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    _check(tmp_path_factory.mktemp("fuzz"), data)


@FUZZ
@given(st.text(max_size=400))
def test_random_unicode(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    _check(tmp_path_factory.mktemp("fuzz"), text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(_post)
def test_generated_posts(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    _check(tmp_path_factory.mktemp("fuzz"), text.encode("utf-8", "surrogatepass"))
