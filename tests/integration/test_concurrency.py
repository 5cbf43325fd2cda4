"""Real threads, each with its own unit of work, against one order (PostgreSQL).

The guards under test: the order row lock taken by every write (``SELECT ... FOR
UPDATE``), the partial unique index ``uq_cards_one_pending``, the unique card number per
negotiation, and the sweep's ``SKIP LOCKED``. A thread may be refused (a
:class:`DomainError`), never fail any other way.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from negotiation.clock import FrozenClock
from negotiation.domain import negotiating as rules
from negotiation.domain.enums import CardReason, CardState, NegotiationState
from negotiation.domain.errors import Conflict, DomainError, Refused
from negotiation.domain.events import DomainEvent
from negotiation.services.core.settling import record
from negotiation.services.core.sweep import SweepReport, sweep
from negotiation.services.core.unit_of_work import UnitOfWork
from negotiation.services.core.views import CardView
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
THREADS = 12


def run_together(*jobs: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Start every job at once (a barrier); each one's result, or what it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def work(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except BaseException as raised:
            results[i] = raised

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread hung"
    return results


def uow_at(rt, at: datetime) -> UnitOfWork:
    return UnitOfWork(rt.sessions, FrozenClock(at), rt.policy)


# --- many sellers proposing at once -------------------------------------------------------


def proposal_storm(rt, world, order_no: str) -> list[Any]:
    ship_by = order_row(rt, order_no).ship_by
    sellers = [world.owner, world.agent]

    def job(i: int) -> Callable[[], Any]:
        return lambda: card_service.propose_card(
            rt.uow(), sellers[i % 2].caller, order_no,
            proposed_ship_by=ship_by + (i + 1) * H, reason=CardReason.STOCK_SHORTAGE)

    return run_together(*(job(i) for i in range(THREADS)))


def assert_one_card_won(rt, order_no: str, results: list[Any], cards_before: int) -> None:
    unexpected = [r for r in results if not isinstance(r, CardView | DomainError)]
    assert unexpected == [], f"threads failed outside the rules: {unexpected!r}"
    # Once the winner's card is in, the losers hear the first rule it breaks: the limit
    # when it was the last card, else the pending card.
    expected = "card_limit_reached" if cards_before + 1 == 3 else "card_pending"
    refusals = [r for r in results if isinstance(r, DomainError)]
    assert all(isinstance(r, Conflict) or (isinstance(r, Refused) and r.code == expected)
               for r in refusals), [(type(r).__name__, r.code) for r in refusals]
    stored = cards_of(rt, order_no)
    states = [c.state for c in stored]
    seen = [(c.seq, c.state.value) for c in stored]
    assert len(stored) <= 3, seen
    assert states.count(CardState.PENDING) <= 1, seen
    assert [c.seq for c in stored] == list(range(1, len(stored) + 1)), seen
    won = [r for r in results if isinstance(r, CardView)]
    assert len(won) == 1 and len(stored) == cards_before + 1
    assert won[0].id == stored[-1].id and stored[-1].state is CardState.PENDING
    assert negotiation_state(rt, order_no) is NegotiationState.AWAITING_BUYER
    assert event_counts(rt, order_no)["card.sent"] == cards_before + 1


@pytest.mark.postgres
@pytest.mark.parametrize("cards_before", [0, 2], ids=["first-card", "third-card"])
def test_simultaneous_proposals_leave_one_pending_card_and_at_most_three(rt, world, clock,
                                                                         cards_before):
    for round_no in range(3):
        order_no = f"O-{round_no}"
        world.order(order_no, ship_by=START + 100 * H)
        for _ in range(cards_before):
            card = propose(rt, world.owner, order_no)
            card_service.withdraw_card(rt.uow(), world.owner.caller, card.id)
        assert_one_card_won(rt, order_no, proposal_storm(rt, world, order_no), cards_before)


@pytest.mark.skipif(bool(os.environ.get("NEGOTIATION_TEST_DATABASE_URL")),
                    reason="the embedded database's variant of the test above")
def test_simultaneous_proposals_on_the_embedded_database_leave_one_pending_card(rt, world):
    world.order("O-1", ship_by=START + 100 * H)
    assert_one_card_won(rt, "O-1", proposal_storm(rt, world, "O-1"), 0)


# --- the buyer's answer racing the card's expiry -----------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("answer_before_expiry", [timedelta(microseconds=1), timedelta(0)],
                         ids=["answer-1us-before-expiry", "answer-at-expiry"])
def test_an_answer_racing_the_expiry_sweep_has_exactly_one_outcome(rt, world, clock,
                                                                   answer_before_expiry):
    rounds = 12
    sent = []
    for i in range(rounds):
        world.order(f"O-{i}", ship_by=START + 200 * H)
        clock.set(START + i * H)  # each round's card expires an hour after the last
        sent.append(propose(rt, world.owner, f"O-{i}"))
    outcomes = []
    for i, card in enumerate(sent):
        answer_at = card.expires_at - answer_before_expiry
        accept = lambda card=card, at=answer_at: card_service.accept_card(  # noqa: E731
            uow_at(rt, at), world.buyer.caller, card.id)
        sweeper = lambda at=card.expires_at: sweep(lambda: uow_at(rt, at))  # noqa: E731
        answered, swept = run_together(accept, sweeper)
        assert isinstance(swept, SweepReport), swept
        order_no = f"O-{i}"
        (stored,) = cards_of(rt, order_no)
        counts = event_counts(rt, order_no)
        assert counts["card.accepted"] + counts["card.expired"] == 1, counts
        if stored.state is CardState.ACCEPTED:
            assert isinstance(answered, CardView) and answered.state == "accepted"
            assert counts["negotiation.agreed"] == 1
            assert negotiation_state(rt, order_no) is NegotiationState.AGREED
            assert order_row(rt, order_no).ship_by == card.proposed_ship_by
        else:
            assert stored.state is CardState.EXPIRED
            assert isinstance(answered, Refused) and answered.code == "card_expired", answered
            assert negotiation_state(rt, order_no) is NegotiationState.OPEN
            assert order_row(rt, order_no).ship_by == START + 200 * H
        outcomes.append(stored.state.value)
    if answer_before_expiry == timedelta(0):
        assert set(outcomes) == {"expired"}


# --- two sweeps over one backlog -------------------------------------------------------------


@pytest.mark.postgres
def test_two_concurrent_sweeps_settle_every_due_item_exactly_once(rt, world, clock):
    expiring = [f"E-{i}" for i in range(24)]
    lapsing = [f"L-{i}" for i in range(8)]
    for order_no in expiring:
        world.order(order_no, ship_by=START + 100 * H)
        propose(rt, world.owner, order_no)
    for order_no in lapsing:
        world.order(order_no, ship_by=START + 30 * H)
    clock.set(START + 31 * H)

    reports = run_together(*(lambda: sweep(rt.uow, batch_size=3) for _ in range(2)))
    assert all(isinstance(r, SweepReport) for r in reports), reports
    assert sum(r.orders_settled for r in reports) >= len(expiring) + len(lapsing)

    for order_no in expiring:
        (card,) = cards_of(rt, order_no)
        assert card.state is CardState.EXPIRED
        assert [e.data["card_id"] for e in events(rt, order_no)
                if e.type == "card.expired"] == [card.id]
    for order_no in lapsing:
        assert negotiation_state(rt, order_no) is NegotiationState.FAILED
        assert event_counts(rt, order_no)["negotiation.failed"] == 1
    assert sweep(rt.uow).orders_settled == 0


# --- a write queued behind another write on the same order ---------------------------------
#
# These pin one interleaving each: the first transaction holds the order's lock, the
# second request is started and seen waiting for it, then the first commits.


class NeverQueued(RuntimeError):
    """The harness failed to pin the interleaving: not a finding about the service."""


def wait_until_blocked(rt, timeout: float = 10) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        # A fresh transaction per look: pg_stat_activity is a per-transaction snapshot.
        with rt.engine.connect() as connection:
            waiting = connection.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar()
        if waiting:
            return
        time.sleep(0.01)
    raise NeverQueued("the second request never waited for the order's lock")


def behind(rt, order_no: str, first: Callable[[UnitOfWork, Any], list[DomainEvent]],
           second: Callable[[], Any], caller: Any) -> Any:
    """Run ``first`` holding the order's lock; ``second`` queues behind it. Its outcome."""
    outcome: list[Any] = []

    def run_second() -> None:
        try:
            outcome.append(second())
        except BaseException as raised:
            outcome.append(raised)

    thread = threading.Thread(target=run_second)
    try:
        with rt.uow() as uow:
            order = uow.orders.order(order_no, lock=True)
            record(uow, order, first(uow, order), caller)
            uow.flush()
            thread.start()
            wait_until_blocked(rt)
            uow.commit()
    finally:
        if thread.is_alive() or thread.ident is not None:
            thread.join(30)
    assert not thread.is_alive()
    return outcome[0]


