"""Throughput of the timed-rules sweep over a large backlog, against plain SQL UPDATEs.

One run of this script, on a *benchmark* PostgreSQL database (default ``bench_sweep``; it
refuses a database whose name does not start with ``bench``, because it wipes it):

1. migrates the database (``DROP SCHEMA public CASCADE``, then the project's migrations);
2. per repeat, twice (the two targets in alternating order): empties every table and
   builds the backlog with a few ``INSERT … SELECT generate_series`` statements, then
   ``VACUUM ANALYZE`` and ``CHECKPOINT``, so that each target starts from the same
   freshly built, analysed and flushed tables;
3. times one target over it:

   - ``sweep``: the real thing, ``negotiation.services.sweep.sweep(runtime.uow,
     batch_size=…)`` on an app built by ``create_app`` with the clock frozen at ``NOW``
     (after every deadline of the backlog), in a fresh process so that its peak RSS
     (``resource.getrusage``) is the sweep's own; afterwards every item is checked to
     have been processed exactly once (cards, negotiations, violations, ledger entries,
     daily counters, events);
   - ``raw``: the floor, two plain SQL statements in one transaction that only mark the
     same items done, with no rule, no event and no charge:
     ``UPDATE cards SET state = 'expired' WHERE state = 'pending' AND expires_at <= NOW``
     and ``UPDATE orders SET assess_at = NULL WHERE assess_at <= NOW``;

4. prints items/s of both, ``ratio = sweep items/s ÷ raw items/s`` (target ≥ 0.25), the
   sweep's peak RSS and its RSS along the batches (it should stay flat), and CPU spent by
   the sweep's process and by PostgreSQL.

With ``--processes N`` the sweep runs in N such processes at once, sharing the backlog as
production's sweeps do (``FOR UPDATE SKIP LOCKED``): they start together (a barrier),
the time runs from their start to the end of the last, CPU is summed over them, and the
check is the same (every item settled once, whoever settled it).

The backlog (``--items N``, default 200,000), half and half, interleaved by order id:

- *expiring cards* (odd ids): paid 30 h before ``NOW``, ship_by 18 h after it, an
  ``awaiting_buyer`` negotiation whose one ``pending`` card expired 2 h before ``NOW``;
  their ``assess_at`` is their ship_by (what the service itself stores: the next instant
  something may fall due), i.e. in the future, so only the card rule is due. Settling
  one expires the card, reopens the negotiation (two cards left) and records
  ``card.expired``;
- *late shipments* (even ids): paid 60 h before ``NOW``, ship_by 12 h before it,
  unshipped, an ``open`` negotiation, ``assess_at`` = ship_by (due). Settling one lapses
  the negotiation (``negotiation.failed``), records a ``late_shipment`` violation
  (``violation.late_shipment``), a deposit deduction (``penalty.deducted``, the store's
  ``daily_deductions`` counter) and the buyer's compensation (``compensation.paid``), and
  moves ``assess_at`` to the collection deadline (paid + 72 h, still ahead of ``NOW``,
  so no collection timeout is due).

Each order also carries the history the service would have written (``order.created``;
``card.sent`` for the cards). Orders are spread over ``--stores`` stores (default: enough
for ≤ 40 late orders per store, at least 1,000), so the daily cap (500 = 50 deductions)
never binds; the check computes the expected deductions per store either way.

The database also holds ``--history`` settled orders (default a tenth of the items, at
least 1,000; ids after the backlog's): shipped late twenty days ago, with their violation,
deduction, compensation, shipment, day counters and events, and nothing due. Besides
realism, they keep the sweep off a trap: PostgreSQL caches a foreign-key check's plan
per connection, and the check of ``ledger_entries.violation_id`` planned while
``violations`` holds only the first batch's rows (``--history 0``) is a sequential scan,
kept — one scan of the whole table per ledger entry — until ``violations`` is analysed
again, which never happens on a server running with ``autovacuum = off`` (this
machine's). The sweep keeps one pooled connection, so its ``INSERT INTO ledger_entries``
then grows linearly with the violations written, and the whole sweep quadratically.

``--profile`` runs the sweep instead on a smaller backlog (``--profile-items``, default
20,000) under cProfile and prints the top entries by cumulative and by own time, and the
SQL statements it sent (count and time per statement shape).

    .venv/bin/python bench/sweep_backlog.py --items 20000        # a quick look, ~1-2 min
    .venv/bin/python bench/sweep_backlog.py                      # 200,000 items
    .venv/bin/python bench/sweep_backlog.py --processes 2        # two sweeps share it
    .venv/bin/python bench/sweep_backlog.py --profile            # where the time goes
    .venv/bin/python bench/sweep_backlog.py --sql-stats          # + time per SQL statement
    .venv/bin/python bench/sweep_backlog.py --project-root /tmp/copy   # a changed copy

Nothing here asserts on time. Bounded: at most 1,000,000 items and 5 repeats; the
database must be on this machine.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import os
import pstats
import re
import resource
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_sweep"
NOW = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # the frozen clock: after every deadline
TARGET_RATIO = 0.25
LATE_PER_STORE = 40  # ≤ 50 deductions of 10 a store-day: the default cap of 500 never binds
BUYERS = 1000
REGIONS = ["Zhejiang", "Guangdong", "Jiangsu", "Shanghai", "Beijing", "Sichuan", "Hubei",
           "Fujian", "Shandong", "Henan"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

# Events the sweep writes, per kind of item.
CARD_EVENTS = ("card.expired",)
LATE_EVENTS = ("negotiation.failed", "violation.late_shipment", "penalty.deducted",
               "compensation.paid")


# --- the backlog -------------------------------------------------------------------------

# Odd order ids: an expiring card. Even ids: a late shipment. Pairs of consecutive ids
# share a store, so every store has both kinds. ``x`` spreads the instants over an hour.
BUILD_SQL = [
    """INSERT INTO stores (id, name, region, handling_hours, handling_working_days,
                           negotiation_enabled, created_at)
       SELECT g, 'Bench store ' || g, (CAST(:regions AS text[]))[1 + g % :nregions], 48,
              NULL, true, CAST(:now AS timestamptz) - interval '90 days'
       FROM generate_series(1, :stores) g""",
    """INSERT INTO accounts (id, role, name, store_id, created_at)
       SELECT g, 'owner', 'Bench owner ' || g, g,
              CAST(:now AS timestamptz) - interval '90 days'
       FROM generate_series(1, :stores) g
       UNION ALL
       SELECT :stores + g, 'buyer', 'Bench buyer ' || g, NULL,
              CAST(:now AS timestamptz) - interval '90 days'
       FROM generate_series(1, :buyers) g""",
    """INSERT INTO orders (id, order_no, store_id, buyer_id, amount, kind, ship_mode, region,
                           status, paid_at, original_ship_by, ship_by, ship_by_source,
                           collect_by, assess_at, product_id, created_at)
       SELECT i, 'SW' || lpad(i::text, 9, '0'), s.id, :stores + 1 + i % :buyers,
              (20 + i % 900) + 0.45, 'physical', 'normal', s.region, 'awaiting_shipment',
              p.paid, p.paid + interval '48 hours', p.paid + interval '48 hours', 'original',
              p.paid + interval '72 hours', p.paid + interval '48 hours',
              'P' || (i % 5000), p.paid
       FROM generate_series(1, :items) i
       JOIN stores s ON s.id = 1 + (i / 2) % :stores
       CROSS JOIN LATERAL (
           SELECT CAST(:now AS timestamptz)
                  - CASE WHEN i % 2 = 1 THEN interval '30 hours' ELSE interval '60 hours' END
                  - (i % 3600) * interval '1 second' AS paid) p""",
    """INSERT INTO negotiations (id, order_id, state)
       SELECT i, i, CASE WHEN i % 2 = 1 THEN 'awaiting_buyer' ELSE 'open' END
       FROM generate_series(1, :items) i""",
    """INSERT INTO cards (id, negotiation_id, seq, state, proposed_ship_by, reason, remark,
                          sent_by, sent_at, expires_at)
       SELECT (o.id + 1) / 2, o.id, 1, 'pending', o.ship_by + interval '3 days',
              'stock_shortage', '', o.store_id, o.paid_at + interval '4 hours',
              LEAST(o.paid_at + interval '28 hours', o.ship_by)
       FROM orders o WHERE o.id % 2 = 1""",
    """INSERT INTO events (order_id, at, actor, type, data)
       SELECT o.id, o.created_at, 'system', 'order.created',
              json_build_object('ship_by', to_char(o.ship_by AT TIME ZONE 'UTC',
                                                   'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                'ship_by_source', 'original')
       FROM orders o
       UNION ALL
       SELECT c.negotiation_id, c.sent_at, c.sent_by::text, 'card.sent',
              json_build_object('card_id', c.id, 'seq', 1, 'reason', 'stock_shortage')
       FROM cards c""",
    "SELECT setval('stores_id_seq', :stores)",
    "SELECT setval('accounts_id_seq', :stores + :buyers)",
    "SELECT setval('orders_id_seq', :items)",
    "SELECT setval('negotiations_id_seq', :items)",
    "SELECT setval('cards_id_seq', (:items + 1) / 2)",
]


# Settled history (ids after the backlog's): orders shipped late twenty days ago, their
# violation, deduction, compensation, counters and events already written; nothing due.
HISTORY_SQL = [
    """INSERT INTO orders (id, order_no, store_id, buyer_id, amount, kind, ship_mode, region,
                           status, paid_at, original_ship_by, ship_by, ship_by_source,
                           collect_by, assess_at, product_id, shipped_at, created_at)
       SELECT :items + h, 'SW' || lpad((:items + h)::text, 9, '0'), s.id,
              :stores + 1 + h % :buyers, (20 + h % 900) + 0.45, 'physical', 'normal',
              s.region, 'shipped', p.paid, p.paid + interval '48 hours',
              p.paid + interval '48 hours', 'original', p.paid + interval '72 hours', NULL,
              'P' || (h % 5000), p.paid + interval '54 hours', p.paid
       FROM generate_series(1, :history) h
       JOIN stores s ON s.id = 1 + h % :stores
       CROSS JOIN LATERAL (
           SELECT CAST(:now AS timestamptz) - interval '20 days'
                  - (h % 86400) * interval '1 second' AS paid) p""",
    """INSERT INTO negotiations (id, order_id, state)
       SELECT :items + h, :items + h, 'closed' FROM generate_series(1, :history) h""",
    """INSERT INTO shipments (order_id, carrier, tracking_no, shipped_by, shipped_at,
                              collected_at)
       SELECT o.id, 'SF Express', 'SWT' || o.id, o.store_id, o.shipped_at,
              o.shipped_at + interval '2 hours'
       FROM orders o WHERE o.id > :items""",
    """INSERT INTO violations (order_id, store_id, kind, due_at, detected_at, region)
       SELECT o.id, o.store_id, 'late_shipment', o.ship_by, o.shipped_at, o.region
       FROM orders o WHERE o.id > :items ORDER BY o.id""",
    """INSERT INTO ledger_entries (store_id, order_id, order_no, violation_id, kind, amount,
                                   points, at, applies_on)
       SELECT v.store_id, v.order_id, o.order_no, v.id, k.kind,
              CASE WHEN k.kind = 'deposit_deduction' THEN 10
                   ELSE least(greatest(round(o.amount * 0.05, 2), 5), 30) END,
              CASE WHEN k.kind = 'deposit_deduction' THEN 0.1 ELSE 0 END, v.detected_at,
              CASE WHEN k.kind = 'deposit_deduction'
                   THEN (v.detected_at AT TIME ZONE 'Asia/Shanghai')::date + 1 END
       FROM violations v JOIN orders o ON o.id = v.order_id
       CROSS JOIN (VALUES ('deposit_deduction'), ('buyer_compensation')) k(kind)
       ORDER BY v.id, k.kind DESC""",
    """INSERT INTO daily_deductions (store_id, day, amount)
       SELECT store_id, applies_on, sum(amount) FROM ledger_entries
       WHERE kind = 'deposit_deduction' GROUP BY store_id, applies_on""",
    """INSERT INTO events (order_id, at, actor, type, data)
       SELECT o.id, e.at, e.actor, e.type, e.data
       FROM orders o CROSS JOIN LATERAL (VALUES
           (o.created_at, 'system', 'order.created', json_build_object('ship_by_source',
                                                                        'original')),
           (o.shipped_at, o.store_id::text, 'order.shipped', json_build_object('late', true)),
           (o.shipped_at, 'system', 'violation.late_shipment', json_build_object()),
           (o.shipped_at, 'system', 'penalty.deducted', json_build_object('amount', '10')),
           (o.shipped_at, 'system', 'compensation.paid', json_build_object())) e(at, actor,
                                                                              type, data)
       WHERE o.id > :items""",
    "SELECT setval('orders_id_seq', :items + :history)",
    "SELECT setval('negotiations_id_seq', :items + :history)",
]


def code_version(root: Path) -> str:
    """The checkout's commit (read from .git, no git command) and a digest of the sources
    the sweep runs, so runs of a work tree that others keep changing can be told apart."""
    commit = "no git"
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            if (git / ref).exists():
                head = (git / ref).read_text().strip()
            else:
                packed = (git / "packed-refs").read_text().splitlines()
                head = next(line.split()[0] for line in packed if line.endswith(" " + ref))
        commit = head[:7]
    except (OSError, StopIteration):
        pass
    digest = hashlib.sha1()
    for package in ("negotiation", "models", "migrations"):
        for path in sorted((root / package).rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return f"commit {commit}, sources {digest.hexdigest()[:10]}"


def engine_for(url: str) -> Any:
    from negotiation.adapters.database import build_engine

    return build_engine(url)


def migrate(url: str) -> str:
    """Empty the benchmark database and bring it to the latest schema; its version."""
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


def build_backlog(url: str, items: int, stores: int, history: int) -> float:
    """Empty every table and build the backlog (and its history) in bulk SQL; seconds."""
    from sqlalchemy import text

    started = time.perf_counter()
    engine = engine_for(url)
    params = {"now": NOW, "items": items, "stores": stores, "buyers": BUYERS,
              "regions": REGIONS, "nregions": len(REGIONS), "history": history}
    with engine.begin() as connection:
        tables = connection.execute(text(
            "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'alembic_version'")).scalar_one()
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for statement in BUILD_SQL + (HISTORY_SQL if history else []):
            connection.execute(text(statement), params)
    with engine.connect() as connection:
        auto = connection.execution_options(isolation_level="AUTOCOMMIT")
        auto.execute(text("VACUUM (ANALYZE)"))
        auto.execute(text("CHECKPOINT"))  # the build's dirty pages are not the target's cost
    engine.dispose()
    return time.perf_counter() - started


def default_stores(items: int) -> int:
    return max(1000, math.ceil(items // 2 / LATE_PER_STORE))


# --- checks ------------------------------------------------------------------------------


def check_sweep(url: str, items: int, report: dict[str, int],
                processes: int = 1) -> list[tuple[str, Any, Any]]:
    """(what, expected, found) for everything the sweep must have done, exactly once.

    With several sweep processes, their reports may count a few orders more than there
    are: one that another sweep settled just before this one's ``FOR UPDATE`` reached it
    is locked all the same (the row is rechecked, the candidates are not), found with
    nothing left to do and counted. The tables are the check that nothing was done twice.
    """
    from sqlalchemy import text

    from negotiation.domain import assessment as rules
    from negotiation.domain.policy import Policy

    policy = Policy()
    n_card, n_late = (items + 1) // 2, items // 2
    day = rules.applies_on(NOW, policy)
    engine = engine_for(url)
    settled = report["orders_settled"]
    checks: list[tuple[str, Any, Any]] = [
        ("orders settled (SweepReport)", items, settled) if processes == 1 else
        ("orders settled (SweepReport): at least every item", True, settled >= items)]

    def one(sql: str, **params: Any) -> Any:
        return connection.execute(text(sql), {"now": NOW, "items": items,
                                              **params}).scalar_one()

    with engine.connect() as connection:
        expected_deducted = one(
            "SELECT coalesce(sum(least(n * :d, :cap)), 0) FROM (SELECT count(*) AS n FROM "
            "orders WHERE id % 2 = 0 AND id <= :items GROUP BY store_id) s",
            d=policy.deposit_deduction, cap=policy.daily_deduction_cap)
        expected_compensation = one(
            "SELECT coalesce(sum(least(greatest(round(amount * :rate, 2), :lo), :hi)), 0) "
            "FROM orders WHERE id % 2 = 0 AND id <= :items", rate=policy.compensation_rate,
            lo=policy.compensation_min, hi=policy.compensation_max)
        checks += [
            ("cards expired", n_card, one("SELECT count(*) FROM cards WHERE state = 'expired'")),
            ("cards still pending", 0, one("SELECT count(*) FROM cards WHERE state = 'pending'")),
            ("negotiations reopened (card orders)", n_card, one(
                "SELECT count(*) FROM negotiations WHERE order_id % 2 = 1 AND state = 'open' "
                "AND order_id <= :items")),
            ("negotiations lapsed (late orders)", n_late, one(
                "SELECT count(*) FROM negotiations WHERE order_id % 2 = 0 AND state = 'failed' "
                "AND order_id <= :items")),
            ("orders still due (assess_at <= now)", 0,
             one("SELECT count(*) FROM orders WHERE assess_at <= :now")),
            ("late orders now assessed at collect_by", n_late, one(
                "SELECT count(*) FROM orders WHERE id % 2 = 0 AND id <= :items "
                "AND assess_at = collect_by")),
            ("violations", n_late, one(
                "SELECT count(*) FROM violations WHERE order_id <= :items")),
            ("violations: late_shipment at ship_by, unwaived, one per late order", n_late, one(
                "SELECT count(DISTINCT v.order_id) FROM violations v JOIN orders o "
                "ON o.id = v.order_id WHERE o.id % 2 = 0 AND o.id <= :items "
                "AND v.kind = 'late_shipment' "
                "AND v.due_at = o.ship_by AND v.exempted_by IS NULL")),
            ("ledger entries", 2 * n_late, one(
                "SELECT count(*) FROM ledger_entries WHERE order_id <= :items")),
            ("ledger: one deduction + one compensation per late order", 2 * n_late, one(
                "SELECT count(*) FROM (SELECT DISTINCT e.order_id, e.kind, e.violation_id "
                "FROM ledger_entries e JOIN orders o ON o.id = e.order_id "
                "WHERE o.id % 2 = 0 AND o.id <= :items AND e.violation_id IS NOT NULL) d")),
            (f"deductions applying on {day}", n_late, one(
                "SELECT count(*) FROM ledger_entries WHERE kind = 'deposit_deduction' "
                "AND applies_on = :day AND order_id <= :items", day=day)),
            ("sum of deductions (daily cap per store)", expected_deducted, one(
                "SELECT coalesce(sum(amount), 0) FROM ledger_entries "
                "WHERE kind = 'deposit_deduction' AND order_id <= :items")),
            ("sum of compensation", expected_compensation, one(
                "SELECT coalesce(sum(amount), 0) FROM ledger_entries "
                "WHERE kind = 'buyer_compensation' AND order_id <= :items")),
            ("daily_deductions total = deductions", expected_deducted, one(
                "SELECT coalesce(sum(amount), 0) FROM daily_deductions WHERE day = :day",
                day=day)),
            ("daily_deductions rows (stores × 1 day)", one(
                "SELECT count(DISTINCT store_id) FROM orders WHERE id % 2 = 0 "
                "AND id <= :items"),
             one("SELECT count(*) FROM daily_deductions WHERE day = :day", day=day)),
        ]
        counts = dict(connection.execute(text(
            "SELECT type, count(*) FROM events WHERE type = ANY(:types) "
            "AND order_id <= :items GROUP BY type"),
            {"types": [*CARD_EVENTS, *LATE_EVENTS], "items": items}).all())
        for kind in CARD_EVENTS:
            checks.append((f"events {kind}", n_card, counts.get(kind, 0)))
        for kind in LATE_EVENTS:
            checks.append((f"events {kind}", n_late, counts.get(kind, 0)))
        checks.append(("events written twice for one order", 0, one(
            "SELECT count(*) FROM (SELECT order_id, type FROM events WHERE type = ANY(:types) "
            "AND order_id <= :items GROUP BY order_id, type HAVING count(*) > 1) d",
            types=[*CARD_EVENTS, *LATE_EVENTS])))
        checks.append(("events total written by the sweep", n_card * len(CARD_EVENTS)
                       + n_late * len(LATE_EVENTS), sum(counts.values())))
    engine.dispose()
    return checks


def print_checks(checks: list[tuple[str, Any, Any]]) -> bool:
    ok = all(expected == found for _, expected, found in checks)
    if ok:
        print("      check: every item processed exactly once — " + "; ".join(
            f"{what} {found:,}" if isinstance(found, int) else f"{what} {found}"
            for what, _, found in checks if what in SHOWN))
    else:
        for what, expected, found in checks:
            mark = "ok " if expected == found else "BAD"
            print(f"      {mark} {what}: expected {expected}, found {found}")
    return ok


SHOWN = ("cards expired", "violations", "ledger entries", "events total written by the sweep",
         "sum of deductions (daily cap per store)", "sum of compensation")


# --- CPU accounting from /proc (Linux) ----------------------------------------------------


def _cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


SERVER_PROCESSES = ("checkpointer", "background writer", "walwriter", "wal writer",
                    "autovacuum launcher", "stats collector", "logical replication launcher")


def _postgres_cpu(database: str) -> dict[int, float]:
    """CPU of the server's own processes (checkpointer, WAL writer, …: shared by every
    database, so an upper bound of this benchmark's share) and of the processes working on
    ``database`` (backends, autovacuum workers), not other databases' clients."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                continue
            if title.endswith(SERVER_PROCESSES) or f" {database} " in f"{title} ":
                found[int(entry.name)] = _cpu_of(int(entry.name))
    return found


def _machine() -> tuple[float, float]:
    with open("/proc/stat", encoding="ascii") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLOCK_TICKS, sum(values[:8]) / CLOCK_TICKS


def background_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU busy while this benchmark runs nothing."""
    busy0, total0 = _machine()
    time.sleep(seconds)
    busy1, total1 = _machine()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def wait_for_quiet(limit_s: float, threshold: float = 0.25) -> float:
    deadline = time.monotonic() + limit_s
    busy = background_busy()
    while busy > threshold and time.monotonic() < deadline:
        busy = background_busy()
    return busy


class Meter:
    """The machine's CPU, and PostgreSQL's for the benchmark database.

    The target's own backends exit with their connections, so each target reads their
    CPU itself before closing them (``backend_cpu_s``); this adds the server's processes.
    """

    def __init__(self, database: str) -> None:
        self.database = database
        self.pg, self.machine = _postgres_cpu(database), _machine()

    def stop(self, backend_cpu_s: float) -> dict[str, float]:
        pg = _postgres_cpu(self.database)
        busy, total = _machine()
        server = sum(max(0.0, cpu - self.pg.get(pid, 0.0)) for pid, cpu in pg.items())
        return {"pg_cpu_s": backend_cpu_s + server, "pg_backend_cpu_s": backend_cpu_s,
                "machine_busy_s": busy - self.machine[0],
                "machine_total_s": total - self.machine[1]}


# --- the targets -------------------------------------------------------------------------


def _rss_kb() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * PAGE_KB


def _statement_shape(statement: str) -> str:
    s = " ".join(statement.split())
    while re.search(r"\([^()]*\)", s):  # subqueries and lists: only the top level counts
        s = re.sub(r"\([^()]*\)", "#", s)
    s = s.replace("#", "(…)")
    if s.startswith("SELECT"):
        tables = re.search(r" FROM (.*?)(?: WHERE | ORDER BY | LIMIT |$)", s)
        shape = "SELECT … FROM " + (tables.group(1)[:60] if tables else "?")
        if " WHERE " in s and " IN (" in s.split(" WHERE ", 1)[1]:
            shape += " WHERE … IN (…)"
        if "FOR UPDATE" in s:
            shape += " FOR UPDATE" + (" SKIP LOCKED" if "SKIP LOCKED" in s else "")
        return shape
    if s.startswith("INSERT"):
        return " ".join(s.split()[:3]) + (" … ON CONFLICT" if "ON CONFLICT" in s else "")
    return " ".join(s.split()[:2])


class UowSampler:
    """The runtime's ``uow`` factory, noting the RSS (and the SQL totals, when they are
    counted) every ``every`` units of work."""

    def __init__(self, factory: Any, every: int, sql: dict[str, list[float]]) -> None:
        self.factory, self.every, self.sql = factory, every, sql
        self.calls, self.started = 0, time.perf_counter()
        self.samples: list[dict[str, Any]] = []

    def sample(self) -> None:
        self.samples.append({
            "uow": self.calls, "rss_kb": _rss_kb(),
            "at_s": round(time.perf_counter() - self.started, 3),
            "sql": {shape: (v[0], v[1]) for shape, v in self.sql.items()}})

    def __call__(self) -> Any:
        if self.calls % self.every == 0:
            self.sample()
        self.calls += 1
        return self.factory()


def _sweep_child(job: dict[str, Any], barrier: Any = None) -> dict[str, Any]:
    """Run the sweep once in this (fresh) process; what it took. With ``barrier``, start
    sweeping when every process sharing the backlog is ready."""
    sys.path.insert(0, job["root"])  # the checkout whose sweep is measured
    from sqlalchemy import event

    import negotiation
    from negotiation import create_app
    from negotiation.clock import FrozenClock
    from negotiation.runtime import runtime
    from negotiation.services.core.sweep import sweep

    app = create_app({"DATABASE_URL": job["url"], "SECRET_KEY": "bench-sweep"},
                     clock=FrozenClock(NOW))
    with app.app_context():
        rt = runtime()
    backends: set[int] = set()

    @event.listens_for(rt.engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        backends.add(dbapi_connection.info.backend_pid)

    sql: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    if job["sql_stats"]:

        @event.listens_for(rt.engine, "before_cursor_execute")
        def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info["bench_t0"] = time.perf_counter()

        @event.listens_for(rt.engine, "after_cursor_execute")
        def _after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            entry = sql[_statement_shape(statement)]
            entry[0] += 1
            entry[1] += time.perf_counter() - conn.info.pop("bench_t0")

    sampler = UowSampler(rt.uow, max(1, job["items"] // job["batch_size"]
                                     // (10 * job.get("processes", 1))), sql)
    rss_start = _rss_kb()
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    profiler = cProfile.Profile() if job["profile"] else None
    if barrier is not None:
        barrier.wait()
    started = sampler.started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = sweep(sampler, batch_size=job["batch_size"])
    if profiler:
        profiler.disable()
    ended = time.perf_counter()
    seconds = ended - started
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    sampler.sample()
    backend_cpu = sum(_cpu_of(pid) for pid in backends)  # before they exit
    rt.engine.dispose()
    result: dict[str, Any] = {
        "negotiation": negotiation.__file__, "backend_cpu_s": backend_cpu,
        "seconds": seconds, "started": started, "ended": ended,
        "cpu_s": (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime),
        "process_cpu_s": usage1.ru_utime + usage1.ru_stime,
        "rss_start_kb": rss_start, "rss_peak_kb": usage1.ru_maxrss,
        "samples": sampler.samples, "sample_every": sampler.every,
        "report": {"orders_settled": report.orders_settled, "batches": report.batches,
                   "idempotency_keys_purged": report.idempotency_keys_purged},
    }
    if profiler:
        if job["profile_out"]:
            profiler.dump_stats(job["profile_out"])
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        out.write("\n--- by own time ---\n")
        stats.sort_stats("tottime").print_stats(15)
        result["profile"] = out.getvalue()
    return result


def database_of(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).database or ""


def _sweep_process(job: dict[str, Any], barrier: Any, results: Any) -> None:
    try:
        results.put(_sweep_child(job, barrier))
    except BaseException as raised:
        barrier.abort()
        results.put({"error": repr(raised)})
        raise


def run_sweep(url: str, items: int, batch_size: int, root: Path, *, profile: bool = False,
              sql_stats: bool = False, profile_out: Path | None = None,
              processes: int = 1) -> dict[str, Any]:
    """The sweep in ``processes`` fresh processes (each its own peak RSS) sharing the
    backlog, as production runs several: they start together, and the sweep's time is
    from their start to the end of the last. CPU is summed over them; the samples (RSS
    and seconds along the batches) and SQL figures are the first process's, and
    ``per_process`` keeps each one's."""
    meter = Meter(database_of(url))
    context = multiprocessing.get_context("spawn")
    job = {"url": url, "items": items, "root": str(root), "batch_size": batch_size,
           "processes": processes, "profile": profile, "sql_stats": profile or sql_stats,
           "profile_out": str(profile_out) if profile_out else None}
    if processes == 1:
        with context.Pool(1, maxtasksperchild=1) as pool:
            result = pool.apply(_sweep_child, (job,))
        result.update(meter.stop(result["backend_cpu_s"]))
        result["processes"], result["per_process"] = 1, [_process_summary(result)]
        return result
    barrier, queue = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_sweep_process, args=(job, barrier, queue))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    try:
        runs = [queue.get(timeout=3600) for _ in workers]
    finally:
        for worker in workers:
            worker.join(60)
            if worker.is_alive():
                worker.kill()
    if failed := [r["error"] for r in runs if "error" in r]:
        raise RuntimeError(f"a sweep process failed: {failed}")
    result = dict(runs[0])
    result["seconds"] = max(r["ended"] for r in runs) - min(r["started"] for r in runs)
    for key in ("backend_cpu_s", "cpu_s", "process_cpu_s"):
        result[key] = sum(r[key] for r in runs)
    result["rss_start_kb"] = min(r["rss_start_kb"] for r in runs)
    result["rss_peak_kb"] = max(r["rss_peak_kb"] for r in runs)
    result["report"] = {key: sum(r["report"][key] for r in runs) for key in runs[0]["report"]}
    result.update(meter.stop(result["backend_cpu_s"]))
    result["processes"], result["per_process"] = processes, [_process_summary(r) for r in runs]
    return result


