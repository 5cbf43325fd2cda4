"""A reviewer declares a regional exemption by choosing the region from the list, finds
it listed and ends it, in a real browser at desktop and phone widths."""

from __future__ import annotations

from tests.browser.conftest import assert_in_view, assert_no_overflow, press, shoot

DECLARE = "button:has-text(\"登记豁免 Declare the exemption\")"


def test_reviewer_declares_an_exemption_from_the_region_list_and_ends_it(
        open_page, world, viewport):
    reviewer = open_page(world.reviewer)
    reviewer.goto("/exemptions")
    assert_no_overflow(reviewer)
    reviewer.select_option("#region", label="杭州 Hangzhou")
    reviewer.fill("#starts_at", "2026-11-22T00:00")
    reviewer.fill("#ends_at", "2026-11-29T00:00")
    reviewer.fill("#note", "暴雨 Heavy rain")
    press(reviewer, DECLARE)  # no kind of violation chosen
    assert_in_view(reviewer)
    assert "请至少选择一种违规" in reviewer.inner_text("#form-summary")
    assert reviewer.input_value("#region") == "Hangzhou"  # the input is kept
    assert reviewer.input_value("#note") == "暴雨 Heavy rain"
    assert_no_overflow(reviewer)
    shoot(reviewer, "exemption-refused", viewport)

    reviewer.check("input[name=kinds][value=late_shipment]")
    press(reviewer, DECLARE)
    assert "已登记区域豁免 #1" in reviewer.inner_text("main")
    row = reviewer.locator("table.exemptions tbody tr").first
    assert "杭州 Hangzhou" in row.inner_text() and "生效中 Active" in row.inner_text()
    assert_no_overflow(reviewer)
    shoot(reviewer, "exemptions-listed", viewport)

    press(reviewer, "table.exemptions button:has-text(\"结束 End now\")")
    assert "区域豁免 #1 已结束" in reviewer.inner_text("main")
    row = reviewer.locator("table.exemptions tbody tr").first
    assert "已结束 Ended" in row.inner_text()
    assert row.locator("button").count() == 0  # an ended one cannot be ended again
    assert_no_overflow(reviewer)
