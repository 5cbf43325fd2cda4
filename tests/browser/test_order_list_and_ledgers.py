"""The order list and the reviewer's way to a store's ledger in a real browser, at
desktop and phone widths: orders by deadline with the overdue one said in words, each
order a card on a phone; a store chosen from the list, no id typed."""

from __future__ import annotations

from datetime import timedelta

from tests.browser.conftest import assert_no_overflow, shoot
from tests.conftest import START


def test_a_seller_sees_orders_soonest_deadline_first_and_the_overdue_one_marked(
        open_page, world, clock, viewport):
    world.order("O-LATER", ship_by=START + timedelta(days=3))
    world.order("O-OVERDUE", ship_by=START + timedelta(hours=1))
    world.order("O-SOON", ship_by=START + timedelta(hours=5))
    clock.set(START + timedelta(hours=2))
    seller = open_page(world.owner)
    seller.goto("/")
    assert_no_overflow(seller)
    rows = seller.locator("table.orders tbody tr")
    assert [rows.nth(i).locator("th").inner_text() for i in range(3)] == [
        "O-OVERDUE", "O-SOON", "O-LATER"]
    assert "已超时未发货 Overdue" in rows.nth(0).inner_text()
    assert "已超时未发货" not in rows.nth(1).inner_text()
    if viewport == "phone":  # each order a card of its own: the rows stack
        first, second = rows.nth(0).bounding_box(), rows.nth(1).bounding_box()
        assert second["y"] >= first["y"] + first["height"]
        assert first["width"] <= seller.viewport_size["width"]
    shoot(seller, "orders-seller", viewport)


def test_a_reviewer_opens_a_stores_ledger_from_the_list_of_stores(open_page, world, viewport):
    world.order("O-1")
    reviewer = open_page(world.reviewer)
    reviewer.goto("/penalties")
    assert_no_overflow(reviewer)
    shoot(reviewer, "ledgers-reviewer", viewport)
    with reviewer.expect_navigation():
        reviewer.click(f"a[href='/stores/{world.store_id}/penalties']")
    assert reviewer.url.endswith(f"/stores/{world.store_id}/penalties")
    assert "店铺罚单 Penalty ledger of store" in reviewer.inner_text("h1")
    assert_no_overflow(reviewer)
