"""GET /api/v1/orders and the events list: scoping, filters, pagination and its limits."""

import base64
import json
from datetime import timedelta

import pytest

from negotiation.domain.enums import Role
from tests.api.helpers import API, accept, assert_invalid, sent_card, ship
from tests.conftest import START


def order_nos(client, headers, query=""):
    """Every order the caller lists, following cursors to the end."""
    found, cursor = [], None
    while True:
        url = f"{API}/orders?{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        found += [o["order_no"] for o in response.json["items"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return found


def cursor_of(position):
    """A cursor built by hand the way the service encodes its own."""
    raw = json.dumps(position).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture
def two_stores(client, world):
    """O-1, O-2 of the world's store (O-2 of a second buyer) and X-1 of another store."""
    other = client.post(f"{API}/stores", headers=world.admin_headers,
                        json={"name": "Other"}).json["id"]
    second_buyer = world.actor(Role.BUYER, "second buyer")
    world.order("O-1")
    world.order("X-1", store_id=other)
    world.order("O-2", buyer=second_buyer)
    return {"other_store": other, "other_owner": world.actor(Role.OWNER, "o", other),
            "second_buyer": second_buyer}


# --- who sees what ------------------------------------------------------------------------


def test_a_seller_lists_only_its_own_stores_orders(client, world, two_stores):
    assert order_nos(client, world.owner.headers) == ["O-1", "O-2"]
    assert order_nos(client, world.agent.headers) == ["O-1", "O-2"]
    assert order_nos(client, two_stores["other_owner"].headers) == ["X-1"]


def test_a_buyer_lists_only_its_own_orders(client, world, two_stores):
    assert order_nos(client, world.buyer.headers) == ["O-1", "X-1"]
    assert order_nos(client, two_stores["second_buyer"].headers) == ["O-2"]
    nobody = world.actor(Role.BUYER, "no orders")
    response = client.get(f"{API}/orders", headers=nobody.headers)
    assert response.json == {"items": [], "next_cursor": None}


def test_reviewers_and_admins_list_every_order_oldest_first(client, world, two_stores):
    assert order_nos(client, world.reviewer.headers) == ["O-1", "X-1", "O-2"]
    assert order_nos(client, world.admin_headers) == ["O-1", "X-1", "O-2"]


def test_a_listed_order_reads_as_the_order_itself(client, world):
    world.order("O-1")
    [listed] = client.get(f"{API}/orders", headers=world.owner.headers).json["items"]
    assert listed == client.get(f"{API}/orders/O-1", headers=world.owner.headers).json


# --- pagination ---------------------------------------------------------------------------


