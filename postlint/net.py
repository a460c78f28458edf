"""The one HTTP client: limits, timeouts, retries, offline switch and the address guard."""

from __future__ import annotations

import dataclasses
import email.utils
import enum
import logging
import os
import random
import re
import socket
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from postlint import __version__
from postlint.addresses import (
    _LOCAL_NAMES,
    IPAddress,
    PrivateAddressError,
    guard,
    host_key,
    is_private_address,
    is_public_ip,
    parse_ip,
)

if TYPE_CHECKING:  # httpx costs ~100 ms to import, asyncio ~50 ms: pre-commit runs must not pay them offline.
    import asyncio

    import httpx

__all__ = [
    "DEFAULT_USER_AGENT",
    "ErrorKind",
    "FetchResult",
    "Hop",
    "NetClient",
    "NetStats",
    "NetworkConfigError",
    "NetworkOptions",
    "PrivateAddressError",
    "Resolver",
    "guard",
    "host_key",
    "is_private_address",
    "is_public_ip",
    "parse_ip",
    "parse_retry_after",
    "resolve_headers",
    "system_resolver",
]

logger = logging.getLogger("postlint.net")

DEFAULT_USER_AGENT = f"postlint/{__version__} (+https://github.com/postlint/postlint)"

# A resolver maps (host, port) to the IP addresses a connection may use; tests inject a dict.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host name with the operating system's resolver."""
    import asyncio
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


# --------------------------------------------------------------------------- options

class NetworkConfigError(ValueError):
    """A network setting has a wrong type or value."""


_KEYS = {
    "timeout": "timeout",
    "max-concurrency": "max_concurrency",
    "host-concurrency": "host_concurrency",
    "max-retries": "max_retries",
    "user-agent": "user_agent",
    "deadline": "deadline",
    "allow-private-hosts": "allow_private_hosts",
    "headers": "headers",
    "user-agents": "user_agents",
    "max-body-bytes": "max_body_bytes",
    "max-retry-after": "max_retry_after",
    "max-redirects": "max_redirects",
    "offline": "offline",
}


