"""A batch of cards racing single proposals and answers to the same orders (PostgreSQL).

The guard under test: a batch locks all its orders, in id order, before it decides any
of them, as a single proposal locks its one. Without it a batch and a single proposal
both pass the rules for one order and the database's constraints refuse the later
commit, which would lose the whole batch, every other order's card with it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from negotiation.domain.enums import CardReason, CardState
from negotiation.domain.errors import DomainError
from negotiation.services.negotiation import batches
from negotiation.services.negotiation import cards as card_service
from tests.conftest import START
from tests.integration.support import cards_of
from tests.integration.test_concurrency import run_together

ORDERS = [f"R-{i}" for i in range(8)]
ROUNDS = 5


def pending_cards(rt, order_no):
    return [c for c in cards_of(rt, order_no) if c.state is CardState.PENDING]


@pytest.mark.postgres
def test_a_batch_racing_single_proposals_keeps_every_order_within_its_limits(rt, world):
    for number in ORDERS:
        world.order(number)
    when = START + timedelta(days=5)
    sellers = [world.owner, world.agent]

    def batch(i):
        return lambda: batches.send_cards(rt.uow(), sellers[i % 2].caller, ORDERS[i % 2:]
                                          + ORDERS[: i % 2], proposed_ship_by=when,
                                          reason=CardReason.STOCK_SHORTAGE)

    def single(number, i):
        return lambda: card_service.propose_card(rt.uow(), sellers[i % 2].caller, number,
                                                 proposed_ship_by=when,
                                                 reason=CardReason.OTHER)

    for _ in range(ROUNDS):
        results = run_together(*(batch(i) for i in range(3)),
                               *(single(n, i) for i, n in enumerate(ORDERS)))
        for result in results[:3]:
            assert isinstance(result, list), f"a batch failed as a whole: {result!r}"
        for result in results[3:]:
            assert not isinstance(result, BaseException) or isinstance(result, DomainError), (
                result)
        sent = Counter(r.order_no for result in results[:3] for r in result
                       if isinstance(r, batches.CardSent))
        for number in ORDERS:
            assert len(cards_of(rt, number)) <= 3
            assert len(pending_cards(rt, number)) <= 1
            assert sent[number] <= 1
            for card in pending_cards(rt, number):  # room for the next round's race
                card_service.reject_card(rt.uow(), world.buyer.caller, card.id)
    assert all(len(cards_of(rt, number)) == 3 for number in ORDERS)
