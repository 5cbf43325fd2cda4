"""The web inbox (站内信): who is told what, read state per account, the header's count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from negotiation.domain.enums import Role
from negotiation.services.accounts import accounts, stores
from negotiation.services.core.sweep import sweep
from tests.api.conftest import late_and_reported  # noqa: F401  (a fixture, by name)
from tests.api.helpers import accept, events, reject, sent_card
from tests.conftest import ADMIN, ADMIN_TOKEN, START
from tests.web.conftest import Browser, markup, text

INBOX = "/inbox"
READ_ALL = "/inbox/read-all"


def answered_twice(client, world) -> None:
    """O-1: the buyer rejects card 1 (with a note and a date), then accepts card 2."""
    world.order("O-1")
    first = sent_card(client, world, days=5)
    preferred = "2026-11-26T12:00:00Z"
    rejected = reject(client, world.buyer, first["id"], note="周末不在家",
                      preferred_ship_by=preferred)
    assert rejected.status_code == 200, rejected.get_data(as_text=True)
    second = sent_card(client, world, days=6)
    assert accept(client, world.buyer, second["id"]).status_code == 200


def notice_id(client, actor, event_type: str, order_no: str = "O-1") -> int:
    return next(e["id"] for e in events(client, actor, order_no) if e["type"] == event_type)


def unread_in_header(b: Browser, page: str = "/") -> int:
    """The count beside the header's inbox link (0 when it shows none)."""
    link = re.search(r'<a href="/inbox">(.*?)</a>', markup(b.get(page)), re.DOTALL)
    assert link, "no inbox link in the header"
    count = re.search(r"\((\d+)\)", link.group(1))
    return int(count.group(1)) if count else 0


def open_form(event_id: int) -> str:
    return f"/inbox/{event_id}/open"


# --- what a seller is told -------------------------------------------------------------


def test_a_seller_is_told_of_the_buyers_answers_newest_first_with_a_link_to_the_order(
        browser, client, world):
    answered_twice(client, world)
    page = browser(world.owner).get(INBOX)
    assert page.status_code == 200
    shown = text(page)
    accepted = shown.index("买家已接受第 2 张协商卡片 The buyer accepted card 2")
    rejected = shown.index("买家已拒绝第 1 张协商卡片 The buyer rejected card 1")
    assert accepted < rejected  # newest first
    assert "2026-11-28 08:00 Asia/Shanghai" in shown  # card 2's ship-by, in local time
    assert "留言 Note: 周末不在家" in shown
    assert "买家希望的发货时间 Preferred ship-by: 2026-11-26 20:00 Asia/Shanghai" in shown
    assert 'href="/orders/O-1"' in markup(page)
    # What concerns only the buyer is not a seller's notice.
    assert "The ship-by changed" not in shown and "Negotiation agreed" not in shown


def test_the_header_count_goes_down_as_notices_are_opened_then_all_marked_read(
        browser, client, world):
    answered_twice(client, world)
    b = browser(world.owner)
    assert unread_in_header(b) == 2
    opened = b.submit(INBOX, open_form(notice_id(client, world.owner, "card.accepted")))
    assert opened.status_code == 302 and opened.headers["Location"] == "/orders/O-1"
    assert unread_in_header(b) == 1
    assert text(b.get(INBOX)).count("未读 Unread") == 1
    marked = b.submit(INBOX, READ_ALL)
    assert marked.status_code == 302 and marked.headers["Location"] == INBOX
    assert unread_in_header(b) == 0
    page = b.get(INBOX)
    assert "未读 Unread" not in text(page)
    assert markup(page).count('class="notice read"') == 2
    assert READ_ALL not in markup(page)  # nothing left to mark


def test_marking_read_again_changes_nothing_and_is_no_error(browser, client, world):
    answered_twice(client, world)
    b = browser(world.owner)
    accepted = notice_id(client, world.owner, "card.accepted")
    for _ in range(2):
        assert b.post_anyway(open_form(accepted)).status_code == 302
    assert unread_in_header(b) == 1
    for expected in ("已将 1 条通知标为已读", "已将 0 条通知标为已读"):
        assert b.post_anyway(READ_ALL).status_code == 302
        assert expected in text(b.get(INBOX))
    assert unread_in_header(b) == 0


