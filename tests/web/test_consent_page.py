"""The page a consent link opens: the card and its answers for the buyer's phone, no
sign-in, no cookie; then a dead link, which looks the same whatever killed it."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text as sql

from negotiation.adapters.consent_links import ConsentLinkSigner
from negotiation.domain.consent import ConsentLink
from negotiation.domain.enums import CardReason, Role
from negotiation.domain.errors import Conflict, NotFound
from negotiation.services.negotiation import cards, consent
from tests.conftest import START
from tests.web.conftest import forms, markup, text

HIDDEN = re.compile(r'name="(token|nonce)"[^>]*value="([^"]*)"')


def send_card(rt, world, order_no="O-1", days=5, remark="补货中，周四前发出"):
    return cards.propose_card(rt.uow(), world.owner.caller, order_no,
                              proposed_ship_by=START + timedelta(days=days),
                              reason=CardReason.STOCK_SHORTAGE, remark=remark)


def link_path(client, world, card_id) -> str:
    response = client.post(f"/api/v1/cards/{card_id}/consent-link",
                           headers=world.owner.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return urlsplit(response.get_json()["url"]).path


def token_of(path: str) -> str:
    return path.rsplit("/", 1)[1]


def post_form(client, path, verb, **fields):
    """Post the ``verb`` form that the link's page draws, with what a person typed."""
    page = client.get(path)
    assert page.status_code == 200, text(page)
    form = forms(markup(page))[f"/consent/{verb}"]
    return client.post(f"/consent/{verb}", data={**dict(HIDDEN.findall(form)), **fields})


def card_state(rt, world, card_id) -> str:
    return cards.get_card(rt.uow(), world.owner.caller, card_id).state


