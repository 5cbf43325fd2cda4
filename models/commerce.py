"""Stores, their accounts, orders and shipments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column
from negotiation.domain.enums import OrderKind, OrderStatus, Role, ShipBySource, ShipMode

if TYPE_CHECKING:
    from models.assessment import LedgerEntry, Violation
    from models.negotiation import Negotiation


class Store(Base):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    handling_hours: Mapped[int] = mapped_column(default=48)
    # Seed 003: some stores promise 1 or 2 working days instead of hours.
    handling_working_days: Mapped[int | None]
    negotiation_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    name: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        # The sweep's and the seller list's access paths.
        Index("ix_orders_status_ship_by", "status", "ship_by"),
        Index("ix_orders_store_id_id", "store_id", "id"),
        Index("ix_orders_buyer_id_id", "buyer_id", "id"),
        Index("ix_orders_assess_at", "assess_at"),
        Index("ix_orders_region", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    buyer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    kind: Mapped[OrderKind] = mapped_column(enum_column(OrderKind))
    ship_mode: Mapped[ShipMode] = mapped_column(enum_column(ShipMode))
    region: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    original_ship_by: Mapped[datetime] = mapped_column(UTCDateTime)
    ship_by: Mapped[datetime] = mapped_column(UTCDateTime)
    ship_by_source: Mapped[ShipBySource] = mapped_column(enum_column(ShipBySource))
    # The latest ship time of the approved delay reports covering the order: one of the
    # candidates the deadline resolver weighs, kept so it need not be looked up again.
    reported_ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The original deadline plus a regional extension, when one covers the order.
    extended_ship_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the first carrier scan is due; null while it cannot be known (express and
    # tiered modes before a tracking number).
    collect_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The next instant a violation or the automatic close may fall due: what the sweep
    # and readers look at. Early is harmless (a check that finds nothing), late is not.
    assess_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    product_id: Mapped[str | None] = mapped_column(String(64))
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    store: Mapped[Store] = relationship(lazy="joined", innerjoin=True)
    negotiation: Mapped[Negotiation] = relationship(back_populates="order", lazy="joined",
                                                    innerjoin=True)
    shipments: Mapped[list[Shipment]] = relationship(order_by="Shipment.id",
                                                     back_populates="order")
    # Loaded only where an order is assessed; the sweep loads them for a whole batch at once.
    # Views only: new violations and entries are inserted by the assessment repository, in
    # bulk, not through these collections, so the session's flush has nothing to do for them.
    violations: Mapped[list[Violation]] = relationship(order_by="Violation.id", viewonly=True)
    ledger_entries: Mapped[list[LedgerEntry]] = relationship(order_by="LedgerEntry.id",
                                                             viewonly=True)
    if TYPE_CHECKING:
        covered_by_report: Mapped[bool]

    @classmethod
    def __declare_last__(cls) -> None:
        # Whether an approved report covers the order, loaded with it in the same query. The
        # expression reads the reports' tables, whose module imports this one, so it is
        # built once every mapper is known.
        from models.reports import covered_by_approved_report

        cls.covered_by_report = column_property(covered_by_approved_report())


class Shipment(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(100))
    # Unique across every store: a number once used is refused (seed 002).
    tracking_no: Mapped[str] = mapped_column(String(64), unique=True)
    shipped_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # An approved collection report's latest collection time. It belongs to this tracking
    # number: a new number is a new shipment, which no report covers yet (seed 000).
    reported_collect_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first collection scan: what the collection deadline is measured against.
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship(lazy="joined", innerjoin=True,
                                        back_populates="shipments")
