"""What a post enumerates, read from its Document: claims and where they sit, sections, lists after a lead-in, numbered series."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache, partial

from postlint.document import Block, Document
from postlint.extract.counts import Claim, Label, find_claims, may_hold_cardinal, plural_forms, read_label, starts_with_noun
from postlint.registry import Report

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
_BUNDLE = re.compile(r", | and | & ")

def _after(blocks: list[Block], start: int) -> Iterator[Block]:
    # Indexing, not islice: islice walks the skipped blocks, which makes many claims quadratic.
    return (blocks[i] for i in range(start, len(blocks)))


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


def claims(
    doc: Document,
    keys: tuple[str, ...],
    relevant: Callable[[str], bool] | None = None,
    after: tuple[str, ...] = (),
    blocks: list[Block] | None = None,
) -> Iterator[tuple[Source, Claim]]:
    """Every claim in the front-matter keys, then in the prose blocks, in file order, from the texts
    ``relevant`` keeps; only those right after one of the words ``after``, if given (see ``find_claims``).
    ``blocks``: the blocks to read, when the caller has chosen them (Outline.comparable_blocks)."""
    fm = doc.front_matter
    if fm is not None and fm.ok:
        for key in keys:
            value = fm.data.get(key)
            if isinstance(value, str) and (relevant is None or relevant(value)):
                for c in find_claims(value, after):
                    yield Source(value, key=key), c
    if blocks is None:
        blocks = [b for b in _claim_blocks(doc.blocks) if relevant is None or relevant(b.text)]
    for b in blocks:
        src: Source | None = None
        for c in find_claims(b.text, after):
            if src is None:
                src = Source(b.text, b)  # most blocks hold no claim
            yield src, c


def quoted(src: Source, claim: Claim) -> str:
    return " ".join(src.text[claim.start : claim.noun_end].split())


def lines_of(blocks: list[Block]) -> str:
    shown = ", ".join(str(b.line) for b in blocks[:8])
    return shown + (", ..." if len(blocks) > 8 else "")


# --------------------------------------------------------------------------- sections


_FIRST_WORD = re.compile(r"\s*([a-z][a-z0-9-]*)")
# More sections than this are no count a sentence makes; looking closer would only cost time.
MAX_COUNTED = 200


# A lead-in (a colon, then only what rstrip() strips: \s is the same set) or a colon opening an
# inline enumeration ("...three groups: 1) ..., (2) ... and a) ..."): what COUNT001 compares with.
_LEAD_IN_OR_ENUMERATION = re.compile(r":(?:\s*\Z|[ \t\n]*\(?[1a]\))")


@lru_cache(maxsize=4096)
def _label_noun(heading: str) -> str | None:
    """The noun a heading opens with as a label ("Feature 1: ...", "Backgrounder: ..."), lower-cased,
    or None. Cached: four in ten headings of a site repeat one seen before ("Bug fixes", "Commits")."""
    m = _FIRST_WORD.match(heading.lower())
    return m.group(1) if m and starts_with_noun(heading, m.group(1)) else None


def may_compare_re(stems: tuple[tuple[str, tuple[str, ...]], ...], text: str) -> bool:
    """Whether a claim in ``text`` could be compared with anything: a lead-in (ending with a colon),
    an inline enumeration after a colon, or a plural of a word that heads sections (``stems``, as
    _plurals_by_stem groups them). Reading claims costs; most prose has none of these.
    The reference for the C scan, and the fallback where it was not built."""
    if ":" in text and _LEAD_IN_OR_ENUMERATION.search(text):
        return True
    if not stems:
        return False
    low = text.lower()
    for stem, plurals in stems:
        if stem in low:
            for plural in plurals:
                if plural in low:
                    return True
    return False


def _claim_blocks(blocks: list[Block]) -> list[Block]:
    """The blocks claims are read from: the prose ones, but a loose item's first paragraph, which is
    read once, as the item (they share their text)."""
    return [
        b for b in blocks
        if b.kind not in ("code", "html") and not (b.kind == "paragraph" and b.parent is not None and blocks[b.parent].text is b.text)
    ]


def _comparable_blocks_py(blocks: list[Block], stems: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Block]:
    """The blocks claims are read from whose text may_compare_re and may hold the cardinal every claim
    has (a block without one holds no claim): the reference for the C scan, and its fallback."""
    return [b for b in _claim_blocks(blocks) if may_compare_re(stems, b.text) and may_hold_cardinal(b.text)]


def _c_scans() -> tuple[Callable[[tuple, str], bool], Callable[[list[Block], tuple], list[Block]], Callable[..., list[Block]]] | None:
    """may_compare, comparable_blocks and label_blocks in C (every block is asked), where the module was built."""
    try:
        from postlint import _textscan
    except ImportError:  # pragma: no cover - built wherever a C compiler is
        return None
    return _textscan.may_compare, _textscan.comparable_blocks, _textscan.label_blocks


_C_SCANS = _c_scans()
_MAY_COMPARE, _COMPARABLE_BLOCKS = _C_SCANS[:2] if _C_SCANS else (may_compare_re, _comparable_blocks_py)


class Outline:
    """The post's headings and lists, indexed once per check so that each claim costs a lookup.

    Only what ``may_compare`` needs is built up front; the rest waits for the first claim, which
    most posts never make.
    """

    def __init__(self, doc: Document):
        self.doc = doc
        self.headings = doc.headings
        # Positions of the headings that open with a noun as a label ("Feature 1:", "Backgrounder:").
        self.by_noun: dict[str, list[int]] = {}
        for pos, h in enumerate(self.headings):
            noun = _label_noun(h.text)
            if noun is not None:
                self.by_noun.setdefault(noun, []).append(pos)
        self._by_stem = _plurals_by_stem(frozenset(self.by_noun))
        # may_compare(text): whether a claim in ``text`` (a block or a front-matter value) could be
        # compared with anything (see may_compare_re).
        self.may_compare: Callable[[str], bool] = partial(_MAY_COMPARE, self._by_stem)

    def comparable_blocks(self) -> list[Block]:
        """The prose blocks a claim is read from whose text may_compare (and may hold a number), in file order."""
        return _COMPARABLE_BLOCKS(self.doc.blocks, self._by_stem)

    @cached_property
    def _blocks_index(self) -> tuple[dict[int | None, list[Block]], list[int]]:
        items: dict[int | None, list[Block]] = {}
        owner: list[int] = []  # per block: position in self.headings of its section's heading, or -1
        k = -1
        for b in self.doc.blocks:
            if b.kind == "heading":
                k += 1
            elif b.kind == "item":
                items.setdefault(b.list_id, []).append(b)
            owner.append(k)
        return items, owner

    @property
    def items(self) -> dict[int | None, list[Block]]:
        """The items of each list, by list id."""
        return self._blocks_index[0]

    @property
    def owner(self) -> list[int]:
        return self._blocks_index[1]

    @cached_property
    def section_end(self) -> list[int]:
        """Per heading, the position of the next heading at its level or above."""
        return _next_position([h.level for h in self.headings], strict=False)

    @cached_property
    def parent_end(self) -> list[int]:
        """Per heading, the position of the next heading above its level."""
        return _next_position([h.level for h in self.headings], strict=True)

    def counted_headings(self, block: Block | None, noun: str) -> list[Block] | None:
        """Headings that open with ``noun`` at one level of the section the claim governs, after it."""
        owner = -1 if block is None else self.owner[block.index]
        end = self.section_end[owner] if owner >= 0 else len(self.headings)
        matched = self._between(noun, owner + 1, end)
        if not matched and block is not None and block.kind != "heading" and owner >= 0:
            # An introduction's claim ("in four steps") governs the sibling sections after it.
            matched = self._between(noun, owner + 1, self.parent_end[owner])
        if not matched or len(matched) > MAX_COUNTED or len({h.level for h in matched}) > 1:
            return None
        numbers = [label.value for h in matched if (label := read_label(h.text.lstrip())) is not None]
        if len(set(numbers)) < len(numbers):
            return None  # "Step 1-3" under Linux and again under Windows: which series is counted?
        return matched if len(matched) >= 2 or numbers else None

    def _between(self, noun: str, start: int, end: int) -> list[Block]:
        positions = self.by_noun.get(noun, [])
        lo, hi = bisect.bisect_left(positions, start), bisect.bisect_left(positions, end)
        return [self.headings[p] for p in positions[lo : min(hi, lo + MAX_COUNTED + 1)]]


@lru_cache(maxsize=1024)
def _plurals_by_stem(nouns: frozenset[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The plurals of ``nouns`` that a claim compared with sections holds ("countries" for "Country 1"),
    grouped under a part of them tested first because it is cheaper: the part regular plurals keep
    ("countr"); an irregular plural that keeps none ("people" of "person") is its own part. Every
    plural is in the group of each part it holds, so a text holds a plural iff it holds one of its group."""
    plurals = {plural for noun in nouns for plural in plural_forms(noun)}
    stems = {noun[: max(3, len(noun) - 2)] for noun in nouns}
    stems.update(p for p in plurals if not any(s in p for s in stems))
    return tuple((stem, tuple(p for p in plurals if stem in p)) for stem in stems)


