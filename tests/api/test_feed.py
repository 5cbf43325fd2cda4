"""The change feed (API.md, *Notifications* → *Feed*): every event the caller may see,
across orders, oldest first, each once to a reader that polls with the cursor it got."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from models import Event, Order
from negotiation.domain.audience import BUYERS
from negotiation.domain.enums import Role
from negotiation.services.core import pagination
from tests.api.helpers import API, assert_invalid, assert_problem, same_problem, sent_card
from tests.api.report_helpers import other_store

FEED = f"{API}/events"
STORE_ONLY = ("penalty.", "product.", "report.evidence_added")
# On PostgreSQL the feed waits for every transaction older than an event's to end; other
# sessions on the same server may hold it back for a moment.
CATCH_UP_SECONDS = 10.0


def page(client: Any, actor: Any, **query: Any) -> dict[str, Any]:
    response = client.get(FEED, headers=actor.headers, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert isinstance(body["next_cursor"], str) and body["next_cursor"], body
    return body


def poll(client: Any, actor: Any, after: str | None = None, *, expect: int | None = None,
         **query: Any) -> tuple[list[dict[str, Any]], str]:
    """Read on from ``after`` as a poller does, until a page comes back empty (and, with
    ``expect``, until that many events came); what was read, and the cursor to go on."""
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        body = page(client, actor, **query, **({"after": after} if after else {}))
        received += body["items"]
        after = body["next_cursor"]
        if body["items"]:
            continue
        if expect is None or len(received) >= expect or time.monotonic() > deadline:
            assert after is not None
            return received, after
        time.sleep(0.05)


def stored(rt: Any, *, buyer_id: int | None = None, store_id: int | None = None,
           visible_to_buyer: bool = False) -> list[tuple[int, str, str]]:
    """(id, order_no, type) of the stored events, in the order they were written."""
    with rt.sessions() as session:
        query = (select(Event.id, Order.order_no, Event.type)
                 .join(Order, Event.order_id == Order.id).order_by(Event.id))
        if buyer_id is not None:
            query = query.where(Order.buyer_id == buyer_id)
        if store_id is not None:
            query = query.where(Order.store_id == store_id)
        rows = [tuple(row) for row in session.execute(query)]
    return [row for row in rows if not visible_to_buyer or BUYERS.may_see(row[2])]


def keys(items: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    return [(item["id"], item["order_no"], item["type"]) for item in items]


@pytest.fixture
def two_stores(client, world):
    """O-1 and O-3 of the world's store (O-1 with a card), O-2 of another store and buyer."""
    store_id, owner, agent = other_store(world)
    other_buyer = world.actor(Role.BUYER, "other buyer")
    world.order("O-1")
    world.order("O-2", store_id=store_id, buyer=other_buyer)
    sent_card(client, world, "O-1")
    world.order("O-3")
    return {"store_id": store_id, "owner": owner, "agent": agent, "buyer": other_buyer}


# --- who sees what ---------------------------------------------------------------------


def test_reviewers_and_admins_see_every_event_across_orders_oldest_first(
        client, world, rt, two_stores):
    everything = stored(rt)
    assert {no for _, no, _ in everything} == {"O-1", "O-2", "O-3"}
    reviewer_items, _ = poll(client, world.reviewer, expect=len(everything))
    assert keys(reviewer_items) == everything
    admin = SimpleNamespace(headers=world.admin_headers)
    assert keys(poll(client, admin, expect=len(everything))[0]) == everything


def test_the_feed_interleaves_orders_in_the_order_events_were_written(
        client, world, rt, two_stores):
    items, _ = poll(client, world.reviewer, expect=len(stored(rt)))
    numbers = [item["order_no"] for item in items]
    # O-1's card came after O-2 was created, and O-3 after that card.
    assert numbers.index("O-2") < numbers.index("O-1", numbers.index("O-2"))
    assert numbers[-1] == "O-3"
    assert [item["id"] for item in items] == sorted(item["id"] for item in items)


def test_a_store_sees_its_own_orders_events_and_no_other_stores(
        client, world, rt, two_stores):
    ours = stored(rt, store_id=world.store_id)
    theirs = stored(rt, store_id=two_stores["store_id"])
    assert ours and theirs
    for actor in (world.owner, world.agent):
        assert keys(poll(client, actor, expect=len(ours))[0]) == ours
    for actor in (two_stores["owner"], two_stores["agent"]):
        assert keys(poll(client, actor, expect=len(theirs))[0]) == theirs


