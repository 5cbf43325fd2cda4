"""Consent links on the API: who may have one made, for which card, what it says, and
that an answer through one is the buyer's, recorded with its channel."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from negotiation import create_app
from negotiation.domain.caller import Caller
from negotiation.domain.enums import Role
from negotiation.domain.errors import Conflict, DomainError
from negotiation.services.accounts import stores
from negotiation.services.core.views import CardView
from negotiation.services.negotiation import cards, consent
from negotiation.services.notifications import inbox
from tests.api.helpers import (
    API,
    accept,
    assert_problem,
    events,
    iso,
    reject,
    sent_card,
    ship,
    withdraw,
)
from tests.conftest import START
from tests.integration.support import event_counts, propose
from tests.integration.test_concurrency import run_together
from tests.web.conftest import forms, markup
from tests.webhook_support import delivery_rows, subscribe

ADMIN = Caller(role=Role.ADMIN)


def mint(client, actor, card_id):
    return client.post(f"{API}/cards/{card_id}/consent-link", headers=actor.headers)


def minted(client, actor, card_id) -> dict:
    response = mint(client, actor, card_id)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def page_path(link: dict) -> str:
    return urlsplit(link["url"]).path


@pytest.mark.parametrize("who", ["owner", "agent"])
def test_the_cards_store_gets_a_link_that_lasts_as_long_as_the_card(client, world, who):
    world.order("O-1")
    card = sent_card(client, world)
    link = minted(client, getattr(world, who), card["id"])
    assert set(link) == {"url", "expires_at"}
    assert link["expires_at"] == card["expires_at"]
    url = urlsplit(link["url"])
    assert url.scheme == "http" and url.netloc == "localhost"
    assert url.path.startswith("/consent/")
    # The link names neither the order nor an account's credential, and is none itself.
    assert "O-1" not in link["url"] and world.buyer.token not in link["url"]
    token = url.path.rsplit("/", 1)[1]
    assert_problem(client.get(f"{API}/cards/{card['id']}",
                              headers={"Authorization": f"Bearer {token}"}),
                   401, "unauthenticated")


def test_the_buyer_and_a_reviewer_see_the_card_but_may_not_make_a_link(client, world):
    world.order("O-1")
    card = sent_card(client, world)
    assert_problem(mint(client, world.buyer, card["id"]), 403, "forbidden")
    assert_problem(mint(client, world.reviewer, card["id"]), 403, "forbidden")


def test_another_stores_people_and_another_buyer_are_told_the_card_does_not_exist(
        client, world, rt):
    world.order("O-1")
    card = sent_card(client, world)
    other = stores.create_store(rt.uow(), ADMIN, name="Other store", region="Zhejiang")
    stranger = world.actor(Role.OWNER, "other owner", other.id)
    other_buyer = world.actor(Role.BUYER, "other buyer")
    hidden = assert_problem(mint(client, stranger, card["id"]), 404, "not_found")
    absent = assert_problem(mint(client, world.owner, card["id"] + 1000), 404, "not_found")
    assert_problem(mint(client, other_buyer, card["id"]), 404, "not_found")
    assert hidden["detail"].replace(str(card["id"]), "N") == \
        absent["detail"].replace(str(card["id"] + 1000), "N")


def test_a_link_needs_a_bearer_token_to_be_made(client, world):
    world.order("O-1")
    card = sent_card(client, world)
    assert_problem(client.post(f"{API}/cards/{card['id']}/consent-link"), 401,
                   "unauthenticated")


@pytest.mark.parametrize(("close", "code"), [
    (lambda c, w, card: accept(c, w.buyer, card), "card_not_pending"),
    (lambda c, w, card: reject(c, w.buyer, card), "card_not_pending"),
    (lambda c, w, card: withdraw(c, w.owner, card), "card_not_pending"),
    (lambda c, w, card: ship(c, w.owner), "card_not_pending"),  # voided
])
def test_a_card_no_longer_pending_gets_no_link_with_its_usual_refusal(
        client, world, close, code):
    world.order("O-1")
    card = sent_card(client, world)
    assert close(client, world, card["id"]).status_code in (200, 201)
    assert_problem(mint(client, world.owner, card["id"]), 409, code)


def test_an_expired_card_gets_no_link_one_second_before_it_does(client, world, clock):
    world.order("O-1")
    card = sent_card(client, world)
    expires = START + timedelta(hours=24)
    assert card["expires_at"] == iso(expires)
    clock.set(expires - timedelta(seconds=1))
    assert minted(client, world.owner, card["id"])["expires_at"] == iso(expires)
    clock.set(expires)
    assert_problem(mint(client, world.owner, card["id"]), 409, "card_expired")


def answer_by_page(client, link: dict, verb: str, **fields: str):
    """Open the link's page and post its ``verb`` form, as the buyer's phone would."""
    page = client.get(page_path(link))
    assert page.status_code == 200, page.get_data(as_text=True)
    form = forms(markup(page))[f"/consent/{verb}"]
    hidden = dict(re.findall(r'name="(token|nonce)"[^>]*value="([^"]*)"', form))
    return client.post(f"/consent/{verb}", data={**hidden, **fields})


def test_an_answer_by_link_is_the_buyers_with_the_channel_in_the_event(client, world):
    world.order("O-1")
    card = sent_card(client, world)
    link = minted(client, world.agent, card["id"])
    assert answer_by_page(client, link, "accept").status_code == 200
    accepted = [e for e in events(client, world.owner) if e["type"] == "card.accepted"]
    assert [(e["actor"], e["data"]["channel"]) for e in accepted] == [
        (str(world.buyer.id), "consent_link")]
    # The buyer's own feed and the store's feed carry the same event.
    for actor in (world.buyer, world.owner):
        feed = client.get(f"{API}/events", headers=actor.headers).get_json()["items"]
        assert [e["data"].get("channel") for e in feed if e["type"] == "card.accepted"] == \
            ["consent_link"]


def test_the_answer_by_link_reaches_the_stores_inbox_and_webhooks_with_its_channel(
        client, world, rt):
    world.order("O-1")
    card = sent_card(client, world)
    hook = subscribe(client, world.owner, "http://127.0.0.1:9/hooks", ["card.rejected"])
    link = minted(client, world.owner, card["id"])
    assert answer_by_page(client, link, "reject").status_code == 200
    rejected = next(e for e in events(client, world.owner) if e["type"] == "card.rejected")
    assert [(d.endpoint_id, d.event_id) for d in delivery_rows(rt)] == \
        [(hook["id"], rejected["id"])]
    notices = inbox.list_inbox(rt.uow(), world.agent.caller).notices.items
    assert [(n.id, n.data["channel"]) for n in notices if n.type == "card.rejected"] == \
        [(rejected["id"], "consent_link")]


def test_a_rejection_by_link_records_the_note_and_preferred_time_and_channel(client, world):
    world.order("O-1")
    card = sent_card(client, world)
    link = minted(client, world.owner, card["id"])
    answered = answer_by_page(client, link, "reject", note="太晚了",
                              preferred_ship_by="2026-11-23T20:00")
    assert answered.status_code == 200
    rejected = next(e for e in events(client, world.owner) if e["type"] == "card.rejected")
    assert rejected["actor"] == str(world.buyer.id)
    assert rejected["data"]["channel"] == "consent_link"
    assert rejected["data"]["note"] == "太晚了"
    assert rejected["data"]["preferred_ship_by"] == "2026-11-23T12:00:00Z"


def test_an_answer_through_the_api_names_no_channel(client, world):
    world.order("O-1")
    card = sent_card(client, world)
    assert accept(client, world.buyer, card["id"]).status_code == 200
    accepted = next(e for e in events(client, world.owner) if e["type"] == "card.accepted")
    assert "channel" not in accepted["data"]


def test_a_link_still_works_after_the_server_restarts(app, client, world, database_url,
                                                       clock, tmp_path):
    world.order("O-1")
    card = sent_card(client, world)
    link = minted(client, world.owner, card["id"])
    restarted = create_app({**app.config, "DATABASE_URL": database_url,
                            "EVIDENCE_DIR": str(tmp_path / "evidence-2")}, clock=clock)
    try:
        other = restarted.test_client()
        assert answer_by_page(other, link, "accept").status_code == 200
    finally:
        restarted.extensions["negotiation"].engine.dispose()
    assert client.get(f"{API}/cards/{card['id']}",
                      headers=world.owner.headers).get_json()["state"] == "accepted"


def test_a_server_with_another_secret_key_refuses_the_link(app, client, world, database_url,
                                                           clock, tmp_path):
    world.order("O-1")
    card = sent_card(client, world)
    link = minted(client, world.owner, card["id"])
    elsewhere = create_app({**app.config, "DATABASE_URL": database_url,
                            "SECRET_KEY": "another-secret",
                            "EVIDENCE_DIR": str(tmp_path / "evidence-2")}, clock=clock)
    try:
        assert elsewhere.test_client().get(page_path(link)).status_code == 404
    finally:
        elsewhere.extensions["negotiation"].engine.dispose()


@pytest.mark.postgres
def test_answers_racing_through_one_link_leave_one_answer_and_refuse_the_rest_alike(
        rt, world):
    world.order("O-1")
    card = propose(rt, world.owner, "O-1")
    link = consent.make_link(rt.uow(), world.agent.caller, card.id)
    jobs = [lambda: consent.accept_by_link(rt.uow(), link),
            lambda: consent.reject_by_link(rt.uow(), link, note="no")] * 4
    results = run_together(*jobs)
    won = [r for r in results if isinstance(r, CardView)]
    refused = [r for r in results if isinstance(r, DomainError) and not isinstance(r, Conflict)]
    assert len(won) == 1, results
    assert {r.code for r in refused} <= {"consent_link_invalid"}
    assert all(isinstance(r, CardView | DomainError) for r in results), results
    counts = event_counts(rt, "O-1")
    assert counts["card.accepted"] + counts["card.rejected"] == 1
    assert cards.get_card(rt.uow(), world.owner.caller, card.id).state == won[0].state


def test_asking_again_gives_the_same_link_and_records_nothing(client, world):
    world.order("O-1")
    card = sent_card(client, world)
    before = events(client, world.owner)
    assert minted(client, world.owner, card["id"]) == minted(client, world.agent, card["id"])
    assert events(client, world.owner) == before
