"""IMG rules, online part: every remote image answers with an image, each URL checked once per run."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from postlint._lazy import lazy_module
from postlint.config import ConfigError
from postlint.finding import Severity
from postlint.registry import Context, DeferredCheck, DeferredSession, Report, Rule, options_from_table
from postlint.rules.images import ImageOptions

if TYPE_CHECKING:
    from postlint.document import Document
    from postlint.net import FetchResult, NetClient, NetworkOptions

_images = lazy_module("postlint.extract.images")  # the image extractor, imported when a post is first read
LABEL = "remote images"
# What a browser's <img> asks for; some CDNs negotiate the format on it.
ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
# A challenge page or an error page says what it is in its first few KiB; images are not read further.
BODY_LIMIT = 16 * 1024
# HEAD refused or not understood: ask again with GET (403 too: some CDNs refuse HEAD only).
_GET_AFTER_HEAD = frozenset({400, 403, 405, 501})
_PROBE_VERSION = 1
# Statuses bot protection answers with (Cloudflare's challenges were 503 for years; 999 is LinkedIn's).
_REFUSALS = frozenset({401, 403, 429, 503, 999})


@dataclass(frozen=True)
class RemoteImageOptions:
    """The keys of ``[tool.postlint.images]`` only the remote checks read (the rest: ImageOptions)."""

    include_urls: tuple[str, ...] = ()  # regexes; when given, only matching URLs are checked
    exclude_urls: tuple[str, ...] = ()  # regexes; matching URLs are never checked
    accept_status: tuple[int, ...] = ()  # statuses counted as fine (on top of 2xx with an image)


_patterns: dict[tuple[str, ...], list[re.Pattern[str]]] = {}


def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    got = _patterns.get(patterns)
    if got is None:
        got = _patterns[patterns] = [re.compile(p) for p in patterns]
    return got


def wanted(url: str, opts: RemoteImageOptions) -> bool:
    """Whether include-urls / exclude-urls let a URL be checked."""
    if opts.include_urls and not any(p.search(url) for p in _compiled(opts.include_urls)):
        return False
    return not any(p.search(url) for p in _compiled(opts.exclude_urls))


def normalise(src: str) -> str | None:
    """The URL to request for an image reference, or None when it is not an http(s) URL."""
    s = src.strip()
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1].strip()
    if s.startswith("//"):
        s = "https:" + s  # protocol-relative: every site worth checking is served over https now
    scheme = s.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        return None
    # The fragment never reaches the server: one URL with or without it is one check.
    return s.split("#", 1)[0]


# --------------------------------------------------------------------------- what one URL answered


@dataclass(frozen=True)
class Probe:
    """What checking one image URL learnt; kept in the URL cache, judged per place and options."""

    url: str
    final_url: str
    method: str  # the request the answer came from: HEAD, or GET when HEAD was not enough
    status: int | None = None
    content_type: str = ""
    image: str = ""  # the image format the first bytes show ("" when not read or not an image)
    html_title: str = ""  # an HTML answer's <title>, for the message
    html: bool = False  # the first bytes are an HTML page
    blocked: str = ""  # the bot protection that answered, "" when none was seen
    error: str = ""  # an ErrorKind value when there was no usable answer
    detail: str = ""
    attempts: int = 0
    redirects: int = 0
    retry_after: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"probe": _PROBE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> Probe | None:
        if not isinstance(data, dict) or data.get("probe") != _PROBE_VERSION:
            return None
        try:
            return cls(**{k: v for k, v in data.items() if k != "probe"})
        except TypeError:
            return None

    @property
    def outcome(self) -> str:
        """How long the URL cache keeps it (see docs/network.md)."""
        if self.error in ("redirect-loop", "too-many-redirects", "invalid-url", "unsupported-scheme"):
            return "permanent"
        if self.error in ("deadline", "offline", "private-address"):
            return "unchecked"
        if self.error or self.blocked or self.status is None:
            return "transient"  # bot protection comes and goes: never remembered
        if 200 <= self.status < 300:
            return "success" if self.is_image else "permanent"
        if self.status in (408, 429, 999) or self.status >= 500:
            return "transient"
        return "permanent"

    @property
    def is_image(self) -> bool:
        if self.content_type.startswith("image/"):
            return not self.html  # an "image" whose bytes are an HTML page is an error page
        # Browsers sniff what an <img> gets: a PNG served as octet-stream or text/plain shows.
        return bool(self.image)


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.I | re.S)
# Bot-protection signatures: (where, pattern, who). Headers are matched by name (and value).
_BOT_HEADERS: tuple[tuple[str, str, str], ...] = (
    ("cf-mitigated", "", "Cloudflare"),
    ("x-amzn-waf-action", "challenge|captcha", "AWS WAF"),
    ("x-datadome", "", "DataDome"),
    ("x-dd-b", "", "DataDome"),
    ("x-sucuri-block", "", "Sucuri"),
    ("x-iinfo", "", "Imperva"),
)
_BOT_BODY = re.compile(
    rb"(?P<cf>cf-chl-|/cdn-cgi/challenge-platform|<title>Just a moment\.\.\.</title>|Attention Required! \| Cloudflare)"
    rb"|(?P<px>px-captcha|_pxCaptcha)|(?P<dd>captcha-delivery\.com)|(?P<imp>_Incapsula_Resource|Incapsula incident)"
    rb"|(?P<ak>Access Denied</h1>.{0,400}Reference&#32;#)",
    re.I | re.S,
)
_BODY_WHO = {"cf": "Cloudflare", "px": "PerimeterX", "dd": "DataDome", "imp": "Imperva", "ak": "Akamai"}


def bot_signature(result: FetchResult) -> str:
    """Which bot protection answered instead of the server, "" when none shows."""
    for name, value, who in _BOT_HEADERS:
        got = result.headers.get(name)
        if got is not None and (not value or re.search(value, got, re.I)):
            return who
    if result.body:
        m = _BOT_BODY.search(result.body)
        if m and m.lastgroup:
            return _BODY_WHO[m.lastgroup]
    if result.status == 999:
        return "a bot filter (status 999)"  # LinkedIn's answer to anything that is not a browser
    return ""


def probe_of(result: FetchResult, blocked: str = "") -> Probe:
    body = result.body
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    html = head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or (b"<html" in head and not head.startswith(b"<svg"))
    kind = _images.sniff_bytes(body) if body else None
    title = ""
    if html:
        m = _TITLE.search(body)
        if m:
            title = " ".join(m.group(1).decode("utf-8", "replace").split())[:80]
    found = Probe(
        url=result.url,
        final_url=result.final_url,
        method=result.method,
        status=result.status,
        content_type=result.content_type,
        image=kind if kind and kind not in ("empty", "unreadable") else "",
        html_title=title,
        html=html,
        error=str(result.error) if result.error is not None else "",
        detail=result.detail[:300],
        attempts=result.attempts,
        redirects=len(result.redirects),
        retry_after=result.headers.get("retry-after", "")[:40],
    )
    # Protected sites send their headers on every answer: only a refusal (or a challenge page
    # instead of the image) is the protection speaking.
    status = result.status or 0
    refused = status in _REFUSALS or (200 <= status < 300 and not found.is_image)
    if result.error is None and refused:
        found = replace(found, blocked=bot_signature(result) or blocked)
    return found


async def probe(client: NetClient, url: str) -> Probe:
    """HEAD first; GET (capped) when HEAD is refused or cannot tell whether the answer is an image."""
    headers = {"Accept": ACCEPT}
    head = await client.fetch(url, method="HEAD", headers=headers)
    if head.error is not None:
        return probe_of(head)
    if head.status in _GET_AFTER_HEAD or (head.ok and not head.content_type.startswith("image/")):
        get = await client.fetch(url, method="GET", headers=headers, body_limit=min(BODY_LIMIT, client.options.max_body_bytes))
        # A challenge header on the HEAD answer still says who refused, if GET is refused too.
        return probe_of(get, bot_signature(head) if get.error is None and not get.ok else "")
    return probe_of(head)


# --------------------------------------------------------------------------- judging an answer

_ERRORS = {
    "timeout": "no answer in time",
    "reset": "the connection was reset",
    "refused": "the connection was refused",
    "dns": "the host name does not resolve (if the domain is gone, the image is broken)",
    "tls": "the TLS handshake failed",
    "protocol": "the server broke the HTTP protocol",
    "other": "the request failed",
}


def _where(p: Probe) -> str:
    if not p.redirects:
        return ""
    return f" (after {p.redirects} redirect{'s' if p.redirects != 1 else ''}, at {p.final_url})"


def _tries(p: Probe) -> str:
    return f" after {p.attempts} attempts" if p.attempts > 1 else ""


def judge(p: Probe, opts: Any) -> tuple[str, str] | None:
    """(code, message) for an answer, or None when the image is fine."""
    accept = getattr(opts, "accept_status", ())
    if p.error:
        if p.error == "redirect-loop":
            return "IMG005", f"image URL '{p.url}' redirects in a loop ({p.redirects} redirects, back to {p.final_url})"
        if p.error == "too-many-redirects":
            return "IMG005", f"image URL '{p.url}' redirects too often: {p.detail} (last to {p.final_url})"
        if p.error in ("invalid-url", "unsupported-scheme"):
            return "IMG002", f"image URL '{p.url}' cannot be fetched{_where(p)}: {p.detail}"
        if p.error == "deadline":
            return "IMG009", f"image URL '{p.url}' left unchecked: the run's network deadline passed (raise [network] deadline)"
        if p.error == "private-address":
            if p.redirects:
                return "IMG002", f"image URL '{p.url}' redirects to a private address readers cannot reach{_where(p)}"
            return "IMG009", f"image URL '{p.url}' not checked: {p.detail}"
        if p.error == "offline":
            return None
        why = _ERRORS.get(p.error, _ERRORS["other"])
        return "IMG009", f"image URL '{p.url}' is unreachable for now: {why}{_tries(p)}{_where(p)}"
    status = p.status or 0
    if status in accept:
        return None
    if p.blocked:
        return "IMG010", (
            f"image URL '{p.url}' answered {status} from {p.blocked}: bot protection refused the check, so postlint cannot tell "
            f"whether the image works; allow postlint's user agent there, set [network.headers.\"{_host(p.final_url)}\"] or "
            f"[network.user-agents], or add the URL to [images] exclude-urls"
        )
    if 200 <= status < 300:
        if p.is_image:
            return None
        return "IMG003", f"image URL '{p.url}' answers, but not with an image: {_what(p)}{_where(p)}"
    if status == 429:
        wait = f", asked to wait {p.retry_after} s" if p.retry_after else ""
        return "IMG009", f"image URL '{p.url}' is rate limited (429 Too Many Requests{wait}){_tries(p)}{_where(p)}"
    if status >= 500 or status == 408:
        return "IMG009", f"image URL '{p.url}' is unreachable for now: the server answered {status}{_tries(p)}{_where(p)}"
    return "IMG002", f"image URL '{p.url}' is broken: {status}{_status_name(status)}{_where(p)}"


def _what(p: Probe) -> str:
    if p.html:
        title = f" titled '{p.html_title}'" if p.html_title else ""
        return f"an HTML page{title} ({p.content_type or 'no content type'})"
    if not p.content_type:
        return "no content type, and the first bytes are not an image" if p.method == "GET" else "no content type"
    if p.method == "GET":
        return f"{p.content_type}, and the first bytes are not an image"
    return p.content_type


def _status_name(status: int) -> str:
    from http import HTTPStatus

    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


# --------------------------------------------------------------------------- the check, once per run


def _client(options: NetworkOptions) -> NetClient:
    """The run's client (tests replace this to reach their server without DNS)."""
    from postlint.net import NetClient

    return NetClient(options)


