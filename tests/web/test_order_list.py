"""The order list: each caller sees its own orders, with deadlines in Shanghai time."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import Role
from negotiation.services.accounts import stores
from negotiation.services.orders import orders
from tests.conftest import ADMIN, START
from tests.web.conftest import markup, text

OVERDUE = "已超时未发货 Overdue"


def test_a_seller_sees_its_orders_with_deadline_source_and_negotiation_state(browser, world):
    world.order("O-1")  # ship_by START + 47 h = 2026-11-23 23:00 UTC
    world.order("O-2", ship_by=START + timedelta(days=2, hours=16))
    page = text(browser(world.agent).get("/"))
    assert "2026-11-24 07:00 Asia/Shanghai" in page
    assert "2026-11-25 00:00 Asia/Shanghai" in page
    assert "原始时效 Original deadline" in page
    assert "可协商 Open" in page and "待发货 Awaiting shipment" in page
    links = markup(browser(world.owner).get("/"))
    assert 'href="/orders/O-1"' in links and 'href="/orders/O-2"' in links


def test_a_buyer_sees_only_its_own_orders(browser, world):
    other_buyer = world.actor(Role.BUYER, "someone else")
    world.order("MINE")
    world.order("THEIRS", buyer=other_buyer)
    page = text(browser(world.buyer).get("/"))
    assert "我的订单 My orders" in page
    assert "MINE" in page and "THEIRS" not in page


def test_a_seller_does_not_see_another_stores_orders(browser, world, rt):
    other = stores.create_store(rt.uow(), ADMIN, name="Other store")
    world.order("OURS")
    world.order("NOT-OURS", store_id=other.id)
    page = text(browser(world.owner).get("/"))
    assert "OURS" in page and "NOT-OURS" not in page


def test_a_reviewer_sees_every_order(browser, world, rt):
    other = stores.create_store(rt.uow(), ADMIN, name="Other store")
    world.order("A-1")
    world.order("B-1", store_id=other.id)
    page = text(browser(world.reviewer).get("/"))
    assert "A-1" in page and "B-1" in page


def test_the_list_is_paged_with_the_services_cursor(app, browser, world):
    app.config["WEB_PAGE_SIZE"] = 2
    for n in range(1, 6):
        world.order(f"O-{n}")
    b = browser(world.owner)
    seen: list[str] = []
    path = "/"
    while path:
        page = b.get(path)
        assert page.status_code == 200
        body = markup(page)
        seen += [f"O-{n}" for n in range(1, 6) if f'href="/orders/O-{n}"' in body]
        next_link = [line for line in body.splitlines() if 'rel="next"' in line]
        path = next_link[0].split('href="')[1].split('"')[0] if next_link else ""
    assert seen == ["O-1", "O-2", "O-3", "O-4", "O-5"]


def test_a_forged_cursor_answers_an_html_page_not_a_500(browser, world):
    page = browser(world.owner).get("/?cursor=not-ours")
    assert page.status_code == 422
    assert page.mimetype == "text/html"
    assert "cursor is not one this service issued." in text(page)


def test_an_empty_list_says_so(browser, world):
    assert "暂无订单。" in text(browser(world.owner).get("/"))


def listed(page_text: str, order_nos: list[str]) -> list[str]:
    """The order numbers in the order the page lists them."""
    return sorted(order_nos, key=page_text.index)


def test_orders_to_ship_come_first_soonest_deadline_first_then_the_shipped(
        browser, world, rt):
    world.order("LATER", ship_by=START + timedelta(days=3))
    world.order("SOONEST", ship_by=START + timedelta(hours=5))
    world.order("SHIPPED", ship_by=START + timedelta(hours=1))
    world.order("MIDDLE", ship_by=START + timedelta(days=1))
    orders.ship_order(rt.uow(), world.owner.caller, "SHIPPED", carrier="SF",
                      tracking_no="SF0000000001")
    page = text(browser(world.owner).get("/"))
    assert listed(page, ["LATER", "SOONEST", "SHIPPED", "MIDDLE"]) == [
        "SOONEST", "MIDDLE", "LATER", "SHIPPED"]


def test_an_unshipped_order_is_marked_overdue_in_words_from_its_deadline_on(
        browser, world, clock):
    world.order("O-1", ship_by=START + timedelta(hours=2))
    b = browser(world.owner)
    clock.set(START + timedelta(hours=2) - timedelta(seconds=1))
    assert OVERDUE not in text(b.get("/"))
    assert 'class="overdue"' not in markup(b.get("/"))
    clock.set(START + timedelta(hours=2))
    assert OVERDUE in text(b.get("/"))
    assert 'class="overdue"' in markup(b.get("/"))


def test_a_shipped_order_past_its_deadline_is_not_marked_overdue(browser, world, rt, clock):
    world.order("O-1", ship_by=START + timedelta(hours=2))
    orders.ship_order(rt.uow(), world.owner.caller, "O-1", carrier="SF",
                      tracking_no="SF0000000001")
    clock.set(START + timedelta(days=2))
    assert OVERDUE not in text(browser(world.owner).get("/"))


def test_pages_follow_the_deadline_order_across_shipped_orders(app, browser, world, rt):
    app.config["WEB_PAGE_SIZE"] = 2
    for n, hours in enumerate([30, 10, 20, 10, 5], start=1):
        world.order(f"O-{n}", ship_by=START + timedelta(hours=hours))
    orders.ship_order(rt.uow(), world.owner.caller, "O-5", carrier="SF",
                      tracking_no="SF0000000001")
    b = browser(world.owner)
    seen: list[str] = []
    path = "/"
    while path:
        body = markup(b.get(path))
        seen += listed(body, [f"O-{n}" for n in range(1, 6) if f'href="/orders/O-{n}"' in body])
        next_link = [line for line in body.splitlines() if 'rel="next"' in line]
        path = next_link[0].split('href="')[1].split('"')[0] if next_link else ""
    assert seen == ["O-2", "O-4", "O-3", "O-1", "O-5"]


def test_a_cursor_of_another_list_answers_a_page_not_a_500(browser, world):
    from negotiation.services.core import pagination

    for cursor in (pagination.encode_id(1), pagination.encode([2, "x", 1]),
                   pagination.encode([0, "2026-11-23T00:00:00Z", 0])):
        page = browser(world.owner).get(f"/?cursor={cursor}")
        assert page.status_code == 422, cursor
        assert "cursor is not one this service issued." in text(page)
