"""The use cases against the real database: what they store, and what the database refuses."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import Card, Negotiation, Order
from negotiation.domain.enums import CardReason, CardState, NegotiationState, ShipBySource
from negotiation.domain.errors import Forbidden, InvalidInput, Refused
from negotiation.services.negotiation import cards as card_service
from negotiation.services.orders import orders as order_service
from tests.conftest import START
from tests.integration.support import (
    cards_of,
    event_counts,
    events,
    negotiation_state,
    order_row,
    propose,
)

H = timedelta(hours=1)
S = timedelta(seconds=1)


def test_a_proposal_is_stored_with_its_number_expiry_and_event(rt, world):
    world.order("O-1")
    view = propose(rt, world.agent, "O-1")
    (card,) = cards_of(rt, "O-1")
    assert (card.id, card.seq, card.state) == (view.id, 1, CardState.PENDING)
    assert card.sent_at == START and card.expires_at == START + 24 * H
    assert card.expires_at.tzinfo is not None and card.expires_at.utcoffset() == timedelta(0)
    assert card.sent_by == world.agent.id
    assert negotiation_state(rt, "O-1") is NegotiationState.AWAITING_BUYER
    (sent,) = [e for e in events(rt, "O-1") if e.type == "card.sent"]
    assert sent.data["card_id"] == card.id and sent.actor == str(world.agent.id)


def test_an_acceptance_at_23_59_59_moves_the_stored_deadline(rt, world, clock):
    world.order("O-1")
    view = propose(rt, world.owner, "O-1")
    clock.set(START + 24 * H - S)
    card_service.accept_card(rt.uow(), world.buyer.caller, view.id)
    order = order_row(rt, "O-1")
    assert order.ship_by == view.proposed_ship_by
    assert order.ship_by_source is ShipBySource.AGREED_CARD
    assert negotiation_state(rt, "O-1") is NegotiationState.AGREED
    assert event_counts(rt, "O-1")["order.deadline_changed"] == 1


def test_an_answer_at_24_00_00_is_refused_and_the_expiry_is_stored_once(rt, world, clock):
    world.order("O-1")
    view = propose(rt, world.owner, "O-1")
    clock.set(START + 24 * H)
    for _ in range(2):
        with pytest.raises(Refused) as raised:
            card_service.accept_card(rt.uow(), world.buyer.caller, view.id)
        assert raised.value.code == "card_expired"
    assert [c.state for c in cards_of(rt, "O-1")] == [CardState.EXPIRED]
    assert negotiation_state(rt, "O-1") is NegotiationState.OPEN
    assert event_counts(rt, "O-1")["card.expired"] == 1


def test_a_withdrawal_past_expiry_answers_card_expired(rt, world, clock):
    world.order("O-1")
    view = propose(rt, world.owner, "O-1")
    clock.set(START + 30 * H)
    with pytest.raises(Refused) as raised:
        card_service.withdraw_card(rt.uow(), world.owner.caller, view.id)
    assert raised.value.code == "card_expired"


def test_a_card_sent_five_hours_before_the_deadline_is_stored_expiring_at_it(rt, world, clock):
    world.order("O-1", ship_by=START + 47 * H)
    clock.set(START + 42 * H)
    view = propose(rt, world.owner, "O-1")
    assert view.expires_at == START + 47 * H
    clock.set(START + 47 * H)
    negotiation = card_service.get_negotiation(rt.uow(), world.owner.caller, "O-1")
    assert negotiation.state == "failed"
    negotiation_events = [e.type for e in events(rt, "O-1") if e.type.startswith(
        ("card.", "negotiation."))]
    assert negotiation_events[-2:] == ["card.expired", "negotiation.failed"]


def test_a_refused_proposal_stores_nothing(rt, world):
    world.order("O-1")
    propose(rt, world.owner, "O-1")
    counts = event_counts(rt, "O-1")
    with pytest.raises(Refused) as raised:
        propose(rt, world.owner, "O-1")
    assert raised.value.code == "card_pending"
    assert len(cards_of(rt, "O-1")) == 1
    assert event_counts(rt, "O-1") == counts


def test_a_buyer_proposing_is_forbidden(rt, world):
    world.order("O-1")
    with pytest.raises(Forbidden):
        propose(rt, world.buyer, "O-1")


def test_three_withdrawn_cards_exhaust_the_negotiation(rt, world, clock):
    world.order("O-1")
    for _ in range(3):
        view = propose(rt, world.owner, "O-1")
        clock.advance(H)
        card_service.withdraw_card(rt.uow(), world.agent.caller, view.id)
    assert negotiation_state(rt, "O-1") is NegotiationState.FAILED
    with pytest.raises(Refused) as raised:
        propose(rt, world.owner, "O-1")
    assert raised.value.code == "card_limit_reached"
    assert [c.seq for c in cards_of(rt, "O-1")] == [1, 2, 3]


def test_a_rejection_with_a_past_preferred_time_is_invalid_and_stores_nothing(rt, world, clock):
    world.order("O-1")
    view = propose(rt, world.owner, "O-1")
    clock.advance(H)
    with pytest.raises(InvalidInput):
        card_service.reject_card(rt.uow(), world.buyer.caller, view.id,
                                 preferred_ship_by=START)
    assert [c.state for c in cards_of(rt, "O-1")] == [CardState.PENDING]
    card_service.reject_card(rt.uow(), world.buyer.caller, view.id, note="later",
                             preferred_ship_by=START + 60 * H)
    (card,) = cards_of(rt, "O-1")
    assert (card.state, card.buyer_note, card.preferred_ship_by) == (
        CardState.REJECTED, "later", START + 60 * H)


def test_shipping_voids_the_pending_card_and_closes_the_negotiation(rt, world, clock):
    world.order("O-1")
    propose(rt, world.owner, "O-1")
    clock.advance(H)
    order_service.ship_order(rt.uow(), world.agent.caller, "O-1", carrier="SF",
                             tracking_no="SF100")
    assert [c.state for c in cards_of(rt, "O-1")] == [CardState.VOIDED]
    assert negotiation_state(rt, "O-1") is NegotiationState.CLOSED
    assert event_counts(rt, "O-1")["card.voided"] == 1


# --- the database's own guards --------------------------------------------------------


def _insert_card(rt, order_no: str, seq: int, state: CardState) -> None:
    with rt.sessions() as session, session.begin():
        negotiation = session.scalars(select(Negotiation).join(Order)
                                      .where(Order.order_no == order_no)).one()
        session.add(Card(negotiation_id=negotiation.id, seq=seq, state=state,
                         proposed_ship_by=START + 100 * H, reason=CardReason.OTHER, remark="",
                         sent_at=START, expires_at=START + 24 * H))


def test_the_database_refuses_a_second_pending_card_for_one_order(rt, world):
    world.order("O-1")
    propose(rt, world.owner, "O-1")
    with pytest.raises(IntegrityError):
        _insert_card(rt, "O-1", 2, CardState.PENDING)
    _insert_card(rt, "O-1", 2, CardState.REJECTED)  # a closed card is no conflict


def test_the_database_refuses_two_cards_with_one_number(rt, world):
    world.order("O-1")
    propose(rt, world.owner, "O-1")
    with pytest.raises(IntegrityError):
        _insert_card(rt, "O-1", 1, CardState.REJECTED)


def test_pending_cards_of_different_orders_do_not_collide(rt, world):
    world.order("O-1")
    world.order("O-2")
    propose(rt, world.owner, "O-1")
    propose(rt, world.owner, "O-2")
    assert [len(cards_of(rt, no)) for no in ("O-1", "O-2")] == [1, 1]


def test_instants_come_back_as_aware_utc(rt, world):
    world.order("O-1")
    order = order_row(rt, "O-1")
    for instant in (order.paid_at, order.ship_by, order.original_ship_by, order.created_at):
        assert instant.tzinfo is not None and instant.utcoffset() == timedelta(0)
    assert order.ship_by == (START + 47 * H).astimezone(UTC)