def test_the_page_shows_only_the_card_and_its_two_answers(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    clock.advance(timedelta(hours=1, minutes=30))
    page = client.get(path)
    assert page.status_code == 200
    shown = text(page)
    assert "2026-11-27 08:00 Asia/Shanghai" in shown  # the proposed ship-by
    assert "库存不足 Stock shortage" in shown
    assert "补货中，周四前发出" in shown
    assert "还剩 22 小时 30 分 remaining" in shown
    assert set(forms(markup(page))) == {"/consent/accept", "/consent/reject"}
    assert "O-1" not in markup(page)  # the order is not the link's to tell
    assert "<script" not in markup(page)  # every answer works without JavaScript


def test_the_page_sets_no_cookie_keeps_its_address_to_itself_and_is_never_stored(
        client, world, rt):
    world.order("O-1")
    path = link_path(client, world, send_card(rt, world).id)
    client.delete_cookie("session")  # what the API call may have left (nothing, but be sure)
    page = client.get(path)
    assert "Set-Cookie" not in page.headers
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in markup(page)


def test_accepting_by_link_moves_the_deadline_and_then_the_link_is_dead(client, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    answered = post_form(client, path, "accept")
    assert answered.status_code == 200
    assert "已接受 Accepted" in text(answered)
    assert "Set-Cookie" not in answered.headers
    assert card_state(rt, world, card.id) == "accepted"
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").order.ship_by == \
        START + timedelta(days=5)
    assert client.get(path).status_code == 404


def test_rejecting_by_link_keeps_the_note_and_preferred_time_then_the_link_is_dead(
        client, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    answered = post_form(client, path, "reject", note="太晚了 too late",
                         preferred_ship_by="2026-11-23T20:00")
    assert answered.status_code == 200
    assert "已拒绝 Rejected" in text(answered)
    stored = cards.get_card(rt.uow(), world.owner.caller, card.id)
    assert (stored.state, stored.buyer_note) == ("rejected", "太晚了 too late")
    assert stored.preferred_ship_by == START + timedelta(days=1, hours=12)
    assert client.get(path).status_code == 404


def test_a_bad_preferred_time_draws_the_page_again_with_the_input_and_changes_nothing(
        client, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    unreadable = post_form(client, path, "reject", note="keep me", preferred_ship_by="soon")
    assert unreadable.status_code == 422
    assert "请输入有效的日期时间" in text(unreadable) and "keep me" in text(unreadable)
    past = post_form(client, path, "reject", note="keep me too",
                     preferred_ship_by="2026-11-21T08:00")
    assert past.status_code == 422
    assert ("“希望的发货时间（可选）Preferred ship-by, optional (Asia/Shanghai)” must be in the "
            "future") in text(past)
    assert "preferred_ship_by" not in text(past)
    assert "keep me too" in text(past)
    # The page drawn again still answers: its forms carry the link and a good nonce.
    form = forms(markup(past))["/consent/reject"]
    assert client.post("/consent/reject", data=dict(HIDDEN.findall(form))).status_code == 200
    assert card_state(rt, world, card.id) == "rejected"


# --- every link that does not work looks the same ---------------------------------------


def _forged(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    link_path(client, world, card.id)
    return "/consent/" + ConsentLinkSigner("not-our-secret").sign(
        ConsentLink(card.id, world.buyer.id, card.expires_at))


def _tampered(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    signature = token_of(path).split(".")[1]
    changed = ConsentLinkSigner("x").sign(ConsentLink(card.id + 1, world.buyer.id,
                                                      card.expires_at)).split(".")[0]
    return f"/consent/{changed}.{signature}"


def _not_a_token(client, world, rt, clock):
    world.order("O-1")
    send_card(rt, world)
    return "/consent/hello"


def _expired(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    clock.set(card.expires_at)
    return path


def _used(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    cards.accept_card(rt.uow(), world.buyer.caller, card.id)
    return path


def _withdrawn(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    cards.withdraw_card(rt.uow(), world.owner.caller, card.id)
    return path


def _another_cards(client, world, rt, clock):
    """The first card's link, once a second card of the same order is pending."""
    world.order("O-1")
    first = send_card(rt, world)
    path = link_path(client, world, first.id)
    cards.reject_card(rt.uow(), world.buyer.caller, first.id)
    send_card(rt, world, days=6)
    return path


def _another_buyers(client, world, rt, clock):
    """Signed here, for the card, but naming an account that is not the order's buyer."""
    world.order("O-1")
    card = send_card(rt, world)
    other = world.actor(Role.BUYER, "another buyer")
    return "/consent/" + ConsentLinkSigner(client.application.config["SECRET_KEY"]).sign(
        ConsentLink(card.id, other.id, card.expires_at))


def _buyer_changed(client, world, rt, clock):
    """The order changed hands after the link was made."""
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    other = world.actor(Role.BUYER, "new buyer")
    with rt.engine.begin() as connection:
        connection.execute(sql("UPDATE orders SET buyer_id = :b WHERE order_no = 'O-1'"),
                           {"b": other.id})
    return path


DEAD_LINKS = [_forged, _tampered, _not_a_token, _expired, _used, _withdrawn,
              _another_cards, _another_buyers, _buyer_changed]


def _dead_page(client, path):
    """What the link answers on every method, each with its own nonce if it had one."""
    shown = client.get(path)
    token = token_of(path)
    nonce = ConsentLinkSigner(client.application.config["SECRET_KEY"]).page_nonce(token)
    posts = [client.post(f"/consent/{verb}", data={"token": token, "nonce": nonce})
             for verb in ("accept", "reject")]
    return [shown, *posts]


@pytest.mark.parametrize("make", DEAD_LINKS, ids=lambda f: f.__name__.strip("_"))
def test_every_dead_link_gets_the_same_page_and_changes_nothing(client, world, rt, clock,
                                                                make):
    reference_client = client.application.test_client()
    path = make(client, world, rt, clock)
    before = cards.get_negotiation(rt.uow(), world.owner.caller, "O-1")
    answers = _dead_page(client, path)
    assert all(r.status_code == 404 for r in answers)
    bodies = {r.get_data(as_text=True) for r in answers}
    assert len(bodies) == 1
    assert "链接已失效 This link is no longer valid" in text(answers[0])
    assert "O-1" not in bodies.pop()
    assert all(r.headers["Referrer-Policy"] == "no-referrer" for r in answers)
    after = cards.get_negotiation(rt.uow(), world.owner.caller, "O-1")
    assert [(c.state, c.answered_at) for c in after.cards] == \
        [(c.state, c.answered_at) for c in before.cards]
    # The same page, byte for byte, as a token that was never anything.
    assert reference_client.get("/consent/nothing").get_data() == answers[0].get_data()
    # And the same refusal from each use case, whatever the page makes of it.
    link = ConsentLinkSigner(client.application.config["SECRET_KEY"]).read(token_of(path))
    for use in (consent.linked_card, consent.accept_by_link, consent.reject_by_link):
        with pytest.raises(NotFound) as refused:
            use(rt.uow(), link)
        assert (refused.value.code, refused.value.detail) == (
            "consent_link_invalid", "This link is no longer valid.")


def test_a_post_without_the_pages_nonce_is_refused_like_a_dead_link(client, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    token = token_of(path)
    other_token = link_path(client, world, card.id)  # another link's nonce will not do
    nonce = ConsentLinkSigner(client.application.config["SECRET_KEY"]).page_nonce(
        token_of(other_token) + "x")
    for data in ({"token": token}, {"token": token, "nonce": nonce},
                 {"token": token, "nonce": "abc.def"}):
        assert client.post("/consent/accept", data=data).status_code == 404
    assert card_state(rt, world, card.id) == "pending"
    assert post_form(client, path, "accept").status_code == 200


# --- the boundary -------------------------------------------------------------------------


def test_a_link_opens_and_answers_one_second_before_the_card_expires(client, world, rt,
                                                                     clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    clock.set(card.expires_at - timedelta(seconds=1))
    assert client.get(path).status_code == 200
    assert post_form(client, path, "accept").status_code == 200


def test_at_the_cards_expiry_the_link_is_dead_and_the_card_expired(client, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)
    page = client.get(path)
    form = forms(markup(page))["/consent/accept"]
    clock.set(card.expires_at)
    assert client.post("/consent/accept", data=dict(HIDDEN.findall(form))).status_code == 404
    assert client.get(path).status_code == 404
    assert card_state(rt, world, card.id) == "expired"


def test_a_link_expiring_before_its_card_is_dead_from_its_own_expiry(client, world, rt,
                                                                     clock):
    world.order("O-1")
    card = send_card(rt, world)
    early = ConsentLink(card.id, world.buyer.id, START + timedelta(hours=2))
    assert consent.linked_card(rt.uow(), early).card.id == card.id
    clock.set(START + timedelta(hours=2) - timedelta(seconds=1))
    assert consent.linked_card(rt.uow(), early).card.id == card.id
    clock.set(START + timedelta(hours=2))
    path = "/consent/" + ConsentLinkSigner(client.application.config["SECRET_KEY"]).sign(early)
    assert client.get(path).status_code == 404
    assert card_state(rt, world, card.id) == "pending"


# --- a collision with another change ------------------------------------------------------


def test_an_answer_colliding_with_another_change_draws_the_card_again_to_retry(
        client, world, rt, monkeypatch):
    world.order("O-1")
    card = send_card(rt, world)
    path = link_path(client, world, card.id)

    def collide(uow, link):
        raise Conflict("The request collided with another change; retry it.")

    monkeypatch.setattr(consent, "accept_by_link", collide)
    answered = post_form(client, path, "accept")
    assert answered.status_code == 409
    assert "retry it" in text(answered)
    assert set(forms(markup(answered))) == {"/consent/accept", "/consent/reject"}
    assert card_state(rt, world, card.id) == "pending"


def test_a_page_colliding_while_it_is_read_asks_for_a_reload_not_a_dead_link(
        client, world, rt, monkeypatch):
    world.order("O-1")
    path = link_path(client, world, send_card(rt, world).id)

    def collide(uow, link):
        raise Conflict("The request collided with another change; retry it.")

    monkeypatch.setattr(consent, "linked_card", collide)
    shown = client.get(path)
    assert shown.status_code == 409
    assert "Please try again" in text(shown)
    assert "no longer valid" not in text(shown)
