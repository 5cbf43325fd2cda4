"""Card expiry and deadline lapse on the use cases, exact at each boundary (§2, §5):
what answering, withdrawing and reading find when time has moved. The sweep's side of
the same rules is in tests/api/test_expiry.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from negotiation.domain.errors import DomainError
from negotiation.services.negotiation import cards
from tests.conftest import START
from tests.services.fakes import BUYER, OWNER
from tests.services.test_card_use_cases import propose, use_cards

SHIP_BY = START + timedelta(hours=47)
DAY = timedelta(hours=24)
SECOND = timedelta(seconds=1)



def card_expired(action) -> bool:
    with pytest.raises(DomainError) as refused:
        action()
    return refused.value.code == "card_expired"


def recorded(uow, *types):
    return [row for row in uow.events.committed if row["type"] in types]


# --- when a card expires ------------------------------------------------------------------


def test_a_card_expires_24_hours_after_it_is_sent_when_the_deadline_is_later(uow, clock):
    clock.advance(timedelta(hours=3))
    sent = propose(uow)
    assert (sent.sent_at, sent.expires_at) == (START + timedelta(hours=3),
                                               START + timedelta(hours=27))


def test_a_card_sent_five_hours_before_the_deadline_expires_at_the_deadline(uow, clock):
    clock.set(SHIP_BY - timedelta(hours=5))
    assert propose(uow).expires_at == SHIP_BY


def test_a_card_sent_exactly_24_hours_before_the_deadline_expires_at_the_deadline(uow, clock):
    clock.set(SHIP_BY - DAY)
    assert propose(uow).expires_at == SHIP_BY


# --- answering and withdrawing at the boundary --------------------------------------------


def test_the_buyer_may_accept_one_second_before_the_card_expires(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY - SECOND)
    accepted = cards.accept_card(uow, BUYER, sent.id)
    assert (accepted.state, accepted.answered_at) == ("accepted", START + DAY - SECOND)


def test_accepting_exactly_at_expires_at_is_card_expired_and_the_expiry_is_kept(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY)
    commits = uow.commits
    assert card_expired(lambda: cards.accept_card(uow, BUYER, sent.id))

    assert uow.commits == commits + 1  # what time made due is saved despite the refusal
    assert cards.get_card(uow, BUYER, sent.id).state == "expired"
    read = cards.get_negotiation(uow, OWNER, "O-1")
    assert (read.order.ship_by, read.order.ship_by_source) == (SHIP_BY, "original")
    assert read.state == "open"


def test_rejecting_one_second_before_expiry_is_allowed(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY - SECOND)
    assert cards.reject_card(uow, BUYER, sent.id).state == "rejected"


def test_rejecting_exactly_at_expires_at_is_card_expired(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY)
    assert card_expired(lambda: cards.reject_card(uow, BUYER, sent.id))
    assert cards.get_card(uow, OWNER, sent.id).state == "expired"


def test_the_seller_may_withdraw_one_second_before_expiry(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY - SECOND)
    assert cards.withdraw_card(uow, OWNER, sent.id).state == "withdrawn"


def test_withdrawing_exactly_at_expires_at_is_card_expired(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY)
    assert card_expired(lambda: cards.withdraw_card(uow, OWNER, sent.id))


def test_a_card_expiring_at_the_deadline_is_answerable_until_one_second_before_it(
        uow, clock):
    uow.add_order("O-2")
    clock.set(SHIP_BY - timedelta(hours=5))
    first, second = propose(uow, "O-1"), propose(uow, "O-2")

    clock.set(SHIP_BY - SECOND)
    assert cards.accept_card(uow, BUYER, first.id).state == "accepted"
    clock.set(SHIP_BY)
    assert card_expired(lambda: cards.accept_card(uow, BUYER, second.id))
    assert cards.get_negotiation(uow, OWNER, "O-2").state == "failed"  # deadline passed too


# --- lazy expiry: reading is enough -------------------------------------------------------


def test_reading_after_expiry_shows_the_card_expired_and_the_negotiation_open(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY + timedelta(hours=2))

    read = cards.get_negotiation(uow, BUYER, "O-1")
    assert read.state == "open"
    assert [(c.state, c.answered_at) for c in read.cards] == [("expired", None)]
    assert (read.cards_used, read.cards_left) == (1, 2)
    assert cards.get_card(uow, OWNER, sent.id).state == "expired"


def test_the_expiry_event_is_stamped_at_expires_at_not_when_it_was_noticed(uow, clock):
    sent = propose(uow)
    clock.set(START + DAY + timedelta(hours=7))
    cards.get_negotiation(uow, OWNER, "O-1")

    [expired] = recorded(uow, "card.expired")
    assert (expired["at"], expired["actor"]) == (sent.expires_at, "system")
    assert expired["data"]["card_id"] == sent.id


def test_reading_twice_after_expiry_records_the_expiry_once(uow, clock):
    propose(uow)
    clock.set(START + DAY * 3)
    cards.get_negotiation(uow, OWNER, "O-1")
    cards.get_negotiation(uow, BUYER, "O-1")
    assert len(recorded(uow, "card.expired")) == 1


def test_the_third_card_expiring_fails_the_negotiation(uow, clock):
    use_cards(uow, ["reject", "reject"])
    third = propose(uow, days=8)
    clock.set(START + DAY)

    read = cards.get_negotiation(uow, OWNER, "O-1")
    assert read.state == "failed"
    assert [c.state for c in read.cards] == ["rejected", "rejected", "expired"]
    [failed] = recorded(uow, "negotiation.failed")
    assert (failed["at"], failed["data"]["reason"]) == (third.expires_at, "cards_exhausted")


def test_a_new_card_may_follow_an_expired_one(uow, clock):
    propose(uow)
    clock.set(START + DAY)
    second = propose(uow, days=6)
    assert (second.seq, second.expires_at) == (2, SHIP_BY)  # 24 h on is past the deadline


# --- deadline lapse ------------------------------------------------------------------------


def test_an_open_negotiation_stays_open_until_one_second_before_the_deadline(uow, clock):
    clock.set(SHIP_BY - SECOND)
    assert cards.get_negotiation(uow, OWNER, "O-1").state == "open"
    assert recorded(uow, "negotiation.failed") == []


def test_an_open_negotiation_fails_when_the_deadline_passes(uow, clock):
    clock.set(SHIP_BY)
    read = cards.get_negotiation(uow, OWNER, "O-1")
    assert (read.state, read.cards, read.order.negotiation_state) == ("failed", [], "failed")
    [failed] = recorded(uow, "negotiation.failed")
    assert (failed["at"], failed["data"]["reason"]) == (SHIP_BY, "deadline_passed")


def test_a_pending_card_at_the_deadline_expires_and_the_negotiation_fails(uow, clock):
    clock.set(SHIP_BY - timedelta(hours=5))
    propose(uow)
    clock.set(SHIP_BY + timedelta(hours=1))

    read = cards.get_negotiation(uow, BUYER, "O-1")
    assert (read.state, read.cards[0].state) == ("failed", "expired")
    timeline = [(row["type"], row["at"])
                for row in recorded(uow, "card.expired", "negotiation.failed")]
    assert timeline == [("card.expired", SHIP_BY), ("negotiation.failed", SHIP_BY)]
