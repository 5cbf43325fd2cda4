"""Agreement, rejection, withdrawal, shipping and the order's timeline, end to end."""

from datetime import timedelta

from tests.api.helpers import (
    API,
    accept,
    assert_invalid,
    assert_problem,
    event_types,
    events,
    iso,
    negotiation,
    order,
    reject,
    sent_card,
    ship,
    withdraw,
)
from tests.conftest import START

SHIP_BY = START + timedelta(hours=47)


# --- agreement ----------------------------------------------------------------------------


def test_accepting_a_card_makes_its_time_the_orders_deadline(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world, days=6, remark="engraving takes a week")
    clock.advance(timedelta(hours=2))

    accepted = accept(client, world.buyer, sent["id"])
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["state"] == "accepted"
    assert accepted.json["answered_at"] == "2026-11-22T02:00:00Z"

    read = order(client, world.owner)
    assert read["ship_by"] == "2026-11-28T00:00:00Z"
    assert read["ship_by_source"] == "agreed_card"
    assert read["original_ship_by"] == iso(SHIP_BY)
    read = negotiation(client, world.buyer)
    assert read["state"] == "agreed"
    assert read["agreed_ship_by"] == "2026-11-28T00:00:00Z"


def test_agreement_is_recorded_as_events_both_sides_can_read(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    assert accept(client, world.buyer, sent["id"]).status_code == 200

    expected = ["order.created", "card.sent", "card.accepted", "negotiation.agreed",
                "order.deadline_changed"]
    assert event_types(client, world.owner) == expected
    assert event_types(client, world.buyer) == expected
    accepted = events(client, world.owner)[2]
    assert accepted["actor"] == str(world.buyer.id)
    assert accepted["data"]["card_id"] == sent["id"]


def test_a_buyer_may_agree_on_the_third_card(client, world):
    world.order("O-1")
    for days in (5, 6):
        sent = sent_card(client, world, days=days)
        assert reject(client, world.buyer, sent["id"]).status_code == 200
    third = sent_card(client, world, days=7)
    assert third["seq"] == 3
    assert accept(client, world.buyer, third["id"]).status_code == 200
    assert order(client, world.owner)["ship_by"] == "2026-11-29T00:00:00Z"


# --- rejection and withdrawal -------------------------------------------------------------


def test_a_rejection_keeps_the_buyers_note_and_preferred_time_and_reopens(client, world):
    world.order("O-1")
    sent = sent_card(client, world, days=10)
    response = reject(client, world.buyer, sent["id"], note="too late for me",
                      preferred_ship_by="2026-11-25T12:00:00+08:00")
    assert response.status_code == 200, response.json
    rejected = response.json
    assert rejected["state"] == "rejected"
    assert rejected["buyer_note"] == "too late for me"
    assert rejected["preferred_ship_by"] == "2026-11-25T04:00:00Z"

    read = negotiation(client, world.owner)
    assert read["state"] == "open"
    assert (read["cards_used"], read["cards_left"]) == (1, 2)
    assert read["cards"][0]["buyer_note"] == "too late for me"
    assert order(client, world.owner)["ship_by"] == iso(SHIP_BY)
    assert event_types(client, world.owner)[-1] == "card.rejected"


def test_a_rejection_without_a_body_is_a_plain_rejection(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    response = client.post(f"{API}/cards/{sent['id']}/reject", headers=world.buyer.headers)
    assert response.status_code == 200, response.json
    assert (response.json["buyer_note"], response.json["preferred_ship_by"]) == (None, None)


def test_a_preferred_time_in_the_past_is_refused_and_the_card_stays_pending(
        client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.advance(timedelta(hours=1))
    response = reject(client, world.buyer, sent["id"], preferred_ship_by=iso(START))
    assert_invalid(response, "preferred_ship_by")
    assert negotiation(client, world.buyer)["cards"][0]["state"] == "pending"


def test_a_seller_withdraws_a_pending_card_and_may_send_another(client, world):
    world.order("O-1")
    first = sent_card(client, world)
    response = withdraw(client, world.agent, first["id"])
    assert response.status_code == 200, response.json
    assert response.json["state"] == "withdrawn"

    read = negotiation(client, world.owner)
    assert read["state"] == "open"
    assert read["cards_left"] == 2
    second = sent_card(client, world, days=6, actor=world.agent)
    assert (second["seq"], second["sent_by"]) == (2, world.agent.id)
    assert event_types(client, world.owner)[-2:] == ["card.withdrawn", "card.sent"]


# --- shipping -----------------------------------------------------------------------------


def test_shipping_while_a_card_is_pending_voids_it_and_closes_the_negotiation(
        client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.advance(timedelta(hours=3))

    response = ship(client, world.agent, tracking_no="SF123456789")
    assert response.status_code == 201, response.json
    shipment = response.json
    assert shipment["tracking_no"] == "SF123456789"
    assert shipment["order_no"] == "O-1"
    assert shipment["shipped_at"] == "2026-11-22T03:00:00Z"
    assert shipment["late"] is False

    read = negotiation(client, world.buyer)
    assert read["state"] == "closed"
    assert read["cards"][0]["state"] == "voided"
    assert read["cards"][0]["id"] == sent["id"]
    shipped = order(client, world.buyer)
    assert shipped["status"] == "shipped"
    assert shipped["shipped_at"] == "2026-11-22T03:00:00Z"
    assert event_types(client, world.owner)[-3:] == ["card.voided", "negotiation.closed",
                                                     "order.shipped"]
    shipped_event = events(client, world.owner)[-1]
    assert shipped_event["data"]["tracking_no"] == "SF123456789"
    assert shipped_event["actor"] == str(world.agent.id)


def test_shipping_with_no_card_closes_the_open_negotiation(client, world):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    read = negotiation(client, world.owner)
    assert (read["state"], read["cards"]) == ("closed", [])


def test_shipping_after_agreement_keeps_the_negotiation_agreed(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    assert accept(client, world.buyer, sent["id"]).status_code == 200
    assert ship(client, world.owner).status_code == 201
    read = negotiation(client, world.owner)
    assert read["state"] == "agreed"
    assert read["cards"][0]["state"] == "accepted"


def test_shipping_at_the_agreed_deadline_is_late_and_one_second_before_is_not(
        client, world, clock):
    world.order("O-1")
    world.order("O-2")
    for order_no in ("O-1", "O-2"):
        sent = sent_card(client, world, order_no, days=5)
        assert accept(client, world.buyer, sent["id"]).status_code == 200
    agreed = START + timedelta(days=5)

    clock.set(agreed - timedelta(seconds=1))
    assert ship(client, world.owner, "O-1", tracking_no="SF0000001").json["late"] is False
    clock.set(agreed)
    assert ship(client, world.owner, "O-2", tracking_no="SF0000002").json["late"] is True


def test_shipping_after_the_deadline_lapsed_is_late_and_the_negotiation_stays_failed(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY + timedelta(hours=2))
    response = ship(client, world.owner)
    assert response.status_code == 201, response.json
    assert response.json["late"] is True
    assert negotiation(client, world.owner)["state"] == "failed"
    assert order(client, world.owner)["status"] == "shipped"


def test_a_buyer_may_not_ship(client, world):
    world.order("O-1")
    assert_problem(ship(client, world.buyer), 403, "forbidden")
    assert order(client, world.owner)["status"] == "awaiting_shipment"


# --- the timeline -------------------------------------------------------------------------


def test_events_are_listed_oldest_first_with_their_actors(client, world, clock):
    world.order("O-1")
    first = sent_card(client, world)
    clock.advance(timedelta(hours=1))
    assert reject(client, world.buyer, first["id"], note="no").status_code == 200
    clock.advance(timedelta(hours=1))
    second = sent_card(client, world, days=6, actor=world.agent)
    clock.set(SHIP_BY + timedelta(hours=1))  # the card expires, then the deadline passes

    timeline = [(e["type"], e["at"], e["actor"]) for e in events(client, world.reviewer)]
    assert timeline == [
        ("order.created", "2026-11-22T00:00:00Z", "system"),
        ("card.sent", "2026-11-22T00:00:00Z", str(world.owner.id)),
        ("card.rejected", "2026-11-22T01:00:00Z", str(world.buyer.id)),
        ("card.sent", "2026-11-22T02:00:00Z", str(world.agent.id)),
        ("card.expired", "2026-11-23T02:00:00Z", "system"),
        ("negotiation.failed", iso(SHIP_BY), "system"),
        # Still unshipped when the deadline passed: detected at the first look after it.
        ("violation.late_shipment", iso(SHIP_BY + timedelta(hours=1)), "system"),
        ("penalty.deducted", iso(SHIP_BY + timedelta(hours=1)), "system"),
        ("compensation.paid", iso(SHIP_BY + timedelta(hours=1)), "system"),
    ]
    assert second["expires_at"] == "2026-11-23T02:00:00Z"
    assert all(e["order_no"] == "O-1" for e in events(client, world.buyer))


def test_events_paginate_with_limit_and_cursor_until_next_cursor_is_null(client, world):
    world.order("O-1")
    for days in (5, 6, 7):
        sent = sent_card(client, world, days=days)
        assert reject(client, world.buyer, sent["id"]).status_code == 200
    everything = events(client, world.owner)
    assert len(everything) == 8  # created, 3 x (sent, rejected), failed

    seen, cursor, pages = [], None, 0
    while True:
        url = f"{API}/orders/O-1/events?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=world.owner.headers).json
        pages += 1
        assert len(page["items"]) <= 3
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
    assert pages == 3
    assert [e["id"] for e in seen] == [e["id"] for e in everything]
    assert len({e["id"] for e in seen}) == 8


def test_a_page_that_ends_exactly_at_the_last_event_has_no_next_cursor(client, world):
    world.order("O-1")
    sent_card(client, world)
    page = client.get(f"{API}/orders/O-1/events?limit=2", headers=world.owner.headers).json
    assert [e["type"] for e in page["items"]] == ["order.created", "card.sent"]
    assert page["next_cursor"] is None


def test_event_pages_stay_stable_while_new_events_arrive(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    first = client.get(f"{API}/orders/O-1/events?limit=1", headers=world.owner.headers).json
    assert [e["type"] for e in first["items"]] == ["order.created"]
    assert reject(client, world.buyer, sent["id"]).status_code == 200

    rest = client.get(f"{API}/orders/O-1/events?limit=10&cursor={first['next_cursor']}",
                      headers=world.owner.headers).json
    assert [e["type"] for e in rest["items"]] == ["card.sent", "card.rejected"]
    assert rest["next_cursor"] is None


def test_instants_inside_event_data_are_written_like_every_other_instant(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    sent_event = events(client, world.owner)[-1]
    assert sent_event["data"]["proposed_ship_by"] == sent["proposed_ship_by"]
    assert sent_event["data"]["expires_at"] == sent["expires_at"]
