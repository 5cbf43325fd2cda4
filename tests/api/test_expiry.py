"""Card expiry and deadline lapse through the sweep and over HTTP (§2, §5). The boundaries
of answering, withdrawing and reading are checked on the use cases
(tests/services/test_expiry_and_lapse.py)."""

from datetime import timedelta

from tests.api.helpers import (
    accept,
    assert_problem,
    card,
    events,
    negotiation,
    sent_card,
    withdraw,
)
from tests.conftest import START

SHIP_BY = START + timedelta(hours=47)
DAY = timedelta(hours=24)
SECOND = timedelta(seconds=1)


def expired_events(client, actor, order_no="O-1"):
    return [e for e in events(client, actor, order_no) if e["type"] == "card.expired"]


# --- the sweep ----------------------------------------------------------------------------


def test_answering_a_card_the_sweep_already_expired_is_card_expired(
        client, world, clock, runner):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY + timedelta(minutes=5))

    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "settled 1 orders" in result.output
    again = runner.invoke(args=["sweep"])
    assert "settled 0 orders" in again.output  # idempotent: the sweep already marked it

    assert_problem(accept(client, world.buyer, sent["id"]), 409, "card_expired")
    assert_problem(withdraw(client, world.owner, sent["id"]), 409, "card_expired")
    [expired] = expired_events(client, world.owner)
    assert expired["at"] == "2026-11-23T00:00:00Z"
    assert expired["actor"] == "system"


def test_the_sweep_before_expiry_leaves_the_card_pending(client, world, clock, runner):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY - SECOND)
    result = runner.invoke(args=["sweep"])
    assert "settled 0 orders" in result.output
    assert card(client, world.buyer, sent["id"])["state"] == "pending"


# --- deadline lapse ------------------------------------------------------------------------


def test_the_sweep_fails_a_lapsed_negotiation(client, world, clock, runner):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(hours=1))
    result = runner.invoke(args=["sweep"])
    assert "settled 1 orders" in result.output
    assert negotiation(client, world.owner)["state"] == "failed"


def test_an_agreed_negotiation_does_not_fail_when_the_original_deadline_passes(
        client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world, days=5)
    assert accept(client, world.buyer, sent["id"]).status_code == 200
    clock.set(START + timedelta(days=6))  # past the original and the agreed deadline

    read = negotiation(client, world.owner)
    assert read["state"] == "agreed"
    assert read["agreed_ship_by"] == "2026-11-27T00:00:00Z"
    assert read["cards"][0]["state"] == "accepted"
