"""What operators see: a request id on every answer, one JSON access-log line per request,
and Prometheus metrics at ``/metrics``.

The access log and the request metrics are taken by a WSGI middleware around the whole
app, so a request that ends in an exception Flask never turned into a response is still
logged (as a 500) and the ``X-Request-ID`` header is on every answer, the web pages'
included. Flask's own hooks only note what the middleware cannot know: the URL rule
that matched and who the caller was.
"""

from __future__ import annotations

import atexit
import dataclasses
import hmac
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from sqlalchemy import Engine, event
from sqlalchemy.pool import QueuePool

from negotiation.api import problems
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.services.core.sweep import SweepReport

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REQUEST_ID_HEADER = "X-Request-ID"
# Visible ASCII only, and bounded: an id is copied into log lines, headers and problem
# documents, so one carrying control characters or a megabyte is replaced, not echoed.
SANE_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,128}")
ENVIRON_REQUEST_ID = "negotiation.request_id"
ENVIRON_SEEN = "negotiation.seen"  # route and caller, noted by Flask's teardown
UNMATCHED = "unmatched"  # the route label of a path no rule matched: one series, not one per path
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
# Requests take milliseconds here; the default buckets start at 5 ms.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

access_log = logging.getLogger("negotiation.access")


# --- request ids ---------------------------------------------------------------------------


def accepted_request_id(offered: str | None) -> str:
    """The caller's (or the proxy's) id when it is sane, else a fresh one."""
    if offered is not None and SANE_REQUEST_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


def _adopt_request_id() -> None:
    g.request_id = request.environ.get(ENVIRON_REQUEST_ID) or accepted_request_id(None)


def caller_label(caller: Caller | None) -> int | str | None:
    """An account id, ``admin`` for the configured admin token, or None: never a credential."""
    if caller is None:
        return None
    if caller.account_id is not None:
        return caller.account_id
    return "admin" if caller.role is Role.ADMIN else None


def _note_route_and_caller(_error: BaseException | None) -> None:
    # ``caller`` is the API's, ``web_caller`` the signed-in person's on the web pages.
    caller = g.get("caller") or g.get("web_caller")
    request.environ[ENVIRON_SEEN] = (request.url_rule.rule if request.url_rule else None,
                                     caller_label(caller))


# --- metrics -------------------------------------------------------------------------------


def multiprocess_mode() -> bool:
    """Whether prometheus-client writes values to ``PROMETHEUS_MULTIPROC_DIR`` (decided when
    it is first imported), so that a scrape of any worker sums every worker's."""
    return values.ValueClass is not values.MutexValue


class Metrics:
    """The service's metrics, built per app: two apps in one process keep separate counts.

    In multiprocess mode the values live in files shared by every process, and a scrape
    reads them all; the metrics are then registered nowhere, as prometheus-client asks.
    """

    def __init__(self) -> None:
        self.shared = multiprocess_mode()
        self.registry = None if self.shared else CollectorRegistry()
        into: dict[str, Any] = {"registry": self.registry}
        self.requests = Counter(
            "negotiation_http_requests", "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"], **into)
        self.latency = Histogram(
            "negotiation_http_request_duration_seconds",
            "Time from receiving a request to its response being ready.",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS, **into)
        self.sweep_runs = Counter("negotiation_sweep_runs", "Sweeps finished.", **into)
        self.sweep_batches = Counter(
            "negotiation_sweep_batches", "Transactions the sweeps committed.", **into)
        self.sweep_items = Counter(
            "negotiation_sweep_items", "What the sweeps did, by kind of item (the fields of "
            "the sweep's report: orders settled, idempotency keys purged, ...).",
            ["item"], **into)
        # The background worker (API.md's `worker`) does not exist yet. Its counters go
        # here, beside the sweep's: deliveries by outcome, passes, the age of the oldest
        # due item. It should record the sweeps it runs through `record_sweep`.
        pool: dict[str, Any] = {**into, "multiprocess_mode": "livesum"}
        self.pool_checked_out = Gauge(
            "negotiation_db_pool_checked_out", "Database connections in use.", **pool)
        self.pool_size = Gauge(
            "negotiation_db_pool_size", "Database connections the pools keep open.", **pool)
        self.pool_overflow = Gauge(
            "negotiation_db_pool_overflow",
            "Database connections open beyond the pools' size.", **pool)
        self._engines: list[Engine] = []

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def record_sweep(self, report: SweepReport) -> None:
        counts = dataclasses.asdict(report)
        self.sweep_runs.inc()
        self.sweep_batches.inc(counts.pop("batches"))
        for item, count in counts.items():
            self.sweep_items.labels(item).inc(count)

    def watch_pool(self, engine: Engine) -> None:
        """Count the pool's connections as they are checked out and in, so every
        process's share is current in the shared files, not only the scraped one's."""
        if not isinstance(engine.pool, QueuePool):
            return  # no pool to speak of (an in-memory database)
        self._engines.append(engine)
        self.pool_size.inc(engine.pool.size())

        def checked_out(*_: Any) -> None:
            self.pool_checked_out.inc()
            self.pool_overflow.set(self._overflow())

        # On the engine, not its pool: the listeners then follow the pool that
        # ``engine.dispose()`` puts in its place.
        event.listen(engine, "checkout", checked_out)
        event.listen(engine, "checkin", lambda *_: self.pool_checked_out.dec())

    def _pools(self) -> list[QueuePool]:
        return [engine.pool for engine in self._engines if isinstance(engine.pool, QueuePool)]

    def _overflow(self) -> int:
        # QueuePool counts overflow from -size up: negative while fewer are open than size.
        return sum(max(0, pool.overflow()) for pool in self._pools())

    def exposition(self) -> bytes:
        """The Prometheus text of every process's metrics, this process's pool read now."""
        if pools := self._pools():
            self.pool_checked_out.set(sum(pool.checkedout() for pool in pools))
            self.pool_overflow.set(self._overflow())
        if not self.shared:
            assert self.registry is not None
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)


