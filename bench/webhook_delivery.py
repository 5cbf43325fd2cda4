"""Webhook delivery throughput of the worker, against the same HTTP client with no database.

One run of this script, on a *benchmark* PostgreSQL database (default ``bench_webhooks``;
it refuses a database whose name does not start with ``bench``, because it wipes it):

1. migrates the database (``DROP SCHEMA public CASCADE``, then the project's migrations);
2. starts the **receiver**: an asyncio server in a process of its own that answers every
   POST ``200`` at once and closes the connection (the sender keeps none alive), and
   counts what it got per path and ``webhook-id``;
3. seeds through the service layer a store, its owner and a buyer, and ``--endpoints``
   endpoints (default 4) with ``endpoints.create_endpoint`` (so their signing secrets are
   sealed under the run's ``SECRET_KEY`` as in production), subscribed to ``*``, at
   ``http://127.0.0.1:PORT/hooks/K``; then, in bulk SQL, ``--events`` events (default
   20,000: the five events of an order's propose→accept life, order after order);
4. renders every delivery's body and signature headers once, exactly as the worker does
   (``worker.render`` of the event as the feed answers it, ``signature_headers`` with the
   endpoint's opened secrets), and notes what that costs per delivery;
5. measures the receiver's own ceiling with wrk (when it is installed), POSTing the same
   body with ``Connection: close`` from 32 connections;
6. per repeat (default 3), the two targets in alternating order (raw, workers | workers,
   raw | …):

   - ``raw``: ``--workers`` processes (default 2) of ``WEBHOOK_CONCURRENCY`` threads each
     (so 2 × 16 = 32 in flight, the workers' total), each process with one
     ``WebhookSender`` built as the worker builds its own (same timeout, pool size, URL
     checks, pinned connections, no keep-alive), POSTing the rendered payloads of step 4
     to the receiver: the HTTP client alone, no database;
   - ``workers``: ``--workers`` processes of ``flask --app wsgi worker --once`` (env
     ``NEGOTIATION_DATABASE_URL``, ``NEGOTIATION_SECRET_KEY``,
     ``NEGOTIATION_WEBHOOK_ALLOW_PRIVATE_URLS=true``, ``NEGOTIATION_WEBHOOK_CONCURRENCY``
     …) over a backlog rebuilt just before: one pending delivery per event (event *i* to
     endpoint *i* mod K), due in id order, written with ``INSERT … SELECT`` into the real
     ``webhook_deliveries`` table, then ``VACUUM ANALYZE`` and ``CHECKPOINT``.

   Both are timed the same way, by the receiver: from the first delivery it got to the
   last (so the workers' start-up — imports, ``create_app``, the pass's expiring-soon
   notices and sweep, which find nothing to do — is not counted). Both must deliver every
   event exactly once: the receiver's ``(path, webhook-id)`` set must equal the expected
   one with no duplicate, and after ``workers`` every delivery must be ``delivered`` after
   exactly one attempt, with one ``webhook_attempts`` row each and no lease left;
7. prints deliveries/s of each, the ratio ``workers ÷ raw`` per repeat and of the
   medians (target ≥ 0.5), and CPU per delivery of the targets' processes, of PostgreSQL
   (this database's backends and the server's own processes) and of the receiver, sampled
   from ``/proc`` every 0.1 s during the measurement, and the kernel's interrupt time
   (``irq``: the loopback TCP work, charged to no process).

The machine is shared: before each measurement the script waits up to ``--quiet-wait`` s
for the CPUs to be ≥ 75 % idle, and flags a measurement ``NOISY`` when other processes
took > 10 % of the machine during it.

``--profile`` instead builds a backlog of ``--profile-deliveries`` (default 5,000), runs
one worker's ``run_once()`` in a fresh process with cProfile on its main thread (the loop
that takes and settles deliveries) and on each delivery thread, timed by each thread's own
CPU time (with 17 threads sharing the GIL, wall-clock profiles only show waiting), and
prints where each spends it, the SQL statements sent per delivery with the time waited on
each, and the wall time of the loop's claim and settle transactions.

    .venv/bin/python bench/webhook_delivery.py                       # ~2-3 min
    .venv/bin/python bench/webhook_delivery.py --events 5000 --repeats 1   # a quick look
    .venv/bin/python bench/webhook_delivery.py --endpoints 1 --per-endpoint-concurrency 16
    .venv/bin/python bench/webhook_delivery.py --profile

Nothing here asserts on time. Bounded: at most 200,000 events and 5 repeats, every
target run is killed after ``--timeout-run`` s, all traffic goes to 127.0.0.1 and the
database must be on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import multiprocessing
import os
import pickle
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
from http_throughput import CLOCK_TICKS, _cpu_of, _postgres_pids, wait_for_quiet  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_webhooks"
HOST = "127.0.0.1"
TARGET_RATIO = 0.5
SAMPLE_SECONDS = 0.1
# The receiver's answer: what a receiver that accepts at once sends, then it hangs up
# (the sender keeps no connection alive, and the side that closes first keeps the
# TIME_WAIT, so the senders' ephemeral ports are not used up).
ANSWER = (b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n"
          b"connection: close\r\n\r\nok")


# --- the receiver (a process of its own) ---------------------------------------------------


class _Tally:
    """What the receiver got: webhook-ids per path, duplicates, first and last arrival."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.ids: dict[str, set[str]] = {}
        self.count = self.duplicates = self.other = 0
        self.first = self.last = 0.0

    def note(self, path: str, webhook_id: str | None) -> None:
        if webhook_id is None:  # the ceiling's load, or anything else
            self.other += 1
            return
        now = time.monotonic()
        if not self.count:
            self.first = now
        self.last = now
        self.count += 1
        seen = self.ids.setdefault(path, set())
        if webhook_id in seen:
            self.duplicates += 1
        seen.add(webhook_id)

    def stats(self) -> dict[str, Any]:
        return {"count": self.count, "duplicates": self.duplicates, "other": self.other,
                "first": self.first, "last": self.last}