def _process_summary(run: dict[str, Any]) -> dict[str, Any]:
    return {"seconds": run["seconds"], "cpu_s": run["cpu_s"],
            "orders_settled": run["report"]["orders_settled"],
            "batches": run["report"]["batches"], "rss_start_kb": run["rss_start_kb"],
            "rss_peak_kb": run["rss_peak_kb"],
            "rss_mib_along": [round(s["rss_kb"] / 1024) for s in run["samples"]]}


def run_raw(url: str, items: int) -> dict[str, Any]:
    from sqlalchemy import text

    engine = engine_for(url)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))  # connect before the clock starts
        connection.rollback()
        backend = connection.connection.dbapi_connection.info.backend_pid  # type: ignore
        meter = Meter(database_of(url))
        backend_cpu0 = _cpu_of(backend)
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        with connection.begin():
            cards = connection.execute(text(
                "UPDATE cards SET state = 'expired' WHERE state = 'pending' "
                "AND expires_at <= :now"), {"now": NOW}).rowcount
            orders = connection.execute(text(
                "UPDATE orders SET assess_at = NULL WHERE assess_at <= :now"),
                {"now": NOW}).rowcount
        seconds = time.perf_counter() - started
        usage1 = resource.getrusage(resource.RUSAGE_SELF)
        backend_cpu = _cpu_of(backend) - backend_cpu0
    engine.dispose()
    return {"seconds": seconds, "cards": cards, "orders": orders,
            "cpu_s": (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime),
            **meter.stop(backend_cpu)}


