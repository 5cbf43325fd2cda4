"""The page a consent link opens, in a real browser at desktop and phone widths: the
buyer, signed in nowhere, rejects the card with a preferred date."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import CardReason
from negotiation.services.negotiation import cards
from tests.browser.conftest import assert_in_view, assert_no_overflow, press, shoot
from tests.conftest import START
from tests.web.test_consent_page import link_path

REJECT = "button:has-text(\"拒绝 Reject\")"
BUYER_PREFERS = "2026-11-28T10:00"  # Asia/Shanghai wall time


def test_buyer_opens_the_link_and_rejects_with_a_preferred_date(
        open_page, client, world, rt, viewport):
    world.order("O-1")
    card = cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                              proposed_ship_by=START + timedelta(days=5),
                              reason=CardReason.STOCK_SHORTAGE, remark="补货中 Restocking")
    buyer = open_page(None)  # the link is all the buyer has
    buyer.goto(link_path(client, world, card.id))
    assert "补货中 Restocking" in buyer.inner_text("main")
    assert_no_overflow(buyer)
    shoot(buyer, "consent-link", viewport)

    buyer.fill("#note", "周六前要 Needed by Saturday")
    buyer.fill("#preferred_ship_by", "2026-11-21T08:00")  # already past
    press(buyer, REJECT)
    assert_in_view(buyer)
    assert "希望的发货时间" in buyer.inner_text("#form-summary")  # named by the form's label
    assert buyer.input_value("#note") == "周六前要 Needed by Saturday"  # kept as typed
    assert_no_overflow(buyer)
    shoot(buyer, "consent-link-refused", viewport)
    assert cards.get_card(rt.uow(), world.owner.caller, card.id).state == "pending"

    buyer.fill("#preferred_ship_by", BUYER_PREFERS)
    press(buyer, REJECT)
    assert "已拒绝 Rejected" in buyer.inner_text("main")
    assert_no_overflow(buyer)
    answered = cards.get_card(rt.uow(), world.owner.caller, card.id)
    assert answered.state == "rejected"
    assert answered.preferred_ship_by == START + timedelta(days=6, hours=2)
