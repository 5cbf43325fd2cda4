"""The sweep assessing a backlog of late orders: every violation recorded and charged
once, the daily cap kept, whether two sweeps share the work or one is killed (these on
PostgreSQL, with an embedded-database variant of the first), and what the sweep waives.

The guards under test: ``due_order_ids`` locking the orders it picks (``FOR UPDATE SKIP
LOCKED``), the unique violation per (order, kind, due time), one transaction per batch,
and the store's ``daily_deductions`` counter row locked before the cap is read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from models import DailyDeduction
from negotiation.clock import FrozenClock
from negotiation.domain.assessment import applies_on
from negotiation.domain.enums import ShipMode, ViolationKind
from negotiation.domain.policy import Policy
from negotiation.runtime import Runtime
from negotiation.services.core.settling import settle_orders
from negotiation.services.core.sweep import SweepReport, sweep
from negotiation.services.negotiation import cards
from negotiation.services.orders import orders
from tests.conftest import ADMIN, START
from tests.integration.assessment_support import (
    Backlog,
    add_orders,
    assert_every_order_charged_exactly_once,
    books,
    new_buyer,
    new_stores,
    problems_with_assessed,
    problems_with_unassessed,
    runtime_of,
    sweeping_app,
    violation_count,
)
from tests.integration.support import order_row, propose
from tests.integration.test_concurrency import run_together

ROOT = Path(__file__).resolve().parents[2]
H = timedelta(hours=1)
CAP = Decimal("200")  # 20 deductions of 10 per store and day: the backlogs go past it
POLICY = {"daily_deduction_cap": str(CAP)}


def late_backlog(rt, created_at: datetime, *, stores: int, per_store: int) -> Backlog:
    """Orders paid an hour before ``created_at`` and due 47 h after it, round-robin over
    new stores; their collection deadline (72 h after payment) comes a day later."""
    backlog = Backlog()
    store_ids = new_stores(rt, stores)
    add_orders(rt, backlog, store_ids, stores * per_store, buyer_id=new_buyer(rt),
               paid_at=created_at - H, ship_by=created_at + 47 * H)
    return backlog


def sweepers(database_url: str, at: datetime, cap: Decimal, tmp_path: Path,
             count: int = 2) -> list[Runtime]:
    """Runtimes of apps of their own (engine, pool) over one database, frozen at ``at``."""
    return [runtime_of(sweeping_app(database_url, FrozenClock(at),
                                    {"daily_deduction_cap": str(cap)}, tmp_path))
            for _ in range(count)]


# --- two sweeps at once --------------------------------------------------------------------


def two_sweeps(rt, database_url: str, clock, tmp_path: Path, *, stores: int,
               per_store: int, batch_size: int, cap: Decimal) -> tuple[Backlog, list[Any]]:
    backlog = late_backlog(rt, START, stores=stores, per_store=per_store)
    at = clock.set(START + 50 * H)  # past every ship deadline, before any collection one
    runtimes = sweepers(database_url, at, cap, tmp_path)
    try:
        results = run_together(*(
            lambda rt_=rt_: sweep(rt_.uow, batch_size=batch_size) for rt_ in runtimes))
        assert all(isinstance(r, SweepReport) for r in results), results
        assert sweep(runtimes[0].uow).orders_settled == 0  # nothing left behind
    finally:
        for runtime in runtimes:
            runtime.engine.dispose()
    return backlog, results


@pytest.mark.postgres
def test_two_sweeps_over_a_late_backlog_charge_every_order_once_within_the_daily_cap(
        rt, database_url, clock, tmp_path):
    # Batches of 2 over 3 stores: both sweeps keep charging the same stores' counters at
    # once, for 60 of each store's 80 orders, until the cap (600) binds.
    cap = Decimal("600")
    backlog, reports = two_sweeps(rt, database_url, clock, tmp_path, stores=3, per_store=80,
                                  batch_size=2, cap=cap)
    settled = [r.orders_settled for r in reports]
    assert sum(settled) == len(backlog.order_nos), settled
    assert all(settled), f"one sweep did all the work, nothing ran concurrently: {settled}"
    assert_every_order_charged_exactly_once(books(rt), backlog, cap)


@pytest.mark.skipif(bool(os.environ.get("NEGOTIATION_TEST_DATABASE_URL")),
                    reason="the embedded database's variant of the test above")
def test_two_sweeps_on_the_embedded_database_charge_every_order_once(rt, database_url,
                                                                     clock, tmp_path):
    backlog, _ = two_sweeps(rt, database_url, clock, tmp_path, stores=2, per_store=30,
                            batch_size=4, cap=CAP)
    assert_every_order_charged_exactly_once(books(rt), backlog, CAP)


def add_empty_counter(rt, store_id: int, at: datetime) -> None:
    """The store's counter for the day of ``at``, as its first violation that day leaves
    it: so only its row lock orders the sweeps."""
    with rt.sessions() as session:
        session.add(DailyDeduction(store_id=store_id, day=applies_on(at, Policy()),
                                   amount=Decimal("0")))
        session.commit()


@contextmanager
def counter_held(rt, store_id: int) -> Iterator[None]:
    """Another transaction holding the store's day counters until the block ends."""
    with rt.engine.connect() as holder:
        transaction = holder.begin()
        holder.execute(text("SELECT * FROM daily_deductions WHERE store_id = :s FOR UPDATE"),
                       {"s": store_id})
        try:
            yield
        finally:
            transaction.rollback()