class RemoteImageCheck(DeferredCheck):
    """Checks each unique image URL of the run once: cache first, then HEAD (and GET if needed)."""

    name = LABEL

    def start(self, phase: Any) -> _Session:
        return _Session(phase)

    def judge(self, answer: Any, options: Any) -> tuple[str, str] | None:
        return judge(answer, options)


class _Session(DeferredSession):
    """One run's URLs, checked on a thread of their own as files hand them in, so the first
    requests go out while the other files are still being linted.

    The caller's thread reads the cache and hands on the misses; the thread runs one event loop
    and one client for the whole run. Cache entries are written while no request is waiting for
    a connection (writing them is event-loop time the requests would otherwise wait for).
    """

    def __init__(self, phase: Any) -> None:
        from postlint.cache import Cache
        from postlint.net import NetworkOptions

        settings, run = phase.settings, phase.run
        self.options = NetworkOptions.from_table(settings.table("network"))
        self.cache = Cache.open(settings.root, cache_dir=run.cache_dir, config_cache_dir=settings.cache_dir, no_cache=run.no_cache, refresh=run.refresh_cache)
        self.stats = phase.stats  # updated by the caller's thread only, in finish
        self.progress = phase.progress
        self.seen: set[str] = set()
        self.cached: dict[str, Probe] = {}  # the caller's thread's
        self.fetched: dict[str, Probe] = {}  # the checking thread's, read after it ends
        self.closed = False  # every URL is known (finish was called)
        self.requests = self.skipped_deadline = 0
        self._thread: Any = None
        self._loop: Any = None
        self._inbox: Any = None  # asyncio.Queue of URLs (None: no more)
        self._main_task: Any = None
        self._error: BaseException | None = None

    def add(self, keys: Iterable[str]) -> None:
        for url in keys:
            if url in self.seen:
                continue
            self.seen.add(url)
            entry = self.cache.urls.get(url) if self.cache.reads else None
            cached = Probe.from_json(entry.value) if entry is not None else None
            if cached is not None:
                self.cached[url] = cached
            else:
                self._send(url)

    def _send(self, url: str) -> None:
        if self._thread is None:
            self._start()
        try:
            if self._error is None:
                self._loop.call_soon_threadsafe(self._inbox.put_nowait, url)
                return
        except RuntimeError:  # the loop has closed: the thread is stopping with an error
            self._thread.join()
        if self._error is not None:  # say why here, not as a closed loop
            raise self._error
        raise RuntimeError("the remote-image check stopped")

    def _start(self) -> None:
        import asyncio
        import threading

        ready = threading.Event()

        def main() -> None:
            try:
                asyncio.run(self._check(ready))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread in finish
                self._error = exc
            finally:
                ready.set()

        self._thread = threading.Thread(target=main, name="postlint remote images", daemon=True)
        self._thread.start()
        ready.wait()

    async def _check(self, ready: Any) -> None:
        import asyncio

        self._loop = asyncio.get_running_loop()
        self._inbox = asyncio.Queue()
        self._main_task = asyncio.current_task()
        ready.set()
        async with _client(self.options) as client:
            slots = self.options.max_concurrency
            tasks: list[asyncio.Task[None]] = []
            unfinished = 0
            unwritten: list[tuple[str, Probe]] = []

            def write() -> None:
                if self.cache.writes:
                    for url, p in unwritten:
                        self.cache.urls.put(url, p.to_json(), p.outcome)
                unwritten.clear()

            async def one(url: str) -> None:
                nonlocal unfinished
                p = await probe(client, url)
                self.fetched[url] = p
                unfinished -= 1
                unwritten.append((url, p))
                if unfinished < slots:  # no request waits for a connection
                    write()
                if self.progress and self.closed:
                    self.progress(len(self.cached) + len(self.fetched), len(self.seen))

            while (url := await self._inbox.get()) is not None:
                unfinished += 1
                tasks.append(asyncio.create_task(one(url)))
            if self.progress:
                self.progress(len(self.cached) + len(self.fetched), len(self.seen))
            try:
                await asyncio.gather(*tasks)
            finally:
                write()
                self.requests = client.stats.requests
                self.skipped_deadline = client.stats.skipped_deadline

    def finish(self) -> dict[str, Probe]:
        self.closed = True
        if self._thread is not None:
            if self._error is None:
                self._loop.call_soon_threadsafe(self._inbox.put_nowait, None)
            self._thread.join()
            if self._error is not None:
                raise self._error
            self.stats[f"{LABEL}: requests sent"] += self.requests
            if self.skipped_deadline:
                self.stats[f"{LABEL}: unchecked (deadline)"] += self.skipped_deadline
        self.stats[f"{LABEL}: unique URLs"] += len(self.seen)
        self.stats[f"{LABEL}: answered from the cache"] += len(self.cached)
        return {**self.cached, **self.fetched}

    def abandon(self) -> None:
        self.closed = True
        loop, task = self._loop, self._main_task
        if loop is not None and task is not None and self._thread.is_alive():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop has just closed
                pass
            self._thread.join(timeout=2)


