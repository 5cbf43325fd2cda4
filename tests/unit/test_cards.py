"""A card's life (RULES.md §2, §5): expiry, answers, withdrawal, shipping, agreement."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from negotiation.domain import eligibility
from negotiation.domain import negotiating as rules
from negotiation.domain.enums import (
    Action,
    CardState,
    NegotiationState,
    OrderStatus,
    ShipBySource,
)
from negotiation.domain.errors import Forbidden, InvalidInput, Refused
from negotiation.domain.policy import Policy
from tests.unit.fakes import (
    AGENT,
    BUYER,
    DEADLINE,
    OTHER_BUYER,
    OWNER,
    POLICY,
    REVIEWER,
    START,
    FakeNegotiation,
    FakeStore,
    order,
    send,
)

H = timedelta(hours=1)
S = timedelta(seconds=1)


def sent_card(now=START, **kw):
    store, o, n = FakeStore(), order(**kw), FakeNegotiation()
    c = send(store, o, n, now)
    return store, o, n, c


def types(events):
    return [e.type for e in events]


def instant(text: str) -> datetime:
    """An instant as events carry it (ISO 8601, any UTC spelling)."""
    return datetime.fromisoformat(text)


# --- when a card expires ----------------------------------------------------------------


def test_a_card_expires_24_hours_after_it_was_sent():
    _, _, n, c = sent_card()
    assert c.expires_at == START + 24 * H
    assert n.state is NegotiationState.AWAITING_BUYER
    assert c.state is CardState.PENDING and c.seq == 1


def test_an_answer_at_23_59_59_after_sending_is_accepted():
    _, o, n, c = sent_card()
    rules.accept(BUYER, o, n, c, START + 24 * H - S)
    assert c.state is CardState.ACCEPTED
    assert n.state is NegotiationState.AGREED


def test_an_answer_at_exactly_24_hours_after_sending_is_refused_as_card_expired():
    _, o, n, c = sent_card()
    with pytest.raises(Refused) as raised:
        rules.accept(BUYER, o, n, c, START + 24 * H)
    assert raised.value.code == "card_expired"
    assert c.state is CardState.PENDING and n.state is NegotiationState.AWAITING_BUYER


def test_a_rejection_at_exactly_24_hours_is_refused_as_card_expired():
    _, o, n, c = sent_card()
    with pytest.raises(Refused) as raised:
        rules.reject(BUYER, o, n, c, START + 24 * H, POLICY)
    assert raised.value.code == "card_expired"


def test_a_withdrawal_at_exactly_24_hours_is_refused_as_card_expired():
    _, o, n, c = sent_card()
    with pytest.raises(Refused) as raised:
        rules.withdraw(OWNER, o, n, c, START + 24 * H, POLICY)
    assert raised.value.code == "card_expired"


def test_a_card_sent_5_hours_before_the_deadline_expires_at_the_deadline():
    _, _, _, c = sent_card(now=DEADLINE - 5 * H)
    assert c.expires_at == DEADLINE


def test_the_answer_window_is_configurable():
    store, o, n = FakeStore(), order(), FakeNegotiation()
    c = send(store, o, n, START, policy=Policy(answer_window=2 * H))
    assert c.expires_at == START + 2 * H


def test_card_expires_at_takes_the_earlier_of_window_and_deadline():
    assert rules.card_expires_at(START, START + 25 * H, POLICY) == START + 24 * H
    assert rules.card_expires_at(START, START + 24 * H, POLICY) == START + 24 * H
    assert rules.card_expires_at(START, START + 23 * H, POLICY) == START + 23 * H


def test_a_card_already_marked_expired_answers_card_expired_not_card_not_pending():
    _, o, n, c = sent_card()
    rules.settle(o, n, START + 24 * H, POLICY)
    assert c.state is CardState.EXPIRED
    with pytest.raises(Refused) as raised:
        rules.accept(BUYER, o, n, c, START + 30 * H)
    assert raised.value.code == "card_expired"


def test_answering_an_answered_card_is_refused_as_card_not_pending():
    _, o, n, c = sent_card()
    rules.reject(BUYER, o, n, c, START + H, POLICY)
    with pytest.raises(Refused) as raised:
        rules.accept(BUYER, o, n, c, START + 2 * H)
    assert raised.value.code == "card_not_pending"


# --- settle: what time makes due ---------------------------------------------------------


def test_settle_before_expiry_changes_nothing():
    _, o, n, c = sent_card()
    assert rules.settle(o, n, START + 24 * H - S, POLICY) == []
    assert c.state is CardState.PENDING


def test_settle_stamps_the_expiry_at_expires_at_not_at_now():
    _, o, n, c = sent_card()
    events = rules.settle(o, n, START + 30 * H, POLICY)
    assert types(events) == ["card.expired"]
    assert events[0].at == START + 24 * H
    assert events[0].actor == "system"
    assert c.state is CardState.EXPIRED
    assert n.state is NegotiationState.OPEN


def test_settle_is_idempotent():
    _, o, n, _ = sent_card()
    rules.settle(o, n, START + 30 * H, POLICY)
    assert rules.settle(o, n, START + 30 * H, POLICY) == []


def test_the_third_card_expiring_fails_the_negotiation_as_cards_exhausted():
    store, o, n = FakeStore(), order(original_ship_by=START + 10 * 24 * H), FakeNegotiation()
    now = START
    for _ in range(3):
        c = send(store, o, n, now)
        now = c.expires_at
        events = rules.settle(o, n, now, POLICY)
    assert types(events) == ["card.expired", "negotiation.failed"]
    assert events[1].data == {"reason": "cards_exhausted"}
    assert events[1].at == c.expires_at
    assert n.state is NegotiationState.FAILED


def test_the_second_card_expiring_reopens_the_negotiation():
    store, o, n = FakeStore(), order(original_ship_by=START + 10 * 24 * H), FakeNegotiation()
    first = send(store, o, n, START)
    rules.settle(o, n, first.expires_at, POLICY)
    second = send(store, o, n, first.expires_at)
    assert types(rules.settle(o, n, second.expires_at, POLICY)) == ["card.expired"]
    assert n.state is NegotiationState.OPEN


def test_the_deadline_passing_without_agreement_fails_the_negotiation():
    o, n = order(), FakeNegotiation()
    assert rules.settle(o, n, DEADLINE - S, POLICY) == []
    events = rules.settle(o, n, DEADLINE, POLICY)
    assert types(events) == ["negotiation.failed"]
    assert events[0].data == {"reason": "deadline_passed"}
    assert events[0].at == DEADLINE
    assert n.state is NegotiationState.FAILED


def test_a_card_capped_at_the_deadline_expires_and_then_the_negotiation_lapses():
    _, o, n, c = sent_card(now=DEADLINE - 5 * H)
    events = rules.settle(o, n, DEADLINE, POLICY)
    assert types(events) == ["card.expired", "negotiation.failed"]
    assert [e.at for e in events] == [DEADLINE, DEADLINE]
    assert events[1].data == {"reason": "deadline_passed"}
    assert c.state is CardState.EXPIRED and n.state is NegotiationState.FAILED


def test_an_agreed_negotiation_does_not_lapse_at_the_original_deadline():
    _, o, n, c = sent_card()
    rules.accept(BUYER, o, n, c, START + H)
    assert rules.settle(o, n, DEADLINE + H, POLICY) == []
    assert n.state is NegotiationState.AGREED


def test_a_shipped_order_does_not_lapse():
    _, o, n, _ = sent_card()
    rules.ship(OWNER, o, n, START + H, carrier="SF", tracking_no="T1")
    assert rules.settle(o, n, DEADLINE + H, POLICY) == []


@pytest.mark.parametrize("offset", [-S, timedelta(0), S, 23 * H])
@pytest.mark.parametrize("situation", ["pending", "open", "agreed", "shipped", "capped"])
def test_is_due_agrees_with_settle(situation, offset):
    _, o, n, c = sent_card(now=DEADLINE - 5 * H if situation == "capped" else START)
    if situation == "open":
        rules.reject(BUYER, o, n, c, START + H, POLICY)
    elif situation == "agreed":
        rules.accept(BUYER, o, n, c, START + H)
    elif situation == "shipped":
        rules.ship(AGENT, o, n, START + H, carrier="SF", tracking_no="T")
    for anchor in (c.expires_at, o.ship_by):
        now = anchor + offset
        due = rules.is_due(o, n, now)
        state = (n.state, c.state)
        changed = rules.settle(o, n, now, POLICY) != []
        assert due == changed, (situation, now, state)


# --- withdrawal ---------------------------------------------------------------------------


def test_a_withdrawn_card_still_counts_toward_the_three():
    store, o, n = FakeStore(), order(), FakeNegotiation()
    for i in range(3):
        c = send(store, o, n, START + i * H)
        events = rules.withdraw(AGENT, o, n, c, START + i * H + S, POLICY)
    assert [c.state for c in n.cards] == [CardState.WITHDRAWN] * 3
    assert types(events) == ["card.withdrawn", "negotiation.failed"]
    assert events[1].data == {"reason": "cards_exhausted"}
    assert n.state is NegotiationState.FAILED
    assert eligibility.cards_left(n, POLICY) == 0
    with pytest.raises(Refused) as raised:
        send(store, o, n, START + 4 * H)
    assert raised.value.code == "card_limit_reached"


def test_a_buyer_may_not_withdraw_a_card():
    _, o, n, c = sent_card()
    with pytest.raises(Forbidden):
        rules.withdraw(BUYER, o, n, c, START + H, POLICY)
    assert c.state is CardState.PENDING


# --- rejection ----------------------------------------------------------------------------


def test_a_rejection_keeps_the_buyers_preferred_time_and_note():
    _, o, n, c = sent_card()
    preferred = DEADLINE + 24 * H
    events = rules.reject(BUYER, o, n, c, START + H, POLICY, note="too late",
                          preferred_ship_by=preferred)
    assert c.state is CardState.REJECTED and c.answered_at == START + H
    assert (c.buyer_note, c.preferred_ship_by) == ("too late", preferred)
    assert instant(events[0].data["preferred_ship_by"]) == preferred
    assert n.state is NegotiationState.OPEN
    assert o.ship_by == DEADLINE and o.ship_by_source is ShipBySource.ORIGINAL


@pytest.mark.parametrize("preferred", [START, START + H, START - H],
                         ids=["at-now", "equal-to-answer-time", "past"])
def test_a_rejection_with_a_preferred_time_not_in_the_future_is_invalid_input(preferred):
    _, o, n, c = sent_card()
    with pytest.raises(InvalidInput) as raised:
        rules.reject(BUYER, o, n, c, START + H, POLICY, preferred_ship_by=preferred)
    assert raised.value.field == "preferred_ship_by"
    assert c.state is CardState.PENDING and n.state is NegotiationState.AWAITING_BUYER


def test_a_rejection_with_a_preferred_time_one_second_ahead_is_accepted():
    _, o, n, c = sent_card()
    rules.reject(BUYER, o, n, c, START + H, POLICY, preferred_ship_by=START + H + S)
    assert c.state is CardState.REJECTED


@pytest.mark.parametrize("caller", [OTHER_BUYER, OWNER, REVIEWER], ids=["other-buyer",
                                                                          "owner", "reviewer"])
def test_only_the_orders_buyer_may_answer(caller):
    _, o, n, c = sent_card()
    with pytest.raises(Forbidden):
        rules.accept(caller, o, n, c, START + H)
    with pytest.raises(Forbidden):
        rules.reject(caller, o, n, c, START + H, POLICY)


# --- agreement ----------------------------------------------------------------------------


def test_an_accepted_card_makes_its_time_the_orders_deadline_from_the_agreed_card():
    _, o, n, c = sent_card()
    events = rules.accept(BUYER, o, n, c, START + H)
    assert o.ship_by == c.proposed_ship_by
    assert o.ship_by_source is ShipBySource.AGREED_CARD
    assert o.original_ship_by == DEADLINE
    assert c.answered_at == START + H
    assert types(events) == ["card.accepted", "negotiation.agreed", "order.deadline_changed"]
    changed = events[2].data
    assert (instant(changed["from"]), instant(changed["to"]), changed["source"]) == (
        DEADLINE, c.proposed_ship_by, "agreed_card")


def test_after_agreement_no_card_may_be_sent_even_before_the_new_deadline():
    store, o, n, c = sent_card()
    rules.accept(BUYER, o, n, c, START + H)
    with pytest.raises(Refused) as raised:
        send(store, o, n, START + 2 * H)
    assert raised.value.code == "already_agreed"


def test_shipping_after_the_agreed_time_is_late_and_before_it_is_not():
    _, o, n, c = sent_card()
    rules.accept(BUYER, o, n, c, START + H)
    on_time = rules.ship(OWNER, o, n, c.proposed_ship_by - S, carrier="SF", tracking_no="T")
    assert on_time[-1].data["late"] is False
    _, o2, n2, c2 = sent_card()
    rules.accept(BUYER, o2, n2, c2, START + H)
    late = rules.ship(OWNER, o2, n2, c2.proposed_ship_by, carrier="SF", tracking_no="T")
    assert late[-1].data["late"] is True


# --- shipping ------------------------------------------------------------------------------


def test_shipping_voids_a_pending_card_and_closes_the_negotiation():
    _, o, n, c = sent_card()
    events = rules.ship(AGENT, o, n, START + H, carrier="SF", tracking_no="T1")
    assert c.state is CardState.VOIDED
    assert n.state is NegotiationState.CLOSED
    assert o.status is OrderStatus.SHIPPED and o.shipped_at == START + H
    assert types(events) == ["card.voided", "negotiation.closed", "order.shipped"]


def test_shipping_with_no_card_closes_an_open_negotiation():
    o, n = order(), FakeNegotiation()
    assert types(rules.ship(OWNER, o, n, START, carrier="SF", tracking_no="T")) == [
        "negotiation.closed", "order.shipped"]
    assert n.state is NegotiationState.CLOSED


def test_shipping_after_agreement_keeps_the_negotiation_agreed():
    _, o, n, c = sent_card()
    rules.accept(BUYER, o, n, c, START + H)
    assert types(rules.ship(OWNER, o, n, START + 2 * H, carrier="SF", tracking_no="T")) == [
        "order.shipped"]
    assert n.state is NegotiationState.AGREED and c.state is CardState.ACCEPTED


def test_shipping_twice_is_refused():
    o, n = order(), FakeNegotiation()
    rules.ship(OWNER, o, n, START, carrier="SF", tracking_no="T")
    with pytest.raises(Refused) as raised:
        rules.ship(OWNER, o, n, START + H, carrier="SF", tracking_no="T2")
    assert raised.value.code == "order_not_awaiting_shipment"


def test_a_buyer_may_not_ship():
    with pytest.raises(Forbidden):
        rules.ship(BUYER, order(), FakeNegotiation(), START, carrier="SF", tracking_no="T")


# --- what each role may do now ------------------------------------------------------------


CONTRACT_ACTIONS = ("propose", "accept", "reject", "withdraw", "file_delay_report")


def allowed(actions):
    """The actions API.md names (more may be offered), each None or its refusal code."""
    found = {a.value: (None if r is None else r.code) for a, r in actions.items()}
    assert set(CONTRACT_ACTIONS) <= set(found)
    return {name: found[name] for name in CONTRACT_ACTIONS}


def test_with_a_pending_card_the_buyer_may_accept_or_reject_only():
    store, o, n, _ = sent_card()
    assert allowed(eligibility.available_actions(BUYER, store, o, n, START + H, POLICY)) == {
        "propose": "forbidden", "accept": None, "reject": None, "withdraw": "forbidden",
        "file_delay_report": "forbidden"}


@pytest.mark.parametrize("seller", [OWNER, AGENT], ids=["owner", "agent"])
def test_with_a_pending_card_a_seller_may_withdraw_or_file_a_report(seller):
    store, o, n, _ = sent_card()
    assert allowed(eligibility.available_actions(seller, store, o, n, START + H, POLICY)) == {
        "propose": "card_pending", "accept": "forbidden", "reject": "forbidden",
        "withdraw": None, "file_delay_report": None}


def test_with_no_card_the_seller_may_propose_and_the_buyer_has_nothing_to_answer():
    store, o, n = FakeStore(), order(), FakeNegotiation()
    assert allowed(eligibility.available_actions(OWNER, store, o, n, START, POLICY)) == {
        "propose": None, "accept": "forbidden", "reject": "forbidden",
        "withdraw": "card_not_pending", "file_delay_report": None}
    assert allowed(eligibility.available_actions(BUYER, store, o, n, START, POLICY))[
        Action.ACCEPT] == "card_not_pending"


def test_a_reviewer_may_do_nothing_on_a_negotiation():
    store, o, n, _ = sent_card()
    assert set(allowed(eligibility.available_actions(REVIEWER, store, o, n, START + H,
                                                     POLICY)).values()) == {"forbidden"}


def test_past_expiry_the_actions_report_card_expired_before_any_settle():
    store, o, n, c = sent_card()
    at = c.expires_at
    assert allowed(eligibility.available_actions(BUYER, store, o, n, at, POLICY))[
        Action.ACCEPT] == "card_expired"
    assert allowed(eligibility.available_actions(OWNER, store, o, n, at, POLICY))[
        Action.WITHDRAW] == "card_expired"


def test_after_agreement_the_actions_say_already_agreed_and_card_not_pending():
    store, o, n, c = sent_card()
    rules.accept(BUYER, o, n, c, START + H)
    assert allowed(eligibility.available_actions(OWNER, store, o, n, START + 2 * H, POLICY))[
        Action.PROPOSE] == "already_agreed"
    assert allowed(eligibility.available_actions(BUYER, store, o, n, START + 2 * H, POLICY))[
        Action.ACCEPT] == "card_not_pending"


def test_after_shipping_a_delay_report_is_not_applicable():
    o, n = order(), FakeNegotiation()
    rules.ship(OWNER, o, n, START, carrier="SF", tracking_no="T")
    acts = allowed(eligibility.available_actions(OWNER, FakeStore(), o, n, START + H, POLICY))
    assert acts["file_delay_report"] == "report_not_applicable"
    assert acts["propose"] == "order_not_awaiting_shipment"
