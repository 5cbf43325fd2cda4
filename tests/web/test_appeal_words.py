"""The appeal pages speak the catalogue's words, never the API's raw values."""

from negotiation.services.appeals import queries as appeal_queries
from tests.web.conftest import text
from tests.web.report_support import NOT_EVIDENCE
from tests.web.test_appeal_pages import late_violation


def test_an_appeal_reads_its_state_and_reason_in_words_before_and_after_review(
        browser, world, clock):
    form_page = f"/violations/{late_violation(world, clock)}/appeal"
    seller = browser(world.agent)
    filed = seller.submit(form_page, form_page, {
        "reason": "carrier_fault", "description": "Collected the same day."})
    appeal_url = filed.headers["Location"]
    pending = text(seller.get(appeal_url))
    assert "待审核 Pending review" in pending and "快递原因 The carrier's fault" in pending
    assert "pending_review" not in pending and "carrier_fault" not in pending
    browser(world.reviewer).submit(appeal_url, f"{appeal_url}/uphold", {"note": ""})
    upheld = text(seller.get(appeal_url))
    assert "维持违规 Violation upheld" in upheld and "upheld" not in upheld.replace(
        "Violation upheld", "")
    order_page = text(seller.get("/orders/O-1"))
    assert "违规申诉 Appeals" in order_page and "维持违规 Violation upheld" in order_page


def test_the_reviewers_queue_names_waiting_appeals_in_words(browser, world, clock):
    form_page = f"/violations/{late_violation(world, clock)}/appeal"
    browser(world.agent).submit(form_page, form_page, {
        "reason": "other", "description": "See the photo."})
    queue = text(browser(world.reviewer).get("/reports"))
    assert "待审申诉 Appeals waiting" in queue and "申诉 Appeal #1" in queue


def test_a_file_the_appeal_could_not_keep_files_no_appeal_and_keeps_the_input(
        browser, world, clock):
    violation_id = late_violation(world, clock)
    form_page = f"/violations/{violation_id}/appeal"
    refused = browser(world.agent).submit(form_page, form_page, {
        "reason": "carrier_fault", "description": "Collected the same day."},
        files={"file": (NOT_EVIDENCE, "scan.png")})
    assert refused.status_code == 422
    assert "凭证文件类型不支持" in text(refused) and "Collected the same day." in text(refused)
    [violation] = appeal_queries.order_violations(world.rt.uow(), world.owner.caller,
                                                  "O-1")[1]
    assert violation.appeal is None
