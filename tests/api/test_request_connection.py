"""A request takes one connection from the pool for all its units of work (its key's
read, its idempotency key, its use case) and gives it back whatever it answers; the key's
read commits on its own, and the use case after it is still one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from models import ApiKey, Card
from negotiation.adapters.event_repository import EventRepository
from tests.api.helpers import API, accept, propose, sent_card
from tests.conftest import START


@pytest.fixture
def checkouts(rt) -> Iterator[list[int]]:
    """One item per connection taken from the pool, from now on."""
    taken: list[int] = []

    def took(*_: Any) -> None:
        taken.append(1)

    event.listen(rt.engine, "checkout", took)
    yield taken
    event.remove(rt.engine, "checkout", took)


def cards_stored(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(Card)) or 0


def test_a_card_sent_and_answered_takes_one_connection_each(client, world, checkouts):
    world.order("O-1")
    checkouts.clear()
    card = sent_card(client, world)
    assert len(checkouts) == 1
    assert accept(client, world.buyer, card["id"]).status_code == 200
    assert len(checkouts) == 2


def test_an_idempotent_request_takes_one_connection_for_its_three_units(
        client, world, checkouts):
    world.order("O-1")
    checkouts.clear()
    first = propose(client, world, headers={**world.owner.headers, "Idempotency-Key": "k-1"})
    again = propose(client, world, headers={**world.owner.headers, "Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(checkouts) == 2


@pytest.mark.parametrize("answer", [201, 401, 404, 409, 422])
def test_the_connection_goes_back_to_the_pool_whatever_the_answer(client, world, rt, answer):
    world.order("O-1")
    if answer == 409:
        sent_card(client, world)
    headers = {"Authorization": "Bearer not-a-key"} if answer == 401 else None
    response = propose(client, world, "NOPE" if answer == 404 else "O-1", headers=headers,
                       days=-1 if answer == 422 else 5)
    assert response.status_code == answer, response.get_data(as_text=True)
    assert rt.engine.pool.checkedout() == 0


def test_a_use_case_that_fails_after_its_first_write_leaves_nothing(
        client, world, rt, monkeypatch):
    world.order("O-1")
    failed: list[str] = []
    write = EventRepository.write

    def fail(events: EventRepository, now: Any) -> None:
        if not events._events:  # a unit with no events (the key's stamp): as it is
            return write(events, now)
        failed.extend(row["type"] for row in events._events)
        raise RuntimeError("the events could not be written")

    # The card is flushed (to learn its id) before its event is written: the failure
    # comes after a write, which must not have committed on its own.
    monkeypatch.setattr(EventRepository, "write", fail)
    assert propose(client, world).status_code == 500
    assert failed == ["card.sent"]
    assert cards_stored(rt) == 0


def test_a_stale_keys_stamp_commits_even_when_the_use_case_is_refused(
        client, world, rt, clock):
    world.order("O-1")
    sent_card(client, world)
    clock.advance(timedelta(minutes=2))
    assert propose(client, world).status_code == 409  # a card is pending
    with rt.sessions() as session:
        stamped = session.scalar(select(ApiKey.last_used_at)
                                 .where(ApiKey.account_id == world.owner.id))
    assert stamped == START + timedelta(minutes=2)


def test_a_read_takes_one_connection(client, world, checkouts):
    world.order("O-1")
    checkouts.clear()
    assert client.get(f"{API}/orders/O-1", headers=world.owner.headers).status_code == 200
    assert len(checkouts) == 1


def driver_in_transaction(session: Any) -> bool:
    """Whether the driver's connection under the session is inside a transaction."""
    dbapi = session.connection().connection.dbapi_connection
    if hasattr(dbapi, "in_transaction"):  # sqlite3
        return bool(dbapi.in_transaction)
    return dbapi.info.transaction_status != 0  # psycopg: not IDLE


def test_a_shared_connection_is_in_the_mode_each_unit_asks_for(rt, world):
    """Statement by statement for the key's read, in a transaction for the use case, and
    the same again on the connection taken after one was given back."""
    from negotiation.adapters.database import SharedConnection

    shared = SharedConnection(rt.engine)
    for _ in range(2):
        with shared.session(autocommit=True) as session:
            session.execute(select(func.count()).select_from(Card))
            assert not driver_in_transaction(session)
        with shared.session() as session:
            session.execute(select(func.count()).select_from(Card))
            assert driver_in_transaction(session)
        with shared.session(autocommit=True) as session:
            session.execute(select(func.count()).select_from(Card))
            assert not driver_in_transaction(session)
        shared.close()
