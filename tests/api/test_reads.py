"""What reads answer: the shapes of order, negotiation and card; instants and money."""

from datetime import timedelta

import pytest

from tests.api.helpers import API, assert_invalid, iso, negotiation, order, propose, sent_card
from tests.conftest import START

ORDER_FIELDS = {"order_no", "store_id", "buyer_id", "kind", "status", "paid_at",
                "original_ship_by", "ship_by", "ship_by_source"}
CARD_FIELDS = {"id", "order_no", "seq", "state", "proposed_ship_by", "reason", "remark",
               "sent_by", "sent_at", "expires_at", "answered_at", "buyer_note",
               "preferred_ship_by"}


def create_order(client, world, **fields):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "100.00", "paid_at": "2026-11-22T00:00:00Z", **fields}
    return client.post(f"{API}/orders", headers=world.admin_headers, json=body)


# --- negotiation --------------------------------------------------------------------------


def test_a_negotiation_where_nothing_happened_reads_open_with_no_cards(client, world):
    world.order("O-1")
    read = negotiation(client, world.buyer)
    assert read["order_no"] == "O-1"
    assert read["state"] == "open"
    assert read["cards"] == []
    assert (read["cards_used"], read["cards_left"]) == (0, 3)
    assert read["agreed_ship_by"] is None


def test_a_negotiation_lists_its_cards_oldest_first(client, world):
    world.order("O-1")
    for days in (5, 6):
        sent = sent_card(client, world, days=days)
        client.post(f"{API}/cards/{sent['id']}/reject", headers=world.buyer.headers)
    sent_card(client, world, days=7)
    read = negotiation(client, world.owner)
    assert [c["seq"] for c in read["cards"]] == [1, 2, 3]
    assert [c["state"] for c in read["cards"]] == ["rejected", "rejected", "pending"]
    assert [c["proposed_ship_by"][:10] for c in read["cards"]] == [
        "2026-11-27", "2026-11-28", "2026-11-29"]
    assert (read["state"], read["cards_used"], read["cards_left"]) == ("awaiting_buyer", 3, 0)


# --- cards --------------------------------------------------------------------------------


def test_a_card_carries_every_field_of_the_contract(client, world):
    world.order("O-1")
    response = propose(client, world, days=5, reason="stock_shortage", remark="restock Friday")
    assert response.status_code == 201, response.json
    sent = response.json
    assert set(sent) >= CARD_FIELDS
    assert {k: sent[k] for k in CARD_FIELDS - {"id"}} == {
        "order_no": "O-1", "seq": 1, "state": "pending",
        "proposed_ship_by": "2026-11-27T00:00:00Z", "reason": "stock_shortage",
        "remark": "restock Friday", "sent_by": world.owner.id,
        "sent_at": "2026-11-22T00:00:00Z", "expires_at": "2026-11-23T00:00:00Z",
        "answered_at": None, "buyer_note": None, "preferred_ship_by": None}


@pytest.mark.parametrize("reason", ["buyer_request", "custom_made", "stock_shortage",
                                    "address_issue", "other"])
def test_every_card_reason_of_the_contract_is_accepted(client, world, reason):
    world.order("O-1")
    response = propose(client, world, reason=reason)
    assert response.status_code == 201, response.json
    assert response.json["reason"] == reason


def test_a_card_without_a_remark_reads_an_empty_remark(client, world):
    world.order("O-1")
    assert sent_card(client, world)["remark"] == ""


# --- orders, instants and money -----------------------------------------------------------


def test_an_order_reads_every_field_of_the_contract(client, world):
    world.order("O-1")
    read = order(client, world.buyer)
    assert set(read) >= ORDER_FIELDS
    assert {k: read[k] for k in ORDER_FIELDS} == {
        "order_no": "O-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
        "kind": "physical", "status": "awaiting_shipment",
        "paid_at": "2026-11-21T23:00:00Z", "original_ship_by": "2026-11-23T23:00:00Z",
        "ship_by": "2026-11-23T23:00:00Z", "ship_by_source": "original"}


