"""The report list: a store's own reports, a reviewer's queue, filters and pages."""

from __future__ import annotations

from datetime import timedelta

from negotiation.domain.enums import ReportReason
from negotiation.services.reports import reports
from tests.conftest import START
from tests.web.conftest import forms, markup, text
from tests.web.report_support import (
    LIST,
    file_shipment,
    other_store_owner,
    rows,
)


def row_of(page: str, report_id: int) -> str:
    [row] = [r for r in rows(page) if f'href="/reports/{report_id}"' in r]
    return row


def ids_in(page: str) -> list[int]:
    return [int(r.split('href="/reports/', 1)[1].split('"', 1)[0]) for r in rows(page)]


def test_a_seller_sees_its_stores_reports_and_not_another_stores(browser, world, rt):
    other = other_store_owner(world, rt)
    world.order("O-1")
    world.order("THEIRS", store_id=other.caller.store_id)
    ours = file_shipment(rt, world.owner, "O-1")
    theirs = file_shipment(rt, other, "THEIRS")
    page = browser(world.agent).get(LIST)
    assert page.status_code == 200
    assert ids_in(markup(page)) == [ours.id]
    assert theirs.id not in ids_in(markup(browser(world.owner).get(f"{LIST}?status=")))
    shown = text(page)
    assert "报备 Delay reports" in shown and "O-1" in shown and "THEIRS" not in shown
    assert "延迟发货报备 Delay-shipment report" in shown and "自然灾害 Natural disaster" in shown
    assert "时间为 Times in Asia/Shanghai" in shown  # the caption names the zone


def test_buyers_may_not_list_reports(browser, world):
    page = browser(world.buyer).get(LIST)
    assert page.status_code == 403 and page.mimetype == "text/html"


def test_the_header_links_the_reports_by_role(browser, world):
    seller = markup(browser(world.owner).get("/"))
    assert '<a href="/reports">报备 Reports</a>' in seller
    reviewer = markup(browser(world.reviewer).get("/"))
    assert '<a href="/reports">审核队列 Review queue</a>' in reviewer
    assert 'href="/reports"' not in markup(browser(world.buyer).get("/"))


def test_the_reviewer_queue_shows_pending_reports_most_overdue_first_with_the_wait(
        browser, world, rt, clock):
    for n in (1, 2, 3):
        world.order(f"O-{n}", ship_by=START + timedelta(days=5))
    oldest = file_shipment(rt, world.owner, "O-1", days=8)
    clock.advance(timedelta(hours=5))
    newer = file_shipment(rt, world.owner, "O-2", days=8)
    decided = file_shipment(rt, world.owner, "O-3", days=8)
    reports.approve_report(rt.uow(), world.reviewer.caller, decided.id)
    clock.advance(timedelta(days=1, hours=22))  # START + 2 d 3 h: the first is overdue
    page = markup(browser(world.reviewer).get(LIST))
    assert "审核队列 Review queue" in text(browser(world.reviewer).get(LIST))
    assert ids_in(page) == [oldest.id, newer.id]  # the pending queue, most overdue first
    first, second = row_of(page, oldest.id), row_of(page, newer.id)
    assert "已超时 Overdue" in first and 'class="overdue"' in first
    assert "等待 2 天 3 小时 · waited 2 d 3 h" in first
    assert "已超时 Overdue" not in second and "等待 1 天 22 小时 · waited 1 d 22 h" in second
    assert '<option selected value="pending_review">' in forms(page)[LIST]


def test_a_reviewer_may_list_every_status_and_every_store(browser, world, rt):
    other = other_store_owner(world, rt)
    world.order("O-1")
    world.order("O-2")
    world.order("THEIRS", store_id=other.caller.store_id)
    approved = file_shipment(rt, world.owner, "O-1")
    reports.approve_report(rt.uow(), world.reviewer.caller, approved.id)
    pending = file_shipment(rt, world.owner, "O-2")
    theirs = file_shipment(rt, other, "THEIRS")
    everything = markup(browser(world.reviewer).get(f"{LIST}?status="))
    assert sorted(ids_in(everything)) == sorted([approved.id, pending.id, theirs.id])
    only_approved = markup(browser(world.reviewer).get(f"{LIST}?status=approved"))
    assert ids_in(only_approved) == [approved.id]
    assert "已通过 Approved" in row_of(only_approved, approved.id)