class _Hook(asyncio.Protocol):
    """One connection: read one request (headers, then ``content-length`` bytes), answer,
    close. ``/_stats``, ``/_ids`` and ``/_reset`` are the benchmark's own controls."""

    def __init__(self, tally: _Tally) -> None:
        self.tally = tally
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        _, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if len(self.buffer) < end + 4 + int(headers.get("content-length", 0)):
            return  # the body is not all here yet
        assert self.transport is not None
        if path.startswith("/_"):
            self.transport.write(self._control(path))
        else:
            self.tally.note(path, headers.get("webhook-id"))
            self.transport.write(ANSWER)
        self.transport.close()

    def _control(self, path: str) -> bytes:
        if path == "/_reset":
            self.tally.reset()
            body = b"{}"
        elif path == "/_ids":
            body = json.dumps({p: sorted(ids) for p, ids in self.tally.ids.items()}).encode()
        else:
            body = json.dumps(self.tally.stats()).encode()
        return (b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


def _receiver_main(conn: Any) -> None:
    loop = asyncio.new_event_loop()
    tally = _Tally()
    server = loop.run_until_complete(
        loop.create_server(lambda: _Hook(tally), HOST, 0, backlog=4096))
    conn.send(server.sockets[0].getsockname()[1])
    conn.close()
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()


class Receiver:
    def __init__(self) -> None:
        ours, theirs = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_receiver_main, args=(theirs,), name="webhook-receiver", daemon=True)
        self.process.start()
        if not ours.poll(30):
            raise RuntimeError("the receiver did not start within 30 s")
        self.port: int = ours.recv()
        self.pid: int = self.process.pid  # type: ignore[assignment]

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def control(self, path: str) -> Any:
        resets = path == "/_reset"
        request = urllib.request.Request(self.url(path), method="POST" if resets else "GET",
                                         data=b"" if resets else None)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def stop(self) -> None:
        if self.process.is_alive():
            os.kill(self.pid, signal.SIGTERM)
            self.process.join(10)


# --- CPU, sampled from /proc ---------------------------------------------------------------


def _machine() -> tuple[float, float, float]:
    """(busy, total, irq) CPU seconds of the whole machine since boot; irq is the time in
    interrupts and softirqs, charged to no process: with a new connection per delivery,
    mostly the kernel's loopback TCP work."""
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    total = sum(values[:8])
    return ((total - values[3] - values[4]) / CLOCK_TICKS, total / CLOCK_TICKS,
            (values[5] + values[6]) / CLOCK_TICKS)


class CpuSampler:
    """CPU seconds of groups of processes over a measurement, read every ``SAMPLE_SECONDS``
    so that processes which exit meanwhile (a worker and its PostgreSQL backend) are
    counted up to their last reading."""

    def __init__(self, groups: dict[str, Any]) -> None:
        self.groups = groups  # name → callable returning the group's pids now
        self.first: dict[str, dict[int, float]] = {}
        self.last: dict[str, dict[int, float]] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        return {name: {pid: _cpu_of(pid) for pid in pids()}
                for name, pids in self.groups.items()}

    def start(self) -> None:
        self.first = self._read()
        self.last = {name: dict(cpu) for name, cpu in self.first.items()}
        self.machine = _machine()

    def sample(self) -> None:
        for name, cpu in self._read().items():
            for pid, seconds in cpu.items():
                self.last[name][pid] = max(seconds, self.last[name].get(pid, 0.0))

    def stop(self) -> dict[str, float]:
        self.sample()
        busy, total, irq = _machine()
        spent = {name: sum(max(0.0, s - self.first[name].get(pid, 0.0))
                           for pid, s in cpu.items()) for name, cpu in self.last.items()}
        spent["machine_busy"] = busy - self.machine[0]
        spent["machine_total"] = total - self.machine[1]
        spent["irq"] = irq - self.machine[2]
        return spent


# --- the database ----------------------------------------------------------------------------


def engine_for(url: str) -> Any:
    from negotiation.adapters.database import build_engine

    return build_engine(url)