def test_each_account_of_the_store_has_its_own_read_state(browser, client, world):
    answered_twice(client, world)
    owner, agent = browser(world.owner), browser(world.agent)
    assert owner.submit(INBOX, READ_ALL).status_code == 302
    assert unread_in_header(owner) == 0
    assert unread_in_header(agent) == 2
    assert "The buyer accepted card 2" in text(agent.get(INBOX))


def test_another_stores_seller_sees_none_of_its_notices_and_may_not_mark_them(
        browser, client, world, rt):
    answered_twice(client, world)
    other = stores.create_store(rt.uow(), ADMIN, name="Other store")
    stranger = browser(world.actor(Role.OWNER, "other owner", other.id))
    page = text(stranger.get(INBOX))
    assert "暂无通知。" in page and "The buyer" not in page
    assert unread_in_header(stranger) == 0
    refused = stranger.post_anyway(open_form(notice_id(client, world.owner, "card.accepted")))
    assert refused.status_code == 404
    assert "未找到 Not found" in text(refused)
    assert stranger.post_anyway(READ_ALL).status_code == 302
    assert unread_in_header(browser(world.owner)) == 2  # theirs are untouched


def test_an_event_that_is_no_notice_cannot_be_marked(browser, client, world):
    answered_twice(client, world)
    b = browser(world.owner)
    card_sent = notice_id(client, world.owner, "card.sent")  # a seller is not told its own
    assert b.post_anyway(open_form(card_sent)).status_code == 404
    assert b.post_anyway(open_form(2**31 - 1)).status_code == 404


def test_a_card_that_lapses_unanswered_tells_the_seller(browser, client, world, clock, rt):
    world.order("O-1")
    card = sent_card(client, world)
    clock.set(START + timedelta(hours=25))  # the 24 h answer window is over
    sweep(rt.uow)
    shown = text(browser(world.owner).get(INBOX))
    assert "第 1 张协商卡片已过期，买家未回复 Card 1 lapsed unanswered" in shown
    assert card["id"]  # the card the notice is of


@pytest.mark.usefixtures("late_and_reported")
def test_a_seller_is_told_of_violations_and_charges(browser, world):
    shown = text(browser(world.owner).get(INBOX))
    assert "记录发货超时 Late shipment recorded" in shown
    assert "扣保证金 Deposit deducted: ¥" in shown
    assert "已向买家自动赔付 The buyer was compensated: ¥" in shown
    assert "协商失败 The negotiation failed" in shown
    assert "原因 Reason: 已过发货时效 The ship deadline passed" in shown


def test_a_revoked_key_is_told_with_no_order_link_and_marked_read_in_place(browser, world, rt):
    issued = accounts.create_key(rt.uow(), world.owner.caller, world.owner.id, name="ERP sync")
    accounts.revoke_key(rt.uow(), world.owner.caller, issued.id)
    b = browser(world.agent)
    page = b.get(INBOX)
    assert "API 密钥已撤销 API key revoked: ERP sync (owner)" in text(page)
    assert "/orders/" not in markup(page).split('id="notices"')[1]
    forms = re.findall(r'action="(/inbox/\d+/open)"', markup(page))
    assert len(forms) == 1
    marked = b.submit(INBOX, forms[0])
    assert marked.status_code == 302 and marked.headers["Location"] == INBOX
    assert forms[0] not in markup(b.get(INBOX))  # read, and nothing further to open
    assert unread_in_header(b) == 0


# --- what a buyer is told --------------------------------------------------------------


def test_a_buyers_inbox_lists_the_card_waiting_for_its_answer_first(
        browser, client, world, clock):
    world.order("O-1")
    sent_card(client, world)
    clock.set(START + timedelta(hours=1))
    page = browser(world.buyer).get(INBOX)
    shown = text(page)
    waiting = shown.index("待您回复的协商卡片 Cards waiting for your answer")
    assert waiting < shown.index("通知 Notifications")
    assert "提议发货时间 Proposed ship-by: 2026-11-27 08:00 Asia/Shanghai" in shown
    assert "还剩 23 小时 0 分 remaining" in shown
    assert "卖家发来第 1 张协商卡片" in shown  # and the notice of it
    assert 'href="/orders/O-1"' in markup(page)


def test_a_card_past_its_expiry_no_longer_waits_even_before_anything_records_it(
        browser, client, world, clock):
    world.order("O-1")
    sent_card(client, world)
    clock.set(START + timedelta(hours=25))
    assert "Cards waiting for your answer" not in text(browser(world.buyer).get(INBOX))


