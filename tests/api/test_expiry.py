"""Card expiry and deadline lapse: exact at the boundary, with or without a sweep (§2, §5)."""

from datetime import timedelta

from tests.api.helpers import (
    accept,
    assert_problem,
    card,
    events,
    iso,
    negotiation,
    order,
    reject,
    sent_card,
    use_cards,
    withdraw,
)
from tests.conftest import START

SHIP_BY = START + timedelta(hours=47)
DAY = timedelta(hours=24)
SECOND = timedelta(seconds=1)


def expired_events(client, actor, order_no="O-1"):
    return [e for e in events(client, actor, order_no) if e["type"] == "card.expired"]


# --- when a card expires ------------------------------------------------------------------


def test_a_card_expires_24_hours_after_it_is_sent_when_the_deadline_is_later(
        client, world, clock):
    world.order("O-1")
    clock.advance(timedelta(hours=3))
    sent = sent_card(client, world)
    assert sent["sent_at"] == "2026-11-22T03:00:00Z"
    assert sent["expires_at"] == "2026-11-23T03:00:00Z"


def test_a_card_sent_five_hours_before_the_deadline_expires_at_the_deadline(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY - timedelta(hours=5))
    sent = sent_card(client, world)
    assert sent["expires_at"] == iso(SHIP_BY)


def test_a_card_sent_exactly_24_hours_before_the_deadline_expires_at_the_deadline(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY - DAY)
    assert sent_card(client, world)["expires_at"] == iso(SHIP_BY)


# --- answering at the boundary ------------------------------------------------------------


def test_the_buyer_may_accept_one_second_before_the_card_expires(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY - SECOND)
    response = accept(client, world.buyer, sent["id"])
    assert response.status_code == 200, response.json
    assert response.json["state"] == "accepted"
    assert response.json["answered_at"] == "2026-11-22T23:59:59Z"


def test_accepting_exactly_at_expires_at_is_refused_as_card_expired(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY)

    assert_problem(accept(client, world.buyer, sent["id"]), 409, "card_expired")
    assert card(client, world.buyer, sent["id"])["state"] == "expired"
    read = order(client, world.owner)
    assert (read["ship_by"], read["ship_by_source"]) == (iso(SHIP_BY), "original")
    assert negotiation(client, world.owner)["state"] == "open"


def test_rejecting_one_second_before_expiry_is_allowed(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY - SECOND)
    response = reject(client, world.buyer, sent["id"])
    assert response.status_code == 200, response.json
    assert response.json["state"] == "rejected"


def test_rejecting_exactly_at_expires_at_is_refused_as_card_expired(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY)
    assert_problem(reject(client, world.buyer, sent["id"]), 409, "card_expired")
    assert card(client, world.owner, sent["id"])["state"] == "expired"


def test_the_seller_may_withdraw_one_second_before_expiry(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY - SECOND)
    response = withdraw(client, world.owner, sent["id"])
    assert response.status_code == 200, response.json
    assert response.json["state"] == "withdrawn"


def test_withdrawing_exactly_at_expires_at_is_refused_as_card_expired(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY)
    assert_problem(withdraw(client, world.owner, sent["id"]), 409, "card_expired")


def test_a_card_expiring_at_the_deadline_is_answerable_until_one_second_before_it(
        client, world, clock):
    world.order("O-1")
    world.order("O-2")
    clock.set(SHIP_BY - timedelta(hours=5))
    first = sent_card(client, world, "O-1")
    second = sent_card(client, world, "O-2")

    clock.set(SHIP_BY - SECOND)
    assert accept(client, world.buyer, first["id"]).status_code == 200
    clock.set(SHIP_BY)
    assert_problem(accept(client, world.buyer, second["id"]), 409, "card_expired")
    assert negotiation(client, world.owner, "O-2")["state"] == "failed"  # deadline passed too


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


# --- lazy expiry: reading is enough -------------------------------------------------------


def test_reading_after_expiry_shows_the_card_expired_and_the_negotiation_open(
        client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY + timedelta(hours=2))

    read = negotiation(client, world.buyer)
    assert read["state"] == "open"
    assert [c["state"] for c in read["cards"]] == ["expired"]
    assert read["cards"][0]["answered_at"] is None
    assert (read["cards_used"], read["cards_left"]) == (1, 2)
    assert card(client, world.owner, sent["id"])["state"] == "expired"


def test_the_expiry_event_is_stamped_at_expires_at_not_when_it_was_noticed(
        client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + DAY + timedelta(hours=7))
    [expired] = expired_events(client, world.reviewer)
    assert expired["at"] == sent["expires_at"] == "2026-11-23T00:00:00Z"
    assert expired["actor"] == "system"
    assert expired["data"]["card_id"] == sent["id"]


def test_reading_twice_after_expiry_records_the_expiry_once(client, world, clock):
    world.order("O-1")
    sent_card(client, world)
    clock.set(START + DAY * 3)
    negotiation(client, world.owner)
    order(client, world.buyer)
    assert len(expired_events(client, world.owner)) == 1


def test_the_third_card_expiring_fails_the_negotiation(client, world, clock):
    world.order("O-1")
    use_cards(client, world, "O-1", ["reject", "reject"])
    third = sent_card(client, world, days=8)
    clock.set(START + DAY)

    read = negotiation(client, world.owner)
    assert read["state"] == "failed"
    assert [c["state"] for c in read["cards"]] == ["rejected", "rejected", "expired"]
    [failed] = [e for e in events(client, world.owner) if e["type"] == "negotiation.failed"]
    assert failed["at"] == third["expires_at"]
    assert failed["data"]["reason"] == "cards_exhausted"


def test_a_new_card_may_follow_an_expired_one(client, world, clock):
    world.order("O-1")
    sent_card(client, world)
    clock.set(START + DAY)
    second = sent_card(client, world, days=6)
    assert second["seq"] == 2
    assert second["expires_at"] == iso(SHIP_BY)  # 24 h from now is past the deadline


# --- deadline lapse ------------------------------------------------------------------------


def test_an_open_negotiation_stays_open_until_one_second_before_the_deadline(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY - SECOND)
    assert negotiation(client, world.owner)["state"] == "open"


def test_an_open_negotiation_fails_when_the_deadline_passes(client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY)

    read = negotiation(client, world.owner)
    assert read["state"] == "failed"
    assert read["cards"] == []
    [failed] = [e for e in events(client, world.owner) if e["type"] == "negotiation.failed"]
    assert failed["at"] == iso(SHIP_BY)
    assert failed["data"]["reason"] == "deadline_passed"
    assert order(client, world.owner)["negotiation_state"] == "failed"


def test_a_pending_card_at_the_deadline_expires_and_the_negotiation_fails(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY - timedelta(hours=5))
    sent_card(client, world)
    clock.set(SHIP_BY + timedelta(hours=1))

    read = negotiation(client, world.buyer)
    assert read["state"] == "failed"
    assert read["cards"][0]["state"] == "expired"
    timeline = [(e["type"], e["at"]) for e in events(client, world.buyer)
                if e["type"] in ("card.expired", "negotiation.failed")]
    assert timeline == [("card.expired", iso(SHIP_BY)), ("negotiation.failed", iso(SHIP_BY))]


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