def migrate(url: str) -> str:
    from sqlalchemy import text

    from negotiation.adapters import schema

    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    schema.upgrade(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SHOW server_version")).scalar_one()
    engine.dispose()
    return str(version).split()[0]


def app_config(args: argparse.Namespace) -> dict[str, Any]:
    """The settings every process of the run shares (the workers get them as env)."""
    return {"DATABASE_URL": args.database_url, "SECRET_KEY": args.secret_key,
            "WEBHOOK_ALLOW_PRIVATE_URLS": True, "WEBHOOK_CONCURRENCY": args.concurrency,
            "WEBHOOK_PER_ENDPOINT_CONCURRENCY": args.per_endpoint_concurrency,
            "WEBHOOK_TIMEOUT_SECONDS": args.timeout}


def seed(args: argparse.Namespace, receiver: Receiver) -> dict[str, Any]:
    """A store, its owner, a buyer and the endpoints, through the service layer."""
    from negotiation import create_app
    from negotiation.domain.caller import Caller
    from negotiation.domain.enums import Role
    from negotiation.services.accounts import accounts, stores
    from negotiation.services.notifications import endpoints

    runtime = create_app(app_config(args)).extensions["negotiation"]
    admin = Caller(role=Role.ADMIN)
    store = stores.create_store(runtime.uow(), admin, name="Webhook bench store",
                                region="bench", handling_hours=48)
    owner = accounts.create_account(runtime.uow(), admin, role=Role.OWNER,
                                    name="Webhook bench owner", store_id=store.id)
    buyer = accounts.create_account(runtime.uow(), admin, role=Role.BUYER,
                                    name="Webhook bench buyer")
    caller = Caller(role=Role.OWNER, account_id=owner.id, store_id=store.id)
    made = [endpoints.create_endpoint(runtime.uow(), caller, runtime.webhooks,
                                      runtime.webhook_seal, url=receiver.url(f"/hooks/{k}"),
                                      event_types=["*"], description=f"bench {k}")
            for k in range(args.endpoints)]
    runtime.engine.dispose()
    return {"store_id": store.id, "owner_id": owner.id, "buyer_id": buyer.id,
            "endpoint_ids": [e.id for e in made]}


# Five events per order, as a propose→accept life writes them: order.created, card.sent,
# card.accepted, negotiation.agreed, order.deadline_changed. Event g belongs to order
# (g - 1) / 5; the orders are paid an hour ago, due to ship in 47 h, agreed for 5 days out,
# and nothing about them is due (``assess_at`` ahead), so the pass's sweep skips them.
EVENTS_SQL = [
    """INSERT INTO orders (order_no, store_id, buyer_id, amount, kind, ship_mode, region,
                           status, paid_at, original_ship_by, ship_by, ship_by_source,
                           assess_at, product_id, created_at)
       SELECT 'WH' || lpad(i::text, 9, '0'), :store, :buyer, 99.00, 'physical', 'normal',
              'bench', 'awaiting_shipment', :now - interval '1 hour',
              :now + interval '47 hours', :now + interval '5 days', 'agreed_card',
              :now + interval '5 days', 'P' || (i % 500), :now - interval '1 hour'
       FROM generate_series(1, (:events + 4) / 5) i ORDER BY i""",
    """INSERT INTO events (order_id, store_id, at, actor, type, data)
       SELECT o.id, :store, :now - interval '1 hour' + k * interval '1 minute',
              CASE k WHEN 0 THEN 'system' WHEN 1 THEN :owner_actor ELSE :buyer_actor END,
              (ARRAY['order.created', 'card.sent', 'card.accepted', 'negotiation.agreed',
                     'order.deadline_changed'])[k + 1],
              CASE k
                WHEN 0 THEN json_build_object('ship_by', d.original, 'ship_by_source',
                                              'original')
                WHEN 1 THEN json_build_object('card_id', o.id, 'seq', 1, 'proposed_ship_by',
                                              d.agreed, 'reason', 'stock_shortage',
                                              'expires_at', d.expires)
                WHEN 2 THEN json_build_object('card_id', o.id, 'seq', 1, 'proposed_ship_by',
                                              d.agreed)
                WHEN 3 THEN json_build_object('agreed_ship_by', d.agreed)
                ELSE json_build_object('from', d.original, 'to', d.agreed,
                                       'source', 'agreed_card')
              END
       FROM generate_series(0, :events - 1) g
       JOIN orders o ON o.order_no = 'WH' || lpad((g / 5 + 1)::text, 9, '0')
       CROSS JOIN LATERAL (SELECT g % 5 AS k) kk
       CROSS JOIN LATERAL (SELECT
           to_char(o.original_ship_by AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
               AS original,
           to_char(o.ship_by AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS agreed,
           to_char((:now + interval '23 hours') AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires) d
       ORDER BY g""",
]

# One pending delivery per event, due in id order (a microsecond apart), event i to
# endpoint i mod K: what ``EventRepository.write`` leaves behind after a burst of traffic.
DELIVERIES_SQL = """
    INSERT INTO webhook_deliveries (endpoint_id, event_id, state, attempts, failures,
                                    next_attempt_at, created_at)
    SELECT (CAST(:endpoints AS integer[]))[1 + e.id % :k], e.id, 'pending', 0, 0,
           :now - interval '10 minutes' + e.id * interval '1 microsecond',
           :now - interval '10 minutes'
    FROM events e ORDER BY e.id"""


def build_events(url: str, seeded: dict[str, Any], events: int) -> float:
    from sqlalchemy import text

    started = time.perf_counter()
    engine = engine_for(url)
    params = {"store": seeded["store_id"], "buyer": seeded["buyer_id"], "events": events,
              "owner_actor": str(seeded["owner_id"]), "buyer_actor": str(seeded["buyer_id"]),
              "now": datetime.now(UTC)}
    with engine.begin() as connection:
        for statement in EVENTS_SQL:
            connection.execute(text(statement), params)
    engine.dispose()
    return time.perf_counter() - started


def build_backlog(url: str, endpoint_ids: list[int]) -> float:
    """Empty the deliveries and attempts, write one pending delivery per event; seconds."""
    from sqlalchemy import text

    started = time.perf_counter()
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text(
            "TRUNCATE webhook_attempts, webhook_deliveries RESTART IDENTITY"))
        connection.execute(text("UPDATE webhook_endpoints SET enabled = true, "
                                "disabled_reason = NULL WHERE NOT enabled"))
        connection.execute(text(DELIVERIES_SQL), {"endpoints": endpoint_ids,
                                                  "k": len(endpoint_ids),
                                                  "now": datetime.now(UTC)})
    with engine.connect() as connection:
        auto = connection.execution_options(isolation_level="AUTOCOMMIT")
        auto.execute(text("VACUUM (ANALYZE) webhook_deliveries, webhook_attempts, "
                          "webhook_endpoints, webhook_secrets, events, orders"))
        auto.execute(text("CHECKPOINT"))  # the build's dirty pages are not the target's cost
    engine.dispose()
    return time.perf_counter() - started


