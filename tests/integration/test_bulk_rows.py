"""Rows written in bulk: inserted by ``database.insert_rows`` and updated by a sweep
batch's ``write_changes_and_let_go``. On PostgreSQL they go as one array per column,
cast to the column's type (inserts from ``ROWS_AS_ARRAYS`` rows); they must be exactly
the rows an executemany writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from models import Event, LedgerEntry, Order
from negotiation.adapters.database import ROWS_AS_ARRAYS, insert_rows
from negotiation.domain.enums import LedgerKind, OrderStatus

EVENTS = Event.__table__
ENTRIES = LedgerEntry.__table__
COUNT = ROWS_AS_ARRAYS + 4
# Text an array must carry through unchanged: quotes, a backslash, braces and commas
# (which an array literal escapes), a newline, and Chinese.
AWKWARD = ['a "quoted", {braced} \\ name', "line\nbreak", "协商发货", "", "NULL", "{}"]


def _events(tag: str) -> list[dict]:
    at = datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    return [{"order_id": None, "store_id": None, "at": at + timedelta(microseconds=n),
             "actor": AWKWARD[n % len(AWKWARD)][:32],
             "type": "card.sent" if n % 3 else "order.created",
             "data": {"tag": tag, "n": n, "note": "协商发货" if n % 2 else None,
                      "list": [n, None], "text": AWKWARD[n % len(AWKWARD)]}}
            for n in range(COUNT)]


def _entries(tag: str, store_id: int, order_id: int) -> list[dict]:
    at = datetime(2026, 3, 1, 15, 59, 59, 999999, tzinfo=UTC)
    return [{"store_id": store_id, "order_id": order_id, "order_no": f"{tag}-{n}",
             "violation_id": None,
             "kind": LedgerKind.DEPOSIT_DEDUCTION if n % 2 else LedgerKind.BUYER_COMPENSATION,
             "amount": Decimal("10.00") + Decimal(n) / 100, "points": Decimal("0.10"),
             "at": at + timedelta(seconds=n), "applies_on": date(2026, 3, 2) if n % 3 else None,
             "revoked_at": None}
            for n in range(COUNT)]


def _without(row: object, *keys: str) -> dict:
    return {k: v for k, v in row._mapping.items() if k not in keys}  # type: ignore[attr-defined]


def test_events_inserted_in_bulk_are_those_an_executemany_writes(rt):
    with rt.uow() as uow:
        connection = uow.session.connection()
        insert_rows(connection, EVENTS, _events("bulk"))
        connection.execute(insert(EVENTS), _events("each"))
        uow.session.commit()
    with rt.uow() as uow:
        written = {tag: [_without(row, "id", "txid") for row in uow.session.execute(
                             select(EVENTS).where(EVENTS.c.data["tag"].as_string() == tag)
                             .order_by(EVENTS.c.id))]
                   for tag in ("bulk", "each")}
    assert len(written["bulk"]) == COUNT
    for bulk, each in zip(written["bulk"], written["each"], strict=True):
        assert {**bulk, "data": None} == {**each, "data": None}
        assert bulk["data"] == {**each["data"], "tag": "bulk"}


def test_ledger_entries_inserted_in_bulk_are_those_an_executemany_writes(rt, world):
    world.order("O-1")
    with rt.uow() as uow:
        order_id = uow.session.scalar(select(Order.id).where(Order.order_no == "O-1"))
        connection = uow.session.connection()
        insert_rows(connection, ENTRIES, _entries("bulk", world.store_id, order_id))
        connection.execute(insert(ENTRIES), _entries("each", world.store_id, order_id))
        uow.session.commit()
    with rt.uow() as uow:
        written = {tag: [_without(row, "id", "order_no") for row in uow.session.execute(
                             select(ENTRIES).where(ENTRIES.c.order_no.startswith(f"{tag}-"))
                             .order_by(ENTRIES.c.id))]
                   for tag in ("bulk", "each")}
    assert len(written["bulk"]) == COUNT
    assert written["bulk"] == written["each"]
    assert written["bulk"][1]["kind"] is LedgerKind.DEPOSIT_DEDUCTION
    assert written["bulk"][5]["amount"] == Decimal("10.05")


def test_changes_written_in_bulk_at_the_end_of_a_unit_are_those_the_orm_writes(rt, world):
    nos = [world.order(f"O-{n}") for n in range(2 * COUNT)]
    later = datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)

    def change(order: Order, n: int) -> None:
        order.region = AWKWARD[n % len(AWKWARD)] or None
        order.assess_at = later + timedelta(seconds=n)
        if n % 2:
            order.status = OrderStatus.CLOSED

    for ending, part in ((True, nos[:COUNT]), (False, nos[COUNT:])):
        with rt.uow() as uow:
            for n, order in enumerate(uow.session.scalars(
                    select(Order).where(Order.order_no.in_(part)).order_by(Order.id))):
                change(order, n)
            if ending:
                uow.session.write_changes_and_let_go()
                assert not uow.session.identity_map  # written here, not by the ORM's flush
            uow.session.commit()
    with rt.uow() as uow:
        rows = [_without(row, "id", "order_no") for row in uow.session.execute(
                    select(Order.__table__).where(Order.order_no.in_(nos)).order_by(Order.id))]
    assert rows[:COUNT] == rows[COUNT:]
    assert rows[1]["status"] is OrderStatus.CLOSED and rows[1]["region"] == AWKWARD[1]
    assert rows[0]["assess_at"] == later