def test_another_stores_event_by_id_answers_exactly_like_a_missing_one(
        client, world, rt, two_stores):
    ours = stored(rt, store_id=world.store_id)[0][0]
    theirs = stored(rt, store_id=two_stores["store_id"])[0][0]
    missing = max(row[0] for row in stored(rt)) + 1000

    mine = client.get(f"{FEED}/{ours}", headers=world.owner.headers)
    assert mine.status_code == 200
    assert mine.get_json()["order_no"] == "O-1"

    hidden = assert_problem(client.get(f"{FEED}/{theirs}", headers=world.owner.headers),
                            404, "not_found")
    absent = assert_problem(client.get(f"{FEED}/{missing}", headers=world.owner.headers),
                            404, "not_found")
    assert same_problem(hidden) == {**same_problem(absent),
                                    "detail": absent["detail"].replace(str(missing),
                                                                       str(theirs))}
    assert client.get(f"{FEED}/{theirs}", headers=two_stores["owner"].headers
                      ).status_code == 200


def test_a_buyer_sees_only_its_orders_events(client, world, rt, two_stores):
    mine = stored(rt, buyer_id=world.buyer.id, visible_to_buyer=True)
    assert {no for _, no, _ in mine} == {"O-1", "O-3"}
    assert keys(poll(client, world.buyer, expect=len(mine))[0]) == mine
    other = two_stores["buyer"]
    assert {item["order_no"] for item in poll(client, other, expect=1)[0]} == {"O-2"}
    o1_event = mine[0][0]
    assert_problem(client.get(f"{FEED}/{o1_event}", headers=other.headers), 404, "not_found")


def test_a_buyer_never_sees_the_stores_internal_events(client, world, rt, late_and_reported):
    store_seen = [t for _, _, t in stored(rt)]
    assert any(t.startswith("penalty.") for t in store_seen)
    assert "report.evidence_added" in store_seen

    visible = stored(rt, buyer_id=world.buyer.id, visible_to_buyer=True)
    items, _ = poll(client, world.buyer, expect=len(visible))
    assert keys(items) == visible
    assert not [item["type"] for item in items if item["type"].startswith(STORE_ONLY)]
    assert {"violation.late_shipment", "compensation.paid", "report.submitted"} <= {
        item["type"] for item in items}

    for event_id, _, event_type in stored(rt):
        response = client.get(f"{FEED}/{event_id}", headers=world.buyer.headers)
        if event_type.startswith(STORE_ONLY):
            assert_problem(response, 404, "not_found")
        else:
            assert response.status_code == 200, event_type

    # ...and asking for them by type changes nothing.
    asked, _ = poll(client, world.buyer, type=["penalty.*", "product.*",
                                               "report.evidence_added"])
    assert asked == []


# --- filters -----------------------------------------------------------------------------


def test_type_filters_exact_types_and_families_and_may_repeat(client, world, rt, two_stores):
    everything = stored(rt)
    created_only, _ = poll(client, world.reviewer, type="order.created", expect=3)
    assert keys(created_only) == [row for row in everything if row[2] == "order.created"]

    cards, _ = poll(client, world.reviewer, type="card.*", expect=1)
    assert keys(cards) == [row for row in everything if row[2].startswith("card.")]
    assert cards

    both, _ = poll(client, world.reviewer, type=["card.*", "order.created"], expect=4)
    assert keys(both) == [row for row in everything
                          if row[2].startswith("card.") or row[2] == "order.created"]

    # A family is whole words: ``card`` alone is a type, and ``car.*`` names no family here.
    assert poll(client, world.reviewer, type="card")[0] == []
    assert poll(client, world.reviewer, type="car.*")[0] == []


def test_order_no_filters_by_order_and_a_hidden_or_unknown_order_has_no_events(
        client, world, rt, two_stores):
    o1 = [row for row in stored(rt) if row[1] == "O-1"]
    assert keys(poll(client, world.owner, order_no="O-1", expect=len(o1))[0]) == o1
    for order_no in ("O-2", "NO-SUCH-ORDER"):  # another store's; none at all
        body = page(client, world.owner, order_no=order_no)
        assert body["items"] == []
    assert poll(client, two_stores["owner"], order_no="O-2", expect=1)[0]


# --- cursors -----------------------------------------------------------------------------