def check_database(url: str, expected: int) -> list[tuple[str, Any, Any]]:
    """(what, expected, found) after the workers: every delivery delivered, once."""
    from sqlalchemy import text

    engine = engine_for(url)
    with engine.connect() as connection:
        def one(sql: str) -> Any:
            return connection.execute(text(sql)).scalar_one()

        checks = [
            ("deliveries delivered", expected,
             one("SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'")),
            ("deliveries not delivered", 0,
             one("SELECT count(*) FROM webhook_deliveries WHERE state <> 'delivered'")),
            ("deliveries with attempts <> 1", 0,
             one("SELECT count(*) FROM webhook_deliveries WHERE attempts <> 1")),
            ("leases left", 0,
             one("SELECT count(*) FROM webhook_deliveries WHERE lease_token IS NOT NULL")),
            ("attempt rows", expected, one("SELECT count(*) FROM webhook_attempts")),
            ("deliveries with an attempt row", expected,
             one("SELECT count(DISTINCT delivery_id) FROM webhook_attempts")),
            ("attempts not answered 200", 0, one(
                "SELECT count(*) FROM webhook_attempts WHERE status_code IS DISTINCT FROM 200 "
                "OR error IS NOT NULL")),
            ("endpoints disabled", 0,
             one("SELECT count(*) FROM webhook_endpoints WHERE NOT enabled")),
        ]
    engine.dispose()
    return checks


# --- the payloads: the same bodies and signature headers the worker sends -------------------


def render_payloads(args: argparse.Namespace, endpoint_ids: list[int]
                    ) -> tuple[list[tuple[str, bytes, dict[str, str]]], dict[str, set[str]],
                               float]:
    """(url, body, headers) of every event's delivery, rendered and signed as
    ``Worker._post`` does; the expected webhook-ids per path; µs per delivery spent."""
    from sqlalchemy import select

    from models import Event, WebhookEndpoint
    from negotiation import create_app
    from negotiation.adapters.webhook_transport import signature_headers
    from negotiation.services.core.views import EventView
    from negotiation.worker import render

    runtime = create_app(app_config(args)).extensions["negotiation"]
    seal = runtime.webhook_seal
    with runtime.uow() as uow:
        found = {e.id: e for e in uow.session.scalars(select(WebhookEndpoint))}
        # Event i goes to endpoint i mod K, as DELIVERIES_SQL sends it.
        signing = [(found[i].url, tuple(s for s in (seal.open(x.sealed)
                                                     for x in found[i].secrets) if s))
                   for i in endpoint_ids]
        ids = list(uow.session.scalars(select(Event.id).order_by(Event.id)))
        events = uow.webhooks.feed_rows(ids)
        payloads: list[tuple[str, bytes, dict[str, str]]] = []
        expected: dict[str, set[str]] = {}
        started = time.perf_counter()
        for event_id in ids:
            url, keys = signing[event_id % len(signing)]
            body = render(EventView(*events[event_id]))
            headers = signature_headers(str(event_id), int(time.time()), body, keys)
            payloads.append((url, body, headers))
            expected.setdefault(urlsplit(url).path, set()).add(str(event_id))
        per_delivery_us = (time.perf_counter() - started) / len(ids) * 1e6
    runtime.engine.dispose()
    return payloads, expected, per_delivery_us


# --- the raw target: the HTTP client alone ---------------------------------------------------


def _raw_process(job: dict[str, Any], barrier: Any, results: Any) -> None:
    sys.path.insert(0, job["root"])
    from negotiation.adapters.webhook_transport import WebhookSender

    with open(job["payloads"], "rb") as handle:
        share = pickle.load(handle)[job["index"]::job["processes"]]
    work = deque(share)
    # As Worker.__init__ builds its sender.
    sender = WebhookSender(timeout_seconds=job["timeout"], allow_private=True,
                           max_connections=job["concurrency"])
    outcomes: list[Counter[str]] = []

    def post_all() -> None:
        tally: Counter[str] = Counter()
        while True:
            try:
                url, body, headers = work.popleft()
            except IndexError:
                break
            outcome = sender.send(url, body, headers)
            tally["delivered" if outcome.delivered else (outcome.error or
                                                         f"HTTP {outcome.status_code}")] += 1
        outcomes.append(tally)

    threads = [threading.Thread(target=post_all, name=f"raw-{i}")
               for i in range(job["concurrency"])]
    barrier.wait()
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sender.close()
    results.put({"index": job["index"], "seconds": time.monotonic() - started,
                 "outcomes": dict(sum(outcomes, Counter()))})