@dataclass(frozen=True)
class NetworkOptions:
    """Every network setting; built from `[tool.postlint.network]`, then overridden by CLI flags."""

    timeout: float = 10.0
    max_concurrency: int = 64
    host_concurrency: int = 8
    max_retries: int = 2
    user_agent: str = DEFAULT_USER_AGENT
    deadline: float = 300.0
    allow_private_hosts: bool = False
    # host -> {header: value}; values may hold ${ENV_VAR} references, resolved by the client so
    # that secrets never sit in this object's repr. Excluded from the hash: dicts are unhashable.
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)
    user_agents: Mapping[str, str] = field(default_factory=dict, hash=False)
    max_body_bytes: int = 64 * 1024
    max_retry_after: float = 60.0
    max_redirects: int = 10
    offline: bool = False

    def __post_init__(self) -> None:
        def check(name: str, ok: bool, what: str) -> None:
            if not ok:
                key = name.replace("_", "-")
                raise NetworkConfigError(f"network.{key} must be {what}, got {getattr(self, name)!r}")

        def number(name: str) -> bool:
            value = getattr(self, name)
            return isinstance(value, int | float) and not isinstance(value, bool)

        def integer(name: str) -> bool:
            value = getattr(self, name)
            return isinstance(value, int) and not isinstance(value, bool)

        for name in ("timeout", "deadline"):
            check(name, number(name) and getattr(self, name) > 0, "a positive number of seconds")
        check("max_retry_after", number("max_retry_after") and self.max_retry_after >= 0,
              "a number of seconds >= 0")
        for name in ("max_concurrency", "host_concurrency"):
            check(name, integer(name) and getattr(self, name) >= 1, "an integer >= 1")
        for name in ("max_retries", "max_body_bytes", "max_redirects"):
            check(name, integer(name) and getattr(self, name) >= 0, "an integer >= 0")
        for name in ("allow_private_hosts", "offline"):
            check(name, isinstance(getattr(self, name), bool), "true or false")
        check("user_agent", isinstance(self.user_agent, str) and bool(self.user_agent.strip()),
              "a non-empty string")
        headers = self.headers
        check("headers", isinstance(headers, Mapping) and all(
            isinstance(h, str) and isinstance(v, Mapping)
            and all(isinstance(k, str) and isinstance(s, str) for k, s in v.items())
            for h, v in headers.items()), "a table of host -> {header = value} strings")
        check("user_agents", isinstance(self.user_agents, Mapping) and all(
            isinstance(h, str) and isinstance(v, str) for h, v in self.user_agents.items()),
            "a table of host -> user agent strings")
        # Normalise host keys once so that lookups compare like with like.
        object.__setattr__(self, "headers", {host_key(h): dict(v) for h, v in headers.items()})
        object.__setattr__(self, "user_agents", {host_key(h): v for h, v in self.user_agents.items()})

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> NetworkOptions:
        """Build options from the `[tool.postlint.network]` table (kebab-case keys)."""
        if not table:
            return cls()
        unknown = sorted(set(table) - set(_KEYS))
        if unknown:
            raise NetworkConfigError(
                f"unknown network setting(s) {', '.join(unknown)}; known: {', '.join(sorted(_KEYS))}")
        kwargs = {_KEYS[key]: value for key, value in table.items()}
        # TOML has no float/int distinction users care about: `timeout = 5` means 5.0 seconds.
        for name in ("timeout", "deadline", "max_retry_after"):
            if isinstance(kwargs.get(name), int) and not isinstance(kwargs[name], bool):
                kwargs[name] = float(kwargs[name])
        return cls(**kwargs)

    def with_overrides(self, **overrides: Any) -> NetworkOptions:
        """A copy with the given fields replaced; None means "not given" (an unset CLI flag)."""
        given = {name: value for name, value in overrides.items() if value is not None}
        return dataclasses.replace(self, **given) if given else self


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def resolve_headers(options: NetworkOptions,
                    environ: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Per-host headers with ${ENV_VAR} references filled in.

    A header whose variable is unset is left out with a warning: forks' pull requests in CI run
    without secrets, and a missing token must not fail the run.
    """
    env = os.environ if environ is None else environ
    resolved: dict[str, dict[str, str]] = {}
    for host, headers in options.headers.items():
        out: dict[str, str] = {}
        for name, value in headers.items():
            missing = [var for var in _ENV_REF.findall(value) if var not in env]
            if missing:
                logger.warning("network.headers.%s.%s: environment variable %s is not set; "
                               "header not sent", host, name, ", ".join(missing))
                continue
            out[name] = _ENV_REF.sub(lambda m: env[m.group(1)], value)
        resolved[host] = out
    return resolved


# --------------------------------------------------------------------------- results

class ErrorKind(enum.StrEnum):
    """Why a request produced no usable HTTP answer."""

    TIMEOUT = "timeout"
    RESET = "reset"
    REFUSED = "refused"
    DNS = "dns"
    TLS = "tls"
    PROTOCOL = "protocol"
    PRIVATE_ADDRESS = "private-address"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_LOOP = "redirect-loop"
    UNSUPPORTED_SCHEME = "unsupported-scheme"
    INVALID_URL = "invalid-url"
    DEADLINE = "deadline"
    OFFLINE = "offline"
    OTHER = "other"


# Worth another attempt: the same request may well succeed a moment later.
_RETRYABLE_ERRORS = frozenset({ErrorKind.TIMEOUT, ErrorKind.RESET, ErrorKind.REFUSED, ErrorKind.PROTOCOL})
# Nothing was learnt about the URL: report it as unchecked, never as fine or broken.
_UNCHECKED_ERRORS = frozenset({ErrorKind.DEADLINE, ErrorKind.OFFLINE})
# The answer is a property of the URL itself, so a failure may be cached (briefly).
_PERMANENT_ERRORS = frozenset({ErrorKind.TOO_MANY_REDIRECTS, ErrorKind.REDIRECT_LOOP,
                               ErrorKind.UNSUPPORTED_SCHEME, ErrorKind.INVALID_URL})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _retryable_status(status: int) -> bool:
    # 501 and 505 say "this server never does that": retrying cannot help.
    return status in (408, 429) or (500 <= status <= 599 and status not in (501, 505))


@dataclass(frozen=True)
class Hop:
    """One redirect answered on the way to the final URL."""

    url: str
    status: int


@dataclass(frozen=True)
class FetchResult:
    """What one fetch learnt: the final answer (status, headers, first bytes) or why there is none."""

    url: str
    method: str
    final_url: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)  # lower-case names
    body: bytes = b""  # at most max_body_bytes, decoded from gzip/deflate
    truncated: bool = False  # the body went on past what was read
    redirects: tuple[Hop, ...] = ()
    error: ErrorKind | None = None
    detail: str = ""
    attempts: int = 0
    http_version: str = ""

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def unchecked(self) -> bool:
        """Nothing was learnt (offline, or the deadline passed): report as unchecked."""
        return self.error in _UNCHECKED_ERRORS

    @property
    def transient(self) -> bool:
        """A failure that may go away by itself (timeouts, resets, 429, 5xx, DNS, ...)."""
        if self.error is not None:
            return self.error not in _PERMANENT_ERRORS and self.error not in _UNCHECKED_ERRORS \
                and self.error is not ErrorKind.PRIVATE_ADDRESS
        return self.status is not None and _retryable_status(self.status)

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case ("" when absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def outcome(self) -> str:
        """How the URL cache may keep this result: "success", "permanent", "transient" (never, and
        an older verdict is dropped) or "unchecked" (never, and an older verdict is kept).

        Callers that judge more (a 200 that is not an image) may store "permanent" themselves.
        Private-address refusals depend on configuration, not on the URL: unchecked.
        """
        if self.ok:
            return "success"
        if self.unchecked or self.error is ErrorKind.PRIVATE_ADDRESS:
            return "unchecked"
        if self.error is None and self.status is not None and not _retryable_status(self.status) \
                and self.status >= 300:
            return "permanent"
        if self.error in _PERMANENT_ERRORS:
            return "permanent"
        return "transient"

    def to_json(self, body_limit: int = 512) -> dict[str, Any]:
        """A JSON-able form for the URL cache, keeping the first body_limit bytes."""
        import base64

        return {
            "url": self.url, "method": self.method, "final_url": self.final_url,
            "status": self.status, "headers": dict(self.headers),
            "body": base64.b64encode(self.body[:body_limit]).decode("ascii"),
            "truncated": self.truncated or len(self.body) > body_limit,
            "redirects": [[hop.url, hop.status] for hop in self.redirects],
            "error": None if self.error is None else str(self.error), "detail": self.detail,
            "attempts": self.attempts, "http_version": self.http_version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FetchResult:
        """Rebuild a result stored by to_json (raises KeyError/TypeError/ValueError if malformed)."""
        import base64

        return cls(
            url=str(data["url"]), method=str(data["method"]), final_url=str(data["final_url"]),
            status=None if data["status"] is None else int(data["status"]),
            headers={str(k): str(v) for k, v in dict(data["headers"]).items()},
            body=base64.b64decode(data["body"]), truncated=bool(data["truncated"]),
            redirects=tuple(Hop(str(u), int(s)) for u, s in data["redirects"]),
            error=None if data["error"] is None else ErrorKind(data["error"]),
            detail=str(data["detail"]), attempts=int(data["attempts"]),
            http_version=str(data["http_version"]),
        )


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta seconds or an HTTP date), None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        import datetime

        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# --------------------------------------------------------------------------- client

@dataclass
class NetStats:
    """Counters for the run summary."""

    requests: int = 0  # attempts sent (each retry and redirect hop counts)
    retries: int = 0
    skipped_offline: int = 0
    skipped_deadline: int = 0
    refused_private: int = 0


@dataclass
class _HostState:
    semaphore: asyncio.Semaphore
    paused_until: float = 0.0  # adaptive slow-down: no new request before this clock time


@dataclass
class _Answer:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False
    error: ErrorKind | None = None
    detail: str = ""
    http_version: str = ""
    attempts: int = 0


_BACKOFF_BASE = 0.5  # seconds; doubled per attempt, with jitter


class NetClient:
    """One polite, guarded async HTTP client per run; use as `async with NetClient(options) as c`.

    httpx is imported and the connection pool built only on entering (and never when offline).
    `resolver`, `sleep`, `clock` and `rng` are injectable so tests need neither DNS nor real waits;
    `is_public` (default is_public_ip) lets a test pretend that one loopback address is public.
    """

    def __init__(self, options: NetworkOptions | None = None, *, resolver: Resolver | None = None,
                 sleep: Callable[[float], Awaitable[Any]] | None = None,
                 clock: Callable[[], float] | None = None,
                 environ: Mapping[str, str] | None = None,
                 rng: random.Random | None = None,
                 is_public: Callable[[IPAddress], bool] | None = None) -> None:
        import asyncio
        self.options = options or NetworkOptions()
        self.stats = NetStats()
        self._resolver = resolver or system_resolver
        self._sleep = sleep or asyncio.sleep
        self._clock = clock or time.monotonic
        self._rng = rng or random.Random()
        self._is_public = is_public or is_public_ip
        self._host_headers = resolve_headers(self.options, environ)
        self._client: httpx.AsyncClient | None = None
        self._hosts: dict[str, _HostState] = {}
        self._global = asyncio.Semaphore(self.options.max_concurrency)
        self._deadline_at = float("inf")

    # ----- lifecycle

    async def __aenter__(self) -> NetClient:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Start the deadline clock and, unless offline, build the httpx client."""
        self._deadline_at = self._clock() + self.options.deadline
        if self.options.offline or self._client is not None:
            return
        self._client = _build_httpx_client(self.options, self._addresses)

    async def aclose(self) -> None:
        """Close every connection."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def deadline_passed(self) -> bool:
        """Whether the overall deadline has passed (every later fetch is unchecked)."""
        return self._clock() >= self._deadline_at

    # ----- public

    async def fetch(self, url: str, *, method: str = "GET", headers: Mapping[str, str] | None = None,
                    body_limit: int | None = None, max_redirects: int | None = None) -> FetchResult:
        """Fetch a URL, following redirects by hand so that each hop is guarded; never raises for
        network trouble (it is in the result). GET bodies are read up to body_limit bytes.

        `headers` (say Accept) go to every hop; secrets belong in the per-host configuration.
        """
        method = method.upper()
        if self.options.offline:
            self.stats.skipped_offline += 1
            return FetchResult(url, method, url, error=ErrorKind.OFFLINE, detail="offline")
        if self._client is None:
            raise RuntimeError("NetClient used outside `async with` (or after aclose)")
        import httpx

        limit = self.options.max_body_bytes if body_limit is None else body_limit
        max_hops = self.options.max_redirects if max_redirects is None else max_redirects
        hops: list[Hop] = []
        seen: set[str] = set()
        current = url
        attempts = 0
        downgraded = False  # an https -> http hop: configured secrets must not travel in clear
        while True:
            problem = self._precheck(current)
            if problem is not None:
                kind, detail = problem
                return FetchResult(url, method, current, redirects=tuple(hops), error=kind,
                                   detail=detail, attempts=attempts)
            seen.add(current)
            answer = await self._fetch_with_retries(current, method, headers, limit,
                                                    send_configured=not downgraded)
            attempts += answer.attempts
            location = answer.headers.get("location")
            if answer.error is not None or answer.status not in _REDIRECTS or not location:
                return FetchResult(url, method, current, answer.status, answer.headers, answer.body,
                                   answer.truncated, tuple(hops), answer.error, answer.detail,
                                   attempts, answer.http_version)
            assert answer.status is not None
            hops.append(Hop(current, answer.status))
            try:
                target = str(httpx.URL(current).join(location).copy_with(fragment=None))
            except (httpx.InvalidURL, ValueError) as exc:
                return FetchResult(url, method, location, redirects=tuple(hops),
                                   error=ErrorKind.INVALID_URL, detail=str(exc), attempts=attempts)
            if target in seen:
                return FetchResult(url, method, target, redirects=tuple(hops),
                                   error=ErrorKind.REDIRECT_LOOP,
                                   detail=f"redirect loop back to {target}", attempts=attempts)
            if len(hops) > max_hops:
                return FetchResult(url, method, target, redirects=tuple(hops),
                                   error=ErrorKind.TOO_MANY_REDIRECTS,
                                   detail=f"more than {max_hops} redirects", attempts=attempts)
            downgraded = downgraded or (current.lower().startswith("https:")
                                        and target.lower().startswith("http:"))
            current = target

    # ----- internals

    def _precheck(self, url: str) -> tuple[ErrorKind, str] | None:
        import httpx

        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            return ErrorKind.INVALID_URL, str(exc)
        if parsed.scheme not in ("http", "https"):
            return ErrorKind.UNSUPPORTED_SCHEME, f"only http and https are fetched, not {parsed.scheme!r}"
        if not parsed.host:
            return ErrorKind.INVALID_URL, "no host in URL"
        if self.options.allow_private_hosts:
            return None
        # Literal addresses and localhost are refused before any connection or retry.
        name = host_key(parsed.host)
        literal = parse_ip(name)
        if name in _LOCAL_NAMES or name.endswith(".localhost") or (
                literal is not None and not self._is_public(literal)):
            self.stats.refused_private += 1
            return ErrorKind.PRIVATE_ADDRESS, str(PrivateAddressError(parsed.host))
        return None

    def _host(self, host: str) -> _HostState:
        import asyncio
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self.options.host_concurrency))
        return state

    def _request_headers(self, host: str, extra: Mapping[str, str] | None,
                         send_configured: bool) -> dict[str, str]:
        headers = {
            "User-Agent": self.options.user_agents.get(host, self.options.user_agent),
            # Compressed bodies could expand without bound; ask for none (decoding is capped anyway).
            "Accept-Encoding": "identity",
        }
        if extra:
            headers.update(extra)
        if send_configured:
            # Looked up per hop by that hop's own host: this is what keeps a token for host A
            # from following a redirect to host B.
            headers.update(self._host_headers.get(host, {}))
        return headers

    def _remaining(self) -> float:
        return self._deadline_at - self._clock()

    def _unchecked_deadline(self, attempts: int) -> _Answer:
        self.stats.skipped_deadline += 1
        return _Answer(error=ErrorKind.DEADLINE, detail="overall deadline passed before an answer",
                       attempts=attempts)

    async def _fetch_with_retries(self, url: str, method: str, extra: Mapping[str, str] | None,
                                  limit: int, send_configured: bool) -> _Answer:
        import httpx

        host = host_key(httpx.URL(url).host)
        state = self._host(host)
        headers = self._request_headers(host, extra, send_configured)
        attempt = 0
        while True:
            # Adaptive slow-down: a host that pushed back is left alone until its window ends.
            while (wait := state.paused_until - self._clock()) > 0:
                if state.paused_until >= self._deadline_at:
                    return self._unchecked_deadline(attempt)
                await self._sleep(wait)
            if self._remaining() <= 0:
                return self._unchecked_deadline(attempt)
            attempt += 1
            answer = await self._attempt(url, method, headers, limit, state)
            answer.attempts = attempt
            if answer.error is ErrorKind.DEADLINE:
                self.stats.skipped_deadline += 1
                return answer
            if answer.error is not None:
                if answer.error not in _RETRYABLE_ERRORS:
                    return answer
                # A timeout has already waited a whole timeout since it asked: a backoff on top
                # only delays the answer. Resets and refusals come at once, and wait.
                delay = 0.0 if answer.error is ErrorKind.TIMEOUT else self._backoff(attempt)
            elif answer.status is not None and _retryable_status(answer.status):
                retry_after = parse_retry_after(answer.headers.get("retry-after"))
                over_cap = retry_after is not None and retry_after > self.options.max_retry_after
                delay = min(retry_after, self.options.max_retry_after) if retry_after is not None \
                    else self._backoff(attempt)
                if answer.status in (429, 503):
                    state.paused_until = max(state.paused_until, self._clock() + delay)
                if over_cap:  # the server asked for longer than we wait: report it as it is
                    return answer
            else:
                return answer
            if attempt > self.options.max_retries or self._clock() + delay >= self._deadline_at:
                return answer
            self.stats.retries += 1
            if delay > 0 and state.paused_until <= self._clock():  # otherwise the pause above does the waiting
                await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        # Equal jitter: half fixed, half random, so that retries from many requests spread out.
        step = min(self.options.max_retry_after, _BACKOFF_BASE * 2 ** (attempt - 1))
        return step / 2 + self._rng.uniform(0, step / 2)

    async def _attempt(self, url: str, method: str, headers: Mapping[str, str], limit: int,
                       state: _HostState) -> _Answer:
        import asyncio
        remaining = self._remaining()
        if remaining <= 0:
            return _Answer(error=ErrorKind.DEADLINE, detail="overall deadline passed")
        try:
            async with asyncio.timeout(remaining) as overall:
                # Host slot first: a queue for one busy host must not hold global slots that
                # requests to other hosts could use.
                async with state.semaphore, self._global:
                    self.stats.requests += 1
                    return await self._send(url, method, headers, limit)
        except TimeoutError:
            if overall.expired():
                return _Answer(error=ErrorKind.DEADLINE, detail="overall deadline passed")
            raise

    async def _send(self, url: str, method: str, headers: Mapping[str, str], limit: int) -> _Answer:
        import asyncio
        import httpx

        assert self._client is not None
        try:
            # One bound for the whole exchange, connect to last byte: httpx's own timeouts are per
            # read, which a server dripping one byte at a time never trips.
            async with asyncio.timeout(self.options.timeout) as per_request:
                request = self._client.build_request(method, url, headers=headers)
                response = await self._client.send(request, stream=True)
                try:
                    if method == "HEAD":
                        # A HEAD answer has no body, but httpcore returns the connection to the
                        # pool only once it has seen the end of the message: without this read
                        # every HEAD costs a new connection.
                        body, truncated = await _read_capped(response, 0)
                    elif limit <= 0:
                        body = b""
                        truncated = response.headers.get("content-length") != "0"
                    else:
                        body, truncated = await _read_capped(response, limit)
                finally:
                    await response.aclose()
        except TimeoutError:
            if per_request.expired():
                return _Answer(error=ErrorKind.TIMEOUT, detail=f"no complete answer in "
                                                               f"{self.options.timeout:g} s")
            raise
        except PrivateAddressError as exc:
            self.stats.refused_private += 1
            return _Answer(error=ErrorKind.PRIVATE_ADDRESS, detail=str(exc))
        except (httpx.HTTPError, OSError) as exc:
            return _Answer(error=_classify(exc), detail=_describe(exc))
        except Exception as exc:  # a library bug must cost one URL, not the run
            logger.debug("unexpected error fetching %s", url, exc_info=True)
            return _Answer(error=ErrorKind.OTHER, detail=_describe(exc))
        return _Answer(
            status=response.status_code,
            headers=_joined_headers(response.headers),
            body=body, truncated=truncated, http_version=response.http_version,
        )

    async def _addresses(self, host: str, port: int) -> list[str]:
        """The addresses one connection may use: every resolved address is checked, not the name."""
        literal = parse_ip(host)
        if literal is not None:
            candidates = [literal]
        else:
            try:
                resolved = await self._resolver(host, port)
            except OSError:
                raise
            except Exception as exc:  # an injected resolver may raise anything: report it as DNS
                raise socket.gaierror(str(exc)) from exc
            candidates = []
            for text in resolved:
                ip = parse_ip(text)
                if ip is None:
                    raise socket.gaierror(f"resolver returned {text!r} for {host}")
                candidates.append(ip)
            if not candidates:
                raise socket.gaierror(f"{host} has no address")
        if self.options.allow_private_hosts:
            return [str(ip) for ip in candidates]
        # A name with public and private addresses is reached on its public ones only.
        allowed = [str(ip) for ip in candidates if self._is_public(ip)]
        if not allowed:
            raise PrivateAddressError(host, [str(ip) for ip in candidates])
        return allowed


def _joined_headers(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.multi_items():
        key = key.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


async def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Read at most `limit` bytes of the body (decoded from gzip/deflate, also capped)."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    # wbits=47 accepts both gzip and zlib framing; decompress(max_length) bounds the expansion.
    decoder = zlib.decompressobj(wbits=47) if encoding in ("gzip", "x-gzip", "deflate") else None
    buffer = bytearray()
    async for chunk in response.aiter_raw():
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, limit + 1 - len(buffer))
            except zlib.error:
                decoder = None  # mislabelled body: keep the raw bytes rather than nothing
        buffer += chunk
        if len(buffer) > limit:
            return bytes(buffer[:limit]), True
    return bytes(buffer), False


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    stack: list[BaseException] = [exc]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def _classify(exc: BaseException) -> ErrorKind:
    import ssl

    import httpx

    for cause in _exception_chain(exc):
        if isinstance(cause, PrivateAddressError):
            return ErrorKind.PRIVATE_ADDRESS
        if isinstance(cause, socket.gaierror):
            return ErrorKind.DNS
        if isinstance(cause, ConnectionRefusedError):
            return ErrorKind.REFUSED
        if isinstance(cause, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return ErrorKind.RESET
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return ErrorKind.TLS
    if isinstance(exc, httpx.TimeoutException):
        return ErrorKind.TIMEOUT
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc).lower():
        # httpx parses Location even when not following redirects; a garbage one is the URL's fault.
        return ErrorKind.INVALID_URL
    if isinstance(exc, httpx.ConnectError):
        return ErrorKind.REFUSED
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        # "Server disconnected without sending a response" is a reset in all but name.
        return ErrorKind.RESET
    if isinstance(exc, httpx.UnsupportedProtocol):
        return ErrorKind.UNSUPPORTED_SCHEME
    if isinstance(exc, httpx.InvalidURL):
        return ErrorKind.INVALID_URL
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError):
        return ErrorKind.PROTOCOL
    return ErrorKind.OTHER


class _PooledStream:
    """A connection's stream as httpcore sees it (duck-typed, so that this module does not import
    httpcore): anyio's stream, with the readability probe made cheap.

    httpcore's pool asks every idle connection whether its socket is readable (the server closed
    it) on every request; anyio answers by building a table of socket attributes, a getpeername
    call among them, each time. With 32 connections that was 2 to 4 s per 1,000 requests.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> _PooledStream:
        # The TLS stream runs over the same socket, so the same probe holds.
        return _PooledStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "socket":
            return self._socket
        if info == "is_readable":
            return _socket_readable(self._socket)
        return self._inner.get_extra_info(info)