def _next_position(levels: list[int], strict: bool) -> list[int]:
    """Per heading, the position of the next heading above its level (``strict``) or at it or above."""
    out = [len(levels)] * len(levels)
    stack: list[int] = []
    for q, level in enumerate(levels):
        while stack and (levels[stack[-1]] > level if strict else levels[stack[-1]] >= level):
            out[stack.pop()] = q
        stack.append(q)
    return out


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
            for b in _after(blocks, block.index + 1)
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
        for b in _after(blocks, nxt.index + 1):
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
        first, between, lead_in = after
        if first.ordered and nxt.ordered and first.number == (items[-1].number or 0) + 1:
            items += outline.items[first.list_id]
            continue  # a numbered list interrupted by code or prose, numbering on
        if not first.ordered and not nxt.ordered and between and not lead_in:
            return None  # bullets interrupted by prose: one list or two?
        return items


def _next_sibling_list(doc: Document, last: Block) -> tuple[Block, bool, bool] | None:
    """The next list beside the one ``last`` ends, whether prose or code stands between, and
    whether that prose includes a lead-in of its own (a paragraph ending with a colon)."""
    between = lead_in = False
    for b in _after(doc.blocks, last.index + 1):
        if b.start < last.end:
            continue
        if b.kind == "item" and b.list_id != last.list_id and b.depth == last.depth and b.parent == last.parent:
            return b, between, lead_in
        if b.kind in ("heading", "table_head") or b.depth < last.depth and b.kind == "item":
            return None
        if b.kind in ("paragraph", "code", "html", "blockquote"):
            between = True
            lead_in = lead_in or b.kind == "paragraph" and b.text.rstrip().endswith(":")
    return None


