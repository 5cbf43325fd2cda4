"""A web session lasts as long as the API key it signed in with, and not a page longer."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import START
from tests.web.conftest import text

API = "/api/v1"


def new_key(client, actor, **body) -> dict:
    response = client.post(f"{API}/accounts/{actor.id}/keys", headers=actor.headers,
                           json={"name": "browser", **body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_any_named_key_signs_in(browser, client, world):
    world.order("O-1")
    key = new_key(client, world.owner)
    b = browser(key["key"])
    page = b.get("/")
    assert page.status_code == 200 and "O-1" in text(page)


def test_revoking_the_key_ends_the_web_session_on_the_next_page(browser, client, world):
    world.order("O-1")
    key = new_key(client, world.owner)
    b = browser(key["key"])
    assert b.get("/orders/O-1").status_code == 200
    revoked = client.post(f"{API}/keys/{key['id']}/revoke", headers=world.owner.headers)
    assert revoked.status_code == 200
    page = b.get("/orders/O-1")
    assert page.status_code == 302
    assert page.headers["Location"] == "/sign-in?next=/orders/O-1"
    assert b.client.get_cookie("session") is None  # nothing of the caller is kept
    assert b.get("/").status_code == 302


def test_revoking_another_key_of_the_account_leaves_the_session_alone(browser, client, world):
    browser_key = new_key(client, world.owner)
    other = new_key(client, world.owner, name="crm")
    b = browser(browser_key["key"])
    client.post(f"{API}/keys/{other['id']}/revoke", headers=world.owner.headers)
    assert b.get("/").status_code == 200


def test_rotating_the_key_ends_the_sessions_it_opened(browser, client, world):
    key = new_key(client, world.agent)
    b = browser(key["key"])
    rotated = client.post(f"{API}/keys/{key['id']}/rotate", headers=world.owner.headers)
    assert rotated.status_code == 201
    assert b.get("/").status_code == 302
    assert browser(rotated.get_json()["key"]).get("/").status_code == 200


def test_an_expired_key_ends_the_web_session(browser, client, world, clock):
    key = new_key(client, world.buyer, expires_at="2026-11-22T01:00:00Z")
    b = browser(key["key"])
    clock.set(START + timedelta(hours=1) - timedelta(seconds=1))
    assert b.get("/").status_code == 200
    clock.set(START + timedelta(hours=1))
    assert b.get("/").status_code == 302