def sweep_thread(runtime: Runtime, batch_size: int, outcome: list[Any]) -> threading.Thread:
    """A sweep to start in a thread of its own; its report, or what it raised, goes to
    ``outcome``."""
    def run() -> None:
        try:
            outcome.append(sweep(runtime.uow, batch_size=batch_size))
        except BaseException as raised:
            outcome.append(raised)

    return threading.Thread(target=run)


@pytest.mark.postgres
def test_a_charge_queued_behind_another_on_the_same_store_sees_its_deduction(
        rt, database_url, clock, tmp_path):
    """One interleaving pinned: a sweep has charged a store's order and not committed yet;
    a second sweep charging the same store must wait for it and then find the cap used.

    The cap leaves room for one deduction.
    """
    cap = Decimal("10")
    backlog = late_backlog(rt, START, stores=1, per_store=3)
    at = clock.set(START + 50 * H)
    (store,) = backlog.orders_of
    add_empty_counter(rt, store, at)
    first, second = sweepers(database_url, at, cap, tmp_path)
    outcome: list[Any] = []
    thread = sweep_thread(second, 3, outcome)
    try:
        with first.uow() as uow:
            ids = uow.orders.due_order_ids(uow.now, 1, skip_locked=True)
            assert settle_orders(uow, ids).changes  # charged 10: read, not yet written
            thread.start()
            wait_for(lambda: lock_waiters(rt) != [] or not thread.is_alive(),
                     "the second sweep waited for the counter or finished")
            uow.commit()
        thread.join(30)
        assert not thread.is_alive()
    finally:
        for runtime in (first, second):
            runtime.engine.dispose()
    assert [type(r) for r in outcome] == [SweepReport], outcome
    assert_every_order_charged_exactly_once(books(rt), backlog, cap)


