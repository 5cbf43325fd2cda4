"""A store's penalty ledger page: entries, totals for the range and per day, paging,
the date range as a GET form, and who may read it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from negotiation.domain.errors import InvalidInput
from negotiation.services.assessment import queries as assessment_queries
from tests.web.assessment_support import (
    COLLECT_BY,
    HOUR,
    SHIP_BY,
    input_value,
    ledger,
    next_link,
    pass_deadlines,
    table,
)
from tests.web.conftest import markup, text
from tests.web.report_support import field_errors, other_store_owner


def ledger_path(world) -> str:
    return f"/stores/{world.store_id}/penalties"


def yuan(cell: str) -> Decimal:
    return -Decimal(cell[2:]) if cell.startswith("-¥") else Decimal(cell.removeprefix("¥"))


@pytest.fixture
def two_days_of_violations(world, rt, clock):
    """O-1 and O-2 miss their ship-by on 2026-11-24 (Shanghai); on 2026-11-25 O-3 misses
    its, and all three their collection deadline."""
    world.order("O-1")
    world.order("O-2")
    world.order("O-3", ship_by=COLLECT_BY - HOUR)
    pass_deadlines(rt, clock, SHIP_BY + HOUR)  # 2026-11-24 08:00 Shanghai
    pass_deadlines(rt, clock, COLLECT_BY + HOUR)  # 2026-11-25 08:00 Shanghai


def test_the_totals_per_day_add_up_the_entries_of_each_day(browser, world, rt,
                                                           two_days_of_violations):
    page = browser(world.owner).get(ledger_path(world))
    assert page.status_code == 200
    html = markup(page)
    entries = table(html, "entries")
    assert len(entries) == len(ledger(rt, world.owner, world.store_id)) == 9
    # Entry, order, kind, violation, amount, points, at, applies on, marks.
    summed: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for _, _, kind, _, amount, points, at, _, _ in entries:
        day = summed[at[:10]]
        day[0 if kind == "扣保证金 Deposit deduction" else 1] += yuan(amount)
        day[2] += Decimal(points)
    days = {row[0]: row[1:] for row in table(html, "days")}
    assert sorted(days) == sorted(summed) == ["2026-11-24", "2026-11-25"]
    for day, (deducted, compensated, points) in summed.items():
        assert days[day] == [f"¥{deducted:.2f}", f"¥{compensated:.2f}", "¥0.00",
                             f"{points.normalize():f}",
                             f"¥{deducted + compensated:.2f}"]
    # Known figures: two late shipments on the 24th; on the 25th one late shipment and
    # three collection timeouts, ¥10 each (no order over its 2 deductions).
    assert days["2026-11-24"] == ["¥20.00", "¥10.00", "¥0.00", "0.2", "¥30.00"]
    assert days["2026-11-25"] == ["¥40.00", "¥5.00", "¥0.00", "0.4", "¥45.00"]
    assert table(html, "totals") == [["¥60.00", "¥15.00", "¥0.00", "0.6", "¥75.00"]]


def test_an_entry_names_its_order_kind_violation_and_day_it_applies(
        browser, world, two_days_of_violations):
    html = markup(browser(world.owner).get(ledger_path(world)))
    first = table(html, "entries")[0]
    assert first[1:8] == ["O-1", "扣保证金 Deposit deduction", "发货超时 Late shipment",
                          "¥10.00", "0.1", "2026-11-24 08:00 Asia/Shanghai", "2026-11-25"]
    assert 'href="/orders/O-1"' in html
    compensation = next(row for row in table(html, "entries")
                        if row[2] == "自动赔付 Buyer compensation")
    assert compensation[3:6] == ["发货超时 Late shipment", "¥5.00", "0"]


def test_a_date_range_narrows_the_entries_and_the_totals(browser, world,
                                                         two_days_of_violations):
    page = browser(world.owner).get(ledger_path(world),
                                    query_string={"from": "2026-11-25", "to": "2026-11-25"})
    html = markup(page)
    assert {row[6][:10] for row in table(html, "entries")} == {"2026-11-25"}
    assert [row[0] for row in table(html, "days")] == ["2026-11-25"]
    assert table(html, "totals") == [["¥40.00", "¥5.00", "¥0.00", "0.4", "¥45.00"]]
    assert input_value(html, "from") == input_value(html, "to") == "2026-11-25"


def test_the_range_left_blank_is_the_last_thirty_days_shown_in_the_inputs(
        browser, world, two_days_of_violations):
    html = markup(browser(world.owner).get(ledger_path(world)))
    assert (input_value(html, "from"), input_value(html, "to")) == ("2026-10-27", "2026-11-25")


def test_more_pages_follow_the_cursor_and_keep_the_range_and_the_totals(
        app, browser, world, rt, two_days_of_violations):
    app.config["WEB_LEDGER_PAGE_SIZE"] = 4
    b = browser(world.owner)
    path, seen, pages = f"{ledger_path(world)}?from=2026-11-20", [], 0
    while path:
        html = markup(b.get(path))
        pages += 1
        seen += [row[0] for row in table(html, "entries")]
        assert table(html, "totals") == [["¥60.00", "¥15.00", "¥0.00", "0.6", "¥75.00"]]
        assert input_value(html, "from") == "2026-11-20"
        path = next_link(html)
    assert pages == 3
    assert seen == [f"#{e.id}" for e in ledger(rt, world.owner, world.store_id)]


def test_an_empty_range_says_so(browser, world):
    page = browser(world.owner).get(ledger_path(world))
    assert page.status_code == 200
    assert "该时段没有记录。" in text(page)
    assert table(markup(page), "totals") == [["¥0.00", "¥0.00", "¥0.00", "0", "¥0.00"]]


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"from": "2026-13-01", "to": "2026-11-25"}, "from", "请输入有效的日期 Enter a valid date"),
    ({"from": "yesterday"}, "from", "请输入有效的日期 Enter a valid date"),
    ({"from": "2026-11-25", "to": "2026-11-24"}, "from",
     "输入有误 Invalid input: “日期从 From” is after “日期至（含）To (inclusive)”."),
    ({"from": "2025-01-01", "to": "2026-11-25"}, "to", "At most 366 days at once."),
    ({"from": "9999-12-30", "to": "9999-12-31"}, "to", "between the years 1970 and 9000."),
    ({"from": "0001-01-01", "to": "0001-01-02"}, "from", "between the years 1970 and 9000."),
])
def test_bad_dates_are_named_beside_the_input_which_keeps_them(browser, world, query, field,
                                                               message):
    page = browser(world.owner).get(ledger_path(world), query_string=query)
    assert page.status_code == 422 and page.mimetype == "text/html"
    html = markup(page)
    assert message in field_errors(html, field)
    for name, typed in query.items():
        assert input_value(html, name) == typed
    assert "请修改日期。" in text(page) and "<table" not in html


def test_a_bad_cursor_is_refused_on_the_page(browser, world):
    page = browser(world.owner).get(ledger_path(world), query_string={"cursor": "garbage"})
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert "输入有误 Invalid input" in text(page)


def test_an_owner_of_another_store_gets_the_not_found_page(browser, world, rt,
                                                          two_days_of_violations):
    b = browser(other_store_owner(world, rt))
    for query in ({}, {"from": "garbage"}):  # bad input must not tell the store exists
        page = b.get(ledger_path(world), query_string=query)
        assert page.status_code == 404 and "未找到 Not found" in text(page)
        assert "O-1" not in text(page)
    missing = b.get("/stores/999999/penalties")
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["agent", "buyer"])
def test_an_agent_and_a_buyer_are_not_permitted(browser, world, who):
    b = browser(getattr(world, who))
    for path in (ledger_path(world), "/penalties"):
        page = b.get(path)
        assert page.status_code == 403 and "无权操作 Not permitted" in text(page)
    assert "/penalties" not in markup(b.get("/"))  # and the nav offers no link


def test_the_owner_finds_its_ledger_in_the_nav(browser, world):
    b = browser(world.owner)
    assert f'href="{ledger_path(world)}"' in markup(b.get("/"))
    landed = b.get("/penalties")
    assert landed.status_code == 302 and landed.headers["Location"] == ledger_path(world)


def test_a_reviewer_names_a_store_and_reads_its_ledger(browser, world,
                                                      two_days_of_violations):
    b = browser(world.reviewer)
    assert 'href="/penalties"' in markup(b.get("/"))
    chooser = b.get("/penalties")
    assert chooser.status_code == 200 and input_value(markup(chooser), "store_id") == ""
    chosen = b.get("/penalties", query_string={"store_id": str(world.store_id)})
    assert chosen.status_code == 302 and chosen.headers["Location"] == ledger_path(world)
    page = b.get(chosen.headers["Location"])
    assert page.status_code == 200 and len(table(markup(page), "entries")) == 9


def test_a_reviewer_picks_a_store_from_the_list_without_typing_its_id(browser, world, rt,
                                                                      two_days_of_violations):
    other = other_store_owner(world, rt).caller.store_id
    b = browser(world.reviewer)
    chooser = markup(b.get("/penalties"))
    for store_id in (world.store_id, other):
        assert f'href="/stores/{store_id}/penalties"' in chooser
    assert "Other store" in text(b.get("/penalties"))
    page = b.get(ledger_path(world))
    assert page.status_code == 200 and len(table(markup(page), "entries")) == 9


def test_a_refused_store_id_still_offers_the_list(browser, world):
    page = browser(world.reviewer).get("/penalties", query_string={"store_id": "abc"})
    assert page.status_code == 422
    assert f'href="/stores/{world.store_id}/penalties"' in markup(page)


@pytest.mark.parametrize("typed", ["abc", "0", "-3", ""])
def test_a_reviewer_naming_no_store_is_told_and_keeps_the_input(browser, world, typed):
    page = browser(world.reviewer).get("/penalties", query_string={"store_id": typed})
    assert page.status_code == 422
    html = markup(page)
    assert field_errors(html, "store_id")
    assert input_value(html, "store_id") == typed


def test_the_ledger_service_refuses_dates_at_the_ends_of_the_calendar(world, rt):
    with pytest.raises(InvalidInput):
        assessment_queries.store_penalties(rt.uow(), world.owner.caller, world.store_id,
                                           start=date(9999, 12, 30), end=date(9999, 12, 31),
                                           limit=10)