def _socket_readable(sock: socket.socket | None) -> bool:
    """Whether a socket has something to read now; for an idle keep-alive connection that means
    the server closed it (or a closed socket: same answer, the connection is not reusable)."""
    import select

    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _pool_class(httpcore: Any) -> type:
    """httpcore's connection pool, with a request-to-connection assignment that hands an idle
    HTTP/1.1 connection to one waiting request only.

    httpcore 1.0's pass gives the first idle connection to every request that arrives before the
    first of them has started on it; all but one then fail with ConnectionNotAvailable and go
    round again, and each pass probes every idle socket and counts idle connections once per
    idle connection (quadratic). At concurrency 32 that was 2 to 5 passes per request and most
    of the client's CPU (encode/httpcore#1035 and #1110, still open). The same pass, fixed: one
    idle HTTP/1.1 connection per request, connections spoken for are neither closed nor counted
    as idle, linear in connections and requests. HTTP/2 connections are still shared.

    Uses httpcore's pool internals (1.0.x); when they are not there, the stock pool is used.
    """
    base = httpcore.AsyncConnectionPool
    shape = ("_connections", "_requests", "_max_connections", "_max_keepalive_connections")
    probe = base(max_connections=1)
    if not (all(hasattr(probe, name) for name in shape)
            and callable(getattr(base, "_assign_requests_to_connections", None))
            and callable(getattr(base, "create_connection", None))):
        logger.debug("httpcore's pool has an unknown shape; using it unchanged")
        return base  # type: ignore[no-any-return]
    http11 = httpcore.AsyncHTTP11Connection

    class _Pool(base):  # type: ignore[misc, valid-type]
        def _assign_requests_to_connections(self) -> list[Any]:
            closing: list[Any] = []
            spoken = {id(r.connection) for r in self._requests if r.connection is not None}

            def single(connection: Any) -> bool:
                # An HTTP/1.1 connection carries one request at a time; HTTP/2 multiplexes.
                return isinstance(getattr(connection, "_connection", None), http11)

            kept: list[Any] = []
            idle = 0
            for connection in self._connections:
                if connection.is_closed():
                    continue
                if connection.has_expired():
                    closing.append(connection)
                    continue
                if connection.is_idle() and id(connection) not in spoken:
                    idle += 1
                    if idle > self._max_keepalive_connections:
                        closing.append(connection)
                        continue
                kept.append(connection)
            self._connections = kept

            for request in self._requests:
                if not request.is_queued():
                    continue
                origin = request.request.url.origin
                chosen = next((c for c in self._connections
                               if c.can_handle_request(origin) and c.is_available()
                               and not (id(c) in spoken and single(c))), None)
                if chosen is None:
                    if len(self._connections) >= self._max_connections:
                        spare = next((c for c in self._connections
                                      if c.is_idle() and id(c) not in spoken), None)
                        if spare is None:
                            continue  # stays queued until a connection is released
                        self._connections.remove(spare)
                        closing.append(spare)
                    chosen = self.create_connection(origin)
                    self._connections.append(chosen)
                request.assign_to_connection(chosen)
                spoken.add(id(chosen))
            return closing

    return _Pool


