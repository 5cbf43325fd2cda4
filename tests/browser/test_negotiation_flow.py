"""Seller and buyer agree a new ship-by in a real browser, at desktop and phone widths:
a refused card, a rejection with a preferred time, the next card prefilled, acceptance."""

from __future__ import annotations

from negotiation.services.negotiation import cards
from tests.browser.conftest import assert_in_view, assert_no_overflow, press, shoot

ORDER = "/orders/O-1"
FORTY_DAYS_OUT = "2027-01-01T08:00"  # past the 30 days allowed after the original ship-by
IN_FIVE_DAYS = "2026-11-27T08:00"
BUYER_PREFERS = "2026-11-28T10:00"


def test_seller_proposes_buyer_rejects_seller_proposes_again_prefilled_buyer_accepts(
        open_page, world, rt, viewport):
    world.order("O-1")
    seller = open_page(world.owner)
    seller.goto(ORDER)
    assert_no_overflow(seller)
    shoot(seller, "order-seller", viewport)

    seller.fill("#proposed_ship_by", FORTY_DAYS_OUT)
    seller.select_option("#reason", "custom_made")
    # The field carries the window the rules allow, so the browser itself refuses the time;
    # the server must refuse it as well for a browser that does not check.
    assert seller.eval_on_selector("#proposed_ship_by", "e => e.validity.rangeOverflow")
    seller.eval_on_selector("#proposed_ship_by", "e => e.removeAttribute('max')")
    press(seller, "text=发送 Send proposal")
    assert_in_view(seller)
    assert "提议时间超出允许范围" in seller.inner_text("#form-summary")
    assert seller.input_value("#proposed_ship_by") == FORTY_DAYS_OUT  # the input is kept
    assert_no_overflow(seller)
    shoot(seller, "order-refused", viewport)

    seller.fill("#proposed_ship_by", IN_FIVE_DAYS)
    seller.select_option("#reason", "custom_made")
    press(seller, "text=发送 Send proposal")
    assert "已发出第 1 张协商卡片" in seller.inner_text("main")

    buyer = open_page(world.buyer)
    buyer.goto(ORDER)
    assert_no_overflow(buyer)
    question = buyer.locator("#question")
    assert "2026-11-27 08:00" in question.inner_text()
    # The question is the first thing under the heading, above the order's facts.
    assert question.bounding_box()["y"] < buyer.locator("#facts-title").bounding_box()["y"]
    shoot(buyer, "order-buyer", viewport)
    buyer.fill("#preferred_ship_by", BUYER_PREFERS)
    press(buyer, "text=拒绝第 1 张卡片")
    assert "已拒绝第 1 张卡片" in buyer.inner_text("main")

    seller.goto(ORDER)
    assert seller.input_value("#proposed_ship_by") == BUYER_PREFERS
    seller.select_option("#reason", "buyer_request")
    press(seller, "text=发送 Send proposal")
    assert "已发出第 2 张协商卡片" in seller.inner_text("main")

    buyer.goto(ORDER)
    press(buyer, "text=接受第 2 张卡片")  # the page asks to confirm; the tab answers yes
    assert "已接受" in buyer.inner_text("main")
    assert_no_overflow(buyer)
    agreed = cards.get_negotiation(rt.uow(), world.owner.caller, "O-1")
    assert agreed.state == "agreed" and agreed.cards[-1].seq == 2