# --- output ------------------------------------------------------------------------------


def mib(kb: float) -> str:
    return f"{kb / 1024:.0f} MiB"


def other_share(run: dict[str, Any], own_cpu: float) -> float:
    total = run["machine_total_s"]
    return max(0.0, run["machine_busy_s"] - own_cpu - run["pg_cpu_s"]) / total if total else 0.0


def describe_sweep(run: dict[str, Any], items: int) -> str:
    other = other_share(run, run["process_cpu_s"])
    processes = run.get("processes", 1)
    line = (f"sweep {run['seconds']:9.2f} s {items / run['seconds']:10,.0f} items/s   "
            f"{run['report']['batches']} batches"
            + (f" in {processes} processes" if processes > 1 else "")
            + f"; CPU: sweep process{'es' if processes > 1 else ''} {run['cpu_s']:.1f} s, "
            f"PostgreSQL {run['pg_cpu_s']:.1f} s (its backend"
            f"{'s' if processes > 1 else ''} {run['pg_backend_cpu_s']:.1f} s);"
            f" RSS start {mib(run['rss_start_kb'])}, "
            f"peak {mib(run['rss_peak_kb'])}; other load {other * 100:.0f}% (before "
            f"{run['background_busy'] * 100:.0f}%)"
            + ("  NOISY: other load >10%, rerun" if other > 0.10 else ""))
    if processes > 1:
        line += "".join(
            f"\n      process {i + 1}: {p['orders_settled']:,} orders in {p['batches']} "
            f"batches, {p['seconds']:.2f} s, CPU {p['cpu_s']:.1f} s, RSS along the batches "
            + ", ".join(str(m) for m in p["rss_mib_along"]) + " MiB"
            for i, p in enumerate(run["per_process"]))
    return line


