"""Reading the database straight, to check what the services left behind; and empty
databases for the migrations."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from models import Card, Event, Negotiation, Order
from negotiation.adapters.database import build_engine, normalise_url
from negotiation.domain.enums import CardReason
from negotiation.runtime import Runtime
from negotiation.services.core.views import CardView
from negotiation.services.negotiation import cards
from tests.conftest import POSTGRES_URL, Actor


@contextmanager
def empty_postgres_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is an empty schema of its own, dropped after."""
    assert POSTGRES_URL is not None
    name = f"{prefix}_{os.getpid()}"
    server = build_engine(POSTGRES_URL)
    with server.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    url = make_url(normalise_url(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with server.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        server.dispose()


def propose(rt: Runtime, seller: Actor, order_no: str, *,
            after_deadline: timedelta = timedelta(days=2)) -> CardView:
    """Send a card for ``after_deadline`` past the order's current deadline."""
    with rt.uow() as uow:
        order = uow.orders.order(order_no)
        assert order is not None
        proposed = order.ship_by + after_deadline
    return cards.propose_card(rt.uow(), seller.caller, order_no, proposed_ship_by=proposed,
                              reason=CardReason.CUSTOM_MADE, remark="engraving")


def cards_of(rt: Runtime, order_no: str) -> list[Card]:
    with rt.sessions() as session:
        return list(session.scalars(
            select(Card).join(Negotiation).join(Order)
            .where(Order.order_no == order_no).order_by(Card.seq)))


def order_row(rt: Runtime, order_no: str) -> Order:
    with rt.sessions() as session:
        order = session.scalars(select(Order).where(Order.order_no == order_no)).one()
        session.expunge_all()
        return order


def negotiation_state(rt: Runtime, order_no: str) -> Any:
    with rt.sessions() as session:
        return session.scalar(select(Negotiation.state).join(Order)
                              .where(Order.order_no == order_no))


def events(rt: Runtime, order_no: str | None = None) -> list[Event]:
    with rt.sessions() as session:
        query = select(Event).join(Order, Event.order_id == Order.id).order_by(Event.id)
        if order_no is not None:
            query = query.where(Order.order_no == order_no)
        return list(session.scalars(query))


def event_counts(rt: Runtime, order_no: str | None = None) -> Counter[str]:
    return Counter(e.type for e in events(rt, order_no))
