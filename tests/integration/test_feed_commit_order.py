"""The feed delivers an event whose transaction commits after a later-numbered one.

On PostgreSQL an event id is taken when the row is inserted, and the transaction may
commit long after: a reader that has gone past id 11 must still receive id 10 when its
transaction finally commits. Here one transaction writes an event and stays open while
another writes and commits a later one; the feed holds the later one back until the
first ends, then serves both, each exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from models import Event, Order
from negotiation.adapters.database import build_engine
from negotiation.services.notifications import feed
from tests.integration.support import events

pytestmark = pytest.mark.postgres

# Other sessions on the same server may hold the feed back for a moment too.
CATCH_UP_SECONDS = 10.0


class Poller:
    """A reader of the feed that keeps the last cursor it got, and everything it read."""

    def __init__(self, rt: Any, caller: Any) -> None:
        self.rt, self.caller = rt, caller
        self.cursor: str | None = None
        self.received: list[int] = []

    def poll(self) -> list[int]:
        """Every page from the last cursor on, until one comes back empty."""
        got: list[int] = []
        while True:
            page = feed.list_feed(self.rt.uow(), self.caller, limit=2, after=self.cursor)
            assert page.next_cursor  # also on an empty page
            self.cursor = page.next_cursor
            got += [item.id for item in page.items]
            if not page.items:
                self.received += got
                return got

    def poll_until(self, wanted: set[int]) -> list[int]:
        """Poll until every one of ``wanted`` has been received (or a while has passed)."""
        got: list[int] = []
        deadline = time.monotonic() + CATCH_UP_SECONDS
        while True:
            got += self.poll()
            if wanted <= set(self.received) or time.monotonic() > deadline:
                return got
            time.sleep(0.05)


def test_an_event_committed_after_a_later_numbered_one_is_still_delivered_once(rt, world):
    world.order("O-1")
    reader = Poller(rt, world.reviewer.caller)
    reader.poll_until({e.id for e in events(rt)})

    with rt.engine.connect() as slow:
        transaction = slow.begin()
        try:
            o1 = slow.scalar(select(Order.id).where(Order.order_no == "O-1"))
            lower = slow.scalar(_note(o1, rt))
            world.order("O-2")  # another transaction, committed while the first is open
            higher = max(e.id for e in events(rt))
            assert higher > lower

            held_back = reader.poll()
            assert higher not in held_back, "served past a transaction still running"
            assert lower not in held_back
            transaction.commit()
        finally:
            if transaction.is_active:
                transaction.rollback()

    assert reader.poll_until({lower, higher})[:2] == [lower, higher]
    reader.poll()
    everything = [e.id for e in events(rt)]
    assert Counter(reader.received) == Counter(everything)  # each exactly once


def test_an_event_numbered_before_one_already_served_is_still_delivered(rt, world):
    """The order is by transaction, not by id: an older transaction may insert its event
    after a younger one took a lower id, and commit first."""
    world.order("O-1")
    reader = Poller(rt, world.reviewer.caller)
    reader.poll_until({e.id for e in events(rt)})
    with rt.engine.connect() as older, rt.engine.connect() as younger:
        first, second = older.begin(), younger.begin()
        try:
            o1 = older.scalar(select(Order.id).where(Order.order_no == "O-1"))
            older.scalar(select(func.pg_current_xact_id()))  # takes its transaction id now
            lower = younger.scalar(_note(o1, rt))
            higher = older.scalar(_note(o1, rt))
            assert higher > lower
            first.commit()

            served = reader.poll_until({higher})
            assert higher in served and lower not in served
            second.commit()
        finally:
            for transaction in (first, second):
                if transaction.is_active:
                    transaction.rollback()

    assert reader.poll_until({lower}) == [lower]
    assert sorted(reader.received) == [e.id for e in events(rt)]


def test_a_transaction_in_another_database_of_the_server_holds_nothing_back(rt, world):
    """Transaction ids are the server's, but only this database's transactions can write
    its events: one left open in another database (another service, a benchmark) must
    not stall the feed."""
    world.order("O-1")
    reader = Poller(rt, world.reviewer.caller)
    reader.poll_until({e.id for e in events(rt)})
    elsewhere = build_engine(make_url(rt.engine.url).set(database="postgres")
                             .render_as_string(hide_password=False))
    try:
        with elsewhere.connect() as other:
            transaction = other.begin()
            other.scalar(select(func.pg_current_xact_id()))  # a writer's id, held open
            world.order("O-2")
            created = {e.id for e in events(rt)} - set(reader.received)
            assert created and set(reader.poll()) == created
            transaction.rollback()
    finally:
        elsewhere.dispose()


def _note(order_id: int, rt: Any) -> Any:
    return insert(Event).values(order_id=order_id, at=rt.clock.now(), actor="system",
                                type="order.noted", data={}).returning(Event.id)


def test_a_rolled_back_transaction_holds_nothing_back_once_it_ends(rt, world):
    world.order("O-1")
    reader = Poller(rt, world.reviewer.caller)
    reader.poll_until({e.id for e in events(rt)})
    with rt.engine.connect() as slow:
        transaction = slow.begin()
        o1 = slow.scalar(select(Order.id).where(Order.order_no == "O-1"))
        slow.execute(_note(o1, rt))
        world.order("O-2")
        assert reader.poll() == []  # held back by the transaction still open
        transaction.rollback()
    later = {e.id for e in events(rt) if e.type == "order.created"}
    reader.poll_until(later)
    assert sorted(reader.received) == [e.id for e in events(rt)]
    assert "order.noted" not in {e.type for e in events(rt)}


def test_the_service_writes_each_event_with_its_transactions_id(rt, world):
    world.order("O-1")
    world.order("O-2")
    with rt.sessions() as session:
        txids = session.scalars(select(Event.txid).order_by(Event.id)).all()
    assert len(txids) == 2 and 0 < txids[0] < txids[1]
