"""IMG rules, offline part: local image files exist and are images, alt text, private and plain-http URLs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from postlint._lazy import lazy_module
from postlint.extract import DEFAULT_CODE_SHORTCODES, DEFAULT_FRONT_MATTER_KEYS
from postlint.finding import Severity
from postlint.registry import Context, Report, Rule

if TYPE_CHECKING:  # the parse: a warm run never imports it
    from postlint.document import Document
    from postlint.extract.images import FoundImage, Resolution, SiteLayout

# The image extractor, imported when a post is first read.
_images = lazy_module("postlint.extract.images")


@dataclass(frozen=True)
class ImageOptions:
    """``[tool.postlint.images]``."""

    static_dirs: tuple[str, ...] = ()  # empty: the configuration file's folder
    mounts: tuple[tuple[str, str], ...] = ()  # the config's table, as (URL prefix, folder) pairs
    baseurl: str = ""
    site_url: str = ""
    front_matter_keys: tuple[str, ...] = DEFAULT_FRONT_MATTER_KEYS
    code_shortcodes: tuple[str, ...] = DEFAULT_CODE_SHORTCODES
    decorative_alt: str = "explicit"
    pretty_urls: bool = True
    external_paths: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The configuration gives a table; pairs keep the options hashable (layouts are cached by them).
        if isinstance(self.mounts, dict):
            object.__setattr__(self, "mounts", tuple(self.mounts.items()))


def options(ctx: Context) -> ImageOptions:
    return ctx.options if isinstance(ctx.options, ImageOptions) else ImageOptions()


_layouts: dict[tuple[Path, ImageOptions], SiteLayout] = {}


# (id of config_dir, id of options) -> (config_dir, options, layout): found without hashing the
# options, for each IMG rule (each has its own options object) and configuration.
_by_identity: dict[tuple[int, int], tuple[Any, Any, SiteLayout]] = {}


def site_layout(ctx: Context) -> SiteLayout:
    """Static folders and mounts as absolute paths, worked out once per configuration."""
    opts = options(ctx)
    hit = _by_identity.get((id(ctx.config_dir), id(opts)))
    if hit is not None and hit[0] is ctx.config_dir and hit[1] is opts:
        return hit[2]
    key = (Path(ctx.config_dir), opts)
    layout = _layouts.get(key)
    if layout is None:
        root = Path(ctx.config_dir)
        dirs = tuple((root / d).resolve() for d in opts.static_dirs) or (root.resolve(),)
        mounts = tuple((k, (root / v).resolve()) for k, v in sorted(opts.mounts, key=lambda kv: -len(kv[0])))
        layout = _layouts[key] = _images.SiteLayout(dirs, mounts, opts.baseurl, opts.pretty_urls, opts.external_paths, root.resolve())
    if len(_by_identity) > 256:
        _by_identity.clear()
    _by_identity[(id(ctx.config_dir), id(opts))] = (ctx.config_dir, opts, layout)
    return layout


def images_of(doc: Document, ctx: Context) -> list[FoundImage]:
    opts = options(ctx)
    return _images.collect_images(doc, opts.front_matter_keys, opts.code_shortcodes)


def at(doc: Document, image: FoundImage, message: str) -> Report:
    return Report(image.line, image.column, message)


def local_files(doc: Document, ctx: Context, images: list[FoundImage] | None = None) -> list[tuple[FoundImage, Resolution]]:
    """Each local image (of ``images``, by default the document's) with its Resolution; every
    folder consulted is a dependency of the findings."""
    if images is None:
        images = images_of(doc, ctx)
    if not any(image.kind == "local" for image in images):
        return []  # most posts: nothing to resolve, no folder consulted
    pairs, folders = _images.resolve_local(doc, images, site_layout(ctx))
    for folder in folders:
        ctx.depend(folder)
    return pairs


_WHERE = {
    "page": "the post's folder",
    "root": "the static folders",
    "page-root": "the post's folder and the static folders",
}


class _ImageRule(Rule):
    family = "images"
    options_table = "images"
    Options = ImageOptions


class MissingImage(_ImageRule):
    """Local image file does not exist.

    ## What it does
    Checks that every local image a post shows exists: Markdown images (inline and reference),
    HTML `<img src>` and `srcset`, image shortcodes (`{{< figure src= >}}`, `{% image "..." %}`,
    `{{image "x.png" 600}}`) and front-matter image keys. Relative paths resolve against the post's
    folder (page bundles work); root-absolute ones against `static-dirs` and `mounts`, after
    stripping `baseurl`. Query strings and fragments are dropped and `%20` is decoded. Template
    expressions are expanded where the path can be worked out (`{{ site.baseurl }}/x.png`,
    `{{ "/x.png" | relative_url }}`, `{{ page.image }}`) and skipped otherwise (counted under
    `--statistics`). Nothing inside code spans, code blocks, HTML comments, `<pre>` or code-showing
    shortcodes counts. When a file differs only by letter case or by extension, the message says
    which one you probably meant.

    ## Why is this bad?
    The reader sees a broken image. Case mismatches are the sneaky kind: macOS finds `Photo.PNG`
    for `photo.png`, Linux hosting does not, so the post works on the author's laptop only.

    ## Example
    ```markdown
    ![Our team at the offsite](team-photo.jpg)
    ```

    ## Use instead
    ```markdown files=team-photo.png
    ![Our team at the offsite](team-photo.png)
    ```

    Run over the real-content corpora (5,298 posts of nine sites, each with its own static
    folders, mounts and `external-paths = ["/gopls"]` for go.dev, which serves `/gopls/` from
    another module): 2,456 images seen, 16 skipped as templates, 2 under an external path;
    IMG001 reported 7, none judged wrong. The real missing images among them:

    - go.dev `doc/security/fuzz/index.md`: `/security/fuzz/example.png` and
      `/security/fuzz/example-dark.png`; `doc/security/fuzz/technical.md`:
      `/security/fuzz/seq-diagram.png`. The pages moved to `doc/security/fuzz/`; the images did
      not come along.

    The other 4 (`rebuild/*@2x.png` `srcset` candidates in go.dev's `blog/rebuild.md`) exist in
    the site's repository; the corpus copied no `srcset` files. Not reported, rightly: the images
    in the Hugo docs' code examples, the 18F and Jekyll docs front-matter examples in code
    blocks, otel's mounted icons, the Rust blog's path relative to the page URL, and otel's
    `../img/x.svg` from pages served as folders.

    ## Options
    - `static-dirs`: folders that serve root-absolute paths, tried in order (default: the folder
      of the configuration file).
    - `mounts`: URL prefix -> folder, for generator mounts (`"/img/logos" = "iconography"`).
    - `baseurl`: a path prefix the site is served under, stripped before lookup.
    - `front-matter-keys`: key paths that hold images (dotted for nesting).
    - `code-shortcodes`: shortcodes whose body is shown as code (images there are examples).
    - `pretty-urls` (default true): pages other than `index.md` are served as folders
      (`post.md` -> `post/`), so a path starting with `../` also resolves from there.
    - `external-paths`: root-absolute URL prefixes served from outside the repository (another
      module, a build step); images under them are counted, not checked.
    """

    code = "IMG001"
    name = "missing-image"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        images = images_of(doc, ctx)
        ctx.stats["images: seen"] += len(images)
        ctx.stats["images: skipped (template)"] += sum(1 for i in images if i.kind == "template")
        for image in images:
            if image.kind == "local" and not image.src.strip() and image.origin in ("markdown", "reference", "html"):
                yield at(doc, image, "image has an empty source")
        for image, res in local_files(doc, ctx, images):
            if res.external:
                ctx.stats["images: skipped (external path)"] += 1
            if res.path is not None or res.external:
                continue
            shown = _images.url_path(image.src)
            if res.is_dir:
                yield at(doc, image, f"image '{shown}' is a folder, not a file")
            elif res.suggestion:
                yield at(doc, image, f"image file '{shown}' not found; did you mean '{res.suggestion}'?")
            else:
                where = _WHERE["root" if shown.startswith("/") else image.base]
                yield at(doc, image, f"image file '{shown}' not found (looked in {where})")


class NotAnImage(_ImageRule):
    """Local image file is not an image.

    ## What it does
    Reads the first bytes of every local image file that exists and reports one that is empty or
    does not start like PNG, JPEG, GIF, WebP, AVIF, SVG, ICO (or BMP, TIFF, JPEG XL). Git LFS
    pointers and HTML error pages saved under an image name are named as such.

    ## Why is this bad?
    The browser shows a broken image although the file is there: an empty file from an interrupted
    copy, an LFS pointer that was never pulled, or a `.png` that is really an HTML error page.

    ## Example
    ```markdown files=diagram.pdf
    ![Architecture](diagram.pdf)
    ```

    ## Use instead
    ```markdown files=diagram.png
    ![Architecture](diagram.png)
    ```
    """

    code = "IMG004"
    name = "not-an-image"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        for image, res in local_files(doc, ctx):
            if res.path is None:
                continue
            ctx.depend(res.path)  # its first bytes decide: a cached verdict holds while it is unchanged
            kind = _images.sniff(res.path)
            if kind is None or kind in ("empty", "unreadable"):
                yield at(doc, image, f"'{_images.url_path(image.src)}' {_images.describe(kind, res.path)}")


class MissingAltText(_ImageRule):
    """Image has no alt text.

    ## What it does
    Reports a Markdown image with empty alt text (`![](x.png)`), an HTML `<img>` without an `alt`
    attribute, and image shortcodes without alt text. An image marked decorative is skipped: by
    default HTML's own mark, an explicit `alt=""` (or an explicit empty alt argument of a
    shortcode), as well as `role="presentation"`, `role="none"` and `aria-hidden="true"`.
    Front-matter images (social cards), `srcset` candidates and templates whose alt text cannot be
    seen (`{{image "x.png"}}`) are not checked.

    ## Why is this bad?
    Screen readers announce the file name or nothing; search engines and readers on slow
    connections lose what the image says. Markdown has no way to say "decorative" (`![](x)` and a
    forgotten alt look the same), so an empty Markdown alt is always reported.

    ## Example
    ```markdown
    ![](sales-chart.png)
    ```

    ## Use instead
    ```markdown
    ![Sales doubled from 2022 to 2023](sales-chart.png)

    <img src="divider.svg" alt="">
    ```

    ## Options
    - `decorative-alt`: `"explicit"` (default: an explicit `alt=""`, `role="presentation"`/`"none"`
      or `aria-hidden="true"` marks an image decorative), `"marked"` (only the `role` and
      `aria-hidden` marks count; `alt=""` is reported), or `"report"` (report every empty or
      missing alt).
    """

    code = "IMG006"
    name = "missing-alt-text"
    severity = Severity.WARNING

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        mode = options(ctx).decorative_alt
        for image in images_of(doc, ctx):
            if not image.alt_known or image.origin in ("front-matter", "srcset"):
                continue
            if image.alt is not None and image.alt.strip():
                continue
            if mode != "report":
                explicit = image.alt is not None and image.origin in ("html", "shortcode")
                if image.decorative or (explicit and mode == "explicit"):
                    continue
            what = "has no alt attribute" if image.alt is None else "has empty alt text"
            yield at(doc, image, f"image '{image.raw.strip() or '(no src)'}' {what}; describe what it shows")


def _private_hosts_allowed(ctx: Context) -> bool:
    table = ctx.settings.table("network") if ctx.settings is not None else {}
    return bool(table.get("allow-private-hosts"))


def _host(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None


class PrivateImageHost(_ImageRule):
    """Image URL points at a private, loopback or link-local address.

    ## What it does
    Reports image URLs whose host is `localhost` (or `*.localhost`), or a literal address that is
    private, loopback or link-local (`127.0.0.1`, `192.168.1.20`, `10.0.0.5`, `169.254.x.x`,
    `[::1]`), as postlint's network guard defines them. Checked offline: nothing is fetched. Silent
    when `[tool.postlint.network] allow-private-hosts = true`.

    ## Why is this bad?
    The image worked on the author's machine (`jekyll serve`, `hugo server`) and is broken for
    every reader; a private address can also leak an internal hostname.

    ## Example
    ```markdown
    ![Dashboard](http://localhost:4000/assets/dashboard.png)
    ```

    ## Use instead
    ```markdown files=assets/dashboard.png
    ![Dashboard](assets/dashboard.png)
    ```
    """

    code = "IMG007"
    name = "private-image-host"

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        if _private_hosts_allowed(ctx):
            return
        remote = [image for image in images_of(doc, ctx) if image.kind == "remote"]
        if not remote:
            return
        from postlint.addresses import is_private_address

        for image in remote:
            host = _host(image.src)
            if host and is_private_address(host):
                yield at(doc, image, f"image URL '{image.src}' points at the private address '{host}'; readers cannot load it")


class InsecureImage(_ImageRule):
    """Plain-http image on a site served over https.

    ## What it does
    Reports `http://` image URLs when the site is served over https: `site-url` starts with
    `https://`, or the post's own `canonical` or `url` front-matter key does.

    ## Why is this bad?
    Browsers upgrade or block mixed content: the image may not load at all, and where it does the
    page loses its padlock.

    ## Example
    ```markdown config=[images];site-url='https://blog.example.org'
    ![Logo](http://cdn.example.org/logo.png)
    ```

    ## Use instead
    ```markdown config=[images];site-url='https://blog.example.org'
    ![Logo](https://cdn.example.org/logo.png)
    ```

    ## Options
    - `site-url`: the site's address, e.g. `"https://blog.example.org"`.
    """

    code = "IMG008"
    name = "insecure-image"
    severity = Severity.WARNING

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        plain = [i for i in images_of(doc, ctx) if i.kind == "remote" and i.src.strip().lower().startswith("http://")]
        if not plain or not self._https(doc, ctx):
            return
        from postlint.addresses import is_private_address

        for image in plain:
            host = _host(image.src)
            if host and is_private_address(host):
                continue  # IMG007 says what is wrong with it
            yield at(doc, image, f"image '{image.src}' is loaded over plain http on an https site; use https://")

    @staticmethod
    def _https(doc: Document, ctx: Context) -> bool:
        fm = doc.front_matter
        if fm is not None and fm.ok:
            for key in ("canonical", "url"):
                v = fm.data.get(key)
                if isinstance(v, str) and v.lower().startswith(("https://", "http://")):
                    return v.lower().startswith("https://")
        return options(ctx).site_url.lower().startswith("https://")


RULES: list[type[Rule]] = [MissingImage, NotAnImage, MissingAltText, PrivateImageHost, InsecureImage]
