"""The assessment panel of the order page: what the order has cost, and a preview of what
shipping at a given time would cost, which records nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from negotiation.domain.enums import (
    CardReason,
    ExemptedBy,
    ExtensionCause,
    LedgerKind,
    ReportKind,
    ReportReason,
    ScanKind,
    ViolationKind,
)
from negotiation.services.negotiation import cards
from negotiation.services.orders import scans
from negotiation.services.reports import reports
from negotiation.web import labels
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.web.assessment_support import (
    COLLECT_BY,
    HOUR,
    SHIP_BY,
    event_types,
    input_value,
    ledger,
    table,
)
from tests.web.conftest import forms, markup, text
from tests.web.report_support import ship

ORDER = "/orders/O-1"
PANEL = "考核 Assessment"


def violations(page: str) -> list[list[str]]:
    return table(page, "violations")


def test_the_panel_shows_a_late_shipment_once_the_clock_passes_the_deadline(
        browser, world, clock):
    world.order("O-1")
    b = browser(world.owner)
    before = text(b.get(ORDER))
    assert PANEL in before and "没有违规。" in before
    assert "有效发货时效 Effective ship-by 2026-11-24 07:00 Asia/Shanghai 原始时效" in before
    assert "揽收时效 Collect-by 2026-11-25 07:00 Asia/Shanghai" in before

    clock.set(SHIP_BY + HOUR)  # nothing swept: reading the order records what fell due
    page = b.get(ORDER)
    assert page.status_code == 200
    assert violations(markup(page)) == [[
        "发货超时 Late shipment", "2026-11-24 07:00 Asia/Shanghai",
        "2026-11-24 08:00 Asia/Shanghai", "未豁免 Counts"]]
    shown = text(page)
    assert "扣保证金 Deposit deduction ¥10.00" in shown
    assert "扣分 Points 0.1" in shown
    assert "赔付买家 Buyer compensation ¥5.00" in shown  # 5% of ¥100, at least ¥5
    assert "商品禁售 Product banned 否 No" in shown
    assert "订单关闭 Closed 否 No" in shown
    assert "首次揽收 First collection —" in shown


@pytest.mark.parametrize("who", ["agent", "reviewer"])
def test_the_stores_agent_and_reviewers_see_the_panel_too(browser, world, who):
    world.order("O-1")
    page = browser(getattr(world, who)).get(ORDER)
    assert page.status_code == 200 and PANEL in text(page)


@pytest.mark.parametrize("who", ["buyer", "admin"])
def test_the_buyer_and_the_admin_see_the_order_without_the_panel(browser, world, who):
    world.order("O-1")
    page = browser(ADMIN_TOKEN if who == "admin" else world.buyer).get(ORDER)
    assert page.status_code == 200
    assert PANEL not in text(page) and 'name="ship_at"' not in markup(page)


def test_the_first_collection_is_shown_and_a_shipped_order_offers_no_preview(
        browser, world, rt, clock):
    world.order("O-1")
    ship(rt, world.owner, "O-1", "SF0001")
    clock.advance(3 * HOUR)
    scans.record_scan(rt.uow(), ADMIN, "SF0001", kind=ScanKind.COLLECTED,
                      at=clock.now() - HOUR)
    page = browser(world.owner).get(ORDER)
    assert "首次揽收 First collection 2026-11-22 10:00 Asia/Shanghai" in text(page)
    assert 'name="ship_at"' not in markup(page)  # nothing left to preview


def test_a_preview_shows_what_shipping_then_would_cost_and_records_nothing(
        browser, world, rt):
    world.order("O-1")
    events, entries = event_types(rt, world.owner, "O-1"), ledger(rt, world.owner,
                                                                  world.store_id)
    b = browser(world.owner)
    # Shipping a day after both deadlines: late, and collected too late (the carrier is
    # taken to collect when the parcel ships).
    page = b.get(ORDER, query_string={"ship_at": "2026-11-26T08:00"})
    assert page.status_code == 200
    shown, html = text(page), markup(page)
    assert "预览：假如在 2026-11-26 08:00 Asia/Shanghai 发货" in shown
    assert violations(html) == [
        ["发货超时 Late shipment 预览新增 Added by the preview",
         "2026-11-24 07:00 Asia/Shanghai", "未记录 Not recorded", "未豁免 Counts"],
        ["揽收超时 Collection timeout 预览新增 Added by the preview",
         "2026-11-25 07:00 Asia/Shanghai", "未记录 Not recorded", "未豁免 Counts"]]
    assert "扣保证金 Deposit deduction ¥20.00" in shown  # at most 2 deductions an order
    assert "扣分 Points 0.2" in shown and "赔付买家 Buyer compensation ¥5.00" in shown
    assert input_value(html, "ship_at") == "2026-11-26T08:00"  # the question stays asked

    assert event_types(rt, world.owner, "O-1") == events
    assert ledger(rt, world.owner, world.store_id) == entries == []
    again = text(b.get(ORDER))
    assert "没有违规。" in again and "扣保证金 Deposit deduction ¥0.00" in again


def test_a_preview_in_time_adds_nothing_and_one_after_a_recorded_violation_adds_the_rest(
        browser, world, clock):
    world.order("O-1")
    b = browser(world.owner)
    in_time = b.get(ORDER, query_string={"ship_at": "2026-11-24T06:59"})
    assert "没有违规。" in text(in_time)
    assert "扣保证金 Deposit deduction ¥0.00" in text(in_time)

    clock.set(SHIP_BY + HOUR)
    later = b.get(ORDER, query_string={"ship_at": "2026-11-26T08:00"})
    rows = violations(markup(later))
    assert [row[0] for row in rows] == [
        "发货超时 Late shipment", "揽收超时 Collection timeout 预览新增 Added by the preview"]
    assert rows[0][2] == "2026-11-24 08:00 Asia/Shanghai"  # the recorded one keeps its time
    assert "扣保证金 Deposit deduction ¥20.00" in text(later)


@pytest.mark.parametrize(("typed", "message"), [
    ("tomorrow", "请输入有效的日期时间 Enter a valid date and time"),
    ("2026-11-21T08:00",
     "输入有误 Invalid input: “假如在此时发货 Ship at (Asia/Shanghai)” is in the past."),
    ("0001-01-01T00:00", "请输入有效的日期时间 Enter a valid date and time"),
    ("9999-12-31T23:59", "Enter a time between the years 1970 and 9000."),
])
def test_a_bad_ship_at_is_named_beside_the_input_which_keeps_it(browser, world, rt, typed,
                                                                message):
    world.order("O-1")
    page = browser(world.owner).get(ORDER, query_string={"ship_at": typed})
    assert page.status_code == 422 and page.mimetype == "text/html"
    html = markup(page)
    assert message in text(page)
    assert "ship_at" not in text(page)
    assert input_value(html, "ship_at") == typed
    assert 'id="ship_at-errors"' in html
    assert "预览：" not in text(page) and "没有违规。" in text(page)  # the standing, alone
    assert event_types(rt, world.owner, "O-1") == ["order.created"]


def test_a_preview_of_a_shipped_order_is_refused_on_the_page(browser, world, rt):
    world.order("O-1")
    ship(rt, world.owner, "O-1", "SF0001")
    page = browser(world.agent).get(ORDER, query_string={"ship_at": "2026-11-23T08:00"})
    assert page.status_code == 409
    assert "订单不在待发货状态 Order not awaiting shipment" in text(page)
    assert input_value(markup(page), "ship_at") == "2026-11-23T08:00"
    assert "已发货 Shipped" in text(page)


def test_the_preview_form_is_a_get_form_on_the_order_page(browser, world):
    world.order("O-1")
    form = forms(markup(browser(world.owner).get(ORDER)))[ORDER]
    assert 'method="get"' in form and 'name="ship_at"' in form
    assert "csrf_token" not in form  # reading needs no token


def test_a_collection_timeout_after_shipping_in_time_is_shown(browser, world, rt, clock):
    world.order("O-1")
    ship(rt, world.owner, "O-1", "SF0001")
    clock.set(COLLECT_BY + HOUR)
    rows = violations(markup(browser(world.owner).get(ORDER)))
    assert rows == [["揽收超时 Collection timeout", "2026-11-25 07:00 Asia/Shanghai",
                     "2026-11-25 08:00 Asia/Shanghai", "未豁免 Counts"]]


def test_a_timeout_disproved_by_a_scan_reported_late_is_shown_as_such(
        browser, world, rt, clock):
    world.order("O-1")
    ship(rt, world.owner, "O-1", "SF0001")
    clock.set(COLLECT_BY + HOUR)
    b = browser(world.owner)
    b.get(ORDER)  # records the timeout
    clock.set(COLLECT_BY + 2 * HOUR)
    scans.record_scan(rt.uow(), ADMIN, "SF0001", kind=ScanKind.COLLECTED,
                      at=COLLECT_BY - HOUR)
    page = b.get(ORDER)
    assert violations(markup(page)) == [[
        "揽收超时 Collection timeout", "2026-11-25 07:00 Asia/Shanghai",
        "2026-11-25 08:00 Asia/Shanghai", "已撤销 Disproved 2026-11-25 09:00 Asia/Shanghai"]]
    assert "扣保证金 Deposit deduction ¥0.00" in text(page)
    assert "violation.disproved" in event_types(rt, world.owner, "O-1")
    assert "违规已撤销（实际按时）Violation disproved: the deadline was met" in text(page)


@pytest.mark.parametrize(("table_name", "enum"), [
    ("violation_kind", ViolationKind), ("exempted_by", ExemptedBy),
    ("ledger_kind", LedgerKind), ("extension_cause", ExtensionCause),
])
def test_every_assessment_value_has_a_bilingual_label(table_name, enum):
    for member in enum:
        shown = labels.label(member, table_name)
        assert shown != member.value and any("\u4e00" <= ch <= "\u9fff" for ch in shown)


@pytest.mark.parametrize(("amount", "shown"), [
    (Decimal("10"), "¥10.00"), (Decimal("5.5"), "¥5.50"), (Decimal("0"), "¥0.00"),
    (Decimal("-10.00"), "-¥10.00"),
])
def test_money_is_shown_in_yuan_to_the_fen(amount, shown):
    assert labels.money(amount) == shown


def agree(rt, world, at) -> None:
    card = cards.propose_card(rt.uow(), world.owner.caller, "O-1", proposed_ship_by=at,
                              reason=CardReason.CUSTOM_MADE)
    cards.accept_card(rt.uow(), world.buyer.caller, card.id)


WAIVED_BY_CARD = "The agreed card lets the parcel leave later, so it waives this collect-by"


def test_an_agreed_ship_by_past_the_collect_by_says_it_waives_it_for_an_unshipped_parcel(
        browser, world, rt):
    world.order("O-1")
    agree(rt, world, COLLECT_BY + timedelta(seconds=1))
    page = text(browser(world.owner).get(ORDER))
    assert "揽收时效早于协商约定的发货时效" in page and WAIVED_BY_CARD in page


def test_an_agreed_ship_by_exactly_at_the_collect_by_waives_nothing_and_says_nothing(
        browser, world, rt):
    world.order("O-1")
    agree(rt, world, COLLECT_BY)
    assert 'id="collect-by-waived"' not in markup(browser(world.owner).get(ORDER))


def test_no_waiver_is_told_once_the_parcel_left_before_the_collect_by(browser, world, rt):
    world.order("O-1")
    agree(rt, world, COLLECT_BY + timedelta(days=2))
    ship(rt, world.owner, "O-1", "SF0000000001")  # shipped now, before the collect-by
    assert 'id="collect-by-waived"' not in markup(browser(world.owner).get(ORDER))


def test_an_approved_report_past_the_collect_by_says_so_in_its_own_words(browser, world, rt):
    world.order("O-1")
    report = reports.file_report(rt.uow(), world.agent.caller, kind=ReportKind.SHIPMENT,
                                 reason=ReportReason.STOCK_SHORTAGE, description="parts late",
                                 order_nos=["O-1"], latest_ship_at=COLLECT_BY + 24 * HOUR)
    reports.approve_report(rt.uow(), world.reviewer.caller, report.id)
    page = text(browser(world.owner).get(ORDER))
    assert "揽收时效早于报备通过的发货时效" in page
    assert "The approved report lets the parcel leave later" in page


def test_a_preview_from_the_automatic_close_on_says_the_order_closes_instead(browser, world):
    """Paid 2026-11-22 07:00 Shanghai: 150 days on, 2027-04-21 07:00, it closes unshipped."""
    world.order("O-1")
    b = browser(world.owner)
    before = text(b.get(ORDER, query_string={"ship_at": "2027-04-21T06:59"}))
    assert "自动关闭" not in before and "订单关闭 Closed 否 No" in before
    at_close = text(b.get(ORDER, query_string={"ship_at": "2027-04-21T07:00"}))
    assert ("订单将于 2027-04-21 07:00 Asia/Shanghai 自动关闭并退款，不会再发货" in at_close
            and "never ships: below is what stands at the close." in at_close)
    assert "订单关闭 Closed 2027-04-21 07:00 Asia/Shanghai" in at_close
