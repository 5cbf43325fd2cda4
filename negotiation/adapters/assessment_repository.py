"""The queries of the assessment path: scans, violations, the ledger, exemptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from models import (
    DailyDeduction,
    LedgerEntry,
    Order,
    ProductBan,
    RegionalExemption,
    RegionalExtension,
    Shipment,
    Violation,
)
from negotiation.domain.enums import OrderStatus

ZERO = Decimal("0")
# The service's own namespace of PostgreSQL advisory locks (the first key of the pair).
REGION_LOCKS = 0x72656769


class AssessmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._exemptions: dict[str | None, Sequence[RegionalExemption]] = {}
        self._days: dict[tuple[int, date], DailyDeduction] = {}

    def forget(self) -> None:
        """What this transaction read or locked means nothing once it has committed."""
        self._exemptions.clear()
        self._days.clear()

    # --- orders and shipments ----------------------------------------------------------

    def with_assessment(self, orders: Sequence[Order]) -> Sequence[Order]:
        """Load what assessing needs for many orders in three queries, not three each."""
        if orders:
            self.session.scalars(
                select(Order).where(Order.id.in_([o.id for o in orders]))
                .options(selectinload(Order.violations), selectinload(Order.ledger_entries),
                         selectinload(Order.shipments))).all()
        return orders

    def shipment(self, tracking_no: str) -> Shipment | None:
        return self.session.scalars(
            select(Shipment).where(Shipment.tracking_no == tracking_no)).first()

    def is_banned(self, order_id: int) -> bool:
        return self.session.scalar(
            select(func.count()).select_from(ProductBan)
            .where(ProductBan.order_id == order_id)) != 0

    # --- regional exemptions and extensions ---------------------------------------------

    def exemptions(self, region: str | None) -> Sequence[RegionalExemption]:
        """The exemptions of one region, read once per unit of work."""
        if region is None:
            return ()
        if region not in self._exemptions:
            self._exemptions[region] = self.session.scalars(
                select(RegionalExemption).where(RegionalExemption.region == region)
                .order_by(RegionalExemption.id)).all()
        return self._exemptions[region]

    def forget_exemptions(self, region: str) -> None:
        """After declaring one: the next read sees it."""
        self._exemptions.pop(region, None)

    def exemption_list(self, *, before_id: int | None,
                       limit: int) -> Sequence[RegionalExemption]:
        """The newest first, as a reviewer looks for what was just declared."""
        query = select(RegionalExemption).order_by(RegionalExemption.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(RegionalExemption.id < before_id)
        return self.session.scalars(query).all()

    def guard_region(self, region: str | None, *, declaring: bool) -> None:
        """Make creating a region's orders and declaring its exemptions and extensions
        see each other.

        A new order reads the region's declarations before it is committed, and a
        declaration reaches only orders already committed: without this, an order
        created at the same moment as a declaration would miss it. Creating takes the
        region's lock shared (creations never wait on each other), declaring takes it
        exclusive; both hold it until commit. On SQLite every write transaction is
        serial already (``BEGIN IMMEDIATE``).
        """
        if region is None or self.session.get_bind().dialect.name != "postgresql":
            return
        lock = func.pg_advisory_xact_lock if declaring else func.pg_advisory_xact_lock_shared
        self.session.execute(select(lock(REGION_LOCKS, func.hashtext(region))))

    def lock_region(self, region: str) -> None:
        """Lock every order of a region, in id order like every multi-order lock.

        A violation is only ever recorded under its order's lock, after reading the
        region's exemptions: holding them all, a new exemption sees every violation
        recorded before it, and every one recorded after it sees the exemption.
        """
        self.session.execute(select(Order.id).where(Order.region == region)
                             .order_by(Order.id).with_for_update())

    def orders_with_violations_in(self, region: str, start: datetime,
                                  end: datetime) -> list[int]:
        return list(self.session.scalars(
            select(Violation.order_id).distinct()
            .where(Violation.region == region, Violation.due_at >= start,
                   Violation.due_at < end, Violation.exempted_by.is_(None),
                   Violation.disproved_at.is_(None))))

    def extensions(self, region: str | None, original: datetime) -> Sequence[RegionalExtension]:
        """The extensions of a region whose window holds an original deadline."""
        if region is None:
            return ()
        return self.session.scalars(
            select(RegionalExtension).where(
                RegionalExtension.region == region, RegionalExtension.starts_at <= original,
                RegionalExtension.ends_at > original)).all()

    def orders_to_extend(self, region: str, start: datetime, end: datetime) -> list[int]:
        return list(self.session.scalars(
            select(Order.id).where(Order.region == region,
                                   Order.status == OrderStatus.AWAITING_SHIPMENT,
                                   Order.original_ship_by >= start,
                                   Order.original_ship_by < end)))

    # --- the daily cap -----------------------------------------------------------------

    def lock_day(self, store_id: int, day: date) -> DailyDeduction:
        """The store's counter for one day, created if missing, locked until commit (and
        so read once per transaction)."""
        if (store_id, day) not in self._days:
            self.lock_days([(store_id, day)])
        return self._days[store_id, day]

    def lock_days(self, keys: Sequence[tuple[int, date]]) -> None:
        """Counters of several stores, created if missing and locked in the order given
        (callers sort them), in two statements whatever their number."""
        keys = [key for key in keys if key not in self._days]
        if not keys:
            return
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.session.execute(insert(DailyDeduction).values(
            [{"store_id": store_id, "day": day, "amount": ZERO} for store_id, day in keys])
            .on_conflict_do_nothing())
        counters = self.session.scalars(
            select(DailyDeduction)
            .where(tuple_(DailyDeduction.store_id, DailyDeduction.day).in_(keys))
            .order_by(DailyDeduction.store_id, DailyDeduction.day)
            .with_for_update().execution_options(populate_existing=True))
        self._days.update({(c.store_id, c.day): c for c in counters})

    def deducted_on(self, store_id: int, day: date) -> Decimal:
        return self.session.scalar(
            select(DailyDeduction.amount)
            .where(DailyDeduction.store_id == store_id, DailyDeduction.day == day)) or ZERO

    # --- the ledger --------------------------------------------------------------------

    def ledger(self, store_id: int, start: datetime, end: datetime, *,
               after: tuple[datetime, int] | None, limit: int) -> Sequence[LedgerEntry]:
        query = (select(LedgerEntry)
                 .where(LedgerEntry.store_id == store_id, LedgerEntry.at >= start,
                        LedgerEntry.at < end)
                 .order_by(LedgerEntry.at, LedgerEntry.id).limit(limit))
        if after is not None:
            at, entry_id = after
            query = query.where(or_(LedgerEntry.at > at,
                                    and_(LedgerEntry.at == at, LedgerEntry.id > entry_id)))
        return self.session.scalars(query).all()

    def ledger_between(self, store_id: int, start: datetime,
                       end: datetime) -> Sequence[Any]:
        """Every entry's instant, kind, amount and points in the range, for the totals."""
        return self.session.execute(
            select(LedgerEntry.at, LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.points)
            .where(LedgerEntry.store_id == store_id, LedgerEntry.at >= start,
                   LedgerEntry.at < end)).all()