def describe_raw(run: dict[str, Any], items: int) -> str:
    other = other_share(run, run["cpu_s"])
    return (f"raw   {run['seconds']:9.2f} s {items / run['seconds']:10,.0f} items/s   "
            f"2 UPDATEs: {run['cards']:,} cards + {run['orders']:,} orders; "
            f"PostgreSQL CPU {run['pg_cpu_s']:.2f} s; other load {other * 100:.0f}% (before "
            f"{run['background_busy'] * 100:.0f}%)"
            + ("  NOISY: other load >10%, rerun" if other > 0.10 else ""))


def print_profile(result: dict[str, Any], items: int) -> None:
    seconds = result["seconds"]
    print(f"sweep under cProfile: {seconds:.1f} s for {items:,} items "
          f"({items / seconds:,.0f} items/s; cProfile slows the Python side ~1.5-2×), "
          f"{result['report']['batches']} batches; CPU: sweep process {result['cpu_s']:.1f} s,"
          f" PostgreSQL {result['pg_cpu_s']:.1f} s (its backend "
          f"{result['pg_backend_cpu_s']:.1f} s)\n")
    print(result["profile"])
    print_sql(result, items)


def print_sql(result: dict[str, Any], items: int) -> None:
    """The statements the sweep sent, by shape: how many, and the time the sweep waited
    on each (driver + round trip + server), overall and in its first and last tenth."""
    samples = result["samples"]
    totals, seconds = samples[-1]["sql"], result["seconds"]
    batches = result["report"]["batches"]  # samples past it: the empty last look, the purge
    tenths = [s for s in samples if s["uow"] % result["sample_every"] == 0
              and s["uow"] <= batches]
    first, last = (tenths[0], tenths[1]), (tenths[-2], tenths[-1])
    total_calls = sum(v[0] for v in totals.values())
    total_s = sum(v[1] for v in totals.values())
    print(f"SQL statements sent (cursor executions; an executemany counts once): "
          f"{total_calls:,}, {total_calls / items:.2f} per item; the sweep waited "
          f"{total_s:.1f} s on them = {total_s / seconds * 100:.0f}% of its wall time")

    def spent(pair: tuple[dict[str, Any], dict[str, Any]], shape: str) -> float:
        return pair[1]["sql"].get(shape, (0, 0.0))[1] - pair[0]["sql"].get(shape, (0, 0.0))[1]

    span = f"batches {first[0]['uow']}-{first[1]['uow']} vs {last[0]['uow']}-{last[1]['uow']}"
    print(f"  {'calls':>9} {'per item':>9} {'seconds':>8} {'% wall':>7} {'ms/call':>8}"
          f" {'first/last tenth s':>19}  statement   (tenths: {span})")
    for shape, (calls, spent_s) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        print(f"  {calls:9,} {calls / items:9.3f} {spent_s:8.2f} {spent_s / seconds * 100:6.1f}%"
              f" {spent_s / calls * 1000:8.2f} {spent(first, shape):9.2f}/"
              f"{spent(last, shape):<9.2f}  {shape}")
    print(f"  wall time of those tenths: {first[1]['at_s'] - first[0]['at_s']:.1f} s and "
          f"{last[1]['at_s'] - last[0]['at_s']:.1f} s")


