"""A seller's delay-report form: each kind filed, bad input shown again, the order's path in."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import CardReason, ReportKind, ReportStatus
from negotiation.services.negotiation import cards
from tests.conftest import START
from tests.web.conftest import csrf_token_in, forms, markup, text
from tests.web.report_support import (
    DAY,
    DESCRIPTION,
    IN_SIX_DAYS,
    NEW,
    NOT_EVIDENCE,
    PNG,
    field_errors,
    other_store_owner,
    page_of,
    ship,
    shipment_form,
    stored_reports,
)

ORDER = "/orders/O-1"


def test_a_seller_files_a_shipment_report_and_lands_on_its_page(browser, world, rt):
    world.order("O-1")
    world.order("O-2")
    b = browser(world.owner)
    filed = b.submit(NEW, NEW, shipment_form(order_nos="O-1\nO-2", reason="epidemic_control"))
    assert filed.status_code == 302
    [report] = stored_reports(rt, world.owner)
    assert filed.headers["Location"] == page_of(report.id)
    assert (report.kind, report.reason, report.status) == (
        ReportKind.SHIPMENT, "epidemic_control", ReportStatus.PENDING_REVIEW)
    assert report.order_nos == ["O-1", "O-2"]
    assert report.latest_ship_at == START + 6 * DAY  # typed as Shanghai wall time
    assert report.description == DESCRIPTION and report.submitted_by == world.owner.id
    page = text(b.get(filed.headers["Location"]))
    assert f"已提交报备 #{report.id}，审核截止 2026-11-24 08:00 Asia/Shanghai。" in page
    assert "延迟发货报备 Delay-shipment report" in page
    assert "疫情/政策管控 Epidemic or policy control" in page
    assert "最晚发货时间 Latest ship time 2026-11-28 08:00 Asia/Shanghai" in page
    assert "待审核 Pending review" in page


def test_order_numbers_may_be_comma_separated_and_an_agent_files_like_the_owner(
        browser, world, rt):
    for n in (1, 2, 3):
        world.order(f"O-{n}")
    filed = browser(world.agent).submit(NEW, NEW, shipment_form(order_nos="O-1, O-2，O-3"))
    assert filed.status_code == 302
    [report] = stored_reports(rt, world.owner)
    assert report.order_nos == ["O-1", "O-2", "O-3"] and report.submitted_by == world.agent.id


def test_a_seller_files_a_collection_report_by_tracking_number(browser, world, rt):
    world.order("O-1")  # paid START - 1 h: collection due 72 h later, 2026-11-25 07:00 Shanghai
    ship(rt, world.owner, "O-1", "SF0001")
    filed = browser(world.owner).submit(NEW, NEW, {
        "kind": "collection", "reason": "major_event", "tracking_nos": "SF0001",
        "latest_collect_at": "2026-11-27T08:00", "description": "马拉松封路 Marathon"})
    assert filed.status_code == 302
    [report] = stored_reports(rt, world.owner)
    assert report.kind == ReportKind.COLLECTION and report.tracking_nos == ["SF0001"]
    assert report.latest_collect_at == START + 5 * DAY and report.order_nos == ["O-1"]
    page = text(browser(world.owner).get(page_of(report.id)))
    assert "延迟揽收报备 Delay-collection report" in page
    assert "运单号 Tracking numbers SF0001" in page
    assert "最晚揽收时间 Latest collection time 2026-11-27 08:00 Asia/Shanghai" in page


def test_a_seller_files_a_store_report_for_a_window(browser, world, rt):
    world.order("O-1")  # deadline 2026-11-24 07:00 Shanghai: inside the window
    world.order("O-2", ship_by=START + 10 * DAY)  # outside it
    filed = browser(world.owner).submit(NEW, NEW, {
        "kind": "store", "reason": "epidemic_control", "window_start": "2026-11-23T08:00",
        "window_end": "2026-11-25T08:00", "latest_ship_at": "2026-11-30T08:00",
        "description": "仓库所在城市封控 The warehouse city is locked down."})
    assert filed.status_code == 302
    [report] = stored_reports(rt, world.owner)
    assert report.kind == ReportKind.STORE and report.order_nos == ["O-1"]
    assert (report.window_start, report.window_end) == (START + DAY, START + 3 * DAY)
    page = text(browser(world.owner).get(page_of(report.id)))
    assert ("报备时段 Window 2026-11-23 08:00 Asia/Shanghai – 2026-11-25 08:00 Asia/Shanghai"
            in page)
    assert 'href="/orders/O-1"' in markup(browser(world.owner).get(page_of(report.id)))


def test_the_form_offers_every_kind_and_the_nine_reasons_in_both_languages(browser, world):
    b = browser(world.owner)
    page = markup(b.get(NEW))
    form = forms(page)[NEW]
    for label in ("延迟发货报备 Delay-shipment report", "延迟揽收报备 Delay-collection report",
                  "店铺报备 Store report", "大型会议 Large conference",
                  "重大赛事 Major sports event", "自然灾害 Natural disaster",
                  "商家因素 Merchant factors", "特殊订单 Special order", "双地址 Dual address",
                  "疫情/政策管控 Epidemic or policy control",
                  "消费者要求延迟发货 Buyer asked to delay",
                  "超卖/库存不足 Stock shortage or overselling"):
        assert label in form
    assert form.count("<option") == 1 + 3 + 1 + 9  # a "choose" entry before each list
    assert 'type="datetime-local"' in form and 'type="file"' in form
    assert 'accept="image/jpeg,image/png,image/gif,image/webp,application/pdf"' in form
    assert "at most 10 MiB each, 10 files per report." in form
    # Each kind-dependent input says which kinds use it; the optional script reads that.
    assert '<div data-kinds="shipment store">' in form
    assert "仅用于 Used by: 延迟揽收报备 Delay-collection report" in form
    assert "/web/static/report-form.js" in page and "<script>" not in page
    with b.get("/web/static/report-form.js") as script:
        assert script.status_code == 200


def test_missing_fields_of_the_kind_are_named_beside_them_and_nothing_is_stored(
        browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, shipment_form(order_nos="",
                                                                latest_ship_at=""))
    assert again.status_code == 422
    page = markup(again)
    assert ("A shipment report needs “订单号 Order numbers”."
            in field_errors(page, "order_nos"))
    assert ("A shipment report needs “最晚发货时间 Latest ship time (Asia/Shanghai)”."
            in field_errors(page, "latest_ship_at"))
    assert "order_nos" not in text(again) and "latest_ship_at" not in text(again)
    assert "输入有误 Invalid input" in field_errors(page, "order_nos")
    assert f"{DESCRIPTION}</textarea>" in forms(page)[NEW]  # what was typed stays
    assert '<option selected value="shipment">' in forms(page)[NEW]
    assert stored_reports(rt, world.owner) == []


def test_a_description_of_spaces_is_refused_by_the_service_beside_it(browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, shipment_form(description="   "))
    assert again.status_code == 422
    assert "Describe what happened." in field_errors(markup(again), "description")
    assert stored_reports(rt, world.owner) == []


def test_no_kind_no_reason_and_no_description_are_each_named_before_the_service(
        browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, {"kind": "", "reason": "", "order_nos": "O-1",
                                                   "description": ""})
    assert again.status_code == 422
    page = markup(again)
    assert "请选择报备类型 Choose the kind of report." in field_errors(page, "kind")
    assert "请选择报备原因 Choose a reason." in field_errors(page, "reason")
    assert "请说明情况 Describe what happened." in field_errors(page, "description")
    assert "\nO-1</textarea>" in forms(page)[NEW]
    assert stored_reports(rt, world.owner) == []


def test_a_field_of_another_kind_is_refused_beside_it_keeping_everything_typed(
        browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, {
        "kind": "store", "reason": "natural_disaster", "order_nos": "O-1",
        "window_start": "2026-11-23T08:00", "window_end": "2026-11-25T08:00",
        "latest_ship_at": "2026-11-30T08:00", "description": "keep me"})
    assert again.status_code == 422
    page = markup(again)
    assert ("A store report does not use “订单号 Order numbers”."
            in field_errors(page, "order_nos"))
    assert "order_nos" not in text(again)
    form = forms(page)[NEW]
    assert 'value="2026-11-23T08:00"' in form and 'value="2026-11-25T08:00"' in form
    assert 'value="2026-11-30T08:00"' in form and "keep me</textarea>" in form
    assert '<option selected value="store">' in form
    assert stored_reports(rt, world.owner) == []


def test_an_unknown_order_and_another_stores_order_are_refused_alike(browser, world, rt):
    other = other_store_owner(world, rt)
    world.order("THEIRS", store_id=other.caller.store_id)
    b = browser(world.owner)
    unknown = b.submit(NEW, NEW, shipment_form(order_nos="NOPE"))
    theirs = b.submit(NEW, NEW, shipment_form(order_nos="THEIRS"))
    assert unknown.status_code == theirs.status_code == 422
    assert "No order NOPE in your store." in field_errors(markup(unknown), "order_nos")
    assert "No order THEIRS in your store." in field_errors(markup(theirs), "order_nos")
    assert stored_reports(rt, world.owner) == [] and stored_reports(rt, other) == []


def test_a_latest_ship_time_before_the_deadline_is_refused_beside_it_in_shanghai_time(
        browser, world, rt):
    world.order("O-1")  # deadline 2026-11-24 07:00 Shanghai
    again = browser(world.owner).submit(NEW, NEW, shipment_form(latest_ship_at="2026-11-24T06:00"))
    assert again.status_code == 422
    message = field_errors(markup(again), "latest_ship_at")
    assert ("must be after the ship deadline of order O-1 (2026-11-24 07:00 Asia/Shanghai)"
            in message)
    assert 'value="2026-11-24T06:00"' in forms(markup(again))[NEW]
    assert stored_reports(rt, world.owner) == []


def test_a_latest_ship_time_past_the_horizon_is_refused(browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, shipment_form(latest_ship_at="2026-12-31T08:00"))
    assert again.status_code == 422
    assert "must be at most 15 days after the ship deadline of order O-1" in field_errors(
        markup(again), "latest_ship_at")
    assert stored_reports(rt, world.owner) == []


def test_a_malformed_number_and_an_unreadable_time_are_refused_before_the_service(
        browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, shipment_form(order_nos="O-1\nO/2",
                                                                latest_ship_at="soon"))
    assert again.status_code == 422
    page = markup(again)
    assert "订单号格式不正确 Not a valid order number: O/2" in field_errors(page, "order_nos")
    assert "请输入有效的日期时间 Enter a valid date and time" in field_errors(
        page, "latest_ship_at")
    assert 'value="soon"' in forms(page)[NEW] and "O-1\nO/2</textarea>" in forms(page)[NEW]
    assert stored_reports(rt, world.owner) == []


def test_an_order_already_covered_by_a_pending_report_is_refused(browser, world, rt):
    world.order("O-1")
    b = browser(world.owner)
    assert b.submit(NEW, NEW, shipment_form()).status_code == 302
    again = b.submit(NEW, NEW, shipment_form())
    assert again.status_code == 422
    [first] = stored_reports(rt, world.owner)
    assert (f"该订单不适用报备 Report not applicable: Order O-1 is already named in report "
            f"{first.id}, which is waiting for review.") in field_errors(markup(again),
                                                                  "order_nos")


def test_the_form_without_its_csrf_token_is_refused_and_nothing_is_stored(browser, world, rt):
    world.order("O-1")
    b = browser(world.owner)
    refused = b.client.post(NEW, data=shipment_form())
    assert refused.status_code == 400
    assert "表单已失效 The form has expired" in text(refused)
    forged = b.client.post(NEW, data={**shipment_form(), "csrf_token": "forged"})
    assert forged.status_code == 400
    assert stored_reports(rt, world.owner) == []


def test_buyers_and_reviewers_get_no_report_form(browser, world, rt):
    world.order("O-1")
    for actor in (world.buyer, world.reviewer):
        b = browser(actor)
        page = b.get(NEW)
        assert page.status_code == 403 and "无权操作 Not permitted" in text(page)
        token = csrf_token_in(markup(b.get("/")))
        posted = b.client.post(NEW, data={**shipment_form(), "csrf_token": token})
        assert posted.status_code == 403
    assert stored_reports(rt, world.owner) == []


def test_starting_from_an_order_prefills_the_kind_and_the_order_with_its_deadline(
        browser, world):
    world.order("O-1")
    page = browser(world.owner).get(f"{NEW}?order_no=O-1")
    form = forms(markup(page))[NEW]
    assert '<option selected value="shipment">' in form
    assert "\nO-1</textarea>" in form
    assert "订单 O-1 当前发货时效 2026-11-24 07:00 Asia/Shanghai" in text(page)


def test_evidence_chosen_in_the_form_is_attached_to_the_new_report(browser, world, rt):
    world.order("O-1")
    b = browser(world.owner)
    filed = b.submit(NEW, NEW, shipment_form(), files={"file": (PNG, "road.png")})
    assert filed.status_code == 302
    [report] = stored_reports(rt, world.owner)
    view = b.get(filed.headers["Location"])
    assert "已上传凭证 Evidence attached: road.png." in text(view)
    assert f'href="/reports/{report.id}/evidence/' in markup(view)
    assert "road.png" in text(view) and "image/png" in text(view)


def test_a_refused_evidence_file_refuses_the_whole_report_with_the_input_kept(
        browser, world, rt):
    world.order("O-1")
    b = browser(world.owner)
    refused = b.submit(NEW, NEW, shipment_form(description="暴雨 Rain"),
                       files={"file": (NOT_EVIDENCE, "photo.png")})
    assert refused.status_code == 422
    assert stored_reports(rt, world.owner) == []  # nothing filed, so refiling is not refused
    shown = text(refused)
    assert "凭证文件类型不支持 Evidence type not allowed" in shown
    assert "暴雨 Rain</textarea>" in markup(refused)
    refiled = b.submit(NEW, NEW, shipment_form(), files={"file": (PNG, "road.png")})
    assert refiled.status_code == 302


def test_a_form_shown_again_asks_for_the_chosen_file_again(browser, world, rt):
    world.order("O-1")
    again = browser(world.owner).submit(NEW, NEW, shipment_form(order_nos="NOPE"),
                                        files={"file": (PNG, "road.png")})
    assert again.status_code == 422
    assert "请重新选择文件" in text(again)
    assert stored_reports(rt, world.owner) == []


# --- the way in from the order page ----------------------------------------------------


def fail_negotiation(rt, seller):
    for days in (3, 4, 5):
        card = cards.propose_card(rt.uow(), seller.caller, "O-1",
                                  proposed_ship_by=START + timedelta(days=days),
                                  reason=CardReason.OTHER)
        cards.withdraw_card(rt.uow(), seller.caller, card.id)


def test_a_failed_negotiation_offers_the_report_form_with_the_order_filled_in(
        browser, world, rt):
    world.order("O-1")
    fail_negotiation(rt, world.owner)
    b = browser(world.agent)
    page = b.get(ORDER)
    assert "协商失败，可申请延迟发货报备" in text(page)
    assert 'href="/reports/new?order_no=O-1"' in markup(page)
    form = forms(markup(b.get("/reports/new?order_no=O-1")))[NEW]
    assert "\nO-1</textarea>" in form and '<option selected value="shipment">' in form
    filed = b.submit("/reports/new?order_no=O-1", NEW, shipment_form())
    assert filed.status_code == 302


def test_an_open_negotiation_still_links_the_report_form_but_not_prominently(browser, world):
    world.order("O-1")
    page = browser(world.owner).get(ORDER)
    assert 'href="/reports/new?order_no=O-1"' in markup(page)
    assert "协商失败，可申请延迟发货报备" not in text(page)


def test_buyers_and_reviewers_are_not_offered_the_report_form(browser, world, rt):
    world.order("O-1")
    fail_negotiation(rt, world.owner)
    for actor in (world.buyer, world.reviewer):
        page = browser(actor).get(ORDER)
        assert "/reports/new" not in markup(page).split("<main", 1)[1]
        assert "延迟发货报备 File a delay report 不可用" not in text(page)  # forbidden: no hint


def test_a_shipped_order_says_why_no_report_may_be_filed(browser, world, rt):
    world.order("O-1")
    ship(rt, world.owner, "O-1", "SF0001")
    page = browser(world.owner).get(ORDER)
    assert "/reports/new?order_no=O-1" not in markup(page)
    assert ("延迟发货报备 File a delay report 不可用 unavailable — 该订单不适用报备 Report not "
            "applicable: The order is shipped; a report no longer applies") in text(page)


def test_typed_times_are_read_as_shanghai_wall_time(browser, world, rt):
    world.order("O-1")
    browser(world.owner).submit(NEW, NEW, shipment_form(latest_ship_at="2026-11-28T07:59"))
    [report] = stored_reports(rt, world.owner)
    assert report.latest_ship_at == START + 6 * DAY - timedelta(minutes=1)
    assert IN_SIX_DAYS == "2026-11-28T08:00"


def test_after_the_deadline_lapses_the_seller_reports_and_the_approval_sets_a_new_one(
        browser, world, rt, clock):
    world.order("O-1", ship_by=START + timedelta(hours=2))
    clock.advance(timedelta(hours=3))  # the deadline passed with no agreement: failed
    b = browser(world.owner)
    page = b.get(ORDER)
    assert "协商失败 Failed" in text(page)
    assert "协商失败，可申请延迟发货报备" in text(page)
    filed = b.submit("/reports/new?order_no=O-1", NEW,
                     shipment_form(latest_ship_at="2026-11-24T08:00"))
    assert filed.status_code == 302
    [report] = stored_reports(rt, world.owner)
    approved = browser(world.reviewer).submit(page_of(report.id), f"{page_of(report.id)}/approve")
    assert approved.status_code == 302
    after = text(b.get(ORDER))
    assert ("当前发货时效 Current ship-by 2026-11-24 08:00 Asia/Shanghai "
            "延迟发货报备 Delay report") in after
    assert "主动报备通过 Covered by an approved report 是 Yes" in after
