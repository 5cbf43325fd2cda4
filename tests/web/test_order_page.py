"""The order page: who may see it, its facts and timeline, and the ship form."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import CardReason, Role
from negotiation.services.accounts import stores
from negotiation.services.negotiation import cards
from negotiation.services.orders import orders
from tests.conftest import ADMIN, ADMIN_TOKEN, START
from tests.web.conftest import forms, markup, text

ORDER = "/orders/O-1"
SHIP = "/orders/O-1/shipments"


def other_store_owner(world, rt):
    other = stores.create_store(rt.uow(), ADMIN, name="Other store")
    return world.actor(Role.OWNER, "other owner", other.id)


def test_another_stores_seller_gets_404_for_the_page_and_its_forms(browser, world, rt):
    world.order("O-1")
    b = browser(other_store_owner(world, rt))
    page = b.get(ORDER)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "未找到 Not found" in text(page)
    posted = b.post_anyway("/orders/O-1/cards", {"proposed_ship_by": "2026-11-27T08:00",
                                                 "reason": "other"})
    assert posted.status_code == 404
    assert cards.get_negotiation(rt.uow(), world.owner.caller, "O-1").cards == []


def test_an_unseen_order_and_a_missing_one_answer_alike(browser, world, rt):
    world.order("O-1")
    b = browser(other_store_owner(world, rt))
    b.get("/")  # takes the "signed in" message, which would show on only one of them
    unseen, missing = b.get(ORDER), b.get("/orders/NOPE")
    assert unseen.status_code == missing.status_code == 404
    assert text(unseen).replace("O-1", "X") == text(missing).replace("NOPE", "X")


def test_the_page_shows_the_order_facts_in_shanghai_time(browser, world):
    world.order("O-1")
    page = text(browser(world.owner).get(ORDER))
    assert "订单 Order O-1" in page
    assert "付款时间 Paid at 2026-11-22 07:00 Asia/Shanghai" in page
    assert ("当前发货时效 Current ship-by 2026-11-24 07:00 Asia/Shanghai "
            "原始时效 Original deadline") in page
    assert "¥100.00" in page


def test_a_seller_ships_through_the_form(browser, world, rt):
    world.order("O-1")
    cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                       proposed_ship_by=START + timedelta(days=5), reason=CardReason.OTHER)
    b = browser(world.agent)
    shipped = b.submit(ORDER, SHIP, {"carrier": "SF Express", "tracking_no": "SF123456"})
    assert shipped.status_code == 302
    order = orders.get_order(rt.uow(), world.owner.caller, "O-1")
    assert order.status == "shipped" and order.negotiation_state == "closed"
    page = b.get(ORDER)
    assert "已发货 Shipped: SF Express SF123456." in text(page)
    assert "已作废 Voided" in text(page)  # the pending card was voided by shipping
    assert SHIP not in forms(markup(page))


def test_a_used_tracking_number_is_refused_beside_the_field_keeping_the_carrier(
        browser, world, rt):
    world.order("O-1")
    world.order("O-2")
    orders.ship_order(rt.uow(), world.owner.caller, "O-2", carrier="YTO", tracking_no="YT0001")
    again = browser(world.owner).submit(ORDER, SHIP, {"carrier": "ZTO Express",
                                                      "tracking_no": "YT0001"})
    assert again.status_code == 409
    form = forms(markup(again))[SHIP]
    assert "运单号已被使用 Tracking number in use" in form
    assert 'value="ZTO Express"' in form
    assert orders.get_order(rt.uow(), world.owner.caller, "O-1").status == "awaiting_shipment"


def test_a_malformed_tracking_number_is_refused_before_the_service(browser, world):
    world.order("O-1")
    again = browser(world.owner).submit(ORDER, SHIP, {"carrier": "SF", "tracking_no": "a b"})
    assert again.status_code == 422
    assert "仅限字母、数字和 - Letters, digits and - only." in text(again)


def test_buyers_and_reviewers_get_no_ship_form(browser, world):
    world.order("O-1")
    for actor in (world.buyer, world.reviewer):
        assert SHIP not in forms(markup(browser(actor).get(ORDER)))


def test_the_timeline_lists_the_orders_events_in_shanghai_time(browser, world, rt):
    world.order("O-1")
    card = cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                              proposed_ship_by=START + timedelta(days=5),
                              reason=CardReason.OTHER)
    cards.reject_card(rt.uow(), world.buyer.caller, card.id, note="no")
    page = text(browser(world.buyer).get(ORDER))
    assert "订单创建 Order created" in page
    assert "发出协商卡片 Card sent" in page and "买家拒绝 Card rejected" in page
    assert "提议发货时间 Proposed ship-by: 2026-11-27 08:00 Asia/Shanghai" in page
    assert "card_id" not in page and "卡片 Card: 1" in page
    assert "买家拒绝 Card rejected · buyer" in page  # people by name, not number


def test_the_timeline_pages_with_its_own_cursor(app, browser, world, rt):
    app.config["WEB_EVENTS_PAGE_SIZE"] = 3
    world.order("O-1")
    for days in (3, 4, 5):  # 1 + 3 x 2 events, and the negotiation fails: 8 in all
        card = cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                                  proposed_ship_by=START + timedelta(days=days),
                                  reason=CardReason.OTHER)
        cards.withdraw_card(rt.uow(), world.owner.caller, card.id)
    b = browser(world.owner)
    path, pages, seen = ORDER, 0, 0
    while path:
        page = markup(b.get(path))
        pages += 1
        seen += page.count("<li>\n            <time")
        later = page.split("更多 Later events")[0].rsplit('href="', 1)
        path = later[1].split('"')[0].split("#")[0] if "更多 Later events" in page else ""
    assert (pages, seen) == (3, 8)
    bad = b.get(ORDER + "?events=garbage")
    assert bad.status_code == 422 and bad.mimetype == "text/html"


def test_an_admin_sees_the_order_without_the_timeline_or_any_form(browser, world):
    world.order("O-1")
    page = browser(ADMIN_TOKEN).get(ORDER)
    assert page.status_code == 200
    assert "时间线对店铺、买家和平台审核开放。" in text(page)
    assert not any(action.startswith("/orders/") for action in forms(markup(page)))
    assert "当前没有您可执行的操作。" in text(page)


def test_pages_refuse_framing_and_caching(browser, world):
    world.order("O-1")
    page = browser(world.owner).get(ORDER)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in markup(page)  # no inline script: the policy would block it


def test_a_database_outage_answers_an_html_500_page(tmp_path, clock):
    from negotiation import create_app
    from tests.web.conftest import Browser

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "ADMIN_TOKEN": ADMIN_TOKEN,
                      "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/unreachable"},
                     clock=clock)
    try:
        b = Browser(app.test_client())
        assert b.sign_in(ADMIN_TOKEN).status_code == 302  # the admin token needs no database
        page = b.get("/")
        assert page.status_code == 500 and page.mimetype == "text/html"
        assert "出错了 Something went wrong" in text(page)
    finally:
        app.extensions["negotiation"].engine.dispose()