def run_raw(args: argparse.Namespace, receiver: Receiver, payload_file: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(args.workers + 1)
    results = context.Queue()
    processes = [context.Process(target=_raw_process, name=f"raw-{i}", args=({
        "root": str(args.project_root), "payloads": str(payload_file), "index": i,
        "processes": args.workers, "concurrency": args.concurrency,
        "timeout": args.timeout}, barrier, results)) for i in range(args.workers)]
    for process in processes:
        process.start()
    sampler = CpuSampler({"target": lambda: [p.pid for p in processes if p.pid],
                          "postgres": lambda: _postgres_pids(args.database),
                          "receiver": lambda: [receiver.pid], "bench": lambda: [os.getpid()]})
    barrier.wait(timeout=120)  # every process has its payloads and its sender
    sampler.start()
    deadline = time.monotonic() + args.timeout_run
    while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
        sampler.sample()
        time.sleep(SAMPLE_SECONDS)
    cpu = sampler.stop()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            raise RuntimeError(f"raw process {process.pid} ran longer than {args.timeout_run} s")
    got = [results.get(timeout=10) for _ in processes]
    outcomes = sum((Counter(r["outcomes"]) for r in got), Counter())
    return {"cpu": cpu, "outcomes": dict(outcomes),
            "process_seconds": [round(r["seconds"], 3) for r in got]}


# --- the workers target: ``flask --app wsgi worker --once`` ----------------------------------


def worker_env(args: argparse.Namespace) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("NEGOTIATION_")}
    for key, value in app_config(args).items():
        env[f"NEGOTIATION_{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
    env["PYTHONPATH"] = str(args.project_root)
    return env


def run_workers(args: argparse.Namespace, receiver: Receiver) -> dict[str, Any]:
    log = (args.results / "webhook-workers.log").open("a")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--once"]
    spawned = time.monotonic()
    workers = [subprocess.Popen(command, cwd=args.project_root, env=worker_env(args),
                                stdout=log, stderr=log, start_new_session=True)
               for _ in range(args.workers)]
    sampler = CpuSampler({"target": lambda: [w.pid for w in workers],
                          "postgres": lambda: _postgres_pids(args.database),
                          "receiver": lambda: [receiver.pid], "bench": lambda: [os.getpid()]})
    deadline = time.monotonic() + args.timeout_run
    try:
        # The measurement starts with the first delivery the receiver gets.
        while receiver.control("/_stats")["count"] == 0:
            if time.monotonic() > deadline or all(w.poll() is not None for w in workers):
                raise RuntimeError("the workers delivered nothing; see "
                                   f"{args.results / 'webhook-workers.log'}")
            time.sleep(0.02)
        sampler.start()
        while any(w.poll() is None for w in workers):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the workers ran longer than {args.timeout_run} s")
            sampler.sample()
            time.sleep(SAMPLE_SECONDS)
        cpu = sampler.stop()
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
        log.close()
    codes = [w.returncode for w in workers]
    if any(codes):
        raise RuntimeError(f"a worker exited with {codes}; see {log.name}")
    return {"cpu": cpu, "pass_seconds": round(time.monotonic() - spawned, 3)}


# --- one measurement ---------------------------------------------------------------------------


def measure(args: argparse.Namespace, target: str, receiver: Receiver, payload_file: Path,
            expected: dict[str, set[str]], seeded: dict[str, Any]) -> dict[str, Any]:
    built = build_backlog(args.database_url, seeded["endpoint_ids"]) if target == "workers" \
        else None
    background = wait_for_quiet(args.quiet_wait)
    receiver.control("/_reset")
    run = (run_workers(args, receiver) if target == "workers"
           else run_raw(args, receiver, payload_file))
    stats = receiver.control("/_stats")
    got = {path: set(ids) for path, ids in receiver.control("/_ids").items()}
    window = stats["last"] - stats["first"]
    cpu = run.pop("cpu")
    n = stats["count"] or 1
    other = max(0.0, cpu["machine_busy"] - cpu["target"] - cpu["postgres"] - cpu["receiver"]
                - cpu["bench"] - cpu["irq"])
    checks = [("deliveries received", args.events, stats["count"]),
              ("duplicates at the receiver", 0, stats["duplicates"]),
              ("(path, webhook-id) set equals the backlog's", True, got == expected)]
    if target == "workers":
        checks += check_database(args.database_url, args.events)
    else:
        checks.append(("raw sends answered 200", args.events,
                       run["outcomes"].get("delivered", 0)))
    return {
        "target": target, "deliveries": stats["count"], "seconds": round(window, 3),
        "rate": stats["count"] / window if window > 0 else 0.0,
        "target_cpu_ms": cpu["target"] * 1000 / n, "pg_cpu_ms": cpu["postgres"] * 1000 / n,
        "receiver_cpu_ms": cpu["receiver"] * 1000 / n, "irq_cpu_ms": cpu["irq"] * 1000 / n,
        "machine_busy": cpu["machine_busy"] / cpu["machine_total"]
        if cpu["machine_total"] else 0.0,
        "other_busy": other / cpu["machine_total"] if cpu["machine_total"] else 0.0,
        "background_busy": background, "backlog_build_s": built,
        "checks": [(what, exp, found) for what, exp, found in checks],
        "ok": all(exp == found for _, exp, found in checks), **run,
    }


def describe(run: dict[str, Any]) -> str:
    extra = (f"; pass {run['pass_seconds']:.1f} s from spawn to exit"
             if run["target"] == "workers" else "")
    return (f"{run['target']:<8} {run['rate']:8.1f} deliveries/s ({run['deliveries']:,} in "
            f"{run['seconds']:.2f} s)   cpu/delivery: {run['target']} "
            f"{run['target_cpu_ms']:.2f} ms, postgres {run['pg_cpu_ms']:.2f} ms, receiver "
            f"{run['receiver_cpu_ms']:.2f} ms, irq {run['irq_cpu_ms']:.2f} ms;  busy "
            f"{run['machine_busy'] * 100:3.0f}% (other {run['other_busy'] * 100:3.0f}%, before "
            f"{run['background_busy'] * 100:3.0f}%){extra}"
            + ("" if run["ok"] else "  CHECKS FAILED")
            + ("  NOISY: other load >10%, rerun" if run["other_busy"] > 0.10 else ""))


def print_checks(run: dict[str, Any]) -> None:
    if run["ok"]:
        print(f"      check: every event delivered exactly once ({run['deliveries']:,} "
              "distinct (endpoint, webhook-id) at the receiver, no duplicate"
              + ("; every delivery 'delivered' after one attempt, one attempt row each, "
                 "no lease left)" if run["target"] == "workers" else ")"))
        return
    for what, expected, found in run["checks"]:
        print(f"      {'ok ' if expected == found else 'BAD'} {what}: expected {expected}, "
              f"found {found}")


# --- the receiver's ceiling ---------------------------------------------------------------------


def receiver_ceiling(args: argparse.Namespace, receiver: Receiver,
                     body: bytes) -> dict[str, Any] | None:
    """wrk POSTing one delivery's body with ``Connection: close`` (a new connection per
    request, as the sender makes them) from 32 connections for ``--ceiling-seconds``."""
    if not shutil.which("wrk") or args.ceiling_seconds <= 0:
        return None
    script = args.results / "work" / "webhook-ceiling.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text('wrk.method = "POST"\nwrk.body = [==[' + body.decode()
                      + ']==]\nwrk.headers["content-type"] = "application/json"\n'
                      + 'wrk.headers["connection"] = "close"\n')
    wait_for_quiet(args.quiet_wait)
    receiver.control("/_reset")
    sampler = CpuSampler({"receiver": lambda: [receiver.pid]})
    sampler.start()
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{args.ceiling_seconds}s", "-s", str(script),
                          receiver.url("/ceiling")], capture_output=True, text=True,
                         timeout=args.ceiling_seconds + 30, check=True).stdout
    cpu = sampler.stop()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: (.*)", out)
    got = receiver.control("/_stats")["other"]
    return {"rate": rate, "receiver_cpu_ms": cpu["receiver"] * 1000 / max(1, got),
            "receiver_core_share": cpu["receiver"] / args.ceiling_seconds,
            "errors": errors.group(1) if errors else "none",
            "machine_busy": cpu["machine_busy"] / cpu["machine_total"]}