def item_count(doc: Document, items: list[Block], claim: Claim) -> int | None:
    """How many things the items list, or None when they bundle several per item."""
    real = [b for b in items if not _NOTE_ITEM.match(b.text)] or items
    if len(real) < claim.value:
        for b in real:
            raw = doc.text[b.start : b.end]
            if b.links >= 2 or len(_CODE_SPAN.findall(raw)) >= 2 or len(b.text) < 80 and _BUNDLE.search(b.text):
                return None  # "Seven new APIs:" with four bullets naming seven; "- Apples and pears"
            if any(find_claims(b.text)):
                return None  # "three versions:" then "the latest" and "two previous versions"
    return len(real)


# --------------------------------------------------------------------------- numbered series


def numbered_series(doc: Document, series_nouns: tuple[str, ...], caption_nouns: tuple[str, ...]) -> Iterator[list[tuple[Block, Label, int]]]:
    """Groups of labels that number one series: headings by level and list items by depth (one series
    if numbered on across sections or sub-lists, else one per section or list), captions by noun."""
    scoped: dict[tuple, list[tuple[Block, Label, int, int | None]]] = {}
    groups: dict[tuple, list[tuple[Block, Label, int]]] = {}
    parents: list[Block] = []  # open headings, outermost first
    series = _openers(tuple(series_nouns))
    may_label = _label_start(series, "")
    # Every heading (they scope the series) and the items and paragraphs that may open with a label.
    for b in _LABEL_BLOCKS(doc.blocks, series, _openers(tuple(caption_nouns)), _CAPTION_MARKS):
        kind = b.kind
        if kind == "heading":
            while parents and parents[-1].level >= b.level:
                parents.pop()
            got = _label(b.text, series_nouns) if may_label(b.text) else None
            if got is not None:
                scope = parents[-1].index if parents else None
                scoped.setdefault(("h", b.level, got[0].noun), []).append((b, *got, scope))
            parents.append(b)
        elif kind == "item":
            got = _label(b.text, series_nouns)
            if got is not None:
                # A table of contents numbers on across sub-lists, as headings do across sections.
                scoped.setdefault(("i", b.depth, got[0].noun), []).append((b, *got, b.list_id))
        else:  # a paragraph that may be a caption
            got = _label(b.text.lstrip(_CAPTION_MARKS), caption_nouns)
            if got is not None:
                shift = len(b.text) - len(b.text.lstrip(_CAPTION_MARKS))
                groups.setdefault(("c", got[0].noun), []).append((b, got[0], got[1] + shift))
    for series in scoped.values():
        whole = [(b, label, shift) for b, label, shift, _ in series]
        if consecutive(whole) or len({scope for *_, scope in series}) == 1:
            yield whole  # numbered on across sections ("## Execution" / "### Tip 3")
        else:
            by_scope: dict[int | None, list[tuple[Block, Label, int]]] = {}
            for b, label, shift, scope in series:
                by_scope.setdefault(scope, []).append((b, label, shift))
            runs: list[list[tuple[Block, Label, int]]] = []
            for group in by_scope.values():
                if runs and group[0][1].value == runs[-1][-1][1].value + 1:
                    runs[-1] += group  # this section numbers on from the one before
                else:
                    runs.append(group)
            yield from runs
    yield from groups.values()