def metrics_of(app: Flask) -> Metrics:
    return app.extensions["metrics"]


def _scrape() -> Response:
    """The metrics, for a scraper presenting ``METRICS_TOKEN`` as its bearer token."""
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return problems.problem(404, "not_found", "Metrics are off: METRICS_TOKEN is not set.")
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
            offered.strip().encode(), str(expected).encode()):
        return problems.problem(401, "unauthenticated", "The metrics token is required.",
                                headers={"WWW-Authenticate": "Bearer"})
    return Response(metrics_of(current_app).exposition(), content_type=CONTENT_TYPE_LATEST)


# --- the access log ------------------------------------------------------------------------


class AccessLog:
    """WSGI middleware: the request id in and out, then one log line and the request
    metrics, whatever became of the request."""

    def __init__(self, app: WSGIApplication, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = accepted_request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_REQUEST_ID] = request_id
        status = 500  # unless the app gets as far as starting a response

        def start(line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Callable[..., Any]:
            nonlocal status
            status = int(line.split(" ", 1)[0])
            headers = [(name, value) for name, value in headers
                       if name.lower() != "x-request-id"]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(line, headers, *exc_info)

        try:
            return self.app(environ, start)
        finally:
            self._record(environ, request_id, status, time.perf_counter() - started)

    def _record(self, environ: WSGIEnvironment, request_id: str, status: int,
                seconds: float) -> None:
        route, caller = environ.get(ENVIRON_SEEN, (None, None))
        method = environ.get("REQUEST_METHOD", "")
        self.metrics.observe(method if method in METHODS else "other", route or UNMATCHED,
                             status, seconds)
        if access_log.isEnabledFor(logging.INFO):
            # The route is the URL rule, never the path (ids would make every line and
            # series unique, and a path may carry a signed link); no query string, no
            # header: nothing here can hold a credential.
            line = {"request_id": request_id, "method": method, "route": route,
                    "status": status, "latency_ms": round(seconds * 1000, 2),
                    "caller": caller, "client": environ.get("REMOTE_ADDR")}
            access_log.info(json.dumps(line), extra={"access": line})


# --- wiring --------------------------------------------------------------------------------


def init_app(app: Flask, engine: Engine) -> None:
    """Call first in the factory: the request id must be on ``g`` before any other hook
    can answer with a problem document."""
    metrics = Metrics()
    metrics.watch_pool(engine)
    app.extensions["metrics"] = metrics
    if metrics.shared:
        # A process that ends cleanly takes its pool gauges with it; gunicorn's
        # ``child_exit`` does the same for workers that die (gunicorn.conf.py).
        atexit.register(lambda: multiprocess.mark_process_dead(os.getpid()))
    app.before_request(_adopt_request_id)
    app.teardown_request(_note_route_and_caller)
    app.add_url_rule("/metrics", "metrics", _scrape)
    app.wsgi_app = AccessLog(app.wsgi_app, metrics)  # type: ignore[method-assign]
