"""The card use cases over an in-memory unit of work: which refusal wins, and the edges
of the proposal window (RULES.md §2), with no database and no HTTP. The API's own tests
keep one case per refusal code, for its status and problem document."""

from __future__ import annotations

from datetime import timedelta

import pytest

from negotiation.domain.enums import CardReason, NegotiationState
from negotiation.domain.errors import DomainError, NotFound
from negotiation.services.negotiation import cards
from tests.conftest import START
from tests.services.fakes import AGENT, BUYER, OTHER_BUYER, OTHER_OWNER, OWNER

SHIP_BY = START + timedelta(hours=47)  # the default deadline of add_order
LATEST = SHIP_BY + timedelta(days=30)  # 30 days after that original deadline



def propose(uow, order_no="O-1", *, days=5, at=None, caller=OWNER):
    return cards.propose_card(uow, caller, order_no,
                              proposed_ship_by=at or START + timedelta(days=days),
                              reason=CardReason.CUSTOM_MADE)


def refusal(action) -> DomainError:
    with pytest.raises(DomainError) as refused:
        action()
    return refused.value


def use_cards(uow, answers, order_no="O-1"):
    """One card per answer, each answered by the buyer in turn (``pending``: left alone)."""
    sent = []
    for n, answer in enumerate(answers):
        card = propose(uow, order_no, days=5 + n)
        if answer == "accept":
            cards.accept_card(uow, BUYER, card.id)
        elif answer == "reject":
            cards.reject_card(uow, BUYER, card.id)
        sent.append(card)
    return sent


def negotiation(uow, order_no="O-1"):
    return cards.get_negotiation(uow, OWNER, order_no)


# --- card_limit_reached, and what it is reported before --------------------------------


def test_a_withdrawn_card_counts_towards_the_limit(uow):
    use_cards(uow, ["reject", "reject"])
    third = propose(uow, days=8)
    cards.withdraw_card(uow, OWNER, third.id)

    assert negotiation(uow).state == NegotiationState.FAILED.value
    assert refusal(lambda: propose(uow, days=9)).code == "card_limit_reached"


def test_the_card_limit_is_reported_before_already_agreed(uow):
    use_cards(uow, ["reject", "reject", "accept"])
    assert negotiation(uow).state == NegotiationState.AGREED.value
    assert refusal(lambda: propose(uow, days=20)).code == "card_limit_reached"


def test_the_card_limit_is_reported_before_card_pending(uow):
    use_cards(uow, ["reject", "reject", "pending"])
    assert negotiation(uow).state == NegotiationState.AWAITING_BUYER.value
    assert refusal(lambda: propose(uow, days=9)).code == "card_limit_reached"


def test_card_pending_is_reported_before_an_out_of_range_date(uow):
    propose(uow)
    assert refusal(lambda: propose(uow, at=START)).code == "card_pending"


# --- the proposal window, to the second ---------------------------------------------------


def test_a_proposal_at_the_current_deadline_is_out_of_range(uow):
    refused = refusal(lambda: propose(uow, at=SHIP_BY))
    assert (refused.code, refused.field) == ("proposal_out_of_range", "proposed_ship_by")


def test_a_proposal_before_the_current_deadline_is_out_of_range(uow):
    refused = refusal(lambda: propose(uow, at=START + timedelta(hours=1)))
    assert (refused.code, refused.field) == ("proposal_out_of_range", "proposed_ship_by")


def test_a_proposal_one_second_after_the_current_deadline_is_sent(uow):
    card = propose(uow, at=SHIP_BY + timedelta(seconds=1))
    assert card.proposed_ship_by == SHIP_BY + timedelta(seconds=1)


def test_a_proposal_exactly_thirty_days_after_the_original_deadline_is_sent(uow):
    assert propose(uow, at=LATEST).proposed_ship_by == LATEST


def test_a_proposal_one_second_past_thirty_days_changes_nothing(uow):
    refused = refusal(lambda: propose(uow, at=LATEST + timedelta(seconds=1)))
    assert refused.code == "proposal_out_of_range"
    assert "30 days" in str(refused)
    assert (negotiation(uow).cards_used, uow.events.committed) == (0, [])


def test_the_thirty_days_count_from_the_original_deadline_of_the_order(uow):
    uow.add_order("O-2", ship_by=START + timedelta(days=3))
    limit = START + timedelta(days=33)
    assert refusal(lambda: propose(uow, "O-2", at=limit + timedelta(seconds=1))).code == (
        "proposal_out_of_range")
    assert propose(uow, "O-2", at=limit).proposed_ship_by == limit


# --- answering and withdrawing ----------------------------------------------------------


def test_rejecting_an_accepted_card_is_card_not_pending(uow):
    card = propose(uow)
    cards.accept_card(uow, BUYER, card.id)
    assert refusal(lambda: cards.reject_card(uow, BUYER, card.id)).code == "card_not_pending"
    assert negotiation(uow).state == NegotiationState.AGREED.value


def test_withdrawing_an_accepted_card_is_card_not_pending(uow):
    card = propose(uow)
    cards.accept_card(uow, BUYER, card.id)
    assert refusal(lambda: cards.withdraw_card(uow, OWNER, card.id)).code == "card_not_pending"


def test_withdrawing_a_card_twice_is_card_not_pending(uow):
    card = propose(uow)
    cards.withdraw_card(uow, AGENT, card.id)
    assert refusal(lambda: cards.withdraw_card(uow, AGENT, card.id)).code == "card_not_pending"


# --- who may act ------------------------------------------------------------------------


@pytest.mark.parametrize("stranger", [OTHER_OWNER, OTHER_BUYER], ids=["store", "buyer"])
def test_another_store_or_buyer_finds_no_such_card(uow, stranger):
    card = propose(uow)
    act = cards.withdraw_card if stranger is OTHER_OWNER else cards.accept_card
    assert isinstance(refusal(lambda: act(uow, stranger, card.id)), NotFound)
    assert isinstance(refusal(lambda: cards.get_card(uow, stranger, card.id)), NotFound)


def test_each_change_is_recorded_as_an_event_with_its_actor(uow):
    card = propose(uow)
    cards.reject_card(uow, BUYER, card.id, note="too late")

    recorded = [(row["type"], row["actor"]) for row in uow.events.committed]
    assert recorded[:2] == [("card.sent", str(OWNER.account_id)),
                            ("card.rejected", str(BUYER.account_id))]
