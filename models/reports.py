"""Delay reports, what they name, their evidence and their review history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, exists, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column
from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus


class DelayReport(Base):
    __tablename__ = "delay_reports"
    __table_args__ = (
        # The reviewer queue (most overdue first) and each store's own list.
        Index("ix_delay_reports_status_due", "status", "review_due_at", "id"),
        Index("ix_delay_reports_store_due", "store_id", "review_due_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[ReportKind] = mapped_column(enum_column(ReportKind))
    reason: Mapped[ReportReason] = mapped_column(enum_column(ReportReason))
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus))
    description: Mapped[str] = mapped_column(Text)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latest_ship_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latest_collect_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[ReportItem]] = relationship(
        back_populates="report", order_by="ReportItem.id", lazy="selectin",
        cascade="all, delete-orphan")


class ReportItem(Base):
    """An order a report names: directly, by its tracking number, or by its deadline
    falling in a store report's window."""

    __tablename__ = "report_items"
    __table_args__ = (
        UniqueConstraint("report_id", "order_id"),
        Index("ix_report_items_order_id", "order_id"),
        Index("ix_report_items_tracking_no", "tracking_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("delay_reports.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    order_no: Mapped[str] = mapped_column(String(64))
    tracking_no: Mapped[str | None] = mapped_column(String(64))

    report: Mapped[DelayReport] = relationship(back_populates="items")


class Evidence(Base):
    """A file attached to a report; its bytes live in the evidence store, not here."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("delay_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportHistoryEntry(Base):
    """One step of a report's life: submitted, evidence added, approved, rejected, ..."""

    __tablename__ = "report_history"
    __table_args__ = (Index("ix_report_history_report_id_id", "report_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("delay_reports.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def covered_by_approved_report() -> Any:
    """Whether an approved delay report covers the order (Kuaishou's "主动报备通过").

    A collection report covers a tracking number: it counts only while the order still
    ships under the number it named.
    """
    from models.commerce import Order, Shipment

    current_numbers = (select(Shipment.tracking_no).where(Shipment.order_id == Order.id)
                       .correlate_except(Shipment))
    return exists().where(
        ReportItem.order_id == Order.id,
        DelayReport.id == ReportItem.report_id,
        DelayReport.status == ReportStatus.APPROVED,
        or_(DelayReport.kind != ReportKind.COLLECTION,
            ReportItem.tracking_no.in_(current_numbers.scalar_subquery())),
    )
