"""COUNT rules: stated counts agree with what the post enumerates; numbered series have no gaps."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from postlint.document import Block, Document
from postlint.extract.counts import Claim, Label, find_claims, inline_enumeration, read_label, starts_with_noun
from postlint.registry import Context, Report, Rule

_NOTE_ITEM = re.compile(r"\s*(?:note|nb|n\.b\.|tip|warning|caution|update|edit|important)\s*:", re.I)
# A count right after one of these counts the object of a preposition, not what the list lists.
_PREPOSITIONS = {
    "across", "in", "of", "from", "during", "over", "among", "between", "after", "before", "within",
    "with", "at", "on", "by", "into", "through", "throughout", "via", "under", "per", "for", "to",
    "about", "like", "than",
}
_POSSESSIVE = {"the", "our", "their", "its", "my", "your", "his", "her", "all", "these", "those"}
_BACKWARD = {"above", "preceding", "previous", "earlier", "aforementioned", "mentioned", "described", "former", "latter"}
_CODE_SPAN = re.compile(r"`[^`\n]+`")


# Nouns whose numbers order the post's own parts; "Issue 992", "Node 18" or "March 24" do not.
SERIES_NOUNS = tuple(
    "step part chapter section feature tip lesson exercise question stage day week module unit example "
    "appendix episode round rule reason method option way task level session lab problem challenge quiz "
    "milestone principle myth mistake tutorial phase scenario pattern approach strategy idea practice "
    "trick solution goal objective recommendation finding takeaway insight answer experiment iteration "
    "sprint track workshop talk video volume act scene slide demo puzzle requirement benefit advantage "
    "pillar factor habit prediction trend theme topic story case item".split()
)


@dataclass(frozen=True)
class CountOptions:
    """``[tool.postlint.counts]``."""

    front_matter_keys: tuple[str, ...] = ("title", "description", "excerpt")
    caption_nouns: tuple[str, ...] = ("figure", "fig", "table", "chart", "exhibit", "diagram", "graph")
    series_nouns: tuple[str, ...] = SERIES_NOUNS


def _options(ctx: Context) -> CountOptions:
    return ctx.options if isinstance(ctx.options, CountOptions) else CountOptions()


# --------------------------------------------------------------------------- where claims are


@dataclass(frozen=True)
class Source:
    """Where a claim was read: a body block, or a front-matter key (then ``block`` is None)."""

    text: str
    block: Block | None = None
    key: str | None = None

    def report(self, doc: Document, claim: Claim, message: str) -> Report:
        if self.block is not None:
            b = self.block
            return Report.at(doc, b.offset_of(claim.start), message, b.offset_of(claim.end))
        line, column = doc.front_matter.line_of((self.key,)) if doc.front_matter else (1, 1)
        return Report(line, column, message)


def claims(doc: Document, keys: tuple[str, ...]) -> Iterator[tuple[Source, Claim]]:
    fm = doc.front_matter
    if fm is not None and fm.ok:
        for key in keys:
            value = fm.data.get(key)
            if isinstance(value, str):
                for c in find_claims(value):
                    yield Source(value, key=key), c
    for b in doc.prose_blocks():
        if b.kind == "paragraph" and b.parent is not None and doc.blocks[b.parent].text is b.text:
            continue  # a loose item's first paragraph is read once, as the item
        src = Source(b.text, b)
        for c in find_claims(b.text):
            yield src, c


def quoted(src: Source, claim: Claim) -> str:
    return " ".join(src.text[claim.start : claim.noun_end].split())


def lines_of(blocks: list[Block]) -> str:
    shown = ", ".join(str(b.line) for b in blocks[:8])
    return shown + (", ..." if len(blocks) > 8 else "")


# --------------------------------------------------------------------------- sections


class Outline:
    """The post's headings and lists, indexed once per check so that many claims stay cheap."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.headings = doc.headings
        self.heading_at = [h.index for h in self.headings]
        self.items: dict[int | None, list[Block]] = {}
        self.owner: list[int] = []  # per block: position in self.headings of its section's heading, or -1
        k = -1
        for b in doc.blocks:
            if b.kind == "heading":
                k += 1
            elif b.kind == "item":
                self.items.setdefault(b.list_id, []).append(b)
            self.owner.append(k)
        self._matched: dict[tuple[int, str], list[Block]] = {}

    def counted_headings(self, block: Block | None, noun: str) -> list[Block] | None:
        """Headings that open with ``noun`` at one level of the section the claim governs, after it."""
        owner = -1 if block is None else self.owner[block.index]
        after = -1 if block is None else block.index
        matched = [h for h in self._matching(owner, noun, False) if h.index > after]
        if not matched and block is not None and block.kind != "heading" and owner >= 0:
            # An introduction's claim ("in four steps") governs the sibling sections after it.
            matched = [h for h in self._matching(owner, noun, True) if h.index > after]
        if not matched or len({h.level for h in matched}) > 1:
            return None
        numbers = [label.value for h in matched if (label := read_label(h.text.lstrip())) is not None]
        if len(set(numbers)) < len(numbers):
            return None  # "Step 1-3" under Linux and again under Windows: which series is counted?
        return matched if len(matched) >= 2 or numbers else None

    def _matching(self, owner: int, noun: str, siblings: bool) -> list[Block]:
        key = (owner, noun, siblings)
        if key not in self._matched:
            self._matched[key] = [h for h in self._section(owner, siblings) if starts_with_noun(h.text, noun)]
        return self._matched[key]

    def _section(self, owner: int, siblings: bool) -> Iterator[Block]:
        """Headings below the heading at ``owner`` (all for -1) up to its next sibling, or with ``siblings``
        up to the end of its parent's section."""
        level = self.headings[owner].level if owner >= 0 else 0
        for h in itertools.islice(self.headings, owner + 1, None):
            if h.level < level or h.level == level and not siblings:
                return
            yield h


