"""Every image a post shows (Markdown, HTML, shortcodes, front-matter) and where its file lives."""

from __future__ import annotations

import bisect
import html
import os
import re
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from postlint.document import Document
from postlint.extract import DEFAULT_CODE_SHORTCODES, DEFAULT_FRONT_MATTER_KEYS

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp", ".tif", ".tiff", ".jxl", ".apng")

# How a relative path resolves: "page" (the post's folder), "root" (the site's static folders),
# or "page-root" (the post's folder, then the static folders, as Hugo's resource lookup and
# front-matter images in most themes do).
Base = str


@dataclass(frozen=True)
class FoundImage:
    """One image occurrence, with the path worked out from any template around it."""

    src: str  # the URL or path to check (templates expanded); "" when it cannot be worked out
    raw: str  # the reference as written
    line: int
    column: int
    offset: int  # character offset in doc.text (-1 for front-matter values)
    origin: str  # markdown | reference | html | srcset | shortcode | front-matter
    kind: str  # local | remote | template | data
    alt: str | None = None  # None: no alt given at all
    alt_known: bool = True  # False: a template whose alt text we cannot see
    decorative: bool = False  # HTML marks it decorative (role="presentation"/"none", aria-hidden)
    base: Base = "page"
    key: tuple | None = None  # front-matter key path


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TEMPLATE = re.compile(r"\{\{|\{%|\$\{")


def classify(src: str) -> str:
    """local, remote, template or data for a reference as written."""
    s = src.strip()
    if "{" in s and _TEMPLATE.search(s):  # every template marker has a brace
        return "template"
    if s[:5].lower() == "data:":
        return "data"
    if s.startswith("//") or _SCHEME.match(s):
        return "remote"
    return "local"


def url_path(src: str) -> str:
    """The file part of a local reference: no ?query or #fragment, percent-decoded."""
    s = src.strip()
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1]
    s = s.split("#", 1)[0].split("?", 1)[0]
    return unquote(s)


# --------------------------------------------------------------------------- templates in a src

_Q = r"""(?:"([^"]*)"|'([^']*)')"""
_FILTERED = re.compile(r"\{\{-?\s*" + _Q + r"\s*((?:\|\s*[\w.]+(?:\s*:\s*[^|}]+)?\s*)+)-?\}\}")
_URL_FILTERS = {"url", "relative_url", "absolute_url", "relurl", "absurl", "relLangURL".lower(), "absLangURL".lower()}
_VAR = re.compile(r"\{\{-?\s*((?:\$?\.Params\.|\.Params\.|page\.|\$\.Params\.)?[A-Za-z_][\w]*)\s*((?:\|\s*[\w.]+\s*)*)-?\}\}")
_BASEURL = re.compile(r"\{\{-?\s*(?:site\.(?:baseurl|url|baseURL)|page\.baseurl|baseurl|\.Site\.BaseURL|site\.BaseURL)\s*-?\}\}", re.I)
_LINK_TAG = re.compile(r"\{%-?\s*(?:link|post_url)\s+(\S+?)\s*-?%\}")


def expand_template(src: str, front_matter: Any) -> str | None:
    """The path a templated reference renders to, or None when it depends on more than we can see."""
    s = _BASEURL.sub("", src)

    def filtered(m: re.Match) -> str:
        value = m.group(1) if m.group(1) is not None else m.group(2)
        filters = [f.split(":")[0].strip().lower() for f in m.group(3).split("|") if f.strip()]
        if not all(f in _URL_FILTERS for f in filters):
            return m.group(0)
        # Site URL filters make a path root-relative (they prefix the site's base URL).
        return value if value.startswith("/") or _SCHEME.match(value) else "/" + value

    s = _FILTERED.sub(filtered, s)
    s = _LINK_TAG.sub(lambda m: "/" + m.group(1).lstrip("/"), s)

    def variable(m: re.Match) -> str:
        # Eleventy, Jekyll and Hugo pages see their own front-matter: `{{ image }}`, `{{ page.image }}`.
        name = re.sub(r"^(?:\$?\.Params\.|page\.)", "", m.group(1))
        filters = [f.strip().lower() for f in m.group(2).split("|") if f.strip()]
        value = front_matter.get(name) if isinstance(front_matter, dict) else None
        if not isinstance(value, str) or not all(f in _URL_FILTERS for f in filters):
            return m.group(0)
        return value

    s = _VAR.sub(variable, s)
    if _TEMPLATE.search(s):
        return None
    return s