def test_pages_of_one_go_from_the_start_to_the_end_each_event_once(
        client, world, rt, two_stores):
    everything = stored(rt)
    seen, after = [], None
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while len(seen) < len(everything) and time.monotonic() < deadline:
        body = page(client, world.reviewer, limit=1, **({"after": after} if after else {}))
        assert len(body["items"]) <= 1
        seen += body["items"]
        if not body["items"]:
            assert body["next_cursor"] == after or after is None
            time.sleep(0.05)
        after = body["next_cursor"]
    assert keys(seen) == everything
    end = page(client, world.reviewer, limit=1, after=after)
    assert end["items"] == []
    assert end["next_cursor"] == after  # an empty page hands back where it was


def test_the_last_page_carries_a_cursor_that_goes_on_with_exactly_the_new_events(
        client, world, rt, two_stores):
    first, after = poll(client, world.owner, expect=len(stored(rt, store_id=world.store_id)))
    last = page(client, world.owner, limit=len(first))  # the whole list is one last page
    assert keys(last["items"]) == keys(first)
    assert last["next_cursor"] == after
    assert page(client, world.owner, after=after)["items"] == []

    before = {row[0] for row in stored(rt)}
    sent_card(client, world, "O-3")
    world.order("O-4")
    world.order("O-5", store_id=two_stores["store_id"])
    new = [row for row in stored(rt, store_id=world.store_id) if row[0] not in before]
    assert {no for _, no, _ in new} == {"O-3", "O-4"}

    again, after = poll(client, world.owner, after, expect=len(new))
    assert keys(again) == new
    assert poll(client, world.owner, after)[0] == []


def test_a_first_empty_page_answers_a_cursor_from_the_start(client, world, rt):
    newcomer = world.actor(Role.BUYER, "newcomer")
    body = page(client, newcomer)
    assert body["items"] == []
    assert pagination.decode(body["next_cursor"]) == [0, 0]

    world.order("O-1", buyer=newcomer)
    items, _ = poll(client, newcomer, body["next_cursor"], expect=1)
    assert keys(items) == stored(rt, buyer_id=newcomer.id, visible_to_buyer=True)
    assert [item["type"] for item in items] == ["order.created"]


def test_each_item_has_the_shape_of_an_event(client, world, rt, two_stores):
    item = poll(client, world.owner, expect=1)[0][0]
    assert set(item) == {"id", "order_no", "at", "actor", "type", "data"}
    assert item["at"].endswith("Z")
    assert client.get(f"{FEED}/{item['id']}", headers=world.owner.headers
                      ).get_json() == item


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("after", [
    "abc",  # not base64 of JSON
    pagination.encode(["2026-11-22T00:00:00Z", 1]),  # the per-order timeline's kind
    pagination.encode([5]),  # the orders list's kind
    pagination.encode([1, -1]),
    pagination.encode([1, 0]),  # only the start has no event under it
    pagination.encode([1, True]),
    pagination.encode([1, 2**63]),
    pagination.encode({"txid": 1, "id": 1}),
    "a" * 401,
    "not a cursor!",
])
def test_a_forged_cursor_is_refused_naming_after(client, world, after):
    assert_invalid(client.get(FEED, headers=world.owner.headers,
                              query_string={"after": after}), "after")


@pytest.mark.parametrize("types", [
    ["card.*.sent"], ["card.**"], [".card"], ["card."], ["card sent"], ["*"], [""],
    ["card-sent"], ["x" * 65],
])
def test_a_malformed_type_is_refused_naming_type(client, world, types):
    body = assert_problem(client.get(FEED, headers=world.owner.headers,
                                     query_string={"type": types}), 422, "validation_error")
    assert set(body["errors"]) == {"type.0"}, body


def test_at_most_twenty_types(client, world):
    twenty = [f"card.t{n}" for n in range(20)]
    assert page(client, world.owner, type=twenty)["items"] == []
    assert_invalid(client.get(FEED, headers=world.owner.headers,
                              query_string={"type": [*twenty, "card.t20"]}), "type")


@pytest.mark.parametrize("limit", [0, 501, "x"])
def test_limit_is_between_1_and_500(client, world, limit):
    assert_invalid(client.get(FEED, headers=world.owner.headers,
                              query_string={"limit": limit}), "limit")


def test_the_feed_needs_a_token(client):
    assert_problem(client.get(FEED), 401, "unauthenticated")
    assert_problem(client.get(f"{FEED}/1"), 401, "unauthenticated")