CHECK = RemoteImageCheck()


# The image options of the last configuration asked for (holding it keeps its identity unique):
# built once per configuration, not once per post.
_last_image_options: list = [None, None]


def _image_options(settings: Any) -> ImageOptions:
    if _last_image_options[0] is not settings or _last_image_options[1] is None:
        table = settings.table("images") if settings is not None else {}
        _last_image_options[:] = [settings, options_from_table(ImageOptions, table)]
    return _last_image_options[1]


class _RemoteImageRule(Rule):
    family = "images"
    options_table = "images"
    Options = RemoteImageOptions
    needs_network = True
    deferred_check = CHECK

    @staticmethod
    def prepare(options: RemoteImageOptions, settings: Any) -> None:
        """Bad URL patterns or network settings stop the run before any work (exit 2)."""
        for key, patterns in (("include-urls", options.include_urls), ("exclude-urls", options.exclude_urls)):
            for p in patterns:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise ConfigError(f"images.{key}: {p!r} is not a valid regular expression: {exc}") from None
        table = settings.table("network") if settings is not None else {}
        if not set(table) - {"offline"}:
            return  # nothing to check, and an offline run need not import the client
        from postlint.net import NetworkConfigError, NetworkOptions

        try:
            NetworkOptions.from_table(table)
        except NetworkConfigError as exc:
            raise ConfigError(str(exc)) from None

    def check(self, doc: Document, ctx: Context) -> Iterator[Report]:
        opts = ctx.options if isinstance(ctx.options, RemoteImageOptions) else RemoteImageOptions()
        # The same images the offline IMG rules see (collect_images caches them per document).
        shared = _image_options(ctx.settings)
        allow_private = bool(ctx.settings.table("network").get("allow-private-hosts")) if ctx.settings is not None else False
        from postlint.addresses import is_private_address

        for image in _images.collect_images(doc, shared.front_matter_keys, shared.code_shortcodes):
            if image.kind != "remote":
                continue
            url = normalise(image.src)
            if url is None:
                continue
            if not wanted(url, opts):
                ctx.stats[f"{LABEL}: excluded by include-urls/exclude-urls"] += 1
                continue
            host = _host(url)
            if not allow_private and host and is_private_address(host):
                continue  # IMG007 reports it; the guard would refuse it anyway
            ctx.defer(url, image.line, image.column)
        return iter(())