_CAPTION_MARKS = "\n ▲*_"


@lru_cache(maxsize=16)
def _openers(nouns: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """How a label of one of ``nouns`` opens, grouped by its first letter: the characters that letter
    may be (a label's noun is a capital or small letter and small ones: "Step", "step"), and the rest
    of each noun that starts with it."""
    by_first: dict[str, list[str]] = {}
    for n in sorted(set(nouns)):
        if n:
            by_first.setdefault(n[0].lower() + n[0].upper(), []).append(n[1:])
    return tuple((first, tuple(rests)) for first, rests in by_first.items())


@lru_cache(maxsize=16)
def _label_start(openers: tuple[tuple[str, tuple[str, ...]], ...], marks: str) -> Callable[[str], object]:
    """A test that a text may open with a label (``_openers``), after ``marks``, then whitespace,
    then "." or a blank: one C-level match that rejects the blocks ``_label`` would, without its calls.
    Grouped by first letter ("[Ss](?:tep|tage|...)"): a text is tried against one group, not every noun."""
    if not openers:
        return lambda text: None
    opener = "|".join(f"[{re.escape(first)}](?:{'|'.join(map(re.escape, rests))})" for first, rests in openers)
    # Possessive, as lstrip() is: the marks include blanks, and a backtracking split between the
    # two runs would make a long blank paragraph quadratic.
    lead = f"[{re.escape(marks)}]*+" if marks else ""
    return re.compile(f"{lead}\\s*+(?:{opener})[. \\t]").match


def _label_blocks_py(
    blocks: list[Block], series: tuple[tuple[str, tuple[str, ...]], ...], captions: tuple[tuple[str, tuple[str, ...]], ...], marks: str
) -> list[Block]:
    """The blocks numbered_series reads: every heading, the items that may open with a label of the
    ``series`` openers, the paragraphs that may open with a caption (after ``marks``). The reference
    for the C scan, and its fallback."""
    may_label, may_caption = _label_start(series, ""), _label_start(captions, marks)
    return [
        b for b in blocks
        if b.kind == "heading" or (b.kind == "item" and may_label(b.text)) or (b.kind == "paragraph" and may_caption(b.text))
    ]


_LABEL_BLOCKS = _C_SCANS[2] if _C_SCANS else _label_blocks_py


def _label(text: str, nouns: tuple[str, ...]) -> tuple[Label, int] | None:
    stripped = text.lstrip()
    label = read_label(stripped)
    if label is None or label.noun not in nouns:
        return None
    return label, len(text) - len(stripped)


def consecutive(series: list[tuple[Block, Label, int]]) -> bool:
    values = [label.value for _, label, _ in series]
    return all(b == a + 1 for a, b in zip(values, values[1:]))


# --------------------------------------------------------------------------- stated wholes

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


# stated_whole() is true only for a claim right after one of these words.
WHOLE_AFTER = ("the", "all", "of")


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