# --------------------------------------------------------------------------- lists after a lead-in


def lead_in_claim(src: Source) -> Claim | None:
    """The claim a block ending with a colon makes about what follows it, if unambiguous."""
    text = src.text.rstrip()
    if src.block is None or not text.endswith(":"):
        return None
    found = list(find_claims(text))
    if not found:
        return None
    claim = found[-1]
    tail = text[claim.noun_end : -1]
    if re.search(r"[.!?;)]", tail) or len(tail.split()) > 6:
        return None  # another sentence, or a parenthesis, stands between the claim and the colon
    words = {*claim.before, *claim.modifiers, *re.findall(r"[a-z]+", tail.lower())}
    if words & _BACKWARD:
        return None  # "the preceding two examples are:" counts what came before
    head = [w for w in claim.before if w not in _POSSESSIVE]
    if not claim.following and head and head[-1] in _PREPOSITIONS:
        return None  # "themes ... across our three sessions:"
    return claim


def following_items(outline: Outline, block: Block, claim: Claim) -> list[Block] | None:
    """Top-level items (or table rows) right after ``block``; None if there is no such list or it is ambiguous."""
    doc = outline.doc
    blocks = doc.blocks
    nxt = next(
        (
            b
            for b in itertools.islice(blocks, block.index + 1, None)
            if b.start >= block.end or b.parent == block.index and b.text is not block.text  # not a loose item's own paragraph
        ),
        None,
    )
    if nxt is None:
        return None
    if nxt.kind == "table_head":
        if sum(1 for c in nxt.cells if c) == claim.value:
            return None  # the claim counts the columns: "two approaches:" compared side by side
        rows = []
        for b in itertools.islice(blocks, nxt.index + 1, None):
            if b.kind != "table_row" or b.parent != nxt.parent:
                break
            rows.append(b)
        return rows
    if nxt.kind != "item":
        return None
    items = list(outline.items[nxt.list_id])
    while True:
        after = _next_sibling_list(doc, items[-1])
        if after is None:
            return items
        first, between = after
        if first.ordered and nxt.ordered and first.number == (items[-1].number or 0) + 1:
            items += outline.items[first.list_id]
            continue  # a numbered list interrupted by code or prose, numbering on
        if not first.ordered and not nxt.ordered and between:
            return None  # bullets interrupted by prose: one list or two?
        return items


