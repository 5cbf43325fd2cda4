"""A real HTTP server playing a webhook receiver in tests: it records what arrives and answers
as told (a status, a delay, silence, a redirect, an endless body)."""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest
from standardwebhooks import Webhook

_LONG = 600.0  # how long a silent handler waits; close() releases it sooner


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # keys lower-cased
    body: bytes
    at: float  # time.monotonic()
    peer_port: int = 0  # the client's port: a new one per connection


@dataclass(frozen=True)
class _Behaviour:
    kind: str  # "answer", "silent", "redirect", "endless" or "slow_headers"
    status: int = 200
    body: bytes = b"ok"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    chunk: bytes = b""
    interval: float = 0.0
    duration: float = _LONG


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-answer is what several tests do on purpose.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so tests can tell whether connections are reused
    timeout = 30  # a forgotten keep-alive connection must not hold its thread for ever
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        with self.server.receiver._lock:
            self.server.receiver._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.receiver._lock:
            self.server.receiver._connections.discard(self.connection)
        super().finish()

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {key.lower(): value for key, value in self.headers.items()}
        receiver._record(
            Received(self.path, headers, body, time.monotonic(), self.client_address[1])
        )
        behaviour = receiver._behaviour_for(self.path.split("?")[0])
        try:
            getattr(self, f"_{behaviour.kind}")(behaviour, receiver._closing)
        except OSError:
            self.close_connection = True

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def _answer(self, behaviour: _Behaviour, closing: threading.Event) -> None:
        if behaviour.delay and closing.wait(behaviour.delay):
            self.close_connection = True
            return
        self.send_response(behaviour.status)
        for name, value in behaviour.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(behaviour.body)))
        self.end_headers()
        self.wfile.write(behaviour.body)

    def _silent(self, behaviour: _Behaviour, closing: threading.Event) -> None:
        closing.wait(_LONG)
        self.close_connection = True

    def _redirect(self, behaviour: _Behaviour, closing: threading.Event) -> None:
        self.send_response(behaviour.status)
        self.send_header("location", behaviour.headers["location"])
        self.send_header("content-length", "0")
        self.end_headers()

    def _endless(self, behaviour: _Behaviour, closing: threading.Event) -> None:
        self.close_connection = True
        self.send_response(behaviour.status)
        self.send_header("connection", "close")  # no length: the body runs until we hang up
        self.end_headers()
        stop = time.monotonic() + behaviour.duration
        while not closing.is_set() and time.monotonic() < stop:
            self.wfile.write(behaviour.chunk)
            if behaviour.interval:
                closing.wait(behaviour.interval)

    def _slow_headers(self, behaviour: _Behaviour, closing: threading.Event) -> None:
        self.close_connection = True
        self.wfile.write(f"HTTP/1.1 {behaviour.status} OK\r\n".encode())
        stop = time.monotonic() + behaviour.duration
        while not closing.is_set() and time.monotonic() < stop:
            self.wfile.write(b"x-padding: 1\r\n")
            closing.wait(behaviour.interval)
        self.wfile.write(b"content-length: 0\r\n\r\n")


class Receiver:
    def __init__(
        self, *, bind: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._received: list[Received] = []
        self._default = _Behaviour("answer")
        self._by_path: dict[str, _Behaviour] = {}
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        server_class = _Server6 if ":" in bind else _Server
        self._server = server_class((bind, 0), _Handler)
        self._server.receiver = self
        self.scheme = "http"
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self.host = f"[{bind}]" if ":" in bind else bind
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return self.url_for("/hook")

    def url_for(self, path: str, *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def answer(
        self,
        status: int = 200,
        body: bytes = b"ok",
        delay: float = 0.0,
        *,
        headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> None:
        self._set(_Behaviour("answer", status, body, delay, dict(headers or {})), path)

    def silent(self, *, path: str | None = None) -> None:
        self._set(_Behaviour("silent"), path)

    def redirect(self, to_url: str, status: int = 302, *, path: str | None = None) -> None:
        self._set(_Behaviour("redirect", status, headers={"location": to_url}), path)

    def endless(
        self,
        chunk: bytes = b"x" * 65536,
        interval: float = 0.0,
        *,
        status: int = 200,
        duration: float = _LONG,
        path: str | None = None,
    ) -> None:
        """A 2xx answer whose body keeps coming, every `interval` seconds, for `duration`."""
        behaviour = _Behaviour("endless", status, chunk=chunk, interval=interval, duration=duration)
        self._set(behaviour, path)

    def slow_headers(
        self, interval: float, duration: float, *, status: int = 200, path: str | None = None
    ) -> None:
        """A status line at once, then a header line every `interval` seconds for `duration`."""
        self._set(_Behaviour("slow_headers", status, interval=interval, duration=duration), path)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._received) >= count, timeout):
                raise AssertionError(
                    f"expected {count} requests within {timeout} s, got {len(self._received)}"
                )
            return list(self._received)

    def verified(self, secret: str) -> list[Any]:
        """The JSON payloads received; raises WebhookVerificationError if any is not signed."""
        webhook = Webhook(secret)
        return [webhook.verify(item.body, item.headers) for item in self.received]

    def close(self) -> None:
        self._closing.set()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            # Wakes handlers blocked reading a kept-alive connection.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _set(self, behaviour: _Behaviour, path: str | None) -> None:
        with self._lock:
            if path is None:
                self._default = behaviour
            else:
                self._by_path[path] = behaviour

    def _behaviour_for(self, path: str) -> _Behaviour:
        with self._lock:
            return self._by_path.get(path, self._default)

    def _record(self, item: Received) -> None:
        with self._arrived:
            self._received.append(item)
            self._arrived.notify_all()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running