def test_filters_narrow_the_list_by_kind_reason_and_order(browser, world, rt):
    world.order("O-1")
    world.order("O-2")
    disaster = file_shipment(rt, world.owner, "O-1")
    stock = file_shipment(rt, world.owner, "O-2", reason=ReportReason.STOCK_SHORTAGE)
    b = browser(world.owner)
    assert ids_in(markup(b.get(f"{LIST}?reason=stock_shortage"))) == [stock.id]
    assert ids_in(markup(b.get(f"{LIST}?order_no=O-1"))) == [disaster.id]
    assert ids_in(markup(b.get(f"{LIST}?kind=store"))) == []
    assert "没有符合条件的报备。" in text(b.get(f"{LIST}?kind=store"))
    kept = forms(markup(b.get(f"{LIST}?reason=stock_shortage&order_no=O-2")))[LIST]
    assert '<option selected value="stock_shortage">' in kept and 'value="O-2"' in kept


def test_the_submitted_dates_are_shanghai_calendar_days_both_included(
        browser, world, rt, clock):
    world.order("O-1", ship_by=START + timedelta(days=5))
    world.order("O-2", ship_by=START + timedelta(days=5))
    clock.advance(timedelta(hours=15, minutes=59))  # 2026-11-22 23:59 Shanghai
    late_on_22nd = file_shipment(rt, world.owner, "O-1", days=8)
    clock.advance(timedelta(minutes=1))  # 2026-11-23 00:00 Shanghai
    on_23rd = file_shipment(rt, world.owner, "O-2", days=8)
    b = browser(world.owner)
    day = f"{LIST}?submitted_from=2026-11-22&submitted_to=2026-11-22"
    assert ids_in(markup(b.get(day))) == [late_on_22nd.id]
    assert ids_in(markup(b.get(f"{LIST}?submitted_from=2026-11-23"))) == [on_23rd.id]


def test_bad_filters_are_shown_beside_their_inputs_with_422(browser, world):
    b = browser(world.owner)
    bad = b.get(f"{LIST}?status=lost&submitted_from=yesterday")
    assert bad.status_code == 422 and bad.mimetype == "text/html"
    page = text(bad)
    assert "请从列表中选择 Choose one of the listed options." in page
    assert "请输入有效的日期 Enter a valid date (YYYY-MM-DD)." in page
    backwards = b.get(f"{LIST}?submitted_from=2026-11-23&submitted_to=2026-11-21")
    assert backwards.status_code == 422
    assert ("“提交日期至（含）Submitted to (inclusive)” must be after "
            "“提交日期从 Submitted from”.") in text(backwards)
    assert "submitted_to" not in text(backwards) and "submitted_from" not in text(backwards)
    assert 'value="2026-11-21"' in forms(markup(backwards))[LIST]


def test_the_list_pages_with_the_services_cursor_keeping_the_filters(app, browser, world, rt):
    app.config["WEB_PAGE_SIZE"] = 2
    filed = []
    for n in range(1, 6):
        world.order(f"O-{n}")
        filed.append(file_shipment(rt, world.owner, f"O-{n}").id)
    b = browser(world.reviewer)
    seen: list[int] = []
    path = LIST
    while path:
        page = b.get(path)
        assert page.status_code == 200
        body = markup(page)
        seen += ids_in(body)
        next_link = [line for line in body.splitlines() if 'rel="next"' in line]
        path = next_link[0].split('href="')[1].split('"')[0] if next_link else ""
        assert not path or "status=pending_review" in path
    assert seen == filed


def test_a_forged_cursor_answers_an_html_page(browser, world):
    page = browser(world.owner).get(f"{LIST}?cursor=forged")
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert "cursor" in text(page)


# --- the order list's filter -----------------------------------------------------------


def test_the_order_list_filters_the_orders_an_approved_report_covers(browser, world, rt):
    world.order("O-1")
    world.order("O-2")
    report = file_shipment(rt, world.owner, "O-1")
    reports.approve_report(rt.uow(), world.reviewer.caller, report.id)
    b = browser(world.owner)
    everything = markup(b.get("/"))
    assert 'href="/?covered_by_report=true"' in everything
    [o1] = [row for row in rows(everything) if 'href="/orders/O-1"' in row]
    [o2] = [row for row in rows(everything) if 'href="/orders/O-2"' in row]
    assert "主动报备通过 Covered by an approved report" in o1
    assert "主动报备通过" not in o2
    covered = markup(b.get("/?covered_by_report=true"))
    assert 'href="/orders/O-1"' in covered and 'href="/orders/O-2"' not in covered
    assert b.get("/?covered_by_report=maybe").status_code == 422