# --------------------------------------------------------------------------- regions that are not rendered


class Mask:
    """Sorted, merged character ranges of doc.text where nothing counts as an image."""

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        merged: list[list[int]] = []
        for a, b in sorted(r for r in ranges if r[1] > r[0]):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __contains__(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


class _LazyMask:
    """A Mask built on first use: most posts have no image to test against it."""

    __slots__ = ("_build", "_mask")

    def __init__(self, build: Callable[[], Mask]):
        self._build: Callable[[], Mask] | None = build
        self._mask: Mask | None = None

    def __contains__(self, offset: int) -> bool:
        if self._mask is None:
            assert self._build is not None
            self._mask, self._build = self._build(), None
        return offset in self._mask


_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_LITERAL_ELEMENTS = re.compile(r"<(pre|code|script|style|textarea|template)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I)
_ESCAPED_SHORTCODE = re.compile(r"\{\{([<%])/\*.*?\*/\1\}\}", re.S)


@lru_cache(maxsize=64)
def _code_shortcode_re(names: tuple[str, ...]) -> re.Pattern[str] | None:
    if not names:
        return None
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(
        r"\{\{[<%]\s*(" + alt + r")\b.*?[>%]\}\}.*?\{\{[<%]\s*/\s*\1\s*[>%]\}\}"
        r"|\{%-?\s*(highlight)\b.*?%\}.*?\{%-?\s*endhighlight\s*-?%\}",
        re.S,
    )


def not_rendered(doc: Document, code_shortcodes: tuple[str, ...] = DEFAULT_CODE_SHORTCODES) -> Mask:
    """Code blocks, code spans, HTML comments, literal HTML elements and code-showing shortcodes."""
    ranges: list[tuple[int, int]] = []
    text = doc.text
    ranges.extend((b.start, b.end) for b in doc.blocks if b.kind == "code")
    ranges.extend(doc.code_spans)
    base = doc.body_start
    # The patterns search the text from the body on (no copy; offsets stay absolute).

    patterns: list[re.Pattern[str]] = []
    if text.find("<", base) != -1:  # the first character of their every match
        patterns += (_COMMENT, _LITERAL_ELEMENTS)
    if text.find("{", base) != -1:
        patterns.append(_ESCAPED_SHORTCODE)
        sc = _code_shortcode_re(tuple(code_shortcodes))
        if sc is not None:
            patterns.append(sc)
    for pat in patterns:
        ranges.extend(m.span() for m in pat.finditer(text, base))
    return Mask(ranges)


# --------------------------------------------------------------------------- HTML <img>

_IMG_TAG = re.compile(r"<img\b([^>]*)>", re.I | re.S)
# "<img" in a piece's lower() is exactly this in its text (no other character lowers to i, m or g
# but U+0130, to "i" and a combining dot); not re.I, which also takes the dotless i for an i.
_IMG_OPEN = re.compile(r"<[iI][mM][gG]")
_ATTR = re.compile(r"""([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""", re.S)


def _attrs(s: str) -> dict[str, tuple[str | None, int]]:
    """Attribute name -> (value or None, offset of the value within ``s``)."""
    out: dict[str, tuple[str | None, int]] = {}
    for m in _ATTR.finditer(s):
        name = m.group(1).lower()
        if name in out:
            continue
        for g in (2, 3, 4):
            if m.group(g) is not None:
                out[name] = (html.unescape(m.group(g)), m.start(g))
                break
        else:
            out[name] = (None, m.start(1))
    return out


def _srcset(value: str) -> Iterator[tuple[str, int]]:
    """URL candidates of a srcset with their offsets in ``value``."""
    for m in re.finditer(r"\s*([^\s,][^\s]*?)(?:,|\s+[^,]*(?:,|$)|$)", value):
        url = m.group(1)
        if url:
            yield url.rstrip(","), m.start(1)


def _html_sources(doc: Document) -> Iterator[tuple[str, int]]:
    """(text, offset) of each piece of raw HTML: whole HTML blocks, and inline tags."""
    blocks = doc.blocks
    for b in blocks:
        if b.kind == "html":
            yield doc.text[b.start : b.end], b.start
    for h in doc.html:
        if h.block is None or not 0 <= h.block < len(blocks) or blocks[h.block].kind != "html":
            yield h.text, h.offset


def html_images(doc: Document, mask: Container[int]) -> Iterator[FoundImage]:
    lt = doc.text.find("<", doc.body_start)
    if lt == -1 or _IMG_OPEN.search(doc.text, lt) is None:
        return  # raw HTML is made of the body's text: without "<img" in it there is none in the HTML
    for text, base in _html_sources(doc):
        if "<img" not in text.lower():
            continue
        for m in _IMG_TAG.finditer(text):
            if base + m.start() in mask:
                continue
            attrs = _attrs(m.group(1))
            alt = attrs.get("alt", (None, 0))[0]
            role = (attrs.get("role", (None, 0))[0] or "").strip().lower()
            hidden = (attrs.get("aria-hidden", (None, 0))[0] or "").strip().lower() == "true"
            decorative = role in ("presentation", "none") or hidden
            tag_off = base + m.start(1)
            if "src" in attrs and attrs["src"][0] is not None:
                value, voff = attrs["src"]
                yield _image(doc, value, tag_off + voff, "html", alt=alt, decorative=decorative)
            elif "srcset" not in attrs:
                yield _image(doc, "", base + m.start(), "html", alt=alt, decorative=decorative)
            if "srcset" in attrs and attrs["srcset"][0]:
                value, voff = attrs["srcset"]
                for url, uoff in _srcset(value):
                    # The candidates share the element's alt; report alt once, on src.
                    yield _image(doc, url, tag_off + voff + uoff, "srcset", alt=alt, alt_known=False)


# --------------------------------------------------------------------------- shortcodes

_HUGO_SC = re.compile(r"\{\{([<%])\s*([A-Za-z][\w/-]*)((?:[^>%\"'`]|\"[^\"]*\"|'[^']*'|`[^`]*`|[>%](?!\}\}))*?)\s*[>%]\}\}", re.S)
_HUGO_ARG = re.compile(r"""(?:([\w-]+)\s*=\s*)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|'([^']*)'|([^\s"'`=]+))""", re.S)
_SHORTCODE_OPEN = re.compile(r"\{[{%]")  # the start of every match of the patterns here
_HUGO_OPEN = re.compile(r"\{\{[<%]")
_HUGO_CLOSE = re.compile(r"[>%]\}\}")
_LIQUID_SC = re.compile(r"\{%-?\s*([A-Za-z][\w-]*)\s+(.*?)-?%\}", re.S)
_LIQUID_ARG = re.compile(r"""("([^"]*)"|'([^']*)'|[^\s,"']+)""")
_GO_IMAGE = re.compile(r"\{\{-?\s*image\s+\"([^\"]+)\"(?:\s+\d+)*\s*-?\}\}")

# Hugo shortcodes: name -> alt falls back to the caption (the built-in figure does).
_HUGO_IMAGE_SHORTCODES = {"figure": True, "img": False, "image": False, "imgproc": False, "picture": False}
# Liquid/Nunjucks (Eleventy, Jekyll) shortcodes: name -> index of the alt argument. Their paths are
# relative to the project root (eleventy-img), so they resolve against the static folders.
_LIQUID_IMAGE_SHORTCODES = {"image": 1, "img": 1, "picture": 1, "image_with_class": 2}


# `![alt]({{ image | url }})`: the spaces make it no Markdown image, but Eleventy and Jekyll expand
# the template before Markdown sees it.
_TEMPLATE_DEST = re.compile(r"!\[([^\]\n]*)\]\(\s*((?:\{\{[^}\n]*\}\}|\{%[^%\n]*%\})[^)\s]*)\s*(?:\"[^\"\n]*\")?\)")
_TEMPLATE_DEST_HINT = re.compile(r"\]\( ?\{")  # "](" then a brace, at most one space between


def template_destination_images(doc: Document, mask: Container[int]) -> Iterator[FoundImage]:
    """Images whose destination is a template (see _TEMPLATE_DEST), but for those pyromark found."""
    text, start = doc.text, doc.body_start
    brace = text.find("{", start)
    # The hint ends with a brace, at most three characters after its start.
    if brace == -1 or _TEMPLATE_DEST_HINT.search(text, max(start, brace - 3)) is None:
        return
    known = {im.offset for im in doc.images}
    for m in _TEMPLATE_DEST.finditer(text, start):
        if m.start() in mask or m.start() in known:
            continue
        # Reported at the `![`, like the Markdown images pyromark finds.
        yield _image(doc, m.group(2), m.start(), "markdown", alt=m.group(1))


def _hugo_shortcodes(text: str, start: int) -> Iterator[re.Match[str]]:
    """_HUGO_SC's matches from ``start``; none searched for without an opening and a closing after it.

    A failed attempt at an opening scans to the end of the text: a post with unclosed ones
    (Liquid's `{{{% endraw %}`) cost as much as hundreds of others.
    """
    opening = _HUGO_OPEN.search(text, start)
    if opening is None or _HUGO_CLOSE.search(text, opening.end()) is None:
        return iter(())
    return _HUGO_SC.finditer(text, opening.start())


def shortcode_images(doc: Document, mask: Container[int]) -> Iterator[FoundImage]:
    # Every shortcode starts with "{{" or "{%": none before the body's first one. The patterns
    # search the text from there (no copy of the body; offsets stay absolute) and look at nothing
    # before their first character.
    text = doc.text
    opening = _SHORTCODE_OPEN.search(text, doc.body_start)
    if opening is None:
        return
    brace = opening.start()
    for m in _hugo_shortcodes(text, brace):
        name = m.group(2).lower()
        if name not in _HUGO_IMAGE_SHORTCODES or m.start() in mask:
            continue
        named: dict[str, tuple[str, int]] = {}
        positional: list[tuple[str, int]] = []
        for a in _HUGO_ARG.finditer(m.group(3)):
            g = next(i for i in (2, 3, 4, 5) if a.group(i) is not None)
            item = (a.group(g), m.start(3) + a.start(g))
            if a.group(1):
                named[a.group(1).lower()] = item
            else:
                positional.append(item)
        src = named.get("src") or (positional[0] if positional else None)
        alt_item = named.get("alt")
        if alt_item is None and _HUGO_IMAGE_SHORTCODES[name]:
            alt_item = named.get("caption") or named.get("title")
        if src is None:
            continue
        alt_known = alt_item is not None or _HUGO_IMAGE_SHORTCODES[name]
        yield _image(doc, src[0], src[1], "shortcode", alt=alt_item[0] if alt_item else None, alt_known=alt_known, base="page-root")
    for m in _GO_IMAGE.finditer(text, brace):
        if m.start() not in mask:
            # golang.org's {{image "dir/x.png" 600}}: relative to the page; it writes no alt.
            yield _image(doc, m.group(1), m.start(1), "shortcode", alt_known=False, base="page")
    for m in _LIQUID_SC.finditer(text, brace):
        name = m.group(1).lower()
        if name not in _LIQUID_IMAGE_SHORTCODES or m.start() in mask:
            continue
        args = list(_LIQUID_ARG.finditer(m.group(2)))
        if not args:
            continue
        first = args[0]
        alt_i = _LIQUID_IMAGE_SHORTCODES[name]
        alt = None
        alt_known = False
        if len(args) > alt_i and args[alt_i].group(2 if args[alt_i].group(2) is not None else 3) is not None:
            a = args[alt_i]
            alt, alt_known = (a.group(2) if a.group(2) is not None else a.group(3)), True
        if first.group(2) is not None or first.group(3) is not None:
            g = 2 if first.group(2) is not None else 3
            yield _image(doc, first.group(g), m.start(2) + first.start(g), "shortcode", alt=alt, alt_known=alt_known, base="root")
        else:
            # A variable argument: the path lives somewhere we cannot see.
            yield _image(doc, "{{ " + first.group(1) + " }}", m.start(2) + first.start(1), "shortcode", alt=alt, alt_known=alt_known, base="root")


# --------------------------------------------------------------------------- front-matter


@lru_cache(maxsize=256)
def _key_path(key: str) -> tuple[str, ...]:
    return tuple(key.split("."))


def front_matter_images(doc: Document, keys: Iterable[str]) -> Iterator[FoundImage]:
    fm = doc.front_matter
    if fm is None or not fm.ok:
        return
    for key in keys:
        path = _key_path(key)
        if path[0] not in fm.data:
            continue  # most posts have few of the keys
        value = fm.get(path)
        items: list[tuple[tuple, Any]]
        if isinstance(value, str):
            items = [(path, value)]
        elif isinstance(value, list):
            items = [(path + (i,), v) for i, v in enumerate(value) if isinstance(v, str)]
        else:
            continue
        for p, v in items:
            if not v.strip():
                continue
            line, col = fm.line_of(p)
            kind = classify(v)
            src = v
            if kind == "template":
                expanded = expand_template(v, None)
                if expanded is not None:
                    src, kind = expanded, classify(expanded)
                else:
                    src = ""
            yield FoundImage(src, v, line, col, -1, "front-matter", kind, alt_known=False, base="page-root", key=p)


# --------------------------------------------------------------------------- all of them


def _image(
    doc: Document,
    raw: str,
    offset: int,
    origin: str,
    *,
    alt: str | None = None,
    alt_known: bool = True,
    decorative: bool = False,
    base: Base = "page",
) -> FoundImage:
    line, col = doc.position(offset)
    kind = classify(raw)
    src = raw.strip()
    if kind == "template":
        data = doc.front_matter.data if doc.front_matter is not None and doc.front_matter.ok else None
        expanded = expand_template(src, data)
        if expanded is None:
            src = ""
        else:
            src, kind = expanded, classify(expanded)
            # A site-relative filter or variable makes the path the site's, not the page's.
            if kind == "local" and not src.startswith("/") and base == "page":
                base = "page-root"
    return FoundImage(src, raw, line, col, offset, origin, kind, alt, alt_known, decorative, base)


def collect_images(
    doc: Document,
    front_matter_keys: Iterable[str] = DEFAULT_FRONT_MATTER_KEYS,
    code_shortcodes: Iterable[str] = DEFAULT_CODE_SHORTCODES,
) -> list[FoundImage]:
    """Every image of a document, in file order, each with its kind (local/remote/template/data).

    Computed once per document and options: every IMG rule calls this.
    """
    key = (tuple(front_matter_keys), tuple(code_shortcodes))
    return doc.derive(("images", key), lambda: _collect_images(doc, key))


def _collect_images(doc: Document, key: tuple[tuple[str, ...], tuple[str, ...]]) -> list[FoundImage]:
    images: list[FoundImage] = list(front_matter_images(doc, key[0]))
    if doc.parsed and doc.text:
        mask = _LazyMask(lambda: not_rendered(doc, key[1]))
        for im in doc.images:
            if im.offset in mask:
                continue
            images.append(_image(doc, im.src, im.offset, im.origin, alt=im.alt or "", alt_known=True))
        images.extend(html_images(doc, mask))
        images.extend(shortcode_images(doc, mask))
        images.extend(template_destination_images(doc, mask))
    images.sort(key=lambda i: (i.line, i.column))
    return images


# --------------------------------------------------------------------------- finding the file


@dataclass(frozen=True)
class Resolution:
    """Where a local image is, or what the author probably meant."""

    path: Path | None  # the file, when it exists
    suggestion: str | None = None  # the reference as it should be written ("did you mean")
    is_dir: bool = False
    tried: tuple[Path, ...] = ()
    external: bool = False  # under an external path: served by something outside the repository


_MAX_LISTINGS = 1024  # folders remembered at once
_MAX_SNIFFED = 16384  # image files whose first bytes are remembered at once


class Listings:
    """Directory listings, read once per directory per run: exact and case-insensitive lookup."""

    def __init__(self) -> None:
        self._names: dict[str, dict[str, tuple[str, bool]] | None] = {}
        # Told of every folder consulted: what a post's findings depend on (the result cache).
        self.observer: Callable[[str], None] | None = None

    def clear(self) -> None:
        self._names.clear()

    def entries(self, directory: str) -> dict[str, tuple[str, bool]] | None:
        """lower-case name -> (real name, is a directory); None when the folder does not exist."""
        if self.observer is not None:
            self.observer(directory)
        if directory in self._names:
            return self._names[directory]
        if len(self._names) >= _MAX_LISTINGS:
            self._names.clear()  # a very large site: start over rather than hold every folder
        out: dict[str, tuple[str, bool]] | None
        try:
            out = {}
            exact: set[str] = set()
            with os.scandir(directory) as it:
                for e in it:
                    try:
                        is_dir = e.is_dir()
                    except OSError:
                        is_dir = False
                    low = e.name.lower()
                    # Several names differing only by case: keep the exact ones reachable.
                    out[e.name] = (e.name, is_dir)
                    exact.add(e.name)
                    if low not in exact:
                        out.setdefault(low, (e.name, is_dir))
        except OSError:
            out = None
        self._names[directory] = out
        return out

    def lookup(self, base: Path, parts: list[str]) -> tuple[Path | None, Path | None, bool]:
        """(exact path, path differing only by case, is a directory) of base/parts."""
        exact_ok = True
        cur = str(base)
        is_dir = True
        for i, part in enumerate(parts):
            if part in ("", "."):
                continue
            if part == "..":
                cur = os.path.dirname(cur)
                continue
            ent = self.entries(cur)
            if ent is None:
                return None, None, False
            hit = ent.get(part)
            if hit is None or hit[0] != part:
                hit = ent.get(part.lower())
                if hit is None:
                    return None, None, False
                exact_ok = False
            cur = os.path.join(cur, hit[0])
            is_dir = hit[1]
        p = Path(cur)
        return (p, None, is_dir) if exact_ok else (None, p, is_dir)

    def sibling_extension(self, base: Path, parts: list[str]) -> Path | None:
        """A file with the same stem and another image extension in the same folder."""
        if not parts or parts[-1] in ("..", "."):
            return None
        exact, near, is_dir = self.lookup(base, parts[:-1])
        folder = exact or near
        if folder is None or not is_dir:
            return None
        stem = os.path.splitext(parts[-1])[0].lower()
        for name, _is_dir in sorted((self.entries(str(folder)) or {}).values()):
            s, ext = os.path.splitext(name.lower())
            if not _is_dir and s == stem and ext in IMAGE_EXTENSIONS and name != parts[-1]:
                return folder / name
        return None


_listings = Listings()


def forget_file_system() -> None:
    """Drop what this run has seen of folders and image files (a new run may see them changed)."""
    global _run
    _listings.clear()
    _sniffed.clear()
    _run += 1  # a document's resolutions from before are not reused


@contextmanager
def watching_folders(observer: Callable[[str], None]) -> Iterator[None]:
    """Tell ``observer`` of every folder consulted while resolving inside the block."""
    _listings.observer = observer
    try:
        yield
    finally:
        _listings.observer = None


@dataclass(frozen=True)
class SiteLayout:
    """How a site serves files: static folders, generator mounts, and a base URL prefix."""

    static_dirs: tuple[Path, ...]
    mounts: tuple[tuple[str, Path], ...] = ()  # URL prefix ("/img/logos") -> folder
    baseurl: str = ""
    # Pages other than index.md are served as a folder (post.md -> post/), so a browser resolves
    # their relative paths one level deeper than the file sits (Hugo, Jekyll pretty permalinks).
    pretty_urls: bool = True
    external_paths: tuple[str, ...] = ()  # URL prefixes served from outside the repository
    project_root: Path | None = None  # Eleventy/Jekyll shortcode paths are relative to it

    def is_external(self, path: str) -> bool:
        return any(path.startswith("/" + p.strip("/") + "/") for p in self.external_paths)


_run = 0  # counts forget_file_system calls


def resolve_local(doc: Document, images: list[FoundImage], layout: SiteLayout) -> tuple[list[tuple[FoundImage, Resolution]], set[str]]:
    """Each local image among ``images`` (the document's, from collect_images) with its
    Resolution, and every folder consulted on the way.

    Worked out once per document, images and layout: IMG001 and IMG004 both ask.
    """
    # Images and layouts are frozen values: equal ones resolve alike.
    return doc.derive(("local images", _run, tuple(images), layout), lambda: _resolve_local(doc, images, layout))


def _resolve_local(doc: Document, images: list[FoundImage], layout: SiteLayout) -> tuple[list[tuple[FoundImage, Resolution]], set[str]]:
    local = [image for image in images if image.kind == "local" and image.src.strip()]
    folders: set[str] = set()
    if local:
        with watching_folders(folders.add):
            pairs = [(image, resolve(image, doc, layout)) for image in local]
    else:
        pairs = []  # most posts
    return pairs, folders


def _page_url(doc: Document) -> str | None:
    """The page's own URL path when the front-matter sets it (Zola `path`, Hugo `url`, Jekyll `permalink`)."""
    fm = doc.front_matter
    if fm is None or not fm.ok:
        return None
    for key in ("path", "url", "permalink"):
        v = fm.data.get(key)
        if isinstance(v, str) and v.strip() and ":" not in v and not _TEMPLATE.search(v):
            return "/" + v.strip().strip("/") + "/"
    return None


def _split(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("",)]


def resolve(image: FoundImage, doc: Document, layout: SiteLayout, listings: Listings | None = None) -> Resolution:
    """Find the file a local image refers to, trying the places its generator would serve it from."""
    lst = listings or _listings
    path = url_path(image.src)
    doc_dir = doc.path.parent
    candidates: list[tuple[Path, list[str]]] = []
    if path.startswith("/"):
        if layout.is_external(path):
            return Resolution(None, external=True)
        candidates.extend(_root_candidates(path, layout))
    else:
        parts = _split(path)
        if image.base in ("page", "page-root"):
            candidates.append((doc_dir, parts))
        if image.base in ("root", "page-root"):
            candidates.extend(_root_candidates("/" + path, layout))
        if image.base == "root" and layout.project_root is not None and layout.project_root not in layout.static_dirs:
            candidates.append((layout.project_root, parts))
        if image.base in ("page", "page-root") and layout.pretty_urls and doc.path.stem not in ("index", "_index", "README"):
            # Only a path that climbs out can differ: `x.png` from post/ is post/x.png, not beside the file.
            if parts and parts[0] == "..":
                candidates.append((doc_dir / doc.path.stem, parts))
        if image.base == "page":
            candidates.extend(_page_url_candidates(path, doc, layout))
    tried: list[Path] = []
    near: Path | None = None
    for base, parts in candidates:
        tried.append(base.joinpath(*parts) if parts else base)
        found, case_hit, is_dir = lst.lookup(base, parts)
        if found is not None:
            if is_dir:
                return Resolution(None, is_dir=True, tried=tuple(tried))
            return Resolution(found, tried=tuple(tried))
        if near is None and case_hit is not None and not is_dir:
            near = case_hit
        if near is None:
            near = lst.sibling_extension(base, parts)
    suggestion = None
    if near is not None:
        suggestion = _rewrite(path, near)
    return Resolution(None, suggestion, tried=tuple(tried))


def _rewrite(path: str, near: Path) -> str:
    """The reference as written, with the components that differ by case or extension corrected."""
    parts = path.split("/")
    real = near.parts
    out = list(parts)
    for n, i in enumerate(range(len(parts) - 1, -1, -1)):
        if n >= len(real):
            break
        have, want = parts[i], real[len(real) - 1 - n]
        same = have.lower() == want.lower() or (n == 0 and os.path.splitext(have)[0].lower() == os.path.splitext(want)[0].lower())
        if not same:
            break  # a mount or static folder: the URL names it differently from the disk
        out[i] = want
    return "/".join(out)


def _root_candidates(path: str, layout: SiteLayout) -> list[tuple[Path, list[str]]]:
    paths = [path]
    base = layout.baseurl.strip("/")
    if base:
        prefix = "/" + base + "/"
        if path.startswith(prefix):
            paths.insert(0, path[len(prefix) - 1 :])
    out: list[tuple[Path, list[str]]] = []
    for p in paths:
        for prefix, folder in layout.mounts:
            pre = "/" + prefix.strip("/") + "/"
            if p.startswith(pre):
                out.append((folder, _split(p[len(pre) :])))
        for d in layout.static_dirs:
            out.append((d, _split(p)))
    return out


def _page_url_candidates(path: str, doc: Document, layout: SiteLayout) -> list[tuple[Path, list[str]]]:
    """A relative path the browser resolves against the page's URL rather than its file.

    Zola and Hugo pages that set their own URL are served there, so ``../../x/y.png`` climbs the
    URL. The result is a site path: a static file, or a file in another page's bundle (a sibling
    folder named like that page's last URL segment).
    """
    page = _page_url(doc)
    if page is None or not path.startswith(".."):
        return []
    target = os.path.normpath(page + path).replace("\\", "/")
    if not target.startswith("/"):
        return []
    out = _root_candidates(target, layout)
    segs = _split(target)
    if len(segs) >= 2:
        bundle_parent = doc.path.parent.parent if doc.path.stem in ("index", "_index") else doc.path.parent
        out.append((bundle_parent, segs[-2:]))
    return out


# --------------------------------------------------------------------------- what a file holds

_SNIFF_BYTES = 1024
_sniffed: dict[Path, str | None] = {}


def sniff(path: Path) -> str | None:
    """The image format the first bytes of a file show ("png", "svg"...), "empty", or None (not an image)."""
    if path in _sniffed:
        return _sniffed[path]
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError:
        head = b""
        result: str | None = "unreadable"
    else:
        result = sniff_bytes(head)
    if len(_sniffed) >= _MAX_SNIFFED:
        _sniffed.clear()
    _sniffed[path] = result
    return result


def sniff_bytes(head: bytes) -> str | None:
    if not head:
        return "empty"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis", b"mif1", b"msf1", b"heic", b"heix"):
        return "avif"
    if head[:4] in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"):
        return "ico"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:2] == b"\xff\x0a" or head[:12] == b"\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a":
        return "jxl"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    # SVG: XML declaration, comments and a doctype may come before the <svg element.
    if (text.startswith((b"<?xml", b"<!--", b"<!doctype svg", b"<svg")) and b"<svg" in text) or text.startswith(b"<svg"):
        return "svg"
    if text.startswith((b"<?xml", b"<!--")) and len(head) == _SNIFF_BYTES:
        return "svg" if b"svg" in text else None
    return None


def describe(head_kind: str | None, path: Path) -> str:
    """What a non-image file seems to be, for messages."""
    if head_kind == "empty":
        return "is empty (0 bytes)"
    if head_kind == "unreadable":
        return "cannot be read"
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return "cannot be read"
    low = head.lstrip().lower()
    if head.startswith(b"version https://git-lfs"):
        return "is a Git LFS pointer, not the image (run `git lfs pull`)"
    if low.startswith((b"<!doctype html", b"<html")):
        return "is an HTML page, not an image"
    if head.startswith(b"%PDF"):
        return "is a PDF document, not an image"
    return "does not start like any image format (PNG, JPEG, GIF, WebP, AVIF, SVG, ICO)"
