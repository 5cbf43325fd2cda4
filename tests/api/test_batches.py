"""Many orders at once: reading up to 100 negotiations, sending up to 500 cards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from negotiation.domain.enums import Role
from negotiation.services.accounts import stores
from tests.api.helpers import API, assert_invalid, assert_problem, iso, negotiation, propose
from tests.conftest import ADMIN, START

SHIP_BY = START + timedelta(hours=47)
WHEN = iso(START + timedelta(days=5))


def read(client, actor, *order_nos):
    query = "&".join(f"order_no={n}" for n in order_nos)
    return client.get(f"{API}/negotiations?{query}", headers=actor.headers)


def send(client, actor, order_nos, *, at=WHEN, headers=None, **extra):
    body = {"order_nos": order_nos, "proposed_ship_by": at, "reason": "stock_shortage",
            **extra}
    return client.post(f"{API}/card-batches", json=body, headers=headers or actor.headers)


@pytest.fixture
def stranger(world):
    """An order of another store, and that store's owner."""
    store = stores.create_store(world.rt.uow(), ADMIN, name="Other store")
    world.order("X-1", store_id=store.id)
    return world.actor(Role.OWNER, "other owner", store.id)


# --- reading many -------------------------------------------------------------------------


def test_negotiations_come_in_the_order_asked_each_as_a_single_read_answers(client, world):
    world.order("O-1")
    world.order("O-2")
    propose(client, world, "O-2")
    response = read(client, world.owner, "O-2", "O-1")
    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert items == [negotiation(client, world.owner, "O-2"),
                     negotiation(client, world.owner, "O-1")]


def test_a_hidden_order_answers_exactly_as_an_unknown_one(client, world, stranger):
    world.order("O-1")
    items = read(client, world.owner, "X-1", "NOPE-1", "O-1").json["items"]
    hidden, unknown = items[0], items[1]
    assert hidden == {"order_no": "X-1",
                      "error": {"code": "not_found", "detail": "No order X-1."}}
    assert unknown == {"order_no": "NOPE-1",
                       "error": {"code": "not_found", "detail": "No order NOPE-1."}}
    assert items[2]["state"] == "open"


def test_a_buyer_reads_only_its_own_orders(client, world):
    world.order("O-1")
    world.order("O-2", buyer=world.actor(Role.BUYER, "another buyer"))
    items = read(client, world.buyer, "O-1", "O-2").json["items"]
    assert items[0]["order_no"] == "O-1" and "error" not in items[0]
    assert items[1]["error"]["code"] == "not_found"


def test_reading_settles_what_time_made_due(client, world, clock):
    world.order("O-1")
    propose(client, world)
    clock.set(START + timedelta(hours=24))
    [item] = read(client, world.buyer, "O-1").json["items"]
    assert item["cards"][0]["state"] == "expired" and item["state"] == "open"


def test_up_to_100_orders_are_read_and_101_are_refused(client, world):
    assert read(client, world.owner, *[f"N-{i}" for i in range(100)]).status_code == 200
    assert_invalid(read(client, world.owner, *[f"N-{i}" for i in range(101)]), "order_no")


def test_reading_without_an_order_number_is_refused(client, world):
    assert_invalid(client.get(f"{API}/negotiations", headers=world.owner.headers), "order_no")


# --- sending many -------------------------------------------------------------------------


def test_each_order_is_decided_on_its_own_rules(client, world, stranger):
    world.order("O-1")
    world.order("O-2")
    world.order("O-3", ship_by=START + timedelta(days=10))  # 5 days is before its deadline
    propose(client, world, "O-2")  # a card already pending
    response = send(client, world.agent, ["O-3", "O-1", "X-1", "O-2", "NOPE-1"])
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["order_no"] for r in results] == ["O-3", "O-1", "X-1", "O-2", "NOPE-1"]
    assert results[0]["error"]["code"] == "proposal_out_of_range"
    assert results[1]["card"]["state"] == "pending" and "error" not in results[1]
    assert results[1]["card"]["proposed_ship_by"] == WHEN
    assert results[2] == {"order_no": "X-1",
                          "error": {"code": "not_found", "detail": "No order X-1."}}
    assert results[3]["error"]["code"] == "card_pending"
    assert results[4]["error"] == {"code": "not_found", "detail": "No order NOPE-1."}
    assert negotiation(client, world.owner, "O-1")["cards"] == [results[1]["card"]]
    assert negotiation(client, world.owner, "O-3")["cards"] == []


def test_the_batchs_cards_are_recorded_as_single_ones_are(client, world):
    world.order("O-1")
    [result] = send(client, world.owner, ["O-1"]).json["results"]
    events = client.get(f"{API}/orders/O-1/events", headers=world.owner.headers).json["items"]
    [sent] = [e for e in events if e["type"] == "card.sent"]
    assert sent["data"]["card_id"] == result["card"]["id"]
    assert sent["actor"] == str(world.owner.id)


def test_an_idempotency_key_replays_the_whole_batch(client, world):
    world.order("O-1")
    world.order("O-2")
    propose(client, world, "O-2")
    headers = {**world.owner.headers, "Idempotency-Key": "batch-1"}
    first = send(client, world.owner, ["O-1", "O-2"], headers=headers)
    again = send(client, world.owner, ["O-1", "O-2"], headers=headers)
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(negotiation(client, world.owner, "O-1")["cards"]) == 1
    other = send(client, world.owner, ["O-1"], headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")


def test_a_buyer_may_never_send_a_batch(client, world):
    world.order("O-1")
    assert_problem(send(client, world.buyer, ["O-1"]), 403, "forbidden")


@pytest.mark.parametrize(("order_nos", "field"), [
    ([], "order_nos"), (["O-1", "O-1"], "order_nos"),
    (["O-1", *(f"N-{i}" for i in range(500))], "order_nos"),
    (["O-1", "not a number!"], "order_nos.1")], ids=["none", "twice", "501", "malformed"])
def test_a_bad_list_of_orders_is_refused_and_changes_nothing(client, world, order_nos, field):
    world.order("O-1")
    assert_invalid(send(client, world.owner, order_nos), field)
    assert negotiation(client, world.owner)["cards"] == []


def test_500_orders_are_one_batch(client, world):
    numbers = [world.order(f"B-{i}") for i in range(500)]
    results = send(client, world.owner, numbers).json["results"]
    assert len(results) == 500 and all("card" in r for r in results)


def test_a_refused_remark_or_time_is_a_validation_problem(client, world):
    world.order("O-1")
    assert_invalid(send(client, world.owner, ["O-1"], remark="x" * 501), "remark")
    assert_invalid(send(client, world.owner, ["O-1"], at="tomorrow"), "proposed_ship_by")


class Statements:
    """Counts the SQL statements the app's engine sends."""

    def __init__(self, engine):
        self.count = 0
        self.engine = engine

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


# SQLite's driver inserts rows that return their ids one statement each; PostgreSQL
# takes a batch's cards in one.
@pytest.mark.parametrize("call", ["read", pytest.param("send", marks=pytest.mark.postgres)])
def test_a_batch_costs_the_same_statements_whatever_its_size(client, world, rt, call):
    numbers = [world.order(f"B-{i}") for i in range(30)]

    def run(order_nos):
        with Statements(rt.engine) as seen:
            if call == "read":
                assert read(client, world.owner, *order_nos).status_code == 200
            else:
                assert send(client, world.owner, order_nos).status_code == 200
        return seen.count

    run(numbers[:1])  # the key's first use is stamped once, whatever the request
    assert run(numbers[1:4]) == run(numbers[4:30])
