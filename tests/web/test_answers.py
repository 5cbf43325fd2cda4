"""The buyer's side: accept or reject the pending card; buttons follow ``actions``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from negotiation.domain.enums import CardReason, CardState, Role
from negotiation.services.negotiation import cards
from negotiation.services.orders import orders
from tests.conftest import START
from tests.web.conftest import forms, markup, text

ORDER = "/orders/O-1"


def send_card(rt, world, days=5):
    return cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                              proposed_ship_by=START + timedelta(days=days),
                              reason=CardReason.BUYER_REQUEST, remark="need more time")


def answer_urls(card_id):
    return {f"/orders/O-1/cards/{card_id}/{verb}" for verb in ("accept", "reject")}


def test_a_buyer_sees_accept_and_reject_buttons_only_while_a_card_is_pending(
        browser, world, rt):
    world.order("O-1")
    b = browser(world.buyer)
    assert not any("/cards/" in action for action in forms(markup(b.get(ORDER))))
    card = send_card(rt, world)
    assert answer_urls(card.id) <= set(forms(markup(b.get(ORDER))))
    cards.accept_card(rt.uow(), world.buyer.caller, card.id)
    assert not answer_urls(card.id) & set(forms(markup(b.get(ORDER))))


def test_accepting_makes_the_proposed_time_the_orders_deadline(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    b = browser(world.buyer)
    accepted = b.submit(ORDER, f"/orders/O-1/cards/{card.id}/accept")
    assert accepted.status_code == 302 and accepted.headers["Location"] == ORDER
    order = orders.get_order(rt.uow(), world.owner.caller, "O-1")
    assert order.ship_by == START + timedelta(days=5)
    assert order.ship_by_source == "agreed_card"
    page = text(b.get(ORDER))
    assert ("已接受，新的发货时效 Accepted; the ship-by is now "
            "2026-11-27 08:00 Asia/Shanghai.") in page
    assert "已达成一致 Agreed" in page
    assert "协商约定 Agreed card" in page


def test_rejecting_records_the_note_and_preferred_time(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    rejected = browser(world.buyer).submit(ORDER, f"/orders/O-1/cards/{card.id}/reject", {
        "note": "太晚了 too late", "preferred_ship_by": "2026-11-25T20:00"})
    assert rejected.status_code == 302
    [seen] = cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards
    assert seen.state == CardState.REJECTED and seen.buyer_note == "太晚了 too late"
    assert seen.preferred_ship_by == START + timedelta(days=3, hours=12)
    seller_page = text(browser(world.owner).get(ORDER))
    assert "买家说明 Buyer's note 太晚了 too late" in seller_page
    assert "买家希望的发货时间 Buyer's preferred ship-by 2026-11-25 20:00 Asia/Shanghai" \
        in seller_page


def test_rejecting_with_neither_note_nor_time_is_fine(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    rejected = browser(world.buyer).submit(ORDER, f"/orders/O-1/cards/{card.id}/reject",
                                           {"note": "", "preferred_ship_by": ""})
    assert rejected.status_code == 302
    [seen] = cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards
    assert seen.buyer_note is None and seen.preferred_ship_by is None


def test_a_preferred_time_in_the_past_is_refused_beside_the_field_keeping_the_note(
        browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    action = f"/orders/O-1/cards/{card.id}/reject"
    again = browser(world.buyer).submit(ORDER, action, {
        "note": "my reasons", "preferred_ship_by": "2026-11-21T08:00"})
    assert again.status_code == 422
    form = forms(markup(again))[action]
    assert ("“希望的发货时间（可选）Preferred ship-by, optional (Asia/Shanghai)” must be in the "
            "future.") in form
    assert "preferred_ship_by must" not in form
    assert "my reasons</textarea>" in form and 'value="2026-11-21T08:00"' in form
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards[0].state \
        == CardState.PENDING


def test_answering_after_expiry_says_the_card_expired(browser, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    b = browser(world.buyer)
    b.get(ORDER)  # the page was opened while the card was pending...
    clock.advance(timedelta(hours=24))  # ...and the answer comes at 24:00:00
    late = b.post_anyway(f"/orders/O-1/cards/{card.id}/accept", page="/")
    assert late.status_code == 409
    page = text(late)
    assert "卡片已过期 Card expired: Card 1 expired at 2026-11-23 08:00 Asia/Shanghai." in page
    assert "第 1 张卡片 Card 1 · 已过期 Expired" in page
    assert not answer_urls(card.id) & set(forms(markup(late)))


def test_a_late_rejection_keeps_the_note_on_a_disabled_form(browser, world, rt, clock):
    world.order("O-1")
    card = send_card(rt, world)
    b = browser(world.buyer)
    clock.advance(timedelta(hours=24))
    action = f"/orders/O-1/cards/{card.id}/reject"
    late = b.post_anyway(action, {"note": "a long explanation"})
    assert late.status_code == 409
    form = forms(markup(late))[action]
    assert "a long explanation</textarea>" in form and "disabled" in form


def test_a_seller_may_not_answer_its_own_card(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    refused = browser(world.owner).post_anyway(f"/orders/O-1/cards/{card.id}/accept")
    assert refused.status_code == 403


def test_a_buyer_may_not_withdraw(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    b = browser(world.buyer)
    assert f"/orders/O-1/cards/{card.id}/withdraw" not in forms(markup(b.get(ORDER)))
    assert b.post_anyway(f"/orders/O-1/cards/{card.id}/withdraw").status_code == 403


def test_another_buyers_card_is_not_found(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world)
    stranger = world.actor(Role.BUYER, "stranger")
    refused = browser(stranger).post_anyway(f"/orders/O-1/cards/{card.id}/accept")
    assert refused.status_code == 404


@pytest.mark.parametrize("role", ["owner", "agent", "buyer", "reviewer"])
@pytest.mark.parametrize("cards_sent", [0, 1])
def test_the_buttons_drawn_are_the_actions_the_api_allows(
        browser, client, world, rt, role, cards_sent):
    world.order("O-1")
    if cards_sent:
        send_card(rt, world)
    actor = getattr(world, role)
    api = client.get("/api/v1/orders/O-1/negotiation", headers=actor.headers).json
    pending = next((c for c in api["cards"] if c["state"] == "pending"), None)
    drawn = set(forms(markup(browser(actor).get(ORDER))))
    expected = {
        "propose": "/orders/O-1/cards",
        "accept": pending and f"/orders/O-1/cards/{pending['id']}/accept",
        "reject": pending and f"/orders/O-1/cards/{pending['id']}/reject",
        "withdraw": pending and f"/orders/O-1/cards/{pending['id']}/withdraw",
    }
    for action, url in expected.items():
        allowed = api["actions"][action]["allowed"]
        assert (url in drawn) == bool(allowed and url), (action, api["actions"][action])
    assert not any("delay" in url for url in drawn)  # a later feature: no link yet