@pytest.mark.postgres
def test_a_shipment_queued_behind_an_acceptance_keeps_the_negotiation_agreed(rt, world,
                                                                             clock):
    world.order("O-1")
    card = propose(rt, world.owner, "O-1")
    clock.advance(H)
    result = behind(
        rt, "O-1",
        lambda uow, order: rules.accept(world.buyer.caller, order, order.negotiation,
                                        order.negotiation.cards[0], uow.now),
        lambda: order_service.ship_order(rt.uow(), world.agent.caller, "O-1", carrier="SF",
                                         tracking_no="SF1"),
        world.buyer.caller)
    assert not isinstance(result, BaseException), result
    assert [c.state for c in cards_of(rt, "O-1")] == [CardState.ACCEPTED]
    assert negotiation_state(rt, "O-1") is NegotiationState.AGREED
    assert order_row(rt, "O-1").ship_by == card.proposed_ship_by


@pytest.mark.postgres
def test_a_proposal_queued_behind_a_rejection_sends_the_next_card(rt, world, clock):
    world.order("O-1")
    propose(rt, world.owner, "O-1")
    clock.advance(H)
    result = behind(
        rt, "O-1",
        lambda uow, order: rules.reject(world.buyer.caller, order, order.negotiation,
                                        order.negotiation.cards[0], uow.now, uow.policy),
        lambda: propose(rt, world.agent, "O-1"),
        world.buyer.caller)
    assert isinstance(result, CardView), result
    assert [c.state for c in cards_of(rt, "O-1")] == [CardState.REJECTED, CardState.PENDING]
    assert negotiation_state(rt, "O-1") is NegotiationState.AWAITING_BUYER


