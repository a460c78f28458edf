"""Reading count claims ("three features", "the following 4 steps") and numbered labels from text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "Claim", "Label", "find_claims", "inline_enumeration", "read_label", "number_value", "plural_forms", "singular",
    "starts_with_noun",
]

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_ONES)} | _TENS
ORDINAL_WORDS: dict[str, int] = {
    w: i + 1
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
    )
}

# One token at a time; every alternative is a run of disjoint character classes, so matching is
# linear even on a multi-megabyte line of digits or words.
_TOKEN = re.compile(
    r"(?P<num>[$€£¥]?\d+(?:,\d\d\d)*(?:\.\d+)?(?:[A-Za-z%+]+)?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9'’]*(?:[-.][A-Za-z0-9][A-Za-z0-9'’]*)*)"
    r"|(?P<punct>[^\sA-Za-z0-9])"
)
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")

# Words before a number that make it approximate, partial, a bound or a label part.
_BEFORE_STOP = {
    "about", "around", "approximately", "approx", "nearly", "almost", "roughly", "some", "over", "under",
    "than", "least", "most", "up", "circa", "ca", "first", "last", "next", "top", "other", "another",
    "additional", "extra", "further", "remaining", "previous", "past", "every", "each", "between",
    "half", "only", "just", "per", "version", "v", "no", "number", "page", "line", "lines",
    "step", "phase", "round", "part", "chapter", "section", "issue", "pr", "item", "rule", "figure",
    "fig", "table", "level", "week", "day", "year", "month", "node", "go", "python", "rust",
    "release", "since", "til", "until", "to", "from", "by", "x", "times", "plus", "minus", "within",
    "many", "few", "several", "dozens", "hundreds", "thousands", "millions",
    # a noun right before a number makes it a label: "tier 3 targets", "type 2 errors"
    "tier", "type", "class", "category", "grade", "rank", "group", "batch", "wave", "season",
    "episode", "volume", "stage", "layer", "gen", "generation", "priority", "severity", "sev",
    "option", "method", "case", "scenario", "example", "exercise", "question", "tip", "lesson",
    "unit", "module", "milestone", "sprint", "iteration", "track", "lab", "act", "scene", "slide",
    "appendix", "feature", "task", "session", "point", "size", "edition", "cohort", "pass", "attempt",
}
# Words after a number that make it a measure, a magnitude, a range or an alternative.
_AFTER_STOP = {
    "percent", "per", "hundred", "thousand", "million", "billion", "trillion", "dozen", "or", "to",
    "and", "more", "less", "fewer", "out", "of", "times", "x", "plus", "minus", "point",
}
# A plural noun that is a unit of measure or time: never a count of the post's own parts.
UNIT_NOUNS = {
    "time", "year", "month", "week", "day", "hour", "minute", "second", "decade", "century", "millisecond",
    "percent", "dollar", "euro", "cent", "byte", "kilobyte", "megabyte", "gigabyte", "terabyte", "kb",
    "mb", "gb", "tb", "ms", "mile", "kilometer", "meter", "km", "foot", "inch", "pound", "point",
    "percentage", "night", "weekend", "quarter", "sec", "min", "hr", "yr", "character", "pixel", "px",
}
# Words that end a noun phrase: the number belongs to no noun if one comes first.
_FUNCTION = {
    "a", "an", "the", "of", "and", "or", "to", "in", "for", "with", "on", "at", "by", "from", "that",
    "which", "who", "whom", "whose", "is", "are", "was", "were", "be", "been", "being", "has", "have",
    "had", "will", "would", "can", "could", "should", "may", "might", "must", "it", "its", "they", "we",
    "you", "i", "he", "she", "this", "these", "those", "than", "as", "per", "each", "more", "less",
    "over", "under", "into", "onto", "if", "but", "so", "not", "do", "does", "did", "there", "here",
    "their", "our", "your", "his", "her", "my", "me", "us", "them", "him", "when", "where", "while",
    "how", "what", "why", "all", "both", "any", "no", "yes", "also", "only", "just", "then", "out",
    "up", "down", "off", "after", "before", "since", "until", "about", "across", "through", "via",
    "such", "very", "too", "again", "ago", "later", "earlier", "now", "versus", "vs",
}
_NOT_PLURAL = {
    "this", "its", "has", "was", "is", "as", "us", "yes", "always", "sometimes", "perhaps", "across",
    "towards", "besides", "unless", "whereas", "plus", "thus", "does", "goes", "afterwards",
    "upwards", "downwards", "backwards", "forwards", "nowadays", "news", "lens", "bus", "gas",
    "alias", "canvas", "status", "bonus", "campus", "focus", "virus", "corpus", "apparatus",
    "congress", "chaos", "ethos", "kudos", "bias", "atlas", "christmas", "less", "ones", "twos",
    "otherwise", "regardless", "wheres", "whats", "lots", "kinds", "sorts", "types", "pairs",
    "couple", "sets", "tons", "bunch", "handful", "rows",
}
_IRREGULAR = {
    "people": "person", "children": "child", "men": "man", "women": "woman", "feet": "foot",
    "teeth": "tooth", "mice": "mouse", "geese": "goose", "indices": "index", "appendices": "appendix",
    "matrices": "matrix", "vertices": "vertex", "criteria": "criterion", "phenomena": "phenomenon",
    "data": "data", "series": "series", "species": "species", "movies": "movie", "cookies": "cookie",
    "ties": "tie", "lies": "lie", "pies": "pie", "dies": "die", "caches": "cache", "niches": "niche",
    "analyses": "analysis", "theses": "thesis", "crises": "crisis", "hypotheses": "hypothesis",
    "diagnoses": "diagnosis", "axes": "axis", "bases": "base", "cases": "case", "courses": "course",
    "releases": "release", "phases": "phase", "uses": "use", "causes": "cause", "responses": "response",
    "licenses": "license", "purposes": "purpose", "houses": "house", "clauses": "clause",
    "databases": "database", "promises": "promise", "exercises": "exercise", "expenses": "expense",
    "horses": "horse", "nurses": "nurse", "pauses": "pause", "phrases": "phrase", "uses'": "use",
    "heroes": "hero", "potatoes": "potato", "tomatoes": "tomato", "vetoes": "veto", "echoes": "echo",
    "lives": "life", "wives": "wife", "knives": "knife", "leaves": "leaf", "halves": "half",
    "shelves": "shelf", "selves": "self", "wolves": "wolf", "themselves": "themselves",
}


@dataclass(frozen=True)
class Claim:
    """A cardinal followed by the plural noun it counts, with spans into the text it was read from."""

    value: int
    start: int  # span of the number
    end: int
    noun: str  # as written ("features")
    singular: str  # lower-case singular ("feature")
    noun_start: int
    noun_end: int
    modifiers: tuple[str, ...] = ()  # lower-case words between the number and the noun
    before: tuple[str, ...] = ()  # up to three lower-case words before the number, nearest last
    following: bool = False  # "the following three ...", "these two ...": points at what comes next
    digits: bool = False

    @property
    def phrase(self) -> str:
        return " ".join((*self.modifiers, self.singular))


@dataclass(frozen=True)
class Label:
    """A numbered label at the start of a text: "Feature 1: ...", "Step Two", "Figure 3."."""

    noun: str  # lower-case, as written ("feature", "fig")
    value: int
    start: int  # span of the number
    end: int
    sub: str = ""  # "a" of "Stage 1a": a sub-step, not a number of its own


def number_value(token: str) -> int | None:
    """The value of a cardinal token: "12", "1,200", "seven", "twenty-one"; None otherwise."""
    t = token.lower()
    if _DIGITS.fullmatch(t):
        return int(t.replace(",", ""))
    if t in NUMBER_WORDS:
        return NUMBER_WORDS[t]
    tens, sep, one = t.partition("-")
    if sep and tens in _TENS and one in NUMBER_WORDS and 0 < NUMBER_WORDS[one] < 10:
        return _TENS[tens] + NUMBER_WORDS[one]
    return None


def singular(word: str) -> str | None:
    """Lower-case singular of a plural noun ("countries" -> "country"), or None if not plural."""
    w = word.lower().replace("’", "'")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) < 3 or not w.endswith("s") or w in _NOT_PLURAL or "'" in w or not w.isascii():
        return None
    if word[:-1].isupper():  # "APIs", "URLs" are plural; "LTS", "CSS" are not
        return w[:-1] if word[-1] == "s" and len(word) > 2 else None
    if w.endswith(("ss", "us", "is", "'s")):
        return None
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("yses"):
        return w[:-2] + "is"
    if w.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return w[:-2]
    return w[:-1]


_IRREGULAR_PLURALS = {one: [w for w, s in _IRREGULAR.items() if s == one] for one in set(_IRREGULAR.values())}


def plural_forms(noun: str) -> set[str]:
    """Every lower-case word that ``singular`` reads as ``noun`` (a lower-case singular), and a few
    that it does not: a text that holds none of them holds no plural of ``noun``."""
    forms = {noun + "s", noun + "es", *_IRREGULAR_PLURALS.get(noun, ())}
    if noun.endswith("y"):
        forms.add(noun[:-1] + "ies")
    if noun.endswith("is"):
        forms.add(noun[:-2] + "es")
    return forms


def _word_number(tokens: list[tuple[str, str, int, int]], i: int) -> tuple[int, int] | None:
    """(value, index of the last token) of a cardinal starting at token i."""
    kind, tok, _, _ = tokens[i]
    if kind == "num":
        if not _DIGITS.fullmatch(tok):
            return None  # money, percentage, decimal, ordinal ("1st"), decade ("1990s"), "10+"
        if "," not in tok and len(tok) >= 4:
            return None  # a year, a port, an identifier
        return int(tok.replace(",", "")), i
    if kind != "word":
        return None
    low = tok.lower()
    if low not in NUMBER_WORDS and low != "dozen" and "-" not in low:
        return None  # most words: one set lookup
    if low == "dozen" and i > 0 and tokens[i - 1][1].lower() == "a":
        return 12, i
    value = number_value(low)
    if value is None:
        return None
    if low in _TENS and i + 1 < len(tokens):
        nxt = tokens[i + 1][1].lower()
        if nxt in NUMBER_WORDS and 0 < NUMBER_WORDS[nxt] < 10 and tokens[i + 1][2] == tokens[i][3] + 1:
            return value + NUMBER_WORDS[nxt], i + 1
    return value, i


_JOINERS = {"and", "or", "nor", "of", "to"}
_DETERMINERS = {"the", "these", "those", "all", "our", "its", "their", "my", "your", "his", "her", "following", "a", "total", "of"}
_FOLLOWING = {"following", "these", "below", "here"}


# Where a claim can start: a run of digits standing alone, or a number word of two or more. Only
# the few words around each one are tokenized: prose is mostly words that can start no claim.
_CARDINAL = re.compile(
    r"(?<![\w$€£¥.])(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?![\d%+]|\.\d|[A-Za-z]))"
    r"|(?i:\b(?:t(?:wo|hree|en|welve|hirt(?:een|y)|wenty)|f(?:our(?:teen)?|ive|ifteen|ifty|orty)"
    r"|s(?:ix(?:teen|ty)?|even(?:teen|ty)?)|e(?:ight(?:een|y)?|leven)|nine(?:teen|ty)?|dozen)\b)"
)
# _CARDINAL, split in two halves that each open with a character class: the regex engine then
# skips the characters that cannot start a match without trying the pattern there (a lookbehind
# or ``\b`` first makes it try both alternatives at every position). What the whole finds, the
# halves find: digits and letters never overlap. ASCII text is matched lower-cased (which keeps
# every position there), each word after the non-word character that opens it.
_DIGIT_CARDINAL = re.compile(r"\d(?<![\w$€£¥.]\d)(?:\d{0,2}(?:,\d{3})+|\d{0,2}(?![\d%+]|\.\d|[A-Za-z]))")
# In ASCII text both halves are searched at once, in the text lower-cased after a blank (lower()
# keeps digits, and whether what stands around them is a letter or a word character), from one
# class that opens both: a digit, or the non-word character before a word.
_ASCII_CARDINAL = re.compile(
    r"[^a-z_](?:(?<=[0-9])(?<![\w$€£¥.][0-9])(?:[0-9]{0,2}(?:,[0-9]{3})+|[0-9]{0,2}(?![0-9%+]|\.[0-9]|[A-Za-z]))"
    r"|(?<![0-9])(t(?:wo|hree|en|welve|hirt(?:een|y)|wenty)|f(?:our(?:teen)?|ive|ifteen|ifty|orty)"
    r"|s(?:ix(?:teen|ty)?|even(?:teen|ty)?)|e(?:ight(?:een|y)?|leven)|nine(?:teen|ty)?|dozen)\b)"
)
# Elsewhere case-insensitive matching is wider than lower(): "ſix" (long s) is a cardinal for
# _CARDINAL. The first class lists every character that (?i) matches to t, f, s, e, n or d.
_WORD_CARDINAL = re.compile(
    r"[TtFfSsſEeNnDd](?<!\w.)(?:(?<=[Tt])(?i:wo|hree|en|welve|hirt(?:een|y)|wenty)"
    r"|(?<=[Ff])(?i:our(?:teen)?|ive|ifteen|ifty|orty)|(?<=[Ssſ])(?i:ix(?:teen|ty)?|even(?:teen|ty)?)"
    r"|(?<=[Ee])(?i:ight(?:een|y)?|leven)|(?<=[Nn])(?i:ine(?:teen|ty)?)|(?<=[Dd])(?i:ozen))\b"
)


# What every cardinal _cardinals finds in an ASCII text holds: a digit, or a number word's start at
# the start of a word. (Beyond ASCII, case-insensitive matching is wider: "ſix".)
_MAY_CARDINAL = re.compile(
    r"[0-9]|(?<![A-Za-z0-9_])(?:two|three|ten|twelve|thirt|twent|four|five|fift|fort|six|seven|eight|eleven|nine|dozen)", re.IGNORECASE
)


def may_hold_cardinal(text: str) -> bool:
    """Whether ``_cardinals(text)`` may find anything: never false when it does. Nine in ten of the
    blocks COUNT001 would read a claim from hold no number (the reference for the C scan)."""
    return not text.isascii() or _MAY_CARDINAL.search(text) is not None


def _cardinals(text: str) -> list[tuple[int, int]]:
    """The spans ``_CARDINAL.finditer(text)`` finds, in order, found about twice as fast."""
    if text.isascii():
        spans: list[tuple[int, int]] = []
        for m in _ASCII_CARDINAL.finditer(" " + text.lower()):
            start, end = m.span(m.lastindex or 0)  # a word's group, or the digits' whole match
            spans.append((start - 1, end - 1))
        return spans
    digits = [m.span() for m in _DIGIT_CARDINAL.finditer(text)]
    words = [m.span() for m in _WORD_CARDINAL.finditer(text)]
    return sorted(digits + words) if digits and words else digits or words


# Characters of context read before and after a cardinal: more than the few words a claim spans.
_BEFORE = 60
_AFTER = 120
# Tokens after the cardinal's that _claims_in may look at: a tens word's second half, three
# modifiers and the noun, and one more for the bound the modifier loop tests.
_READ_AFTER = 5


def find_claims(text: str, after: tuple[str, ...] = ()) -> Iterator[Claim]:
    """Every count claim in ``text``: a cardinal, a short noun phrase, and its plural noun. Given
    ``after`` (lower-case words), only the claims whose ``before`` ends with one of them, and
    most other cardinals are not tokenized."""
    n = len(text)
    token_at = _TOKEN.finditer
    for at, end in _cardinals(text):
        ws, we = max(0, at - _BEFORE), min(n, end + _AFTER)
        if after and not _may_follow(text[ws:at], after):
            continue
        tokens: list[tuple[str, str, int, int]] = []
        i = -1
        for t in token_at(text, ws, we):
            s, e = t.span()
            if s == ws and ws > 0 and not text[ws - 1].isspace():
                continue  # cut by the window: too far from the cardinal to matter
            if e == we and we < n and not text[we].isspace():
                continue
            if s == at:
                i = len(tokens)
            tokens.append((t.lastgroup or "", t.group(), s, e))
            if i >= 0 and len(tokens) > i + _READ_AFTER:
                break  # a claim reads no further: the rest of the window would be tokenized for nothing
        if i >= 0:
            for claim in _claims_in(text, tokens, i, i + 1):
                if not after or claim.before[-1:] and claim.before[-1] in after:
                    yield claim


def _may_follow(head: str, words: tuple[str, ...]) -> bool:
    """Whether the text before a cardinal may end with one of ``words`` as a token: then blanks (all
    that stands between two tokens), and for "a dozen" an "a" and blanks. Never false for a claim
    whose ``before`` ends with one of them; sometimes true for others ("bathe 3")."""
    head = head.rstrip()
    if head.lower().endswith(words):
        return True
    return head.endswith(("a", "A")) and head[-2:-1].isspace() and head[:-1].rstrip().lower().endswith(words)


def _claims_in(text: str, tokens: list[tuple[str, str, int, int]], start: int, stop: int) -> Iterator[Claim]:
    for i in range(start, stop):
        got = _word_number(tokens, i)
        if got is None:
            continue
        value, last = got
        if value < 2 and tokens[i][1].lower() != "dozen":
            continue  # "one" counts a singular noun: never a claim about several parts
        claim = _claim_at(text, tokens, i, last, value)
        if claim is not None:
            yield claim


def _claim_at(text: str, tokens: list[tuple[str, str, int, int]], i: int, last: int, value: int) -> Claim | None:
    first = i - 1 if tokens[i][1].lower() == "dozen" else i
    start, end = tokens[first][2], tokens[last][3]
    before: list[str] = []
    j = first - 1
    prev = tokens[j] if j >= 0 else None
    if prev is not None:
        if prev[0] == "punct" and prev[1] in "-–—~+#/×.:" and prev[3] == start:
            return None  # range end, version part, "#3", "x2"
        if prev[0] == "num":
            return None
        if prev[0] == "word":
            low = prev[1].lower()
            if low in _BEFORE_STOP:
                return None
            if low in _JOINERS and j > 0 and _word_number(tokens, j - 1) is not None:
                return None  # "two or three", "one of three", "between 2 and 5"
            # A capitalised word right before the number names a thing ("Round Two", "Node.js 6").
            if prev[1][0].isupper() and low not in _DETERMINERS and low not in _SENTENCE_OPENERS:
                return None
    while j >= 0 and len(before) < 3 and tokens[j][0] == "word":
        before.insert(0, tokens[j][1].lower())
        j -= 1
    k = last + 1
    if k < len(tokens) and tokens[k][0] == "word" and tokens[k][1].lower() in _AFTER_STOP:
        return None
    modifiers: list[str] = []
    while k < len(tokens) and len(modifiers) < 3:
        kind, tok, s, e = tokens[k]
        if kind != "word":
            return None
        low = tok.lower()
        if low in _FUNCTION or number_value(low) is not None:
            return None
        sing = singular(tok)
        if sing is not None:
            head = sing.rsplit("-", 1)[-1]
            if head in UNIT_NOUNS:
                return None
            return Claim(
                value, start, end, tok, sing, s, e, tuple(modifiers), tuple(before),
                following=any(b in _FOLLOWING for b in before[-2:]), digits=tokens[i][0] == "num",
            )
        modifiers.append(low)
        k += 1
    return None


# Capitalised words that open a sentence and may stand right before a count ("Here 3 ...").
_SENTENCE_OPENERS = {
    "here", "there", "we", "i", "all", "only", "just", "with", "in", "for", "and", "but", "so", "after",
    "these", "then", "now", "also", "finally", "today", "below", "above", "those", "on", "at", "by",
}


_LABEL = re.compile(
    r"(?P<noun>[A-Za-z][a-z]{1,15})\.?[ \t]+(?:#|No\.[ \t]*)?"
    r"(?P<num>\d{1,3}(?:st|nd|rd|th|(?P<sub>[a-z]))?|[A-Za-z]+(?:-[A-Za-z]+)?)"
    r"(?![.,]\w)(?=$|[ \t]*[:.)\]–—|]|[ \t]+[-–—(]|[ \t]*\n|[ \t]+of[ \t])"
)


def read_label(text: str, offset: int = 0) -> Label | None:
    """A numbered label at ``offset`` of ``text``: noun then a number or number word, then a break."""
    m = _LABEL.match(text, offset)
    if m is None:
        return None
    num = m.group("num")
    sub = m.group("sub") or ""
    if num[0].isdigit():
        value: int | None = int(_DIGITS.match(num).group())  # type: ignore[union-attr]
    else:
        value = number_value(num) or ORDINAL_WORDS.get(num.lower())
    if value is None:
        return None
    return Label(m.group("noun").lower(), value, m.start("num"), m.end("num"), sub)


def starts_with_noun(text: str, noun: str) -> bool:
    """Whether ``text`` opens with ``noun`` as a label: "Feature 1: ...", "Backgrounder: ...", "Step Two"."""
    t = text.lstrip()
    if not t[: len(noun)].lower() == noun:
        return False
    rest = t[len(noun) :]
    if rest == "" or rest[0] in ":—–|":
        return True
    if rest.startswith(" - ") or rest.startswith(" — ") or rest.startswith(" – "):
        return True
    return (label := read_label(t)) is not None and label.noun == noun


_ENUMERATOR = re.compile(r"(?<![\w.])\(?([1-9][0-9]?|[a-z])\)")


def inline_enumeration(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the run of inline enumerators "1) ... 2) ..." or "(a) ... (b) ..." in ``text[start:end]``
    that counts up from 1 (or a); empty if there is no such run of two or more."""
    run: list[tuple[int, int]] = []
    for m in _ENUMERATOR.finditer(text, start, len(text) if end is None else end):
        tok = m.group(1)
        value = int(tok) if tok.isdigit() else ord(tok) - ord("a") + 1
        if value == len(run) + 1:
            run.append((m.start(), m.end()))
        elif value == 1:
            break  # a second enumeration starts: count the first
    return run if len(run) >= 2 else []