@pytest.mark.usefixtures("late_and_reported")
def test_a_buyer_is_never_told_of_the_stores_charges(browser, client, world):
    b = browser(world.buyer)
    b.get("/")  # the order list settles O-2 too: it is late as well, with no report decided
    shown = text(b.get(INBOX))
    assert shown.count("已向买家自动赔付 The buyer was compensated: ¥") == 2
    assert "Deposit deducted" not in shown and "扣保证金" not in shown
    assert "Late shipment recorded" not in shown  # a violation is the store's notice
    deduction = notice_id(client, world.owner, "penalty.deducted")
    assert b.post_anyway(open_form(deduction)).status_code == 404
    assert unread_in_header(b) == 2


def test_a_buyer_is_told_the_deadline_moved_when_it_accepts(browser, client, world):
    answered_twice(client, world)
    shown = text(browser(world.buyer).get(INBOX))
    assert "发货时效已变更 The ship-by changed: 2026-11-28 08:00 Asia/Shanghai" in shown
    assert "协商达成 Negotiation agreed" in shown
    assert "The buyer rejected" not in shown


def test_another_buyer_sees_nothing_of_this_order(browser, client, world):
    answered_twice(client, world)
    someone = browser(world.actor(Role.BUYER, "someone else"))
    assert "暂无通知。" in text(someone.get(INBOX))


# --- reviewers, the admin token --------------------------------------------------------


def test_a_reviewer_is_told_of_the_platforms_notices_only(browser, client, world, rt):
    answered_twice(client, world)
    issued = accounts.create_key(rt.uow(), ADMIN, world.reviewer.id, name="queue bot")
    accounts.revoke_key(rt.uow(), ADMIN, issued.id)
    shown = text(browser(world.reviewer).get(INBOX))
    assert "API key revoked: queue bot" in shown
    assert "The buyer" not in shown
    assert "queue bot" not in text(browser(world.owner).get(INBOX))


def test_the_admin_token_has_an_empty_inbox(browser, world):
    b = browser(ADMIN_TOKEN)
    assert "暂无通知。" in text(b.get(INBOX))
    assert b.post_anyway(open_form(1)).status_code == 404


# --- reading changes nothing; posts need their token ----------------------------------


def test_reading_the_inbox_marks_nothing_read(browser, client, world):
    answered_twice(client, world)
    b = browser(world.owner)
    for _ in range(2):
        assert b.get(INBOX).status_code == 200
        b.get("/orders/O-1")
    assert unread_in_header(b) == 2
    assert b.get(open_form(notice_id(client, world.owner, "card.accepted"))).status_code == 405
    assert unread_in_header(b) == 2


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_post_without_its_csrf_token_is_refused_and_marks_nothing(
        browser, client, world, token):
    answered_twice(client, world)
    b = browser(world.owner)
    data = {"csrf_token": token} if token else {}
    for action in (READ_ALL, open_form(notice_id(client, world.owner, "card.accepted"))):
        refused = b.client.post(action, data=data)
        assert refused.status_code == 400
        assert "表单已失效 The form has expired" in text(refused)
    assert unread_in_header(b) == 2


def test_a_visitor_is_sent_to_sign_in(browser):
    page = browser().get(INBOX)
    assert page.status_code == 302 and "/sign-in" in page.headers["Location"]


# --- pages -----------------------------------------------------------------------------


def test_the_inbox_is_paged_newest_first_with_an_opaque_cursor(app, browser, client, world):
    app.config["WEB_INBOX_PAGE_SIZE"] = 1
    answered_twice(client, world)
    b = browser(world.owner)
    seen: list[str] = []
    path = INBOX
    while path:
        body = markup(b.get(path))
        seen += [n for n in ("accepted card 2", "rejected card 1") if f"The buyer {n}" in body]
        more = re.search(r'<a rel="next" href="([^"]+)"', body)
        path = more.group(1) if more else ""
        assert "cursor=" in path or not path
    assert seen == ["accepted card 2", "rejected card 1"]


def test_a_forged_cursor_answers_a_page_not_a_500(browser, world):
    page = browser(world.owner).get(f"{INBOX}?cursor=not-ours")
    assert page.status_code == 422
    assert page.mimetype == "text/html"