class BrokenRemoteImage(_RemoteImageRule):
    """Remote image is broken.

    ## What it does
    Requests every remote image once per run (`HEAD`, then `GET` when `HEAD` is refused or cannot
    tell), following redirects, and reports a URL that answers 404, 410 or another client error,
    with the final URL when it was redirected. Markdown, HTML `<img>` and `srcset`, shortcodes and
    front-matter images all count; each unique URL is requested once however many posts use it.

    ## Why is this bad?
    Images on other sites disappear: hosts shut down, CDNs are reorganised, hotlinks get blocked.
    The post then shows a broken-image icon, and nobody notices until a reader complains.

    ## Example
    ```markdown serve=404
    ![Quarterly revenue](https://images.example.org/charts/q3.png)
    ```

    ## Use instead
    ```markdown serve=png
    ![Quarterly revenue](https://images.example.org/charts/q3-2024.png)
    ```

    ## Options
    - `include-urls`: regular expressions; when given, only matching image URLs are checked.
    - `exclude-urls`: regular expressions; matching image URLs are never checked.
    - `accept-status`: status codes that count as fine (for example `[403]` for a host that
      refuses every checker but works in browsers).

    Timeouts, concurrency, retries, the user agent and private hosts are the `[network]`
    settings (see docs/network.md). Results are cached: a fine URL is not requested again for a
    day, a broken one for an hour.
    """

    code = "IMG002"
    name = "broken-remote-image"


