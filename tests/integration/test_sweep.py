"""The sweep applies what time made due, in batches, once, and touches nothing else."""

from __future__ import annotations

from datetime import timedelta

from negotiation.adapters.order_repository import DUE_POOL
from negotiation.domain.enums import CardState, NegotiationState, ReportKind, ReportReason
from negotiation.services.accounts import stores
from negotiation.services.core.sweep import sweep
from negotiation.services.negotiation import cards as card_service
from negotiation.services.reports import reports
from tests.conftest import ADMIN, START
from tests.integration.support import (
    cards_of,
    event_counts,
    events,
    negotiation_state,
    propose,
)

H = timedelta(hours=1)


def backlog(world, clock):
    """Three orders whose card is due, two whose deadline is due, two with nothing due."""
    for no in ("E1", "E2", "E3"):
        world.order(no, ship_by=START + 47 * H)
        propose(world.rt, world.owner, no)  # expires at START + 24 h
    for no in ("L1", "L2"):
        world.order(no, ship_by=START + 30 * H)
    world.order("F1", ship_by=START + 100 * H)
    world.order("G1", ship_by=START + 100 * H)
    clock.set(START + 10 * H)
    propose(world.rt, world.agent, "F1")  # expires at START + 34 h
    clock.set(START + 31 * H)


def test_the_sweep_expires_due_cards_and_lapses_due_negotiations_in_batches(rt, world, clock):
    backlog(world, clock)
    report = sweep(rt.uow, batch_size=2)
    assert (report.orders_settled, report.batches) == (5, 3)

    for no in ("E1", "E2", "E3"):
        (card,) = cards_of(rt, no)
        assert card.state is CardState.EXPIRED
        assert negotiation_state(rt, no) is NegotiationState.OPEN
        (expired,) = [e for e in events(rt, no) if e.type == "card.expired"]
        assert expired.at == START + 24 * H and expired.actor == "system"
        assert expired.data["card_id"] == card.id
    for no in ("L1", "L2"):
        assert negotiation_state(rt, no) is NegotiationState.FAILED
        (failed,) = [e for e in events(rt, no) if e.type == "negotiation.failed"]
        assert failed.at == START + 30 * H and failed.data == {"reason": "deadline_passed"}


def test_the_sweep_leaves_orders_with_nothing_due_alone(rt, world, clock):
    backlog(world, clock)
    before = {no: [e.id for e in events(rt, no)] for no in ("F1", "G1")}
    sweep(rt.uow, batch_size=2)
    assert [c.state for c in cards_of(rt, "F1")] == [CardState.PENDING]
    assert negotiation_state(rt, "F1") is NegotiationState.AWAITING_BUYER
    assert negotiation_state(rt, "G1") is NegotiationState.OPEN
    assert {no: [e.id for e in events(rt, no)] for no in ("F1", "G1")} == before


def test_a_second_sweep_settles_nothing_and_writes_no_event(rt, world, clock):
    backlog(world, clock)
    sweep(rt.uow, batch_size=2)
    counts = event_counts(rt)
    report = sweep(rt.uow, batch_size=2)
    assert (report.orders_settled, report.batches) == (0, 0)
    assert event_counts(rt) == counts
    assert counts["card.expired"] == 3 and counts["negotiation.failed"] == 2


def test_a_later_sweep_picks_up_what_has_become_due_since(rt, world, clock):
    backlog(world, clock)
    sweep(rt.uow, batch_size=2)
    clock.set(START + 47 * H)  # the E orders' deadline; F1's card (34 h) is past expiry
    report = sweep(rt.uow, batch_size=2)
    assert report.orders_settled == 4
    assert [negotiation_state(rt, no) for no in ("E1", "E2", "E3")] == [
        NegotiationState.FAILED] * 3
    assert [c.state for c in cards_of(rt, "F1")] == [CardState.EXPIRED]
    assert negotiation_state(rt, "F1") is NegotiationState.OPEN
    assert event_counts(rt)["card.expired"] == 4