def _next_sibling_list(doc: Document, last: Block) -> tuple[Block, bool] | None:
    between = False
    for b in itertools.islice(doc.blocks, last.index + 1, None):
        if b.start < last.end:
            continue
        if b.kind == "item" and b.list_id != last.list_id and b.depth == last.depth:
            return b, between
        if b.kind in ("heading", "table_head") or b.depth < last.depth and b.kind == "item":
            return None
        if b.kind in ("paragraph", "code", "html", "blockquote"):
            between = True
    return None


def item_count(doc: Document, items: list[Block], claim: Claim) -> int | None:
    """How many things the items list, or None when they bundle several per item."""
    real = [b for b in items if not _NOTE_ITEM.match(b.text)] or items
    if len(real) < claim.value:
        for b in real:
            raw = doc.text[b.start : b.end]
            if len(b.links) >= 2 or len(_CODE_SPAN.findall(raw)) >= 2 or ", " in b.text and len(b.text) < 80:
                return None  # "Seven new APIs:" with four bullets naming seven
    return len(real)


# --------------------------------------------------------------------------- rules


class CountMismatch(Rule):
    """A stated count does not match the sections or list items the post enumerates.

    ## What it does
    Reads count claims ("three features", "the following 4 steps:", "Seven tips for ..." in the
    front-matter `title`, `description` or `excerpt`) and compares them with what the post itself
    enumerates:

    - headings that open with the counted noun (`### Feature 1: ...`, `## Step Two`), at one
      level, in the section the claim governs (after it, below its heading; the whole post for
      a front-matter claim or one before the first heading);
    - the list or table right after a lead-in that ends with a colon and holds the claim
      ("for the following five reasons:"; top-level items only, `Note:` items aside, a numbered
      list interrupted by code or prose counted as one);
    - an inline enumeration after the claim's colon ("three groups: 1) users, 2) maintainers").

    Numbers that measure rather than count the post's parts ("around 10,000 troops", "$30
    trillion", "39 times", "two or three days", "Phase 2 benchmarks") are never compared, and
    nothing is reported when the mapping is unclear (bullets interrupted by prose, items that
    name several things each, a number that belongs to a preposition's object).

    ## Why is this bad?
    The reader is promised one number of things and given another: usually a section or list
    item was added or removed and the introduction was not updated. Found in real content:

    - endoflife.date `products/api-platform.md`: "Besides the development branch, three
      releases are maintained:" then two bullets (and "Releases older than the latest two are
      not maintained").
    - go.dev `doc/security/vuln/database.md`: "Each object in the array will have these two
      fields:" then four (`path`, `symbols`, `goos`, `goarch`).
    - nodejs.org `blog/release/v20.0.0.md`: "This version includes three new features to the
      JavaScript API:" then five.

    Precision, measured on 5,298 real Markdown files (18F, Jekyll, Hugo, Rust, Go, OpenTelemetry
    and Node.js sites, endoflife.date, changelogs): 3 findings, all three above, 0 judged wrong;
    190 claims compared and found consistent (19 with sections, 168 with lists, 3 were the
    findings).

    ## Example
    ```markdown
    This series consists of a backgrounder and three features.

    ### Feature 1: Strengths

    ### Feature 2: Weaknesses
    ```

    ## Use instead
    ```markdown
    This series consists of a backgrounder and two features.

    ### Feature 1: Strengths

    ### Feature 2: Weaknesses
    ```

    ## Options
    - `front-matter-keys` (default `["title", "description", "excerpt"]`): front-matter keys
      whose claims count too; reported at the key.
    """

    code = "COUNT001"
    name = "count-mismatch"
    family = "counts"
    options_table = "counts"
    Options = CountOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        outline = Outline(doc)
        for src, claim in claims(doc, _options(ctx).front_matter_keys):
            headings = outline.counted_headings(src.block, claim.singular)
            if headings is not None:
                if len(headings) != claim.value:
                    n = len(headings)
                    yield src.report(
                        doc, claim,
                        f'says "{quoted(src, claim)}" but the post has {n} "{claim.singular.capitalize()}" '
                        f"section{'s' if n != 1 else ''} (line{'s' if n != 1 else ''} {lines_of(headings)})",
                    )
            elif src.block is not None and src.text.rstrip().endswith(":") and lead_in_claim(src) == claim:
                yield from _list_mismatch(outline, src, claim)
            else:
                yield from _inline_mismatch(doc, src, claim)


