"""How a request's events reach the database: in one statement when no webhook endpoint
may be owed them, which also tells whether one may be; the endpoints are looked up only
then, and each event gets the deliveries its own type and store are owed."""

from __future__ import annotations

from sqlalchemy import Engine, event, select

from models import Event, Order, WebhookDelivery
from negotiation.adapters.database import ROWS_AS_ARRAYS
from negotiation.domain.enums import Role
from negotiation.services.accounts import stores
from tests.api.helpers import accept, sent_card
from tests.api.test_batches import send
from tests.conftest import ADMIN
from tests.webhook_support import ENDPOINTS, delivery_rows, subscribe

RECEIVER = "http://127.0.0.1:9/hook"  # nothing is delivered here: no worker runs


def statements_on(engine: Engine) -> list[str]:
    """The tables each statement sent from now on names first (BEGIN and COMMIT aside)."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *args: object) -> None:
        words = statement.split()
        if words[0].upper() in ("SELECT", "UPDATE", "INSERT", "DELETE"):
            seen.append(" ".join(words[:6] if words[0].upper() == "SELECT" else words[:4]))

    event.listen(engine, "before_cursor_execute", record)
    return seen


def event_statements(sent: list[str]) -> list[str]:
    return [s for s in sent if "events" in s or "webhook_" in s]


def statements_of_an_answer(client, world, rt) -> list[str]:
    """Send a card on a new order, then accept it: what the acceptance sent on events."""
    world.order("O-1")
    card = sent_card(client, world)
    sent = statements_on(rt.engine)
    assert accept(client, world.buyer, card["id"]).status_code == 200
    return event_statements(sent)


INSERT_EVENTS = "INSERT INTO events (order_id,"
LOOKUP = ("SELECT webhook_endpoints.id, webhook_endpoints.store_id, webhook_endpoints.event_types "
          "FROM webhook_endpoints")


def test_with_no_endpoint_an_answer_writes_its_three_events_in_one_statement(
        client, world, rt):
    assert statements_of_an_answer(client, world, rt) == [INSERT_EVENTS]
    assert delivery_rows(rt) == []


def test_another_stores_endpoint_and_a_disabled_one_cost_no_lookup(client, world, rt):
    other_store = stores.create_store(rt.uow(), ADMIN, name="Other", region="Zhejiang").id
    subscribe(client, world.actor(Role.OWNER, "other owner", other_store), RECEIVER)
    disabled = subscribe(client, world.owner, RECEIVER)
    assert client.patch(f"{ENDPOINTS}/{disabled['id']}", headers=world.owner.headers,
                        json={"enabled": False}).status_code == 200
    assert statements_of_an_answer(client, world, rt) == [INSERT_EVENTS]
    assert delivery_rows(rt) == []


def test_an_endpoint_that_may_be_owed_is_looked_up_and_owed_only_its_types(
        client, world, rt):
    world.order("O-1")
    card = sent_card(client, world)
    mine = subscribe(client, world.owner, RECEIVER, ["negotiation.agreed"])
    platform = subscribe(client, world.reviewer, RECEIVER, ["card.*"])
    sent = statements_on(rt.engine)
    assert accept(client, world.buyer, card["id"]).status_code == 200
    assert event_statements(sent) == [
        INSERT_EVENTS, LOOKUP, "INSERT INTO webhook_deliveries (endpoint_id,"]
    with rt.sessions() as session:
        owed = session.execute(
            select(WebhookDelivery.endpoint_id, Event.type)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .order_by(Event.id, WebhookDelivery.endpoint_id)).all()
    assert owed == [(platform["id"], "card.accepted"), (mine["id"], "negotiation.agreed")]


def test_an_endpoint_owed_nothing_of_a_request_writes_no_delivery(client, world, rt):
    world.order("O-1")
    subscribe(client, world.owner, RECEIVER, ["report.*"])
    card = sent_card(client, world)
    assert accept(client, world.buyer, card["id"]).status_code == 200
    assert delivery_rows(rt) == []


def test_a_batchs_many_events_each_get_the_delivery_they_are_owed(client, world, rt):
    """Past ``ROWS_AS_ARRAYS`` events, PostgreSQL takes them as arrays: what each row
    returns must still name its own event."""
    numbers = [world.order(f"B-{i}") for i in range(ROWS_AS_ARRAYS + 4)]
    platform = subscribe(client, world.reviewer, RECEIVER, ["card.sent"])
    assert send(client, world.owner, numbers).status_code == 200
    with rt.sessions() as session:
        owed = session.execute(
            select(Order.order_no, WebhookDelivery.endpoint_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .join(Order, Order.id == Event.order_id)
            .where(Event.type == "card.sent")).all()
    assert sorted(owed) == sorted((n, platform["id"]) for n in numbers)
    assert len(delivery_rows(rt)) == len(numbers)