def test_an_order_created_through_the_api_reads_back_as_it_was_given(client, world):
    response = create_order(client, world, kind="scheduled_delivery", ship_mode="express",
                            region="Shanghai", ship_by="2026-11-25T00:00:00Z")
    assert response.status_code == 201, response.json
    created = response.json
    assert created == order(client, world.reviewer, "N-1")
    assert (created["kind"], created["ship_mode"], created["region"]) == (
        "scheduled_delivery", "express", "Shanghai")
    assert created["ship_by"] == created["original_ship_by"] == "2026-11-25T00:00:00Z"


def test_an_order_without_a_deadline_gets_paid_time_plus_the_stores_handling_time(
        client, world):
    store = client.post(f"{API}/stores", headers=world.admin_headers,
                        json={"name": "Fast", "handling_hours": 24}).json
    response = create_order(client, world, store_id=store["id"])
    assert response.status_code == 201, response.json
    assert response.json["ship_by"] == "2026-11-23T00:00:00Z"
    default = create_order(client, world, order_no="N-2").json
    assert default["ship_by"] == "2026-11-24T00:00:00Z"  # 48 h by default


def test_an_order_created_past_its_deadline_is_born_with_a_failed_negotiation(client, world):
    response = create_order(client, world, paid_at="2026-11-18T00:00:00Z",
                            ship_by="2026-11-20T00:00:00Z")
    assert response.status_code == 201, response.json
    assert response.json["negotiation_state"] == "failed"
    assert negotiation(client, world.owner, "N-1")["state"] == "failed"


def test_an_order_paid_in_the_future_is_refused(client, world):
    assert_invalid(create_order(client, world, paid_at="2026-11-22T00:00:01Z"), "paid_at")


def test_a_second_order_with_the_same_number_is_refused(client, world):
    assert create_order(client, world).status_code == 201
    response = create_order(client, world)
    assert response.status_code == 409
    assert response.json["code"] == "order_exists"


@pytest.mark.parametrize(("given", "answered"), [
    ("100", "100.00"), ("12.5", "12.50"), (12.5, "12.50"), ("0.01", "0.01"),
    ("999999.99", "999999.99"), ("1000000000", "1000000000.00")])
def test_an_amount_is_answered_as_a_string_with_two_decimals(client, world, given, answered):
    response = create_order(client, world, amount=given)
    assert response.status_code == 201, response.json
    assert response.json["amount"] == answered
    assert order(client, world.buyer, "N-1")["amount"] == answered


@pytest.mark.parametrize("amount", ["0", "-1.00", "abc", "NaN", "Infinity", "1000000000.01"])
def test_an_amount_that_is_not_a_positive_number_is_refused(client, world, amount):
    assert_invalid(create_order(client, world, amount=amount), "amount")


def test_an_instant_with_any_offset_is_answered_in_utc(client, world):
    response = create_order(client, world, paid_at="2026-11-22T08:00:00+08:00",
                            ship_by="2026-11-23T20:00:00-05:00")
    assert response.status_code == 201, response.json
    assert response.json["paid_at"] == "2026-11-22T00:00:00Z"
    assert response.json["ship_by"] == "2026-11-24T01:00:00Z"


def test_a_proposal_with_an_offset_is_stored_as_the_same_instant(client, world):
    world.order("O-1")
    response = client.post(f"{API}/orders/O-1/negotiation/cards", headers=world.owner.headers,
                           json={"proposed_ship_by": "2026-11-27T08:30:00+08:00",
                                 "reason": "other"})
    assert response.status_code == 201, response.json
    assert response.json["proposed_ship_by"] == "2026-11-27T00:30:00Z"
    assert negotiation(client, world.buyer)["cards"][0]["proposed_ship_by"] == (
        "2026-11-27T00:30:00Z")


def test_an_instant_keeps_its_fraction_of_a_second(client, world):
    world.order("O-1")
    at = START + timedelta(days=5, microseconds=250000)
    response = propose(client, world, at=at)
    assert response.status_code == 201, response.json
    assert response.json["proposed_ship_by"] == iso(at) == "2026-11-27T00:00:00.250000Z"
