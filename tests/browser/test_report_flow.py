"""A seller files delay reports with evidence and a reviewer decides them, in a real
browser at desktop and phone widths."""

from __future__ import annotations

from negotiation.services.reports import queries
from tests.browser.conftest import assert_in_view, assert_no_overflow, press, shoot
from tests.web.report_support import NOT_EVIDENCE, PNG

IN_SIX_DAYS = "2026-11-28T08:00"


def file_report(page, order_no, files):
    page.goto(f"/reports/new?order_no={order_no}")
    page.select_option("#reason", "natural_disaster")
    page.fill("#latest_ship_at", IN_SIX_DAYS)
    page.fill("#description", "暴雨封路 Roads closed")
    page.set_input_files("#file", files=[files])
    press(page, "text=提交报备 Submit report")


def test_seller_files_with_evidence_reviewer_rejects_one_and_approves_another(
        open_page, world, rt, viewport):
    world.order("O-1")
    world.order("O-2")
    seller = open_page(world.owner)

    file_report(seller, "O-1", {"name": "notice.png", "mimeType": "image/png",
                                "buffer": NOT_EVIDENCE})
    assert_in_view(seller)
    assert "凭证文件类型不支持" in seller.inner_text("#form-summary")
    assert seller.input_value("#description") == "暴雨封路 Roads closed"  # kept as typed
    assert_no_overflow(seller)
    shoot(seller, "report-form-refused", viewport)

    seller.set_input_files("#file", files=[{"name": "road.png", "mimeType": "image/png",
                                            "buffer": PNG}])
    press(seller, "text=提交报备 Submit report")
    assert "已上传凭证 Evidence attached: road.png." in seller.inner_text("main")
    assert_no_overflow(seller)
    file_report(seller, "O-2", {"name": "road.png", "mimeType": "image/png", "buffer": PNG})
    seller.goto("/reports")
    assert_no_overflow(seller)
    shoot(seller, "reports-seller", viewport)
    first, second = sorted(r.id for r in queries.list_reports(
        rt.uow(), world.owner.caller, limit=10).items)

    reviewer = open_page(world.reviewer)
    assert reviewer.url.endswith("/reports"), reviewer.url  # lands on the queue
    assert_no_overflow(reviewer)
    shoot(reviewer, "review-queue", viewport)
    reviewer.goto(f"/reports/{first}")
    assert_no_overflow(reviewer)
    shoot(reviewer, "report-review", viewport)
    reviewer.click("label[for=reject-note]")  # the label focuses its own box
    assert reviewer.evaluate("document.activeElement.id") == "reject-note"
    reviewer.fill("#reject-note", "未见封路通知 No notice attached")
    press(reviewer, "button:has-text(\"驳回 Reject\")")
    assert f"已驳回报备 #{first}" in reviewer.inner_text("main")

    reviewer.goto(f"/reports/{second}")
    press(reviewer, "button:has-text(\"通过 Approve\")")
    assert f"已通过报备 #{second}" in reviewer.inner_text("main")
    assert_no_overflow(reviewer)
    decided = {r.id: r.status for r in queries.list_reports(
        rt.uow(), world.reviewer.caller, limit=10, status=None).items}
    assert decided == {first: "rejected", second: "approved"}