def _inline_mismatch(doc: Document, src: Source, claim: Claim) -> Iterator[Report]:
    """ "three groups: 1) users, 2) maintainers and 3) sponsors" counts what is inline."""
    m = re.compile(r"[^.!?;:]{0,60}:").match(src.text, claim.noun_end)
    if m is None:
        return
    run = inline_enumeration(src.text, m.end())
    if run and len(run) != claim.value:
        yield src.report(doc, claim, f'says "{quoted(src, claim)}" but {len(run)} are enumerated after it')


def _list_mismatch(outline: Outline, src: Source, claim: Claim) -> Iterator[Report]:
    assert src.block is not None
    items = following_items(outline, src.block, claim)
    count = item_count(outline.doc, items, claim) if items else None
    if items and count is not None and count != claim.value:
        what, unit = ("table", "row") if items[0].kind == "table_row" else ("list", "item")
        yield src.report(
            outline.doc, claim,
            f'says "{quoted(src, claim)}" but the {what} that follows has {count} {unit}{"s" if count != 1 else ""} '
            f"(lines {items[0].line}-{items[-1].line})",
        )


class NumberedSeriesBroken(Rule):
    """A numbered series of sections, list leads or captions has a gap, a duplicate or a wrong start.

    ## What it does
    Finds labels like `Feature 1`, `Step Two`, `Part 3` that open sibling headings (same level,
    same parent section) or the items of one list, and `Figure 1` / `Table 2` labels that open
    captions anywhere in the post, and reports a number that skips one (`Feature 1, Feature 2,
    Feature 4`), repeats one (`Part 1 ... Part 1`), or a series that starts above 1 (`Step 2,
    Step 3` with no `Step 1`; a start at 0 is fine).

    ## Why is this bad?
    A gap or a repeat means a section was removed, moved or copied without renumbering; readers
    look for the missing one.

    Precision, measured on 5,298 real Markdown files: 49 numbered series read, 0 findings (none
    of them was broken). Series numbered on across sections (`### Tip 3` under a new `##`),
    restarted per section (`Step 1` under Linux and again under Windows), sub-steps
    (`Stage 1a`, `Stage 1b`) and starts at 0 are not reported.

    ## Example
    ```markdown
    ### Step 1: Install

    ### Step 2: Configure

    ### Step 4: Deploy
    ```

    ## Use instead
    ```markdown
    ### Step 1: Install

    ### Step 2: Configure

    ### Step 3: Deploy
    ```

    ## Options
    - `caption-nouns` (default `["figure", "fig", "table", "chart", "exhibit", "diagram", "graph"]`):
      labels numbered across the whole post, read at the start of paragraphs.
    - `series-nouns` (default: `step`, `part`, `chapter`, `section`, `feature`, `tip`, `lesson`,
      `stage`, `day`, `week`, `phase`, `example`, ... about ninety nouns that number a post's own
      parts): the labels read in headings and list items. Identifiers such as `Issue 992`,
      `Node 18` or `March 24` are not series.
    """

    code = "COUNT002"
    name = "numbered-series-broken"
    family = "counts"
    options_table = "counts"
    Options = CountOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        opts = _options(ctx)
        for series in _series(doc, opts):
            yield from _series_problems(doc, series)


