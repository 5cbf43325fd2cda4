"""``card.expiring_soon``: recorded by the worker from exactly the lead before a pending
card lapses, once per card, seen by its buyer and pushed like any event."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.api.helpers import API, accept, sent_card
from tests.webhook_support import run_once, served_in_feed, subscribe


def feed_types(client, actor) -> list[str]:
    items = client.get(f"{API}/events", headers=actor.headers,
                       query_string={"limit": 500}).get_json()["items"]
    return [item["type"] for item in items]


def test_the_notice_comes_at_the_lead_to_the_second_and_only_once(client, world, rt, clock,
                                                                  receiver):
    world.order("O-1")
    subscribe(client, world.owner, receiver.url, ["card.expiring_soon"])
    card = sent_card(client, world)
    expires_at = clock.now() + timedelta(hours=24)
    lead = rt.policy.expiry_notice_lead

    clock.set(expires_at - lead - timedelta(seconds=1))
    assert run_once(rt).notices == 0
    clock.set(expires_at - lead)
    assert run_once(rt).notices == 1
    clock.advance(timedelta(minutes=30))
    assert run_once(rt).notices == 0

    assert len(served_in_feed(client, world.buyer, "card.expiring_soon")) == 1
    (delivered,) = [json.loads(r.body) for r in receiver.received]
    assert delivered["type"] == "card.expiring_soon"
    assert delivered["data"]["card_id"] == card["id"]
    assert delivered["data"]["expires_at"] == card["expires_at"]


def test_no_notice_for_a_card_answered_or_already_lapsed(client, world, rt, clock):
    world.order("O-1")
    world.order("O-2")
    answered = sent_card(client, world, "O-1")
    sent_card(client, world, "O-2")
    assert accept(client, world.buyer, answered["id"]).status_code == 200
    clock.advance(timedelta(hours=24))  # O-2's card lapses at this instant
    assert run_once(rt).notices == 0
    assert "card.expiring_soon" not in feed_types(client, world.owner)


@pytest.mark.parametrize("policy", [{"expiry_notice_lead_hours": 6}])
def test_the_lead_is_configurable(client, world, rt, clock):
    world.order("O-1")
    sent_card(client, world)
    clock.advance(timedelta(hours=18))
    assert run_once(rt).notices == 1
