"""Apply every timed rule that is due, in bounded batches (``flask --app wsgi sweep``):
card expiry, negotiation lapse, violations and their charges, the automatic close; then
purge expired idempotency keys and evidence files no row names.

Each batch is one transaction over at most ``batch_size`` orders, locked as they are
picked; on PostgreSQL rows another sweep holds are skipped, so several sweeps share the
work, and the orders of a store whose day counter another batch holds wait for a later
batch (see ``settle_orders``). Settling is idempotent, so a sweep killed mid-run is
simply run again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from negotiation.adapters.evidence_store import EvidenceStore
from negotiation.services.core.settling import settle_orders
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.reports import evidence

ORPHAN_AGE = timedelta(hours=1)  # far longer than an upload takes from write to commit
FULL_COLLECTION_EVERY = 50  # batches; see _collector_between_batches


@dataclass
class SweepReport:
    orders_settled: int = 0
    batches: int = 0
    idempotency_keys_purged: int = 0
    evidence_orphans_removed: int = 0


def sweep(new_uow: Callable[[], UnitOfWork], *, batch_size: int = 500,
          key_retention: timedelta = timedelta(hours=48),
          files: EvidenceStore | None = None) -> SweepReport:
    report = SweepReport()
    with _collector_between_batches():
        while True:
            with new_uow() as uow:
                ids = uow.orders.due_order_ids(uow.now, batch_size, skip_locked=uow.skip_locked)
                settled = settle_orders(uow, ids, leave_held_stores=True)
                if not settled.changes:
                    break  # nothing due (or nothing settling could change: never loop on it)
                uow.commit(last=True)
            report.orders_settled += settled.orders
            report.batches += 1
            # What the batch left (its objects are gone with its session): young objects
            # only, and now and then everything allocated since the sweep began.
            gc.collect(0 if report.batches % FULL_COLLECTION_EVERY else 2)
    with new_uow() as uow:
        purged = uow.records.purge_idempotency_keys(uow.now - key_retention)
        uow.commit()
        report.idempotency_keys_purged = purged
    if files is not None:
        report.evidence_orphans_removed = evidence.remove_orphans(new_uow(), files,
                                                                  older_than=ORPHAN_AGE)
    return report


_collector = threading.Lock()
_sweeps_running = 0
_collector_was_enabled = True


@contextmanager
def _collector_between_batches() -> Iterator[None]:
    """Run the cyclic garbage collector between batches, not within them, and never
    over what existed before the sweep.

    A batch keeps some ten thousand objects alive until it commits (rows, ORM states),
    and allocates many more: the collector's automatic passes, triggered every few hundred
    allocations, traversed the live ones again and again, and its full passes the whole
    process (the app, Flask, SQLAlchemy) — a quarter of the sweep's CPU, for almost no
    garbage (a batch leaves little: its objects mostly go with its session, by reference
    counting). So during a sweep the collector is off and what existed before is frozen
    (``gc.freeze``); the loop collects young objects after each batch and everything the
    sweep allocated every FULL_COLLECTION_EVERY batches, so memory stays flat. Sweeps
    running at once in one process (threads, in tests) share this: the last one out puts
    the collector back as it found it.
    """
    global _sweeps_running, _collector_was_enabled
    with _collector:
        if _sweeps_running == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
            gc.freeze()
        _sweeps_running += 1
    try:
        yield
    finally:
        with _collector:
            _sweeps_running -= 1
            if _sweeps_running == 0:
                gc.unfreeze()
                if _collector_was_enabled:
                    gc.enable()