@pytest.mark.postgres
def test_a_sweep_leaves_a_store_whose_counter_is_held_for_later_and_waits_only_then(
        rt, database_url, clock, tmp_path):
    """Batches of 4 over stores A and B in turn, A's counter held by another
    transaction: each batch assesses B's orders and leaves A's, locked and untouched,
    for a later one; a batch holding only A's orders waits. So B's first three orders
    are assessed while A's counter is held, and nothing of A's."""
    backlog = late_backlog(rt, START, stores=2, per_store=10)
    at = clock.set(START + 50 * H)
    store_a, store_b = backlog.orders_of
    add_empty_counter(rt, store_a, at)
    (sweeper,) = sweepers(database_url, at, CAP, tmp_path, count=1)
    outcome: list[Any] = []
    thread = sweep_thread(sweeper, 4, outcome)
    try:
        with counter_held(rt, store_a):
            thread.start()
            wait_for(lambda: lock_waiters(rt) != [] or not thread.is_alive(),
                     "the sweep waited for store A's counter")
            b = books(rt)
            assessed = [no for no in backlog.created if not problems_with_assessed(b, no)]
        thread.join(30)
        assert not thread.is_alive()
    finally:
        sweeper.engine.dispose()
    assert assessed == backlog.orders_of[store_b][:3]
    assert [type(r) for r in outcome] == [SweepReport], outcome
    assert_every_order_charged_exactly_once(books(rt), backlog, CAP)


@pytest.mark.postgres
def test_a_batch_whose_only_other_orders_need_nothing_waits_for_the_held_counter(
        rt, database_url, clock, tmp_path):
    """An order another sweep settled just before can be picked again and needs nothing:
    beside it, a held store's orders are waited for, not left (the sweep would end
    with them still due)."""
    backlog = late_backlog(rt, START, stores=2, per_store=1)
    at = clock.set(START + 50 * H)
    store_a, store_b = backlog.orders_of
    add_empty_counter(rt, store_a, at)
    (sweeper,) = sweepers(database_url, at, CAP, tmp_path, count=1)
    ids = {store: order_row(rt, nos[0]).id for store, nos in backlog.orders_of.items()}
    with sweeper.uow() as uow:  # store B's order settled: due no longer
        assert settle_orders(uow, [ids[store_b]]).changes
        uow.commit()
    outcome: list[Any] = []

    def settle_both() -> None:
        with sweeper.uow() as uow:
            outcome.append(settle_orders(uow, sorted(ids.values()), leave_held_stores=True))
            uow.commit()

    thread = threading.Thread(target=settle_both)
    try:
        with counter_held(rt, store_a):
            thread.start()
            wait_for(lambda: lock_waiters(rt) != [] or not thread.is_alive(),
                     "the batch waited for store A's counter")
            assert thread.is_alive(), outcome
        thread.join(30)
    finally:
        sweeper.engine.dispose()
    assert [(r.orders, bool(r.changes)) for r in outcome] == [(1, True)]
    assert_every_order_charged_exactly_once(books(rt), backlog, CAP)


# --- a sweep killed mid-batch --------------------------------------------------------------


