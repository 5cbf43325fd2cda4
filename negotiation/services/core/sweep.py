"""Apply every timed rule that is due, in bounded batches (``flask --app wsgi sweep``):
card expiry, negotiation lapse, violations and their charges, the automatic close; then
purge expired idempotency keys and evidence files no row names.

Each batch is one transaction over at most ``batch_size`` orders, locked as they are
picked; on PostgreSQL rows another sweep holds are skipped, so several sweeps share the
work. Settling is idempotent, so a sweep killed mid-run is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from models import IdempotencyKey
from negotiation.adapters.evidence_store import EvidenceStore
from negotiation.services.core.settling import settle_batch
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.reports import evidence

ORPHAN_AGE = timedelta(hours=1)  # far longer than an upload takes from write to commit


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
    while True:
        with new_uow() as uow:
            ids = uow.repo.due_order_ids(uow.now, batch_size, skip_locked=uow.skip_locked)
            changed = settle_batch(uow, ids)
            if not changed:
                break  # nothing due (or nothing settling could change: never loop on it)
            uow.commit()
        report.orders_settled += len(ids)
        report.batches += 1
    with new_uow() as uow:
        purged = uow.session.execute(delete(IdempotencyKey).where(
            IdempotencyKey.created_at < uow.now - key_retention))
        uow.commit()
        report.idempotency_keys_purged = purged.rowcount
    if files is not None:
        report.evidence_orphans_removed = evidence.remove_orphans(new_uow(), files,
                                                                  older_than=ORPHAN_AGE)
    return report
