"""Bad input: always a problem document naming what is wrong, never a 500, never HTML."""

from datetime import UTC, datetime

import pytest

from tests.api.helpers import (
    API,
    assert_invalid,
    assert_problem,
    events,
    negotiation,
    propose,
    sent_card,
)

CARDS = f"{API}/orders/O-1/negotiation/cards"
GOOD_CARD = {"proposed_ship_by": "2026-11-27T00:00:00Z", "reason": "custom_made"}


@pytest.fixture
def order_o1(world):
    return world.order("O-1")


def post_card(client, world, body, **kwargs):
    return client.post(CARDS, headers=world.owner.headers, json=body, **kwargs)


def assert_nothing_changed(client, world, before):
    after = (negotiation(client, world.owner), events(client, world.owner))
    assert after == before


def snapshot(client, world):
    return negotiation(client, world.owner), events(client, world.owner)


# --- unknown fields: no mass assignment ---------------------------------------------------


@pytest.mark.parametrize("field", ["state", "seq", "sent_by", "expires_at", "order_no"])
def test_an_unknown_field_in_a_proposal_is_refused_naming_it(client, world, order_o1, field):
    before = snapshot(client, world)
    response = post_card(client, world, {**GOOD_CARD, field: "accepted"})
    assert_invalid(response, field)
    assert_nothing_changed(client, world, before)


@pytest.mark.parametrize("field", ["status", "ship_by_source", "original_ship_by", "id"])
def test_an_unknown_field_in_a_new_order_is_refused_naming_it(client, world, field):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z", field: "x"}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body), field)
    assert client.get(f"{API}/orders/N-1", headers=world.admin_headers).status_code == 404


def test_a_new_store_cannot_set_its_own_negotiation_flag(client, world):
    response = client.post(f"{API}/stores", headers=world.admin_headers,
                           json={"name": "S", "negotiation_enabled": False})
    assert_invalid(response, "negotiation_enabled")


def test_a_new_account_cannot_choose_its_token(client, world):
    response = client.post(f"{API}/accounts", headers=world.admin_headers,
                           json={"role": "buyer", "name": "b", "token": "chosen"})
    assert_invalid(response, "token")


def test_a_rejection_cannot_set_the_cards_state(client, world, order_o1):
    sent = sent_card(client, world)
    response = client.post(f"{API}/cards/{sent['id']}/reject", headers=world.buyer.headers,
                           json={"note": "no", "state": "accepted"})
    assert_invalid(response, "state")
    assert negotiation(client, world.buyer)["cards"][0]["state"] == "pending"


# --- missing, mistyped and unknown values -------------------------------------------------


@pytest.mark.parametrize("missing", ["proposed_ship_by", "reason"])
def test_a_proposal_missing_a_required_field_is_refused_naming_it(
        client, world, order_o1, missing):
    body = {k: v for k, v in GOOD_CARD.items() if k != missing}
    assert_invalid(post_card(client, world, body), missing)


def test_an_empty_proposal_names_every_missing_field(client, world, order_o1):
    assert_invalid(post_card(client, world, {}), "proposed_ship_by", "reason")


@pytest.mark.parametrize(("field", "value"), [
    ("reason", 5), ("reason", "because"), ("reason", None), ("proposed_ship_by", 1795000000),
    ("proposed_ship_by", "next friday"), ("proposed_ship_by", "2026-13-01T00:00:00Z"),
    ("remark", ["a"]), ("remark", "x" * 501)])
def test_a_proposal_with_a_bad_value_is_refused_naming_the_field(
        client, world, order_o1, field, value):
    before = snapshot(client, world)
    assert_invalid(post_card(client, world, {**GOOD_CARD, field: value}), field)
    assert_nothing_changed(client, world, before)


@pytest.mark.parametrize("instant", ["2026-11-27T00:00:00", "2026-11-27T08:00", "2026-11-27"])
def test_an_instant_without_an_offset_is_refused(client, world, order_o1, instant):
    assert_invalid(post_card(client, world, {**GOOD_CARD, "proposed_ship_by": instant}),
                   "proposed_ship_by")