def sweep_command(database_url: str, tmp_path: Path, batch_size: int,
                  log: Path) -> subprocess.Popen[bytes]:
    """``flask --app wsgi sweep`` in a process of its own, on the wall clock."""
    env = {**os.environ, "NEGOTIATION_DATABASE_URL": database_url,
           "NEGOTIATION_POLICY": json.dumps(POLICY), "NEGOTIATION_SECRET_KEY": "test-secret",
           "NEGOTIATION_EVIDENCE_DIR": str(tmp_path / "evidence")}
    env.pop("DATABASE_URL", None)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "sweep",
             "--batch-size", str(batch_size)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def lock_waiters(rt) -> list[int]:
    """Backends of this database waiting for a lock: the sweep, stuck on the counter."""
    with rt.engine.connect() as connection:  # a fresh snapshot of pg_stat_activity
        return list(connection.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()")).scalars())


def backend_alive(rt, pid: int) -> bool:
    with rt.engine.connect() as connection:
        return bool(connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar())


def wait_for(condition, what: str, process: subprocess.Popen[bytes] | None = None,
             log: Path | None = None, timeout: float = 30) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if condition():
            return
        if process is not None and process.poll() is not None:
            output = log.read_text() if log else ""
            raise AssertionError(f"the sweep exited ({process.returncode}) before {what}:\n"
                                 f"{output}")
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.mark.postgres
def test_a_sweep_killed_mid_batch_loses_nothing_and_the_rerun_doubles_nothing(
        rt, database_url, clock, tmp_path):
    """150 orders over stores A, B and C. The test holds the lock of the 57th order's
    negotiation, which lapses at its deadline, so the sweep commits its first 8 batches
    (7 orders each) and stops inside the 9th, its rules applied, waiting to write what
    they changed. Then it is killed (SIGKILL), and a second sweep runs to completion.
    """
    now = datetime.now(UTC)
    clock.set(now - 60 * H)  # created then: due 13 h ago, collection due in 11 h
    batch, committed_batches = 7, 8
    backlog = Backlog()
    store_a, store_b, store_c = new_stores(rt, 3)
    buyer = new_buyer(rt)
    created = clock.now()
    add_orders(rt, backlog, [store_a, store_b], 60, buyer_id=buyer,
               paid_at=created - H, ship_by=created + 47 * H)
    add_orders(rt, backlog, [store_a, store_b, store_c], 90, buyer_id=buyer,
               paid_at=created - H, ship_by=created + 47 * H)
    in_creation_order = backlog.created
    first_of_the_killed_batch = order_row(rt, in_creation_order[committed_batches * batch])

    log = tmp_path / "sweep.log"
    with rt.engine.connect() as holder:
        holder_tx = holder.begin()
        holder.execute(text("SELECT * FROM negotiations WHERE order_id = :o FOR UPDATE"),
                       {"o": first_of_the_killed_batch.id})
        killed = sweep_command(database_url, tmp_path, batch, log)
        try:
            wait_for(lambda: violation_count(rt) >= committed_batches * batch
                     and lock_waiters(rt) != [],
                     "its first batches committed and it waited to write the 9th's",
                     killed, log)
            (stuck,) = lock_waiters(rt)
            killed.send_signal(signal.SIGKILL)
            assert killed.wait(10) == -signal.SIGKILL
        finally:
            if killed.poll() is None:
                killed.kill()
                killed.wait(10)
            holder_tx.rollback()
    # The orphaned backend gets the lock, cannot answer its dead client and rolls back.
    wait_for(lambda: not backend_alive(rt, stuck), "the killed sweep's backend ended")

    b = books(rt)
    done = committed_batches * batch
    wrong = {no: p for no in in_creation_order[:done] if (p := problems_with_assessed(b, no))}
    assert not wrong, f"committed batches half-done: {wrong}"
    wrong = {no: p for no in in_creation_order[done:] if (p := problems_with_unassessed(b, no))}
    assert not wrong, f"the killed batch left something behind: {wrong}"

    log.write_text("")
    rerun = sweep_command(database_url, tmp_path, batch, log)
    try:
        assert rerun.wait(60) == 0, log.read_text()
    finally:
        if rerun.poll() is None:
            rerun.kill()
            rerun.wait(10)
    assert f"settled {len(in_creation_order) - done} orders" in log.read_text()
    assert_every_order_charged_exactly_once(books(rt), backlog, CAP)



# --- what the sweep waives -----------------------------------------------------------------


def test_an_express_parcel_shipped_early_under_an_agreed_card_still_times_out_uncollected(
        rt, world, clock):
    orders.create_order(rt.uow(), ADMIN, order_no="X-1", store_id=world.store_id,
                        buyer_id=world.buyer.id, amount=Decimal("100.00"),
                        paid_at=START - H, ship_by=START + 47 * H, ship_mode=ShipMode.EXPRESS)
    card = propose(rt, world.owner, "X-1")  # the buyer agrees to ship by START + 95 h
    clock.set(START + H)
    cards.accept_card(rt.uow(), world.buyer.caller, card.id)
    clock.set(START + 2 * H)  # shipped long before the agreed time: collection due at 26 h
    orders.ship_order(rt.uow(), world.agent.caller, "X-1", carrier="SF", tracking_no="SF1")
    clock.set(START + 30 * H)  # no carrier scan yet
    sweep(rt.uow)
    b = books(rt)
    assert b.violations[("X-1", ViolationKind.COLLECTION_TIMEOUT)] == 1
    assert b.unexempted["X-1"] == 1, "the collection timeout was waived"
