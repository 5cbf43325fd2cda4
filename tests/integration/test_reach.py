"""RULES.md §1, written once: the orders a query returns for a caller are exactly those
:meth:`Caller.may_see` admits, for every role, the orders' list, their events' feed and
the inbox alike."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from negotiation.domain.caller import Caller
from negotiation.domain.enums import CardReason, Role
from negotiation.domain.event_types import EventTypes
from negotiation.services.accounts import stores
from negotiation.services.negotiation import cards
from tests.conftest import ADMIN, World


@pytest.fixture
def two_stores(world: World) -> list[Caller]:
    """Orders of two stores and two buyers, one card on each; every kind of caller."""
    other = stores.create_store(world.rt.uow(), ADMIN, name="Other store", region="Jiangsu")
    other_owner = world.actor(Role.OWNER, "other owner", other.id)
    second_buyer = world.actor(Role.BUYER, "second buyer")
    placed = [("A-1", None, None), ("A-2", second_buyer, None),
              ("B-1", None, other.id), ("B-2", second_buyer, other.id)]
    proposed = world.rt.clock.now() + timedelta(days=3)
    for order_no, buyer, store_id in placed:
        world.order(order_no, buyer=buyer, store_id=store_id)
        seller = other_owner if store_id else world.owner
        cards.propose_card(world.rt.uow(), seller.caller, order_no,
                           proposed_ship_by=proposed, reason=CardReason.STOCK_SHORTAGE)
    return [world.owner.caller, world.agent.caller, other_owner.caller, world.buyer.caller,
            second_buyer.caller, world.reviewer.caller, Caller(role=Role.ADMIN),
            Caller(role=Role.OWNER, account_id=999), Caller(role=Role.BUYER)]


def served_feed(world: World, orders: int, timeout: float = 10) -> None:
    """Wait until the feed serves events of every order. On PostgreSQL it holds back events
    while an older transaction of the server still runs (another database's, say): they are
    delayed, never lost (API.md, *Change feed*)."""
    until = time.monotonic() + timeout
    while True:
        with world.rt.uow() as uow:
            served = {event.order_id for event, _ in uow.events.feed(
                Caller(role=Role.ADMIN), after=(0, 0), limit=1000,
                types=EventTypes.parse(["*"]))}
        if len(served) == orders or time.monotonic() > until:
            return
        time.sleep(0.1)


def test_a_query_returns_exactly_the_orders_a_caller_may_see(
        world: World, two_stores: list[Caller]) -> None:
    served_feed(world, orders=4)
    uow = world.rt.uow()
    with uow:
        everything = uow.orders.visible_orders(Caller(role=Role.ADMIN), after_id=None,
                                             limit=100)
        assert len(everything) == 4
        for caller in two_stores:
            listed = {o.order_no for o in uow.orders.visible_orders(caller, after_id=None,
                                                                  limit=100)}
            admitted = {o.order_no for o in everything if caller.may_see(o)}
            assert listed == admitted, caller
            by_feed = {event.order_id for event, _ in uow.events.feed(
                caller, after=(0, 0), limit=1000, types=EventTypes.parse(["*"]))}
            assert by_feed == {o.id for o in everything if caller.may_see(o)}, caller


def test_who_sees_what() -> None:
    class Order:
        store_id, buyer_id = 1, 7

    order = Order()
    assert Caller(role=Role.OWNER, account_id=1, store_id=1).may_see(order)
    assert not Caller(role=Role.AGENT, account_id=2, store_id=2).may_see(order)
    assert Caller(role=Role.BUYER, account_id=7).may_see(order)
    assert not Caller(role=Role.BUYER, account_id=8).may_see(order)
    assert Caller(role=Role.REVIEWER, account_id=3).may_see(order)
    assert Caller(role=Role.ADMIN).may_see(order)
    assert not Caller(role=Role.OWNER, account_id=4).may_see(order)  # no store: nothing
    assert not Caller(role=Role.BUYER).may_see(order)