class RemoteNotAnImage(_RemoteImageRule):
    """Remote image URL answers, but not with an image.

    ## What it does
    Reports a remote image URL that answers successfully with something that is not an image: an
    HTML page ("image removed", a login page, a parked domain), JSON, or `application/octet-stream`
    whose first bytes are not an image. The answer counts as an image when its `Content-Type` is
    `image/*`, or when its first bytes are an image signature (browsers show those whatever the
    content type says).

    ## Why is this bad?
    Link checkers see `200 OK` and call it fine, while readers see a broken image: many hosts
    answer a deleted image with an HTML page instead of a 404.

    ## Example
    ```markdown serve=html
    ![The old logo](https://images.example.org/logo-2019.png)
    ```

    ## Use instead
    ```markdown serve=png
    ![The new logo](https://images.example.org/logo.png)
    ```
    """

    code = "IMG003"
    name = "remote-not-an-image"


class RemoteImageRedirectLoop(_RemoteImageRule):
    """Remote image URL redirects in a loop or too many times.

    ## What it does
    Follows the redirects of every remote image URL and reports one that comes back to a URL it
    already visited, or that needs more than `max-redirects` (default 10) redirects.

    ## Why is this bad?
    Browsers give up as well, and show a broken image.

    ## Example
    ```markdown serve=loop
    ![Team photo](https://images.example.org/team.jpg)
    ```

    ## Use instead
    ```markdown serve=png
    ![Team photo](https://cdn.example.org/team.jpg)
    ```
    """

    code = "IMG005"
    name = "remote-image-redirect-loop"