# --- main --------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SWEEP_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--items", type=int, default=200_000,
                        help="due items in the backlog, half expiring cards, half late "
                             "shipments (default 200,000)")
    parser.add_argument("--stores", type=int, default=0,
                        help="stores to spread the orders over (default: ≥1,000 and ≤40 "
                             "late orders per store, so the daily cap never binds)")
    parser.add_argument("--history", type=int, default=None,
                        help="settled orders (shipped late, charged) written before the "
                             "backlog (default: a tenth of the items, at least 1,000; 0: "
                             "none, the sweep then starts on empty violation and ledger "
                             "tables: see the module's docstring)")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--processes", type=int, default=1,
                        help="sweep processes sharing the backlog at once, as production "
                             "may run several (default 1; --profile always runs one)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="sweep/raw pairs, alternating their order (default 1)")
    parser.add_argument("--profile", action="store_true",
                        help="instead: run the sweep under cProfile on --profile-items items")
    parser.add_argument("--profile-items", type=int, default=20_000)
    parser.add_argument("--profile-out", type=Path, default=None,
                        help="with --profile: also dump the raw cProfile stats here (pstats, "
                             "snakeviz)")
    parser.add_argument("--sql-stats", action="store_true",
                        help="also time every SQL statement the sweep sends, by shape "
                             "(~10 µs each; always on with --profile)")
    parser.add_argument("--project-root", type=Path, default=ROOT,
                        help="checkout whose negotiation package runs the sweep (default: "
                             "this one); lets a changed copy be measured on the same backlog")
    parser.add_argument("--quiet-wait", type=float, default=30.0,
                        help="before each measurement, wait up to this many seconds for "
                             "other processes to leave the CPUs ≥75%% idle (0: don't)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    args.project_root = args.project_root.resolve()
    from sqlalchemy.engine import make_url

    url = make_url(args.database_url)
    if not (url.database or "").startswith("bench"):
        parser.error("the benchmark wipes its database: use one whose name starts with 'bench'")
    if url.host not in (None, "127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark only talks to a PostgreSQL on this machine")
    if (not 1_000 <= args.items <= 1_000_000 or not 1_000 <= args.profile_items <= 1_000_000
            or not 1 <= args.repeats <= 5 or not 1 <= args.batch_size <= 10_000
            or not 1 <= args.processes <= 8
            or not 0 <= args.stores <= 100_000 or not 0 <= args.quiet_wait <= 600
            or not 0 <= (args.history or 0) <= 1_000_000):
        parser.error("bounded runs only: 1,000-1,000,000 items, 1-5 repeats, "
                     "batches of 1-10,000, 1-8 processes, at most 100,000 stores, "
                     "quiet wait ≤ 600 s")
    return args


def main() -> None:
    args = parse_args()
    url = args.database_url
    items = args.profile_items if args.profile else args.items
    stores = args.stores or default_stores(items)
    history = max(1000, items // 10) if args.history is None else args.history
    version = migrate(url)
    code = code_version(args.project_root)
    print(f"sweep: {args.project_root} ({code})")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; PostgreSQL "
          f"{version}; backlog {items:,} items ({(items + 1) // 2:,} expiring cards + "
          f"{items // 2:,} late shipments) over {stores:,} stores, after {history:,} settled "
          f"orders of history; clock frozen at "
          f"{NOW.isoformat().replace('+00:00', 'Z')}; batch {args.batch_size}"
          + ("" if args.profile or args.processes == 1 else
             f"; {args.processes} sweep processes")
          + ("" if args.profile else f"; {args.repeats} repeat(s)"), flush=True)
    failed = False

    if args.profile:
        built = build_backlog(url, items, stores, history)
        print(f"built the backlog in {built:.1f} s", flush=True)
        before = wait_for_quiet(args.quiet_wait)
        result = run_sweep(url, items, args.batch_size, args.project_root, profile=True,
                           profile_out=args.profile_out)
        print(f"sweep of {result['negotiation']}; machine busy before: {before * 100:.0f}%")
        failed = not print_checks(check_sweep(url, items, result["report"]))
        print_profile(result, items)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({**result, "code": code}, indent=2, default=str))
        sys.exit(1 if failed else 0)

    sweeps: list[dict[str, Any]] = []
    raws: list[dict[str, Any]] = []
    for repeat in range(args.repeats):
        order = ("sweep", "raw") if repeat % 2 == 0 else ("raw", "sweep")
        for target in order:
            built = build_backlog(url, items, stores, history)
            tag = f"[{repeat + 1}/{args.repeats}]"
            print(f"{tag} built the backlog in {built:.1f} s", flush=True)
            before = wait_for_quiet(args.quiet_wait)
            if target == "sweep":
                run = run_sweep(url, items, args.batch_size, args.project_root,
                                sql_stats=args.sql_stats, processes=args.processes)
                run["background_busy"] = before
                sweeps.append(run)
                print(f"{tag} {describe_sweep(run, items)}", flush=True)
                failed |= not print_checks(check_sweep(url, items, run["report"],
                                                       args.processes))
                if args.sql_stats:
                    print_sql(run, items)
            else:
                run = run_raw(url, items)
                run["background_busy"] = before
                raws.append(run)
                print(f"{tag} {describe_raw(run, items)}", flush=True)
                if (run["cards"], run["orders"]) != ((items + 1) // 2, items // 2):
                    print(f"      BAD: expected {(items + 1) // 2} cards and {items // 2} "
                          "orders updated")
                    failed = True

    sweep_s = statistics.median(r["seconds"] for r in sweeps)
    raw_s = statistics.median(r["seconds"] for r in raws)
    ratio = (items / sweep_s) / (items / raw_s)
    per_repeat = [r["seconds"] / s["seconds"] for s, r in zip(sweeps, raws, strict=True)]
    peak = max(r["rss_peak_kb"] for r in sweeps)
    start = min(r["rss_start_kb"] for r in sweeps)
    print(f"\nsummary (median of {args.repeats} repeat(s))")
    print(f"  items            {items:,}  (batch {args.batch_size}, {stores:,} stores, "
          f"{args.processes} sweep process{'es' if args.processes > 1 else ''})")
    print(f"  sweep            {sweep_s:9.2f} s  {items / sweep_s:10,.0f} items/s")
    print(f"  raw UPDATEs      {raw_s:9.2f} s  {items / raw_s:10,.0f} items/s")
    print(f"  ratio sweep/raw  {ratio:.4f}  (per repeat: "
          + ", ".join(f"{r:.4f}" for r in per_repeat) + f"); target ≥ {TARGET_RATIO}: "
          + ("met" if ratio >= TARGET_RATIO else f"NOT met (the sweep is {1 / ratio:,.0f}× "
                                                  "slower than the raw UPDATEs)"))
    print(f"  peak RSS of a sweep process {mib(peak)} (after start-up {mib(start)}, "
          f"growth {mib(peak - start)}); RSS along the batches of the last sweep: "
          + "; ".join(", ".join(str(m) for m in p["rss_mib_along"])
                      for p in sweeps[-1]["per_process"]) + " MiB")
    marks = sweeps[-1]["samples"]
    print("  seconds per batch along the last sweep"
          + (" (its first process)" if args.processes > 1 else "")
          + f" (every {marks[1]['uow']} batches): "
          + ", ".join(f"{(b['at_s'] - a['at_s']) / (b['uow'] - a['uow']):.2f}"
                      for a, b in itertools.pairwise(marks) if b["uow"] > a["uow"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "when": datetime.now(UTC).isoformat(), "items": items, "stores": stores,
            "batch_size": args.batch_size, "processes": args.processes,
            "postgres": version, "code": code,
            "project_root": str(args.project_root), "sweeps": sweeps, "raws": raws,
            "ratio": ratio, "per_repeat": per_repeat}, indent=2, default=str))
    if failed:
        print("SOME CHECKS FAILED: the figures above are not valid")
        sys.exit(1)


if __name__ == "__main__":
    main()
