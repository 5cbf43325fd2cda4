"""The order list: each caller sees its own orders, with deadlines in Shanghai time."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import Role
from negotiation.services.accounts import stores
from tests.conftest import ADMIN, START
from tests.web.conftest import markup, text


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