def test_the_sweep_fails_a_negotiation_whose_third_card_expires(rt, world, clock):
    world.order("O-1", ship_by=START + 200 * H)
    for _ in range(2):
        card = propose(rt, world.owner, "O-1")
        clock.set(card.expires_at)
        sweep(rt.uow)
    card = propose(rt, world.owner, "O-1")
    clock.set(card.expires_at + H)
    assert sweep(rt.uow).orders_settled == 1
    assert negotiation_state(rt, "O-1") is NegotiationState.FAILED
    (failed,) = [e for e in events(rt, "O-1") if e.type == "negotiation.failed"]
    assert failed.data == {"reason": "cards_exhausted"} and failed.at == card.expires_at
    assert event_counts(rt, "O-1")["card.expired"] == 3


def test_a_card_expired_by_a_read_is_not_expired_again_by_the_sweep(rt, world, clock):
    world.order("O-1")
    propose(rt, world.owner, "O-1")
    clock.advance(25 * H)
    view = card_service.get_negotiation(rt.uow(), world.buyer.caller, "O-1")
    assert view.cards[0].state == "expired"
    assert sweep(rt.uow).orders_settled == 0
    assert event_counts(rt, "O-1")["card.expired"] == 1


def test_a_card_is_due_exactly_at_its_expiry_and_not_a_second_before(rt, world, clock):
    world.order("O-1")
    card = propose(rt, world.owner, "O-1")
    clock.set(card.expires_at - timedelta(seconds=1))
    assert sweep(rt.uow).orders_settled == 0
    clock.set(card.expires_at)
    assert sweep(rt.uow).orders_settled == 1
    assert [c.state for c in cards_of(rt, "O-1")] == [CardState.EXPIRED]



def test_a_batch_of_one_store_finds_its_due_order_behind_earlier_ones_of_other_stores(
        rt, world, clock):
    """Each rule offers only its earliest due orders (a few per order a batch may take):
    a pick scoped to one store (a seller's filtered order list) chooses among its own."""
    other = stores.create_store(rt.uow(), ADMIN, name="Other store", region="Jiangsu")
    for i in range(2 * DUE_POOL):  # more than a batch of one looks at, all due earlier
        world.order(f"X{i}", ship_by=START + 20 * H + i * timedelta(minutes=1),
                    store_id=other.id)
    world.order("MINE", ship_by=START + 30 * H)
    clock.set(START + 31 * H)
    with rt.uow() as uow:
        mine = uow.orders.order("MINE")
        assert mine is not None
        picked = uow.orders.due_order_ids(uow.now, 1, skip_locked=False,
                                        scope=world.owner.caller)
        assert picked == [mine.id]


def test_a_negotiation_lapses_at_a_deadline_an_approved_report_moved_later(rt, world, clock):
    """The sweep finds lapses through the order's assessment: moving the deadline later
    leaves ``assess_at`` early, never late."""
    world.order("O-1", ship_by=START + 30 * H)
    report = reports.file_report(
        rt.uow(), world.owner.caller, kind=ReportKind.SHIPMENT,
        reason=ReportReason.NATURAL_DISASTER, description="Flooded roads",
        order_nos=["O-1"], latest_ship_at=START + 80 * H)
    reports.approve_report(rt.uow(), world.reviewer.caller, report.id)
    clock.set(START + 31 * H)  # past the first deadline only
    sweep(rt.uow)
    assert negotiation_state(rt, "O-1") is NegotiationState.OPEN
    clock.set(START + 80 * H)
    assert sweep(rt.uow).orders_settled == 1
    assert negotiation_state(rt, "O-1") is NegotiationState.FAILED
    [lapse] = [e for e in events(rt, "O-1") if e.type == "negotiation.failed"]
    assert (lapse.at, lapse.data) == (START + 80 * H, {"reason": "deadline_passed"})
