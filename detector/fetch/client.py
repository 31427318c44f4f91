"""One HTTP exchange with every limit applied: httpx, with a deadline on the whole response.

httpx (rather than requests) because it streams the raw, still-encoded body (what a WARC keeps)
while letting us decode it ourselves with a bound, has typed timeouts, and lets the network
layer be wrapped: ``_DeadlineBackend`` shortens every socket read and write so that no read
outlives the page's deadline. A server that trickles a byte a second, in the headers or in the
body, is cut off at the deadline rather than holding the crawl for as long as it likes.

Redirects are not followed here (the crawl follows them, checking each hop); bodies are read
through ``BoundedDecoder`` so the page size limit applies to the decoded size.
"""

from __future__ import annotations

import re
import ssl
import time
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import httpcore
import httpx

from detector.config import LIMITS
from detector.fetch.bodies import ACCEPT_ENCODING, BadEncoding, BoundedDecoder, TooLarge

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request and what came back. ``body`` is the decoded payload (None when it was not read
    whole: ``error`` or ``skipped`` says why); ``raw`` is the payload as received."""

    url: str
    request_line: str
    request_headers: tuple[tuple[str, str], ...]
    status: int | None = None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    headers: tuple[tuple[str, str], ...] = ()
    raw: bytes = b""
    body: bytes | None = None
    error: str | None = None
    skipped: str | None = None  # the body was not wanted (a content type that is not a page)

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)


class _Clock:
    """The deadline of the response being read; None between requests."""

    deadline: float | None = None

    def remaining(self, timeout: float | None) -> float | None:
        if self.deadline is None:
            return timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("page deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, clock: _Clock) -> None:
        self.inner = inner
        self.clock = clock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.clock.remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.clock.remaining(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        tls = self.inner.start_tls(ssl_context, server_hostname, self.clock.remaining(timeout))
        return _DeadlineStream(tls, self.clock)

    def get_extra_info(self, info: str) -> typing.Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, clock: _Clock) -> None:
        self.inner = httpcore.SyncBackend()
        self.clock = clock

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self.inner.connect_tcp(
            host, port, self.clock.remaining(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream, self.clock)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Transport(httpx.HTTPTransport):
    def __init__(self, clock: _Clock) -> None:
        super().__init__(trust_env=False, retries=0)
        # httpx builds its own pool; this one differs only in the network backend (the deadline).
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl.create_default_context(),
            max_connections=10,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(clock),
        )


class Client:
    """GET with the user agent, timeouts, the page deadline and the decoded-size limit."""

    def __init__(self, *, user_agent: str, timeout: float, deadline: float, max_bytes: int) -> None:
        self.clock = _Clock()
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.http = httpx.Client(
            transport=_Transport(self.clock),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            headers={
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )

    def close(self) -> None:
        self.http.close()

    def get(
        self, url: str, *, wanted: Callable[[str], bool] | None = None, max_bytes: int | None = None
    ) -> Exchange:
        """One request, no redirect followed. ``wanted(mime)`` says whether a 2xx body of that
        content type is read at all; ``max_bytes`` overrides the page size limit."""
        limit = self.max_bytes if max_bytes is None else max_bytes
        try:
            request = self.http.build_request("GET", url)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as err:
            return Exchange(url, f"GET {url} HTTP/1.1", (), error=f"not a valid URL ({err})")
        target = request.url.raw_path.decode("ascii", "replace")
        line = f"GET {target} HTTP/1.1"
        sent = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw)
        self.clock.deadline = time.monotonic() + self.deadline
        try:
            response = self.http.send(request, stream=True)
            try:
                return self._read(url, line, sent, response, wanted, limit)
            finally:
                response.close()
        except httpx.TimeoutException:
            return Exchange(url, line, sent, error=self._timeout_problem())
        except httpx.HTTPError as err:
            return Exchange(url, line, sent, error=_network_problem(err))
        finally:
            self.clock.deadline = None

    def _timeout_problem(self) -> str:
        if self.clock.deadline is not None and time.monotonic() >= self.clock.deadline - 0.05:
            return f"no complete answer within the {self.deadline:g} s page deadline"
        return "timed out"

    def _read(
        self,
        url: str,
        line: str,
        sent: tuple[tuple[str, str], ...],
        response: httpx.Response,
        wanted: Callable[[str], bool] | None,
        limit: int,
    ) -> Exchange:
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw)
        head = Exchange(
            url,
            line,
            sent,
            status=response.status_code,
            reason=_CONTROL.sub("?", response.reason_phrase),  # server text that reaches terminals
            http_version=response.http_version,
            headers=headers,
        )
        mime = mime_of(response.headers.get("content-type"))
        if wanted is not None and 200 <= response.status_code < 300 and not wanted(mime):
            return replace(head, skipped=f"not a page ({mime or 'no content type'})")
        raw = bytearray()
        try:
            decoder = BoundedDecoder(response.headers.get("content-encoding"), limit)
            for chunk in response.iter_raw(LIMITS.read_chunk_bytes):
                raw += chunk
                decoder.feed(chunk)
                if len(raw) > limit:  # an encoded body larger than the limit is refused as well
                    raise TooLarge
            body = decoder.finish()
        except TooLarge:
            return replace(head, raw=bytes(raw), error=f"larger than the {limit}-byte limit")
        except BadEncoding as err:
            return replace(head, raw=bytes(raw), error=str(err))
        except httpx.TimeoutException:
            return replace(head, raw=bytes(raw), error=self._timeout_problem())
        except httpx.HTTPError as err:
            return replace(head, raw=bytes(raw), error=_network_problem(err))
        return replace(head, raw=bytes(raw), body=body)


def mime_of(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def charset_of(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None


def _network_problem(err: httpx.HTTPError) -> str:
    if isinstance(err, httpx.ConnectError):
        return f"cannot connect ({_first_line(err)})"
    return f"{type(err).__name__} ({_first_line(err)})"


def _first_line(err: Exception) -> str:
    return _CONTROL.sub("?", (str(err).splitlines() or [type(err).__name__])[0][:200])
