"""One report's page: who sees it, its decision forms, withdrawing, and stale posts."""

from __future__ import annotations

from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus, Role
from negotiation.services.orders import orders
from negotiation.services.reports import queries as report_queries
from negotiation.services.reports import reports
from tests.conftest import ADMIN_TOKEN, START
from tests.web.conftest import forms, markup, text
from tests.web.report_support import DAY, DESCRIPTION, file_shipment, other_store_owner, page_of


def actions_of(report_id: int) -> dict[str, str]:
    base = page_of(report_id)
    return {"approve": f"{base}/approve", "reject": f"{base}/reject",
            "withdraw": f"{base}/withdraw", "evidence": f"{base}/evidence"}


def status_of(rt, reader, report_id: int) -> str:
    return report_queries.get_report(rt.uow(), reader.caller, report_id).status


def test_the_page_shows_the_report_its_orders_and_its_history(browser, world, rt):
    world.order("O-1")
    world.order("O-2")
    report = file_shipment(rt, world.owner, "O-1", "O-2")
    page = browser(world.reviewer).get(page_of(report.id))
    assert page.status_code == 200
    shown = text(page)
    assert f"报备 Report #{report.id} · 待审核 Pending review" in shown
    assert "店铺 Store #" in shown and DESCRIPTION in shown
    assert "提交 Submitted 2026-11-22 08:00 Asia/Shanghai" in shown
    assert "审核截止 Review due 2026-11-24 08:00 Asia/Shanghai" in shown
    assert "等待时长 Waited 等待 0 分 · waited 0 min" in shown
    assert "提交报备 Submitted" in shown and "提交报备 Submitted · owner" in shown
    links = markup(page)
    assert 'href="/orders/O-1"' in links and 'href="/orders/O-2"' in links


