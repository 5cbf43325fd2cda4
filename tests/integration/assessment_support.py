"""A backlog of orders past their ship deadline, and what the ledger must hold once the
sweep has assessed it: one violation per order, one charge per violation, the caps kept."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from models import DailyDeduction, Event, LedgerEntry, Order, Violation
from negotiation import create_app
from negotiation.clock import Clock
from negotiation.domain.enums import LedgerKind, OrderStatus, Role, ViolationKind
from negotiation.runtime import Runtime
from negotiation.services.accounts import accounts, stores
from negotiation.services.orders import orders
from tests.conftest import ADMIN, ADMIN_TOKEN

DEDUCTION = Decimal("10")  # the policy default, per violating order
AMOUNT = Decimal("100.00")
COMPENSATION = Decimal("5.00")  # 5% of 100, the policy's floor


def sweeping_app(database_url: str, clock: Clock, policy: dict[str, Any],
                 tmp_path: Path) -> Flask:
    """An app of its own (engine, pool, runtime) over the same database: one sweeper."""
    return create_app({"TESTING": True, "DATABASE_URL": database_url,
                       "ADMIN_TOKEN": ADMIN_TOKEN, "SECRET_KEY": "test-secret",
                       "EVIDENCE_DIR": str(tmp_path / "evidence"), "POLICY": policy},
                      clock=clock)


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["negotiation"]


@dataclass
class Backlog:
    """Order numbers by store, and all of them in the order they were created."""

    orders_of: dict[int, list[str]] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)

    @property
    def order_nos(self) -> list[str]:
        return [no for nos in self.orders_of.values() for no in nos]


def new_stores(rt: Runtime, count: int, prefix: str = "Sweep store") -> list[int]:
    return [stores.create_store(rt.uow(), ADMIN, name=f"{prefix} {i}", region="Zhejiang").id
            for i in range(count)]


def add_orders(rt: Runtime, backlog: Backlog, store_ids: list[int], count: int, *,
               buyer_id: int, ship_by: datetime, paid_at: datetime) -> None:
    """``count`` orders through the real use case, round-robin over ``store_ids``."""
    for i in range(count):
        store_id = store_ids[i % len(store_ids)]
        nos = backlog.orders_of.setdefault(store_id, [])
        order_no = f"S{store_id}-{len(nos):04d}"
        orders.create_order(rt.uow(), ADMIN, order_no=order_no, store_id=store_id,
                            buyer_id=buyer_id, amount=AMOUNT, paid_at=paid_at,
                            ship_by=ship_by)
        nos.append(order_no)
        backlog.created.append(order_no)


def new_buyer(rt: Runtime) -> int:
    view = accounts.create_account(rt.uow(), ADMIN, role=Role.BUYER, name="backlog buyer")
    assert view.id is not None
    return view.id


# --- what the database holds --------------------------------------------------------------


@dataclass
class Books:
    """Everything the assessment wrote, keyed by order number."""

    violations: Counter[tuple[str, ViolationKind]]
    unexempted: Counter[str]
    deductions: dict[str, list[Decimal]]  # every deposit deduction entry of an order
    compensations: dict[str, list[Decimal]]
    deducted: dict[tuple[int, date], Decimal]  # the ledger's sum per store and day
    counters: dict[tuple[int, date], Decimal]  # the daily-cap counter rows
    events: dict[str, Counter[str]]
    status: dict[str, OrderStatus]
    store_of: dict[str, int]

    def event_count(self, order_no: str, kind: str) -> int:
        return self.events.get(order_no, Counter())[kind]


def books(rt: Runtime) -> Books:
    with rt.sessions() as session:
        store_of = dict(session.execute(select(Order.order_no, Order.store_id)).all())
        status = dict(session.execute(select(Order.order_no, Order.status)).all())
        violations: Counter[tuple[str, ViolationKind]] = Counter()
        unexempted: Counter[str] = Counter()
        for order_no, kind, exempted_by in session.execute(
                select(Order.order_no, Violation.kind, Violation.exempted_by)
                .join(Order, Violation.order_id == Order.id)):
            violations[(order_no, kind)] += 1
            if exempted_by is None:
                unexempted[order_no] += 1
        deductions: dict[str, list[Decimal]] = defaultdict(list)
        compensations: dict[str, list[Decimal]] = defaultdict(list)
        deducted: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
        for order_no, store_id, kind, amount, applies_on in session.execute(
                select(LedgerEntry.order_no, LedgerEntry.store_id, LedgerEntry.kind,
                       LedgerEntry.amount, LedgerEntry.applies_on)
                .order_by(LedgerEntry.id)):
            if kind is LedgerKind.DEPOSIT_DEDUCTION:
                deductions[order_no].append(amount)
                deducted[(store_id, applies_on)] += amount
            elif kind is LedgerKind.BUYER_COMPENSATION:
                compensations[order_no].append(amount)
        counters = {(c.store_id, c.day): c.amount
                    for c in session.scalars(select(DailyDeduction))}
        events: dict[str, Counter[str]] = defaultdict(Counter)
        for order_no, kind, count in session.execute(
                select(Order.order_no, Event.type, func.count())
                .join(Order, Event.order_id == Order.id)
                .group_by(Order.order_no, Event.type)):
            events[order_no][kind] = count
    return Books(violations, unexempted, dict(deductions), dict(compensations),
                 dict(deducted), counters, dict(events), status, store_of)


def violation_count(rt: Runtime) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(Violation)) or 0


def problems_with_assessed(b: Books, order_no: str) -> list[str]:
    """What is wrong with one order the sweep has assessed (an empty list: nothing)."""
    found = []
    if b.violations[(order_no, ViolationKind.LATE_SHIPMENT)] != 1:
        found.append(f"{b.violations[(order_no, ViolationKind.LATE_SHIPMENT)]} late_shipment "
                     "violations")
    if b.violations[(order_no, ViolationKind.COLLECTION_TIMEOUT)]:
        found.append("a collection timeout, which was not due")
    if b.unexempted[order_no] != 1:
        found.append(f"{b.unexempted[order_no]} unexempted violations")
    if len(b.deductions.get(order_no, [])) != 1:
        found.append(f"deduction entries {b.deductions.get(order_no)}")
    if b.compensations.get(order_no) != [COMPENSATION]:
        found.append(f"compensation entries {b.compensations.get(order_no)}")
    for kind in ("violation.late_shipment", "penalty.deducted", "compensation.paid",
                 "negotiation.failed"):
        if b.event_count(order_no, kind) != 1:
            found.append(f"{b.event_count(order_no, kind)} {kind} events")
    if b.status[order_no] is not OrderStatus.AWAITING_SHIPMENT:
        found.append(f"status {b.status[order_no].value}")
    return found


def problems_with_unassessed(b: Books, order_no: str) -> list[str]:
    """An order a killed sweep never committed must carry nothing of its assessment."""
    found = []
    if any(b.violations[(order_no, kind)] for kind in ViolationKind):
        found.append("violations")
    if b.deductions.get(order_no) or b.compensations.get(order_no):
        found.append("ledger entries")
    written = {k: n for k, n in b.events.get(order_no, Counter()).items()
               if k != "order.created"}
    if written:
        found.append(f"events {written}")
    return found


def cap_problems(b: Books, cap: Decimal) -> list[str]:
    """The daily cap per store and day, and the counter agreeing with the ledger."""
    found = [f"store {store} deducted {total} on {day}, over the cap {cap}"
             for (store, day), total in b.deducted.items() if total > cap]
    for key, total in b.deducted.items():
        counter = b.counters.get(key, Decimal("0"))
        if counter != total:
            found.append(f"store {key[0]} on {key[1]}: counter {counter}, ledger {total}")
    return found


def expected_deducted(orders_in_store: int, cap: Decimal) -> Decimal:
    """A store's total once all its late orders are charged: 10 each, up to the cap."""
    return min(DEDUCTION * orders_in_store, cap)


def assert_every_order_charged_exactly_once(b: Books, backlog: Backlog, cap: Decimal) -> None:
    wrong = {no: p for no in backlog.order_nos if (p := problems_with_assessed(b, no))}
    assert not wrong, f"{len(wrong)} orders assessed wrongly, e.g. {list(wrong.items())[:5]}"
    problems = cap_problems(b, cap)
    assert not problems, f"the daily cap: {problems}"
    if len({day for _store, day in b.deducted}) > 1:
        return  # a run that crossed midnight in Shanghai: two days, two caps
    per_store = {store: total for (store, _day), total in b.deducted.items()}
    expected = {store: expected_deducted(len(nos), cap)
                for store, nos in backlog.orders_of.items()}
    assert per_store == expected, f"deducted per store {per_store}, expected {expected}"
    for store, nos in backlog.orders_of.items():
        charged = Counter(b.deductions[no][0] for no in nos)
        taken = int(expected_deducted(len(nos), cap) // DEDUCTION)
        assert charged == Counter({DEDUCTION: taken, Decimal("0"): len(nos) - taken}), (
            f"store {store}: deductions {dict(charged)}, expected {taken} of {DEDUCTION}")