class UnreachableRemoteImage(_RemoteImageRule):
    """Remote image temporarily unreachable, or left unchecked.

    ## What it does
    Reports (as a warning) a remote image URL that could not be checked after all retries: a
    timeout, a reset or refused connection, a server error (5xx), rate limiting (429) beyond the
    `Retry-After` postlint waits for, a host name that does not resolve; and URLs left unchecked
    when the run's network `deadline` passed. These are never cached, so the next run checks again.

    ## Why is this bad?
    Maybe nothing: servers have bad minutes. But an image that is unreachable in every run is
    broken for readers too. It is a warning, so that CI fails only on images known to be broken.

    ## Example
    ```markdown serve=503
    ![Status page](https://status.example.org/badge.png)
    ```

    ## Use instead
    ```markdown serve=png
    ![Status page](https://status.example.org/badge.png)
    ```
    """

    code = "IMG009"
    name = "remote-image-unreachable"
    severity = Severity.WARNING


class BlockedRemoteImage(_RemoteImageRule):
    """Remote image check blocked by bot protection.

    ## What it does
    Reports (as a warning) a remote image URL whose answer came from bot protection rather than the
    site: a 401, 403 or 429 with a Cloudflare `cf-mitigated` header or challenge page, an AWS WAF,
    DataDome, PerimeterX, Imperva or Akamai signature, or LinkedIn's status 999. postlint cannot tell
    whether the image works, and says so instead of calling it broken. A plain 403 without such a
    signature is reported as broken (IMG002).

    ## Why is this bad?
    The image may be fine in browsers. Treating these answers as broken is the most common false
    alarm of link checkers, and the usual cure, accepting every 403, hides real rot.

    ## Example
    ```markdown serve=challenge
    ![Chart](https://protected.example.org/chart.png)
    ```

    ## Use instead
    ```markdown serve=png
    ![Chart](https://protected.example.org/chart.png)
    ```

    To silence it for a host, allow postlint's user agent there, send the headers the host wants
    (`[tool.postlint.network.headers."protected.example.org"]`), or exclude the URLs
    (`exclude-urls = ["^https://protected\\.example\\.org/"]` in `[tool.postlint.images]`).
    """

    code = "IMG010"
    name = "remote-image-blocked"
    severity = Severity.WARNING


RULES: list[type[Rule]] = [BrokenRemoteImage, RemoteNotAnImage, RemoteImageRedirectLoop, UnreachableRemoteImage, BlockedRemoteImage]
