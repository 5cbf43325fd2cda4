"""A seller's proposal cards through the forms: send, refuse, withdraw, count down."""

from __future__ import annotations

import re
from datetime import timedelta

from negotiation.domain.enums import CardReason, CardState, OrderKind, Role
from negotiation.services.negotiation import cards
from tests.conftest import START
from tests.web.conftest import forms, markup, text

ORDER = "/orders/O-1"
PROPOSE = "/orders/O-1/cards"
IN_FIVE_DAYS = "2026-11-27T08:00"  # Asia/Shanghai wall time = START + 5 days in UTC


def negotiation(rt, actor, order_no="O-1"):
    return cards.get_negotiation(rt.uow(), actor.caller, order_no)


def send_card(rt, actor, days=5, order_no="O-1"):
    return cards.propose_card(rt.uow(), actor.caller, order_no,
                              proposed_ship_by=START + timedelta(days=days),
                              reason=CardReason.OTHER)


def test_proposing_through_the_form_creates_a_card_at_the_shanghai_time(browser, world, rt):
    world.order("O-1")
    sent = browser(world.owner).submit(ORDER, PROPOSE, {
        "proposed_ship_by": IN_FIVE_DAYS, "reason": "custom_made", "remark": "刻字 engraving"})
    assert sent.status_code == 302 and sent.headers["Location"] == ORDER
    [card] = negotiation(rt, world.owner).cards
    assert card.proposed_ship_by == START + timedelta(days=5)
    assert card.reason == "custom_made" and card.remark == "刻字 engraving"
    assert card.state == CardState.PENDING and card.sent_by == world.owner.id


def test_the_page_after_proposing_shows_the_card_and_a_flash(browser, world):
    world.order("O-1")
    b = browser(world.owner)
    b.submit(ORDER, PROPOSE, {"proposed_ship_by": IN_FIVE_DAYS, "reason": "stock_shortage"})
    page = text(b.get(ORDER))
    assert "已发出第 1 张协商卡片 Card 1 sent: 2026-11-27 08:00 Asia/Shanghai." in page
    assert "第 1 张卡片 Card 1 · 待回复 Pending" in page
    assert "库存不足 Stock shortage" in page
    assert "已用 1 张，剩余 2 张" in page


def test_an_agent_proposes_like_the_owner(browser, world, rt):
    world.order("O-1")
    sent = browser(world.agent).submit(ORDER, PROPOSE, {
        "proposed_ship_by": IN_FIVE_DAYS, "reason": "buyer_request"})
    assert sent.status_code == 302
    assert negotiation(rt, world.owner).cards[0].sent_by == world.agent.id


def test_the_reason_select_offers_the_five_reasons_in_both_languages(browser, world):
    world.order("O-1")
    page = text(browser(world.owner).get(ORDER))
    for label in ("买家要求 Buyer request", "定制商品 Custom-made goods", "库存不足 Stock shortage",
                  "地址问题 Address issue", "其他 Other"):
        assert label in page


