"""What missed deadlines cost: carrier scans, violations, the penalty ledger, regional
exemptions and extensions, product bans and refunds."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column
from negotiation.domain.enums import (
    ExemptedBy,
    ExtensionCause,
    LedgerKind,
    ScanKind,
    ViolationKind,
)

MONEY = Numeric(12, 2)
POINTS = Numeric(8, 2)


class Scan(Base):
    """One carrier scan of a shipment, as the carrier feed reported it."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    kind: Mapped[ScanKind] = mapped_column(enum_column(ScanKind))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Violation(Base):
    """A deadline an order missed, recorded once: the deadline's instant is its key."""

    __tablename__ = "violations"
    __table_args__ = (UniqueConstraint("order_id", "kind", "due_at"),
                      Index("ix_violations_region_due", "region", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    kind: Mapped[ViolationKind] = mapped_column(enum_column(ViolationKind))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The order's region when it fell due: what a regional exemption is matched on.
    region: Mapped[str | None] = mapped_column(String(100))
    exempted_by: Mapped[ExemptedBy | None] = mapped_column(enum_column(ExemptedBy))
    exempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a scan reported later shows the deadline was met: the record stays, its
    # charges are reversed, and it no longer counts.
    disproved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """One line of a store's penalty ledger. Entries are never changed but to mark them
    revoked: a revocation is a reversal entry of its own."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_store_at", "store_id", "at", "id"),
                      Index("ix_ledger_entries_order_id", "order_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    order_no: Mapped[str] = mapped_column(String(64))
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violations.id"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    points: Mapped[Decimal] = mapped_column(POINTS)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The business day the deduction is taken from the deposit (the day after).
    applies_on: Mapped[date | None] = mapped_column(Date)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"),
                                                    unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # So a charge and its reversal can be written with the rows they point at, unflushed.
    violation: Mapped[Violation | None] = relationship()
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id])


class DailyDeduction(Base):
    """How much a store has had deducted on one business day: the daily cap's counter.

    Its row is the lock two sweeps take in turn, so the cap holds across processes.
    """

    __tablename__ = "daily_deductions"

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)


class RegionalExemption(Base):
    """A reviewer's declaration: in this region and window these timeouts are waived."""

    __tablename__ = "regional_exemptions"
    __table_args__ = (Index("ix_regional_exemptions_region", "region", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kinds: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Ended early by a reviewer: ``ends_at`` was then brought back to that instant.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class RegionalExtension(Base):
    """A region whose ship deadlines are extended (seed 001), for the orders whose
    original deadline falls in the window."""

    __tablename__ = "regional_extensions"
    __table_args__ = (Index("ix_regional_extensions_region", "region", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(100))
    cause: Mapped[ExtensionCause] = mapped_column(enum_column(ExtensionCause))
    suspended_carriers: Mapped[int | None]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class ProductBan(Base):
    """An order that missed its ship deadline too often bans its product (seed 004)."""

    __tablename__ = "product_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    product_id: Mapped[str | None] = mapped_column(String(64))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Refund(Base):
    """Money returned to the buyer; an order closed for never shipping is refunded."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