def test_another_stores_report_is_404_for_the_page_and_every_form(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    # Another store's seller may withdraw and upload, but not here: 404. A buyer may
    # never do either, and neither reviews: 403 whichever report it names.
    for actor, seller_status in ((other_store_owner(world, rt), 404), (world.buyer, 403)):
        b = browser(actor)
        b.get("/")  # takes the "signed in" message, which would show on only one of them
        page = b.get(page_of(report.id))
        assert page.status_code == 404 and "未找到 Not found" in text(page)
        assert text(page).replace(str(report.id), "N") == text(
            b.get(page_of(report.id + 100))).replace(str(report.id + 100), "N")
        urls = actions_of(report.id)
        assert b.post_anyway(urls["withdraw"]).status_code == seller_status
        # Without a file the upload form would be drawn again, on a page not theirs.
        assert b.post_anyway(urls["evidence"], {"note": "x"}).status_code == 404
        for action in (urls["approve"], urls["reject"]):
            assert b.post_anyway(action, {"note": "x"}).status_code == 403, action
    assert status_of(rt, world.owner, report.id) == ReportStatus.PENDING_REVIEW


def test_a_seller_sees_withdraw_and_upload_but_no_review_forms(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    drawn = forms(markup(browser(world.agent).get(page_of(report.id))))
    urls = actions_of(report.id)
    assert urls["withdraw"] in drawn and urls["evidence"] in drawn
    assert urls["approve"] not in drawn and urls["reject"] not in drawn


def test_a_reviewer_sees_approve_and_reject_but_no_withdraw_or_upload(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    drawn = forms(markup(browser(world.reviewer).get(page_of(report.id))))
    urls = actions_of(report.id)
    assert urls["approve"] in drawn and urls["reject"] in drawn
    assert urls["withdraw"] not in drawn and urls["evidence"] not in drawn


def test_posting_the_other_roles_action_is_forbidden(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    urls = actions_of(report.id)
    seller, reviewer = browser(world.owner), browser(world.reviewer)
    assert seller.post_anyway(urls["approve"]).status_code == 403
    assert seller.post_anyway(urls["reject"], {"note": "no"}).status_code == 403
    assert reviewer.post_anyway(urls["withdraw"]).status_code == 403
    assert status_of(rt, world.owner, report.id) == ReportStatus.PENDING_REVIEW


def test_a_reviewer_approves_and_the_order_gets_the_reports_deadline(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1", days=6)
    b = browser(world.reviewer)
    approved = b.submit(page_of(report.id), actions_of(report.id)["approve"],
                        {"note": "证据充分 Enough proof"})
    assert approved.status_code == 302 and approved.headers["Location"] == page_of(report.id)
    view = report_queries.get_report(rt.uow(), world.owner.caller, report.id)
    assert view.status == ReportStatus.APPROVED and view.reviewed_by == world.reviewer.id
    assert view.review_note == "证据充分 Enough proof"
    page = text(b.get(page_of(report.id)))
    assert f"已通过报备 #{report.id} Report #{report.id} approved." in page
    assert "审核备注 Reviewer's note 证据充分 Enough proof" in page
    assert "审核通过 Approved" in page  # the history
    order = text(browser(world.owner).get("/orders/O-1"))
    assert ("当前发货时效 Current ship-by 2026-11-28 08:00 Asia/Shanghai "
            "延迟发货报备 Delay report") in order
    assert "主动报备通过 Covered by an approved report 是 Yes" in order
    assert "报备最晚发货时间 Reported ship-by 2026-11-28 08:00 Asia/Shanghai" in order
    assert "报备审核通过 Delay report approved" in order  # the order's timeline
    assert orders.get_order(rt.uow(), world.owner.caller, "O-1").ship_by == START + 6 * DAY


def test_an_approval_needs_no_note(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    approved = browser(world.reviewer).submit(page_of(report.id),
                                              actions_of(report.id)["approve"], {"note": ""})
    assert approved.status_code == 302
    view = report_queries.get_report(rt.uow(), world.owner.caller, report.id)
    assert view.status == ReportStatus.APPROVED and view.review_note is None


def test_a_reviewer_rejects_with_a_note_the_store_then_reads(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    rejected = browser(world.reviewer).submit(page_of(report.id),
                                              actions_of(report.id)["reject"],
                                              {"note": "没有凭证 No evidence"})
    assert rejected.status_code == 302
    assert status_of(rt, world.owner, report.id) == ReportStatus.REJECTED
    seller_view = browser(world.owner).get(page_of(report.id))
    assert "已驳回 Rejected" in text(seller_view)
    assert "审核备注 Reviewer's note 没有凭证 No evidence" in text(seller_view)
    assert actions_of(report.id)["withdraw"] not in forms(markup(seller_view))
    order = text(browser(world.owner).get("/orders/O-1"))
    assert "原始时效 Original deadline" in order
    assert "主动报备通过 Covered by an approved report 否 No" in order


def test_a_rejection_without_a_note_is_shown_again_and_changes_nothing(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    b = browser(world.reviewer)
    urls = actions_of(report.id)
    again = b.submit(page_of(report.id), urls["reject"], {"note": ""})
    assert again.status_code == 422
    form = forms(markup(again))[urls["reject"]]
    assert "请填写驳回理由 Tell the store why it is rejected." in form
    blank = b.submit(page_of(report.id), urls["reject"], {"note": "   "})
    assert blank.status_code == 422  # the service's own rule: a note of spaces says nothing
    assert "A rejection needs a note telling the store why." in forms(markup(blank))[urls["reject"]]
    assert status_of(rt, world.owner, report.id) == ReportStatus.PENDING_REVIEW


def test_a_note_over_the_limit_is_refused_keeping_the_text(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    urls = actions_of(report.id)
    again = browser(world.reviewer).submit(page_of(report.id), urls["approve"],
                                           {"note": "x" * 1001})
    assert again.status_code == 422
    form = forms(markup(again))[urls["approve"]]
    assert "备注最多 1000 字 The note is at most 1000 characters." in form and "x" * 1001 in form
    assert status_of(rt, world.owner, report.id) == ReportStatus.PENDING_REVIEW


def test_a_stale_approval_of_a_decided_report_shows_report_not_pending(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    urls = actions_of(report.id)
    b = browser(world.reviewer)
    page = b.get(page_of(report.id))  # the reviewer's tab still shows the forms
    assert urls["approve"] in forms(markup(page))
    second = world.actor(Role.REVIEWER, "second reviewer")
    reports.reject_report(rt.uow(), second.caller, report.id, note="no proof")
    stale = b.post_anyway(urls["approve"], {"note": "looks fine"}, page=page_of(report.id))
    assert stale.status_code == 409
    form = forms(markup(stale))[urls["approve"]]
    assert "报备不在待审核状态 Report not pending review" in form
    assert "looks fine</textarea>" in form and "disabled" in form
    assert status_of(rt, world.owner, report.id) == ReportStatus.REJECTED
    assert urls["reject"] not in forms(markup(b.get(page_of(report.id))))


def test_a_seller_withdraws_a_pending_report(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    b = browser(world.agent)
    withdrawn = b.submit(page_of(report.id), actions_of(report.id)["withdraw"])
    assert withdrawn.status_code == 302
    assert status_of(rt, world.owner, report.id) == ReportStatus.WITHDRAWN
    page = b.get(page_of(report.id))
    assert f"已撤回报备 #{report.id} Report #{report.id} withdrawn." in text(page)
    assert "卖家撤回 Withdrawn" in text(page)
    assert not any(a.startswith(page_of(report.id)) for a in forms(markup(page)))
    assert "当前没有您可执行的操作。" in text(page)


def test_a_stale_withdrawal_shows_the_refusal(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    reports.approve_report(rt.uow(), world.reviewer.caller, report.id)
    stale = browser(world.owner).post_anyway(actions_of(report.id)["withdraw"])
    assert stale.status_code == 409
    assert ("报备不在待审核状态 Report not pending review: The report is approved, not waiting "
            "for review.") in text(stale)
    assert status_of(rt, world.owner, report.id) == ReportStatus.APPROVED


def test_the_review_forms_need_their_csrf_token(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    urls = actions_of(report.id)
    reviewer, seller = browser(world.reviewer), browser(world.owner)
    for b, action in ((reviewer, urls["approve"]), (reviewer, urls["reject"]),
                      (seller, urls["withdraw"])):
        refused = b.client.post(action, data={"note": "x"})
        assert refused.status_code == 400 and "表单已失效 The form has expired" in text(refused)
    assert status_of(rt, world.owner, report.id) == ReportStatus.PENDING_REVIEW


def test_an_admin_reads_no_report(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    assert browser(ADMIN_TOKEN).get(page_of(report.id)).status_code == 404


def test_the_order_timeline_links_the_report_for_the_store_not_the_buyer(browser, world, rt):
    world.order("O-1")
    report = file_shipment(rt, world.owner, "O-1")
    link = f'href="/reports/{report.id}"'
    assert "提交报备 Delay report submitted" in text(browser(world.owner).get("/orders/O-1"))
    assert link in markup(browser(world.owner).get("/orders/O-1"))
    assert link in markup(browser(world.reviewer).get("/orders/O-1"))
    buyer = browser(world.buyer).get("/orders/O-1")
    assert "提交报备 Delay report submitted" in text(buyer) and link not in markup(buyer)


def test_approving_a_store_report_moves_every_order_in_its_window(browser, world, rt):
    world.order("O-1")  # deadline 2026-11-24 07:00 Shanghai: in the window
    world.order("O-2", ship_by=START + 10 * DAY)  # outside it
    report = reports.file_report(
        rt.uow(), world.owner.caller, kind=ReportKind.STORE,
        reason=ReportReason.EPIDEMIC_CONTROL, description=DESCRIPTION,
        window_start=START + DAY, window_end=START + 3 * DAY, latest_ship_at=START + 8 * DAY)
    browser(world.reviewer).submit(page_of(report.id), actions_of(report.id)["approve"])
    b = browser(world.owner)
    inside, outside = text(b.get("/orders/O-1")), text(b.get("/orders/O-2"))
    assert ("当前发货时效 Current ship-by 2026-11-30 08:00 Asia/Shanghai "
            "延迟发货报备 Delay report") in inside
    assert "主动报备通过 Covered by an approved report 是 Yes" in inside
    assert "主动报备通过 Covered by an approved report 否 No" in outside
    assert "原始时效 Original deadline" in outside
