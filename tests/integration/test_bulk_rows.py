"""Rows inserted in bulk (``database.insert_rows``): as arrays on PostgreSQL from
``ROWS_AS_ARRAYS`` rows, as an executemany below; both must write the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from models import Event
from negotiation.adapters.database import ROWS_AS_ARRAYS, insert_rows

EVENTS = Event.__table__


def _rows(tag: str) -> list[dict]:
    at = datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    return [{"order_id": None, "store_id": None, "at": at + timedelta(microseconds=n),
             "actor": f"{n}", "type": "card.sent" if n % 3 else "order.created",
             "data": {"tag": tag, "n": n, "note": "协商发货" if n % 2 else None,
                      "list": [n, None]}}
            for n in range(ROWS_AS_ARRAYS + 4)]


def test_rows_inserted_as_arrays_are_those_an_executemany_writes(rt):
    with rt.uow() as uow:
        connection = uow.session.connection()
        insert_rows(connection, EVENTS, _rows("bulk"))
        connection.execute(insert(EVENTS), _rows("each"))
        uow.session.commit()
    with rt.uow() as uow:
        written = {tag: [{k: v for k, v in row._mapping.items() if k not in ("id", "txid")}
                         for row in uow.session.execute(
                             select(EVENTS).where(EVENTS.c.data["tag"].as_string() == tag)
                             .order_by(EVENTS.c.id))]
                   for tag in ("bulk", "each")}
    assert len(written["bulk"]) == ROWS_AS_ARRAYS + 4
    for bulk, each in zip(written["bulk"], written["each"], strict=True):
        assert {**bulk, "data": None} == {**each, "data": None}
        assert bulk["data"] == {**each["data"], "tag": "bulk"}
