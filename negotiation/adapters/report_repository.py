"""The queries of the delay-report path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from models import (
    AppealEvidence,
    DelayReport,
    Evidence,
    Order,
    ReportHistoryEntry,
    ReportItem,
    Shipment,
    Store,
)
from negotiation.domain.enums import OrderKind, OrderStatus, ReportKind, ReportReason, ReportStatus

ACTIVE = (ReportStatus.PENDING_REVIEW, ReportStatus.APPROVED)


@dataclass(frozen=True)
class ReportFilter:
    """What a report list may be narrowed to; None means any."""

    store_id: int | None = None
    status: ReportStatus | None = None
    kind: ReportKind | None = None
    reason: ReportReason | None = None
    order_no: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reports -----------------------------------------------------------------------

    def report(self, report_id: int, *, lock: bool = False) -> DelayReport | None:
        """One report; ``lock`` holds its row until commit, so two reviewers queue up."""
        query = select(DelayReport).where(DelayReport.id == report_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.session.scalars(query).first()

    def reports(self, where: ReportFilter, *, after: tuple[datetime, int] | None,
                limit: int) -> Sequence[DelayReport]:
        """Reports by review due time: the most overdue first, as a reviewer works."""
        query = (select(DelayReport).order_by(DelayReport.review_due_at, DelayReport.id)
                 .limit(limit))
        query = _filtered(query, where)
        if after is not None:
            due, report_id = after
            query = query.where(or_(DelayReport.review_due_at > due, and_(
                DelayReport.review_due_at == due, DelayReport.id > report_id)))
        return self.session.scalars(query).all()

    def covering(self, kind: ReportKind, *, order_ids: Iterable[int] = (),
                 tracking_nos: Iterable[str] = ()) -> Sequence[tuple[ReportItem, DelayReport]]:
        """Pending or approved reports of ``kind`` naming any of these orders or numbers."""
        named = (ReportItem.tracking_no.in_(list(tracking_nos))
                 if kind is ReportKind.COLLECTION else ReportItem.order_id.in_(list(order_ids)))
        rows = self.session.execute(
            select(ReportItem, DelayReport).join(DelayReport)
            .where(DelayReport.kind == kind, DelayReport.status.in_(ACTIVE), named)
            .order_by(ReportItem.id))
        return [(item, report) for item, report in rows]

    def overlapping_store_reports(self, store_id: int, start: datetime,
                                  end: datetime) -> Sequence[DelayReport]:
        return self.session.scalars(
            select(DelayReport).where(
                DelayReport.store_id == store_id, DelayReport.kind == ReportKind.STORE,
                DelayReport.status.in_(ACTIVE),
                DelayReport.window_start < end, DelayReport.window_end > start)
            .order_by(DelayReport.id)).all()

    def approved_store_reports_covering(self, store_id: int,
                                        deadline: datetime) -> Sequence[DelayReport]:
        return self.session.scalars(
            select(DelayReport).where(
                DelayReport.store_id == store_id, DelayReport.kind == ReportKind.STORE,
                DelayReport.status == ReportStatus.APPROVED,
                DelayReport.window_start <= deadline, DelayReport.window_end > deadline)
            .order_by(DelayReport.id)).all()

    def history(self, report_id: int) -> Sequence[ReportHistoryEntry]:
        return self.session.scalars(
            select(ReportHistoryEntry).where(ReportHistoryEntry.report_id == report_id)
            .order_by(ReportHistoryEntry.id)).all()

    # --- what reports name, locked for a change ----------------------------------------

    def lock_store(self, store_id: int) -> Store | None:
        """Serialises store-report filing per store, so overlapping windows cannot race."""
        return self.session.scalars(
            select(Store).where(Store.id == store_id).with_for_update()).first()

    def lock_orders(self, ids: Iterable[int]) -> list[Order]:
        """Orders locked in id order (so two changes never deadlock), then loaded fresh."""
        ids = sorted(set(ids))
        if not ids:
            return []
        self.session.execute(select(Order.id).where(Order.id.in_(ids))
                             .order_by(Order.id).with_for_update())
        return list(self.session.scalars(
            select(Order).where(Order.id.in_(ids)).order_by(Order.id)
            .execution_options(populate_existing=True)))

    def store_order_ids(self, store_id: int, order_nos: Iterable[str]) -> dict[str, int]:
        rows = self.session.execute(select(Order.order_no, Order.id).where(
            Order.store_id == store_id, Order.order_no.in_(list(order_nos))))
        return {order_no: order_id for order_no, order_id in rows}

    def store_shipments(self, store_id: int,
                        tracking_nos: Iterable[str]) -> dict[str, Shipment]:
        rows = self.session.scalars(
            select(Shipment).join(Shipment.order)
            .where(Order.store_id == store_id, Shipment.tracking_no.in_(list(tracking_nos))))
        return {shipment.tracking_no: shipment for shipment in rows}

    def orders_in_window(self, store_id: int, start: datetime,
                         end: datetime) -> dict[int, str]:
        """The store's orders still to ship whose deadline falls in [start, end), by id:
        ``reporting.in_window`` as a condition (tests/integration/test_report_window_query.py
        holds the two together)."""
        return dict(self.session.execute(
            select(Order.id, Order.order_no).where(
                Order.store_id == store_id, Order.status == OrderStatus.AWAITING_SHIPMENT,
                Order.kind != OrderKind.VIRTUAL,
                Order.ship_by >= start, Order.ship_by < end)
            .order_by(Order.id)).all())

    # --- evidence ----------------------------------------------------------------------

    def evidence(self, report_id: int) -> Sequence[Evidence]:
        return self.session.scalars(
            select(Evidence).where(Evidence.report_id == report_id).order_by(Evidence.id)).all()

    def evidence_item(self, report_id: int, evidence_id: int) -> Evidence | None:
        return self.session.scalars(select(Evidence).where(
            Evidence.report_id == report_id, Evidence.id == evidence_id)).first()

    def evidence_keys_in_use(self, storage_keys: Iterable[str]) -> set[str]:
        """Those of ``storage_keys`` an evidence row names, of a report or of an appeal
        (the others are orphan files)."""
        keys = list(storage_keys)
        return set(self.session.scalars(
            select(Evidence.storage_key).where(Evidence.storage_key.in_(keys))
            .union(select(AppealEvidence.storage_key)
                   .where(AppealEvidence.storage_key.in_(keys)))))

    # --- shipments ---------------------------------------------------------------------

    def shipment_as_it_is(self, shipment: Shipment) -> Shipment:
        """``shipment`` read again: what a transaction committed since it was loaded
        (e.g. before its order's lock was taken) replaces what the session holds."""
        return self.session.scalars(
            select(Shipment).where(Shipment.id == shipment.id)
            .execution_options(populate_existing=True)).one()


def _filtered(query: Select[DelayReport], where: ReportFilter) -> Select[DelayReport]:
    if where.store_id is not None:
        query = query.where(DelayReport.store_id == where.store_id)
    for column, value in ((DelayReport.status, where.status), (DelayReport.kind, where.kind),
                          (DelayReport.reason, where.reason)):
        if value is not None:
            query = query.where(column == value)
    if where.submitted_from is not None:
        query = query.where(DelayReport.submitted_at >= where.submitted_from)
    if where.submitted_to is not None:
        query = query.where(DelayReport.submitted_at < where.submitted_to)
    if where.order_no is not None:
        query = query.where(DelayReport.id.in_(
            select(ReportItem.report_id).where(ReportItem.order_no == where.order_no)))
    return query
