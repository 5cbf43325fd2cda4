"""Signing in and out, the guard on every page, and CSRF on every form."""

from __future__ import annotations

from negotiation.domain.enums import CardState
from negotiation.services.negotiation import cards
from tests.conftest import ADMIN_TOKEN
from tests.web.conftest import Browser, csrf_token_in, text


def test_a_valid_token_signs_in_and_lands_on_the_order_list(browser, world):
    world.order("O-1")
    b = browser()
    signed = b.sign_in(world.owner.token)
    assert signed.status_code == 302 and signed.headers["Location"] == "/"
    page = b.get("/")
    assert page.status_code == 200
    assert "O-1" in text(page) and "主账号 Store owner" in text(page)


def test_a_wrong_token_is_refused_on_the_same_form(browser, world):
    b = browser()
    refused = b.sign_in("not-a-token")
    assert refused.status_code == 422
    assert "令牌无效 This token is not valid." in text(refused)
    assert b.get("/").status_code == 302  # still signed out


def test_an_empty_token_is_named_as_required(browser, world):
    refused = browser().sign_in("")
    assert refused.status_code == 422
    assert "必填 Required." in text(refused)


def test_the_admin_token_signs_in_as_the_platform(browser, world):
    world.order("O-1")
    page = browser(ADMIN_TOKEN).get("/")
    assert "平台管理员 Admin" in text(page) and "O-1" in text(page)


def test_an_unauthenticated_visitor_is_sent_to_sign_in_and_back_afterwards(browser, world):
    world.order("O-1")
    b = browser()
    visit = b.get("/orders/O-1")
    assert visit.status_code == 302
    assert visit.headers["Location"] == "/sign-in?next=/orders/O-1"
    signed = b.sign_in(world.buyer.token, next_page="/orders/O-1")
    assert signed.headers["Location"] == "/orders/O-1"


def test_the_root_asks_a_visitor_to_sign_in(browser, world):
    assert browser().get("/").headers["Location"] == "/sign-in?next=/"


def test_sign_in_never_sends_anyone_to_another_site(browser, world):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "orders"):
        signed = browser().sign_in(world.owner.token, next_page=target)
        assert signed.headers["Location"] == "/", target


def test_signing_out_ends_the_session(browser, world):
    b = browser(world.owner)
    out = b.submit("/", "/sign-out")
    assert out.status_code == 302 and out.headers["Location"] == "/sign-in"
    assert b.get("/").status_code == 302


def test_the_session_cookie_does_not_carry_the_token(app, browser, client, world):
    b = browser(world.owner)
    cookie = b.client.get_cookie("session")
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    keys = client.get(f"/api/v1/accounts/{world.owner.id}/keys", headers=world.owner.headers)
    assert session["caller"] == {"role": "owner", "account_id": world.owner.id,
                                 "store_id": world.store_id,
                                 "key_id": keys.json["items"][0]["id"]}
    assert world.owner.token not in cookie.value and world.owner.token not in str(session)


def test_a_post_without_a_csrf_token_is_refused_with_400(browser, world):
    b = browser()
    refused = b.client.post("/sign-in", data={"token": world.owner.token})
    assert refused.status_code == 400
    assert "表单已失效 The form has expired" in text(refused)
    assert b.get("/").status_code == 302  # the token was not accepted


def test_a_signed_in_action_without_its_csrf_token_changes_nothing(browser, world, rt):
    world.order("O-1")
    b: Browser = browser(world.owner)
    for token in (None, "forged"):
        data = {"proposed_ship_by": "2026-11-27T08:00", "reason": "custom_made"}
        if token:
            data["csrf_token"] = token
        assert b.client.post("/orders/O-1/cards", data=data).status_code == 400
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards == []


def test_a_csrf_token_from_another_session_is_refused(browser, world):
    world.order("O-1")
    theirs = browser(world.owner)
    mine = browser(world.buyer)
    page = theirs.get("/").get_data(as_text=True)
    refused = mine.client.post("/sign-out", data={"csrf_token": csrf_token_in(page)})
    assert refused.status_code == 400


def test_the_json_api_still_needs_no_csrf_token(client, world):
    world.order("O-1")
    response = client.post("/api/v1/orders/O-1/negotiation/cards", headers=world.owner.headers,
                           json={"proposed_ship_by": "2026-11-27T00:00:00Z",
                                 "reason": "custom_made"})
    assert response.status_code == 201, response.json
    assert response.json["state"] == CardState.PENDING


def test_a_test_config_may_turn_csrf_off(app, browser, world, rt):
    app.config["WTF_CSRF_ENABLED"] = False
    world.order("O-1")
    b = browser(world.owner)
    sent = b.client.post("/orders/O-1/cards", data={"proposed_ship_by": "2026-11-27T08:00",
                                                    "reason": "custom_made"})
    assert sent.status_code == 302
    assert len(cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards) == 1


def test_the_favicon_is_served_not_a_404(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