@pytest.mark.postgres
def test_a_late_shipment_queued_behind_the_lapse_records_the_lapse_once(rt, world, clock):
    world.order("O-1", ship_by=START + 47 * H)
    clock.set(START + 48 * H)
    result = behind(
        rt, "O-1",
        lambda uow, order: rules.settle(order, order.negotiation, uow.now, uow.policy),
        lambda: order_service.ship_order(rt.uow(), world.agent.caller, "O-1", carrier="SF",
                                         tracking_no="SF1"),
        world.agent.caller)
    assert not isinstance(result, BaseException), result
    assert negotiation_state(rt, "O-1") is NegotiationState.FAILED
    assert event_counts(rt, "O-1")["negotiation.failed"] == 1


@pytest.mark.postgres
def test_an_acceptance_queued_behind_a_withdrawal_is_refused_as_not_pending(rt, world, clock):
    world.order("O-1")
    card = propose(rt, world.owner, "O-1")
    clock.advance(H)
    result = behind(
        rt, "O-1",
        lambda uow, order: rules.withdraw(world.owner.caller, order, order.negotiation,
                                          order.negotiation.cards[0], uow.now, uow.policy),
        lambda: card_service.accept_card(rt.uow(), world.buyer.caller, card.id),
        world.owner.caller)
    assert isinstance(result, Refused) and result.code == "card_not_pending", result
    assert negotiation_state(rt, "O-1") is NegotiationState.OPEN
    assert order_row(rt, "O-1").ship_by == START + 47 * H


# --- the database's guards answer as a conflict, never as a crash ---------------------------


@pytest.mark.postgres
def test_a_card_written_past_the_lock_makes_a_proposal_a_conflict_not_a_crash(rt, world):
    """A writer that skips the order lock (a script, a future code path) inserts a card;
    the proposal queued behind its insert must hear Conflict from the database's guard."""
    world.order("O-1")
    outcome: list[Any] = []

    def proposal() -> None:
        try:
            outcome.append(propose(rt, world.owner, "O-1"))
        except BaseException as raised:
            outcome.append(raised)

    thread = threading.Thread(target=proposal)
    with rt.sessions() as session:
        negotiation_id = session.scalar(text(
            "SELECT n.id FROM negotiations n JOIN orders o ON o.id = n.order_id "
            "WHERE o.order_no = 'O-1'"))
        session.execute(text(
            "INSERT INTO cards (negotiation_id, seq, state, proposed_ship_by, reason, remark, "
            "sent_at, expires_at) VALUES (:n, 1, 'pending', :p, 'other', '', :s, :e)"),
            {"n": negotiation_id, "p": START + 100 * H, "s": START, "e": START + 24 * H})
        thread.start()
        try:
            wait_until_blocked(rt)  # the proposal's insert waits on the unique index
        finally:
            session.commit()
    thread.join(30)
    assert not thread.is_alive()
    (result,) = outcome
    assert isinstance(result, Conflict), repr(result)
    assert len(cards_of(rt, "O-1")) == 1