def test_an_unparseable_date_is_shown_again_with_its_message_and_the_remark_kept(
        browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(ORDER, PROPOSE, {
        "proposed_ship_by": "next tuesday", "reason": "other", "remark": "please wait"})
    assert again.status_code == 422
    assert "请输入有效的日期时间 Enter a valid date and time" in text(again)
    form = forms(markup(again))[PROPOSE]
    assert "\nplease wait</textarea>" in form
    assert 'value="next tuesday"' in form
    assert '<option selected value="other">' in form
    assert negotiation(rt, world.owner).cards == []


def test_a_missing_date_and_reason_are_each_named(browser, world):
    world.order("O-1")
    again = browser(world.owner).submit(ORDER, PROPOSE, {"proposed_ship_by": "", "reason": ""})
    assert again.status_code == 422
    assert "请选择提议发货时间 Choose the proposed ship-by time." in text(again)
    assert "请选择原因 Choose a reason." in text(again)


def test_a_remark_over_500_characters_is_refused_before_the_service(browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(ORDER, PROPOSE, {
        "proposed_ship_by": IN_FIVE_DAYS, "reason": "other", "remark": "x" * 501})
    assert again.status_code == 422
    assert "备注最多 500 字 The remark is at most 500 characters." in text(again)
    assert "x" * 501 in markup(again)
    assert negotiation(rt, world.owner).cards == []


def test_a_proposal_before_the_current_deadline_is_refused_with_the_rules_message(
        browser, world, rt):
    world.order("O-1")  # deadline 2026-11-24 07:00 Shanghai
    again = browser(world.owner).submit(ORDER, PROPOSE, {
        "proposed_ship_by": "2026-11-23T08:00", "reason": "other", "remark": "keep me"})
    assert again.status_code == 422
    page = text(again)
    assert ("提议时间超出允许范围 Proposal out of range: “提议发货时间 Proposed ship-by "
            "(Asia/Shanghai)” must be after the current ship deadline 2026-11-24 07:00 "
            "Asia/Shanghai.") in page
    assert "proposed_ship_by" not in page
    form = forms(markup(again))[PROPOSE]
    assert 'aria-invalid="true"' in form and "keep me</textarea>" in form
    assert "disabled" not in form  # the rule is about the date: fix it and send again
    assert negotiation(rt, world.owner).cards == []


def test_a_proposal_past_the_horizon_is_refused(browser, world):
    world.order("O-1")
    again = browser(world.owner).submit(ORDER, PROPOSE, {
        "proposed_ship_by": "2026-12-31T08:00", "reason": "other"})
    assert again.status_code == 422
    assert "must be at most 30 days after the original deadline" in text(again)


def test_a_second_proposal_while_one_is_pending_keeps_the_input_beside_the_refusal(
        browser, world, rt):
    world.order("O-1")
    b = browser(world.owner)
    b.submit(ORDER, PROPOSE, {"proposed_ship_by": IN_FIVE_DAYS, "reason": "other"})
    # A second tab still shows the form; the rule refuses, the text survives.
    again = b.post_anyway(PROPOSE, {"proposed_ship_by": "2026-11-28T08:00", "reason": "other",
                                    "remark": "second thoughts"})
    assert again.status_code == 409
    assert "已有卡片等待买家回复 A card is pending" in text(again)
    form = forms(markup(again))[PROPOSE]
    assert "second thoughts</textarea>" in form and "disabled" in form
    assert len(negotiation(rt, world.owner).cards) == 1


def test_a_buyer_may_not_propose(browser, world):
    world.order("O-1")
    b = browser(world.buyer)
    assert PROPOSE not in forms(markup(b.get(ORDER)))
    refused = b.post_anyway(PROPOSE, {"proposed_ship_by": IN_FIVE_DAYS, "reason": "other"})
    assert refused.status_code == 403
    assert "无权操作 Not permitted" in text(refused)


def test_withdrawing_a_card_reopens_the_negotiation(browser, world, rt):
    world.order("O-1")
    card = send_card(rt, world.owner)
    withdrawn = browser(world.agent).submit(ORDER, f"/orders/O-1/cards/{card.id}/withdraw")
    assert withdrawn.status_code == 302
    view = negotiation(rt, world.owner)
    assert view.cards[0].state == CardState.WITHDRAWN and view.state == "open"


def test_after_three_cards_no_propose_form_is_drawn(browser, world, rt):
    world.order("O-1")
    for days in (3, 4, 5):
        card = send_card(rt, world.owner, days=days)
        cards.withdraw_card(rt.uow(), world.owner.caller, card.id)
    page = browser(world.owner).get(ORDER)
    assert PROPOSE not in forms(markup(page))
    assert "协商卡片次数已用完 Card limit reached: All 3 cards of this order have been sent." \
        in text(page)
    assert "协商失败 Failed" in text(page)


def test_the_pending_card_counts_down_on_the_apps_clock(browser, world, rt, clock):
    world.order("O-1")
    send_card(rt, world.owner)
    b = browser(world.owner)
    assert "还剩 24 小时 0 分 remaining" in text(b.get(ORDER))
    clock.advance(timedelta(hours=1, minutes=1))
    page = b.get(ORDER)
    assert "还剩 22 小时 59 分 remaining" in text(page)
    assert 'data-expires-at="2026-11-23T00:00:00+00:00"' in markup(page)
    assert "/web/static/countdown.js" in markup(page)


def test_the_countdown_script_and_styles_are_served(browser, world):
    b = browser()
    for path in ("/web/static/countdown.js", "/web/static/web.css"):
        with b.get(path) as response:
            assert response.status_code == 200


def test_a_remark_is_shown_as_text_never_as_markup(browser, world, rt):
    world.order("O-1")
    cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                       proposed_ship_by=START + timedelta(days=5), reason=CardReason.OTHER,
                       remark='<script>alert("x")</script>')
    raw = browser(world.buyer).get(ORDER).get_data(as_text=True)
    assert '<script>alert("x")</script>' not in raw
    assert "&lt;script&gt;" in raw


def test_an_order_kind_that_cannot_negotiate_says_why(browser, world):
    world.order("O-1", kind=OrderKind.VIRTUAL)
    page = browser(world.owner).get(ORDER)
    assert PROPOSE not in forms(markup(page))
    assert "该类订单不支持协商 Order kind excluded" in text(page)


def test_another_agent_of_the_same_store_sees_the_same_card(browser, world, rt):
    world.order("O-1")
    send_card(rt, world.owner)
    second_agent = world.actor(Role.AGENT, "agent 2", world.store_id)
    assert "第 1 张卡片 Card 1 · 待回复 Pending" in text(browser(second_agent).get(ORDER))


def test_the_time_input_is_limited_to_the_window_the_rules_allow(browser, world):
    world.order("O-1")  # ship-by START + 47 h = 2026-11-24 07:00 Asia/Shanghai
    page = browser(world.owner).get(ORDER)
    [field] = re.findall(r'<input[^>]*name="proposed_ship_by"[^>]*>', markup(page))
    assert 'min="2026-11-24T07:01"' in field and 'max="2026-12-24T07:00"' in field
    assert ("晚于 2026-11-24 07:00 Asia/Shanghai，不晚于 2026-12-24 07:00 Asia/Shanghai"
            in text(page))