def _build_httpx_client(options: NetworkOptions,
                        addresses: Callable[[str, int], Awaitable[list[str]]]) -> httpx.AsyncClient:
    import http.cookiejar

    import httpcore
    import httpx

    class GuardedBackend(httpcore.AsyncNetworkBackend):
        """Connects only to addresses the guard accepts, so a redirect or DNS trick cannot slip by."""

        def __init__(self) -> None:
            self._inner = httpcore.AnyIOBackend()

        async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                              local_address: str | None = None,
                              socket_options: Any = None) -> httpcore.AsyncNetworkStream:
            # We connect to the very address we checked: no second lookup to rebind in between.
            # TLS still verifies the certificate against `host` (httpcore passes the origin's name).
            last: Exception | None = None
            for ip in await addresses(host, port):
                try:
                    return _PooledStream(await self._inner.connect_tcp(ip, port, timeout,
                                                                       local_address,
                                                                       socket_options))
                except httpcore.ConnectError as exc:
                    last = exc
            assert last is not None
            raise last

        async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                      socket_options: Any = None) -> httpcore.AsyncNetworkStream:
            raise httpcore.ConnectError("unix sockets are never used")

        async def sleep(self, seconds: float) -> None:
            await self._inner.sleep(seconds)

    limits = httpx.Limits(max_connections=options.max_concurrency,
                          max_keepalive_connections=options.max_concurrency, keepalive_expiry=5.0)
    transport = httpx.AsyncHTTPTransport(http2=True, limits=limits)
    # httpx offers no hook for the network backend; its transport only delegates to `_pool`,
    # so we put a pool with the guarded backend there (httpx >= 0.23 has this shape).
    pool_class = _pool_class(httpcore)
    transport._pool = pool_class(
        ssl_context=httpx.create_ssl_context(), max_connections=options.max_concurrency,
        max_keepalive_connections=options.max_concurrency, keepalive_expiry=5.0,
        http1=True, http2=True, network_backend=GuardedBackend())
    client = httpx.AsyncClient(
        transport=transport, timeout=httpx.Timeout(options.timeout), follow_redirects=False,
        # trust_env would read proxies (which bypass the guard) and .netrc (credentials for any host).
        trust_env=False,
    )
    # Each URL is judged on its own: a cookie set by one answer must not change another.
    client.cookies.jar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return client