# --- profile: one worker's --once pass under cProfile -------------------------------------------


def _profile_child(job: dict[str, Any]) -> dict[str, Any]:
    """One worker's ``run_once()`` in this (fresh) process, profiled by CPU time per
    thread (``time.thread_time``: a thread waiting for the GIL, a socket or the database
    costs nothing), with the wall time of every statement and of each claim and settle."""
    sys.path.insert(0, job["root"])
    import resource

    from sqlalchemy import event

    from negotiation import create_app
    from negotiation.services.notifications import dispatch
    from negotiation.worker import Worker

    rt = create_app(job["config"]).extensions["negotiation"]
    if job["switch_interval"]:  # an experiment: how long a thread waits for the GIL
        sys.setswitchinterval(job["switch_interval"])
    statements: dict[str, list[float]] = {}

    @event.listens_for(rt.engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(rt.engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        entry = statements.setdefault(_shape(statement), [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info.pop("bench_t0")

    # The wall time of each transaction of the loop, and how many deliveries it served.
    calls: dict[str, list[tuple[float, int]]] = {"claim_due": [], "settle": []}

    def timed(name: str, function: Any, size: Any) -> Any:
        def wrapper(*a: Any, **kw: Any) -> Any:
            started = time.perf_counter()
            value = function(*a, **kw)
            calls[name].append((time.perf_counter() - started, size(a, value)))
            return value
        return wrapper

    dispatch.claim_due = timed("claim_due", dispatch.claim_due, lambda a, v: len(v))
    dispatch.record_outcomes = timed("settle", dispatch.record_outcomes, lambda a, v: len(a[2]))
    worker = Worker(rt, sweep_batch_size=500, key_retention=timedelta(hours=48))
    # Deliveries are taken and recorded on the worker's own engine (not_waiting_for_disk).
    delivery_engine = worker.delivery_engine
    if delivery_engine is not rt.engine:
        event.listen(delivery_engine, "before_cursor_execute", _before)
        event.listen(delivery_engine, "after_cursor_execute", _after)
    profiles: list[cProfile.Profile] = []

    def start_profile(*_: Any) -> None:  # the first call in each new thread lands here
        sys.setprofile(None)
        if threading.current_thread().name.startswith("delivery"):
            profile = cProfile.Profile(time.thread_time)
            profiles.append(profile)
            profile.enable()

    main = cProfile.Profile(time.thread_time)
    if job["cprofile"]:
        threading.setprofile(start_profile)
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    if job["cprofile"]:
        main.enable()
    report = worker.run_once()
    main.disable()
    seconds = time.perf_counter() - started
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    threading.setprofile(None)  # type: ignore[arg-type]
    worker.close()
    rt.engine.dispose()
    result = {"seconds": seconds, "delivered": report.delivered, "failed": report.failed,
              "cpu_s": usage1.ru_utime - usage0.ru_utime + usage1.ru_stime - usage0.ru_stime,
              "statements": statements, "calls": calls, "delivery_threads": len(profiles)}
    for name, group in {"main": [main], "threads": profiles}.items():
        if not group or not job["cprofile"]:
            continue
        out = io.StringIO()
        stats = pstats.Stats(*group, stream=out)
        stats.sort_stats("cumulative").print_stats(30)
        out.write("\n--- by own time ---\n")
        stats.sort_stats("tottime").print_stats(25)
        result[name] = out.getvalue()
        if job["out"]:
            stats.dump_stats(f"{job['out']}.{name}")
    return result


def _shape(statement: str) -> str:
    s = " ".join(statement.split())
    verb = s.split(" ", 1)[0]
    table = re.search(r"(?:FROM|INTO|UPDATE) (\w+)", s)
    return (f"{verb} {table.group(1) if table else ''}"
            + (" FOR UPDATE SKIP LOCKED" if "SKIP LOCKED" in s else
               " FOR UPDATE" if "FOR UPDATE" in s else "")).strip()


def run_profile(args: argparse.Namespace, receiver: Receiver, seeded: dict[str, Any]) -> None:
    build_backlog(args.database_url, seeded["endpoint_ids"])
    wait_for_quiet(args.quiet_wait)
    receiver.control("/_reset")
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        result = pool.apply(_profile_child, ({
            "root": str(args.project_root), "config": app_config(args),
            "out": str(args.profile_out) if args.profile_out else None,
            "cprofile": not args.timings_only, "switch_interval": args.switch_interval},))
    stats = receiver.control("/_stats")
    n = result["delivered"] or 1
    how = "" if args.timings_only else " under cProfile (which slows the Python side)"
    if args.switch_interval:
        how += f" with sys.setswitchinterval({args.switch_interval:g})"
    print(f"one worker, run_once(){how}: {result['delivered']:,} delivered "
          f"({result['failed']} failed) in {result['seconds']:.1f} s = "
          f"{result['delivered'] / result['seconds']:,.0f} deliveries/s; the receiver got "
          f"{stats['count']:,} ({stats['duplicates']} duplicates)")
    seconds = result["seconds"]
    total = sum(count for count, _ in result["statements"].values())
    waited = sum(spent for _, spent in result["statements"].values())
    print(f"process CPU {result['cpu_s']:.1f} s = {result['cpu_s'] / n * 1000:.2f} ms per "
          f"delivery; wall {seconds:.1f} s")
    print(f"\nSQL statements sent: {total:,} = {total / n:.2f} per delivery; the main thread "
          f"waited {waited:.1f} s on them ({waited / seconds * 100:.0f}% of the wall time)")
    for shape, (count, spent) in sorted(result["statements"].items(), key=lambda kv: -kv[1][1]):
        print(f"  {count:8,} {count / n:7.3f}/delivery {spent:7.2f} s "
              f"{spent / count * 1000:6.2f} ms each  {shape}")
    print("\ntransactions of the loop (wall time, in the main thread):")
    for name, timings in result["calls"].items():
        if timings:
            spent = sum(t for t, _ in timings)
            sizes = [size for _, size in timings]
            print(f"  {name:<9} {len(timings):6,} calls, {statistics.mean(sizes):5.1f} "
                  f"deliveries each (max {max(sizes)}), {spent / len(timings) * 1000:6.2f} ms "
                  f"each, {spent:6.1f} s in all = {spent / seconds * 100:3.0f}% of the wall")
    print("\n=== main thread, CPU time (takes and settles deliveries) ===")
    print(result.get("main", ""))
    print("=== delivery threads, merged, CPU time (render, sign, POST) ===")
    print(result.get("threads", ""))
    for what, expected, found in check_database(args.database_url, args.events):
        if expected != found:
            print(f"BAD {what}: expected {expected}, found {found}")


# --- main -----------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_WEBHOOKS_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--events", type=int, default=20_000,
                        help="events in the backlog, one delivery each (default 20,000)")
    parser.add_argument("--endpoints", type=int, default=4,
                        help="endpoints the deliveries are spread over, round robin "
                             "(default 4: 4 × the default per-endpoint share of 4 fills "
                             "a worker's 16 slots)")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes; the raw target runs as many processes")
    parser.add_argument("--concurrency", type=int, default=16,
                        help="WEBHOOK_CONCURRENCY: threads per worker (and per raw process)")
    parser.add_argument("--per-endpoint-concurrency", type=int, default=4,
                        help="WEBHOOK_PER_ENDPOINT_CONCURRENCY (default 4, the service's)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="WEBHOOK_TIMEOUT_SECONDS (default 10, the service's)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ceiling-seconds", type=int, default=5,
                        help="seconds of wrk against the receiver alone (0: skip)")
    parser.add_argument("--quiet-wait", type=float, default=30.0,
                        help="before each measurement, wait up to this many seconds for "
                             "other processes to leave the CPUs ≥75%% idle (0: don't)")
    parser.add_argument("--timeout-run", type=float, default=300.0,
                        help="kill a target still running after this many seconds")
    parser.add_argument("--profile", action="store_true",
                        help="instead: one worker's --once pass under cProfile")
    parser.add_argument("--profile-deliveries", type=int, default=5_000)
    parser.add_argument("--timings-only", action="store_true",
                        help="with --profile: no cProfile, only the wall time of the "
                             "statements and transactions (undistorted)")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="with --profile: run the worker with this sys.setswitchinterval "
                             "(Python's default 0.005 s), to see what waiting for the GIL "
                             "costs the loop")
    parser.add_argument("--profile-out", type=Path, default=None,
                        help="with --profile: also dump the pstats files (.main, .threads)")
    parser.add_argument("--project-root", type=Path, default=ROOT,
                        help="checkout whose worker and sender are measured (default: this one)")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url)
    args.database = url.database or ""
    if not args.database.startswith("bench"):
        parser.error("the benchmark wipes its database: use one whose name starts with 'bench'")
    if url.host not in (None, "127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark only talks to a PostgreSQL on this machine")
    if args.profile:
        args.events = args.profile_deliveries
    if (not 100 <= args.events <= 200_000 or not 1 <= args.repeats <= 5
            or not 1 <= args.endpoints <= 100 or not 1 <= args.workers <= 8
            or not 1 <= args.concurrency <= 256 or args.per_endpoint_concurrency < 1
            or not 0 < args.timeout <= 60 or not 0 <= args.quiet_wait <= 600
            or not 0 <= args.ceiling_seconds <= 60 or not 0 < args.timeout_run <= 1800):
        parser.error("bounded runs only: 100-200,000 events, 1-5 repeats, 1-100 endpoints, "
                     "1-8 workers, 1-256 threads, timeouts ≤ 60 s, runs ≤ 1,800 s")
    args.project_root = args.project_root.resolve()
    args.results.mkdir(parents=True, exist_ok=True)
    args.secret_key = secrets.token_urlsafe(32)
    return args


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(args.project_root))
    version = migrate(args.database_url)
    receiver = Receiver()
    try:
        seeded = seed(args, receiver)
        built = build_events(args.database_url, seeded, args.events)
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; PostgreSQL "
              f"{version}; {args.events:,} events (one delivery each) over "
              f"{args.endpoints} endpoint(s), built in {built:.1f} s; {args.workers} "
              f"workers × WEBHOOK_CONCURRENCY {args.concurrency} (per endpoint "
              f"{args.per_endpoint_concurrency}), timeout {args.timeout:g} s; receiver: "
              f"asyncio, one process, port {receiver.port}", flush=True)
        if args.profile:
            run_profile(args, receiver, seeded)
            return
        payloads, expected, render_us = render_payloads(args, seeded["endpoint_ids"])
        payload_file = args.results / "work" / "webhook-payloads.pickle"
        payload_file.parent.mkdir(parents=True, exist_ok=True)
        payload_file.write_bytes(pickle.dumps(payloads))
        print(f"rendered and signed every delivery as the worker does: {render_us:.0f} µs "
              f"each ({len(payloads[0][1])} bytes of body, e.g. {payloads[0][1][:80]!r}…)")
        ceiling = receiver_ceiling(args, receiver, payloads[0][1])
        if ceiling:
            print(f"receiver ceiling (wrk, 32 connections, a new one per request): "
                  f"{ceiling['rate']:,.0f} requests/s, {ceiling['receiver_cpu_ms']:.3f} ms "
                  f"of the receiver's CPU each ({ceiling['receiver_core_share'] * 100:.0f}% "
                  f"of a core; machine {ceiling['machine_busy'] * 100:.0f}% busy); socket "
                  f"errors: {ceiling['errors']}", flush=True)
        else:
            print("receiver ceiling: not measured (wrk is not installed, or "
                  "--ceiling-seconds 0)")

        runs: list[dict[str, Any]] = []
        for repeat in range(args.repeats):
            order = ("raw", "workers") if repeat % 2 == 0 else ("workers", "raw")
            for target in order:
                run = measure(args, target, receiver, payload_file, expected, seeded)
                run["repeat"] = repeat + 1
                runs.append(run)
                print(f"[{repeat + 1}/{args.repeats}] {describe(run)}", flush=True)
                print_checks(run)
    finally:
        receiver.stop()

    raws = [r for r in runs if r["target"] == "raw"]
    workers = [r for r in runs if r["target"] == "workers"]
    per_repeat = [w["rate"] / r["rate"] for r, w in zip(raws, workers, strict=True)]
    raw_rate = statistics.median(r["rate"] for r in raws)
    workers_rate = statistics.median(r["rate"] for r in workers)
    ratio = workers_rate / raw_rate
    print(f"\nmedians over {args.repeats} repeat(s)")
    for name, group in (("raw", raws), ("workers", workers)):
        print(f"  {name:<8} {statistics.median(r['rate'] for r in group):8.1f} deliveries/s"
              f"   cpu/delivery: {name} "
              f"{statistics.median(r['target_cpu_ms'] for r in group):.2f} ms, postgres "
              f"{statistics.median(r['pg_cpu_ms'] for r in group):.2f} ms, receiver "
              f"{statistics.median(r['receiver_cpu_ms'] for r in group):.2f} ms")
    print(f"  ratio workers/raw: {ratio:.3f} (of the medians); per repeat: "
          + ", ".join(f"{r:.3f}" for r in per_repeat)
          + f" (median {statistics.median(per_repeat):.3f}); target ≥ {TARGET_RATIO}: "
          + ("met" if ratio >= TARGET_RATIO else "NOT met"))
    failed = not all(r["ok"] for r in runs)
    report = {"when": datetime.now(UTC).isoformat(), "cores": os.cpu_count(),
              "events": args.events, "endpoints": args.endpoints, "workers": args.workers,
              "concurrency": args.concurrency,
              "per_endpoint_concurrency": args.per_endpoint_concurrency,
              "render_sign_us": render_us, "ceiling": ceiling, "runs": runs,
              "ratio": ratio, "per_repeat": per_repeat}
    out = args.json or args.results / f"webhook_delivery-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"results: {out}")
    if failed:
        print("SOME CHECKS FAILED: the figures above are not valid")
        sys.exit(1)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
