"""The queries of the assessment path: scans, violations, the ledger, exemptions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Table, Text, and_, cast, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

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
from negotiation.adapters.database import insert_rows, one_of
from negotiation.domain.declarations import DeclarationState
from negotiation.domain.enums import OrderStatus

ZERO = Decimal("0")
# The service's own namespace of PostgreSQL advisory locks (the first key of the pair).
REGION_LOCKS = 0x72656769

Declaration = TypeVar("Declaration", RegionalExemption, RegionalExtension)


class AssessmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._exemptions: dict[str | None, Sequence[RegionalExemption]] = {}
        self._days: dict[tuple[int, date], DailyDeduction] = {}
        # Recorded in this transaction and not written yet, in the order they were made.
        self._violations: list[Violation] = []
        self._entries: list[LedgerEntry] = []

    def forget(self) -> None:
        """What this transaction read or locked means nothing once it has ended, and what
        it recorded and has not written belonged to what a rollback undid."""
        self._exemptions.clear()
        self._days.clear()
        self._violations, self._entries = [], []

    # --- orders and shipments ----------------------------------------------------------

    def with_assessment(self, orders: Sequence[Order]) -> Sequence[Order]:
        """Load what assessing reads of many orders — their violations, ledger entries
        and shipments — in one query per table keyed by the orders' ids, not three queries
        per order (nor the orders again). A collection already loaded is kept as it is."""
        tables: tuple[tuple[str, type[Violation | LedgerEntry | Shipment]], ...] = (
            ("violations", Violation), ("ledger_entries", LedgerEntry), ("shipments", Shipment))
        for name, model in tables:
            missing = [o for o in orders if name not in o.__dict__]  # not loaded yet
            if not missing:
                continue
            query = (select(model)
                     .where(one_of(self.session, model.order_id, [o.id for o in missing]))
                     .order_by(model.id))  # the relationships' order
            if model is Shipment:  # its order is one of these: no join back to orders
                query = query.options(lazyload(Shipment.order))
            of_order: dict[int, list[Any]] = defaultdict(list)
            rows: Sequence[Any] = self.session.scalars(query).all()
            for row in rows:
                of_order[row.order_id].append(row)
            for order in missing:
                set_committed_value(order, name, of_order[order.id])
        return orders

    def shipment(self, tracking_no: str) -> Shipment | None:
        return self.session.scalars(
            select(Shipment).where(Shipment.tracking_no == tracking_no)).first()

    def is_banned(self, order_id: int) -> bool:
        return self.session.scalar(
            select(func.count()).select_from(ProductBan)
            .where(ProductBan.order_id == order_id)) != 0

    # --- violations and ledger entries recorded -----------------------------------------
    #
    # A violation or a ledger entry is only ever appended (an entry is changed later only
    # to mark it revoked). So new ones are not handed to the session as pending objects,
    # which its flush would process one by one through the ORM's unit of work (thousands
    # per sweep batch): they join their order's collection at once, where the rules read
    # them, and :meth:`write_new` inserts them at the next flush, one statement per table,
    # then hands them to the session as rows it has loaded.

    def add_violation(self, order: Order, violation: Violation) -> None:
        violation.order_id = order.id
        set_committed_value(order, "violations", [*order.violations, violation])
        self._violations.append(violation)

    def add_entry(self, order: Order, entry: LedgerEntry) -> None:
        entry.order_id = order.id
        set_committed_value(order, "ledger_entries", [*order.ledger_entries, entry])
        self._entries.append(entry)

    def write_new(self) -> None:
        """Insert the violations and entries recorded since the last flush (the session
        runs this at the start of every flush, see ``adapters.database.Session``)."""
        violations, entries = self._violations, self._entries
        if not violations and not entries:
            return
        self._violations, self._entries = [], []
        self._insert(Violation.__table__, violations)
        for entry in entries:  # their violations have ids by now
            entry.violation_id = entry.violation.id if entry.violation else None
            entry.reverses_id = entry.reverses.id if entry.reverses else None
        # In the order they were made: a reversal follows the entry it reverses.
        self._insert(LedgerEntry.__table__, entries)

    def _insert(self, table: Table, objects: list[Any]) -> None:
        """Insert the objects' rows as one ``executemany`` (prepared once; a multi-row
        ``VALUES … RETURNING``, the ORM's way to learn ids, costs the driver a parse of a
        statement with thousands of parameters), with ids taken first, and make each
        object the session's, as if loaded — unless the unit ends with this flush."""
        if not objects:
            return
        for obj, new_id in zip(objects, self._take_ids(table, len(objects)), strict=True):
            obj.id = new_id
        keys = [column.key for column in table.columns]
        rows = [{key: obj.__dict__.get(key) for key in keys} for obj in objects]
        insert_rows(self.session.connection(), table, rows)
        if getattr(self.session, "ending", False):
            return
        for obj, row in zip(objects, rows, strict=True):
            for key, value in row.items():  # what was never set is loaded, not expired
                if key not in obj.__dict__:
                    set_committed_value(obj, key, value)
            make_transient_to_detached(obj)
        self.session.add_all(objects)

    def _take_ids(self, table: Table, count: int) -> Iterable[int]:
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            sequence = select(func.pg_get_serial_sequence(table.name, "id")).scalar_subquery()
            return connection.execute(select(func.nextval(sequence))
                                      .select_from(func.generate_series(1, count))).scalars()
        # SQLite: every write transaction holds the database's write lock from its start
        # (BEGIN IMMEDIATE), so no one else takes ids meanwhile; these are the ones SQLite
        # itself would give next.
        top = connection.execute(select(func.max(table.c.id))).scalar() or 0
        return range(top + 1, top + 1 + count)

    # --- regional exemptions and extensions ---------------------------------------------

    def exemptions(self, region: str | None) -> Sequence[RegionalExemption]:
        """The exemptions of one region, read once per unit of work."""
        if region is None:
            return ()
        if region not in self._exemptions:
            self.load_exemptions([region])
        return self._exemptions[region]

    def load_exemptions(self, regions: Iterable[str | None]) -> None:
        """The exemptions of several regions, in one query (a sweep batch's)."""
        wanted = sorted({r for r in regions if r is not None} - self._exemptions.keys())
        if not wanted:
            return
        found: dict[str | None, list[RegionalExemption]] = {region: [] for region in wanted}
        for exemption in self.session.scalars(
                select(RegionalExemption).where(RegionalExemption.region.in_(wanted))
                .order_by(RegionalExemption.id)):
            found[exemption.region].append(exemption)
        self._exemptions.update(found)

    def forget_exemptions(self, region: str) -> None:
        """After declaring one: the next read sees it."""
        self._exemptions.pop(region, None)

    def declaration_list(self, model: type[Declaration], *, now: datetime,
                         region: str | None = None, state: DeclarationState | None = None,
                         kind: str | None = None, cause: str | None = None,
                         before_id: int | None, limit: int) -> Sequence[Declaration]:
        """Exemptions or extensions, the newest first, as a reviewer looks for what was
        just declared. ``state`` is ``declarations.state_of`` as a condition; ``kind``
        picks the exemptions waiving that kind of violation, ``cause`` the extensions
        of that cause."""
        query = select(model).order_by(model.id.desc()).limit(limit)
        if before_id is not None:
            query = query.where(model.id < before_id)
        if region is not None:
            query = query.where(model.region == region)
        if state is DeclarationState.ENDED:
            query = query.where(or_(model.ended_at.is_not(None), model.ends_at <= now))
        elif state is not None:
            begun = model.starts_at <= now
            query = query.where(model.ended_at.is_(None), model.ends_at > now,
                                begun if state is DeclarationState.ACTIVE else ~begun)
        if kind is not None:
            # ``kinds`` is a JSON list of enum values, none of them part of another: its
            # text holds the quoted value exactly when the list does, on either backend.
            query = query.where(cast(RegionalExemption.kinds, Text).contains(f'"{kind}"'))
        if cause is not None:
            query = query.where(RegionalExtension.cause == cause)
        return self.session.scalars(query).all()

    def declaration_to_end(self, model: type[Declaration],
                           declaration_id: int) -> Declaration | None:
        """One exemption or extension, locked: two reviewers ending it at once end it once."""
        return self.session.scalars(
            select(model).where(model.id == declaration_id).with_for_update()
            .execution_options(populate_existing=True)).first()

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

    def lock_days(self, keys: Sequence[tuple[int, date]], *,
                  skip_locked: bool = False) -> set[tuple[int, date]]:
        """Counters of several stores, created if missing and locked in the order given
        (callers sort them), in two statements whatever their number; returns the keys
        now locked. With ``skip_locked`` (PostgreSQL), those another transaction holds
        are left out rather than waited for (one it is creating is still waited for, at
        its first charge of the day)."""
        held = {key for key in keys if key in self._days}
        keys = [key for key in keys if key not in held]
        if not keys:
            return held
        dialect = self.session.get_bind().dialect.name
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # One prepared statement for every key (an executemany), not a VALUES list
        # compiled anew for each batch's keys.
        self.session.connection().execute(
            upsert(DailyDeduction.__table__).on_conflict_do_nothing(),
            [{"store_id": store_id, "day": day, "amount": ZERO} for store_id, day in keys])
        stores_of_day: dict[date, list[int]] = defaultdict(list)
        for store_id, day in keys:
            stores_of_day[day].append(store_id)
        counters = self.session.scalars(
            select(DailyDeduction)
            .where(or_(*(and_(DailyDeduction.day == day,
                              one_of(self.session, DailyDeduction.store_id, stores))
                         for day, stores in stores_of_day.items())))
            .order_by(DailyDeduction.store_id, DailyDeduction.day)
            .with_for_update(skip_locked=skip_locked)
            .execution_options(populate_existing=True))
        locked = {(c.store_id, c.day): c for c in counters}
        self._days.update(locked)
        return held | locked.keys()

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