def _series(doc: Document, opts: CountOptions) -> Iterator[list[tuple[Block, Label, int]]]:
    """Groups of labels that number one series: headings by level, items by list, captions by noun."""
    headings: dict[tuple, list[tuple[Block, Label, int, int | None]]] = {}
    groups: dict[tuple, list[tuple[Block, Label, int]]] = {}
    parents: list[Block] = []  # open headings, outermost first
    for b in doc.blocks:
        if b.kind == "heading":
            while parents and parents[-1].level >= b.level:
                parents.pop()
            got = _label(b.text, opts.series_nouns)
            if got is not None:
                scope = parents[-1].index if parents else None
                headings.setdefault((b.level, got[0].noun), []).append((b, *got, scope))
            parents.append(b)
        elif b.kind == "item":
            got = _label(b.text, opts.series_nouns)
            if got is not None:
                groups.setdefault(("i", b.list_id, got[0].noun), []).append((b, *got))
        elif b.kind == "paragraph":
            got = _label(b.text.lstrip("\n ▲*_"), opts.caption_nouns)
            if got is not None:
                shift = len(b.text) - len(b.text.lstrip("\n ▲*_"))
                groups.setdefault(("c", got[0].noun), []).append((b, got[0], got[1] + shift))
    for series in headings.values():
        whole = [(b, label, shift) for b, label, shift, _ in series]
        if _sorted(whole) or len({scope for *_, scope in series}) == 1:
            yield whole  # numbered on across sections ("## Execution" / "### Tip 3")
        else:
            for scope in dict.fromkeys(scope for *_, scope in series):
                yield [(b, label, shift) for b, label, shift, sc in series if sc == scope]
    yield from groups.values()


def _label(text: str, nouns: tuple[str, ...]) -> tuple[Label, int] | None:
    stripped = text.lstrip()
    label = read_label(stripped)
    if label is None or label.noun not in nouns:
        return None
    return label, len(text) - len(stripped)


def _sorted(series: list[tuple[Block, Label, int]]) -> bool:
    values = [label.value for _, label, _ in series]
    return all(b == a + 1 for a, b in zip(values, values[1:]))


def _series_problems(doc: Document, series: list[tuple[Block, Label, int]]) -> Iterator[Report]:
    values = [label.value for _, label, _ in series]
    if len(series) < 2 or any(label.sub for _, label, _ in series):
        return  # one label is no series; "Stage 1a, 1b" numbers sub-steps
    noun = series[0][1].noun.capitalize()
    if sorted(values) != values:
        return  # out of order: two interleaved series, or a list of references, not a numbering
    if values[0] > 1:
        b, label, shift = series[0]
        yield _at(doc, b, label, shift, f'numbered series starts at "{noun} {values[0]}": no "{noun} 1" before it')
    seen: dict[int, Block] = {}
    for (b, label, shift), prev in zip(series, [None, *values]):
        if label.value in seen:
            yield _at(doc, b, label, shift, f'"{noun} {label.value}" appears again (first on line {seen[label.value].line})')
        elif prev is not None and label.value > prev + 1:
            missing = f"{prev + 1}" if label.value == prev + 2 else f"{prev + 1}-{label.value - 1}"
            yield _at(doc, b, label, shift, f'numbered series skips from "{noun} {prev}" to "{noun} {label.value}" (missing {missing})')
        seen.setdefault(label.value, b)


def _at(doc: Document, b: Block, label: Label, shift: int, message: str) -> Report:
    return Report.at(doc, b.offset_of(label.start + shift), message, b.offset_of(label.end + shift))


# --------------------------------------------------------------------------- repeated figures

# A count after these is a part of a larger whole ("45 of the 120 respondents").
_PARTITIVE = {
    "of", "out", "including", "among", "from", "to", "with", "in", "for", "by", "than", "on", "at",
    "across", "over", "into", "within", "between", "through", "during", "after", "before", "per",
}
# After the noun these restrict it to a subset ("the 43 maintainers who answered").
_RESTRICTIVE = {
    "who", "whom", "whose", "that", "which", "where", "when", "in", "with", "from", "on", "at", "for",
    "of", "per", "under", "over", "since", "during", "between", "among", "listed", "mentioned", "above",
    "below", "shown", "i", "we", "you", "they", "he", "she", "it", "each", "to",
    "without", "across", "by", "before", "after", "into", "out", "like", "such", "here", "there",
}
_NEXT_WORD = re.compile(r"[\s*_]*([A-Za-z]+)")


