"""IMG rules (offline): images exist, are images, have alt text, and are not private or plain http."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import FIXTURES, write
from postlint.document import parse_text
from postlint.extract.images import (
    Listings,
    SiteLayout,
    classify,
    collect_images,
    expand_template,
    resolve,
    sniff_bytes,
    url_path,
)

SITE = FIXTURES / "images" / "site"
POSTS = SITE / "content" / "posts"


def _lint(run_cli, *args: str | Path) -> list[tuple[str, int]]:
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "IMG", *map(str, args))
    assert res.exit_code in (0, 1), res.stderr
    return sorted(res.codes)


# The fixture site's postlint.toml: static-dirs static/ then assets/, a mount for /img/logos/32x32,
# baseurl /blog, an https site-url, front-matter keys image, header.teaser and gallery, and /gopls external.
CASES = [
    (
        "syntaxes.md",
        [
            ("IMG001", 5),  # header.teaser, at its key
            ("IMG001", 8),  # second gallery item, at the item
            ("IMG001", 13),  # reference image whose file is missing
            ("IMG001", 18),  # inline <img>
            ("IMG001", 22),  # srcset candidate
            ("IMG001", 33),  # a folder
        ],
    ),
    (
        "mistakes.md",
        [
            ("IMG001", 5),  # case: Photo.JPG
            ("IMG001", 7),  # extension: chart.jpg
            ("IMG001", 9),  # folder case: img/
            ("IMG001", 14),  # empty source
            ("IMG004", 11),  # empty file
            ("IMG004", 11),  # HTML error page
            ("IMG004", 12),  # Git LFS pointer
            ("IMG004", 12),  # a text file
        ],
    ),
    ("bundle/index.md", []),
    (
        "templates.md",
        [
            ("IMG001", 10),  # {{ hero | url }}: front-matter variable expanded
            ("IMG001", 13),  # {% image %} shortcode
            ("IMG001", 16),  # {{image "x" 600}}
        ],
    ),
    ("code.md", []),
    (
        "alt.md",
        [
            ("IMG006", 5),  # ![](x)
            ("IMG006", 7),  # blank alt
            ("IMG006", 9),  # <img> without alt
            ("IMG006", 19),  # figure without alt or caption
        ],
    ),
    (
        "remote.md",
        [
            ("IMG007", 5),  # localhost
            ("IMG007", 7),  # 192.168.x
            ("IMG007", 7),  # 169.254.x in <img>
            ("IMG007", 9),  # [::1]
            ("IMG008", 11),  # plain http on an https site
        ],
    ),
]


@pytest.mark.parametrize("name,expected", CASES, ids=[c[0] for c in CASES])
def test_fixture_posts(run_cli, name: str, expected: list[tuple[str, int]]) -> None:
    assert _lint(run_cli, POSTS / name) == sorted(expected)


def test_messages_say_what_was_meant(run_cli) -> None:
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "IMG001", str(POSTS / "mistakes.md"))
    messages = {f["line"]: f["message"] for f in res.findings}
    assert "'/images/Photo.JPG'" in messages[5]
    assert "'/images/chart.jpg'" in messages[7]
    assert "'img/shared.png'" in messages[9]


def test_statistics_count_templates_and_external_paths(run_cli) -> None:
    res = run_cli("--offline", "--jobs", "1", "--select", "IMG", "--statistics", str(POSTS / "templates.md"), str(POSTS / "syntaxes.md"))
    assert "images: skipped (template)" in res.stdout
    line = next(line for line in res.stdout.splitlines() if "skipped (template)" in line)
    assert int(line.split()[0]) == 3
    assert "images: skipped (external path)" in res.stdout


def test_allow_private_hosts_silences_img007(run_cli, tmp_path: Path) -> None:
    post = write(tmp_path / "post.md", "![Dev](http://localhost:4000/x.png)\n")
    assert _lint(run_cli, post) == [("IMG007", 1)]
    write(tmp_path / "postlint.toml", "[network]\nallow-private-hosts = true\n")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "IMG", str(post))
    if res.exit_code == 2:
        pytest.skip(f"[network] allow-private-hosts not in the schema yet: {res.stderr.strip()}")
    assert res.codes == []


def test_page_canonical_says_https(run_cli, tmp_path: Path) -> None:
    post = write(tmp_path / "post.md", "---\ncanonical: https://example.org/post/\n---\n\n![Plain](http://cdn.example.org/x.png)\n")
    assert _lint(run_cli, post) == [("IMG008", 5)]
    write(tmp_path / "other.md", "![Plain](http://cdn.example.org/x.png)\n")
    assert _lint(run_cli, tmp_path / "other.md") == []  # no site-url, no canonical: nothing known


@pytest.mark.parametrize(
    "mode,expected",
    [
        ("explicit", [5, 7, 9, 19]),
        ("marked", [5, 7, 9, 11, 19, 21]),
        ("report", [5, 7, 9, 11, 13, 19, 21]),
    ],
)
def test_decorative_alt_modes(run_cli, tmp_path: Path, mode: str, expected: list[int]) -> None:
    write(tmp_path / "postlint.toml", f'[images]\ndecorative-alt = "{mode}"\nstatic-dirs = ["{SITE / "static"}", "{SITE}"]\n')
    post = write(tmp_path / "alt.md", (POSTS / "alt.md").read_text("utf-8"))
    write(tmp_path / "img" / "shared.png", (POSTS / "img" / "shared.png").read_bytes())
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "IMG006", str(post))
    assert sorted(line for _, line in res.codes) == expected


def test_pretty_urls_resolve_climbing_paths(run_cli, tmp_path: Path) -> None:
    # docs/collector/management.md is served at docs/collector/management/: ../img/x.svg is docs/collector/img/x.svg
    write(tmp_path / "docs" / "collector" / "img" / "x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    post = write(tmp_path / "docs" / "collector" / "management.md", "![Diagram](../img/x.svg)\n")
    write(tmp_path / "postlint.toml", "[images]\n")
    assert _lint(run_cli, post) == []
    write(tmp_path / "postlint.toml", "[images]\npretty-urls = false\n")
    assert _lint(run_cli, post) == [("IMG001", 1)]


def test_page_url_relative_path_into_a_sibling_bundle(run_cli, tmp_path: Path) -> None:
    # Zola: the page sets its URL; ../../../../ climbs the URL into another post's bundle.
    write(tmp_path / "content" / "old-post" / "info.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    write(tmp_path / "content" / "old-post" / "index.md", '+++\npath = "2024/05/07/old-post"\n+++\n')
    post = write(
        tmp_path / "content" / "new-post" / "index.md",
        '+++\npath = "2024/10/01/new-post"\n+++\n\n![Output](../../../../2024/05/07/old-post/info.svg)\n![Gone](../../../../2024/05/07/old-post/gone.svg)\n',
    )
    assert _lint(run_cli, post) == [("IMG001", 6)]


def test_positions_count_front_matter_lines_and_crlf(run_cli, tmp_path: Path) -> None:
    post = write(tmp_path / "post.md", "---\r\ntitle: x\r\n---\r\n\r\nText ![Gone](gone.png) <img src='lost.png' alt='x'>\r\n")
    res = run_cli("--offline", "--output-format", "json", "--jobs", "1", "--select", "IMG001", str(post))
    assert [(f["line"], f["column"]) for f in res.findings] == [(5, 6), (5, 34)]


# --------------------------------------------------------------------------- helpers, table-tested


@pytest.mark.parametrize(
    "src,kind",
    [
        ("x.png", "local"),
        ("/a/b.png", "local"),
        ("https://e.org/x.png", "remote"),
        ("//cdn.e.org/x.png", "remote"),
        ("HTTP://E.ORG/X.PNG", "remote"),
        ("data:image/png;base64,AAAA", "data"),
        ("{{ .RelPermalink }}", "template"),
        ("{% link x.png %}", "template"),
    ],
)
def test_classify(src: str, kind: str) -> None:
    assert classify(src) == kind


@pytest.mark.parametrize(
    "src,path",
    [
        ("a%20b.png?v=1#frag", "a b.png"),
        ("<a b.png>", "a b.png"),
        ("/x/y.png#top", "/x/y.png"),
    ],
)
def test_url_path(src: str, path: str) -> None:
    assert url_path(src) == path


@pytest.mark.parametrize(
    "src,expected",
    [
        ("{{ site.baseurl }}/assets/x.png", "/assets/x.png"),
        ("{{site.baseurl}}/assets/x.png", "/assets/x.png"),
        ('{{ "/assets/x.png" | relative_url }}', "/assets/x.png"),
        ("{{ 'assets/x.png' | absolute_url }}", "/assets/x.png"),
        ('{{ "/x.gif" | url }}', "/x.gif"),
        ("{{ image | url }}", "/fm.png"),
        ("{{ page.image }}", "/fm.png"),
        ("{{ .Params.image }}", "/fm.png"),
        ("{% link assets/x.png %}", "/assets/x.png"),
        ("{{ .RelPermalink }}", None),
        ("{{ missing }}", None),
        ('{{ "/x.png" | upcase }}', None),
    ],
)
def test_expand_template(src: str, expected: str | None) -> None:
    assert expand_template(src, {"image": "/fm.png"}) == expected


@pytest.mark.parametrize(
    "head,kind",
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\nrest", "png"),
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"GIF87a...", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x1cftypavif", "avif"),
        (b"\x00\x00\x01\x00\x01\x00", "ico"),
        (b'<?xml version="1.0"?>\n<!-- c -->\n<svg>', "svg"),
        (b"\xef\xbb\xbf  <svg xmlns='x'>", "svg"),
        (b"<!DOCTYPE svg PUBLIC><svg>", "svg"),
        (b"<!DOCTYPE html><html>", None),
        (b"version https://git-lfs.github.com/spec/v1", None),
        (b"%PDF-1.7", None),
    ],
)
def test_sniff_bytes(head: bytes, kind: str | None) -> None:
    assert sniff_bytes(head) == kind


def _doc(text: str, path: Path = Path("post.md")):
    return parse_text(path, path.as_posix(), textwrap.dedent(text))


def test_collect_images_every_syntax_with_kind_and_position() -> None:
    doc = _doc(
        """\
        ---
        image: /card.png
        ---

        ![A](a.png) <img src="https://e.org/b.png" alt="B"> `![no](code.png)`

        {{< figure src="c.png" caption="C" >}} {% image "d.png" "D" %} {{image "e.png" 600}}

        <img src="{{ .RelPermalink }}"> ![Data](data:image/gif;base64,R0lGOD)
        """
    )
    found = [(i.origin, i.src, i.kind, i.line, i.column) for i in collect_images(doc)]
    assert found == [
        ("front-matter", "/card.png", "local", 2, 1),
        ("markdown", "a.png", "local", 5, 1),
        ("html", "https://e.org/b.png", "remote", 5, 23),
        ("shortcode", "c.png", "local", 7, 17),
        ("shortcode", "d.png", "local", 7, 50),
        ("shortcode", "e.png", "local", 7, 73),
        ("html", "", "template", 9, 11),
        ("markdown", "data:image/gif;base64,R0lGOD", "data", 9, 33),
    ]


def test_listings_read_each_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    write(tmp_path / "static" / "a" / "x.png", b"\x89PNG\r\n\x1a\n")
    calls: list[str] = []
    real = os.scandir

    def counting(path):  # type: ignore[no-untyped-def]
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)
    layout = SiteLayout((tmp_path / "static",))
    lst = Listings()
    doc = _doc("![x](/a/x.png) ![y](/a/X.png) ![z](/a/x.jpg)\n", tmp_path / "post.md")
    results = [resolve(i, doc, layout, lst) for i in collect_images(doc)]
    assert results[0].path == tmp_path / "static" / "a" / "x.png"
    assert results[1].path is None and results[1].suggestion == "/a/x.png"
    assert results[2].path is None and results[2].suggestion == "/a/x.png"
    assert sorted(calls) == sorted({str(tmp_path / "static"), str(tmp_path / "static" / "a")})


def test_scans_cover_the_body_only_from_its_first_character() -> None:
    # The shortcode, HTML and templated-destination scans start at the body (the front-matter's
    # look-alikes do not count), and at its first brace or "<": these sit at its very start.
    doc = _doc(
        """\
        ---
        title: '{{< figure src="fm.png" >}} <img src="fm.png"> ![x]({{ "/fm.png" | url }})'
        ---
        {{< figure src="c.png" alt="C" >}} `{{< img src="code.png" >}}`
        > <IMG SRC="q.png" ALT="">
        > {% image "d.png" %}

        ![T]( {{ "/t.png" | relative_url }}) ![U]({{ '/u.png' | url }}) {{image "e.png"}}
        """
    )
    found = [(i.origin, i.src, i.line, i.column) for i in collect_images(doc)]
    assert found == [
        ("shortcode", "c.png", 4, 17),
        ("html", "q.png", 5, 13),
        ("shortcode", "d.png", 6, 13),
        ("markdown", "/t.png", 8, 1),
        ("markdown", "/u.png", 8, 38),
        ("shortcode", "e.png", 8, 74),
    ]
    assert collect_images(_doc("---\ntitle: '{{< figure src=\"x.png\" >}}'\n---\nNo brace, no tag.\n")) == []


def test_img001_and_img004_share_resolutions_and_both_depend_on_the_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import postlint.extract.images as extract
    from postlint.registry import Context
    from postlint.rules.images import ImageOptions, MissingImage, NotAnImage

    write(tmp_path / "a" / "x.png", b"not a png")
    doc = _doc("![x](a/x.png) ![y](a/y.png) ![z](b/z.png)\n", tmp_path / "post.md")
    extract.forget_file_system()
    calls: list[str] = []
    real = extract.resolve
    monkeypatch.setattr(extract, "resolve", lambda image, *a, **k: calls.append(image.src) or real(image, *a, **k))

    def run(rule: type, opts: ImageOptions) -> tuple[list[tuple[int, int]], set[str]]:
        ctx = Context(options=opts, config_dir=tmp_path)
        return [(r.line, r.column) for r in rule().check(doc, ctx)], ctx.dependencies

    found1, deps1 = run(MissingImage, ImageOptions())
    found4, deps4 = run(NotAnImage, ImageOptions())  # equal options, another object: the same layout
    assert found1 == [(1, 15), (1, 29)] and found4 == [(1, 1)]
    assert calls == ["a/x.png", "a/y.png", "b/z.png"]  # once each, for both rules
    folders = {str(tmp_path), str(tmp_path / "a")}
    assert folders <= deps1 and deps4 == folders | {str(tmp_path / "a" / "x.png")}
    write(tmp_path / "a" / "y.png", b"\x89PNG\r\n\x1a\n")
    extract.forget_file_system()  # a new run sees the folder again
    assert run(MissingImage, ImageOptions())[0] == [(1, 29)]


# Texts for the scans' shortcuts: each shortcut must find what the plain scan finds.
SHORTCUT_TEXTS = [
    "No brace, no tag.\n",
    '{{< figure src="a.png" >}} {{% img src="b.png" %}}\n',
    # Unclosed openings (a Liquid raw block written as `{{{% endraw %}`): no Hugo shortcode at all...
    "{{{% endraw %} name {{{% endraw %} user {{ x }}\n",
    # ...or one closed far later, after stray openings.
    '{{{% endraw %} {{< figure src="late.png" >}}\n{{image "g.png" 3}} {% image "l.png" "L" %}\n',
    '{{% figure src="a.png" %} >}} {{< x >}}\n',
    "<!-- c --> <pre>![p](p.png)</pre> {{</* figure src=\"e.png\" */>}} {{< highlight go >}}x{{< /highlight >}}\n",
    "{% highlight md %}![h](h.png){% endhighlight %} <IMG src=u.png> <Img src=m.png> <ımg src=d.png>\n",
    "![a]({{ '/a.png' | url }}) ![b]( {{ image }}) ![c](  {{ image }}) x](\n{ y\n",
]


@pytest.mark.parametrize("text", SHORTCUT_TEXTS)
def test_shortcode_and_mask_shortcuts_agree_with_the_plain_scans(text: str) -> None:
    import re

    from postlint.extract import images as extract

    doc = _doc("---\ntitle: t\n---\n" + text)
    start = doc.body_start
    assert [m.span() for m in extract._hugo_shortcodes(doc.text, start)] == [m.span() for m in extract._HUGO_SC.finditer(doc.text, start)]
    # not_rendered without its shortcuts: every pattern over a copy of the body.
    body = doc.text[start:]
    patterns = [extract._COMMENT, extract._LITERAL_ELEMENTS, extract._ESCAPED_SHORTCODE, extract._code_shortcode_re(extract.DEFAULT_CODE_SHORTCODES)]
    ranges = [(b.start, b.end) for b in doc.blocks if b.kind == "code"] + doc.code_spans
    ranges += [(start + m.start(), start + m.end()) for p in patterns for m in p.finditer(body)]
    plain, fast = extract.Mask(ranges), extract.not_rendered(doc)
    assert (fast.starts, fast.ends) == (plain.starts, plain.ends)
    # The templated-destination hint, searched from the first brace, as from the body's start.
    brace = doc.text.find("{", start)
    hint = extract._TEMPLATE_DEST_HINT.search(doc.text, start)
    assert (hint is None) == (brace == -1 or extract._TEMPLATE_DEST_HINT.search(doc.text, max(start, brace - 3)) is None)
    assert bool(re.search("<img", text.lower())) == bool(extract._IMG_OPEN.search(text))


@pytest.mark.parametrize("piece", ["<img", "<IMG", "<iMg", "<İmg", "<ımg", "<im g", "img", "<imG>"])
def test_img_opening_is_exactly_what_lowering_finds(piece: str) -> None:
    from postlint.extract.images import _IMG_OPEN

    assert (_IMG_OPEN.search(piece) is not None) == ("<img" in piece.lower())


def test_unclosed_hugo_openings_skip_only_the_hugo_scan() -> None:
    doc = _doc('Raw: {{{% endraw %} a {{{% endraw %} b\n\n{{image "g.png" 600}} {% image "l.png" "L" %}\n')
    assert [(i.src, i.line, i.column) for i in collect_images(doc)] == [("g.png", 3, 10), ("l.png", 3, 33)]
