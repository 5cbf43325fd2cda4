"""Small helpers the API tests share: requests by name, and what a problem must look like."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import START

API = "/api/v1"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def iso(at: datetime) -> str:
    """An instant the way the API answers it: UTC with ``Z``."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def propose(client: Any, world: Any, order_no: str = "O-1", *, days: float = 5,
            at: datetime | None = None, actor: Any = None, reason: str = "custom_made",
            headers: dict[str, str] | None = None, **extra: Any) -> Any:
    """Send a card proposing ``at`` (default: ``days`` after START) as ``actor`` (the owner)."""
    body = {"proposed_ship_by": iso(at or START + timedelta(days=days)), "reason": reason,
            **extra}
    return client.post(f"{API}/orders/{order_no}/negotiation/cards",
                       headers=headers or (actor or world.owner).headers, json=body)


def sent_card(client: Any, world: Any, order_no: str = "O-1", **kwargs: Any) -> dict[str, Any]:
    """Send a card that must be accepted by the rules, and return it."""
    response = propose(client, world, order_no, **kwargs)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def accept(client: Any, actor: Any, card_id: int, **kwargs: Any) -> Any:
    return client.post(f"{API}/cards/{card_id}/accept", headers=actor.headers, **kwargs)


def reject(client: Any, actor: Any, card_id: int, **body: Any) -> Any:
    return client.post(f"{API}/cards/{card_id}/reject", headers=actor.headers, json=body)


def withdraw(client: Any, actor: Any, card_id: int) -> Any:
    return client.post(f"{API}/cards/{card_id}/withdraw", headers=actor.headers)


def ship(client: Any, actor: Any, order_no: str = "O-1", tracking_no: str = "SF1000001",
         carrier: str = "SF Express") -> Any:
    return client.post(f"{API}/orders/{order_no}/shipments", headers=actor.headers,
                       json={"carrier": carrier, "tracking_no": tracking_no})


def negotiation(client: Any, actor: Any, order_no: str = "O-1") -> dict[str, Any]:
    response = client.get(f"{API}/orders/{order_no}/negotiation", headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def order(client: Any, actor: Any, order_no: str = "O-1") -> dict[str, Any]:
    response = client.get(f"{API}/orders/{order_no}", headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def card(client: Any, actor: Any, card_id: int) -> dict[str, Any]:
    response = client.get(f"{API}/cards/{card_id}", headers=actor.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def events(client: Any, actor: Any, order_no: str = "O-1") -> list[dict[str, Any]]:
    """Every event of the order, following cursors to the end."""
    items: list[dict[str, Any]] = []
    url = f"{API}/orders/{order_no}/events?limit=500"
    while True:
        response = client.get(url, headers=actor.headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        page = response.get_json()
        items += page["items"]
        if page["next_cursor"] is None:
            return items
        url = f"{API}/orders/{order_no}/events?limit=500&cursor={page['next_cursor']}"


def event_types(client: Any, actor: Any, order_no: str = "O-1") -> list[str]:
    return [e["type"] for e in events(client, actor, order_no)]


def use_cards(client: Any, world: Any, order_no: str, answers: list[str]) -> list[dict]:
    """Send one card per answer and have the buyer ``reject`` or ``accept`` it in turn;
    ``pending`` leaves that card unanswered (it must be the last)."""
    cards = []
    for n, answer in enumerate(answers):
        sent = sent_card(client, world, order_no, days=5 + n)
        if answer != "pending":
            act = accept if answer == "accept" else reject
            response = act(client, world.buyer, sent["id"])
            assert response.status_code == 200, response.get_data(as_text=True)
        cards.append(sent)
    return cards


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem document with the given status and ``code``."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert response.mimetype == "application/problem+json", text
    body = response.get_json()
    assert body.keys() >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["type"], str) and body["type"]
    return body


def assert_invalid(response: Any, *fields: str, status: int = 422,
                   code: str = "validation_error") -> dict[str, Any]:
    """A validation problem whose ``errors`` name exactly ``fields`` (each with messages)."""
    body = assert_problem(response, status, code)
    assert set(body.get("errors", {})) == set(fields), body
    for field in fields:
        messages = body["errors"][field]
        assert messages and all(isinstance(m, str) and m for m in messages), body
    return body


def same_problem(body: dict[str, Any]) -> dict[str, Any]:
    """A problem document without what differs between any two requests (their ids)."""
    return {key: value for key, value in body.items() if key != "request_id"}