def stated_whole(src: Source, claim: Claim) -> bool | None:
    """True for a whole ("all 1,100 respondents", "a total of 14 workshops"), False for a plain count
    ("reached 1,200 respondents"), None for a part, a subset or a reference that is never compared."""
    before = claim.before
    if claim.value < 2 or claim.modifiers and claim.modifiers[-1] in ("other", "more", "new"):
        return None
    m = _NEXT_WORD.match(src.text, claim.noun_end)
    if m and m.group(1).lower() in _RESTRICTIVE:
        return None  # "the 43 maintainers who answered"
    if before[-2:] == ("total", "of"):
        return True
    if not before:
        return False
    if before[-1] in _PARTITIVE or before[-1] in ("these", "those", "both", "either", "and", "or"):
        return None
    if before[-1] == "all":
        return True
    if before[-1] == "the":
        return None if len(before) > 1 and (before[-2] in _PARTITIVE or before[-2] in ("all", "and", "or")) else True
    return False


class RepeatedFigureMismatch(Rule):
    """The same total is stated twice with different numbers.

    ## What it does
    Finds a count stated as a whole ("all 1,100 respondents", "a total of 14 workshops", "the 13
    workshops") twice, in different paragraphs, with the same noun phrase but a different number,
    and reports both places. A plain count ("the survey reached 1,200 respondents"), a count
    after "of", "out of", "including" or "among", and one that a clause narrows ("the 43
    maintainers who answered") are too often a part of the whole, and are never compared.

    Off by default: whether two figures count the same thing often needs a reader's judgement.
    Measured on 5,298 real Markdown files it reported nothing (156 stated wholes, 5 repeated
    with the same number; a looser version that also compared plain counts reported 2 wrong
    pairs, "22 reverse auctions" vs "2 reverse auctions done on behalf of a client"), so its
    precision is not proven on enough pairs; select it with `--extend-select COUNT003`.

    ## Why is this bad?
    One of the two figures is stale: the text was updated in one place and not the other.

    ## Example
    ```markdown
    We ran a total of 14 workshops this year.

    Feedback from all 13 workshops is summarised below.
    ```

    ## Use instead
    ```markdown
    We ran a total of 14 workshops this year.

    Feedback from all 14 workshops is summarised below.
    ```
    """

    code = "COUNT003"
    name = "repeated-figure-mismatch"
    family = "counts"
    default_enabled = False
    options_table = "counts"
    Options = CountOptions

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        by_phrase: dict[str, list[tuple[Source, Claim, bool]]] = {}
        for src, claim in claims(doc, _options(ctx).front_matter_keys):
            whole = stated_whole(src, claim)
            if whole is not None:
                by_phrase.setdefault(claim.phrase, []).append((src, claim, whole))
        for stated in by_phrase.values():
            # Only two wholes are compared: a plain count ("2 reverse auctions done for a client")
            # is too often a part of the whole for a linter to tell.
            wholes = [(s, c) for s, c, w in stated if w]
            if len({c.value for _, c in wholes}) < 2:
                continue
            wsrc, wclaim = wholes[0]
            others = [(s, c) for s, c in wholes if c.value != wclaim.value and s.block is not wsrc.block]
            if not others or wsrc.block is None and wsrc.key == others[0][0].key:
                continue
            osrc, oclaim = others[0]
            both = f'"{quoted(wsrc, wclaim)}" and "{quoted(osrc, oclaim)}"'
            for src, claim in sorted([(wsrc, wclaim), (osrc, oclaim)], key=lambda sc: _where(doc, *sc)):
                yield src.report(doc, claim, f"states {both}: which is right?")


def _where(doc: Document, src: Source, claim: Claim) -> tuple[int, int]:
    r = src.report(doc, claim, "")
    return r.line, r.column


RULES: list[type[Rule]] = [CountMismatch, NumberedSeriesBroken, RepeatedFigureMismatch]