def test_a_naive_preferred_time_in_a_rejection_is_refused(client, world, order_o1):
    sent = sent_card(client, world)
    response = client.post(f"{API}/cards/{sent['id']}/reject", headers=world.buyer.headers,
                           json={"preferred_ship_by": "2026-11-25T12:00:00"})
    assert_invalid(response, "preferred_ship_by")


@pytest.mark.parametrize(("field", "value"), [
    ("kind", "digital"), ("ship_mode", "teleport"), ("paid_at", "2026-11-22T00:00:00"),
    ("store_id", "first"), ("order_no", "has space"), ("order_no", "")])
def test_a_new_order_with_a_bad_value_is_refused_naming_the_field(client, world, field, value):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z", field: value}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body), field)


@pytest.mark.parametrize(("field", "value"), [("store_id", 999), ("buyer_id", 999)])
def test_a_new_order_naming_nothing_that_exists_is_refused_naming_the_field(
        client, world, field, value):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z", field: value}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body), field)


def test_a_new_order_whose_buyer_is_not_a_buyer_is_refused(client, world):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.owner.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z"}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body),
                   "buyer_id")


def test_a_new_order_due_before_it_was_paid_is_refused(client, world):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z",
            "ship_by": "2026-11-21T00:00:00Z"}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body),
                   "ship_by")


@pytest.mark.parametrize(("body", "field"), [
    ({"role": "wizard", "name": "x"}, "role"), ({"name": "x"}, "role"),
    ({"role": "buyer"}, "name"), ({"role": "owner", "name": "x"}, "store_id"),
    ({"role": "buyer", "name": "x", "store_id": 1}, "store_id")])
def test_a_bad_new_account_is_refused_naming_the_field(client, world, body, field):
    assert_invalid(client.post(f"{API}/accounts", headers=world.admin_headers, json=body),
                   field)


@pytest.mark.parametrize(("body", "field"), [
    ({"carrier": "SF"}, "tracking_no"), ({"tracking_no": "SF123456"}, "carrier"),
    ({"carrier": "SF", "tracking_no": "SF 123"}, "tracking_no"),
    ({"carrier": "SF", "tracking_no": "S1"}, "tracking_no")])
def test_a_bad_shipment_is_refused_naming_the_field(client, world, order_o1, body, field):
    response = client.post(f"{API}/orders/O-1/shipments", headers=world.owner.headers,
                           json=body)
    assert_invalid(response, field)
    assert negotiation(client, world.owner)["state"] == "open"


# --- unreadable bodies --------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b"{bad", b'{"reason": "other",}', b"\xff\xfe", b""])
def test_a_body_that_is_not_json_is_a_400_problem(client, world, order_o1, raw):
    before = snapshot(client, world)
    response = client.post(CARDS, headers=world.owner.headers, data=raw,
                           content_type="application/json")
    if raw == b"":  # nothing to read: the required fields are missing
        assert_invalid(response, "proposed_ship_by", "reason")
    else:
        assert_problem(response, 400, "bad_request")
    assert_nothing_changed(client, world, before)


@pytest.mark.parametrize("raw", [b"[]", b"null", b"42", b'"text"'])
def test_a_json_body_that_is_not_an_object_is_refused(client, world, order_o1, raw):
    response = client.post(CARDS, headers=world.owner.headers, data=raw,
                           content_type="application/json")
    assert_problem(response, 422, "validation_error")


def test_a_deeply_nested_json_body_is_a_400_problem(client, world, order_o1):
    response = client.post(CARDS, headers=world.owner.headers,
                           data="[" * 100_000 + "]" * 100_000,
                           content_type="application/json")
    assert_problem(response, 400, "bad_request")


# --- routes and methods -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/orders", "/api/v1/cards/abc",
                                  "/api/v1/orders/O-1/nothing", "/api/v1/orders/"])
