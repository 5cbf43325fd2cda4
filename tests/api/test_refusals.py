"""Every refusal code of API.md that the API can give now, as its status and problem
document; which one wins and the window's edges are checked on the use cases themselves
(tests/services/)."""

from datetime import timedelta

import pytest

from negotiation.domain.enums import OrderKind, Role
from tests.api.helpers import (
    API,
    accept,
    assert_invalid,
    assert_problem,
    event_types,
    negotiation,
    propose,
    reject,
    sent_card,
    ship,
    use_cards,
)
from tests.conftest import START

SHIP_BY = START + timedelta(hours=47)  # the default deadline of world.order
LATEST = SHIP_BY + timedelta(days=30)  # 30 days after that original deadline


def revoke(client, world, action="revoke"):
    response = client.post(f"{API}/stores/{world.store_id}/negotiation/{action}",
                           headers=world.admin_headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- 1. negotiation_revoked -------------------------------------------------------------


def test_a_store_whose_negotiation_tool_is_revoked_cannot_send_cards(client, world):
    world.order("O-1")
    store = revoke(client, world)
    assert store["negotiation_enabled"] is False

    assert_problem(propose(client, world), 409, "negotiation_revoked")
    assert negotiation(client, world.owner)["cards_used"] == 0


def test_a_restored_store_can_send_cards_again(client, world):
    world.order("O-1")
    revoke(client, world)
    store = revoke(client, world, "restore")
    assert store["negotiation_enabled"] is True

    response = propose(client, world)
    assert response.status_code == 201, response.json


def test_a_revoked_store_with_a_virtual_order_is_refused_as_revoked_first(client, world):
    world.order("V-1", kind=OrderKind.VIRTUAL)
    revoke(client, world)
    assert_problem(propose(client, world, "V-1"), 409, "negotiation_revoked")


def test_a_revoked_store_past_its_deadline_is_refused_as_revoked_first(client, world, clock):
    world.order("O-1")
    revoke(client, world)
    clock.set(SHIP_BY + timedelta(hours=1))
    assert_problem(propose(client, world), 409, "negotiation_revoked")


# --- 3. order_not_awaiting_shipment and past_ship_deadline --------------------------------


def test_a_shipped_order_refuses_new_cards_as_not_awaiting_shipment(client, world):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    assert_problem(propose(client, world), 409, "order_not_awaiting_shipment")


def test_a_shipped_order_past_its_deadline_is_refused_as_not_awaiting_shipment(
        client, world, clock):
    world.order("O-1")
    assert ship(client, world.owner).status_code == 201
    clock.set(SHIP_BY + timedelta(days=1))
    assert_problem(propose(client, world), 409, "order_not_awaiting_shipment")


def test_a_card_sent_exactly_at_the_deadline_is_past_ship_deadline(client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY)
    body = assert_problem(propose(client, world), 409, "past_ship_deadline")
    assert "deadline" in body["detail"]


def test_a_card_sent_one_second_before_the_deadline_is_accepted_by_the_rules(
        client, world, clock):
    world.order("O-1")
    clock.set(SHIP_BY - timedelta(seconds=1))
    response = propose(client, world)
    assert response.status_code == 201, response.json
    assert response.json["expires_at"] == "2026-11-23T23:00:00Z"  # the deadline itself


def test_a_virtual_order_past_its_deadline_is_refused_as_past_deadline_first(
        client, world, clock):
    world.order("V-1", kind=OrderKind.VIRTUAL)
    clock.set(SHIP_BY)
    assert_problem(propose(client, world, "V-1"), 409, "past_ship_deadline")


# --- 4. order_kind_excluded ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [OrderKind.VIRTUAL, OrderKind.SCHEDULED_DELIVERY])
def test_virtual_and_scheduled_delivery_orders_cannot_negotiate(client, world, kind):
    world.order("K-1", kind=kind)
    assert_problem(propose(client, world, "K-1"), 409, "order_kind_excluded")
    assert negotiation(client, world.owner, "K-1")["cards"] == []


def test_a_physical_order_of_the_same_store_still_negotiates(client, world):
    world.order("V-1", kind=OrderKind.VIRTUAL)
    world.order("P-1", kind=OrderKind.PHYSICAL)
    assert propose(client, world, "P-1").status_code == 201


# --- 5. card_limit_reached ----------------------------------------------------------------


def test_after_three_rejected_cards_the_negotiation_fails_and_a_fourth_is_refused(
        client, world):
    world.order("O-1")
    use_cards(client, world, "O-1", ["reject", "reject", "reject"])

    read = negotiation(client, world.owner)
    assert read["state"] == "failed"
    assert (read["cards_used"], read["cards_left"]) == (3, 0)
    body = assert_problem(propose(client, world, days=9), 409, "card_limit_reached")
    assert "3" in body["detail"]
    assert negotiation(client, world.owner)["cards_used"] == 3


# --- 6. already_agreed and 7. card_pending -----------------------------------------------


def test_after_agreement_a_new_proposal_is_refused_as_already_agreed(client, world):
    world.order("O-1")
    first = sent_card(client, world)
    assert accept(client, world.buyer, first["id"]).status_code == 200

    assert_problem(propose(client, world, days=6), 409, "already_agreed")
    assert negotiation(client, world.owner)["cards_used"] == 1


def test_a_second_card_while_one_is_pending_is_refused_as_card_pending(client, world):
    world.order("O-1")
    sent_card(client, world)
    assert_problem(propose(client, world, days=6), 409, "card_pending")
    assert negotiation(client, world.owner)["cards_used"] == 1


# --- 8. proposal_out_of_range -------------------------------------------------------------


def test_a_proposal_one_second_past_thirty_days_is_out_of_range(client, world):
    world.order("O-1")
    body = assert_invalid(propose(client, world, at=LATEST + timedelta(seconds=1)),
                          "proposed_ship_by", code="proposal_out_of_range")
    assert "30 days" in body["detail"]
    assert negotiation(client, world.owner)["cards_used"] == 0


# --- answering: card_not_pending and card_expired ----------------------------------------


def test_accepting_a_rejected_card_is_card_not_pending(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    assert reject(client, world.buyer, sent["id"]).status_code == 200
    assert_problem(accept(client, world.buyer, sent["id"]), 409, "card_not_pending")


def test_answering_a_card_voided_by_shipping_is_card_not_pending(client, world):
    world.order("O-1")
    sent = sent_card(client, world)
    assert ship(client, world.owner).status_code == 201
    assert_problem(accept(client, world.buyer, sent["id"]), 409, "card_not_pending")


def test_answering_an_expired_card_is_card_expired_not_card_not_pending(client, world, clock):
    world.order("O-1")
    sent = sent_card(client, world)
    clock.set(START + timedelta(hours=30))
    assert_problem(reject(client, world.buyer, sent["id"]), 409, "card_expired")


# --- shipping: tracking_number_in_use ---------------------------------------------------


def test_a_tracking_number_used_by_another_order_is_refused(client, world):
    world.order("O-1")
    world.order("O-2")
    assert ship(client, world.owner, "O-1", tracking_no="YT123456").status_code == 201

    body = assert_problem(ship(client, world.owner, "O-2", tracking_no="YT123456"), 409,
                          "tracking_number_in_use")
    assert "YT123456" in body["detail"]
    order = client.get(f"{API}/orders/O-2", headers=world.owner.headers).json
    assert order["status"] == "awaiting_shipment"
    assert "order.shipped" not in event_types(client, world.owner, "O-2")


def test_a_tracking_number_used_by_another_store_is_refused_too(client, world):
    other_store = client.post(f"{API}/stores", headers=world.admin_headers,
                              json={"name": "Other"}).json["id"]
    other_owner = world.actor(Role.OWNER, "other owner", other_store)
    world.order("X-1", store_id=other_store)
    world.order("O-1")
    assert ship(client, other_owner, "X-1", tracking_no="ZTO0001").status_code == 201
    assert_problem(ship(client, world.owner, "O-1", tracking_no="ZTO0001"), 409,
                   "tracking_number_in_use")


def test_shipping_an_order_twice_is_refused_as_not_awaiting_shipment(client, world):
    world.order("O-1")
    assert ship(client, world.owner, tracking_no="SF0000001").status_code == 201
    assert_problem(ship(client, world.owner, tracking_no="SF0000002"), 409,
                   "order_not_awaiting_shipment")
