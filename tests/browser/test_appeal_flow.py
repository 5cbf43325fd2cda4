"""A seller appeals a late shipment from its order page and a reviewer overturns it from
the queue, in a real browser at desktop and phone widths."""

from __future__ import annotations

from negotiation.services.appeals import queries as appeal_queries
from tests.browser.conftest import assert_in_view, assert_no_overflow, press, shoot
from tests.web.report_support import NOT_EVIDENCE, PNG
from tests.web.test_appeal_pages import late_violation

SUBMIT = "button:has-text(\"提交申诉 Submit the appeal\")"
OVERTURN = "button:has-text(\"撤销违规 Overturn\")"


def test_seller_appeals_a_violation_and_a_reviewer_overturns_it(
        open_page, world, clock, viewport):
    late_violation(world, clock)
    seller = open_page(world.owner)
    seller.goto("/orders/O-1")
    with seller.expect_navigation():
        seller.click("#appeals a:has-text(\"申诉 Appeal\")")
    seller.select_option("#reason", "carrier_fault")
    seller.fill("#description", "当天已揽收 Collected the same day")
    seller.set_input_files("#file", files=[{"name": "scan.png", "mimeType": "image/png",
                                            "buffer": NOT_EVIDENCE}])
    press(seller, SUBMIT)
    assert_in_view(seller)
    assert "凭证文件类型不支持" in seller.inner_text("#form-summary")
    assert seller.input_value("#reason") == "carrier_fault"  # the input is kept
    assert seller.input_value("#description") == "当天已揽收 Collected the same day"
    assert appeal_queries.order_violations(world.rt.uow(), world.owner.caller,
                                           "O-1")[1][0].appeal is None  # nothing filed
    assert_no_overflow(seller)
    shoot(seller, "appeal-form-refused", viewport)

    seller.set_input_files("#file", files=[{"name": "scan.png", "mimeType": "image/png",
                                            "buffer": PNG}])
    press(seller, SUBMIT)
    assert "已提交申诉 #1" in seller.inner_text("main")
    assert "待审核 Pending review" in seller.inner_text("h1")
    assert "scan.png" in seller.inner_text("#evidence")
    assert_no_overflow(seller)

    reviewer = open_page(world.reviewer)
    with reviewer.expect_navigation():
        reviewer.click("#appeal-queue a:has-text(\"申诉 Appeal #1\")")
    assert "快递原因 The carrier's fault" in reviewer.inner_text("main")
    assert_no_overflow(reviewer)
    shoot(reviewer, "appeal-review", viewport)
    reviewer.locator("form:has(" + OVERTURN + ") textarea").fill("揽收记录属实 Scan confirmed")
    press(reviewer, OVERTURN)
    assert "已撤销违规 Violation overturned" in reviewer.inner_text("h1")
    assert_no_overflow(reviewer)
    [violation] = appeal_queries.order_violations(world.rt.uow(), world.owner.caller,
                                                  "O-1")[1]
    assert violation.exempted_by == "appeal"