def test_an_unknown_route_under_api_is_a_404_problem(client, world, order_o1, path):
    response = client.get(path, headers=world.owner.headers)
    assert_problem(response, 404, "not_found")
    assert "<html" not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("path", ["/api/v1//orders/O-1", "/api"])
def test_an_odd_path_under_api_never_answers_html(client, world, order_o1, path):
    response = client.get(path, headers=world.owner.headers)
    assert response.mimetype != "text/html", response.status_code
    assert "<html" not in response.get_data(as_text=True).lower()


@pytest.mark.parametrize(("method", "path"), [
    ("delete", "/api/v1/orders/O-1"), ("put", "/api/v1/orders/O-1/negotiation"),
    ("get", "/api/v1/orders/O-1/shipments"), ("patch", "/api/v1/stores")])
def test_a_wrong_method_is_a_405_problem(client, world, order_o1, method, path):
    response = getattr(client, method)(path, headers=world.admin_headers)
    assert_problem(response, 405, "method_not_allowed")
    assert "<html" not in response.get_data(as_text=True).lower()


def test_a_wrong_method_on_a_card_is_a_405_problem(client, world, order_o1):
    sent = sent_card(client, world)
    response = client.get(f"{API}/cards/{sent['id']}/accept", headers=world.buyer.headers)
    assert_problem(response, 405, "method_not_allowed")
    assert negotiation(client, world.buyer)["cards"][0]["state"] == "pending"


def test_a_405_says_which_methods_are_allowed(client, world, order_o1):
    response = client.delete(f"{API}/orders/O-1", headers=world.owner.headers)
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")


# --- a refusal changes nothing ------------------------------------------------------------


def test_a_refused_proposal_adds_no_card_and_no_event(client, world, order_o1):
    sent_card(client, world)
    before = snapshot(client, world)
    assert propose(client, world, days=6).status_code == 409  # card_pending
    assert propose(client, world, days=400).status_code == 409  # still card_pending first
    assert post_card(client, world, {"reason": "other"}).status_code == 422
    assert_nothing_changed(client, world, before)
    assert before[0]["cards_used"] == 1


# --- values the database cannot hold ------------------------------------------------------


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"])
def test_an_instant_outside_the_representable_range_is_refused(
        client, world, order_o1, instant):
    response = post_card(client, world, {**GOOD_CARD, "proposed_ship_by": instant})
    assert_invalid(response, "proposed_ship_by")


def test_an_order_paid_at_the_end_of_time_is_refused(client, world, clock):
    clock.set(datetime(9999, 12, 31, 12, tzinfo=UTC))
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "9999-12-31T00:00:00Z"}
    response = client.post(f"{API}/orders", headers=world.admin_headers, json=body)
    assert_problem(response, 422, "validation_error")


@pytest.mark.parametrize("path", [f"{API}/cards/{10**20}", f"{API}/stores/{10**20}",
                                  f"{API}/cards/{10**20}/accept"])
def test_an_enormous_id_in_the_path_is_not_found(client, world, path):
    method = client.post if path.endswith("accept") else client.get
    assert_problem(method(path, headers=world.admin_headers), 404, "not_found")


@pytest.mark.parametrize("field", ["store_id", "buyer_id"])
def test_an_enormous_id_in_a_new_order_is_refused_naming_it(client, world, field):
    body = {"order_no": "N-1", "store_id": world.store_id, "buyer_id": world.buyer.id,
            "amount": "10.00", "paid_at": "2026-11-22T00:00:00Z", field: 10**20}
    assert_invalid(client.post(f"{API}/orders", headers=world.admin_headers, json=body), field)


def test_a_remark_with_a_nul_character_is_never_a_server_error(client, world, order_o1):
    response = post_card(client, world, {**GOOD_CARD, "remark": "a\x00b"})
    assert response.status_code in (201, 422), response.get_data(as_text=True)


def test_an_order_number_with_a_nul_character_is_not_found(client, world, order_o1):
    response = client.get(f"{API}/orders/O-1%00", headers=world.owner.headers)
    assert_problem(response, 404, "not_found")