def test_orders_paginate_with_limit_and_cursor_until_next_cursor_is_null(client, world):
    for n in range(5):
        world.order(f"O-{n}")
    pages, cursor = [], None
    while True:
        url = f"{API}/orders?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=world.owner.headers).json
        pages.append([o["order_no"] for o in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [["O-0", "O-1"], ["O-2", "O-3"], ["O-4"]]


def test_a_list_pages_fifty_orders_by_default(client, world):
    for n in range(51):
        world.order(f"O-{n:02}")
    page = client.get(f"{API}/orders", headers=world.owner.headers).json
    assert len(page["items"]) == 50
    assert page["next_cursor"] is not None
    rest = client.get(f"{API}/orders?cursor={page['next_cursor']}",
                      headers=world.owner.headers).json
    assert [o["order_no"] for o in rest["items"]] == ["O-50"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("path", ["/orders", "/orders/O-1/events"])
@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5"])
def test_a_limit_outside_1_to_500_is_refused_naming_limit(client, world, path, limit):
    world.order("O-1")
    response = client.get(f"{API}{path}?limit={limit}", headers=world.owner.headers)
    assert_invalid(response, "limit")


@pytest.mark.parametrize("path", ["/orders", "/orders/O-1/events"])
@pytest.mark.parametrize("limit", ["1", "500"])
def test_a_limit_of_1_or_500_is_accepted(client, world, path, limit):
    world.order("O-1")
    response = client.get(f"{API}{path}?limit={limit}", headers=world.owner.headers)
    assert response.status_code == 200, response.json
    assert len(response.json["items"]) == 1


BAD_CURSORS = ["garbage!", "e30", cursor_of({"id": 1}), cursor_of("x"), "%%%", cursor_of([])]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_an_orders_cursor_not_issued_by_the_service_is_refused_naming_cursor(
        client, world, cursor):
    world.order("O-1")
    response = client.get(f"{API}/orders?cursor={cursor}", headers=world.owner.headers)
    assert_invalid(response, "cursor")


@pytest.mark.parametrize("cursor", [*BAD_CURSORS, cursor_of(["not a time", 1]),
                                    cursor_of([1, 2]), cursor_of(["2026-11-22T00:00:00Z"])])
def test_an_events_cursor_not_issued_by_the_service_is_refused_naming_cursor(
        client, world, cursor):
    world.order("O-1")
    response = client.get(f"{API}/orders/O-1/events?cursor={cursor}",
                          headers=world.owner.headers)
    assert_invalid(response, "cursor")


@pytest.mark.parametrize("path", ["/orders", "/orders/O-1/events"])
def test_a_cursor_with_an_enormous_number_is_refused_not_a_server_error(client, world, path):
    world.order("O-1")
    position = [10**30] if path == "/orders" else ["2026-11-22T00:00:00+00:00", 10**30]
    response = client.get(f"{API}{path}?cursor={cursor_of(position)}",
                          headers=world.owner.headers)
    assert_invalid(response, "cursor")


def test_an_events_cursor_with_an_infinite_id_is_refused_not_a_server_error(client, world):
    world.order("O-1")
    cursor = base64.urlsafe_b64encode(b'["2026-11-22T00:00:00+00:00", 1e400]').decode()
    response = client.get(f"{API}/orders/O-1/events?cursor={cursor}",
                          headers=world.owner.headers)
    assert_invalid(response, "cursor")


# --- filters ------------------------------------------------------------------------------


def test_orders_filter_by_status(client, world):
    for n in range(3):
        world.order(f"O-{n}")
    assert ship(client, world.owner, "O-1").status_code == 201
    assert order_nos(client, world.owner.headers, "status=shipped") == ["O-1"]
    assert order_nos(client, world.owner.headers, "status=awaiting_shipment") == ["O-0", "O-2"]
    assert order_nos(client, world.owner.headers, "status=closed") == []


def test_orders_filter_by_negotiation_state(client, world):
    for n in range(4):
        world.order(f"O-{n}")
    sent_card(client, world, "O-1")
    agreed = sent_card(client, world, "O-2")
    assert accept(client, world.buyer, agreed["id"]).status_code == 200
    assert ship(client, world.owner, "O-3").status_code == 201

    def listed(state):
        return order_nos(client, world.owner.headers, f"negotiation_state={state}")

    assert listed("open") == ["O-0"]
    assert listed("awaiting_buyer") == ["O-1"]
    assert listed("agreed") == ["O-2"]
    assert listed("closed") == ["O-3"]
    assert listed("failed") == []


def test_filters_combine_with_each_other_and_with_pagination(client, world):
    for n in range(5):
        world.order(f"O-{n}")
    for n in (0, 2, 4):
        sent_card(client, world, f"O-{n}")
    query = "negotiation_state=awaiting_buyer&status=awaiting_shipment&limit=1"
    assert order_nos(client, world.owner.headers, query) == ["O-0", "O-2", "O-4"]


def test_filters_apply_within_the_callers_scope(client, world, two_stores):
    sent_card(client, world, "O-2")
    query = "negotiation_state=open"
    assert order_nos(client, world.buyer.headers, query) == ["O-1", "X-1"]
    assert order_nos(client, two_stores["second_buyer"].headers, query) == []


@pytest.mark.parametrize(("name", "value"), [("status", "lost"), ("negotiation_state", "done")])
def test_an_unknown_filter_value_is_refused_naming_the_filter(client, world, name, value):
    response = client.get(f"{API}/orders?{name}={value}", headers=world.owner.headers)
    assert_invalid(response, name)


def test_listing_shows_a_lazily_expired_card_as_the_negotiation_reopened(client, world, clock):
    world.order("O-1")
    sent_card(client, world, "O-1")
    clock.set(START + timedelta(hours=24))
    [listed] = client.get(f"{API}/orders", headers=world.owner.headers).json["items"]
    assert listed["negotiation_state"] == "open"


def test_filtering_by_negotiation_state_sees_cards_expired_without_a_sweep(
        client, world, clock):
    world.order("O-1")
    sent_card(client, world, "O-1")
    clock.set(START + timedelta(hours=24))
    assert order_nos(client, world.owner.headers, "negotiation_state=awaiting_buyer") == []
    assert order_nos(client, world.owner.headers, "negotiation_state=open") == ["O-1"]


def test_filtering_by_failed_sees_a_deadline_lapsed_without_a_sweep(client, world, clock):
    world.order("O-1")
    clock.set(START + timedelta(hours=48))
    assert order_nos(client, world.owner.headers, "negotiation_state=failed") == ["O-1"]
