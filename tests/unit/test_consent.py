"""The rule of a consent link, with no app and no database: which link may answer which
card at which instant, and that every other answers the one same refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from negotiation.domain.consent import CONSENT_LINK_INVALID, ConsentLink, link_expiry
from negotiation.domain.enums import CardState, Role
from tests.unit.fakes import BUYER, OTHER_BUYER, START, FakeNegotiation, card, order

SECOND = timedelta(seconds=1)


def situation(state=CardState.PENDING):
    c = card(state=state, expires_at=START + timedelta(hours=24))
    o = order()
    o.negotiation = FakeNegotiation(cards=[c])
    return o, c


def link_for(c, buyer_id=BUYER.account_id, expires_at=None):
    return ConsentLink(card_id=c.id, buyer_id=buyer_id, expires_at=expires_at or link_expiry(c))


def test_a_link_lives_exactly_as_long_as_its_card():
    o, c = situation()
    assert link_expiry(c) == c.expires_at
    link = link_for(c)
    assert link.refusal(o, c.expires_at - SECOND) is None
    refused = link.refusal(o, c.expires_at)
    assert refused is not None and refused.code == CONSENT_LINK_INVALID


def test_a_link_that_ends_before_its_card_ends_at_its_own_time():
    o, c = situation()
    link = link_for(c, expires_at=START + timedelta(hours=2))
    assert link.refusal(o, START + timedelta(hours=2) - SECOND) is None
    assert link.refusal(o, START + timedelta(hours=2)) is not None


def test_a_link_answers_as_the_buyer_it_names_and_nobody_else():
    _, c = situation()
    assert link_for(c).buyer.role is Role.BUYER
    assert link_for(c).buyer.account_id == BUYER.account_id
    assert link_for(c).buyer.store_id is None


@pytest.mark.parametrize("state", [s for s in CardState if s is not CardState.PENDING])
def test_a_card_that_left_pending_kills_its_link(state):
    o, c = situation(state)
    assert link_for(c).refusal(o, START) is not None


def test_every_other_link_is_refused_the_same_way():
    o, c = situation()
    other_card = card(seq=2)
    refusals = [
        link_for(c, buyer_id=OTHER_BUYER.account_id).refusal(o, START),  # another buyer
        link_for(other_card).refusal(o, START),  # another card, not of this order
        link_for(c).refusal(None, START),  # no such card
    ]
    assert all(r is not None for r in refusals)
    assert {(r.code, r.detail, type(r)) for r in refusals} == {
        (CONSENT_LINK_INVALID, refusals[0].detail, type(refusals[0]))}
