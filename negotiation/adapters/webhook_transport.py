"""Outbound HTTP for webhook delivery, signed as the Standard Webhooks spec describes.

Receivers' URLs come from users, so every delivery could be aimed at our own network (SSRF):
the host is resolved, every address it resolves to must be globally routable, and the
connection is then made to that checked address, with the name kept for the Host header, TLS
SNI and the certificate check. The check runs again at every send, so a name that was public
when registered and now resolves inside the network (DNS rebinding) is still refused, and the
address checked is the one connected to, leaving no second lookup to rebind.
"""

from __future__ import annotations

import base64
import contextlib
import http.cookiejar
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from secrets import token_bytes
from typing import Any

import httpx
import standardwebhooks

EXCERPT_CHARS = 500
_EXCERPT_BYTES = EXCERPT_CHARS * 4  # a UTF-8 character takes at most four bytes
USER_AGENT = "negotiation-webhooks/1"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UrlNotAllowed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    url: str
    host: str  # ASCII (IDNA) form, IPv6 literals without brackets
    port: int
    scheme: str
    address: str  # the IP literal the request connects to


def _forbidden_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip in _METADATA:
        return "the cloud metadata address"
    if isinstance(ip, ipaddress.IPv6Address):
        # Mapped and 6to4 addresses reach the IPv4 address inside them (NAT64 and Teredo
        # ranges are already non-global or reserved).
        for inner in (ip.ipv4_mapped, ip.sixtofour):
            if inner is not None and (kind := _forbidden_kind(inner)):
                return kind
    # is_global alone lets multicast and some reserved IPv6 ranges through.
    if ip.is_global and not ip.is_multicast and not ip.is_reserved:
        return None
    for flag, kind in (
        (ip.is_loopback, "a loopback address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
    ):
        if flag:
            return kind
    return "not a public address"


def resolve_target(url: str, *, allow_private: bool) -> Target:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UrlNotAllowed(f"The URL is not valid ({exc}).") from exc
    scheme = parsed.scheme
    if scheme not in _DEFAULT_PORTS:
        raise UrlNotAllowed(f"Only https URLs are allowed, not {scheme or 'scheme-less'} ones.")
    if scheme == "http" and not allow_private:
        raise UrlNotAllowed("The URL must use https, not http.")
    if parsed.userinfo:
        raise UrlNotAllowed("The URL must not contain a user name or password.")
    if "#" in url:
        raise UrlNotAllowed("The URL must not have a fragment (#...).")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise UrlNotAllowed("The URL has no host.")
    port = parsed.port or _DEFAULT_PORTS[scheme]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UrlNotAllowed(f"{host} does not resolve.") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow_private:
        for address in addresses:
            if kind := _forbidden_kind(ipaddress.ip_address(address)):
                subject = f"{address} is" if address == host else f"{host} resolves to {address},"
                raise UrlNotAllowed(f"{subject} {kind}.")
    return Target(url=url, host=host, port=port, scheme=scheme, address=addresses[0])


def signature_headers(
    event_id: str, timestamp: int, body: bytes, secrets: Sequence[str]
) -> dict[str, str]:
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    at = datetime.fromtimestamp(timestamp, UTC)
    signatures = [
        standardwebhooks.Webhook(secret).sign(event_id, at, body.decode()) for secret in secrets
    ]
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def new_secret() -> str:
    return "whsec_" + base64.b64encode(token_bytes(32)).decode("ascii")


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None
    excerpt: str

    @property
    def delivered(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender:
    def __init__(
        self,
        *,
        timeout_seconds: float,
        allow_private: bool,
        max_connections: int = 64,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._timeout = timeout_seconds
        self._allow_private = allow_private
        self._client = httpx.Client(
            follow_redirects=False,
            timeout=httpx.Timeout(timeout_seconds),
            # The pool keys connections by the pinned address, so a kept-alive TLS connection
            # verified for one name would carry requests for any other name on that address
            # without checking its certificate.
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=0),
            verify=ssl_context or True,
            trust_env=False,
            # One receiver's cookies must never reach another receiver on the same address.
            cookies=http.cookiejar.CookieJar(
                http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
            ),
            # The excerpt is read raw, so a compressed (possibly bomb-sized) body is never inflated.
            headers={"accept-encoding": "identity"},
        )

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
        try:
            target = resolve_target(url, allow_private=self._allow_private)
        except UrlNotAllowed as exc:
            return Outcome(None, 0, f"url not allowed: {exc.reason}", "")
        started = time.perf_counter()
        request_headers = httpx.Headers(headers)
        request_headers["host"] = _host_header(target)
        deadline = _Deadline(self._timeout)
        extensions: dict[str, Any] = {"trace": deadline.trace}
        if target.scheme == "https":
            extensions["sni_hostname"] = target.host
        pinned = httpx.URL(target.url).copy_with(host=target.address)
        try:
            with self._client.stream(
                "POST", pinned, content=body, headers=request_headers, extensions=extensions
            ) as response:
                status = response.status_code
                raw = _read_excerpt(response, deadline)
        except httpx.HTTPError as exc:
            failure = _describe(exc, self._timeout, deadline.expired)[:200]
            return Outcome(None, _elapsed_ms(started), failure, "")
        finally:
            deadline.cancel()
        error = f"redirect not followed ({status})" if 300 <= status < 400 else None
        excerpt = raw.decode("utf-8", errors="replace").replace("\x00", "")[:EXCERPT_CHARS]
        return Outcome(status, _elapsed_ms(started), error, excerpt)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Deadline:
    """Hangs up once the time is up: httpx's timeouts apply to each read, so a receiver that
    sends its status line and headers a byte at a time would otherwise never time out."""

    def __init__(self, seconds: float) -> None:
        self._ends_at = time.monotonic() + seconds
        self._fired = False
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event == "connection.connect_tcp.complete":
            with self._lock:
                self._socket = info["return_value"].get_extra_info("socket")
                if self.expired:
                    self._hang_up()

    @property
    def expired(self) -> bool:
        return self._fired or time.monotonic() >= self._ends_at

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self._fired = True
            self._hang_up()

    def _hang_up(self) -> None:
        # shutdown(), unlike close(), wakes the thread blocked reading the socket.
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == _DEFAULT_PORTS[target.scheme] else f"{host}:{target.port}"


def _read_excerpt(response: httpx.Response, deadline: _Deadline) -> bytes:
    # The status line is what counts, so a body cut short by the deadline (or by the receiver)
    # still leaves a valid outcome. The deadline is checked here too, so that reading stops
    # cleanly rather than by hang-up.
    buffer = bytearray()
    with contextlib.suppress(httpx.HTTPError):
        for chunk in response.iter_raw():
            buffer += chunk
            if len(buffer) >= _EXCERPT_BYTES or deadline.expired:
                break
    return bytes(buffer[:_EXCERPT_BYTES])


def _describe(exc: httpx.HTTPError, timeout: float, expired: bool) -> str:
    if isinstance(exc, httpx.PoolTimeout):
        return f"no free connection within {timeout:g} s"
    if expired or isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g} s"
    cause: BaseException | None = exc
    while cause is not None:  # httpx wraps httpcore's error, which wraps the socket's
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"tls certificate not accepted: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return f"tls failed: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {exc}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error: {exc}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection lost: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
